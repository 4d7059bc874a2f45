"""Dockerfile syntax: instructions with exact positions, words, flags and builder substitution.

dockerfile-parse reports only line numbers and costs ~2.5 ms for its ARG/ENV views, so the lint
path uses this lexer (positions to the character, heredocs, `# escape=`); the test suite uses
dockerfile-parse as an independent check that fixed files still parse, and
tests/test_dockerfile_differential.py compares the two readings.

Lines are joined as BuildKit's parser joins them (see ParsedDockerfile.view): words, JSON
arrays and RUN scripts are read from one same-length text in which each line continuation is a
filler, so every offset is an offset into the original file.
"""
from __future__ import annotations

import re
from itertools import accumulate
from operator import add

from ..lazy_regex import lazy
from ..records import dataclass, field
from ..source import Span

# BuildKit's parser (moby/buildkit frontend/dockerfile/parser, read at commit 73ed6825c4b7) is
# the reference for everything below; docs/semantics.md §8 cites the lines.
_DIRECTIVE = re.compile(r"#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.+?)\s*")  # directives.go:43
_DIRECTIVE_NAMES = {"syntax", "escape", "check"}  # directives.go:21
_HEREDOC_WORD = lazy(r"(\d*)<<(-?)\x00?([^<]*)")  # parser.go:121; \x00 stands for blanks after <<
_HEREDOC_BLANKS = lazy(r"<<[ \t\r]+")  # kept in the word (shell/lex.go:516-533, isWhitespace :701)
HEREDOC_INSTRUCTIONS = {"RUN", "COPY", "ADD"}
_HEREDOC_HOSTS = HEREDOC_INSTRUCTIONS | {"ONBUILD"}  # parser.go:130-139
# unicode.IsSpace (Go), which BuildKit uses to trim lines and find comments (parser.go:514);
# Python's str.isspace also takes \x1c-\x1f, which Go does not
_GO_SPACE = " \t\n\v\f\r\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a" \
    "\u2028\u2029\u202f\u205f\u3000"
_KEYWORD_END = " \t\v\f\r"  # reWhitespace, parser.go:120: what ends the instruction keyword
_KEYWORD_RUN = re.compile("[^" + _KEYWORD_END + "]*")


@dataclass(slots=True)
class Heredoc:
    delimiter: str
    body: Span  # the lines between the opening line and the delimiter line
    strip_tabs: bool
    quoted: bool


@dataclass(slots=True)
class Word:
    value: str  # after quote removal (no substitution)
    raw: str  # as written, line continuations removed (the text BuildKit's parser sees)
    start: int
    end: int


@dataclass(slots=True)
class Instruction:
    keyword: str  # upper-case
    keyword_raw: str
    start: int  # first character of the keyword
    end: int  # end of the instruction's text, heredoc bodies included, line ending excluded
    args_start: int  # first character after the keyword and its blank
    args_end: int  # end of the instruction line(s), before any heredoc body or a final escape
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
    # The text with every line continuation (the escape, the blanks after it, the line break
    # and the comment and blank lines BuildKit drops inside a continuation) overwritten by
    # same-length fillers: `escape + "\n"` or `escape + "\r\n"`, which every reader here
    # skips as nothing. Offsets are those of the original; the text between fillers is what
    # BuildKit joins into one line. It is the original string when nothing continues.
    view: str = ""
    # (start, end, message) of directive lines BuildKit refuses: the whole build fails there
    problems: list = field(default_factory=list)


