"""`[tool.gplint.base-image-env]`: images the organisation declares as setting Go variables count
as setting them (unknown value) from FROM on; GP101 names the setting where it could help."""
from __future__ import annotations

import json

import pytest

from gplint import baseimage
from gplint.cli import main

CORP = '[base-image-env]\n"registry.corp.example/*" = ["GOPROXY", "GOPRIVATE"]\n'


@pytest.mark.parametrize("reference,repository,normalised", [
    ("golang", "golang", "docker.io/library/golang"),
    ("golang:1.22", "golang", "docker.io/library/golang:1.22"),
    ("library/golang:1.22@sha256:ab", "library/golang", "docker.io/library/golang:1.22@sha256:ab"),
    ("docker.io/golang", "docker.io/golang", "docker.io/library/golang"),
    ("index.docker.io/library/golang", "index.docker.io/library/golang", "docker.io/library/golang"),
    ("corp/builder:1", "corp/builder", "docker.io/corp/builder:1"),
    ("registry.corp.example:5000/go-builder:1.23", "registry.corp.example:5000/go-builder",
     "registry.corp.example:5000/go-builder:1.23"),
    ("localhost/x@sha256:cd", "localhost/x", "localhost/x@sha256:cd"),
])
def test_reference_forms(reference, repository, normalised):
    assert baseimage.repository(reference) == repository
    assert baseimage.normalised(reference) == normalised


@pytest.mark.parametrize("reference,official", [
    ("golang:1.22", True), ("docker.io/library/alpine", True), ("library/debian:12", True),
    ("corp/golang", False), ("registry.corp.example/go-builder:1.23", False), ("ghcr.io/library/golang", False),
])
def test_official_images(reference, official):
    assert baseimage.is_official(reference) is official


TABLE = {
    "registry.corp.example/*": ["GOPROXY", "GOPRIVATE"],
    "ghcr.io/corp/go-builder": ["GONOSUMDB"],
    "ghcr.io/corp/pinned:1.23": ["GOFLAGS"],
    "golang": ["GOTOOLCHAIN"],
}


@pytest.mark.parametrize("reference,names", [
    ("registry.corp.example/go-builder:1.23", ["GOPROXY", "GOPRIVATE"]),
    ("registry.corp.example/team/deep/image@sha256:ab", ["GOPROXY", "GOPRIVATE"]),
    ("registry.corp.example.evil.com/x", []),
    ("ghcr.io/corp/go-builder", ["GONOSUMDB"]),
    ("ghcr.io/corp/go-builder:1.23@sha256:ab", ["GONOSUMDB"]),
    ("ghcr.io/corp/go-builder-x:1", []),
    ("ghcr.io/corp/pinned:1.23", ["GOFLAGS"]),
    ("ghcr.io/corp/pinned:1.24", []),
    ("docker.io/library/golang:1.22", ["GOTOOLCHAIN"]),
    ("golang:1.22-alpine", ["GOTOOLCHAIN"]),
    ("corp/golang", []),
])
def test_matching(reference, names):
    assert baseimage.declared(reference, TABLE) == names


def _lint(tmp_path, monkeypatch, capsys, dockerfile, config=None, *extra, name="Dockerfile"):
    (tmp_path / ".git").mkdir(exist_ok=True)
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / name).write_text(dockerfile)
    if config is not None:
        (tmp_path / "gplint.toml").write_text(config)
    monkeypatch.chdir(tmp_path)
    status = main(["--no-cache", "--format", "json", *extra, "."])
    captured = capsys.readouterr()
    return status, json.loads(captured.out) if captured.out else [], captured.err


def _found(diags):
    return sorted((d["code"], d["line"]) for d in diags)


STAGES = """ARG BUILDER=registry.corp.example/go-builder:1.23
FROM ${BUILDER} AS build
RUN go mod download
FROM build AS test
RUN go test ./...
FROM golang:1.22 AS other
RUN go build ./...
"""


def test_declared_image_counts_as_setting_goproxy_from_from(tmp_path, monkeypatch, capsys):
    status, diags, _ = _lint(tmp_path, monkeypatch, capsys, STAGES)
    assert _found(diags) == [("GP101", 3), ("GP101", 7)]
    status, diags, _ = _lint(tmp_path, monkeypatch, capsys, STAGES, CORP)
    assert _found(diags) == [("GP101", 7)]  # the golang stage still has nothing


def test_an_arg_without_default_matches_nothing(tmp_path, monkeypatch, capsys):
    unknown = STAGES.replace("ARG BUILDER=registry.corp.example/go-builder:1.23", "ARG BUILDER")
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, unknown, CORP)
    assert _found(diags) == [("GP101", 3), ("GP101", 7)]


def test_gp101_hint_names_the_setting_for_unofficial_images_only(tmp_path, monkeypatch, capsys):
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, STAGES)
    by_line = {d["line"]: d["message"] for d in diags}
    assert "[tool.gplint.base-image-env]" in by_line[3]
    assert "registry.corp.example/go-builder:1.23" in by_line[3]
    assert "base-image-env" not in by_line[7]  # golang is an official image
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, "FROM golang:1.22 AS b\nFROM b\nRUN go build\n")
    assert len(diags) == 1 and "base-image-env" not in diags[0]["message"]  # root image: golang


