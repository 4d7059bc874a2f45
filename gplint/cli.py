"""Command line: arguments, output and exit codes (0 clean, 1 diagnostics remain, 2 usage,
configuration or input errors). The work itself is in runner.py, engine.py and fix.py."""
from __future__ import annotations

import argparse
import os
import sys

from . import __version__

FORMATS = ("text", "concise", "json", "sarif", "github", "gitlab")


def _help_formatter(prog: str) -> argparse.HelpFormatter:
    """argparse's formatter, told the width: left alone it imports shutil (~2.5 ms) to ask."""
    columns = os.environ.get("COLUMNS", "")
    try:
        width = int(columns) if columns.isdigit() else os.get_terminal_size().columns
    except OSError:
        width = 80
    return argparse.HelpFormatter(prog, width=max(width - 2, 40))


def _parser() -> argparse.ArgumentParser:
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
    p.add_argument("--kind", choices=("dockerfile", "dockerignore", "github", "action", "gitlab"),
                   help="treat the given files as this kind")
    p.add_argument("--stdin-filename", metavar="NAME", help="the name standard input stands for")
    p.add_argument("--exit-zero", action="store_true", help="exit 0 even when diagnostics remain")
    p.add_argument("--quiet", "-q", action="store_true", help="print diagnostics only, no summary")
    p.add_argument("--no-color", action="store_true", help="never colour the text output")
    p.add_argument("--watch", action="store_true", help="lint again whenever a file changes (Ctrl-C stops)")
    return p


