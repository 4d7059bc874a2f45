"""Safe on a hostile repository (issue 16): nothing outside the repository root is read,
printed or written, whatever way a file is reached; special files never block; inputs that
expand (extends, !reference, includes, many stages) cost bounded work; Ctrl-C stops a parallel
--fix cleanly. Files outside hold SECRET: it must never appear in any output."""
from __future__ import annotations

import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from gplint.cli import main
from gplint.project import Project
from hangguard import hang_guard

SECRET = "SECRET-TOKEN-4242"
PASSWD = f"root:x:0:0:{SECRET}:/root:/bin/bash\n"
# fixable, so an old gplint would have rewritten it
OUTSIDE_DOCKERFILE = f"# {SECRET}\nFROM golang:1.22 AS build\nRUN go mod download\n"
OUTSIDE_CI = f'variables:\n  GOSUMDB: "off"\n  TOKEN: "{SECRET}"\nbuild:\n  script: [go build]\n'
GOOD_DOCKERFILE = "FROM golang:1.22 AS build\nARG GOPROXY\nRUN go mod download\n"
BAD_DOCKERFILE = "FROM golang:1.22 AS build\nRUN go mod download\n"
GPLINT = [sys.executable, "-m", "gplint", "--no-cache"]


@pytest.fixture
def world(tmp_path, monkeypatch):
    """tmp/outside (files the repository must not reach) and tmp/repo (the repository)."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text(PASSWD)
    (outside / "Dockerfile").write_text(OUTSIDE_DOCKERFILE)
    (outside / "secret.yml").write_text(OUTSIDE_CI)
    (outside / "go.mod").write_text(f"module {SECRET}\n")
    (outside / ".dockerignore").write_text(f"{SECRET}\n*\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    monkeypatch.chdir(repo)
    return repo, outside


def snapshot(folder: Path) -> dict:
    return {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.rglob("*") if p.is_file()}


def lint(capsys, *args) -> tuple[int, str, list]:
    """Status, everything printed (text report and stderr), and the JSON findings."""
    status = main(["--no-cache", *args])
    text = capsys.readouterr()
    main(["--no-cache", "--format", "json", *args])
    data = capsys.readouterr()
    return status, text.out + text.err + data.err, json.loads(data.out)


def fix(capsys, *args) -> str:
    main(["--no-cache", "--fix", "--unsafe-fixes", *args])
    out = capsys.readouterr()
    return out.out + out.err


# -- never outside the repository -----------------------------------------------------------------
@pytest.mark.parametrize("written", [
    "../outside/secret.yml",  # climbs out
    "/../../outside/secret.yml",  # climbs out from the root GitLab anchors at
    "ci/link.yml",  # a symlinked file that leads out
    "linkdir/secret.yml",  # through a symlinked folder that leads out
    "ci/*.yml",  # a wildcard that matches the symlinked file
])
def test_gitlab_include_outside_is_reported_never_read_nor_written(world, capsys, written):
    repo, outside = world
    (repo / "ci").mkdir()
    (repo / "ci" / "link.yml").symlink_to(outside / "secret.yml")
    (repo / "linkdir").symlink_to(outside)
    (repo / ".gitlab-ci.yml").write_text(f'include:\n  - local: "{written}"\nbuild:\n  script: [go build]\n')
    before = snapshot(outside)
    status, printed, diags = lint(capsys)
    assert status == 2
    assert SECRET not in printed and "GOSUMDB" not in printed
    found = [d for d in diags if d["code"] == "GP001"]
    assert found and all(d["path"] == ".gitlab-ci.yml" and d["line"] == 2 for d in found), diags
    assert all("unusable include" in d["message"] and "outside the repository" in d["message"] for d in found)
    assert SECRET not in fix(capsys)
    assert snapshot(outside) == before


def _route_walk(repo, outside):
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    return ["."]


def _route_explicit(repo, outside):
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    return ["Dockerfile"]


def _route_passwd(repo, outside):
    (repo / "Dockerfile").symlink_to(outside / "passwd")
    return ["."]


def _route_symlinked_folder(repo, outside):
    (repo / "linkdir").symlink_to(outside)
    return ["linkdir"]


def _route_file_in_symlinked_folder(repo, outside):
    (repo / "linkdir").symlink_to(outside)
    return ["linkdir/Dockerfile"]


def _route_nested_symlinked_folder(repo, outside):
    (repo / "svc").mkdir()
    (repo / "svc" / "up").symlink_to("../..")  # repo/svc/up -> the folder above the repository
    return ["svc/up/outside/Dockerfile"]


def _route_workflow(repo, outside):
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").symlink_to(outside / "secret.yml")
    return ["."]


def _route_gitlab(repo, outside):
    (repo / ".gitlab-ci.yml").symlink_to(outside / "secret.yml")
    return ["."]


def _route_dockerignore(repo, outside):
    (repo / "Dockerfile").write_text(GOOD_DOCKERFILE)
    (repo / ".dockerignore").symlink_to(outside / ".dockerignore")
    return ["."]


@pytest.mark.parametrize("route", [_route_walk, _route_explicit, _route_passwd, _route_symlinked_folder,
                                   _route_file_in_symlinked_folder, _route_nested_symlinked_folder,
                                   _route_workflow, _route_gitlab, _route_dockerignore],
                         ids=lambda f: f.__name__[7:])
def test_symlink_out_of_the_repository_is_not_read(world, capsys, route):
    repo, outside = world
    args = route(repo, outside)
    before = snapshot(outside)
    status, printed, diags = lint(capsys, *args)
    assert status == 2
    assert SECRET not in printed and "root:x" not in printed
    refusals = [d for d in diags if d["code"] == "GP001"]
    assert refusals and all("outside the repository; not read" in d["message"] for d in refusals), diags
    assert SECRET not in fix(capsys, *args)
    assert snapshot(outside) == before


@pytest.mark.parametrize("name", ["Dockerfile", ".gitlab-ci.yml", ".github/workflows/ci.yml"])
def test_nothing_is_read_from_the_git_folder(world, capsys, name):
    """CI checkouts keep credentials in .git/config: a symlink to it must not print a line."""
    repo, _ = world
    (repo / ".git" / "config").write_text(f"[core]\n\tbare = false\n[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    (repo / name).parent.mkdir(parents=True, exist_ok=True)
    (repo / name).symlink_to(repo / ".git" / "config")
    status, printed, diags = lint(capsys)
    assert status == 2 and SECRET not in printed and "[core]" not in printed
    assert [d["message"] for d in diags] == ["inside the .git folder; not read"]


def test_a_symlink_loop_is_a_clear_error(world, capsys):
    repo, _ = world
    (repo / "Dockerfile").symlink_to("Dockerfile.b")
    (repo / "Dockerfile.b").symlink_to("Dockerfile")
    status, printed, diags = lint(capsys, "Dockerfile")
    assert status == 2 and "Traceback" not in printed and diags[0]["message"].startswith("cannot read")


def test_cross_file_reads_stay_inside(world):
    """go.mod, .dockerignore, go.sum and Dockerfiles that a repository names (a CI `-f`, a COPY)
    are read only inside the root: not by `..`, not through a symlink, not through a folder."""
    repo, outside = world
    (repo / "go.mod").symlink_to(outside / "go.mod")
    (repo / "go.sum").symlink_to(outside / "go.mod")
    (repo / ".dockerignore").symlink_to(outside / ".dockerignore")
    (repo / "linkdir").symlink_to(outside)
    (repo / "inside.mod").write_text("module example.com/inside\n")
    (repo / "alias.mod").symlink_to("inside.mod")
    project = Project(str(repo))
    for rel, kind in [("go.mod", "gomod"), (".dockerignore", "dockerignore"), ("linkdir/go.mod", "gomod"),
                      ("../outside/Dockerfile", "dockerfile"), ("linkdir/Dockerfile", "dockerfile")]:
        assert project.source(rel, kind) is None, rel
        assert "outside the repository" in project.refused[rel].message
    assert not project.exists("go.sum")
    assert project.source("alias.mod", "gomod").text == "module example.com/inside\n"  # inside: followed


def test_symlinks_inside_the_repository_are_followed_and_written_through(world, capsys):
    repo, _ = world
    (repo / "build").mkdir()
    (repo / "build" / "Dockerfile").write_text(BAD_DOCKERFILE)
    (repo / "Dockerfile").symlink_to("build/Dockerfile")
    status, _, diags = lint(capsys, "Dockerfile")
    assert status == 1 and [d["code"] for d in diags] == ["GP101"]
    fix(capsys, "Dockerfile")
    assert (repo / "Dockerfile").is_symlink()
    assert (repo / "build" / "Dockerfile").read_text() == GOOD_DOCKERFILE


def test_explicit_path_in_another_repository_is_confined_to_that_one(world, tmp_path, capsys):
    """A path named on the command line outside the run's root belongs to its own repository:
    it is linted, but a symlink in it still may not leave that repository."""
    repo, outside = world
    other = tmp_path / "other"
    (other / ".git").mkdir(parents=True)
    (other / "Dockerfile").write_text(BAD_DOCKERFILE)
    (other / "Dockerfile.passwd").symlink_to(outside / "passwd")
    (repo / "Dockerfile").write_text(GOOD_DOCKERFILE)  # named first: the run's root is `repo`
    status, printed, diags = lint(capsys, "Dockerfile", str(other / "Dockerfile"), str(other / "Dockerfile.passwd"))
    assert status == 2 and SECRET not in printed
    assert sorted((d["code"], os.path.basename(d["path"])) for d in diags) == [
        ("GP001", "Dockerfile.passwd"), ("GP101", "Dockerfile")]


# -- what a file holds that is not text ------------------------------------------------------------
@pytest.mark.parametrize("data,message", [
    (f"FROM golang\nRUN echo {SECRET} \xe9\n".encode("latin-1"), "not valid UTF-8"),
    (b"FROM golang\n" + b"# " + b"a" * 9000 + b"\n" + SECRET.encode() + b"\x00\n", "binary file"),
])
def test_undecodable_files_echo_nothing(world, capsys, data, message):
    repo, _ = world
    (repo / "Dockerfile").write_bytes(data)
    status, printed, diags = lint(capsys)
    assert status == 2 and message in diags[0]["message"]
    assert SECRET not in printed and "FROM golang" not in printed


# -- no hang ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["Dockerfile", ".dockerignore", ".gitignore", "go.mod", ".github/workflows/ci.yml",
                                  ".gitlab-ci.yml", "ci/included.yml"])
def test_a_fifo_never_blocks(tmp_path, name):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(GOOD_DOCKERFILE)
    if name == "ci/included.yml":
        (tmp_path / ".gitlab-ci.yml").write_text("include: ci/included.yml\nb:\n  script: [go build]\n")
    (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
    if name == "Dockerfile":
        (tmp_path / name).unlink()
    os.mkfifo(tmp_path / name)
    # a hang guard, not a timing: a blocked open would wait forever
    result = subprocess.run(GPLINT + ["--format", "json", "."], cwd=tmp_path, capture_output=True, text=True,
                            timeout=120)
    assert "Traceback" not in result.stderr
    diags = json.loads(result.stdout)
    linted = name not in (".gitignore", "go.mod")  # auxiliary files are skipped silently
    fifo = [d for d in diags if "FIFO" in d["message"]]
    assert bool(fifo) == linted, diags
    assert result.returncode == (2 if linted else 0), result.stdout


def test_a_socket_is_not_read(tmp_path):
    (tmp_path / ".git").mkdir()
    server = socket.socket(socket.AF_UNIX)
    try:
        server.bind(str(tmp_path / "Dockerfile"))
        result = subprocess.run(GPLINT + ["--format", "json", "."], cwd=tmp_path, capture_output=True, text=True,
                                timeout=120)
    finally:
        server.close()
    assert result.returncode == 2 and "a socket, not a regular file" in result.stdout


def test_a_fifo_swapped_in_after_the_check_does_not_block(tmp_path, monkeypatch):
    """The stat check and the open race: the open itself must not block (O_NONBLOCK) and fstat
    must refuse what is not a regular file."""
    from gplint import confined

    fifo = tmp_path / "Dockerfile"
    os.mkfifo(fifo)
    monkeypatch.setattr(confined, "check", lambda path, root: path)  # as if it were a file at check time
    with hang_guard(20), pytest.raises(confined.Unreadable, match="FIFO"):
        confined.read_bytes(str(fifo), str(tmp_path))


# -- bounded work ---------------------------------------------------------------------------------
def _extends_fanout() -> str:
    lines = [".t0: {variables: {GOPROXY: direct}, script: [go build]}"]
    lines += [f".t{k}: {{extends: [{','.join([f'.t{k - 1}'] * 6)}]}}" for k in range(1, 12)]
    return "\n".join(lines + ["job: {extends: .t10}"]) + "\n"  # 11 levels, as GitLab allows


def _reference_fanout() -> str:
    lines = [".r0: {s: [go build]}"]
    lines += [f".r{k}: {{s: [{', '.join([f'!reference [.r{k - 1}, s]'] * 5)}]}}" for k in range(1, 11)]
    return "\n".join(lines + ["job: {script: [!reference [.r10, s]]}"]) + "\n"


def _lower_gitlab(tmp_path, text: str):
    from gplint.formats import glci
    from gplint.source import Source

    (tmp_path / ".gitlab-ci.yml").write_text(text)
    return glci.lower(Source(".gitlab-ci.yml", str(tmp_path / ".gitlab-ci.yml"), "gitlab", text), Project(str(tmp_path)))


def test_seeds_are_the_reproducers():
    seeds = Path(__file__).resolve().parent.parent / "fuzz" / "seeds"
    assert (seeds / "E-gitlab-extends-fanout").read_text() == "E" + _extends_fanout()
    assert (seeds / "E-gitlab-reference-fanout").read_text() == "E" + _reference_fanout()


def test_extends_fanout_resolves_each_template_once(tmp_path, monkeypatch):
    from gplint.formats import glci

    merges = []
    real = glci._deep_merge
    monkeypatch.setattr(glci, "_deep_merge", lambda *a: merges.append(1) or real(*a))
    doc = _lower_gitlab(tmp_path, _extends_fanout())
    assert [s.name for s in doc.scopes] == ["job"] and doc.scopes[0].initial["GOPROXY"].value == "direct"
    assert len(merges) < 200  # 12 templates x 6 parents; without memoising 6^10


def test_reference_fanout_stops_at_the_budget(tmp_path, monkeypatch):
    from gplint.formats import glci

    lowered = []
    real = glci.lower_script
    monkeypatch.setattr(glci, "lower_script", lambda *a: lowered.append(1) or real(*a))
    doc = _lower_gitlab(tmp_path, _reference_fanout())
    assert doc.scopes == []
    assert [p.message for p in doc.problems] == [
        f"configuration expands beyond {glci.MAX_EXPANSION} nodes (includes, extends, !reference and script "
        "lines, counted for every job); not analysed"]
    assert len(lowered) <= glci.MAX_EXPANSION  # 5^10 without the budget


def test_reference_cycles_and_include_fanout_are_bounded(tmp_path, monkeypatch):
    from gplint.formats import glci

    doc = _lower_gitlab(tmp_path, ".a:\n  variables: !reference [.a, variables]\n"
                                  "job:\n  extends: .a\n  script: [go build]\n")
    assert [s.name for s in doc.scopes] == ["job"]
    # every file includes the next one ten times: 10^5 includes without a bound
    for i in range(5):
        (tmp_path / f"f{i}.yml").write_text("include:\n" + f"  - local: f{i + 1}.yml\n" * 10 + f"j{i}:\n  script: [go build]\n")
    (tmp_path / "f5.yml").write_text("last:\n  script: [go build]\n")
    sources = []
    monkeypatch.setattr(glci, "_parse", lambda source, ctx, span, real=glci._parse: sources.append(1) or real(source, ctx, span))
    doc = _lower_gitlab(tmp_path, "include: f0.yml\n")
    assert len(sources) <= glci.MAX_INCLUDES + 1
    assert any("more than 100 includes" in p.message for p in doc.problems)


def _cpu_bounded(args, cwd, seconds=120) -> subprocess.CompletedProcess:
    """Run gplint with a CPU-time limit (RLIMIT_CPU kills it past the bound): a guard ten times
    and more above the expected cost, never a wall-clock timing."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_CPU, (seconds, seconds))

    return subprocess.run(GPLINT + args, cwd=cwd, capture_output=True, text=True, preexec_fn=limit, timeout=1800)


