"""What `--fix` did, file by file: one line per changed file (also the files a fix of another
file's finding edits, such as a Dockerfile that GP105 gives an ARG), with `--show-fixes` the
rules behind each, and the counts for the summary line."""
from __future__ import annotations

from collections import Counter

from ..records import dataclass, field
from .common import rule_name


@dataclass
class FixReport:
    lines: list[str] = field(default_factory=list)  # one per changed file (details indented below)
    fixed: int = 0  # fixes whose every edited file was written
    unwritten: int = 0  # fixes with an edit in a file that could not be written


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _details(diags, where=None) -> list[str]:
    counts = Counter(d.code for d in diags)
    tail = f" in {where}" if where else ""
    return [f"    {n} × {code} ({rule_name(code)}){tail}" for code, n in sorted(counts.items())]


def fix_report(fixes, written: set[str], refused: set[str], display, show_fixes: bool) -> FixReport:
    """fixes: (diagnostic, abspaths its edits change) for every fix taken; written / refused:
    the files written and the files that could not be; display(abspath) -> the name shown."""
    report = FixReport()
    done = [(d, files) for d, files in fixes if files and all(f in written for f in files)]
    report.fixed = len(done)
    report.unwritten = sum(1 for _, files in fixes if any(f in refused for f in files))
    for path in sorted(written, key=display):
        own = [d for d, files in done if d.source.abspath == path]
        foreign = [d for d, files in done if path in files and d.source.abspath != path]
        origins = ", ".join(sorted({display(d.source.abspath) for d in foreign}))
        also = f"{_plural(len(foreign), 'fix of a finding', 'fixes of findings')} in {origins}"
        name = display(path)
        if own and foreign:
            line = f"Fixed {_plural(len(own), 'finding', 'findings')} in {name}, and changed it for {also}."
        elif own:
            line = f"Fixed {_plural(len(own), 'finding', 'findings')} in {name}."
        elif foreign:
            line = f"Changed {name} for {also}."
        else:  # edited by fixes that were later undone elsewhere: still say it changed
            line = f"Changed {name}."
        report.lines.append(line)
        if show_fixes:
            report.lines.extend(_details(own))
            by_origin: dict[str, list] = {}
            for d in foreign:
                by_origin.setdefault(display(d.source.abspath), []).append(d)
            for origin, diags in sorted(by_origin.items()):
                report.lines.extend(_details(diags, origin))
    return report
