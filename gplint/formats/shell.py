"""A position-keeping shell lexer and simple-command splitter.

Not a full shell: enough to see, with exact offsets into the original file, the commands a
Dockerfile RUN or a CI script runs, their prefix assignments, redirections and heredocs, the
commands inside `$(…)`, subshells and `sh -c '…'`. It never raises and runs in linear time with
bounded nesting.
"""
from __future__ import annotations

import re

from ..lazy_regex import lazy
from ..records import dataclass, field, fields, replace

MAX_DEPTH = 24
SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}
_OPEN_KEYWORDS = {"if", "then", "elif", "else", "do", "while", "until", "!", "{"}
_CLOSE_KEYWORDS = {"fi", "done", "esac", "}"}
_CONTROL_OPEN = {"if", "while", "until", "for", "case"}
_NAME = lazy(r"[A-Za-z_][A-Za-z0-9_]*")
_ASSIGN = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\+?=")


@dataclass(frozen=True, slots=True)
class Word:
    value: str
    start: int
    end: int
    quoted: bool = False
    dynamic: bool = False


@dataclass(frozen=True, slots=True)
class Assignment:
    name: str
    value: Word
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Redirect:
    op: str
    target: Word | None
    heredoc_body: Word | None = None


@dataclass(slots=True)
class Command:
    assignments: list[Assignment]
    argv: list[Word]
    redirects: list[Redirect]
    start: int
    end: int
    group_redirects: list[Redirect] = field(default_factory=list)
    in_subshell: bool = False
    conditional: bool = False


# -- lexing ---------------------------------------------------------------------------------
@dataclass(slots=True)
class _Tok:
    kind: str  # 'word' | 'op' | 'nl'
    text: str
    start: int
    end: int
    word: Word | None = None
    raw: str = ""
    holder: list | None = None  # a heredoc operator's body, once read


_OPS = ("&&", "||", ";;", "<<<", "<<-", "<<", ">>", "&>>", "&>", ">&", "<&", ">|", "<>", "|&", ";", "&", "|",
        "(", ")", "<", ">")
_OP_RE = lazy("|".join(re.escape(o) for o in _OPS))
_IO_NUMBER = lazy(r"\d+(?=[<>])")
_PLAIN_RUN = lazy(r"[^\s;&|()<>'\"\\$`]+")  # characters a word keeps as they are
# What only the full lexer handles: quotes, expansions, escapes (both Dockerfile escape
# characters), comments, `<` (heredocs), and whitespace other than blank, tab, CR and LF.
_NEEDS_FULL_LEXER = lazy(r"['\"$`\\#<\f\v\x1c-\x1f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]")
# The same for ASCII text, the usual case: without the characters above U+007F the class
# compiles to a small bitmap (0.06 ms, against 0.5 ms for the one above) and searches as fast.
_NEEDS_FULL_LEXER_ASCII = re.compile(r"['\"$`\\#<\f\v\x1c-\x1f]")
_PLAIN_TOKEN = re.compile(
    r"(?P<nl>\n)|[ \t\r]+|\d+(?=>)"  # an io number (`2>`) is dropped, as the full lexer does
    r"|(?P<op>&&|\|\||;;|&>>|>>|&>|>&|>\||\|&|[;&|()>])"
    r"|(?P<word>[^\s;&|()<>]+)")