@pytest.mark.parametrize("stage,count", [
    ("from golang:1.22 as s{i}\nrun go build ./...\n", 10_000),  # independent stages
    ("FROM {prev} AS s{i}\nRUN go build ./... && go env -w GOFLAGS=-mod=mod\nUSER u{i}\n", 3_000),  # a chain
])
def test_many_stages_lint_and_fix_in_bounded_cpu(tmp_path, stage, count):
    """10,000 stages: quadratic walks took 113 s to lint and more than 180 s to fix; now about
    1 s and 3 s of CPU. A chain of stages costs more per stage (some checks still look at up
    to 256 ancestors): 3,000 take about 1 s and 3 s, 10,000 about 3 s and 10 s."""
    (tmp_path / ".git").mkdir()
    text = "FROM golang:1.22 AS base\n" + "".join(
        stage.format(i=i, prev=f"s{i - 1}" if i else "base") for i in range(count))
    (tmp_path / "Dockerfile").write_text(text)
    linted = _cpu_bounded(["-q", "--format", "concise", "."], tmp_path)
    assert linted.returncode == 1, linted.stderr[-2000:]
    fixed = _cpu_bounded(["-q", "--fix", "--unsafe-fixes", "--format", "concise", "."], tmp_path, seconds=300)
    assert fixed.returncode in (0, 1), fixed.stderr[-2000:]
    assert (tmp_path / "Dockerfile").read_text() != text


