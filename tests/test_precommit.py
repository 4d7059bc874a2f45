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
