"""Command line: arguments, output and exit codes (0 clean, 1 diagnostics remain, 2 usage,
configuration or input errors). The work itself is in runner.py, engine.py and fix.py."""
from __future__ import annotations

import os
import sys
from types import SimpleNamespace

from . import __version__
from .kinds import ALL_KINDS

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


def _help_formatter(prog: str):
    """argparse's formatter, told the width: left alone it imports shutil (~2.5 ms) to ask."""
    columns = os.environ.get("COLUMNS", "")
    try:
        width = int(columns) if columns.isdigit() else os.get_terminal_size().columns
    except OSError:
        width = 80
    import argparse

    return argparse.HelpFormatter(prog, width=max(width - 2, 40))


def _parser():
    import argparse  # only for a command line _plain_args cannot read

    p = argparse.ArgumentParser(
        prog="gplint",
        formatter_class=_help_formatter,
        description="Lint and fix Go module proxy settings in Dockerfiles, .dockerignore files and CI.",
        epilog="Also: `gplint rules` lists every rule; `gplint rule GP101` shows one rule's documentation; "
               "`gplint server` runs the language server (needs the `server` extra).",
    )
    p.add_argument("paths", nargs="*", help="files or folders to lint (default: .); - reads standard input")
    p.add_argument("--version", action="version", version=f"gplint {__version__}")
    p.add_argument("--format", choices=FORMATS, default="text", help="output format (default: text)")
    p.add_argument("--output-file", "-o", metavar="FILE", help="write the report to FILE instead of standard output")
    p.add_argument("--statistics", action="store_true", help="print the number of findings per rule")
    p.add_argument("--show-fixes", action="store_true", help="list the fixes that were applied (with --fix)")
    p.add_argument("--baseline", metavar="FILE", help="report only findings that are not in this baseline")
    p.add_argument("--write-baseline", metavar="FILE", help="record the current findings as the baseline")
    p.add_argument("--preview", action="store_true", help="enable rules that are still in preview")
    p.add_argument("--jobs", "-j", type=int, metavar="N", help="worker processes (default: by the number of files)")
    p.add_argument("--no-cache", action="store_true", help="do not read or write the result cache")
    p.add_argument("--cache-dir", metavar="DIR", help="where the result cache lives (default: ~/.cache/gplint/…)")
    p.add_argument("--fix", action="store_true", help="apply safe fixes")
    p.add_argument("--unsafe-fixes", action="store_true", help="also apply unsafe fixes (with --fix or --diff)")
    p.add_argument("--diff", action="store_true", help="print the fixes as a unified diff; write nothing")
    p.add_argument("--select", action="append", metavar="RULES", help="only these rules (codes, prefixes, names; comma-separated)")
    p.add_argument("--extend-select", action="append", metavar="RULES", help="add rules to the selection")
    p.add_argument("--ignore", action="append", metavar="RULES", help="leave these rules out")
    p.add_argument("--config", metavar="FILE", help="use this gplint.toml or pyproject.toml")
    p.add_argument("--kind", choices=ALL_KINDS,
                   help="treat the given files as this kind")
    p.add_argument("--stdin-filename", metavar="NAME", help="the name standard input stands for")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics remain")
    p.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary")
    p.add_argument("--no-color", action="store_true", help="never colour the text output")
    p.add_argument("--watch", action="store_true", help="lint again whenever a file changes (Ctrl-C stops)")
    return p


# What _parser() gives every option a command line leaves out (tests/test_cli_plain_args.py
# checks that they agree).
DEFAULTS: dict[str, object] = {
    "paths": [], "format": "text", "output_file": None, "statistics": False, "show_fixes": False,
    "baseline": None, "write_baseline": None, "preview": False, "jobs": None, "no_cache": False,
    "cache_dir": None, "fix": False, "unsafe_fixes": False, "diff": False, "select": None,
    "extend_select": None, "ignore": None, "config": None, "kind": None, "stdin_filename": None,
    "exit_zero": False, "quiet": False, "no_color": False, "watch": False,
}
# The options that take no value and that pre-commit, editors and scripts pass with file names.
_PLAIN_FLAGS = {"--quiet": "quiet", "-q": "quiet", "--no-cache": "no_cache", "--fix": "fix",
                "--unsafe-fixes": "unsafe_fixes", "--diff": "diff", "--exit-zero": "exit_zero",
                "--no-color": "no_color", "--statistics": "statistics", "--show-fixes": "show_fixes",
                "--preview": "preview"}


