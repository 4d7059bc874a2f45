"""Edits that rules make to Dockerfiles, in the file's own style (instruction case, newlines)."""
from __future__ import annotations

from ..diagnostic import Edit
from ..model import Document, Scope, Setting
from ..source import Span


def parsed_of(doc: Document):
    """The Dockerfile's instructions (imported on the first Dockerfile fix: a run with no
    Dockerfile does not load the Dockerfile parser)."""
    from ..formats.dockerfile import parsed_of

    return parsed_of(doc)


def keyword_case(doc: Document, keyword: str) -> str:
    """`ARG` or `arg`, following how the file writes its instructions (decided once per
    document: every fix asks, and a file with 10,000 stages has 10,000 fixes)."""
    lower = doc.keywords_lower
    if lower is None:
        parsed = parsed_of(doc)
        raws = [i.keyword_raw for i in parsed.instructions] if parsed is not None else []
        lower = doc.keywords_lower = bool(raws) and sum(r.islower() for r in raws) > len(raws) / 2
    return keyword.lower() if lower else keyword


def insert_after_from(doc: Document, scope: Scope, line: str) -> Edit:
    """Insert an instruction line right after the stage's FROM (and the ARG block after it)."""
    source = doc.source
    at = scope.header_end
    newline = source.newline
    prefix = "" if at == 0 or source.text[at - 1] == "\n" else newline
    return Edit.insert(source, at, prefix + line + newline)


def arg_line(doc: Document, name: str) -> str:
    return f"{keyword_case(doc, 'ARG')} {name}"


def instruction_of(doc: Document, stmt: Span):
    """The parsed instruction that starts where `stmt` does (an index built once per document)."""
    index = doc.instruction_at
    if index is None:
        parsed = parsed_of(doc)
        index = doc.instruction_at = {}
        for inst in parsed.instructions if parsed else ():
            index.setdefault(inst.start, inst)
    return index.get(stmt.start)


def delete_setting(doc: Document, setting: Setting) -> Edit | None:
    """Remove one NAME=VALUE: the whole instruction when it is its only pair, else the pair.
    A YAML `NAME: value` pair goes with its line, unless it is the mapping's only entry."""
    source = setting.source  # an included CI file, not the root, when the value is written there
    text = source.text
    siblings = [s for s in _settings_in(doc, setting.stmt) if s.how == setting.how]
    if setting.how in ("ci-env", "variables"):
        line_start = text.rfind("\n", 0, setting.span.start) + 1
        line_end = source.line_end(setting.span.end)
        alone = not text[line_start:setting.span.start].strip() and not text[setting.span.end:line_end].strip()
        if not alone or len(siblings) <= 1 or "\n" in text[setting.span.start:setting.span.end]:
            return None
        return Edit.delete(source, Span(line_start, line_end))
    if setting.how in ("env", "arg") and len(siblings) <= 1:
        start = text.rfind("\n", 0, setting.stmt.start) + 1
        return Edit.delete(source, Span(start, source.line_end(setting.stmt.end)))
    # the pair and one gap beside it: the gap after it when another word follows in the same
    # statement, else the gap before it (no trailing blank, no dangling line continuation)
    parsed = parsed_of(doc)
    escape = parsed.escape if parsed is not None else "\\"
    stmt_end = max(setting.stmt.end, setting.span.end)
    after = _gap_end(text, setting.span.end, stmt_end, escape)
    if after < stmt_end and text[after] not in "\r\n#":
        return Edit.delete(source, Span(setting.span.start, after))
    start = _gap_start(text, setting.span.start, setting.stmt.start, escape)
    start_line = text.rfind("\n", 0, start) + 1
    if text[start - 1:start] == "\n" or text[start_line:start].lstrip(" \t").startswith("#"):
        # Comment or blank lines precede it (a comment may end in the escape too), which BuildKit
        # skips inside a continuation (§16.5). Deleting the gap back to them would leave
        # `A=1 \` then skipped lines, and the next instruction would join this one. Keep those
        # lines, as they are, outside the edit.
        return _delete_after_skipped_lines(source, setting, siblings, escape)
    return Edit.delete(source, Span(start, setting.span.end))


def _delete_after_skipped_lines(source, setting: Setting, siblings: list, escape: str) -> Edit | None:
    """Delete a pair that starts its line and follows comment or blank lines of a continuation.
    Followed by a continuation, its whole line goes. Last in the instruction, the instruction
    now ends after the previous pair: its escape goes, and the skipped lines stay after it."""
    text = source.text
    line_start = text.rfind("\n", 0, setting.span.start) + 1
    if text[line_start:setting.span.start].strip(" \t"):
        return None  # something else starts its line
    k = setting.span.end
    while k < len(text) and text[k] in " \t":
        k += 1
    if (n := _continuation_at(text, k, escape)):
        return Edit.delete(source, Span(line_start, k + n))
    if text[k:k + 1] not in ("\r", "\n", ""):
        return None
    before = [s.span.end for s in siblings if s.span.end <= setting.span.start and s is not setting]
    if not before:
        return None
    prev_end = max(before)
    first_break = text.find("\n", prev_end, line_start)
    if first_break == -1 or text[prev_end:first_break].strip(" \t\r") != escape:
        return None  # not just the previous pair's escape: leave it alone
    skipped = text[first_break + 1:line_start]
    if any(line.strip(" \t\r") and not line.lstrip(" \t").startswith("#") for line in skipped.split("\n")):
        return None
    line_break = "\r\n" if text[first_break - 1:first_break] == "\r" else "\n"
    kept = skipped[:-1].removesuffix("\r")  # the pair's own line break ends the last kept line
    return Edit.replace(source, Span(prev_end, k), line_break + kept)


def _continuation_at(text: str, i: int, escape: str) -> int:
    """The length of an escaped line break (escape, optional blanks, newline) at i, else 0."""
    if text[i:i + 1] != escape:
        return 0
    j = i + 1
    while j < len(text) and text[j] in " \t":
        j += 1
    if text[j:j + 2] == "\r\n":
        return j + 2 - i
    return j + 1 - i if text[j:j + 1] == "\n" else 0


def _gap_end(text: str, i: int, limit: int, escape: str) -> int:
    """The end of the blanks and escaped line breaks starting at i."""
    while i < limit:
        if text[i] in " \t":
            i += 1
        elif (n := _continuation_at(text, i, escape)) and i + n <= limit:
            i += n
        else:
            break
    return i


def _gap_start(text: str, i: int, limit: int, escape: str) -> int:
    """The start of the blanks and escaped line breaks that end at i."""
    while i > limit:
        if text[i - 1] in " \t":
            i -= 1
            continue
        if text[i - 1] != "\n":
            break
        j = i - 1
        if j > limit and text[j - 1] == "\r":
            j -= 1
        while j > limit and text[j - 1] in " \t":
            j -= 1
        if not (j > limit and text[j - 1] == escape):
            break  # a comment line inside the continuation: stop before it
        i = j - 1
    return i


def _settings_in(doc: Document, stmt: Span):
    """The settings written in one statement (grouped once per document, not a scan per fix)."""
    index = doc.settings_by_stmt
    if index is None:
        index = doc.settings_by_stmt = {}
        seen = set()
        for setting in doc.settings():
            if id(setting) not in seen:
                seen.add(id(setting))
                index.setdefault((setting.stmt.start, setting.stmt.end), []).append(setting)
    return index.get((stmt.start, stmt.end), [])
