"""GP108 goproxy-in-shell-profile: which shells read which start-up files (§25)."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def findings(capsys, select="GP108"):
    main(["--no-cache", "--format", "json", "--select", select, "."])
    return json.loads(capsys.readouterr().out)


def dockerfile(repo, *lines):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\n" + "\n".join(lines) + "\n")


@pytest.mark.parametrize("write", [
    "RUN echo 'export GOPRIVATE=corp.example' >> /etc/profile",
    "RUN echo \"export GOPRIVATE=corp.example\" > /etc/profile.d/go.sh",
    "RUN echo GOPRIVATE=corp.example >> ~/.bashrc",
    "RUN echo 'export GOPRIVATE=corp.example' >> $HOME/.profile",
    "RUN echo 'export GOPRIVATE=corp.example' >> /root/.bash_profile",
    "RUN printf 'export GOPRIVATE=corp.example\\n' >> /etc/bash.bashrc",
    "RUN echo 'GOPRIVATE=corp.example' >> /etc/environment",
    "RUN echo 'export GOPRIVATE=corp.example' | tee -a /etc/profile.d/go.sh",
    "RUN echo 'export GOPRIVATE=corp.example' | sudo tee -a /etc/profile.d/go.sh > /dev/null",
    "RUN sudo sh -c \"echo 'export GOPRIVATE=corp.example' >> /etc/profile\"",
    "RUN cat >> /etc/profile.d/go.sh <<EOF\nexport GOPRIVATE=corp.example\nEOF",
])
def test_a_write_no_later_shell_reads(repo, capsys, write):
    dockerfile(repo, write, "RUN go build ./...")
    [finding] = findings(capsys)
    assert finding["line"] == 3 and "GOPRIVATE" in finding["message"]


def test_the_same_run_does_not_reread_it(repo, capsys):
    dockerfile(repo, "RUN echo 'export GOPRIVATE=corp.example' >> /etc/profile && go build ./...")
    assert len(findings(capsys)) == 1


@pytest.mark.parametrize("lines", [
    ("RUN echo 'export GOPRIVATE=c.example' >> /etc/profile && . /etc/profile && go build ./...",),
    ("RUN echo 'export GOPRIVATE=c.example' > /etc/profile.d/go.sh", "RUN . /etc/profile.d/go.sh && go build"),
    ("RUN echo 'export GOPRIVATE=c.example' > /etc/profile.d/go.sh", "RUN bash -lc 'go build ./...'"),
    ("RUN echo 'export GOPRIVATE=c.example' >> ~/.bashrc", "RUN bash -ic 'go build ./...'"),
    ("SHELL [\"/bin/bash\", \"-lc\"]", "RUN echo 'export GOPRIVATE=c.example' > /etc/profile.d/go.sh",
     "RUN go build ./..."),
    ("RUN echo 'export GOPRIVATE=c.example' > /etc/profile.d/go.sh", "RUN [\"bash\", \"--login\", \"-c\", \"go build\"]"),
    ("RUN echo 'GOPRIVATE=c.example' >> /etc/environment", "RUN su - root -c 'go build ./...'"),
    ("ENV BASH_ENV=/etc/profile.d/go.sh", "RUN echo 'export GOPRIVATE=c.example' > /etc/profile.d/go.sh",
     "RUN go build ./..."),
    ("ENV GOPRIVATE=c.example", "RUN echo 'export GOPRIVATE=c.example' >> /etc/profile", "RUN go build"),
    ("RUN echo 'export GOPRIVATE=c.example' >> /etc/profile", "RUN go env GOPRIVATE"),
    ("RUN echo 'export PATH=/usr/local/go/bin:$PATH' >> /etc/profile", "RUN go build"),
    ("RUN echo 'export GO111MODULE=on' >> /etc/profile", "RUN go build"),  # go's default: nothing is lost
    ("RUN echo 'export GOPRIVATE=c.example' >> /tmp/notes", "RUN go build"),
])
def test_silent_when_the_go_command_sees_it_or_nothing_needs_it(repo, capsys, lines):
    dockerfile(repo, *lines)
    assert findings(capsys) == []


def test_a_login_shell_still_does_not_read_etc_environment(repo, capsys):
    dockerfile(repo, "RUN echo 'GOPRIVATE=c.example' >> /etc/environment", "RUN bash -lc 'go build ./...'")
    [finding] = findings(capsys)
    assert "pam_env" in finding["message"]


def test_a_later_non_login_shell_instruction_turns_it_off(repo, capsys):
    dockerfile(repo, "SHELL [\"/bin/bash\", \"-lc\"]", "SHELL [\"/bin/bash\", \"-c\"]",
               "RUN echo 'export GOPRIVATE=c.example' > /etc/profile.d/go.sh", "RUN go build ./...")
    assert len(findings(capsys)) == 1


def test_a_derived_stage_is_reported_once(repo, capsys):
    (repo / "Dockerfile").write_text(
        "FROM golang:1.22 AS base\nARG GOPROXY\nRUN echo 'export GOPRIVATE=c.example' >> /etc/profile\n"
        "FROM base AS a\nRUN go build ./a\nFROM base AS b\nRUN go build ./b\n")
    assert [f["line"] for f in findings(capsys)] == [3]


def test_gp101_defers_to_gp108_for_goproxy(repo, capsys):
    (repo / "Dockerfile").write_text(
        "FROM golang:1.22\nRUN echo 'export GOPROXY=https://goproxy.corp.example' >> /etc/profile\nRUN go build\n")
    assert sorted(f["code"] for f in findings(capsys, "GP101,GP108")) == ["GP108"]


def test_fix_sets_env_before_the_run_and_is_idempotent(repo, capsys):
    dockerfile(repo, "RUN echo 'export GOPRIVATE=corp.example' >> /etc/profile && go build ./...")
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP108", "."])
    fixed = (repo / "Dockerfile").read_text()
    assert fixed == ("FROM golang:1.22\nARG GOPROXY\nENV GOPRIVATE=corp.example\n"
                     "RUN echo 'export GOPRIVATE=corp.example' >> /etc/profile && go build ./...\n")
    capsys.readouterr()
    assert findings(capsys) == []
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP108", "."])
    assert (repo / "Dockerfile").read_text() == fixed


@pytest.mark.parametrize("value", ["$CORP_PROXY", "*"])
def test_no_fix_for_a_reference_or_a_reported_value(repo, capsys, value):
    dockerfile(repo, f"RUN echo \"export GONOSUMDB={value}\" >> /etc/profile", "RUN go build")
    [finding] = findings(capsys)
    assert finding["fix"] is None


def test_github_steps_run_non_login_bash(repo, capsys):
    wf = repo / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
                  "      - run: echo 'export GOFLAGS=-mod=mod' >> ~/.profile\n      - run: go build ./...\n")
    [finding] = findings(capsys)
    assert finding["path"].endswith("ci.yml") and finding["fix"] is None and "env:" in finding["message"]
    wf.write_text(wf.read_text() + "    defaults:\n      run:\n        shell: bash -l {0}\n")
    assert findings(capsys) == []


def test_gitlab_script_lines_share_one_shell(repo, capsys):
    (repo / ".gitlab-ci.yml").write_text(
        "b:\n  image: golang:1.22\n  script:\n    - echo 'export GOFLAGS=-mod=mod' >> ~/.bashrc\n"
        "    - go build ./...\n")
    [finding] = findings(capsys)
    assert "one shell" in finding["message"]
    (repo / ".gitlab-ci.yml").write_text(
        "b:\n  image: golang:1.22\n  script:\n    - echo 'export GOFLAGS=-mod=mod' >> ~/.bashrc\n"
        "    - source ~/.bashrc\n    - go build ./...\n")
    assert findings(capsys) == []
