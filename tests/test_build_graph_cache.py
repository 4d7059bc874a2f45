"""The build graph in the result cache: a run that lints a Dockerfile learns how CI builds it
without lowering CI files whose builds it remembers, and forgets exactly what an edit changes."""
from __future__ import annotations

import glob
import json
import os

import pytest

import gplint.project
from gplint.cli import main
from gplint.formats.lowering import BUILD_SOURCE_KINDS

DOCKERFILE = "FROM golang:1.22\nARG GOPROXY\nCOPY go.mod ./\nRUN go mod download\n"
WORKFLOW = ("on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: docker build -f svc/Dockerfile {context}\n")
GITLAB = "include:\n  - local: ci/build.yml\n"
GITLAB_JOB = "build:\n  image: docker:27\n  script:\n    - docker build -f svc/Dockerfile {context}\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path / "cache"))
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / "svc").mkdir()
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (root / ".dockerignore").write_text("go.mod\n")  # wrong only for builds from the root
    (root / "svc" / "Dockerfile").write_text(DOCKERFILE)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW.format(context="svc"))
    monkeypatch.chdir(root)
    return root


@pytest.fixture
def lowered(monkeypatch):
    """The CI files lowered in a run (to learn their builds or to lint them)."""
    names: list[str] = []
    real = gplint.project.lower

    def spy(source, project=None):
        if source.kind in BUILD_SOURCE_KINDS:
            names.append(project.rel(source.abspath) if project is not None else source.path)
        return real(source, project)

    monkeypatch.setattr(gplint.project, "lower", spy)
    return names


def _run(capsys, *paths):
    status = main(["--format", "json", *(paths or ["svc/Dockerfile"])])
    return status, sorted((d["code"], d["path"]) for d in json.loads(capsys.readouterr().out))


def _cache_file(root):
    (found,) = glob.glob(os.path.join(str(root.parent / "cache"), "*", "results-*.json"))
    return found


def test_a_warm_run_lowers_no_ci_file_and_reports_the_same(repo, capsys, lowered):
    first = _run(capsys)
    assert lowered == [".github/workflows/ci.yml"]
    lowered.clear()
    assert _run(capsys) == first
    assert lowered == []
    (repo / "svc" / "Dockerfile").write_text(DOCKERFILE + "# edited\n")  # an edit the graph does not depend on
    (repo / "README.md").write_text("hello\n")
    assert _run(capsys) == first
    assert lowered == []


def test_an_edited_workflow_is_lowered_again_and_its_new_builds_count(repo, capsys, lowered):
    assert _run(capsys) == _run(capsys)
    assert ("GP401", ".dockerignore") not in _run(capsys)[1]  # built from svc/: the root ignore file is not read
    (repo / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW.format(context="."))
    lowered.clear()
    assert ("GP401", ".dockerignore") in _run(capsys)[1]
    assert lowered == [".github/workflows/ci.yml"]
    lowered.clear()
    assert ("GP401", ".dockerignore") in _run(capsys)[1]
    assert lowered == []


def test_a_new_or_removed_ci_file_changes_the_graph(repo, capsys, lowered):
    _run(capsys)
    (repo / ".github" / "workflows" / "root.yml").write_text(WORKFLOW.format(context="."))
    lowered.clear()
    assert ("GP401", ".dockerignore") in _run(capsys)[1]
    assert lowered == [".github/workflows/root.yml"]
    os.unlink(repo / ".github" / "workflows" / "root.yml")
    lowered.clear()
    assert ("GP401", ".dockerignore") not in _run(capsys)[1]
    assert lowered == []


def test_a_gitlab_pipeline_is_lowered_again_when_a_file_it_includes_changes(repo, capsys, lowered):
    os.unlink(repo / ".github" / "workflows" / "ci.yml")
    (repo / "ci").mkdir()
    (repo / ".gitlab-ci.yml").write_text(GITLAB)
    (repo / "ci" / "build.yml").write_text(GITLAB_JOB.format(context="svc"))
    assert ("GP401", ".dockerignore") not in _run(capsys)[1]
    lowered.clear()
    assert ("GP401", ".dockerignore") not in _run(capsys)[1]
    assert lowered == []
    (repo / "ci" / "build.yml").write_text(GITLAB_JOB.format(context="."))
    assert ("GP401", ".dockerignore") in _run(capsys)[1]
    assert ".gitlab-ci.yml" in lowered


@pytest.mark.parametrize("forged", [
    [["../../etc", "", False]], [["svc/Dockerfile", "/etc", False]], [["svc/Dockerfile", "svc", "yes"]],
    [["svc/Dockerfile"]], "not a list"])
def test_forged_builds_are_not_used(repo, capsys, lowered, forged):
    first = _run(capsys)
    path = _cache_file(repo)
    with open(path, encoding="ascii") as f:
        data = json.load(f)
    data["graph"][".github/workflows/ci.yml"][4] = forged
    with open(path, "w", encoding="ascii") as f:
        json.dump(data, f)
    lowered.clear()
    assert _run(capsys) == first
    assert lowered == [".github/workflows/ci.yml"]


def test_a_configuration_change_forgets_the_graph(repo, capsys, lowered):
    first = _run(capsys)
    lowered.clear()
    assert _run(capsys, "--ignore", "GP501", "svc/Dockerfile") == first
    assert lowered == [".github/workflows/ci.yml"]


def test_no_cache_lowers_every_time(repo, capsys, lowered):
    _run(capsys)
    lowered.clear()
    main(["--no-cache", "--format", "json", "svc/Dockerfile"])
    capsys.readouterr()
    assert lowered == [".github/workflows/ci.yml"]
