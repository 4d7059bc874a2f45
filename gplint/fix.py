"""Applying fixes: non-overlapping text edits on the original characters, re-linted until stable,
reverted where the result no longer parses. writer.py writes the changed files."""
from __future__ import annotations

from collections.abc import Callable

from .diagnostic import Diagnostic, Edit
from .records import dataclass, field
from .source import Source

MAX_PASSES = 8


@dataclass
class FixOutcome:
    texts: dict[str, str] = field(default_factory=dict)  # abspath -> fixed text (only changed files)
    applied: dict[str, int] = field(default_factory=dict)  # abspath -> number of fixes applied
    reverted: dict[str, str] = field(default_factory=dict)  # abspath -> why its fixes were dropped
    diagnostics: list[Diagnostic] = field(default_factory=list)  # what remains after fixing
    # every fix taken: its diagnostic and the files its edits change (a fix may edit other files)
    fixes: list[tuple[Diagnostic, tuple[str, ...]]] = field(default_factory=list)
    read_as: dict[str, Source] = field(default_factory=dict)  # abspath -> the file the fixes were made on


def applicable(diag: Diagnostic, unsafe: bool) -> bool:
    return diag.fix is not None and bool(diag.fix.edits) and (diag.fix.applicability == "safe" or unsafe)


def apply_edits(text: str, edits: list[Edit]) -> str:
    """Apply non-overlapping edits (insertions at one point keep their given order)."""
    ordered = sorted(enumerate(edits), key=lambda pair: (pair[1].start, pair[1].end, pair[0]))
    out = []
    pos = 0
    for _, edit in ordered:
        out.append(text[pos:edit.start])
        out.append(edit.content)
        pos = max(pos, edit.end)
    out.append(text[pos:])
    return "".join(out)


def _duplicate(edit: Edit, taken: list[Edit]) -> bool:
    """Two rules inserting the same line at the same place (GP101 and GP105 both adding
    `ARG GOPROXY` to a stage) make one edit, not two. `taken`: the edits of the same file."""
    return any((o.start, o.end, o.content) == (edit.start, edit.end, edit.content) for o in taken)


def _overlaps(edit: Edit, taken: list[Edit]) -> bool:
    """Whether an edit collides with one already taken in the same file (`taken`)."""
    for other in taken:
        if edit.start == edit.end == other.start == other.end:
            continue  # two insertions at one point: both apply, in order
        if edit.start < other.end and other.start < edit.end:
            return True
        if (edit.start == edit.end and other.start < edit.start < other.end) or (
                other.start == other.end and edit.start < other.start < edit.end):
            return True
    return False


def _repeats(edit: Edit) -> bool:
    """An insertion of text that is already right there: a fix whose finding survived it (an
    earlier pass inserted this), which must not grow the file on every pass."""
    if edit.start != edit.end or not edit.content.strip():
        return False
    text, at, content = edit.source.text, edit.start, edit.content
    return text.startswith(content, at) or text[:at].endswith(content)


def fix_all(diagnostics: list[Diagnostic], unsafe: bool,
            relint: Callable[[dict[str, str]], list[Diagnostic]],
            parses: Callable[[str, str], str | None]) -> FixOutcome:
    """Fix, re-lint with the new texts, and repeat until no fix applies (bounded).

    relint(texts) lints again with `texts` (abspath -> text) overriding the files on disk;
    parses(abspath, text) returns None when the text is still valid, else why not.
    """
    outcome = FixOutcome()
    originals: dict[str, str] = {}
    read_as: dict[str, Source] = {}
    current: dict[str, str] = {}
    diags = diagnostics
    for _ in range(MAX_PASSES):
        per_file: dict[str, list[Edit]] = {}  # the edits taken in this pass, by file
        for diag in diags:
            if not applicable(diag, unsafe) or diag.fix.edits[0].source.abspath in outcome.reverted:
                continue
            if any(_repeats(e) for e in diag.fix.edits):
                continue  # the fix did not remove its finding: inserting again would only repeat it
            if any(e.source.abspath == "-" and diag.source.abspath != "-" for e in diag.fix.edits):
                continue
            edits = [e for e in diag.fix.edits if not _duplicate(e, per_file.get(e.source.abspath, ()))]
            if not edits or any(_overlaps(e, per_file.get(e.source.abspath, ())) for e in edits):
                continue
            for edit in edits:
                per_file.setdefault(edit.source.abspath, []).append(edit)
            outcome.applied[diag.source.abspath] = outcome.applied.get(diag.source.abspath, 0) + 1
            outcome.fixes.append((diag, tuple(sorted({e.source.abspath for e in edits}))))
        changed = False
        for path, edits in per_file.items():
            base = current.get(path, edits[0].source.text)
            originals.setdefault(path, edits[0].source.text)
            read_as.setdefault(path, edits[0].source)
            new = apply_edits(base, edits)
            if new != base:
                current[path] = new
                changed = True
        if not changed:
            break
        for path, text in list(current.items()):
            why = parses(path, text)
            if why is not None:
                outcome.reverted[path] = why
                del current[path]
        diags = relint(dict(current))
    outcome.texts = {p: t for p, t in current.items() if t != originals.get(p)}
    outcome.read_as = {p: read_as[p] for p in outcome.texts}
    outcome.diagnostics = relint(dict(outcome.texts)) if outcome.texts else diagnostics
    return outcome