def test_gp103_is_silent_when_the_base_image_sets_it(tmp_path, monkeypatch, capsys):
    text = ("FROM golang:1.22 AS tools\nENV GOPROXY=https://goproxy.corp.example\nRUN go install x@v1\n"
            "FROM registry.corp.example/go-builder:1.23\nRUN go build ./...\n")
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, None, "--select", "GP101,GP103")
    assert [d["code"] for d in diags] == ["GP103"]
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, CORP, "--select", "GP101,GP103")
    assert diags == []


PRIVATE = 'private-modules = ["github.com/corp/*"]\n'


def test_gp304_counts_declared_goprivate_as_covering(tmp_path, monkeypatch, capsys):
    text = "FROM registry.corp.example/go-builder:1.23\nARG GOPROXY\nRUN go mod download\n"
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, PRIVATE, "--select", "GP304")
    assert [d["code"] for d in diags] == ["GP304"]
    assert "base-image-env" in diags[0]["message"]
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, PRIVATE + CORP, "--select", "GP304")
    assert diags == []
    only_noproxy = PRIVATE + '[base-image-env]\n"registry.corp.example/*" = ["GONOPROXY"]\n'
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, only_noproxy, "--select", "GP304")
    assert [d["code"] for d in diags] == ["GP304"]  # the checksum database still learns the paths
    both = PRIVATE + '[base-image-env]\n"registry.corp.example/*" = ["GONOPROXY", "GONOSUMDB"]\n'
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, both, "--select", "GP304")
    assert diags == []


def test_a_stage_setting_after_from_still_decides(tmp_path, monkeypatch, capsys):
    # the Dockerfile's own ENV replaces what the image set: GP304 judges the written value
    text = ("FROM registry.corp.example/go-builder:1.23\nARG GOPROXY\nENV GOPRIVATE=github.com/other/*\n"
            "RUN go mod download\n")
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, text, PRIVATE + CORP, "--select", "GP304")
    assert [d["code"] for d in diags] == ["GP304"]


GITLAB = """build:
  image: registry.corp.example/go-builder:1.23
  script:
    - go build ./...
"""


def test_ci_jobs_in_a_declared_image(tmp_path, monkeypatch, capsys):
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, GITLAB, PRIVATE, "--select", "GP304", name=".gitlab-ci.yml")
    assert [d["code"] for d in diags] == ["GP304"]
    assert "base-image-env" not in diags[0]["message"]  # the hint is for Dockerfile stages
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, GITLAB, PRIVATE + CORP, "--select", "GP304",
                        name=".gitlab-ci.yml")
    assert diags == []
    overridden = GITLAB.replace("  script:", "  variables:\n    GOPRIVATE: github.com/other/*\n  script:")
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, overridden, PRIVATE + CORP, "--select", "GP304",
                        name=".gitlab-ci.yml")
    assert [d["code"] for d in diags] == ["GP304"]  # the job's variables win over the image's ENV


def test_pyproject_table_and_validation(tmp_path, monkeypatch, capsys):
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gplint.base-image-env]\n"registry.corp.example/*" = ["GOPROXY"]\n')
    status, diags, _ = _lint(tmp_path, monkeypatch, capsys, STAGES)
    assert _found(diags) == [("GP101", 7)]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.gplint.base-image-env]\n"registry.corp.example/*" = ["GOPROXYY"]\n')
    status, diags, err = _lint(tmp_path, monkeypatch, capsys, STAGES)
    assert status == 2 and "GOPROXYY is not a Go variable" in err
    (tmp_path / "pyproject.toml").write_text('[tool.gplint.base-image-env]\n"x" = "GOPROXY"\n')
    status, _, err = _lint(tmp_path, monkeypatch, capsys, STAGES)
    assert status == 2 and "base-image-env" in err


def test_the_setting_changes_the_cache_key(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(STAGES)
    monkeypatch.chdir(tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache"), "--format", "json", "."]
    main(cache)
    assert len(json.loads(capsys.readouterr().out)) == 2
    (tmp_path / "gplint.toml").write_text(CORP)
    main(cache)
    assert len(json.loads(capsys.readouterr().out)) == 1


def test_github_job_container_in_a_declared_image(tmp_path, monkeypatch, capsys):
    workflow = ("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n"
                "    container: registry.corp.example/go-builder:1.23\n    steps:\n      - run: go build ./...\n")
    name = ".github/workflows/ci.yml"
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, workflow, PRIVATE, "--select", "GP304", name=name)
    assert [d["code"] for d in diags] == ["GP304"]
    _, diags, _ = _lint(tmp_path, monkeypatch, capsys, workflow, PRIVATE + CORP, "--select", "GP304", name=name)
    assert diags == []