class _Lexer:
    def __init__(self, text: str, base: int, escape: str, depth: int, sink: list, indent: int = 0):
        self.indent = indent  # a YAML block scalar's indentation, not part of the script's lines
        self.text = text
        self.base = base
        self.escape = escape
        self.depth = depth
        self.sink = sink  # commands found inside $(…) and backticks
        self.pending_heredocs: list[tuple[list, str, bool]] = []

    def tokens(self) -> list[_Tok]:
        needs_full = _NEEDS_FULL_LEXER_ASCII if self.text.isascii() else _NEEDS_FULL_LEXER
        if needs_full.search(self.text) is None:
            return self._plain_tokens()
        return self._full_tokens()

    def _full_tokens(self) -> list[_Tok]:
        text, esc = self.text, self.escape
        n = len(text)
        i = 0
        out: list[_Tok] = []
        while i < n:
            c = text[i]
            if c == esc and i + 1 < n and text[i + 1] == "\n":
                i += 2
                continue
            if c == esc and text.startswith("\r\n", i + 1):
                i += 3
                continue
            if c in " \t\r":
                i += 1
                continue
            if c == "\n":
                out.append(_Tok("nl", "\n", i, i + 1))
                i += 1
                if self.pending_heredocs:
                    i = self._read_heredoc_bodies(i)
                continue
            if c == "#":
                j = text.find("\n", i)
                i = n if j == -1 else j
                continue
            # io number before a redirection: 2> 2>> 1>&2
            if c.isdigit():
                m = _IO_NUMBER.match(text, i)
                if m:
                    i = m.end()
                    c = text[i]
            m = _OP_RE.match(text, i) if c in ";&|()<>" else None
            op = m.group(0) if m else None
            if op is not None:
                tok = _Tok("op", op, i, i + len(op))
                out.append(tok)
                i += len(op)
                if op in ("<<", "<<-"):
                    i = self._heredoc_delimiter(i, tok, out)
                continue
            word, i = self._word(i)
            out.append(_Tok("word", word.value, word.start - self.base, word.end - self.base, word, text[word.start - self.base:i]))
        for tok in out:
            if tok.holder is not None:
                tok.word = tok.holder[0] if tok.holder else None
        return out

    def _plain_tokens(self) -> list[_Tok]:
        """The same tokens as `tokens()` for a script without quotes, expansions, escapes,
        comments or input redirections (most RUN lines and CI steps), from one regular expression."""
        out: list[_Tok] = []
        base = self.base
        for m in _PLAIN_TOKEN.finditer(self.text):
            kind = m.lastgroup
            if kind == "word":
                start, end = m.span()
                value = m.group()
                out.append(_Tok("word", value, start, end, Word(value, start + base, end + base), value))
            elif kind == "op":
                out.append(_Tok("op", m.group(), m.start(), m.end()))
            elif kind == "nl":
                out.append(_Tok("nl", "\n", m.start(), m.end()))
        return out

    def _heredoc_delimiter(self, i: int, tok: "_Tok", out: list) -> int:
        """Read the delimiter word after `<<`; its body is read at the next newline."""
        text, n = self.text, len(self.text)
        while i < n and text[i] in " \t":
            i += 1
        if i >= n or text[i] in "\n;&|()<>":
            return i
        word, i = self._word(i)
        out.append(_Tok("word", word.value, word.start - self.base, word.end - self.base, word, text[word.start - self.base:i]))
        tok.holder = []
        self.pending_heredocs.append((tok.holder, word.value, tok.text == "<<-"))
        return i

    def _word(self, i: int) -> tuple[Word, int]:
        text, esc, n = self.text, self.escape, len(self.text)
        start = i
        value: list[str] = []
        quoted = dynamic = False
        plain = _PLAIN_RUN
        while i < n:
            m = plain.match(text, i)
            if m:
                value.append(m.group(0))
                i = m.end()
                if i >= n:
                    break
            c = text[i]
            if c in " \t\r\n;&|()<>" and not (c in "()" and i > start and text[i - 1] == "$"):
                break
            if c == esc and text.startswith(("\n", "\r\n"), i + 1):
                i += 2 if text[i + 1] == "\n" else 3  # a line continuation
                continue
            if c == "\\" and i + 1 < n:
                # the shell's escape is always a backslash; a Dockerfile's `# escape=`` only
                # changes its line continuations, and a backtick stays command substitution
                if text.startswith(("\n", "\r\n"), i + 1):
                    i += 2 if text[i + 1] == "\n" else 3
                    continue
                value.append(text[i + 1])
                quoted = True
                i += 2
                continue
            if c == "'":
                j = text.find("'", i + 1)
                j = n if j == -1 else j
                value.append(text[i + 1:j])
                quoted = True
                i = min(j + 1, n)  # an unterminated quote ends with the text
                continue
            if c == "$" and i + 1 < n and text[i + 1] == "'":
                j = i + 2
                while j < n and text[j] != "'":
                    j += 2 if text[j] == "\\" else 1
                value.append(text[i + 2:min(j, n)])
                quoted = True
                i = min(j + 1, n)
                continue
            if c == '"':
                j = i + 1
                while j < n and text[j] != '"':
                    if text[j] == "\\" and j + 1 < n:
                        if text[j + 1] in '"\\$`':
                            value.append(text[j + 1])
                        elif text[j + 1] != "\n":
                            value.append(text[j:j + 2])
                        j += 2
                        continue
                    if text[j] == "$" or text[j] == "`":
                        dyn_text, j = self._expansion(j)
                        value.append(dyn_text)
                        dynamic = True
                        continue
                    value.append(text[j])
                    j += 1
                quoted = True
                i = min(j + 1, n)
                continue
            if c == "$" or c == "`":
                dyn_text, j = self._expansion(i)
                value.append(dyn_text)
                if dyn_text != "$":
                    dynamic = True
                i = j
                continue
            value.append(c)
            i += 1
        return Word("".join(value), start + self.base, i + self.base, quoted, dynamic), max(i, start + 1)

    def _expansion(self, i: int) -> tuple[str, int]:
        """$NAME, ${…}, $(…), $((…)), `…`: kept verbatim; commands inside are parsed too."""
        text, n = self.text, len(self.text)
        if text[i] == "`":
            j = i + 1
            while j < n and text[j] != "`":
                j += 2 if text[j] == "\\" else 1
            self._inner(i + 1, min(j, n))
            return text[i:j + 1], min(j + 1, n)
        if i + 1 >= n:
            return "$", i + 1
        nxt = text[i + 1]
        if nxt == "{":
            j = _match(text, i + 1, "{", "}")
            return text[i:j + 1], min(j + 1, n)
        if nxt == "(":
            j = _match(text, i + 1, "(", ")")
            if not text.startswith("((", i + 1):
                self._inner(i + 2, min(j, n))
            return text[i:j + 1], min(j + 1, n)
        m = _NAME.match(text, i + 1)
        if m:
            return text[i:m.end()], m.end()
        if nxt in "@*#?$!-0123456789":
            return text[i:i + 2], i + 2
        return "$", i + 1

    def _inner(self, start: int, end: int) -> None:
        if self.depth >= MAX_DEPTH or end <= start:
            return
        for cmd in _parse(self.text[start:end], self.base + start, self.escape, self.depth + 1):
            cmd.in_subshell = True
            self.sink.append(cmd)

    def _read_heredoc_bodies(self, i: int) -> int:
        text, n = self.text, len(self.text)
        for holder, delim, strip in self.pending_heredocs:
            body_start = i
            body_end = n
            while i < n:
                j = text.find("\n", i)
                line_end = n if j == -1 else j
                line = text[i:line_end].rstrip("\r")
                if self.indent and line[:self.indent].isspace():
                    line = line[self.indent:]
                if (line.lstrip("\t") if strip else line) == delim:
                    body_end = i
                    i = n if j == -1 else j + 1
                    break
                i = n if j == -1 else j + 1
            else:
                body_end = n
            holder.append(Word(text[body_start:body_end], body_start + self.base, body_end + self.base, True, False))
        self.pending_heredocs = []
        return i