def _plain_args(argv: list[str]):
    """The arguments of a command line made of plain flags and then paths (or paths then flags),
    as argparse would read them, or None for anything else (which argparse reads). argparse's
    import and set-up (gettext, locale, the parser) cost ~4 ms, a tenth of a run on one file."""
    values = dict(DEFAULTS)
    paths: list[str] = []
    flags_after_paths = False
    for arg in argv:
        if arg.startswith("-") and arg != "-":
            dest = _PLAIN_FLAGS.get(arg)
            if dest is None:
                return None  # a value, an abbreviation, `--`, `-h`, a path that looks like a flag
            values[dest] = True
            flags_after_paths = bool(paths)
        elif flags_after_paths:
            return None  # paths on both sides of a flag: argparse refuses the second group
        else:
            paths.append(arg)
    values["paths"] = paths
    return SimpleNamespace(**values)


def _split(values) -> list[str]:
    return [item.strip() for v in values or [] for item in v.split(",") if item.strip()]


def main(argv: list[str] | None = None, *, process_ends: bool = False) -> int:
    """Run gplint with `argv` (default: the command line) and return the exit status.
    `process_ends`: the caller exits right after without tearing down (__main__), so the
    garbage collector stays paused after a lint instead of resuming over everything it built."""
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "rule":
            return _show_rule(argv[1:])
        if argv and argv[0] == "rules":
            return _list_rules()
        if argv and argv[0] == "server":
            from .server import main as serve  # imports pygls only here

            return serve(argv[1:])
        args = _plain_args(argv) or _parser().parse_args(argv)
        if args.watch:
            from .watch import watch

            return watch(args, lambda: _without_cyclic_gc(_lint, args))
        return _without_cyclic_gc(_lint, args, resume=not process_ends)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def _without_cyclic_gc(run, args, resume: bool = True):
    """Run with Python's cyclic garbage collector paused. A lint builds large trees that live
    until the report and contain no garbage cycles worth collecting, yet each automatic full
    collection walks all of them again: pausing it saves ~25% of the CPU time of a big run with
    the same peak memory (measured on the reference corpus). Reference counting still frees
    everything that is not a cycle. Worker processes inherit the pause. `resume=False` leaves it
    paused, for a process that ends next."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return run(args)
    finally:
        if was_enabled and resume:
            gc.enable()


def _show_rule(args: list[str]) -> int:
    from .registry import doc_text, resolve_selector

    if len(args) != 1:
        print("usage: gplint rule CODE", file=sys.stderr)
        return 2
    codes = sorted(resolve_selector(args[0]))
    text = doc_text(codes[0]) if len(codes) == 1 else None
    if text is None:
        print(f"gplint: no rule {args[0]!r}; `gplint rules` lists them", file=sys.stderr)
        return 2
    sys.stdout.write(text)
    return 0


def _list_rules() -> int:
    from .registry import rules

    print(f"{'code':6}  {'name':34}  {'severity':8}  {'fix':12}  default")
    for code, info in sorted(rules().items()):
        print(f"{code:6}  {info.name:34}  {info.severity:8}  {info.fix:12}  {'on' if info.default else 'off (opt-in)'}")
    return 0


def _lint(args) -> int:
    """One run; a configuration, usage or baseline error (any GplintError that reaches here) is
    a message on standard error and exit code 2, never a traceback."""
    from .errors import GplintError

    try:
        return _lint_run(args)
    except GplintError as exc:
        _error(exc)
        return 2


def _lint_run(args) -> int:
    from .config import build_selection
    from .discover import find_root
    from .project import Project
    from .runner import collect_targets, lint

    if args.stdin_filename and "-" not in args.paths:
        args.paths.append("-")
    paths = args.paths or ["."]
    first = next((p for p in paths if p != "-"), args.stdin_filename or ".")
    selection = build_selection(first if os.path.exists(first) else ".", _split(args.select),
                                _split(args.extend_select), _split(args.ignore), args.config,
                                preview=args.preview)
    root = find_root(first if os.path.exists(first) else ".")
    project = Project(root, options=selection.options)  # read by the policy rules (GP303, GP304)
    targets = collect_targets(paths, args.kind, args.stdin_filename, project)
    for path, why, routine in project.skipped:  # named files gplint cannot tell the kind of
        if not (routine and args.quiet):
            print(f"gplint: {'note' if routine else 'warning'}: {path}: not linted: {why}", file=sys.stderr)
    for folder, why in project.unreadable:  # a folder gplint could not look into fails the run
        print(f"gplint: {project.display(folder)}: cannot read folder: {why}", file=sys.stderr)
    cache = None if (args.no_cache or args.fix or args.diff) else _cache(args, project, selection)
    project.build_memo = cache  # CI files not linted need not be lowered again for their builds
    result = lint(targets, project, selection, jobs=args.jobs, cache=cache)
    if paths and all(p != "-" and os.path.isfile(p) for p in paths):
        from .engine import dedupe
        from .runner import companions, reaching

        result.diagnostics.extend(companions(targets, project, selection))
        result.diagnostics = dedupe(result.diagnostics + reaching(targets, project, selection))
    if cache is not None:
        cache.save()  # after the companions: they may have scanned the CI files for builds
    diagnostics = result.diagnostics
    if not targets:  # "All checks passed." would claim a check that never ran
        print("gplint: warning: no files were linted: no Dockerfile, .dockerignore, CI file, build definition "
              "or Makefile under the given paths", file=sys.stderr)
    status_extra = 0
    fixes = None

    if args.fix or args.diff:
        from . import fix_session

        ctx = fix_session.RunContext(root, targets, selection, unsafe_fixes=args.unsafe_fixes)
        outcome = fix_session.plan_and_apply(ctx, result)
        if args.diff:
            diff = fix_session.unified_diff(outcome, result.sources, project)
            sys.stdout.write(diff)
            return 1 if diff else (2 if result.input_errors else 0)
        written = fix_session.write(outcome, result.sources, root)
        refused = set(outcome.texts) - written - {"-"}
        status_extra = len(refused)
        diagnostics = outcome.diagnostics
        if refused:  # what remains is what is on disk now: only the written files changed
            kept = {path: text for path, text in outcome.texts.items() if path in written}
            diagnostics = fix_session.relinter(ctx, result)(kept) if kept else result.diagnostics
        from .report.fixes import fix_report

        fixes = fix_report(outcome.fixes, written, refused, lambda p: project.display(p), args.show_fixes)

    def rel(diag):
        return project.rel(diag.source.abspath) if diag.source.abspath != "-" else diag.source.path

    if args.write_baseline or args.baseline:
        from . import baseline

        if args.write_baseline:
            baseline.write(args.write_baseline, diagnostics, rel)
            print(f"gplint: wrote {len(diagnostics)} findings to {args.write_baseline}", file=sys.stderr)
            return 2 if result.input_errors else 0
        diagnostics = baseline.new_findings(diagnostics, baseline.load(args.baseline), rel)

    try:
        _report(args, diagnostics, fixes, linted=bool(targets))
    except OSError as exc:
        print(f"gplint: cannot write {args.output_file}: {exc.strerror}", file=sys.stderr)
        return 2
    if result.input_errors or status_extra or project.unreadable:
        return 2
    if diagnostics and not args.exit_zero:
        return 1
    return 0


def _error(message) -> None:
    """A message for standard error, passwords masked (configuration and parser errors may
    quote a proxy URL)."""
    from .redact import redact

    print(f"gplint: {redact(str(message))}", file=sys.stderr)


def _cache(args, project, selection):
    """The result cache, salted with everything a file's findings depend on besides itself."""
    from .cache import ResultCache

    per_file = [(pattern, sorted(codes)) for pattern, codes in selection.per_file_ignores]
    config = repr((sorted(selection.enabled), per_file, sorted(selection.options.items())))
    return ResultCache(project, config, args.cache_dir)


