"""The real pre-commit client runs the hooks from this repository (`pre-commit try-repo`)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")
BAD = "FROM golang:1.22 AS build\nRUN go mod download\n"
FIXED = "FROM golang:1.22 AS build\nARG GOPROXY\nRUN go mod download\n"
WORKFLOW = """on: push
env:
  GOPROXY: https://goproxy.example.com
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t app .  # builds ./Dockerfile
"""

pytestmark = pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None,
                                reason="needs the pre-commit package and git")


def _git(cwd, *args):
    subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t", "GIT_COMMITTER_NAME": "t",
                        "GIT_COMMITTER_EMAIL": "t@t"})


def _try_repo(cwd, hook, home):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([PRE_COMMIT, "try-repo", str(REPO), hook, "--all-files"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_hooks_fail_fix_and_pass(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "Dockerfile").write_text(BAD)
    (work / ".github" / "workflows").mkdir(parents=True)
    (work / ".github" / "workflows" / "image.yml").write_text(WORKFLOW)
    (work / "README.md").write_text("not linted\n")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "init")
    home = tmp_path / "cache"

    lint = _try_repo(work, "gplint", home)
    assert lint.returncode == 1, lint.stdout + lint.stderr
    assert "GP101" in lint.stdout  # GP104 follows once the Dockerfile declares ARG GOPROXY

    fix = _try_repo(work, "gplint-fix", home)
    assert fix.returncode == 1, fix.stdout + fix.stderr  # files were modified: pre-commit fails the run
    assert (work / "Dockerfile").read_text() == FIXED
    assert (work / ".github" / "workflows" / "image.yml").read_text() == WORKFLOW.replace(
        "docker build -t app .", "docker build -t app --build-arg GOPROXY .")

    again = _try_repo(work, "gplint", home)
    assert again.returncode == 0, again.stdout + again.stderr


def _try_files(cwd, hook, home, *files):
    env = {**os.environ, "PRE_COMMIT_HOME": str(home), "NO_COLOR": "1"}
    return subprocess.run([PRE_COMMIT, "try-repo", str(REPO), hook, "--files", *files], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=600)


def test_hook_is_not_derailed_by_lookalikes_and_runs_for_gitlab_includes(tmp_path):
    """docs/Dockerfile.md and Dockerfile.j2 never reach gplint (the filter is discovery's own), any
    other YAML is skipped quietly, and a GitLab file included under any name is linted."""
    work = tmp_path / "work"
    (work / "docs").mkdir(parents=True)
    (work / "ci").mkdir()
    _git(work, "init", "-q")
    (work / "Dockerfile").write_text(BAD)
    (work / "docs" / "Dockerfile.md").write_text("# Building\n\n    FROM golang\n")
    (work / "Dockerfile.j2").write_text("FROM {{ base }}\nRUN go build\n")
    (work / "docker-compose.yml").write_text("services:\n  app:\n    build: .\n")
    (work / ".gitlab-ci.yml").write_text("include:\n  - local: ci/go.yml\n")
    (work / "ci" / "go.yml").write_text("build:\n  variables:\n    GOFLAGS: -insecure\n  script:\n    - go build\n")
    _git(work, "add", ".")
    _git(work, "commit", "-qm", "init")
    home = tmp_path / "cache"

    lint = _try_repo(work, "gplint", home)
    output = lint.stdout + lint.stderr
    assert lint.returncode == 1, output
    assert "Dockerfile:2:5: GP101" in output
    assert "ci/go.yml:3:14: GP301" in output
    assert "Dockerfile.md" not in output and "Dockerfile.j2" not in output and "docker-compose" not in output
    assert "GP001" not in output and "cannot tell" not in output

    only_include = _try_files(work, "gplint", home, "ci/go.yml")  # the hook runs when the include changes
    assert only_include.returncode == 1, only_include.stdout + only_include.stderr
    assert "ci/go.yml:3:14: GP301" in only_include.stdout

    unrelated = _try_files(work, "gplint", home, "docker-compose.yml", "docs/Dockerfile.md")
    assert unrelated.returncode == 0, unrelated.stdout + unrelated.stderr
    assert "docker-compose" not in unrelated.stdout
