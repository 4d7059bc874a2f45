"""The build graph is built once per run (issue 13): with worker processes, the parent lowers the
CI files and the other sources of builds before forking, and the workers check those documents
instead of lowering every CI file again. Output is the same as in one process."""
from __future__ import annotations

import json
import os

import pytest

from gplint import project as project_module
from gplint import runner
from gplint.cli import main

FILES = {
    "go.mod": "module m\n\ngo 1.22\n",
    # built by the Makefile only: its context and the value it passes come from the graph
    "svc/Dockerfile": "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n",
    "tools/Dockerfile": "FROM golang:1.22\nCOPY go.sum .\nRUN go mod download\n",
    ".dockerignore": "go.sum\n",
    "Makefile": "image:\n\tdocker build --network host --build-arg GOPROXY=http://localhost:3000 -f svc/Dockerfile .\n",
    ".github/workflows/image.yml": (
        "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    env:\n      GOPROXY: https://proxy.example.com\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - run: make image\n"
        "      - run: docker build --build-arg GOPROXY -f tools/Dockerfile .\n"),
    ".github/workflows/broken.yml": "jobs: [\n",
    ".github/workflows/test.yml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: go test ./...\n",
}
CI_FILES = {"Makefile", ".github/workflows/image.yml", ".github/workflows/test.yml", ".github/workflows/broken.yml"}


@pytest.fixture
def repo(tmp_path, monkeypatch):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    for name, text in FILES.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.chdir(root)
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path / "cache"))
    # the CI files fit one chunk, the run needs two: the parent lowers them, two workers check
    monkeypatch.setattr(runner, "CHUNK", 4)
    return root


@pytest.fixture
def lowerings(tmp_path, monkeypatch):
    """Every lowering of a file, by any process (forked workers append to the same log)."""
    log = tmp_path / "lowered.log"
    real = project_module.lower

    def counting(source, project=None):
        rel = os.path.relpath(source.abspath).replace(os.sep, "/")
        fd = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(fd, f"{os.getpid()} {rel}\n".encode())
        finally:
            os.close(fd)
        return real(source, project)

    monkeypatch.setattr(project_module, "lower", counting)

    def read() -> list[tuple[int, str]]:
        lines = log.read_text().splitlines() if log.exists() else []
        log.unlink(missing_ok=True)
        return [(int(pid), rel) for pid, rel in (line.split(" ", 1) for line in lines)]

    return read


def run(capsys, *args):
    main(["--no-cache", *args, "."])
    return capsys.readouterr().out


@pytest.fixture(params=[4, 2], ids=["parent-lowers-ci", "ci-phase-in-workers"])
def chunk(request, monkeypatch):
    """Both ways of a parallel run: CI files in one chunk, or a first phase of several."""
    monkeypatch.setattr(runner, "CHUNK", request.param)
    return request.param


def test_workers_report_what_one_process_reports(repo, capsys, chunk):
    serial = json.loads(run(capsys, "--format", "json", "--exit-zero", "--jobs", "1"))
    parallel = json.loads(run(capsys, "--format", "json", "--exit-zero", "--jobs", "2"))
    assert parallel == serial
    found = {(d["path"], d["code"]) for d in serial}
    # findings that need the graph: the Makefile's build of svc/Dockerfile and the values CI passes
    assert ("Makefile", "GP105") in found and ("svc/Dockerfile", "GP101") in found
    assert (".github/workflows/broken.yml", "GP001") in found
    svc = next(d for d in serial if d["path"] == "svc/Dockerfile")
    assert "would let a CI build's value in" in svc["message"]


def test_workers_fix_what_one_process_fixes(repo, capsys, chunk):
    serial = run(capsys, "--fix", "--unsafe-fixes", "--diff", "--jobs", "1")
    parallel = run(capsys, "--fix", "--unsafe-fixes", "--diff", "--jobs", "2")
    assert parallel == serial and "+ARG GOPROXY" in serial


def test_each_ci_file_is_lowered_once_across_all_workers(repo, capsys, lowerings):
    run(capsys, "--format", "json", "--exit-zero", "--jobs", "2")
    seen = lowerings()
    ci = [rel for _pid, rel in seen if rel in CI_FILES - {".github/workflows/broken.yml"}]
    assert sorted(ci) == sorted(CI_FILES - {".github/workflows/broken.yml"})  # each once, none twice
    assert len({pid for pid, _rel in seen}) >= 2  # the workers did lower (the Dockerfiles)


def test_many_ci_files_are_lowered_by_the_workers_of_a_first_phase(repo, capsys, lowerings, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 2)  # four CI files, two chunks of them: lowering them is shared
    run(capsys, "--format", "json", "--exit-zero", "--jobs", "2")
    ci_pids = {pid for pid, rel in lowerings() if rel in CI_FILES}
    assert os.getpid() not in ci_pids and len(ci_pids) >= 2


def test_the_parent_keeps_the_graph_one_process_builds(repo, chunk):
    def graph(jobs):
        project = project_module.Project(str(repo))
        targets = runner.collect_targets(["."], None, None, project)
        runner.lint(targets, project, lambda code, path: True, jobs=jobs)
        return {rel: [(c.context, c.network_host) for c in cs] for rel, cs in project.contexts.items()}

    serial = graph(1)
    assert serial == graph(2)
    assert serial["svc/Dockerfile"] == [("", True)] and serial["tools/Dockerfile"] == [("", False)]


def test_one_chunk_is_linted_without_forking(repo, capsys, lowerings, monkeypatch):
    monkeypatch.setattr(runner, "CHUNK", 40)
    serial = run(capsys, "--format", "json", "--exit-zero", "--jobs", "1")
    lowerings()
    assert run(capsys, "--format", "json", "--exit-zero", "--jobs", "2") == serial
    assert {pid for pid, _rel in lowerings()} == {os.getpid()}  # no worker: a fork would only cost
