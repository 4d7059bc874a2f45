"""The result cache: a repeated run re-checks only what changed, and every input that can change
a file's findings invalidates its entry."""
from __future__ import annotations

import json
import os

import pytest

import gplint.runner
from gplint.cli import main

BAD = "FROM golang:1.22 AS build\nCOPY . .\nRUN go build ./...\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "api.Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def checked(monkeypatch):
    """Names of the files actually checked (not answered from the cache) in a run."""
    seen: list[str] = []
    real = gplint.runner.check_document

    def spy(doc, project, selected):
        seen.append(os.path.basename(doc.source.path))
        return real(doc, project, selected)

    monkeypatch.setattr(gplint.runner, "check_document", spy)
    return seen


def _run(capsys, *args):
    status = main(["--format", "json", *args])
    return status, sorted(d["code"] for d in json.loads(capsys.readouterr().out))


def test_second_run_reads_from_cache_with_the_same_result(repo, capsys, checked):
    first = _run(capsys)
    assert sorted(checked) == ["Dockerfile", "api.Dockerfile"]
    checked.clear()
    assert _run(capsys) == first == (1, ["GP101"])
    assert checked == []
    assert not (repo / ".gplint_cache").exists()  # nothing is written into the repository


def test_changed_file_is_checked_again(repo, capsys, checked):
    _run(capsys)
    checked.clear()
    (repo / "Dockerfile").write_text(BAD.replace("RUN", "ARG GOPROXY\nRUN"))
    assert _run(capsys) == (0, [])
    assert checked == ["Dockerfile"]


def test_configuration_change_invalidates(repo, capsys, checked):
    _run(capsys)
    checked.clear()
    assert _run(capsys, "--ignore", "GP101") == (0, [])
    assert sorted(checked) == ["Dockerfile", "api.Dockerfile"]


def test_cross_file_input_change_invalidates(repo, capsys, checked):
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / ".dockerignore").write_text("bin/\n")
    assert _run(capsys) == (1, ["GP101"])
    checked.clear()
    # a .dockerignore edit changes what the Dockerfile rules see: nothing may come from the cache
    (repo / ".dockerignore").write_text("go.mod\n")
    assert _run(capsys) == (1, ["GP101", "GP401"])
    assert "Dockerfile" in checked


def test_no_cache_flag_reads_and_writes_nothing(repo, capsys, checked):
    _run(capsys, "--no-cache")
    assert not (repo / "cache").exists()
    checked.clear()
    _run(capsys, "--no-cache")
    assert len(checked) == 2


def test_damaged_cache_is_ignored(repo, capsys):
    _run(capsys)
    for folder, _, names in os.walk(repo / "cache"):
        for name in names:
            if name.endswith(".json"):
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(b"garbage")
    assert _run(capsys) == (1, ["GP101"])


# -- GitLab files: their findings can lie in the files they include ---------------------------
GITLAB = "include:\n  - local: ci/go.yml\n\nbuild:\n  script:\n    - go build ./...\n"
INCLUDED_BAD = "variables:\n  GOSUMDB: \"off\"\n"


@pytest.fixture
def gitlab_repo(repo):
    (repo / "Dockerfile").unlink()
    (repo / "api.Dockerfile").unlink()
    (repo / "ci").mkdir()
    (repo / ".gitlab-ci.yml").write_text(GITLAB)
    (repo / "ci" / "go.yml").write_text(INCLUDED_BAD)
    return repo


def _run_paths(capsys, *args):
    status = main(["--format", "json", *args])
    return status, sorted((d["code"], d["path"]) for d in json.loads(capsys.readouterr().out))


def test_gitlab_file_is_cached_with_findings_in_its_include(gitlab_repo, capsys, checked):
    first = _run_paths(capsys)
    assert first == (1, [("GP301", "ci/go.yml")])
    assert checked == [".gitlab-ci.yml"]
    checked.clear()
    assert _run_paths(capsys) == first  # the finding in the included file comes back from the cache
    assert checked == []


def test_gitlab_include_change_invalidates(gitlab_repo, capsys, checked):
    _run_paths(capsys)
    checked.clear()
    (gitlab_repo / "ci" / "go.yml").write_text("variables:\n  GOFLAGS: -mod=mod\n")
    assert _run_paths(capsys) == (0, [])
    assert checked == [".gitlab-ci.yml"]


def test_gitlab_include_that_appears_later_invalidates(gitlab_repo, capsys, checked):
    (gitlab_repo / "ci" / "go.yml").unlink()
    assert _run_paths(capsys) == (0, [])
    checked.clear()
    (gitlab_repo / "ci" / "go.yml").write_text(INCLUDED_BAD)  # the include now exists
    assert _run_paths(capsys) == (1, [("GP301", "ci/go.yml")])
    assert checked == [".gitlab-ci.yml"]
