"""The pre-commit hook's `files:` filter passes exactly what gplint lints, and what gplint cannot
tell the kind of is skipped with a note, never an exit 2 that hides the other files' findings."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint import discover
from gplint.cli import main
from gplint.discover import hook_files_pattern, is_yaml, kind_of

REPO = Path(__file__).resolve().parent.parent
PATTERN = re.compile(hook_files_pattern())
BAD = "FROM golang:1.22 AS build\nRUN go mod download\n"


def handled(path: str) -> bool:
    """What gplint reads when pre-commit passes the path: a kind by name, or a YAML file (which
    gplint lints if it is a GitLab include and otherwise skips quietly)."""
    return kind_of(path) is not None or is_yaml(path)


def passes(path: str) -> bool:
    return PATTERN.search(path) is not None  # pre-commit matches `files:` with re.search


def test_hooks_yaml_holds_the_generated_pattern():
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text())
    assert [h["id"] for h in hooks] == ["gplint", "gplint-fix"]
    assert all(h["files"] == hook_files_pattern() for h in hooks)
    check = subprocess.run([sys.executable, str(REPO / "tools" / "hook_filter.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


def test_generator_rewrites_a_stale_filter():
    sys.path.insert(0, str(REPO / "tools"))
    try:
        import hook_filter
    finally:
        sys.path.pop(0)
    stale = "- id: x\n  files: (^|/)Dockerfile$\n  language: python\n"
    rendered = hook_filter.render(stale)
    assert yaml.safe_load(rendered)[0]["files"] == hook_files_pattern()
    assert rendered.endswith("  language: python\n")


NAMES = [
    "Dockerfile", "dockerfile", "DOCKERFILE", "Containerfile", "containerfile", "Dockerfile.prod",
    "Dockerfile-builder", "Dockerfile_multiarch", "Dockerfile.", "Dockerfile-", "Dockerfilex", "MyDockerfile",
    "Dockerfile.md", "Dockerfile.MD", "Dockerfile.j2", "Dockerfile.prod.j2", "Dockerfile.j2.bak", "Dockerfile.tmpl",
    "Dockerfile.sh", "Dockerfile.dockerignore", "Dockerfile.prod.dockerignore", "Dockerfile.yml", "dockerfile.yaml",
    "api.Dockerfile", "api.dockerfile", "x.Containerfile", "x.containerfile", "Dockerfile.Dockerfile",
    ".dockerignore", "app.dockerignore", ".DOCKERIGNORE", "x.dockerignore.bak", "dockerignore",
    ".gitlab-ci.yml", ".gitlab-ci.yaml", ".gitlab-ci.yml.bak", "ci.yml", "ci.YAML", "go.yml", "action.yml",
    "action.yaml", "x.yml.bak", "yml", "README.md", "main.go", "go.mod", "Makefile", "Dockerfile.md.txt",
    "docker-compose.yml", "Dockerfile.yml.prod", "Containerfile.j2",
    "docker-bake.hcl", "docker-bake.json", "docker-bake.override.hcl", "Docker-Bake.HCL", "docker-bake.hcl.bak",
    "my-docker-bake.hcl", "bake.hcl", "compose.yaml", "compose.override.yml",
    "GNUmakefile", "makefile", "MAKEFILE", "rules.mk", "x.MK", "Makefile.bak", "Makefile.mk.txt", "build.sh",
]
FOLDERS = ["", "docs/", ".github/workflows/", ".github/", "a/b/", "workflows/", "Dockerfile/", "x.yml/",
           "Dockerfile.d/"]
PATHS = [folder + name for folder in FOLDERS for name in NAMES] + [
    f"{base}{sep}x{suffix}" for base in discover.DOCKERFILE_NAMES for sep in discover.DOCKERFILE_SEPARATORS
    for suffix in discover.NOT_DOCKERFILE_SUFFIXES + ("", ".prod", ".MD")]


@pytest.mark.parametrize("path", PATHS)
def test_filter_agrees_with_discovery(path):
    assert passes(path) == handled(path)


@pytest.mark.parametrize("path,expected", [
    ("Dockerfile", True), ("build/Dockerfile.prod", True), ("docs/Dockerfile.md", False), ("Dockerfile.j2", False),
    ("ci/go.yml", True), ("README.md", False), ("api.Dockerfile", True), ("deploy/app.dockerignore", True),
    ("docker-bake.hcl", True), ("build/docker-bake.override.json", True), ("main.tf", False),
])
def test_filter_examples(path, expected):
    assert passes(path) is expected


_ALPHABET = st.sampled_from(["Dockerfile", "dockerfile", "Containerfile", ".", "-", "_", "/", "x", "md", "j2",
                             "yml", "yaml", "dockerignore", ".gitlab-ci", "action", ".github", "workflows", "D"])


@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, min_size=1, max_size=8).map("".join))
def test_filter_agrees_with_discovery_on_generated_paths(path):
    path = path.strip("/")
    if not path or "//" in path:
        return
    assert passes(path) == handled(path)


# -- what gplint does with the files it is handed -------------------------------------------------
def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_a_file_of_unknown_kind_is_skipped_with_a_warning_and_the_rest_is_linted(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "docs").mkdir()
    (repo / "docs" / "Dockerfile.md").write_text("# How we build\n")
    (repo / "Dockerfile.j2").write_text("FROM {{ image }}\n")
    for quiet in ((), ("--quiet",)):
        status, out, err = run(capsys, "--no-cache", *quiet, "Dockerfile", "docs/Dockerfile.md", "Dockerfile.j2")
        assert status == 1  # the Dockerfile's finding decides, not an input error
        assert "Dockerfile:2:5: GP101" in out
        assert "warning: docs/Dockerfile.md: not linted" in err and "--kind" in err
        assert "warning: Dockerfile.j2: not linted" in err


def test_a_file_named_alone_is_skipped_not_an_error(repo, capsys):
    (repo / "Dockerfile.j2").write_text("FROM {{ image }}\n")
    status, out, err = run(capsys, "--no-cache", "Dockerfile.j2")
    assert status == 0
    assert "GP001" not in out
    assert "Dockerfile.j2: not linted" in err


def test_forcing_a_kind_still_lints_and_fails_on_unusable_input(repo, capsys):
    (repo / "Dockerfile.j2").write_text(BAD)
    status, out, _ = run(capsys, "--no-cache", "--kind", "dockerfile", "Dockerfile.j2")
    assert status == 1 and "GP101" in out
    (repo / "notes.yml").write_text("a: [unclosed\n")
    status, out, _ = run(capsys, "--no-cache", "--kind", "gitlab", "notes.yml")
    assert status == 2 and "GP001" in out


def test_unrelated_yaml_is_skipped_quietly_under_quiet(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "mkdocs.yml").write_text("site_name: x\n")
    status, _, err = run(capsys, "--no-cache", "--quiet", "Dockerfile", "mkdocs.yml")
    assert status == 1 and err == ""
    status, _, err = run(capsys, "--no-cache", "mkdocs.yml")
    assert status == 0 and "note: mkdocs.yml: not linted" in err
