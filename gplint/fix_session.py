"""The fix session: check -> fix plan -> apply -> re-lint -> write, or a diff instead of the
write. The CLI hands it a RunContext (what is linted, with which selection and options) and
the lint result; nothing here reads the command line or goes back into the CLI. Passwords are
masked where text leaves the process (the diff and the messages), as in the reports."""
from __future__ import annotations

import os
import sys

from .project import Project
from .records import dataclass

TYPE_CHECKING = False  # true for type checkers only: the fix path does not import typing
if TYPE_CHECKING:
    from .config import Selection


@dataclass(slots=True)
class RunContext:
    """One run's inputs, fixed before linting starts. Every Project of the run (the first
    lint and each re-lint of fixed texts) is built from it, so none loses the options."""

    root: str
    targets: list
    selection: Selection
    unsafe_fixes: bool = False

    def project(self, overrides: dict[str, str] | None = None) -> Project:
        return Project(self.root, overrides=overrides or {}, options=self.selection.options)


def _error(message) -> None:
    from .redact import redact

    print(f"gplint: {redact(str(message))}", file=sys.stderr)


def relinter(ctx: RunContext, result):
    """relint(texts): the findings with `texts` (abspath -> text) in place of the files."""
    from .runner import lint

    def relint(texts: dict[str, str]):
        return lint(ctx.targets, ctx.project(texts), ctx.selection, overrides=texts,
                    originals=result.sources).diagnostics

    return relint


def plan_and_apply(ctx: RunContext, result):
    """Apply the fixes of the lint result (re-linting after each round) to texts in memory."""
    from .fix import fix_all

    relint = relinter(ctx, result)

    def parses(abspath: str, text: str) -> str | None:
        from .discover import named_kind

        source = result.sources.get(abspath)
        if source is not None:
            kind = source.kind
        else:  # a file another file's fix edits: a Dockerfile (GP105), an included CI file
            kind = named_kind(os.path.basename(abspath)) or (
                "gitlab" if abspath.endswith((".yml", ".yaml")) else "dockerfile")
        return parse_problem(kind, text)

    return fix_all(result.diagnostics, ctx.unsafe_fixes, relint, parses)


def parse_problem(kind: str, text: str) -> str | None:
    """Why a fixed text would no longer parse, or None."""
    from .project import lower
    from .source import Source

    try:
        doc = lower(Source("fixed", "-", kind, text))
    except Exception as exc:  # a fix must never leave a file our own parser rejects
        return f"the fixed text does not parse ({exc})"
    if doc.problems:  # each is a GP001
        return "the fixed text does not parse"
    return None


def unified_diff(outcome, sources, project) -> str:
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


def write(outcome, sources, root: str) -> set[str]:
    """Write the fixed files (writer.py); say which fixes were dropped and which files were not
    written. Returns the paths written."""
    from .writer import write_fixes

    for path, why in outcome.reverted.items():
        _error(f"{path}: fixes not applied: {why}")
    result = write_fixes(outcome.texts, sources, root, outcome.read_as)
    for shown, why in result.refused:
        _error(f"{shown}: {why}")
    return set(result.written)
