"""Baselines survive unrelated edits, and a new finding still shows."""
from __future__ import annotations

import json

from gplint.cli import main

DOCKERFILE = """FROM golang:1.22 AS build
ENV GOSUMDB=off
RUN go mod download

FROM golang:1.22 AS tools
RUN go install golang.org/x/tools/cmd/stringer@v0.20.0
"""


def _codes(capsys, *args):
    main(["--format", "json", *args])
    return sorted(d["code"] for d in json.loads(capsys.readouterr().out))


def test_baseline_survives_inserted_lines_and_reports_new_findings(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    assert _codes(capsys) == ["GP101", "GP101", "GP301"]
    assert main(["--write-baseline", "baseline.json"]) == 0
    capsys.readouterr()
    assert _codes(capsys, "--baseline", "baseline.json") == []

    # ten blank lines at the top move every finding; none comes back
    (tmp_path / "Dockerfile").write_text("\n" * 10 + DOCKERFILE)
    assert _codes(capsys, "--baseline", "baseline.json") == []
    assert main(["--baseline", "baseline.json"]) == 0
    capsys.readouterr()

    # a new problem is new
    (tmp_path / "Dockerfile").write_text("\n" * 10 + DOCKERFILE + "ENV GOFLAGS=-insecure\n")
    assert _codes(capsys, "--baseline", "baseline.json") == ["GP301"]


def test_bad_baseline_file_is_exit_2(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / "baseline.json").write_text("{not json")
    assert main(["--baseline", "baseline.json"]) == 2
    assert "not a gplint baseline" in capsys.readouterr().err
