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


# ----------------------------------------------------------------- suppressions of unknown codes

def _gp002(capsys):
    status, out, _ = run(capsys, "--format", "json")
    return [(d["line"], d["message"]) for d in json.loads(out) if d["code"] == "GP002"]


def test_suppression_with_an_unknown_code_is_reported(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\n# gplint: ignore[GP999]\nRUN go build\n")
    assert _gp002(capsys) == [(3, "unused suppression: unknown rule code GP999, which ignores nothing "
                                  "(`gplint rules` lists the rules)")]


def test_unknown_code_next_to_a_used_one_is_still_reported(repo, capsys):
    (repo / "Dockerfile").write_text(
        "FROM golang:1.22\n# gplint: ignore[GP101, goproxy-unset, GP9]\nRUN go build\n")
    (line, message), = _gp002(capsys)  # GP101 is used: only the unknown items are reported
    assert line == 2 and "unknown rule codes goproxy-unset, GP9," in message


def test_known_codes_names_and_prefixes_are_not_unknown(repo, capsys):
    (repo / "Dockerfile").write_text(
        "FROM golang:1.22\n# gplint: ignore[goproxy-unset-in-stage, GP1, all]\nRUN go build\n")
    assert _gp002(capsys) == []
