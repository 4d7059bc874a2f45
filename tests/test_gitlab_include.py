"""A GitLab file included by .gitlab-ci.yml, under any name, is linted in the context of the
pipeline that includes it: `gplint ci/go.yml` reports the findings in ci/go.yml."""
from __future__ import annotations

import pytest

from gplint.cli import main

DOCKERFILE = "FROM golang:1.22\nARG GOPROXY\nRUN go mod download\n"
ROOT = "variables:\n  GOPROXY: https://proxy.corp.example\ninclude:\n  - local: ci/go.yml\n"
GO_YML = "include: ci/more.yml\nimage-build:\n  script:\n    - docker build -t app .\n"
MORE_YML = "other:\n  variables:\n    GOFLAGS: -insecure\n  script:\n    - go build ./...\n"


def run(capsys, *args):
    status = main(["--no-cache", "--no-color", *args])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ci").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    (tmp_path / ".gitlab-ci.yml").write_text(ROOT)
    (tmp_path / "ci" / "go.yml").write_text(GO_YML)
    (tmp_path / "ci" / "more.yml").write_text(MORE_YML)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _codes(out: str) -> list[tuple[str, str]]:
    return [(line.split(":")[0], line.split()[1]) for line in out.splitlines() if ": GP" in line]


def test_an_included_file_is_linted_in_its_pipeline(repo, capsys):
    status, out, err = run(capsys, "-q", "ci/go.yml")
    # GP104 needs the root's GOPROXY variable: linted alone, the job has no GOPROXY in scope
    assert (status, _codes(out)) == (1, [("ci/go.yml", "GP104")]), out + err
    alone = run(capsys, "-q", "--kind", "gitlab", "ci/go.yml")
    assert "GP104" not in alone[1]


def test_a_nested_include_reports_only_its_own_findings(repo, capsys):
    status, out, _ = run(capsys, "-q", "ci/more.yml")
    assert (status, _codes(out)) == (1, [("ci/more.yml", "GP301")])


def test_pipeline_and_include_together_report_each_finding_once(repo, capsys):
    status, out, _ = run(capsys, "-q", ".gitlab-ci.yml", "ci/go.yml", "ci/more.yml")
    assert status == 1
    assert sorted(_codes(out)) == [("ci/go.yml", "GP104"), ("ci/more.yml", "GP301")]


def test_a_folder_of_includes_is_linted_without_its_pipeline(repo, capsys):
    status, out, _ = run(capsys, "-q", "ci")
    assert sorted(_codes(out)) == [("ci/go.yml", "GP104"), ("ci/more.yml", "GP301")]
    status, out, _ = run(capsys, "-q", ".")  # the pipeline covers them: each once
    assert sorted(_codes(out)) == [("ci/go.yml", "GP104"), ("ci/more.yml", "GP301")]


def test_fix_through_the_include_edits_only_the_named_file(repo, capsys):
    status, _, _ = run(capsys, "-q", "--fix", "ci/go.yml")
    assert status == 0
    assert (repo / "ci" / "go.yml").read_text() == GO_YML.replace("docker build -t app .",
                                                                 "docker build -t app --build-arg GOPROXY .")
    assert (repo / ".gitlab-ci.yml").read_text() == ROOT
    assert (repo / "ci" / "more.yml").read_text() == MORE_YML


def test_an_included_file_that_is_not_yaml_is_reported_in_that_file(repo, capsys):
    (repo / "ci" / "more.yml").write_text("other: [unclosed\n")
    status, out, _ = run(capsys, "-q", "ci/more.yml")
    assert status == 2
    assert out.startswith("ci/more.yml:") and "GP001" in out


def test_yaml_that_nothing_includes_is_skipped(repo, capsys):
    (repo / "ci" / "unused.yml").write_text(MORE_YML)
    status, out, err = run(capsys, "ci/unused.yml")
    assert (status, out.count("GP")) == (0, 0)
    assert "ci/unused.yml: not linted" in err
    (repo / ".gitlab-ci.yml").unlink()
    status, out, err = run(capsys, "-q", "ci/go.yml")
    assert status == 0 and "ci/go.yml" not in err  # skipped without a note under --quiet
    assert "GP" not in out