def _match(text: str, i: int, open_c: str, close_c: str) -> int:
    """Index of the bracket closing text[i], skipping quotes; len(text) when unclosed."""
    depth = 0
    n = len(text)
    j = i
    while j < n:
        c = text[j]
        if c == "\\":
            j += 2
            continue
        if c == "'" and open_c != "{":
            k = text.find("'", j + 1)
            j = n if k == -1 else k + 1
            continue
        if c == '"':
            k = j + 1
            while k < n and text[k] != '"':
                k += 2 if text[k] == "\\" else 1
            j = k + 1
            continue
        if c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return j
        j += 1
    return n


# -- parsing --------------------------------------------------------------------------------
def parse_script(text: str, base: int = 0, escape: str = "\\", indent: int = 0) -> list[Command]:
    """Every simple command of a script, in order, with offsets into the original file.
    `indent`: the script's lines carry that many columns of YAML indentation.

    Scripts repeat (the same `go mod download` in many files and jobs): each distinct text is
    parsed once, at offset 0, and every call gets a fresh copy shifted to its own `base`."""
    key = (text, escape, indent)
    parsed = _MEMO.get(key)
    if parsed is None:
        global memo_misses
        memo_misses += 1
        try:
            parsed = _parse(text, 0, escape, 0, indent)
        except RecursionError:
            parsed = []
        if len(text) <= _MEMO_MAX_TEXT:
            if len(_MEMO) >= _MEMO_MAX_ENTRIES:
                del _MEMO[next(iter(_MEMO))]  # the oldest: scripts of one file repeat close together
            _MEMO[key] = parsed
    return [_shifted_command(c, base) for c in parsed]


