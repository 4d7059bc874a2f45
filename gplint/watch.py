"""`gplint --watch`: lint, then lint again whenever a file gplint reads changes, like
`ruff check --watch`. Uses watchfiles (the `watch` extra) when installed, else polls the
modification times once a second. Unchanged files come from the result cache, so a re-lint
costs about the files that changed and those that read them."""
from __future__ import annotations

import os
import queue
import sys
import threading
import time

POLL_SECONDS = 1.0
_SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".venv", "venv", "__pycache__", ".tox", ".mypy_cache"}
_READ_NAMES = {"go.mod", "go.work", "modules.txt", "pyproject.toml", "gplint.toml"}


def relevant(path: str) -> bool:
    """Whether a change to this file can change a finding: a linted kind, any YAML (a GitLab
    include), the Go files rules read, the configuration."""
    from .discover import is_yaml, kind_of

    name = os.path.basename(path)
    parts = set(path.replace(os.sep, "/").split("/"))
    if parts & _SKIP_DIRS:
        return False
    return name in _READ_NAMES or kind_of(path.replace(os.sep, "/")) is not None or is_yaml(name)


def watch(args, run_lint) -> int:
    if "-" in (args.paths or []) or args.stdin_filename:
        print("gplint: --watch cannot read standard input", file=sys.stderr)
        return 2
    if args.output_file or args.diff:
        print("gplint: --watch prints to the terminal: it does not combine with --output-file or --diff",
              file=sys.stderr)
        return 2
    changes = _Changes(list(args.paths or ["."]))  # watching before the first lint: no edit is missed
    _run(run_lint, args)
    while True:
        changed = changes.next_batch()
        print(f"\ngplint: {len(changed)} file{'s' if len(changed) != 1 else ''} changed: re-linting", file=sys.stderr)
        _run(run_lint, args)


def _run(run_lint, args) -> None:
    saved = list(args.paths)
    try:
        run_lint()
    finally:
        args.paths[:] = saved  # the lint may add to them
    sys.stdout.flush()


class _Changes:
    """Changed paths, batch by batch, from a watcher thread that is running once this returns."""

    def __init__(self, paths: list[str]):
        self.queue: queue.Queue = queue.Queue()
        self.stop = threading.Event()
        ready = threading.Event()
        threading.Thread(target=self._feed, args=(paths, ready), daemon=True).start()
        ready.wait(30)

    def _feed(self, paths: list[str], ready: threading.Event) -> None:
        for batch in _source(paths, self.stop):  # the first (empty) batch: the watcher is running
            ready.set()
            if batch:
                self.queue.put(batch)

    def next_batch(self) -> set[str]:
        changed: set[str] = set()
        while not changed:
            try:  # short waits: Ctrl-C reaches the main thread
                changed |= self.queue.get(timeout=0.5)
            except queue.Empty:
                continue
        while not self.queue.empty():  # a burst of saves is one re-lint
            changed |= self.queue.get_nowait()
        return changed


def _source(paths: list[str], stop: threading.Event):
    """Yield set() once watching, then each set of relevant paths that changed."""
    try:
        import watchfiles
    except ImportError:
        yield from _poll(paths)
        return
    for batch in watchfiles.watch(*paths, watch_filter=lambda _change, path: relevant(path), debounce=150,
                                  yield_on_timeout=True, rust_timeout=500, stop_event=stop):
        yield {path for _change, path in batch}


def _snapshot(paths: list[str]) -> dict[str, tuple[int, int]]:
    seen: dict[str, tuple[int, int]] = {}
    for top in paths:
        if os.path.isfile(top):
            _stat_into(seen, top)
            continue
        for folder, dirs, files in os.walk(top):
            dirs[:] = [d for d in dirs if d not in _SKIP_DIRS]
            for name in files:
                path = os.path.join(folder, name)
                if relevant(path):
                    _stat_into(seen, path)
    return seen


def _stat_into(seen: dict[str, tuple[int, int]], path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return
    seen[path] = (st.st_mtime_ns, st.st_size)


def _poll(paths: list[str]):
    before = _snapshot(paths)
    yield set()
    while True:
        time.sleep(POLL_SECONDS)
        now = _snapshot(paths)
        changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
        before = now
        if changed:
            yield changed
