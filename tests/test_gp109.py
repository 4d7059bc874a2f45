"""GP109 go-variable-from-undeclared: which references are undefined where they are expanded (§26)."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(capsys, *args):
    main(["--no-cache", "--format", "json", "--select", "GP109", *args, "."])
    return json.loads(capsys.readouterr().out)


def lines(capsys):
    return [d["line"] for d in findings(capsys)]


@pytest.mark.parametrize("body", [
    "ENV GOPROXY=${PROXY}",
    "ENV GOPROXY=$PROXY",
    "ARG GOPROXY=$PROXY",
    "ENV GOFLAGS=\"-mod=mod $EXTRA\"",
    "RUN GOPRIVATE=$PRIVATE go mod download",
    "RUN export GONOSUMDB=\"$PRIVATE\" && go mod download",
    "RUN PRIVATE=x go version; GOPRIVATE=$OTHER go mod download",
    "RUN GOTOOLCHAIN=$TC go build ./...",
])
def test_fires_on_an_undefined_reference(repo, capsys, body):
    (repo / "Dockerfile").write_text(f"FROM golang:1.22\n{body}\nRUN go build ./...\n")
    assert lines(capsys) == [2]


@pytest.mark.parametrize("body", [
    "ARG PROXY\nENV GOPROXY=${PROXY}",  # declared without a value: a build arg may fill it
    "ENV PROXY=https://p.example\nENV GOPROXY=${PROXY}",
    "ENV GOPROXY=${PROXY:-https://proxy.golang.org,direct}",  # says what unset gives
    "ENV GOPROXY=${PROXY-direct}",
    "ENV GOPROXY=$HTTP_PROXY",  # a predefined arg
    "ENV GOPROXY=$https_proxy",  # compared without regard to case
    "ENV GOFLAGS=-modcacherw GOPATH=$GOPATH",  # not a Go variable we judge, and set by the image
    "ENV GOTOOLCHAIN=$GOTOOLCHAIN",  # the golang image sets it
    "RUN PRIVATE=corp.example && GOPRIVATE=$PRIVATE go mod download",
    "RUN export PRIVATE=corp.example; GOPRIVATE=$PRIVATE go mod download",
    "RUN P=corp.example GOPRIVATE=$P go mod download",  # prefixes assign left to right (§26.3)
    "RUN . ./ci/env.sh && GOPRIVATE=$PRIVATE go mod download",  # sourced: anything may be defined
    "RUN for P in a b; do GOPRIVATE=$P go mod download; done",
    "RUN --mount=type=secret,id=p,env=PRIVATE GOPRIVATE=$PRIVATE go mod download",
    "RUN GOPRIVATE='$PRIVATE' go mod download",  # single quotes: no expansion
    "ENV GOPROXY=\\$PROXY",  # escaped
    "RUN GOFLAGS=\"-ldflags=-X=main.home=$HOME\" go build ./...",  # the shell's own
])
def test_silent_when_defined_or_not_a_plain_reference(repo, capsys, body):
    (repo / "Dockerfile").write_text(f"FROM golang:1.22\n{body}\nRUN go build ./...\n")
    assert lines(capsys) == []


def test_a_parent_stage_declares_it(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22 AS base\nARG PROXY\n"
                                     "FROM base AS build\nENV GOPROXY=$PROXY\nRUN go build\n")
    assert lines(capsys) == []


def test_a_stage_rooted_at_golang_through_another_stage_is_judged(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22 AS base\n"
                                     "FROM base AS build\nENV GOPROXY=$PROXY\nRUN go build\n")
    assert lines(capsys) == [3]


@pytest.mark.parametrize("image", ["registry.corp.example/go-builder:1.22", "alpine:3.20", "${IMAGE}",
                                   "${REGISTRY}/golang:1.22"])
def test_an_image_whose_env_is_unknown_is_not_judged(repo, capsys, image):
    (repo / "Dockerfile").write_text(f"ARG IMAGE\nFROM {image}\nENV GOPROXY=$PROXY\nRUN go build\n")
    assert lines(capsys) == []


def test_a_declaration_after_the_use_does_not_count(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nENV GOPROXY=$PROXY\nARG PROXY\nRUN go build\n")
    assert lines(capsys) == [2]


def test_base_image_env_configuration_counts_as_defined(repo, capsys):
    (repo / "gplint.toml").write_text('[base-image-env]\n"golang" = ["GOPRIVATE"]\n')
    (repo / "Dockerfile").write_text("FROM golang:1.22\nENV GONOSUMDB=$GOPRIVATE\nRUN go build\n")
    assert lines(capsys) == []


def test_the_message_says_what_go_sees_and_names_no_value(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nENV GOPROXY=https://$HOST/mod\nRUN go build\n")
    [finding] = findings(capsys)
    assert "`https:///mod`" in finding["message"]
    (repo / "Dockerfile").write_text("FROM golang:1.22\nENV GOPROXY=$HOST\nRUN go build\n")
    [finding] = findings(capsys)
    assert "empty value" in finding["message"] and "proxy.golang.org" in finding["message"]


def test_fix_declares_the_arg_and_is_idempotent(repo, capsys):
    text = "ARG CORP=https://goproxy.corp.example\nfrom golang:1.22\nenv GOPROXY=$CORP\nrun GOFLAGS=$F go build\n"
    (repo / "Dockerfile").write_text(text)
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP109", "."])
    fixed = (repo / "Dockerfile").read_text()
    assert fixed == ("ARG CORP=https://goproxy.corp.example\nfrom golang:1.22\narg CORP\nenv GOPROXY=$CORP\n"
                     "arg F\nrun GOFLAGS=$F go build\n")
    capsys.readouterr()
    assert lines(capsys) == []
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP109", "."])
    assert (repo / "Dockerfile").read_text() == fixed


def test_no_fix_when_the_global_default_is_a_value_a_rule_reports(repo, capsys):
    (repo / "Dockerfile").write_text("ARG CORP=DIRECT\nFROM golang:1.22\nENV GOPROXY=$CORP\nRUN go build\n")
    [finding] = findings(capsys)
    assert finding["fix"] is None and "GP203" in finding["message"]


def test_the_value_shown_keeps_a_password_masked(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nENV GOPROXY=https://ci:hunter2@$HOST/mod\nRUN go build\n")
    [finding] = findings(capsys)
    assert "hunter2" not in json.dumps(finding) and "https://ci:****@/mod" in finding["message"]


def test_a_golang_image_with_an_unknown_tag_is_still_golang(repo, capsys):
    (repo / "Dockerfile").write_text("ARG GO_VERSION\nFROM golang:${GO_VERSION}-alpine\nENV GOPROXY=$PROXY\n"
                                     "RUN go build\n")
    assert lines(capsys) == [3]