# (text, escape, indent) -> the commands parsed at offset 0; never handed out, only copies
_MEMO: dict[tuple[str, str, int], list[Command]] = {}
_MEMO_MAX_ENTRIES = 4096
_MEMO_MAX_TEXT = 64 * 1024  # longer scripts are parsed each time: they rarely repeat
memo_misses = 0  # parses done (a test counts them)


# A frozen record's __init__ sets each field through object.__setattr__ by name; the slot
# descriptors set them ~2.5x faster, and shifted copies are most of what a memo hit costs.
_new = object.__new__
_SLOTS = vars(Word)  # the class's own slot descriptors (not the fields' declared types)
_set_value, _set_start, _set_end = _SLOTS["value"].__set__, _SLOTS["start"].__set__, _SLOTS["end"].__set__
_set_quoted, _set_dynamic = _SLOTS["quoted"].__set__, _SLOTS["dynamic"].__set__


def _shifted_word(word: Word | None, by: int) -> Word | None:
    return None if word is None else _shifted(word, by)


def _shifted(word: Word, by: int) -> Word:
    copy = _new(Word)
    _set_value(copy, word.value)
    _set_start(copy, word.start + by)
    _set_end(copy, word.end + by)
    _set_quoted(copy, word.quoted)
    _set_dynamic(copy, word.dynamic)
    return copy


def _shifted_redirect(redirect: Redirect, by: int) -> Redirect:
    return Redirect(redirect.op, _shifted_word(redirect.target, by), _shifted_word(redirect.heredoc_body, by))


def _shifted_command(cmd: Command, by: int) -> Command:
    """A deep copy of `cmd` with every offset moved by `by` (the memo's commands stay intact)."""
    return Command(
        [Assignment(a.name, _shifted_word(a.value, by), a.start + by, a.end + by) for a in cmd.assignments],
        [_shifted(w, by) for w in cmd.argv],
        [_shifted_redirect(r, by) for r in cmd.redirects],
        cmd.start + by, cmd.end + by,
        [_shifted_redirect(r, by) for r in cmd.group_redirects],
        cmd.in_subshell, cmd.conditional)