def _split(values) -> list[str]:
    return [item.strip() for v in values or [] for item in v.split(",") if item.strip()]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        if argv and argv[0] == "rule":
            return _show_rule(argv[1:])
        if argv and argv[0] == "rules":
            return _list_rules()
        if argv and argv[0] == "server":
            from .server import main as serve  # imports pygls only here

            return serve(argv[1:])
        args = _parser().parse_args(argv)
        if args.watch:
            from .watch import watch

            return watch(args, lambda: _without_cyclic_gc(_lint, args))
        return _without_cyclic_gc(_lint, args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 1


def _without_cyclic_gc(run, *args):
    """Run with Python's cyclic garbage collector paused. A lint builds large trees that live
    until the report and contain no garbage cycles worth collecting, yet each automatic full
    collection walks all of them again: pausing it saves ~25% of the CPU time of a big run with
    the same peak memory (measured on the reference corpus). Reference counting still frees
    everything that is not a cycle. Worker processes inherit the pause."""
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return run(*args)
    finally:
        if was_enabled:
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
    from .config import ConfigError, build_selection
    from .discover import find_root
    from .project import Project
    from .runner import UsageError, collect_targets, lint

    if args.stdin_filename and "-" not in args.paths:
        args.paths.append("-")
    paths = args.paths or ["."]
    first = next((p for p in paths if p != "-"), args.stdin_filename or ".")
    try:
        selection = build_selection(first if os.path.exists(first) else ".", _split(args.select),
                                    _split(args.extend_select), _split(args.ignore), args.config,
                                    preview=args.preview)
    except ConfigError as exc:
        _error(exc)
        return 2
    root = find_root(first if os.path.exists(first) else ".")
    project = Project(root)
    try:
        targets = collect_targets(paths, args.kind, args.stdin_filename, project)
    except UsageError as exc:
        print(f"gplint: {exc}", file=sys.stderr)
        return 2
    for path, why, routine in project.skipped:  # named files gplint cannot tell the kind of
        if not (routine and args.quiet):
            print(f"gplint: {'note' if routine else 'warning'}: {path}: not linted: {why}", file=sys.stderr)
    for folder, why in project.unreadable:  # a folder gplint could not look into fails the run
        print(f"gplint: {project.display(folder)}: cannot read folder: {why}", file=sys.stderr)
    project.options = selection.options
    cache = None if (args.no_cache or args.fix or args.diff) else _cache(args, project, selection)
    result = lint(targets, project, selection, jobs=args.jobs, cache=cache)
    if cache is not None:
        cache.save()
    if paths and all(p != "-" and os.path.isfile(p) for p in paths):
        from .runner import companions

        result.diagnostics.extend(companions(targets, project, selection))
    diagnostics = result.diagnostics
    if not targets:  # "All checks passed." would claim a check that never ran
        print("gplint: warning: no files were linted: no Dockerfile, .dockerignore, workflow, action or "
              "GitLab CI file under the given paths", file=sys.stderr)
    status_extra = 0
    fixes = None

    if args.fix or args.diff:
        outcome = _fix(args, targets, root, selection, result)
        if args.diff:
            diff = _diff(outcome, result.sources, project)
            sys.stdout.write(diff)
            return 1 if diff else (2 if result.input_errors else 0)
        written = _write(outcome, result.sources, root)
        refused = set(outcome.texts) - written - {"-"}
        status_extra = len(refused)
        diagnostics = outcome.diagnostics
        if refused:  # what remains is what is on disk now: only the written files changed
            kept = {path: text for path, text in outcome.texts.items() if path in written}
            diagnostics = _relinter(targets, root, selection, result)(kept) if kept else result.diagnostics
        from .report.fixes import fix_report

        fixes = fix_report(outcome.fixes, written, refused, lambda p: project.display(p), args.show_fixes)

    def rel(diag):
        return project.rel(diag.source.abspath) if diag.source.abspath != "-" else diag.source.path

    if args.write_baseline or args.baseline:
        from . import baseline

        try:
            if args.write_baseline:
                baseline.write(args.write_baseline, diagnostics, rel)
                print(f"gplint: wrote {len(diagnostics)} findings to {args.write_baseline}", file=sys.stderr)
                return 2 if result.input_errors else 0
            diagnostics = baseline.new_findings(diagnostics, baseline.load(args.baseline), rel)
        except baseline.BaselineError as exc:
            _error(exc)
            return 2

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


def _relinter(targets, root, selection, result):
    """relint(texts): the findings with `texts` (abspath -> text) in place of the files."""
    from .project import Project
    from .runner import lint

    def relint(texts: dict[str, str]):
        fresh = Project(root, overrides=texts)
        fresh.options = selection.options  # the policy rules (GP303, GP304) read them
        return lint(targets, fresh, selection, overrides=texts, originals=result.sources).diagnostics

    return relint


def _fix(args, targets, root, selection, result):
    from .fix import fix_all

    relint = _relinter(targets, root, selection, result)

    def parses(abspath: str, text: str) -> str | None:
        from .discover import kind_of

        source = result.sources.get(abspath)
        if source is not None:
            kind = source.kind
        else:  # a file another file's fix edits: a Dockerfile (GP105), an included CI file
            kind = kind_of(os.path.basename(abspath)) or (
                "gitlab" if abspath.endswith((".yml", ".yaml")) else "dockerfile")
        return _parse_problem(kind, text)

    return fix_all(result.diagnostics, args.unsafe_fixes, relint, parses)


def _parse_problem(kind: str, text: str) -> str | None:
    """Why a fixed text would no longer parse, or None."""
    from .project import lower
    from .source import Source

    try:
        doc = lower(Source("fixed", "-", kind, text))
    except Exception as exc:  # a fix must never leave a file our own parser rejects
        return f"the fixed text does not parse ({exc})"
    if any(code == "GP001" for code, _span, _msg in doc.problems):
        return "the fixed text does not parse"
    return None


def _diff(outcome, sources, project) -> str:
    """The fixes as a unified diff, passwords masked on every line (context, removed and added).

    A masked removed line no longer matches the file, so `patch` and `git apply` reject its
    hunk rather than write `****` into the file; a note says so and points at --fix, which
    writes the real bytes. A hunk that would add a masked password without removing one could
    still apply (patch may even skip unmatched context lines), so such a file's diff is left out
    with a note. Fixes never copy a password (rules forbid spreading a reported value): that
    case is a safety net."""
    import difflib

    from .redact import redact

    chunks = []
    for path, text in sorted(outcome.texts.items()):
        source = sources.get(path) or project.source(project.rel(path), "dockerfile")
        before = source.text if source else ""
        name = source.path if source else path
        shown: list[str] = []
        masked_change = unsafe = False
        masked = {"-": False, "+": False}  # in the current hunk
        for line in difflib.unified_diff(before.splitlines(keepends=True), text.splitlines(keepends=True),
                                         fromfile=f"a/{name}", tofile=f"b/{name}"):
            if line.startswith(("--- ", "+++ ", "@@ ")):
                if line.startswith("@@ "):  # a hunk applies as a whole: judge the one before
                    unsafe |= masked["+"] and not masked["-"]
                    masked = {"-": False, "+": False}
                shown.append(line)
                continue
            out = redact(line)
            if out != line and line[0] in masked:
                masked[line[0]] = masked_change = True
            shown.append(out)
        unsafe |= masked["+"] and not masked["-"]
        if unsafe:
            print(f"gplint: {name}: a fix writes a password on a line it adds; its diff is left out, as "
                  "masked it would write **** into the file: `gplint --fix` applies it", file=sys.stderr)
            continue
        chunks.extend(shown)
        if masked_change:
            print(f"gplint: {name}: the diff shows passwords as ****, so it does not apply as a patch; "
                  "`gplint --fix` applies these fixes", file=sys.stderr)
    out = "".join(chunks)
    if out and not out.endswith("\n"):
        out += "\n"
    return out


def _write(outcome, sources, root: str) -> set[str]:
    """Write the fixed files (writer.py); say which fixes were dropped and which files were not
    written. Returns the paths written."""
    from .writer import write_fixes

    for path, why in outcome.reverted.items():
        _error(f"{path}: fixes not applied: {why}")
    result = write_fixes(outcome.texts, sources, root, outcome.read_as)
    for shown, why in result.refused:
        _error(f"{shown}: {why}")
    return set(result.written)


def _report(args, diagnostics, fixes=None, linted: bool = True) -> None:
    """The report on standard output (or --output-file); passwords are masked here, for every
    format, so that no rule's message or fix can leak one. `fixes`: what --fix did."""
    import importlib

    from .redact import for_report

    diagnostics = for_report(diagnostics)
    module = importlib.import_module(f".report.{'json_format' if args.format == 'json' else args.format}", __package__)
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
