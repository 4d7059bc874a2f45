"""What a run tells its user: configuration forms, suppressions of unknown codes, statistics,
runs that lint nothing, the summary after --fix, and secrets kept out of every output."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main

BAD = "FROM golang:1.22 AS build\nRUN go mod download\n"


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------- configuration forms

@pytest.mark.parametrize("content", [
    'ignore = ["GP101"]\n',
    '[tool.gplint]\nignore = ["GP101"]\n',  # the pyproject.toml form, copied into gplint.toml
])
def test_gplint_toml_accepts_top_level_and_tool_gplint_forms(repo, capsys, content):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "gplint.toml").write_text(content)
    assert run(capsys, "--format", "json") == (0, "[]\n", "")
    assert run(capsys, "--format", "json", "--config", "gplint.toml") == (0, "[]\n", "")


@pytest.mark.parametrize("content,message", [
    ('select = ["GP1"]\n[tool.gplint]\nignore = ["GP101"]\n', "keep one form"),
    ('[tool.ruff]\nline-length = 1\n', "[tool.gplint]"),
    ('[tool.gplint]\nselekt = ["GP1"]\n', "selekt"),
])
def test_gplint_toml_mixed_or_foreign_forms_are_exit_2(repo, capsys, content, message):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "gplint.toml").write_text(content)
    status, _, err = run(capsys)
    assert status == 2 and message in err and "gplint.toml" in err
