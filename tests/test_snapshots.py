"""Output formats and fixed files, as snapshots (reviewed by eye: tests/__snapshots__/)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from gplint.cli import main

EXAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "examples" / "multistage"


@pytest.fixture
def example(tmp_path, monkeypatch):
    target = tmp_path / "multistage"
    shutil.copytree(EXAMPLE, target)
    (target / ".git").mkdir()
    monkeypatch.chdir(target)
    return target


def test_text_output(example, capsys, snapshot):
    assert main(["--no-color"]) == 1
    assert capsys.readouterr().out == snapshot


def test_json_output(example, capsys, snapshot):
    assert main(["--format", "json"]) == 1
    assert capsys.readouterr().out == snapshot


def test_diff_output(example, capsys, snapshot):
    assert main(["--diff", "--unsafe-fixes"]) == 1
    assert capsys.readouterr().out == snapshot


def test_fixed_files(example, capsys, snapshot):
    main(["--fix", "--unsafe-fixes"])
    capsys.readouterr()
    assert (example / "Dockerfile").read_text() == snapshot(name="Dockerfile")
    assert (example / ".dockerignore").read_text() == snapshot(name="dockerignore")