def parse(text: str) -> ParsedDockerfile:
    """Split a Dockerfile into instructions as BuildKit's parser does; never raises."""
    texts = text.split("\n")
    count = len(texts)
    starts = _line_starts(texts)
    directives: dict[str, str] = {}
    escape = "\\"
    i = 0
    # Parser directives: only leading `# key=value` lines with a known key, each once; any
    # other line (a blank one too) ends them (directives.go:50-96, called from parser.go:309).
    problems: list = []
    while i < count:
        m = _DIRECTIVE.fullmatch(_go_lstrip(texts[i].rstrip("\r")))
        if not m or m.group(1).lower() not in _DIRECTIVE_NAMES:
            break
        key = m.group(1).lower()
        line_span = (starts[i], starts[i] + len(texts[i].rstrip("\r")))
        if key in directives:  # directives.go:80-82: the parse, so the build, fails
            problems.append((*line_span, f"only one {key} parser directive can be used"))
            break
        if key == "escape" and m.group(2) not in ("`", "\\"):  # parser.go:153-156
            problems.append((*line_span, f"invalid escape token '{m.group(2)}' does not match ` or \\"))
            break
        directives[key] = m.group(2)
        i += 1
    if directives.get("escape") in ("`", "\\"):
        escape = directives["escape"]

    instructions: list[Instruction] = []
    fillers: list[tuple[int, int]] = []  # continuation regions, overwritten in the view
    while i < count:
        line = texts[i]
        stripped = line.lstrip(_GO_SPACE)
        if not stripped or stripped[0] == "#":
            i += 1  # parser.go:300-323: comment and blank lines are skipped
            continue
        first_line = i
        start = starts[i] + len(line) - len(stripped)
        args_end = last_end = starts[i] + len(line.rstrip("\r"))
        pieces = []  # the (start, end) ranges BuildKit joins into the instruction's line
        piece_start = start
        tail = text[args_end - 1]  # the line is not blank, so there is one
        cont = _continuation(text, start, args_end, escape) if tail == escape or tail in " \t" else -1
        # parser.go:328-347: the following lines are appended as they are (indentation kept);
        # comment lines and blank lines are dropped; each line's escape, the blanks after it
        # and its line break are removed and nothing is put in their place
        while cont != -1:
            pieces.append((piece_start, cont))
            k = i + 1
            while k < count and _dropped_in_continuation(texts[k]):
                k += 1
            if k >= count:  # the file ends inside a continuation: the escape is dropped
                args_end = piece_start = cont
                break
            fillers.append((cont, starts[k]))
            i = k
            piece_start = starts[i]
            last_end = args_end = starts[i] + len(texts[i].rstrip("\r"))
            cont = _continuation(text, piece_start, args_end, escape)
        pieces.append((piece_start, args_end))
        i += 1
        inst = _instruction(text, pieces, last_end, first_line + 1)
        if inst is None:
            continue
        if inst.keyword in _HEREDOC_HOSTS and "<<" in text[pieces[0][0]:pieces[-1][1]] \
                and any("<<" in text[s:e] for s, e in pieces):  # parser.go:365
            i = _read_heredocs(text, texts, starts, i, inst, "".join(text[s:e] for s, e in pieces))
        instructions.append(inst)
    view = _fill(text, fillers, escape) if fillers else text
    for inst in instructions:
        if inst.keyword in FLAG_INSTRUCTIONS:
            _read_flags(view, inst, escape)
        else:
            inst.rest_start = _skip_blanks(view, inst.args_start, inst.args_end, escape)
    return ParsedDockerfile(instructions, escape, directives, view, problems)


def joined_args(parsed: ParsedDockerfile, inst: Instruction) -> str:
    """An instruction's arguments as BuildKit's parser sees them: continuations removed,
    leading and trailing white space trimmed (split_command.go:15, 25)."""
    text = without_fillers(parsed.view[inst.args_start:inst.args_end], parsed.escape)
    return text.strip(_GO_SPACE)


def joined_with_offsets(view: str, start: int, end: int, escape: str) -> tuple[str, list[int]]:
    """view[start:end] without its fillers, and the file offset of each character kept (one
    more at the end: `end`)."""
    chars: list[str] = []
    offsets: list[int] = []
    i = start
    while i < end:
        skip = _filler(view, i, escape, end)
        if skip:
            i += skip
            continue
        chars.append(view[i])
        offsets.append(i)
        i += 1
    offsets.append(end)
    return "".join(chars), offsets


def _line_starts(texts: list[str]) -> list[int]:
    ends = list(accumulate(map(len, texts)))  # line i starts at ends[i - 1] + i (the line breaks)
    return [0, *map(add, ends, range(1, len(ends)))]


def _go_lstrip(line: str) -> str:
    return line.lstrip(_GO_SPACE)


def _dropped_in_continuation(line: str) -> bool:
    """A comment line or a blank line inside a continuation (parser.go:336-343)."""
    stripped = line.lstrip(_GO_SPACE)
    return not stripped or stripped[0] == "#"


