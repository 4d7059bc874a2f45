"""Dockerfile syntax: instructions with exact positions, words, flags and builder substitution.

dockerfile-parse reports only line numbers and costs ~2.5 ms for its ARG/ENV views, so the lint
path uses this lexer (positions to the character, heredocs, `# escape=`); the test suite uses
dockerfile-parse as an independent check that fixed files still parse.
"""
from __future__ import annotations

import re

from ..records import dataclass, field
from ..source import Span

_DIRECTIVE = re.compile(r"#\s*([A-Za-z]+)\s*=\s*(.*?)\s*$")
_KEYWORD = re.compile(r"[ \t]*([A-Za-z]+)")
_HEREDOC = re.compile(r"<<(-?)\s*(['\"]?)([A-Za-z_][A-Za-z0-9_.-]*)\2")
HEREDOC_INSTRUCTIONS = {"RUN", "COPY", "ADD"}


@dataclass(slots=True)
class Heredoc:
    delimiter: str
    body: Span  # the lines between the opening line and the delimiter line
    strip_tabs: bool
    quoted: bool


@dataclass(slots=True)
class Word:
    value: str  # after quote removal (no substitution)
    raw: str
    start: int
    end: int


@dataclass(slots=True)
class Instruction:
    keyword: str  # upper-case
    keyword_raw: str
    start: int  # first character of the keyword
    end: int  # end of the instruction's text, heredoc bodies included, line ending excluded
    args_start: int  # first character after the keyword and its blank
    args_end: int  # end of the instruction line(s), before any heredoc body
    line: int
    heredocs: list[Heredoc] = field(default_factory=list)
    flags: dict[str, Word] = field(default_factory=dict)  # --name=value (last one wins; mounts kept apart)
    mounts: list[Word] = field(default_factory=list)
    rest_start: int = 0  # first character after the flags


@dataclass(slots=True)
class ParsedDockerfile:
    instructions: list[Instruction]
    escape: str
    directives: dict[str, str]


def parse(text: str) -> ParsedDockerfile:
    """Split a Dockerfile into instructions; never raises."""
    lines = _lines(text)
    directives: dict[str, str] = {}
    escape = "\\"
    i = 0
    # Parser directives: only leading `# key=value` comment lines (a blank line or any other line ends them).
    while i < len(lines):
        start, end = lines[i]
        m = _DIRECTIVE.fullmatch(text[start:end].rstrip("\r"))
        if not m or m.group(1).lower() in directives:
            break
        directives[m.group(1).lower()] = m.group(2)
        i += 1
    if directives.get("escape") in ("`", "\\"):
        escape = directives["escape"]

    instructions: list[Instruction] = []
    texts = text.split("\n")  # the same lines as `lines`, as strings (one C call)
    count = len(lines)
    keyword = _KEYWORD.match
    while i < count:
        line = texts[i]
        stripped = line.lstrip()
        if not stripped or stripped[0] == "#" or stripped == "\r":
            i += 1
            continue
        m = keyword(line)
        if not m:
            i += 1
            continue
        start = lines[i][0]
        kw_start = start + m.start(1)
        kw_end = start + m.end(1)
        first_line = i
        # follow line continuations; blank and comment lines inside them are dropped by Docker
        while texts[i].rstrip(" \t\r").endswith(escape) and _continues(texts[i].rstrip("\r"), escape):
            k = i + 1
            while k < count and _is_blank_or_comment(texts[k]):
                k += 1
            if k >= count:
                break
            i = k
        last_end = _strip_cr(text, lines[i][0], lines[i][1])
        args_start = kw_end + 1 if kw_end < last_end else kw_end
        inst = Instruction(
            keyword=m.group(1).upper(), keyword_raw=m.group(1), start=kw_start, end=last_end,
            args_start=min(args_start, last_end), args_end=last_end, line=first_line + 1,
        )
        i += 1
        if inst.keyword in HEREDOC_INSTRUCTIONS and "<<" in text[inst.args_start:inst.args_end]:
            i = _read_heredocs(text, lines, i, inst)
        if inst.keyword in FLAG_INSTRUCTIONS:
            _read_flags(text, inst, escape)
        else:
            inst.rest_start = _skip_blanks(text, inst.args_start, inst.args_end, escape)
        instructions.append(inst)
    return ParsedDockerfile(instructions, escape, directives)


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line, end excluding the '\\n' (a final empty line included)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        out.append((pos, pos + len(line)))
        pos += len(line) + 1
    return out