def _report(args, diagnostics, fixes=None, linted: bool = True) -> None:
    """The report on standard output (or --output-file); passwords are masked here, for every
    format, so that no rule's message or fix can leak one. `fixes`: what --fix did."""
    from .redact import for_report

    diagnostics = for_report(diagnostics)
    # __import__, not importlib.import_module: importing importlib costs 0.5 ms of a small run
    name = f"{__package__}.report.{'json_format' if args.format == 'json' else args.format}"
    __import__(name)
    module = sys.modules[name]
    out = open(args.output_file, "w", encoding="utf-8") if args.output_file else sys.stdout
    try:
        if args.statistics:  # as ruff: the table replaces the listing
            from .report import statistics

            out.write(statistics.render(diagnostics, as_json=args.format == "json"))
        elif args.format == "text":
            colour = False if (args.no_color or args.output_file) else None
            out.write(module.render(diagnostics, colour=colour))
        else:
            out.write(module.render(diagnostics))
        if fixes is not None and fixes.lines and not args.quiet:
            # machine formats own standard output: the fix lines go to standard error
            stream = out if args.format == "text" else sys.stderr
            stream.write("".join(line + "\n" for line in fixes.lines))
        if args.format == "text" and not args.quiet and linted and not args.statistics:
            safe = sum(1 for d in diagnostics if d.fix and d.fix.edits and d.fix.applicability == "safe")
            unsafe = sum(1 for d in diagnostics if d.fix and d.fix.edits and d.fix.applicability == "unsafe")
            out.write(module.summary(diagnostics, safe, unsafe, fixed=fixes.fixed if fixes else 0,
                                     unwritten=fixes.unwritten if fixes else 0))
    finally:
        if out is not sys.stdout:
            out.close()


if __name__ == "__main__":
    sys.exit(main())