def _parse(text: str, base: int, escape: str, depth: int, indent: int = 0) -> list[Command]:
    inner: list[Command] = []
    lexer = _Lexer(text, base, escape, depth, inner, indent)
    toks = lexer.tokens()
    commands: list[Command] = []
    groups: list[tuple[str, int, bool]] = []  # (kind, index of first command inside, was conditional)
    control = 0
    conditional_next = False
    i = 0
    while i < len(toks):
        tok = toks[i]
        if tok.kind == "nl" or (tok.kind == "op" and tok.text in (";", "&", ";;", "&&", "|", "|&")):
            conditional_next = False
            i += 1
            continue
        if tok.kind == "op" and tok.text == "||":
            conditional_next = True
            i += 1
            continue
        if tok.kind == "op" and tok.text == "(":
            groups.append(("(", len(commands), False))
            i += 1
            continue
        if tok.kind == "op" and tok.text == ")":
            i = _close_group(toks, i + 1, groups, commands, ")", base)
            continue
        if tok.kind == "word" and not tok.word.quoted and tok.text in _CLOSE_KEYWORDS:
            if tok.text in ("fi", "done", "esac"):
                control = max(0, control - 1)
            i = _close_group(toks, i + 1, groups, commands, tok.text, base)
            continue
        if tok.kind == "word" and not tok.word.quoted and tok.text in _OPEN_KEYWORDS:
            if tok.text == "{":
                groups.append(("{", len(commands), False))
            if tok.text in ("while", "until", "if"):
                control += 1
                if tok.text in ("while", "until"):
                    groups.append(("loop", len(commands), False))
            i += 1
            continue
        if tok.kind == "word" and not tok.word.quoted and tok.text in ("for", "case", "select"):
            control += 1
            if tok.text != "case":
                groups.append(("loop", len(commands), False))
            # skip the header up to `do` / `in`, which carries no command
            j = i + 1
            stop = "in" if tok.text == "case" else "do"
            while j < len(toks) and not (toks[j].kind == "word" and toks[j].text == stop):
                j += 1
            i = j + 1
            if tok.text == "case":
                i = _skip_case_patterns(toks, i)
            continue
        cmd, i = _simple_command(toks, i, text, base, escape, depth)
        if cmd is None:
            i += 1
            continue
        cmd.conditional = conditional_next or control > 0
        commands.append(cmd)
        commands.extend(_sh_c(cmd, text, base, escape, depth))
        if i < len(toks) and toks[i].kind == "word" and toks[i].text == ")" and control:
            i += 1
    if not inner:
        return commands  # already in order
    # commands from $(…) run before the command that holds them
    def order(cmd: Command, is_inner: bool):
        holder = next((c for c in commands if c.start <= cmd.start < c.end), None) if is_inner else None
        return (holder.start if holder else cmd.start, 0 if is_inner else 1, cmd.start)

    keyed = [(order(c, True), c) for c in inner] + [(order(c, False), c) for c in commands]
    return [c for _, c in sorted(keyed, key=lambda pair: pair[0])]


def _skip_case_patterns(toks: list[_Tok], i: int) -> int:
    """After `case x in`: skip `pattern)` so the arms' commands are parsed."""
    while i < len(toks) and toks[i].kind == "nl":
        i += 1
    j = i
    while j < len(toks) and toks[j].kind == "word" or (j < len(toks) and toks[j].kind == "op" and toks[j].text in ("|", "(")):
        j += 1
    if j < len(toks) and toks[j].kind == "op" and toks[j].text == ")":
        return j + 1
    return i


def _simple_command(toks, i, text, base, escape, depth) -> tuple[Command | None, int]:
    assignments: list[Assignment] = []
    argv: list[Word] = []
    redirects: list[Redirect] = []
    start = None
    end = None
    n = len(toks)
    while i < n:
        tok = toks[i]
        if tok.kind == "op" and tok.text in ("<", ">", ">>", "<<", "<<-", "<<<", ">&", "<&", "&>", "&>>", ">|", "<>"):
            target = toks[i + 1].word if i + 1 < n and toks[i + 1].kind == "word" else None
            body = tok.word if tok.text in ("<<", "<<-") else None
            redirects.append(Redirect(tok.text, target, body))
            start = tok.start + base if start is None else start
            end = (toks[i + 1].end if target else tok.end) + base
            i += 2 if target else 1
            continue
        if tok.kind != "word":
            break
        if tok.text in _CLOSE_KEYWORDS and not tok.word.quoted and not argv:
            break
        word = tok.word
        if not argv and (m := _ASSIGN.match(tok.raw)) is not None:
            value_start = word.start + m.end()
            value_raw = tok.raw[m.end():]
            value = _assignment_value(word, m.group(1), value_raw, value_start)
            assignments.append(Assignment(m.group(1), value, word.start, word.end))
        else:
            if tok.text in ("do", "then", "else") and not word.quoted and not argv:
                i += 1
                continue
            argv.append(word)
        start = word.start if start is None else start
        end = word.end
        i += 1
    if start is None:
        return None, i
    return Command(assignments, argv, redirects, start, end), i


