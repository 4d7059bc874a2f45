"""GP305 module-credentials-in-layer: flows of ARG/ENV values into credential sinks (§27)."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(capsys):
    main(["--no-cache", "--format", "json", "--select", "GP305", "."])
    return json.loads(capsys.readouterr().out)


def dockerfile(repo, *lines):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize("lines", [
    ("ARG GH_PAT", "RUN git config --global url.\"https://${GH_PAT}@github.com/\".insteadOf \"https://github.com/\""),
    ("ARG GH_PAT", "RUN git config --global url.https://x:$GH_PAT@github.com/.insteadOf https://github.com/"),
    ("ARG CI_JOB", "RUN git config --global http.https://gitlab.corp/.extraheader \"JOB-TOKEN: $CI_JOB\""),
    ("ARG PW", "RUN echo \"machine github.com login ci password $PW\" > ~/.netrc"),
    ("ARG PW", "RUN printf 'machine github.com login ci password %s\\n' \"$PW\" >> /root/.netrc"),
    ("ARG PW", "RUN echo \"https://ci:${PW}@github.com\" > ~/.git-credentials"),
    ("ARG PW", "RUN cat > /root/.netrc <<EOF\nmachine github.com login ci password ${PW}\nEOF"),
    ("ARG PW", "RUN GOPROXY=https://ci:$PW@goproxy.corp.example go mod download"),
    ("ARG PW", "RUN export GOPROXY=https://ci:${PW}@goproxy.corp.example && go mod download"),
    ("ARG PW", "RUN go env -w GOPROXY=https://ci:${PW}@goproxy.corp.example"),
    ("ARG PW", "RUN git clone https://ci:${PW}@github.com/corp/private.git"),
    ("ARG PW", "ENV GOPROXY=https://ci:${PW}@goproxy.corp.example"),
    ("ENV PW=x", "RUN echo \"machine github.com login ci password $PW\" > ~/.netrc"),
    ("ARG CMD", "RUN GOAUTH=\"$CMD\" go mod download"),
    # removed in the same RUN, but the ARG's value is still in the history
    ("ARG PW", "RUN echo \"machine github.com password $PW\" > ~/.netrc && go mod download && rm ~/.netrc"),
])
def test_a_build_value_that_reaches_a_credential_sink(repo, capsys, lines):
    dockerfile(repo, *lines)
    [finding] = findings(capsys)
    assert finding["line"] in (4, 5)  # the RUN, or the heredoc line that carries the value
    assert "--mount=type=secret" in finding["message"] and finding["fix"] is None


@pytest.mark.parametrize("lines", [
    ("ARG TOKEN_URL", "RUN go mod download"),  # a name is not a flow
    ("ARG GH_PAT", "RUN git config --global url.\"https://x@github.com/\".insteadOf \"https://github.com/\""),
    ("RUN --mount=type=secret,id=netrc,target=/root/.netrc go mod download",),
    ("RUN --mount=type=ssh git config --global url.\"git@github.com:\".insteadOf \"https://github.com/\" "
     "&& go mod download",),
    ("RUN --mount=type=secret,id=t,env=T GOPROXY=https://ci:$T@goproxy.corp.example go mod download",),
    ("ARG T", "RUN --mount=type=secret,id=t,env=T GOPROXY=https://ci:$T@goproxy.corp.example go mod download"),
    ("RUN --mount=type=secret,id=t,env=T git config --global url.\"https://x:${T}@github.com/\".insteadOf "
     "\"https://github.com/\" && go mod download && git config --global --unset-all url.\"https://x:${T}@github.com/\""
     ".insteadOf",),
    ("RUN --mount=type=secret,id=t,env=T echo \"machine github.com password $T\" > ~/.netrc && go mod download "
     "&& rm -f ~/.netrc",),
    ("ARG PW", "RUN echo 'machine github.com password $PW' > ~/.netrc"),  # single quotes: the literal text
    ("ARG PW", "RUN echo \"$PW\" > /tmp/notes"),
    ("ARG HOST", "RUN git config --global url.\"https://$HOST/\".insteadOf \"https://github.com/\""),  # no userinfo
])
def test_silent_without_such_a_flow(repo, capsys, lines):
    dockerfile(repo, *lines)
    assert findings(capsys) == []


def test_a_secret_copied_into_a_file_that_stays(repo, capsys):
    dockerfile(repo, "RUN --mount=type=secret,id=t,env=T echo \"machine github.com password $T\" > ~/.netrc",
               "RUN go mod download")
    [finding] = findings(capsys)
    assert "stays in this image layer" in finding["message"]
    dockerfile(repo, "RUN --mount=type=secret,id=gh cp /run/secrets/gh ~/.netrc && go mod download")
    assert len(findings(capsys)) == 1
    dockerfile(repo, "RUN --mount=type=secret,id=gh cp /run/secrets/gh ~/.netrc && go mod download && rm ~/.netrc")
    assert findings(capsys) == []
    # a secret mounted at its own target: no `$` and no "secret" after the flags, still a flow
    dockerfile(repo, "RUN --mount=type=secret,id=n,target=/tmp/n cp /tmp/n /root/.netrc && go mod download")
    assert len(findings(capsys)) == 1
    dockerfile(repo, "RUN cp ./ci/netrc.example ~/.netrc")  # not a secret: nothing to say
    assert findings(capsys) == []


def test_an_arg_of_a_parent_stage_flows_too(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22 AS base\nARG GH_PAT\nFROM base\n"
                                     "RUN git config --global url.\"https://${GH_PAT}@github.com/\".insteadOf x\n")
    assert [f["line"] for f in findings(capsys)] == [4]


def test_the_message_never_shows_the_value(repo, capsys):
    dockerfile(repo, "ARG GH_PAT=ghp_0123456789abcdefghijklmnopqrstuvwxyz",
               "RUN git config --global url.\"https://${GH_PAT}@github.com/\".insteadOf \"https://github.com/\"")
    [finding] = findings(capsys)
    assert "ghp_" not in json.dumps(finding)
    assert "GH_PAT" in finding["message"]


def test_a_ci_build_passing_it_is_named(repo, capsys):
    dockerfile(repo, "ARG GH_PAT",
               "RUN git config --global url.\"https://${GH_PAT}@github.com/\".insteadOf \"https://github.com/\"")
    wf = repo / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n"
                  "      - run: docker build --build-arg GH_PAT=${{ secrets.GH_PAT }} .\n")
    found = findings(capsys)
    [finding] = [f for f in found if f["path"] == "Dockerfile"]
    assert "--build-arg" in finding["message"]
    [passed] = [f for f in found if f["path"].endswith("ci.yml")]
    assert passed["line"] == 7 and "--mount=type=secret,id=gh_pat,env=GH_PAT" in passed["message"]
    assert "secrets.GH_PAT" not in passed["message"]


def test_a_ci_build_arg_the_dockerfile_does_not_use_as_a_credential(repo, capsys):
    dockerfile(repo, "ARG GH_PAT", "RUN echo $GH_PAT > /tmp/version")
    wf = repo / ".gitlab-ci.yml"
    wf.write_text("b:\n  script:\n    - docker build --build-arg GH_PAT=$GH_PAT --build-arg GOPROXY .\n")
    assert findings(capsys) == []
    dockerfile(repo, "ARG GH_PAT", "RUN echo \"machine github.com password $GH_PAT\" > ~/.netrc")
    assert sorted(f["path"] for f in findings(capsys)) == [".gitlab-ci.yml", "Dockerfile"]
