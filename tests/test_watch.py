"""`gplint --watch`: lints, then lints again after a change, printing the new result."""
from __future__ import annotations

import os
import selectors
import subprocess
import sys

from gplint import watch

DOCKERFILE = "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n"
BOUND = 60.0  # seconds: against a hang only, not a latency requirement


def _read_until(proc, needle: str, seen: list[str]) -> bool:
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    try:
        while True:
            if not sel.select(BOUND):
                return False
            line = proc.stdout.readline()
            if not line:
                return False
            seen.append(line)
            if needle in line:
                return True
    finally:
        sel.close()


def test_watch_relints_after_a_change(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    proc = subprocess.Popen([sys.executable, "-m", "gplint", "--watch", "--no-cache", "."],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen: list[str] = []
    try:
        assert _read_until(proc, "GP101", seen), seen
        (tmp_path / "Dockerfile").write_text(DOCKERFILE.replace("COPY", "ARG GOPROXY\nCOPY"))
        assert _read_until(proc, "All checks passed", seen), seen
    finally:
        proc.kill()
        proc.wait()


def test_relevant_files():
    assert watch.relevant("repo/Dockerfile")
    assert watch.relevant("repo/.github/workflows/ci.yml")
    assert watch.relevant("repo/sub/go.mod")
    assert watch.relevant("repo/pyproject.toml")
    assert not watch.relevant("repo/main.go")
    assert not watch.relevant("repo/.git/config")
    assert not watch.relevant("repo/node_modules/x/Dockerfile")


def test_poll_fallback_reports_the_changed_file(tmp_path, monkeypatch):
    target = tmp_path / "Dockerfile"
    target.write_text(DOCKERFILE)
    ticks = []

    def fake_sleep(_seconds):  # the clock: the first tick edits the file
        ticks.append(1)
        if len(ticks) == 1:
            target.write_text(DOCKERFILE + "# more\n")

    monkeypatch.setattr(watch.time, "sleep", fake_sleep)
    changes = watch._poll([str(tmp_path)])
    assert next(changes) == set()  # the snapshot is taken: watching
    assert next(changes) == {os.path.join(str(tmp_path), "Dockerfile")}


def test_watch_refuses_standard_input(capsys):
    from gplint.cli import main

    assert main(["--watch", "-"]) == 2
    assert "standard input" in capsys.readouterr().err