def _assignment_value(word: Word, name: str, value_raw: str, value_start: int) -> Word:
    prefix_len = len(name) + 1
    value = word.value[prefix_len:] if word.value.startswith(name + "=") else word.value.split("=", 1)[-1]
    return Word(value, value_start, word.end, any(q in value_raw for q in "'\"\\"), word.dynamic)


def _close_group(toks, i, groups, commands, closer: str, base: int) -> int:
    """Pop the group a `)`, `}` or `done` closes; its trailing redirections apply to its commands."""
    opener = {")": "(", "}": "{", "done": "loop"}.get(closer)
    if opener is None:
        return i
    while groups and groups[-1][0] != opener:
        groups.pop()
    if not groups:
        return i
    kind, first, _ = groups.pop()
    redirects: list[Redirect] = []
    n = len(toks)
    while i < n and toks[i].kind == "op" and toks[i].text in ("<", ">", ">>", "&>", "&>>", ">|", "<<<"):
        target = toks[i + 1].word if i + 1 < n and toks[i + 1].kind == "word" else None
        redirects.append(Redirect(toks[i].text, target))
        i += 2 if target else 1
    for cmd in commands[first:]:
        cmd.group_redirects.extend(redirects)
        if kind == "(":
            cmd.in_subshell = True
    return i


def _sh_c(cmd: Command, text: str, base: int, escape: str, depth: int) -> list[Command]:
    """`sh -c '…'` / `bash -euxc "…"` (also behind `sudo`, `env`, …): the literal script's
    commands, with file offsets."""
    argv = unwrap(cmd)[1]
    if not argv or argv[0].value.rpartition("/")[2] not in SHELLS or depth >= MAX_DEPTH:
        return []
    for k, word in enumerate(argv[1:-1], start=1):
        if word.value.startswith("-") and not word.value.startswith("--") and "c" in word.value[1:]:
            script = argv[k + 1]
            raw = text[script.start - base:script.end - base]
            if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and (
                    raw[0] == "'" or not any(c in raw[1:-1] for c in "$`\\")):
                found = _parse(raw[1:-1], script.start + 1, escape, depth + 1)
            else:
                found = _parse(script.value, script.start, escape, depth + 1)
            for c in found:
                c.in_subshell = True
            return found
    return []


# -- helpers for the formats ------------------------------------------------------------------
# Wrappers that run another program: the options that take a value, and how many operands
# come before the program (`timeout DURATION prog`).
_WRAPPERS = {
    "sudo": ({"-u", "-g", "-C", "-D", "-h", "-p", "-U", "-r", "-t"}, 0),
    "nice": ({"-n"}, 0),
    "timeout": ({"-s", "--signal", "-k", "--kill-after"}, 1),
    **{name: (set(), 0) for name in ("time", "exec", "nohup", "command", "builtin", "noglob")},
}
_ENV_VALUE_OPTIONS = {"-u", "--unset", "-C", "--chdir", "-S"}


def _skip_options(words: list[Word], value_options: set[str]) -> list[Word]:
    while words and words[0].value.startswith("-"):
        words = words[2:] if words[0].value in value_options else words[1:]
    return words


def unwrap(cmd: Command) -> tuple[list[Assignment], list[Word]]:
    """Peel `env [-i] [-u N] [N=V]… prog`, `sudo [-E] [-u user]`, `time`, `exec`, `nohup`,
    `command`, `nice [-n N]`, `timeout [opts] DURATION` to reach the real program."""
    assignments = list(cmd.assignments)
    argv = list(cmd.argv)
    for _ in range(8):
        if not argv:
            break
        prog = argv[0].value.rpartition("/")[2]
        if prog == "env":
            rest = _skip_options(argv[1:], _ENV_VALUE_OPTIONS)
            while rest and _ASSIGN.match(rest[0].value):
                w = rest[0]
                name = _ASSIGN.match(w.value).group(1)
                vstart = w.start + len(name) + 1
                assignments.append(Assignment(name, Word(w.value[len(name) + 1:], vstart, w.end, w.quoted, w.dynamic),
                                              w.start, w.end))
                rest = rest[1:]
            argv = rest
        elif prog in _WRAPPERS:
            value_options, operands = _WRAPPERS[prog]
            argv = _skip_options(argv[1:], value_options)[operands:]
        else:
            break
    return assignments, argv