def _is_blank_or_comment(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _strip_cr(text: str, start: int, end: int) -> int:
    return end - 1 if end > start and text[end - 1] == "\r" else end


def _continues(line: str, escape: str) -> bool:
    stripped = line.rstrip(" \t")
    if not stripped.endswith(escape):
        return False
    # an escaped escape character at the end is not a continuation
    run = len(stripped) - len(stripped.rstrip(escape))
    return run % 2 == 1


def _read_heredocs(text: str, lines, i: int, inst: Instruction) -> int:
    for m in _HEREDOC.finditer(text, inst.args_start, inst.args_end):
        strip, quote, delim = m.group(1) == "-", m.group(2), m.group(3)
        body_start = lines[i][0] if i < len(lines) else len(text)
        body_end = body_start
        while i < len(lines):
            s, e = lines[i]
            candidate = text[s:e].rstrip("\r")
            if strip:
                candidate = candidate.lstrip("\t")
            if candidate == delim:
                inst.end = _strip_cr(text, s, e)
                i += 1
                break
            body_end = e + 1 if e < len(text) else e
            inst.end = _strip_cr(text, s, e)
            i += 1
        inst.heredocs.append(Heredoc(delim, Span(body_start, max(body_start, body_end)), strip, bool(quote)))
    return i


def split_words(text: str, start: int, end: int, escape: str = "\\", limit: int | None = None) -> list[Word]:
    """Split Dockerfile arguments on unquoted blanks, removing quotes and escaped line breaks
    (stopping after `limit` words when given)."""
    words: list[Word] = []
    chunk = text[start:end]
    if escape not in chunk and "'" not in chunk and '"' not in chunk:
        # nothing to unquote (most instructions): the words are the runs of non-blanks
        for m in _NON_BLANK.finditer(text, start, end):
            if limit is not None and len(words) >= limit:
                break
            value = m.group()
            words.append(Word(value, value, m.start(), m.end()))
        return words
    return _split_words_full(text, start, end, escape, limit)


def _split_words_full(text: str, start: int, end: int, escape: str, limit: int | None) -> list[Word]:
    words: list[Word] = []
    i = start
    while i < end and (limit is None or len(words) < limit):
        c = text[i]
        if c in " \t\r\n":
            i += 1
            continue
        if c == escape and i + 1 < end and text[i + 1] in "\r\n":
            i += 2
            continue
        w_start = i
        value: list[str] = []
        quote = ""
        while i < end:
            c = text[i]
            if quote:
                if c == quote:
                    quote = ""
                elif c == escape and quote == '"' and i + 1 < end:
                    i += 1
                    value.append(text[i])
                else:
                    value.append(c)
            elif c in "'\"":
                quote = c
            elif c == escape and i + 1 < end:
                nxt = text[i + 1]
                if nxt in "\r\n":
                    i += 2 if nxt == "\n" else 3 if text[i + 2:i + 3] == "\n" else 2
                    continue
                i += 1
                value.append(nxt)
            elif c in " \t\r\n":
                break
            else:
                value.append(c)
            i += 1
        words.append(Word("".join(value), text[w_start:i], w_start, i))
    return words


_NON_BLANK = re.compile(r"[^ \t\r\n]+")
FLAG_INSTRUCTIONS = {"FROM", "RUN", "COPY", "ADD"}


def _read_flags(text: str, inst: Instruction, escape: str) -> None:
    """Leading `--name=value` flags of FROM, RUN, COPY, ADD (only those words are split)."""
    pos = _skip_blanks(text, inst.args_start, inst.args_end, escape)
    if inst.keyword in FLAG_INSTRUCTIONS:
        while text.startswith("--", pos) and pos < inst.args_end:
            word = split_words(text, pos, inst.args_end, escape, limit=1)[0]
            end = word.end
            name, _, value = word.value[2:].partition("=")
            name = name.lower()
            flag = Word(value, word.raw, word.start, word.end)
            if name == "mount":
                inst.mounts.append(flag)
            else:
                inst.flags[name] = flag
            pos = _skip_blanks(text, end, inst.args_end, escape)
    inst.rest_start = pos


def _skip_blanks(text: str, pos: int, end: int, escape: str) -> int:
    while pos < end:
        c = text[pos]
        if c in " \t\r\n":
            pos += 1
        elif c == escape and text[pos + 1:pos + 2] in ("\n", "\r"):
            pos += 2
        else:
            break
    return pos


def parse_mount(value: str) -> dict[str, str]:
    """`type=bind,source=.,target=/src` → dict (a bare key such as `ro` maps to '')."""
    out: dict[str, str] = {}
    for part in value.split(","):
        key, _, val = part.partition("=")
        out[key.strip().lower()] = val.strip()
    return out


def json_array(text: str, start: int, end: int) -> list[Word] | None:
    """Exec form `["a", "b"]` with each string's span, or None when it is not a JSON string array."""
    i = start
    while i < end and text[i] in " \t":
        i += 1
    if i >= end or text[i] != "[":
        return None
    i += 1
    words: list[Word] = []
    while True:
        while i < end and text[i] in " \t\r\n":
            i += 1
        if i < end and text[i] == "]" and not words:
            return words
        if i >= end or text[i] != '"':
            return None
        w_start = i
        i += 1
        value: list[str] = []
        while i < end and text[i] != '"':
            if text[i] == "\\" and i + 1 < end:
                i += 1
                value.append({"n": "\n", "t": "\t"}.get(text[i], text[i]))
            else:
                value.append(text[i])
            i += 1
        if i >= end:
            return None
        i += 1
        words.append(Word("".join(value), text[w_start:i], w_start, i))
        while i < end and text[i] in " \t\r\n":
            i += 1
        if i < end and text[i] == ",":
            i += 1
            continue
        if i < end and text[i] == "]":
            return words
        return None


# -- builder-side variable substitution (§9.6) ----------------------------------------------
UNKNOWN = object()  # a variable whose value cannot be known statically
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def substitute(raw: str, lookup, escape: str = "\\") -> tuple[str | None, bool]:
    """Expand $X, ${X}, ${X:-w}, ${X-w}, ${X:+w}, ${X+w} as the builder does, removing quotes.

    ``lookup(name)`` returns the value, None when the variable is unset, or UNKNOWN. Returns
    (value, dynamic): value is None when any part could not be resolved.
    """
    out: list[str] = []
    dynamic = False
    i = 0
    n = len(raw)
    quote = ""
    while i < n:
        c = raw[i]
        if quote == "'":
            if c == "'":
                quote = ""
            else:
                out.append(c)
            i += 1
            continue
        if c == '"':
            quote = "" if quote == '"' else '"'
            i += 1
            continue
        if c == "'" and not quote:
            quote = "'"
            i += 1
            continue
        if c == escape and i + 1 < n:
            out.append(raw[i + 1])
            i += 2
            continue
        if c == "$" and i + 1 < n:
            value, i, unknown = _expand(raw, i + 1, lookup, escape)
            if unknown:
                dynamic = True
            else:
                out.append(value)
            continue
        out.append(c)
        i += 1
    return (None, True) if dynamic else ("".join(out), False)


def _expand(raw: str, i: int, lookup, escape: str) -> tuple[str, int, bool]:
    if raw[i] == "{":
        close = _matching_brace(raw, i)
        if close == -1:
            return "", len(raw), True
        inner = raw[i + 1:close]
        m = _NAME.match(inner)
        if not m:
            return "", close + 1, True
        name, rest = m.group(0), inner[m.end():]
        value = lookup(name)
        if not rest:
            return _plain(value), close + 1, value is UNKNOWN
        for op in (":-", ":+", "-", "+"):
            if rest.startswith(op):
                word, word_dynamic = substitute(rest[len(op):], lookup, escape)
                if value is UNKNOWN:
                    return "", close + 1, True
                is_set = value is not None
                non_empty = bool(value)
                if op == ":-":
                    chosen = value if non_empty else word
                    return (chosen or "") if chosen is not None else "", close + 1, (not non_empty and word_dynamic)
                if op == "-":
                    return (value if is_set else (word or "")), close + 1, (not is_set and word_dynamic)
                if op == ":+":
                    return (word or "") if non_empty else "", close + 1, (non_empty and word_dynamic)
                return (word or "") if is_set else "", close + 1, (is_set and word_dynamic)
        return "", close + 1, True  # #, %, / and other forms: not modelled
    m = _NAME.match(raw, i)
    if not m:
        return "$", i, False
    value = lookup(m.group(0))
    return _plain(value), m.end(), value is UNKNOWN


def _plain(value) -> str:
    return value if isinstance(value, str) else ""


def _matching_brace(raw: str, i: int) -> int:
    depth = 0
    for j in range(i, len(raw)):
        if raw[j] == "{":
            depth += 1
        elif raw[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return -1