def _continuation(text: str, start: int, end: int, escape: str) -> int:
    """Where the line text[start:end] has its continuation escape, or -1.

    BuildKit's regex (parser.go:168): the escape, then only blanks and tabs to the end of the
    line, preceded by a character that is not the escape, or first on the line. So `a \\\\`
    does not continue, and neither does `a \\\\\\` (the regex cannot see that the last escape
    is unescaped, as parser.go:165-167 says)."""
    j = end
    while j > start and text[j - 1] in " \t":
        j -= 1
    if j == start or text[j - 1] != escape:
        return -1
    if j - 1 > start and text[j - 2] == escape:
        return -1
    return j - 1


def _fill(text: str, regions: list[tuple[int, int]], escape: str) -> str:
    """Overwrite each continuation region with same-length fillers (see ParsedDockerfile.view)."""
    parts = []
    pos = 0
    two, three = escape + "\n", escape + "\r\n"
    for start, end in regions:
        parts.append(text[pos:start])
        length = end - start  # at least 2: the escape and the line break
        parts.append(three + two * ((length - 3) // 2) if length % 2 else two * (length // 2))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _instruction(text: str, pieces: list[tuple[int, int]], end: int, line: int) -> Instruction | None:
    """The keyword is the joined line's first run of non-blanks (split_command.go:15)."""
    first_start, first_end = pieces[0]
    kw_end = _KEYWORD_RUN.match(text, first_start, first_end).end()
    keyword_raw = text[first_start:kw_end]
    start = first_start
    if kw_end == first_end and len(pieces) > 1:
        # the keyword goes on past a continuation (`RU\` + `N x`), or the first line holds
        # only the escape; rare, so joined here rather than on every instruction
        joined = "".join(text[s:e] for s, e in pieces)
        lead = len(joined) - len(joined.lstrip(_GO_SPACE))
        if lead == len(joined):
            return None
        n = lead
        while n < len(joined) and joined[n] not in _KEYWORD_END:
            n += 1
        keyword_raw = joined[lead:n]
        start = _original_offset(pieces, lead)
        kw_end = _original_offset(pieces, n - 1) + 1
    args_end = pieces[-1][1]
    if args_end < kw_end:  # only when the keyword itself was continued to the last line
        args_end = kw_end
    args_start = kw_end + 1 if kw_end < args_end and text[kw_end] in " \t" else kw_end
    # positional: a keyword call of the generated __init__ costs more, once per instruction
    return Instruction(keyword_raw.upper(), keyword_raw, start, end if end > args_end else args_end,
                       args_start, args_end, line)


def _original_offset(pieces: list[tuple[int, int]], joined: int) -> int:
    for s, e in pieces:
        if joined < e - s:
            return s + joined
        joined -= e - s
    return pieces[-1][1]


def _read_heredocs(text: str, texts: list[str], starts: list[int], i: int, inst: Instruction, joined: str) -> int:
    """Read the bodies of the heredocs the joined line names (parser.go:365-397, 481-499)."""
    args = joined[len(joined) - len(joined.lstrip(_GO_SPACE)):]
    args = _HEREDOC_BLANKS.sub("<<\x00", args)  # `<< EOF` is one word to BuildKit's lexer
    words = split_words(args, 0, len(args), "\\")  # heredocs are lexed with a backslash (parser.go:482)
    words = words[1:]  # the keyword
    if inst.keyword == "ONBUILD":
        if not words or words[0].value.upper() not in HEREDOC_INSTRUCTIONS:
            return i
        words = words[1:]
    while words and words[0].raw.startswith("--"):
        words = words[1:]  # flags (split_command.go:28)
    rest = args[words[0].start:] if words else ""
    if json_array(rest, 0, len(rest)) is not None:
        return i  # exec form: `<<` is inside a JSON string
    count = len(texts)
    for word in words:
        m = _HEREDOC_WORD.fullmatch(word.raw)
        if not m or not m.group(3):
            continue
        name_words = split_words(m.group(3), 0, len(m.group(3)), "\\")
        if len(name_words) != 1:
            continue  # parser.go:440: the name must be one word
        strip, delim = m.group(2) == "-", name_words[0].value
        quoted = any(q in m.group(3) for q in "'\"")
        body_start = starts[i] if i < count else len(text)
        body_end = body_start
        while i < count:
            s = starts[i]
            e = s + len(texts[i])
            candidate = texts[i].rstrip("\r\n")  # parser.go:380 (trimNewline)
            if strip:
                candidate = candidate.lstrip("\t")
            if candidate == delim:
                inst.end = _strip_cr(text, s, e)
                i += 1
                break
            body_end = e + 1 if e < len(text) else e
            inst.end = _strip_cr(text, s, e)
            i += 1
        inst.heredocs.append(Heredoc(delim, Span(body_start, max(body_start, body_end)), strip, quoted))
    return i


def _strip_cr(text: str, start: int, end: int) -> int:
    return end - 1 if end > start and text[end - 1] == "\r" else end


def split_words(text: str, start: int, end: int, escape: str = "\\", limit: int | None = None) -> list[Word]:
    """Split Dockerfile arguments on unquoted blanks, removing quotes, escapes and line
    continuations (stopping after `limit` words when given). `text` is a parse's view (or a
    joined line): every `escape + line break` in it is a continuation filler."""
    if limit == 1:
        # one word (a flag): when its run of non-blanks holds no quote and no escape, the run is
        # the word (an escape would be part of the run, so no continuation can extend it)
        m = _NON_BLANK.search(text, start, end)
        if m is not None:
            value = m.group()
            if escape not in value and "'" not in value and '"' not in value:
                return [Word(value, value, m.start(), m.end())]
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


def _filler(text: str, i: int, escape: str, end: int) -> int:
    """Length of the continuation filler at i (0 when there is none). A filler lies wholly
    inside its instruction, so one that would cross `end` is an escape and a line ending."""
    if text[i] != escape:
        return 0
    nxt = text[i + 1:i + 2]
    if nxt == "\n":
        return 2 if i + 2 <= end else 0
    return 3 if nxt == "\r" and text[i + 2:i + 3] == "\n" and i + 3 <= end else 0


def without_fillers(raw: str, escape: str) -> str:
    """The text BuildKit joins: a view's slice without its continuation fillers."""
    if "\n" not in raw:
        return raw
    return raw.replace(escape + "\r\n", "").replace(escape + "\n", "")


def _split_words_full(text: str, start: int, end: int, escape: str, limit: int | None) -> list[Word]:
    # parseWords (line_parsers.go:53-136): words end at unquoted unicode white space; an
    # escape keeps the next character, except inside single quotes; a final lone escape is
    # dropped (line_parsers.go:104-105, 123-125); quotes are removed here as the builder's
    # word processing does later.
    words: list[Word] = []
    i = start
    while i < end and (limit is None or len(words) < limit):
        c = text[i]
        if c in _GO_SPACE:
            i += 1
            continue
        skip = _filler(text, i, escape, end)
        if skip:
            i += skip
            continue
        w_start = i
        value: list[str] = []
        quote = ""
        dropped_escape = False
        w_end = i  # a word ends before a continuation that follows it
        while i < end:
            c = text[i]
            skip = _filler(text, i, escape, end) if c == escape else 0
            if skip:
                i += skip
                continue
            if quote == "'":
                if c == "'":
                    quote = ""
                else:
                    value.append(c)
            elif c == escape and _next_content(text, i + 1, end, escape) >= end:
                dropped_escape = True  # an escape at the very end is dropped
            elif quote:
                if c == quote:
                    quote = ""
                elif c == escape:
                    i = _next_content(text, i + 1, end, escape)
                    value.append(text[i])
                else:
                    value.append(c)
            elif c in "'\"":
                quote = c
            elif c == escape:
                i = _next_content(text, i + 1, end, escape)
                value.append(text[i])
            elif c in _GO_SPACE:
                break
            else:
                value.append(c)
            i += 1
            w_end = i
        raw = without_fillers(text[w_start:w_end], escape)
        if dropped_escape and raw.endswith(escape):
            raw = raw[:-1]
        words.append(Word("".join(value), raw, w_start, w_end))
    return words


def offset_after(text: str, start: int, count: int, escape: str, end: int) -> int:
    """The offset `count` joined characters after `start` in a view (fillers not counted),
    at most `end`."""
    i = start
    while i < end:
        skip = _filler(text, i, escape, end)
        if skip:
            i += skip
        elif count:
            i += 1
            count -= 1
        else:
            break
    return min(i, end)


def _next_content(text: str, i: int, end: int, escape: str) -> int:
    """The first position at or after i that is not a continuation filler."""
    while i < end:
        skip = _filler(text, i, escape, end)
        if not skip:
            return i
        i += skip
    return end


# Python's \s is str.isspace, which is _GO_SPACE and \x1c-\x1f: these classes say "[^_GO_SPACE]"
# and "[_GO_SPACE]" (tests/test_dockerfile_syntax.py checks every code point) with a category
# instead of a list of characters above U+00FF, which compiles ten times faster (0.05 ms)
_NON_BLANK = re.compile(r"[\S\x1c-\x1f]+")
FLAG_INSTRUCTIONS = {"FROM", "RUN", "COPY", "ADD"}


def _read_flags(text: str, inst: Instruction, escape: str) -> None:
    """Leading `--name=value` flags of FROM, RUN, COPY, ADD (only those words are split)."""
    pos = _skip_blanks(text, inst.args_start, inst.args_end, escape)
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
        pos = _BLANK_RUN.match(text, pos, end).end()
        skip = _filler(text, pos, escape, end) if pos < end and text[pos] == escape else 0
        if not skip:
            break
        pos += skip
    return min(pos, end)


_BLANK_RUN = re.compile(r"[^\S\x1c-\x1f]*")  # "[_GO_SPACE]*", spelled as _NON_BLANK is


def parse_mount(value: str) -> dict[str, str]:
    """`type=bind,source=.,target=/src` → dict (a bare key such as `ro` maps to '')."""
    out: dict[str, str] = {}
    for part in value.split(","):
        key, _, val = part.partition("=")
        out[key.strip().lower()] = val.strip()
    return out


_JSON_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "/": "/", "\\": "\\", '"': '"'}


def json_array(text: str, start: int, end: int, escape: str = "") -> list[Word] | None:
    """Exec form `["a", "b"]` with each string's span, or None when it is not a JSON string
    array (parseJSON, line_parsers.go:278-306: the whole rest must be the array). Given the
    escape, continuation fillers in a view are skipped."""
    def skip(i: int, blanks: str) -> int:
        while i < end:
            if text[i] in blanks:
                i += 1
            elif escape and _filler(text, i, escape, end):
                i += _filler(text, i, escape, end)
            else:
                break
        return i

    i = skip(start, _GO_SPACE)
    if i >= end or text[i] != "[":
        return None
    i += 1
    words: list[Word] = []
    while True:
        i = skip(i, " \t\r\n")
        if i < end and text[i] == "]" and not words:
            break
        if i >= end or text[i] != '"':
            return None
        w_start = i
        i += 1
        value: list[str] = []
        while True:
            i = skip(i, "")
            if i >= end:
                return None
            c = text[i]
            if c == '"':
                break
            if c < " ":
                return None  # a control character must be escaped in JSON
            if c == "\\":
                i = skip(i + 1, "")
                if i >= end:
                    return None
                if text[i] == "u":
                    digits = []
                    for _ in range(4):  # four hex digits, which a continuation may split
                        i = skip(i + 1, "")
                        if i >= end or text[i] not in "0123456789abcdefABCDEF":
                            return None
                        digits.append(text[i])
                    value.append(chr(int("".join(digits), 16)))
                elif text[i] in _JSON_ESCAPES:
                    value.append(_JSON_ESCAPES[text[i]])
                else:
                    return None
            else:
                value.append(c)
            i += 1
        i += 1
        words.append(Word("".join(value), without_fillers(text[w_start:i], escape) if escape else text[w_start:i],
                          w_start, i))
        i = skip(i, " \t\r\n")
        if i < end and text[i] == ",":
            i += 1
            continue
        if i < end and text[i] == "]":
            break
        return None
    # nothing may follow the array but white space
    return words if skip(i + 1, _GO_SPACE) >= end else None


# -- builder-side variable substitution (§9.6) ----------------------------------------------
UNKNOWN = object()  # a variable whose value cannot be known statically
_NAME = lazy(r"[A-Za-z_][A-Za-z0-9_]*")


def substitute(raw: str, lookup, escape: str = "\\") -> tuple[str | None, bool]:
    """Expand $X, ${X}, ${X:-w}, ${X-w}, ${X:+w}, ${X+w} as the builder does, removing quotes.

    ``lookup(name)`` returns the value, None when the variable is unset, or UNKNOWN. Returns
    (value, dynamic): value is None when any part could not be resolved.
    """
    if "$" not in raw and "'" not in raw and '"' not in raw and escape not in raw:
        return raw, False  # nothing to expand or unquote (most words): the loop would copy it
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
