"""Findings from reviewing the rule docs against docs/semantics.md, each pinned by a test."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def codes(capsys, *args):
    main(["--no-cache", "--format", "json", *args])
    return sorted(d["code"] for d in json.loads(capsys.readouterr().out))


def write(root, name, text):
    path = root / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def test_goenv_off_is_gp201_not_gp106(repo, capsys):
    write(repo, "Dockerfile", "FROM golang\nARG GOPROXY\nRUN go env -w GOPRIVATE=example.com/p\nENV GOENV=off\nRUN go build\n")
    assert codes(capsys) == ["GP201"]


def test_loopback_is_fine_when_every_ci_build_uses_the_host_network(repo, capsys):
    write(repo, "Dockerfile", "FROM golang\nENV GOPROXY=http://localhost:3000\nRUN go mod download\n")
    assert codes(capsys) == ["GP107"]
    write(repo, ".github/workflows/ci.yml", "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
                                           "      - run: docker build --network host .\n")
    assert codes(capsys) == []


def test_empty_go_env_w_fix_only_when_alone(repo, capsys):
    write(repo, "Dockerfile", "FROM golang\nARG GOPROXY\nRUN go env -w GOPROXY= GOFLAGS=-mod=mod\n")
    main(["--no-cache", "--fix"])
    capsys.readouterr()
    assert "GOFLAGS=-mod=mod" in (repo / "Dockerfile").read_text()
    assert "go env -u" not in (repo / "Dockerfile").read_text()


@pytest.mark.parametrize("value", ["file://localhost/srv/goproxy", "file:///srv/goproxy?x=1"])
def test_file_urls_with_more_than_a_path_are_invalid(repo, capsys, value):
    write(repo, "Dockerfile", f"FROM golang\nENV GOPROXY={value}\nRUN go mod download\n")
    assert codes(capsys) == ["GP203"]


def test_go111module_written_by_go_env_w(repo, capsys):
    write(repo, "Dockerfile", "FROM golang\nARG GOPROXY\nRUN go env -w GO111MODULE=off\nRUN go build\n")
    assert codes(capsys) == ["GP202"]


def test_goprivate_catch_all_with_gonosumdb_keeps_checksums(repo, capsys):
    write(repo, "Dockerfile", "FROM golang\nARG GOPROXY\nENV GOPRIVATE=* GONOSUMDB=example.com/private\nRUN go build\n")
    assert codes(capsys) == []


def test_goenv_off_with_a_valueless_arg(repo, capsys):
    write(repo, "Dockerfile", "FROM golang\nENV GOENV=off\nARG GOPROXY\nRUN go env -w GOPROXY=https://p\nRUN go build\n")
    assert codes(capsys) == ["GP201"]


def test_container_job_loopback_has_no_host_docker_internal_fix(repo, capsys):
    write(repo, ".github/workflows/ci.yml", "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: golang\n"
                                           "    env:\n      GOPROXY: http://localhost:3000\n    steps:\n"
                                           "      - run: go test ./...\n")
    main(["--no-cache", "--format", "json"])
    (diag,) = json.loads(capsys.readouterr().out)
    assert diag["code"] == "GP107" and diag["fix"] is None


def test_private_modules_policy_in_a_gitlab_job(repo, capsys):
    write(repo, "gplint.toml", 'private-modules = ["gitlab.corp.example/*"]\n')
    write(repo, ".gitlab-ci.yml", "variables:\n  GONOSUMDB: gitlab.corp.example\ntest:\n  image: golang\n"
                                  "  script:\n    - go test ./...\n")
    assert codes(capsys) == ["GP304"]  # GONOSUMDB alone: the proxy is still asked for them
    write(repo, ".gitlab-ci.yml", "variables:\n  GOPRIVATE: gitlab.corp.example\ntest:\n  image: golang\n"
                                  "  script:\n    - go test ./...\n")
    assert codes(capsys) == []


def test_go501_follows_the_lineage_to_the_golang_image(repo, capsys):
    write(repo, "go.mod", "module m\n\ngo 1.22\n")
    write(repo, "Dockerfile", "ARG GO_VERSION=1.21\nFROM golang:${GO_VERSION}-alpine AS Base\n"
                              "FROM base AS build\nARG GOPROXY\nRUN go mod download\n")
    assert codes(capsys) == ["GP501"]


def test_fix_and_suppression_of_a_value_in_an_included_gitlab_file(repo, capsys):
    write(repo, ".gitlab-ci.yml", "include: ci/t.yml\njob:\n  extends: .t\n  script:\n    - go build ./...\n")
    template = ".t:\n  variables:\n    GOFLAGS: -mod=mod\n    GO111MODULE: \"off\"\n"
    write(repo, "ci/t.yml", template)
    assert codes(capsys) == ["GP202"]
    root = (repo / ".gitlab-ci.yml").read_text()
    main(["--no-cache", "--fix", "--unsafe-fixes"])
    capsys.readouterr()
    assert (repo / ".gitlab-ci.yml").read_text() == root  # an edit never lands in the wrong file
    write(repo, "ci/t.yml", template.replace("    GO111MODULE", "    # gplint: ignore[GP202]\n    GO111MODULE"))
    assert codes(capsys) == []


# -- found by the atheris fuzzer (fuzz/FINDINGS.md) ----------------------------------------------
def test_fix_relint_keeps_the_configured_policy(repo, capsys):
    """--fix re-lints with the configuration's options too: GP304 appears only once GP202's fix
    turned module mode back on, and must be fixed in the same run."""
    write(repo, "gplint.toml", 'private-modules = ["corp.example/*"]\n')
    write(repo, "Dockerfile", "FROM golang:1.22\nRUN GO111MODULE=off go build ./...\n")
    main(["--no-cache", "--fix", "--unsafe-fixes", "--quiet"])
    capsys.readouterr()
    fixed = (repo / "Dockerfile").read_text()
    assert "ENV GOPRIVATE=corp.example/*" in fixed and "GO111MODULE" not in fixed
    assert codes(capsys) == []
    main(["--no-cache", "--fix", "--unsafe-fixes", "--quiet"])
    assert (repo / "Dockerfile").read_text() == fixed


@pytest.mark.parametrize("setting", ["ENV GOPRIVATE=github.com/acme/*", "ENV GONOSUMDB=other.example"])
def test_gp304_offers_no_fix_that_a_later_setting_would_override(repo, capsys, setting):
    write(repo, "gplint.toml", 'private-modules = ["corp.example/*"]\n')
    original = f"FROM golang:1.22\nARG GOPROXY\n{setting}\nRUN go mod download\n"
    write(repo, "Dockerfile", original)
    assert codes(capsys) == ["GP304"]
    main(["--no-cache", "--fix", "--unsafe-fixes", "--quiet"])
    assert (repo / "Dockerfile").read_text() == original


def test_a_fix_that_does_not_remove_its_finding_is_applied_once():
    """The safety net: a finding that comes back after its fix (same rule, key and message) is
    not fixed again, so a faulty rule cannot insert the same line on every pass."""
    from gplint.diagnostic import Diagnostic, Edit, Fix
    from gplint.fix import fix_all
    from gplint.source import Source, Span

    def finding(text: str) -> Diagnostic:
        source = Source("Dockerfile", "/x/Dockerfile", "dockerfile", text)
        return Diagnostic("GP304", source, Span(0, 4), "m", Fix("unsafe", "insert", [Edit.insert(source, 0, "X\n")]),
                          key="stage:0:private-modules")

    passes = []

    def relint(texts):
        passes.append(dict(texts))
        return [finding(texts["/x/Dockerfile"])]

    outcome = fix_all([finding("FROM a\n")], True, relint, lambda path, text: None)
    assert outcome.texts == {"/x/Dockerfile": "X\nFROM a\n"} and len(passes) == 2


@pytest.mark.parametrize("extends", ["{a: b}", "\n    a: b"])
def test_gitlab_extends_written_as_a_mapping_is_not_an_internal_error(repo, capsys, extends):
    write(repo, ".gitlab-ci.yml", f"job:\n  extends: {extends}\n  script:\n    - go build ./...\n")
    main(["--no-cache", "--format", "json"])
    diags = json.loads(capsys.readouterr().out)
    assert not [d for d in diags if "internal error" in d["message"]]
