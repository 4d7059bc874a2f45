"""Running the rules: lower each file, call the checks for its kind, apply suppressions and the
user's selection. Input that cannot be used becomes a GP001 diagnostic, never a traceback."""
from __future__ import annotations

from .diagnostic import Diagnostic
from .lazy_regex import lazy
from .model import InputProblem
from .project import Project
from .records import dataclass, field
from .registry import resolve_selector
from .source import Source, Span

_SUPPRESSION = lazy(r"#\s*gplint:\s*(ignore|ignore-file)\[([^\]]*)\]")


@dataclass(slots=True)
class Suppression:
    line: int
    codes: set[str]
    span: Span
    whole_file: bool
    used: set[str] = field(default_factory=set)
    unknown: list[str] = field(default_factory=list)  # items that name no rule (a typo silences nothing)


def suppressions(source: Source) -> list[Suppression]:
    if "gplint:" not in source.text:
        return []
    found = []
    for m in _SUPPRESSION.finditer(source.text):
        codes: set[str] = set()
        unknown: list[str] = []
        for item in m.group(2).split(","):
            if item.strip():
                resolved = resolve_selector(item.strip())
                codes |= resolved
                if not resolved:
                    unknown.append(item.strip())
        line = source.line_col(m.start())[0]
        found.append(Suppression(line, codes, Span(m.start(), m.end()), m.group(1) == "ignore-file",
                                 unknown=unknown))
    return found


def _comment_block_above(source: Source, line: int) -> list[int]:
    """Line numbers of the comment lines directly above `line` (nearest first)."""
    out = []
    probe = line - 1
    while probe >= 1:
        text = source.line_text(probe).strip()
        if not text.startswith("#"):
            break
        out.append(probe)
        probe -= 1
    return out


def is_suppressed(diag: Diagnostic, marks: list[Suppression]) -> bool:
    if not marks:
        return False
    source = diag.source
    line = source.line_col(diag.span.start)[0]
    lines = {line, *_comment_block_above(source, line)}
    if diag.stmt is not None:
        stmt_line = source.line_col(diag.stmt.start)[0]
        lines |= {stmt_line, *_comment_block_above(source, stmt_line)}
    for mark in marks:
        if diag.code in mark.codes and (mark.whole_file or mark.line in lines):
            mark.used.add(diag.code)
            return True
    return False


def lower_source(project: Project, source: Source):
    """Lower a linted file, keeping it in the project so cross-file rules reuse it."""
    from . import analysis  # noqa: F401  (it follows the hand-offs the build graph registers)
    from .project import lower

    doc = lower(source, project)
    project.builds.register(doc, project)
    if source.abspath != "-":
        project.set_document(project.rel(source.abspath), doc)
        project.add_source(project.rel(source.abspath), source)
    return doc


def unusable_input(source: Source, problem: InputProblem) -> Diagnostic:
    """The one way input gplint cannot use is reported: a GP001 diagnostic. Lowering records its
    problems on the document, checking records a rule that gave up, and reading a file (runner)
    reports a file it could not lower at all: all of them come here."""
    return Diagnostic("GP001", source, problem.span, problem.message)


def unusable(source: Source, message: str, line: int = 1, column: int = 1) -> Diagnostic:
    """A file that could not be lowered at all, at a line and column."""
    offset = source.offset(line, column) if source.text else 0
    return unusable_input(source, InputProblem(Span(offset, offset), message))


def check_document(doc, project: Project, selected) -> list[Diagnostic]:
    """Every selected rule's diagnostics for one lowered document, suppressions applied."""
    source = doc.source
    problems = list(doc.problems)  # a copy: the document is checked again after a fix
    found: list[Diagnostic] = []
    from .rules import for_kind  # the rules are imported when a file of their kind is first checked

    for rule in for_kind(source.kind):
        code = rule.CODE
        if not selected(code, source.path):
            continue
        try:
            found.extend(rule.check(doc, project))
        except RecursionError:
            problems.append(InputProblem(Span(0, 0), f"{code}: input nested too deeply to analyse"))
    out = [unusable_input(source, problem) for problem in problems] + _with_hops(doc, found)
    marks = suppressions(source)
    other_marks: dict[str, list[Suppression]] = {}  # findings placed in included files

    def marks_for(diag: Diagnostic) -> list[Suppression]:
        if diag.source.abspath == source.abspath:
            return marks
        if diag.source.abspath not in other_marks:
            other_marks[diag.source.abspath] = suppressions(diag.source)
        return other_marks[diag.source.abspath]

    kept = [d for d in out if d.code == "GP001" or not is_suppressed(d, marks_for(d))]
    if selected("GP002", source.path):
        for mark in marks:
            unused = sorted(c for c in mark.codes if c not in mark.used and selected(c, source.path))
            if unused and not any(c in mark.used for c in mark.codes):
                kept.append(Diagnostic("GP002", source, mark.span,
                                       f"unused suppression: no {', '.join(unused)} diagnostic here to ignore",
                                       key=f"suppression:{','.join(sorted(mark.codes))}"))
            if mark.unknown:
                noun = "code" if len(mark.unknown) == 1 else "codes"
                kept.append(Diagnostic("GP002", source, mark.span,
                                       f"unused suppression: unknown rule {noun} {', '.join(mark.unknown)}, "
                                       "which ignores nothing (`gplint rules` lists the rules)",
                                       key=f"suppression-unknown:{','.join(mark.unknown)}"))
    kept.sort(key=lambda d: d.sort_key)
    return dedupe(kept)


def _with_hops(doc, diags: list[Diagnostic]) -> list[Diagnostic]:
    """A finding on a go command reached through make or a script (`RUN make build`) gets the
    hops of that chain as related locations, whichever rule found it (analysis.go_runs)."""
    chained = [r.command for r in doc.go_runs or () if r.command.hops]
    if not chained:
        return diags
    for diag in diags:
        if diag.related or diag.source is not doc.source:
            continue
        for command in chained:
            if command.span == diag.span and command.label in diag.message:
                diag.related = list(command.hops)
                break
    return diags


def dedupe(diags: list[Diagnostic]) -> list[Diagnostic]:
    """Each finding once, in order: two with the same rule, file, place and message are one.
    A document's check can find one twice, and so can a run (a Makefile's build line is reached
    from a CI job and from the Makefile itself); dropping the copy drops its fix too, so --fix
    never applies the same edit twice."""
    seen = set()
    out = []
    for d in diags:
        key = (d.code, d.source.path, d.span.start, d.span.end, d.message)
        if key not in seen:
            seen.add(key)
            out.append(d)
    return out