def _is_env_file(word: Word | None, file_var: str) -> bool:
    return word is not None and word.value in (f"${file_var}", f"${{{file_var}}}")


def env_file_writes(cmd: Command, file_var: str = "GITHUB_ENV") -> list[Assignment]:
    """NAME=VALUE lines this command appends to $GITHUB_ENV (echo, printf, heredocs, tee -a)."""
    redirects = cmd.redirects + cmd.group_redirects
    to_file = any(r.op in (">>", ">", ">|") and _is_env_file(r.target, file_var) for r in redirects)
    argv = cmd.argv
    if argv and argv[0].value.rpartition("/")[2] == "tee" and any(_is_env_file(w, file_var) for w in argv[1:]):
        to_file = True
    if not to_file:
        return []
    out: list[Assignment] = []
    prog = argv[0].value.rpartition("/")[2] if argv else ""
    if prog == "echo":
        for w in argv[1:]:
            if w.value.startswith("-") and not out:
                continue
            out.extend(_lines_as_assignments(w))
    elif prog == "printf":
        for w in argv[1:]:
            for a in _lines_as_assignments(w, printf=True):
                if "%" in a.value.value:  # `printf 'X=%s\n' "$v"`: the value comes from an argument
                    a = Assignment(a.name, Word(a.value.value, a.value.start, a.value.end, a.value.quoted, True),
                                   a.start, a.end)
                out.append(a)
    for r in cmd.redirects:
        if r.heredoc_body is not None:
            out.extend(_lines_as_assignments(r.heredoc_body, heredoc=True))
    return out


def _lines_as_assignments(word: Word, printf: bool = False, heredoc: bool = False) -> list[Assignment]:
    value = word.value
    offset = word.start if heredoc or not word.quoted else word.start + 1
    exact = heredoc or not word.quoted or (len(value) + 2 == word.end - word.start)
    out = []
    lines = value.split("\n")
    pos = 0
    k = 0
    while k < len(lines):
        line = lines[k]
        line_start = pos
        pos += len(line) + 1
        k += 1
        if printf:
            line = line.replace("\\n", "")
        m = re.match(r"([A-Za-z_][A-Za-z0-9_]*)(=|<<)(.*)$", line.rstrip("\r"))
        if not m:
            continue
        name, sep, rest = m.groups()
        if sep == "<<":  # NAME<<DELIM multi-line value
            body = []
            while k < len(lines) and lines[k].rstrip("\r") != rest:
                body.append(lines[k])
                pos += len(lines[k]) + 1
                k += 1
            if k < len(lines):
                pos += len(lines[k]) + 1
                k += 1
            rest = "\n".join(body)
        start = offset + line_start if exact else word.start
        vstart = start + len(name) + len(sep) if exact else word.start
        vend = vstart + len(rest) if exact and sep == "=" else word.end
        out.append(Assignment(name, Word(rest, vstart, vend, word.quoted, word.dynamic or "$" in rest),
                              start, vend))
    return out


def remap(record, offsets: list[int]):
    """A shell record with its offsets into a rewritten script (joined lines, expanded make
    variables) mapped back to the file: `offsets[i]` is where character i came from."""
    changes: dict[str, object] = {}
    for name in fields(record):
        value = getattr(record, name)
        if name == "start" and isinstance(value, int):
            changes[name] = offsets[value]
        elif name == "end" and isinstance(value, int):
            changes[name] = offsets[value - 1] + 1 if value > 0 else offsets[0]
        elif isinstance(value, list):
            changes[name] = [remap(v, offsets) if hasattr(v, "__record_fields__") else v for v in value]
        elif hasattr(value, "__record_fields__"):
            changes[name] = remap(value, offsets)
    if "start" in changes and "end" in changes and changes["end"] < changes["start"]:
        changes["end"] = changes["start"]  # an empty word after a gap in the map
    return replace(record, **changes)
