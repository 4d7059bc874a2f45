"""The `gplint` command ends its process without tearing the run down (__main__._end_process):
everything it printed still arrives whole, a reader that goes away early costs no traceback, and
main() called in-process (tests, the editor server, watch) leaves the garbage collector as it was."""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys

from gplint.cli import main

WORKFLOW = """\
on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go env -w GOPROXY=https://proxy.example.com
  test:
    runs-on: ubuntu-latest
    steps:
      - run: go mod download
"""


def _repo(tmp_path, workflows: int):
    (tmp_path / ".git").mkdir()
    folder = tmp_path / ".github" / "workflows"
    folder.mkdir(parents=True)
    for i in range(workflows):
        (folder / f"w{i:03}.yml").write_text(WORKFLOW)
    return tmp_path


def _gplint(args, cwd, **kwargs):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "gplint", "--no-cache", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120, **kwargs)


def test_a_long_report_on_a_pipe_arrives_whole(tmp_path):
    # 200 findings: far more than one pipe buffer, so the last part is still buffered at the end
    repo = _repo(tmp_path, 200)
    done = _gplint(["--format", "json", "--jobs", "1", "."], repo)
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)
    assert len(findings) == 200 and {f["code"] for f in findings} == {"GP106"}
    text = _gplint(["--jobs", "1", "."], repo)
    assert text.stdout.splitlines()[-1].startswith("Found 200 diagnostics")  # the summary, last


def test_the_output_file_is_complete(tmp_path):
    repo = _repo(tmp_path, 50)
    done = _gplint(["--format", "json", "--output-file", "out.json", "."], repo)
    assert done.returncode == 1, done.stderr
    assert len(json.loads((repo / "out.json").read_text())) == 50


def test_a_reader_that_stops_early_costs_no_traceback(tmp_path):
    repo = _repo(tmp_path, 200)
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "gplint", "--no-cache", "--jobs", "1", "."], cwd=repo, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    proc.stdout.readline()
    proc.stdout.close()  # as `gplint . | head -1` does
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) in (1, 2) or proc.returncode < 0
    assert "Traceback" not in stderr


def test_main_in_process_resumes_the_collector(tmp_path, monkeypatch):
    repo = _repo(tmp_path, 1)
    monkeypatch.chdir(repo)
    assert gc.isenabled()
    assert main(["--no-cache", "-q", "."]) == 1
    assert gc.isenabled()


def test_main_for_a_process_that_ends_leaves_it_paused(tmp_path, monkeypatch):
    repo = _repo(tmp_path, 1)
    monkeypatch.chdir(repo)
    try:
        assert main(["--no-cache", "-q", "."], process_ends=True) == 1
        assert not gc.isenabled()
    finally:
        gc.enable()
