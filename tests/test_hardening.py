"""Hardening: arbitrary and mutated input never crashes gplint, and fixes never damage a file.

Properties (hypothesis): the whole pipeline (read, lower, check, report) never raises on any
bytes; applying fixes changes nothing outside the reported edit spans, keeps BOM, line endings
and the final newline, is idempotent, and leaves a file that parses and no longer triggers the
fixed rules. Plus the write-time hazards: a file changed on disk, a full disk.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gplint.cli import main
from gplint.fix import apply_edits

SEEDS = [
    "FROM golang:1.22 AS build\nRUN go mod download\n",
    "ARG GOPROXY=https://proxy.golang.org,direct\nFROM golang:1.21-alpine AS deps\nCOPY go.mod go.sum ./\n"
    "RUN go mod download\nFROM deps AS build\nENV GOSUMDB=off GO111MODULE=off\nRUN go build ./...\n",
    "FROM golang:1.22\nENV GOPROXY=DIRECT,https://x GOPRIVATE=\"a.com, b.com\"\nRUN go env -w GOPROXY= && go build\n",
    "FROM golang:1.22 AS a\nENV GOPROXY=http://localhost:3000\nRUN <<EOF\ngo build ./...\nEOF\n"
    "FROM golang:1.22 AS b\nRUN GOFLAGS=-insecure go get example.com/x@v1\n",
]
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _lint(path: Path, *args) -> tuple[int, list]:
    import contextlib
    import io

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(["--no-cache", "--format", "json", *args, str(path)])
    text = out.getvalue()
    return status, (json.loads(text) if text.strip().startswith("[") else [])


@SETTINGS
@given(data=st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(tmp_path, data):
    path = tmp_path / "Dockerfile"
    path.write_bytes(data)
    status, _ = _lint(path)
    assert status in (0, 1, 2)


def _mutations():
    lines = st.sampled_from([line for seed in SEEDS for line in seed.splitlines(keepends=True)]
                            + ["\\\n", "RUN go build \\\n", "#\n", "\r\n", "ARG\n", "ENV =\n", "FROM\n",
                               "RUN <<EOF\n", "EOF\n", "COPY --from= . .\n", "RUN 'unterminated\n", "\ufeff"])
    return st.lists(lines, max_size=25).map("".join)


@SETTINGS
@given(text=_mutations())
def test_mutated_dockerfiles_never_crash_and_fix_safely(tmp_path, text):
    for name in os.listdir(tmp_path):
        os.unlink(tmp_path / name)
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    status, diags = _lint(path)
    assert status in (0, 1, 2)
    fixable = [d for d in diags if d["fix"]]
    before = path.read_bytes()
    _lint(path, "--fix", "--unsafe-fixes")
    after = path.read_bytes()
    if not fixable:
        assert after == before
        return
    # a second fix pass changes nothing
    _lint(path, "--fix", "--unsafe-fixes")
    assert path.read_bytes() == after
    # line endings and the final newline survive
    assert after.endswith(b"\n") == before.endswith(b"\n") or not before
    if b"\r\n" in before and b"\n" not in before.replace(b"\r\n", b""):
        assert b"\n" not in after.replace(b"\r\n", b"")


@SETTINGS
@given(text=st.text(max_size=300), cuts=st.lists(st.tuples(st.integers(0, 300), st.integers(0, 5),
                                                            st.text(max_size=5)), max_size=5))
def test_apply_edits_touches_only_the_edited_spans(text, cuts):
    from gplint.diagnostic import Edit
    from gplint.source import Source

    source = Source("x", "x", "dockerfile", text)
    edits, taken = [], []
    for start, length, content in cuts:
        start = min(start, len(text))
        end = min(start + length, len(text))
        if any(s < end and start < e for s, e in taken) or any(s == e == start for s, e in taken):
            continue
        taken.append((start, end))
        edits.append(Edit(source, start, end, content))
    out = apply_edits(text, edits)
    # rebuild from the untouched pieces and the contents: nothing else may differ
    pos, expected = 0, []
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        expected.append(text[pos:edit.start] + edit.content)
        pos = edit.end
    expected.append(text[pos:])
    assert out == "".join(expected)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("newline,bom", [("\n", False), ("\r\n", False), ("\n", True)])
def test_fix_keeps_bom_newlines_mode_and_bytes_outside_edits(tmp_path, seed, newline, bom):
    (tmp_path / ".git").mkdir()
    path = tmp_path / "Dockerfile"
    original = ("\ufeff" if bom else "") + seed.replace("\n", newline)
    path.write_bytes(original.encode())
    path.chmod(0o640)
    _, diags = _lint(path)
    _lint(path, "--fix", "--unsafe-fixes")
    fixed = path.read_bytes().decode()
    assert fixed.startswith("\ufeff") == bom
    assert (path.stat().st_mode & 0o777) == 0o640
    if newline == "\r\n":
        assert "\n" not in fixed.replace("\r\n", "")
    # the fixed file still parses (as docker's own parser library sees it) and is idempotent
    dockerfile_parse = pytest.importorskip("dockerfile_parse")
    import io

    parser = dockerfile_parse.DockerfileParser(fileobj=io.BytesIO(fixed.lstrip("\ufeff").encode()))
    assert any(i["instruction"] == "FROM" for i in parser.structure)
    again = path.read_bytes()
    _lint(path, "--fix", "--unsafe-fixes")
    assert path.read_bytes() == again
    # and the fixed rules no longer fire
    fixed_codes = {d["code"] for d in diags if d["fix"]}
    _, remaining = _lint(path)
    assert not ({d["code"] for d in remaining if d["fix"]} & fixed_codes - {"GP101", "GP102"})


def test_large_repository_honours_gitignore(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("vendor/\nbuild/\n")
    for i in range(100):
        folder = tmp_path / f"svc{i:03d}" / "cmd" / "app"
        folder.mkdir(parents=True)
        for j in range(98):  # with the Dockerfiles: 10,000 files, 100 of them ignored
            (folder / f"f{j}.go").write_text("package main\n")
        (tmp_path / f"svc{i:03d}" / "Dockerfile").write_text("FROM golang\nARG GOPROXY\nRUN go build\n")
        ignored = tmp_path / "vendor" / f"m{i}"
        ignored.mkdir(parents=True)
        (ignored / "Dockerfile").write_text("FROM golang\nRUN go build\n")
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "--format", "json"]) == 0  # the 100 ignored bad Dockerfiles are not read
    assert json.loads(capsys.readouterr().out) == []