# -- Ctrl-C -----------------------------------------------------------------------------------------
def test_ctrl_c_during_parallel_fix_stops_cleanly(tmp_path):
    """SIGINT (to gplint alone, or to its whole process group as a terminal sends it) during a
    parallel --fix: exit 130, no temporary file left, every worker gone."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))
    try:
        import corpus
    finally:
        sys.path.pop(0)
    corpus.generate(str(tmp_path), 7, 400, 60, 60)
    (tmp_path / ".git").mkdir()
    originals = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    rng = random.Random(16)
    interrupted = 0
    for attempt in range(12):
        if interrupted >= 3:
            break
        for path, data in originals.items():
            path.write_bytes(data)
        proc = subprocess.Popen(GPLINT + ["-q", "--fix", "-j", "2", "."], cwd=tmp_path, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, start_new_session=True)
        time.sleep(rng.uniform(0.3, 1.5))  # somewhere in the run; not a measurement
        if proc.poll() is not None:
            continue  # finished first (a very fast machine): nothing to interrupt
        if attempt % 2:
            os.killpg(proc.pid, signal.SIGINT)
        else:
            proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=120)  # a hang guard
        if proc.returncode in (0, 1) and b"Traceback" not in err:
            continue  # it finished between poll() and the signal: nothing was interrupted
        interrupted += 1
        assert proc.returncode == 130, err[-2000:]
        assert b"Traceback" not in err
        assert not [p for p in tmp_path.rglob("*gplint-tmp*")]
        for _ in range(100):  # the group empties as soon as the reaped workers are gone
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.05)
        else:
            pytest.fail("worker processes outlived gplint")
    assert interrupted >= 3
