"""`gplint --watch`: lint, then lint again whenever a file gplint reads changes, like
`ruff check --watch`. Uses watchfiles (the `watch` extra) when installed, else polls the
modification times once a second. Unchanged files come from the result cache, so a re-lint
costs about the files that changed and those that read them."""
from __future__ import annotations

import os
import sys
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
    paths = list(args.paths or ["."])
    _run(run_lint, args)
    for changed in _changes(paths):
        print(f"\ngplint: {len(changed)} file{'s' if len(changed) != 1 else ''} changed: re-linting", file=sys.stderr)
        _run(run_lint, args)
    return 0


def _run(run_lint, args) -> None:
    saved = list(args.paths)
    try:
        run_lint()
    except SystemExit:
        pass
    finally:
        args.paths[:] = saved  # the lint may add to them
    sys.stdout.flush()


def _changes(paths: list[str]):
    """Yield the set of relevant paths that changed, batch by batch, until Ctrl-C."""
    try:
        import watchfiles
    except ImportError:
        yield from _poll(paths)
        return
    for batch in watchfiles.watch(*paths, watch_filter=lambda _change, path: relevant(path),
                                  debounce=150, raise_interrupt=True):
        yield {path for _change, path in batch}


def _snapshot(paths: list[str]) -> dict[str, float]:
    seen: dict[str, float] = {}
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


def _stat_into(seen: dict[str, float], path: str) -> None:
    try:
        st = os.stat(path)
    except OSError:
        return
    seen[path] = (st.st_mtime_ns, st.st_size)


def _poll(paths: list[str]):
    before = _snapshot(paths)
    while True:
        time.sleep(POLL_SECONDS)
        now = _snapshot(paths)
        changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
        before = now
        if changed:
            yield changed
