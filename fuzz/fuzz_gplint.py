#!/usr/bin/env python3
"""Coverage-guided fuzzing of gplint with atheris (https://github.com/google/atheris).

    python fuzz/fuzz_gplint.py /tmp/corpus fuzz/seeds -max_total_time=600 -timeout=5 \
        -max_len=4096 -dict=fuzz/gplint.dict -artifact_prefix=/tmp/crash-
    python fuzz/fuzz_gplint.py --explain FILE...   # replay inputs without atheris, with tracebacks

Input format: the FIRST BYTE picks the target, the REST is the file's bytes.

    kind   = TARGETS[first_byte % 5]           file written as
      0  A  F   Dockerfile                      Dockerfile
      1  B  G   .dockerignore                   .dockerignore
      2  C  H   GitHub workflow                 .github/workflows/x.yml
      3  D  I   composite action                action.yml
      4  E  J   GitLab CI                       .gitlab-ci.yml
    config = "all rules" when (first_byte // 5) is odd (A-E), else gplint's defaults (F-J)

"All rules" is a gplint.toml selecting ALL (preview and opt-in rules included) with
allowed-proxies and private-modules set, so GP303/GP304 run too. Seeds are named after their
first byte: `A-multistage` is a Dockerfile linted with every rule.

Each input is written into a fresh repository (.git/, go.mod, and, unless the input is the
Dockerfile, a small Dockerfile that CI and ignore files can refer to), linted in-process with the
functions the CLI calls (runner.collect_targets + runner.lint, then fix_session.plan_and_apply ->
fix.fix_all and fix_session.write, i.e. `gplint --fix --unsafe-fixes`), then fixed a second time through cli.main. An
invariant that breaks raises AssertionError (or Hung), which atheris reports as a crash:

  I1  no exception escapes lint, report or fix, and a binary or non-UTF-8 file gets a GP001;
  I2  no GP001 "internal error" diagnostic (the runner's safety net turning a bug into GP001);
  I3  one input uses at most BUDGET (2 s, env GPLINT_FUZZ_BUDGET) of CPU time;
  I4  every diagnostic span and fix edit lies inside its file's text, start <= end;
  I5  every report format renders, and json / sarif / gitlab output parses as JSON;
  I6  when no diagnostic carries an applicable fix, `--fix` leaves every byte of the repository
      as it was;
  I7  a file the fix rewrote is valid UTF-8, keeps its BOM (or its absence), its line-ending
      style (all LF stays LF, all CRLF stays CRLF) and its final newline;
  I8  a fix never turns a file without GP001 into one with GP001, and no fix of such a file is
      reverted for "no longer parses" (a rule produced a broken edit);
  I9  a second `gplint --fix --unsafe-fixes` exits 0, 1 or 2 and changes no byte.

Nothing here imports atheris or gplint at import time: tests import TestOneInput / check_one
and call it directly. Only main() imports atheris and instruments gplint.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
import tempfile
import time
import traceback

TARGETS = ("Dockerfile", ".dockerignore", ".github/workflows/x.yml", "action.yml", ".gitlab-ci.yml")
BUDGET = float(os.environ.get("GPLINT_FUZZ_BUDGET", "2"))  # CPU seconds per input
FIRST_BUDGET = 60.0  # the first input of a process also pays for imports
GO_MOD = b"module example.com/fuzz\n\ngo 1.22\n\nrequire corp.example/lib v1.2.3\n"
HELPER_DOCKERFILE = b"FROM golang:1.22 AS build\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"
ALL_RULES_CONFIG = b"""select = ["ALL"]
preview = true
allowed-proxies = ["https://proxy.golang.org", "https://goproxy.corp.example/mod", "direct", "off"]
private-modules = ["corp.example/*"]
"""
BOM = b"\xef\xbb\xbf"
# Open findings (FINDINGS.md) the harness looks past, so that fuzzing can find new ones; drop a
# name once its bug is fixed. Every finding so far is fixed, so the list is empty; the harness
# still knows how to look past gp304 and glci-extends should they return (the options finding
# cannot: every Project of a run is now built with the options, fix_session.RunContext).
# GPLINT_FUZZ_KNOWN overrides the list. tests/test_fuzz_atheris.py replays fuzz/crashes/ with
# every invariant checked: an open finding's reproducer must fail, a fixed one must pass.
KNOWN_FINDINGS = ""
# fuzz/crashes/<file> -> the finding (FINDINGS.md) it reproduces
CRASHES = {"fix-relint-drops-options": "options", "gp304-fix-overridden": "gp304",
           "glci-extends-mapping": "glci-extends", "escape-backtick-env-fix": "escape-backtick",
           "gp106-one-stage-per-pass": "gp106-one-stage-per-pass"}
KNOWN = set(filter(None, os.environ.get("GPLINT_FUZZ_KNOWN", KNOWN_FINDINGS).split(",")))
_state = {"inputs": 0}


class Hung(BaseException):
    """An input ran over its budget. A BaseException, so gplint's `except Exception` safety nets
    cannot turn it into a GP001 diagnostic."""


def describe(data: bytes) -> tuple[str, bool, bytes]:
    """(file name, all-rules config?, file bytes) of one fuzz input."""
    return TARGETS[data[0] % len(TARGETS)], (data[0] // len(TARGETS)) % 2 == 1, data[1:]


def TestOneInput(data: bytes) -> None:  # the name atheris documents
    """Lint and fix one input; raise AssertionError (or Hung) when an invariant breaks."""
    if not data:
        return
    name, all_rules, body = describe(data)
    first = _state["inputs"] == 0
    _state["inputs"] += 1
    budget = FIRST_BUDGET if first else BUDGET
    with tempfile.TemporaryDirectory(prefix="gplint-fuzz-") as root:
        root = os.path.realpath(root)
        path = _make_repository(root, name, all_rules, body)
        # CPU time, not wall time: the fuzzer runs niced on a shared machine, and libFuzzer owns
        # SIGALRM / ITIMER_REAL for its own -timeout (wall-clock hangs, stuck C code).
        previous = signal.signal(signal.SIGPROF, _expire)
        signal.setitimer(signal.ITIMER_PROF, budget)
        started = time.process_time()
        try:
            _check_repository(root, path, body)
        finally:
            signal.setitimer(signal.ITIMER_PROF, 0)
            signal.signal(signal.SIGPROF, previous)
        used = time.process_time() - started
        if used > budget:  # the signal came while C code ran, or a handler swallowed it
            raise Hung(f"I3: one input used {used:.2f} s of CPU (budget {budget} s)")


check_one = TestOneInput  # the name tests/test_fuzz.py uses


def _expire(*_):
    raise Hung(f"I3: one input used more than {BUDGET} s of CPU")


def _make_repository(root: str, name: str, all_rules: bool, body: bytes) -> str:
    os.mkdir(os.path.join(root, ".git"))
    _write_file(os.path.join(root, "go.mod"), GO_MOD)
    if all_rules:
        _write_file(os.path.join(root, "gplint.toml"), ALL_RULES_CONFIG)
    if name != "Dockerfile":
        _write_file(os.path.join(root, "Dockerfile"), HELPER_DOCKERFILE)
    path = os.path.join(root, *name.split("/"))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    _write_file(path, body)
    return path


def _write_file(path: str, data: bytes) -> None:
    with open(path, "wb") as f:
        f.write(data)


# -- the checks ------------------------------------------------------------------------------------
def _lint(root: str):
    """What cli._lint does for `gplint --no-cache ROOT`, returning its pieces."""
    from gplint.config import build_selection
    from gplint.discover import find_root
    from gplint.project import Project
    from gplint.runner import collect_targets, lint

    selection = build_selection(root, [], [], [], None, preview=False)
    project_root = find_root(root)
    project = Project(project_root, options=selection.options)
    targets = collect_targets([root], None, None, project)
    result = lint(targets, project, selection, jobs=1, cache=None)
    return selection, project_root, targets, result


# what a known finding's internal error says (they are not reported while the name is in KNOWN)
KNOWN_INTERNAL = {"glci-extends": "AttributeError(\"'tuple' object has no attribute 'kind'\")"}


def _internal_errors(diagnostics) -> list[str]:
    return [f"{d.source.path}: {d.message}" for d in diagnostics
            if d.code == "GP001" and "internal error" in d.message
            and not any(name in KNOWN and sign in d.message for name, sign in KNOWN_INTERNAL.items())]


def _check_positions(diagnostics) -> None:
    for d in diagnostics:
        size = len(d.source.text)
        assert 0 <= d.span.start <= d.span.end <= size, \
            f"I4: {d.code} span {d.span.start}..{d.span.end} outside {d.source.path} ({size} chars)"
        if d.fix is None:
            continue
        for e in d.fix.edits:
            size = len(e.source.text)
            assert isinstance(e.content, str), f"I4: {d.code} edit content is {type(e.content).__name__}"
            assert 0 <= e.start <= e.end <= size, \
                f"I4: {d.code} edit {e.start}..{e.end} outside {e.source.path} ({size} chars)"


def _check_reports(diagnostics) -> None:
    from gplint.report import concise, github, gitlab, json_format, sarif, text

    safe = sum(1 for d in diagnostics if d.fix and d.fix.edits and d.fix.applicability == "safe")
    unsafe = sum(1 for d in diagnostics if d.fix and d.fix.edits and d.fix.applicability == "unsafe")
    text.render(diagnostics, colour=False)
    text.render(diagnostics, colour=True)
    text.summary(diagnostics, safe, unsafe)
    concise.render(diagnostics)
    github.render(diagnostics)
    for module in (json_format, sarif, gitlab):
        out = module.render(diagnostics)
        try:
            json.loads(out)
        except ValueError as exc:
            raise AssertionError(f"I5: {module.__name__} output is not JSON: {exc}") from None


def _unusable_bytes(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return b"\x00" in data[:8192]  # where gplint looks for NUL bytes


def _line_endings(data: bytes) -> str:
    crlf, lf = data.count(b"\r\n"), data.count(b"\n")
    return "none" if lf == 0 else "crlf" if crlf == lf else "lf" if crlf == 0 else "mixed"


def _gp001(diagnostics, abspath: str) -> int:
    return sum(1 for d in diagnostics if d.code == "GP001" and d.source.abspath == abspath)


def _check_repository(root: str, path: str, original: bytes) -> None:
    from gplint import cli, fix_session
    from gplint.fix import applicable

    quiet = contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO())
    # 1. lint, as the CLI does
    selection, project_root, targets, result = _lint(root)
    internal = _internal_errors(result.diagnostics)
    assert not internal, f"I2: internal error while linting: {internal}"
    if _unusable_bytes(original):
        assert _gp001(result.diagnostics, path), "I1: a binary or non-UTF-8 file gave no GP001"
    _check_positions(result.diagnostics)
    _check_reports(result.diagnostics)
    before = _tree(root)
    fixable = any(applicable(d, True) for d in result.diagnostics)

    # 2. fix, as `gplint --fix --unsafe-fixes` does
    with quiet[0], quiet[1]:
        ctx = fix_session.RunContext(project_root, targets, selection, unsafe_fixes=True)
        outcome = fix_session.plan_and_apply(ctx, result)
        fix_session.write(outcome, result.sources, project_root)
    internal = _internal_errors(outcome.diagnostics)
    assert not internal, f"I2: internal error while re-linting fixed text: {internal}"
    after = _tree(root)
    if not fixable:
        changed = sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))
        assert not changed and not outcome.texts, f"I6: no fix applied, yet {changed or sorted(outcome.texts)} changed"
    for abspath, why in outcome.reverted.items():
        source = result.sources.get(abspath)
        if source is not None and not _gp001(result.diagnostics, abspath):
            raise AssertionError(f"I8: a fix of {source.path}, which parsed, was reverted: {why}")
    for rel, data in after.items():
        if before.get(rel) != data:
            _check_rewritten(rel, before.get(rel, b""), data)
    for abspath in outcome.texts:
        if abspath in result.sources:
            was, now = _gp001(result.diagnostics, abspath), _gp001(outcome.diagnostics, abspath)
            assert now <= was, f"I8: fixing {result.sources[abspath].path} raised its GP001 count {was} -> {now}"

    # 3. a second fix, through the real command line, changes nothing
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = cli.main(["--no-cache", "--jobs", "1", "--fix", "--unsafe-fixes", "--format", "json", root])
    assert status in (0, 1, 2), f"I9: exit status {status} from the second --fix"
    try:
        remaining = json.loads(out.getvalue())
    except ValueError as exc:
        raise AssertionError(f"I5: --format json output is not JSON: {exc}") from None
    internal = [d["message"] for d in remaining if "internal error" in d["message"]]
    assert not internal, f"I2: internal error in the second --fix: {internal}"
    again = _tree(root)
    changed = sorted(k for k in set(after) | set(again) if after.get(k) != again.get(k)
                     and not ("gp304" in KNOWN and _only_gp304_inserts(after.get(k, b""), again.get(k, b""))))
    assert not changed, f"I9: a second --fix changed {changed}: {_first_difference(after, again, changed)}"


def _only_gp304_inserts(before: bytes, after: bytes) -> bool:
    """Whether `after` is `before` plus lines `ENV GOPRIVATE=corp.example/*` and nothing else: the
    known GP304 fix that a later GOPRIVATE setting overrides (FINDINGS.md, "gp304-fix-overridden")."""
    import difflib

    a, b = before.splitlines(keepends=True), after.splitlines(keepends=True)
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            continue
        if op != "insert" or any(line.rstrip(b"\r\n") != b"ENV GOPRIVATE=corp.example/*" for line in b[j1:j2]):
            return False
    return True


def _check_rewritten(rel: str, original: bytes, fixed: bytes) -> None:
    try:
        original.decode("utf-8")
    except UnicodeDecodeError:
        raise AssertionError(f"I7: {rel} was not UTF-8 and was rewritten") from None
    try:
        fixed.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise AssertionError(f"I7: the fixed {rel} is not UTF-8: {exc}") from None
    assert fixed.startswith(BOM) == original.startswith(BOM), f"I7: the fix changed {rel}'s BOM"
    was, now = _line_endings(original), _line_endings(fixed)
    if was == "none":
        assert now in ("none", "lf"), f"I7: the fix gave {rel} {now} line endings (it had none: LF expected)"
    else:
        assert was == "mixed" or now == was, f"I7: the fix turned {rel}'s line endings from {was} to {now}"
    if original.endswith(b"\n"):
        assert fixed.endswith(b"\n"), f"I7: the fix removed {rel}'s final newline"


def _first_difference(a: dict, b: dict, names: list[str]) -> str:
    name = names[0]
    x, y = a.get(name, b""), b.get(name, b"")
    i = next((i for i, (p, q) in enumerate(zip(x, y)) if p != q), min(len(x), len(y)))
    return f"{name} at byte {i}: {x[max(0, i - 30):i + 30]!r} -> {y[max(0, i - 30):i + 30]!r}"


def _tree(root: str) -> dict[str, bytes]:
    files = {}
    for folder, dirs, names in os.walk(root):
        dirs.sort()
        for name in names:
            full = os.path.join(folder, name)
            with open(full, "rb") as f:
                files[os.path.relpath(full, root)] = f.read()
    return files


# -- replaying inputs, with the tracebacks the safety net hides ------------------------------------
def explain(paths: list[str]) -> int:
    """Replay inputs outside atheris; print each broken invariant, and for an internal error the
    traceback gplint's safety net swallowed. Exit 1 when any input fails."""
    failed = 0
    for p in paths:
        with open(p, "rb") as f:
            data = f.read()
        name, all_rules, body = describe(data) if data else ("-", False, b"")
        print(f"== {p}: {name} ({'all rules' if all_rules else 'default rules'}), {len(body)} bytes: {body[:200]!r}")
        started = time.process_time()
        problem = None
        try:
            TestOneInput(data)
        except (Exception, Hung) as exc:  # noqa: BLE001 - report every failure, go on
            problem = exc
            failed += 1
            traceback.print_exception(exc, file=sys.stdout)
        else:
            print("ok")
        if problem is not None and "internal error" in str(problem):
            _unmasked(name, all_rules, body)
        print(f"   {time.process_time() - started:.2f} s CPU")
    return 1 if failed else 0


def _unmasked(name: str, all_rules: bool, body: bytes) -> None:
    from gplint.engine import check_document, lower_source

    with tempfile.TemporaryDirectory(prefix="gplint-fuzz-") as root:
        root = os.path.realpath(root)
        _make_repository(root, name, all_rules, body)
        selection, _root, _targets, result = _lint(root)
        from gplint.project import Project

        project = Project(_root)
        project.options = selection.options
        for source in result.sources.values():
            try:
                check_document(lower_source(project, source), project, selection)
            except Exception:  # noqa: BLE001 - show whatever the safety net caught
                print(f"-- the exception behind it, in {source.path}:")
                traceback.print_exc(file=sys.stdout)
                return


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--explain":
        sys.exit(explain(sys.argv[2:]))
    import importlib
    import pkgutil

    import atheris

    with atheris.instrument_imports(include=["gplint", "ruamel"]):
        import gplint

        for info in pkgutil.walk_packages(gplint.__path__, "gplint."):
            if info.name != "gplint.__main__":  # that one runs the command line
                importlib.import_module(info.name)  # instrument every module, not only the eager ones
    atheris.Setup(sys.argv, TestOneInput)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
