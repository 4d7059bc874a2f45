"""The command line: discovery, exit codes, output formats, suppressions, configuration, bad input."""
from __future__ import annotations

import json
import os

import pytest

from gplint.cli import main

BAD = "FROM golang:1.22 AS build\nRUN go mod download\n"
GOOD = "FROM golang:1.22 AS build\nARG GOPROXY\nRUN go mod download\n"


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def jrun(capsys, *args):
    status, out, err = run(capsys, "--format", "json", *args)
    return status, json.loads(out), err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_exit_codes_and_json_schema(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    status, diags, _ = jrun(capsys)
    assert status == 1
    assert len(diags) == 1
    d = diags[0]
    assert {k: d[k] for k in ("code", "name", "severity", "path", "line", "column", "end_line", "end_column")} == {
        "code": "GP101", "name": "goproxy-unset-in-stage", "severity": "warning", "path": "Dockerfile",
        "line": 2, "column": 5, "end_line": 2, "end_column": 20}
    assert d["fix"]["applicability"] == "safe"
    assert d["fix"]["edits"] == [{"path": "Dockerfile", "line": 2, "column": 1, "end_line": 2, "end_column": 1,
                                  "content": "ARG GOPROXY\n"}]
    (repo / "Dockerfile").write_text(GOOD)
    assert jrun(capsys)[0:2] == (0, [])


def test_exit_zero(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    assert run(capsys, "--exit-zero")[0] == 0


def test_text_output_has_caret_and_help(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    status, out, _ = run(capsys, "--no-color")
    assert status == 1
    assert "Dockerfile:2:5: GP101 goproxy-unset-in-stage" in out
    assert " 2 | RUN go mod download" in out
    assert "^^^^^^^^^^^^^^^" in out
    assert "help: Insert `ARG GOPROXY` after the stage's FROM" in out


def test_fix_writes_minimal_edit_and_second_fix_is_noop(repo, capsys):
    path = repo / "Dockerfile"
    path.write_bytes(b"\xef\xbb\xbffrom golang:1.22 as build\r\n# keep me\r\nrun go mod download\r\n")
    status, _, _ = run(capsys, "--fix")
    assert status == 0
    assert path.read_bytes() == b"\xef\xbb\xbffrom golang:1.22 as build\r\narg GOPROXY\r\n# keep me\r\nrun go mod download\r\n"
    mtime = os.stat(path).st_mtime_ns
    assert run(capsys, "--fix")[0] == 0
    assert os.stat(path).st_mtime_ns == mtime  # nothing to fix: not written


def test_diff_writes_nothing(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    status, out, _ = run(capsys, "--diff")
    assert status == 1
    assert "+ARG GOPROXY" in out and out.startswith("--- a/Dockerfile")
    assert (repo / "Dockerfile").read_text() == BAD


def test_unsafe_fixes_need_the_flag(repo, capsys):
    text = "FROM golang:1.22\nARG GOPROXY\nENV GO111MODULE=off\nRUN go build\n"
    (repo / "Dockerfile").write_text(text)
    run(capsys, "--fix")
    assert (repo / "Dockerfile").read_text() == text
    run(capsys, "--fix", "--unsafe-fixes")
    assert (repo / "Dockerfile").read_text() == "FROM golang:1.22\nARG GOPROXY\nRUN go build\n"


def test_read_only_file_is_not_overwritten(repo, capsys):
    path = repo / "Dockerfile"
    path.write_text(BAD)
    path.chmod(0o444)
    status, _, err = run(capsys, "--fix")
    assert status == 2 and "read-only" in err
    assert path.read_text() == BAD


def test_symlink_is_written_through(repo, capsys):
    target = repo / "real.Dockerfile"
    target.write_text(BAD)
    (repo / "Dockerfile").symlink_to("real.Dockerfile")
    run(capsys, "--fix", "Dockerfile")
    assert os.path.islink(repo / "Dockerfile")
    assert "ARG GOPROXY" in target.read_text()


def test_suppressions(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\n# gplint: ignore[GP101] base image bakes it in\nRUN go build\n")
    assert jrun(capsys)[1] == []
    (repo / "Dockerfile").write_text("FROM golang:1.22\n# gplint: ignore[goproxy-unset-in-stage]\nRUN go build\n")
    assert jrun(capsys)[1] == []
    (repo / "Dockerfile").write_text("# gplint: ignore-file[GP101]\nFROM golang:1.22\nRUN go build\n")
    assert jrun(capsys)[1] == []


def test_unused_suppression_is_reported(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\n# gplint: ignore[GP101]\nRUN go build\n")
    status, diags, _ = jrun(capsys)
    assert [d["code"] for d in diags] == ["GP002"]


def test_select_ignore_and_config(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    assert jrun(capsys, "--ignore", "GP101")[1] == []
    assert jrun(capsys, "--select", "GP3")[1] == []
    (repo / "pyproject.toml").write_text('[tool.gplint]\nignore = ["GP1"]\n')
    assert jrun(capsys)[1] == []
    (repo / "pyproject.toml").write_text('[tool.gplint]\nper-file-ignores = { "Dockerfile" = ["GP101"] }\n')
    assert jrun(capsys)[1] == []


@pytest.mark.parametrize("content,message", [
    ('[tool.gplint]\nselekt = ["GP1"]\n', "selekt"),
    ('[tool.gplint]\nselect = "GP1"\n', "select"),
    ('[tool.gplint]\nselect = ["GP999"]\n', "GP999"),
    ("[tool.gplint\n", "pyproject.toml"),
])
def test_bad_configuration_is_exit_2(repo, capsys, content, message):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "pyproject.toml").write_text(content)
    status, out, err = run(capsys)
    assert status == 2
    assert message in err and "Traceback" not in err


@pytest.mark.parametrize("name,data,message", [
    ("Dockerfile", b"\x00\x01\x02binary", "binary"),
    ("Dockerfile", b"FROM x\nRUN \xff\xfe go build\n", "UTF-8"),
    ("Dockerfile", b"", "empty"),
    ("Dockerfile", b"RUN go build\n", "no FROM"),
    (".dockerignore", b"!\n", "illegal exclusion"),
])
def test_bad_input_is_a_diagnostic_and_exit_2(repo, capsys, name, data, message):
    (repo / name).write_bytes(data)
    status, diags, err = jrun(capsys)
    assert status == 2
    assert any(d["code"] == "GP001" and message in d["message"] for d in diags), diags
    assert "Traceback" not in err


def test_directory_named_dockerfile_and_missing_path(repo, capsys):
    (repo / "Dockerfile").mkdir()
    status, diags, _ = jrun(capsys, "Dockerfile")
    assert status == 2 and "directory" in diags[0]["message"]
    status, _, err = run(capsys, "nope")
    assert status == 2 and "no such file" in err


def test_unreadable_file(repo, capsys, monkeypatch):
    path = repo / "Dockerfile"
    path.write_text(BAD)
    path.chmod(0)
    if os.geteuid() == 0:  # root reads every file: make the read fail as it would for a user
        import builtins

        real_open = builtins.open

        def denying_open(file, *args, **kwargs):
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(builtins, "open", denying_open)
        real_os_open = os.open

        def denying_os_open(file, *args, **kwargs):  # gplint reads linted files with os.open
            if os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real_os_open(file, *args, **kwargs)

        monkeypatch.setattr(os, "open", denying_os_open)
    status, diags, _ = jrun(capsys)
    assert status == 2 and diags[0]["code"] == "GP001"
    assert diags[0]["message"] == "cannot read: Permission denied" and diags[0]["line"] == 1


def test_huge_file_and_long_line(repo, capsys):
    (repo / "Dockerfile").write_bytes(b"FROM x\n" + b"# " + b"a" * (50 * 1024 * 1024) + b"\n")
    status, diags, _ = jrun(capsys)
    assert status == 2 and "too large" in diags[0]["message"]
    (repo / "Dockerfile").write_text("FROM golang\nARG GOPROXY\nRUN go build " + "x" * 1_000_000 + "\n")
    status, diags, _ = jrun(capsys)
    assert status == 0


def test_stdin_with_kind(repo, capsys, monkeypatch):
    import io
    import sys

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(BAD.encode())))
    status, diags, _ = jrun(capsys, "--stdin-filename", "Dockerfile")
    assert status == 1 and diags[0]["path"] == "Dockerfile"


def test_rule_and_rules_commands(capsys):
    status, out, _ = run(capsys, "rule", "GP101")
    assert status == 0 and "### Bad" in out
    status, out, _ = run(capsys, "rules")
    assert status == 0 and "GP401" in out and "dockerignore-drops-go-files" in out
    assert run(capsys, "rule", "GP999")[0] == 2


def test_passed_dockerfile_reports_the_ignore_file_it_makes_wrong(repo, capsys):
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / ".dockerignore").write_text("go.mod\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod ./\nRUN go mod download\n")
    status, diags, _ = jrun(capsys, "Dockerfile")
    assert status == 1
    assert [(d["code"], d["path"]) for d in diags] == [("GP401", ".dockerignore")]
    assert "Dockerfile, which was passed" in diags[0]["message"]


def test_fix_reaches_the_ignore_file_of_a_passed_dockerfile(repo, capsys):
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / ".dockerignore").write_text("go.mod\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod ./\nRUN go mod download\n")
    run(capsys, "--fix", "Dockerfile")
    assert (repo / ".dockerignore").read_text() == "go.mod\n!go.mod\n"


def test_unreadable_folder_fails_the_run_with_a_message(repo, capsys, monkeypatch):
    (repo / "svc").mkdir()
    (repo / "svc" / "Dockerfile").write_text(BAD)
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    real_scandir = os.scandir

    def denying_scandir(path="."):
        if os.fspath(path).endswith("svc"):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", denying_scandir)
    status, diags, err = jrun(capsys)
    assert status == 2 and diags == []
    assert "svc: cannot read folder: Permission denied" in err


def test_snippet_of_a_long_line_is_cut_around_the_finding(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang\nRUN echo " + "x" * 5000 + " && go build ./... && echo " + "y" * 500 + "\n")
    status, out, _ = run(capsys, "--no-cache")
    assert status == 1
    source_line, caret_line = out.splitlines()[2:4]  # after the header and the empty gutter line
    assert len(source_line) < 200 and "go build ./..." in source_line
    # the carets sit under `go build ./...` exactly
    start = caret_line.index("^")
    assert source_line[start:start + caret_line.count("^")] == "go build ./..."
