"""Applying fixes: non-overlapping text edits on the original characters, re-linted until stable,
reverted where the result no longer parses. writer.py writes the changed files."""
from __future__ import annotations

import bisect
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


class _Taken:
    """The edits taken in one file in one pass, indexed so that asking whether a new edit
    duplicates or collides with one of them costs O(log n), not a scan (a Dockerfile with
    10,000 stages has 10,000 fixes: scanning made --fix quadratic).

    Two edits collide when they overlap (`s < b and a < e` for [s, e) against [a, b)); two
    insertions at one point both apply, in order, and so does an insertion at either end of a
    replaced range. Taken edits never collide with each other, so their non-empty ranges are
    disjoint: sorted by start, they are sorted by end too."""

    __slots__ = ("starts", "ranges", "exact", "edits")

    def __init__(self):
        self.starts: list[int] = []  # start of every taken edit, sorted
        self.ranges: list[tuple[int, int]] = []  # (start, end) of the non-empty ones, sorted
        self.exact: set[tuple[int, int, str]] = set()
        self.edits: list[Edit] = []

    def duplicate(self, edit: Edit) -> bool:
        """Two rules inserting the same line at the same place (GP101 and GP105 both adding
        `ARG GOPROXY` to a stage) make one edit, not two."""
        return (edit.start, edit.end, edit.content) in self.exact

    def collides(self, edit: Edit) -> bool:
        s, e = edit.start, edit.end
        if bisect.bisect_right(self.starts, s) < bisect.bisect_left(self.starts, e):
            return True  # a taken edit starts strictly inside (s, e)
        i = bisect.bisect_left(self.ranges, (s, -1))
        if s < e and i < len(self.ranges) and self.ranges[i][0] == s:
            return True  # both replace text from the same point
        return i > 0 and self.ranges[i - 1][1] > s  # the range before s reaches past it

    def add(self, edit: Edit) -> None:
        bisect.insort(self.starts, edit.start)
        if edit.start < edit.end:
            bisect.insort(self.ranges, (edit.start, edit.end))
        self.exact.add((edit.start, edit.end, edit.content))
        self.edits.append(edit)


def _collide_among(edits: list[Edit]) -> bool:
    """Whether two edits of one fix collide with each other (a fix has a handful of edits)."""
    for i, a in enumerate(edits):
        for b in edits[i + 1:]:
            if a.source.abspath == b.source.abspath and a.start < b.end and b.start < a.end:
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
        per_file: dict[str, _Taken] = {}  # the edits taken in this pass, by file
        for diag in diags:
            if not applicable(diag, unsafe) or diag.fix is None or diag.fix.edits[0].source.abspath in outcome.reverted:
                continue
            if any(_repeats(e) for e in diag.fix.edits):
                continue  # the fix did not remove its finding: inserting again would only repeat it
            if any(e.source.abspath == "-" and diag.source.abspath != "-" for e in diag.fix.edits):
                continue
            edits = [e for e in diag.fix.edits
                     if not (e.source.abspath in per_file and per_file[e.source.abspath].duplicate(e))]
            if not edits:
                # another finding's fix makes exactly these edits (GP101 and GP105 both adding
                # `ARG GOPROXY`): the same change fixes this finding too, and the summary says so
                outcome.fixes.append((diag, tuple(sorted({e.source.abspath for e in diag.fix.edits}))))
                continue
            if any(e.source.abspath in per_file and per_file[e.source.abspath].collides(e) for e in edits):
                continue
            if _collide_among(edits):
                continue
            for edit in edits:
                per_file.setdefault(edit.source.abspath, _Taken()).add(edit)
            outcome.applied[diag.source.abspath] = outcome.applied.get(diag.source.abspath, 0) + 1
            outcome.fixes.append((diag, tuple(sorted({e.source.abspath for e in edits}))))
        changed = False
        for path, taken in per_file.items():
            edits = taken.edits
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
