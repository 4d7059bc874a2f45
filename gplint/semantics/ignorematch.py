"""How BuildKit reads a .dockerignore file and decides what leaves the build context (docs/semantics.md §10).

A Python port of moby/patternmatcher (``ignorefile.ReadAll``, ``New``, ``Pattern.compile``/``match``,
``MatchesOrParentMatches``, ``MatchesUsingParentResults``) and of the directory-skipping rule of the
tonistiigi/fsutil walker that sends the context. Stdlib only, no I/O.

Faithfulness notes (each checked against the Go code):

* moby turns a glob into a Go (RE2) regular expression by hand and matches with that, so what the
  generated text means to RE2 is what counts, not ``filepath.Match``. That matters for ``\\``
  (``\\d`` is a digit class, ``\\Q`` quotes), for classes (``[[:alpha:]]``; ranges such as
  ``[Local-Only]`` that RE2 rejects) and for ``| { }``, which moby's escape table means to escape
  but does not (its 8-byte bitmap loses every byte >= 64): ``a|b*`` is an alternation, ``x{2}`` a
  repetition. The generated RE2 text is therefore translated to Python with RE2's rules
  (``_Re2Translator``).
* ``IgnorePattern.pattern`` is what moby matches with (``Pattern.String()``): ReadAll's cleaning,
  then ``New``'s own TrimSpace/Clean and ``!`` split, which differ from ReadAll's only for odd lines
  such as ``!/`` (an error) or ``a/../!x`` (an exception).
* Docker fails the whole build on the first bad pattern; here every bad line becomes an
  ``IgnoreError`` and is left out of the returned patterns, so the rest can still be checked.
"""
from __future__ import annotations

import re
import sys
import unicodedata
from functools import lru_cache

from .linear_regex import LinearPattern
from .linear_regex import Unsupported as LinearUnsupported
from .linear_regex import compile_safe
from ..records import dataclass

__all__ = ["IgnorePattern", "IgnoreError", "IgnoreMatcher", "read_ignore_file"]


@dataclass(frozen=True, slots=True)
class IgnorePattern:
    pattern: str  # as moby matches it: cleaned, without the '!'
    exclusion: bool  # a '!' line: an exception that re-includes what earlier lines excluded
    line: int  # 1-based
    start: int  # the raw line's offsets in the file (without BOM, '\r' or '\n')
    end: int


@dataclass(frozen=True, slots=True)
class IgnoreError:
    line: int
    start: int
    end: int
    message: str


# --------------------------------------------------------------------------------------------
# Go library behaviour: strings.TrimSpace, filepath.Clean, filepath.Match's syntax check
# --------------------------------------------------------------------------------------------

# unicode.IsSpace (Python's str.strip also strips U+001C..U+001F, Go does not)
_GO_SPACE = frozenset("\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
                      "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def _trim_space(s: str) -> str:
    i, j = 0, len(s)
    while i < j and s[i] in _GO_SPACE:
        i += 1
    while j > i and s[j - 1] in _GO_SPACE:
        j -= 1
    return s[i:j]


def _clean(path: str) -> str:
    """filepath.Clean on a '/' path (posixpath.normpath keeps a leading '//', Go does not)."""
    rooted = path.startswith("/")
    parts: list[str] = []
    for part in path.split("/"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts and parts[-1] != "..":
                parts.pop()
            elif not rooted:
                parts.append("..")
            continue
        parts.append(part)
    joined = "/".join(parts)
    if rooted:
        return "/" + joined
    return joined or "."


def _glob_problem(pattern: str) -> str | None:
    """Why filepath.Match(pattern, ".") fails, or None. Match checks the syntax of every chunk of
    the pattern whatever the name, so checking each chunk on its own is equivalent."""
    rest = pattern
    while rest:
        rest = rest.lstrip("*")
        # scanChunk: up to the next '*' outside a [...] class
        i, in_range = 0, False
        while i < len(rest):
            c = rest[i]
            if c == "\\":
                if i + 1 < len(rest):
                    i += 1
            elif c == "[":
                in_range = True
            elif c == "]":
                in_range = False
            elif c == "*" and not in_range:
                break
            i += 1
        chunk, rest = rest[:i], rest[i:]
        problem = _chunk_problem(chunk)
        if problem:
            return problem
    return None


def _chunk_problem(chunk: str) -> str | None:
    """matchChunk's syntax errors."""
    def get_esc(s: str) -> tuple[str | None, str]:
        if not s or s[0] in "-]":
            return "bad character class", s
        if s[0] == "\\":
            s = s[1:]
            if not s:
                return "unterminated character class", s
        s = s[1:]
        return (None if s else "unterminated character class"), s

    while chunk:
        c = chunk[0]
        if c == "[":
            chunk = chunk[1:]
            if chunk.startswith("^"):
                chunk = chunk[1:]
            ranges = 0
            while True:
                if chunk.startswith("]") and ranges > 0:
                    chunk = chunk[1:]
                    break
                problem, chunk = get_esc(chunk)
                if problem:
                    return problem
                if chunk[0] == "-":
                    problem, chunk = get_esc(chunk[1:])
                    if problem:
                        return problem
                ranges += 1
        elif c == "\\":
            chunk = chunk[1:]
            if not chunk:
                return "trailing backslash"
            chunk = chunk[1:]
        else:
            chunk = chunk[1:]
    return None


# --------------------------------------------------------------------------------------------
# ignorefile.ReadAll + patternmatcher.New
# --------------------------------------------------------------------------------------------

# bufio.Scanner's default token limit: a line and its '\n' must fit in 64 KiB
_MAX_LINE_BYTES = 64 * 1024 - 1


def read_ignore_file(text: str) -> tuple[list[IgnorePattern], list[IgnoreError]]:
    """ignorefile.ReadAll then patternmatcher.New, one line at a time (§10.2-10.3)."""
    patterns: list[IgnorePattern] = []
    errors: list[IgnoreError] = []
    offset = 0
    raw_lines = text.split("\n")
    if raw_lines[-1] == "":
        raw_lines.pop()  # bufio.ScanLines yields no empty line after a final '\n'
    for number, raw in enumerate(raw_lines, start=1):
        start = offset
        offset += len(raw) + 1
        line = raw[:-1] if raw.endswith("\r") else raw  # ScanLines drops one '\r'
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
            start += 1
        end = start + len(line)
        if len(_utf8(raw)) > _MAX_LINE_BYTES:
            # ReadAll returns only the error: the build stops before anything is matched
            return [], [IgnoreError(number, start, end, "bufio.Scanner: token too long")]
        # ReadAll
        if line.startswith("#"):
            continue
        pattern = _trim_space(line)
        if not pattern:
            continue
        invert = pattern[0] == "!"
        if invert:
            pattern = _trim_space(pattern[1:])
        if pattern:
            pattern = _clean(pattern)
            if len(pattern) > 1 and pattern[0] == "/":
                pattern = pattern[1:]
        if invert:
            pattern = "!" + pattern
        # New
        pattern = _trim_space(pattern)
        if not pattern:
            continue
        pattern = _clean(pattern)
        exclusion = pattern[0] == "!"
        if exclusion:
            if len(pattern) == 1:
                errors.append(IgnoreError(number, start, end, 'illegal exclusion pattern: "!"'))
                continue
            pattern = pattern[1:]
        problem = _pattern_problem(pattern)
        if problem:
            errors.append(IgnoreError(number, start, end, problem))
            continue
        patterns.append(IgnorePattern(pattern, exclusion, number, start, end))
    return patterns, errors


def _pattern_problem(pattern: str) -> str | None:
    """The error message for a pattern moby rejects: New's filepath.Match check, then the regexp
    that moby builds at the first match (Go reports a failure there as ErrBadPattern too, and
    the build fails)."""
    problem = _glob_problem(pattern)
    if problem:
        return f"syntax error in pattern ({problem})"
    compiled = _compile(pattern)
    if isinstance(compiled, _Unevaluable):
        return f"gplint cannot evaluate this pattern: {compiled.reason}; it is treated as matching nothing"
    if isinstance(compiled, str):
        return f"syntax error in pattern (moby's regexp for it does not compile: {compiled})"
    return None


# --------------------------------------------------------------------------------------------
# Pattern.compile: glob -> Go regexp text (or an exact / prefix / suffix comparison)
# --------------------------------------------------------------------------------------------

_EXACT, _PREFIX, _SUFFIX, _REGEXP = "exact", "prefix", "suffix", "regexp"

# moby's shouldEscape() means ".+()|{}$", but its 8-byte bitmap loses '|', '{' and '}' (>= 64)
_MOBY_ESCAPED = frozenset(".+()$")


@dataclass(frozen=True, slots=True)
class _Compiled:
    kind: str
    text: bytes = b""  # the exact pattern, prefix or suffix: Go compares bytes
    regex: re.Pattern[str] | LinearPattern | None = None  # both have .search()


def _go_regexp_text(pattern: str) -> tuple[str, str]:
    """Pattern.compile's loop: the match type and the RE2 text it builds."""
    n = len(pattern)
    pos = 1 if pattern.startswith("\ufeff") else 0  # text/scanner skips a leading BOM
    out = ["^"]
    kind = _EXACT
    i = 0  # loop iterations, as in Go: only a "**" at i == 0 makes a suffix match
    while pos < n:
        ch = pattern[pos]
        pos += 1
        if ch == "*":
            if pos < n and pattern[pos] == "*":
                pos += 1
                if pos < n and pattern[pos] == "/":
                    pos += 1
                if pos >= n:
                    if kind == _EXACT:
                        kind = _PREFIX
                    else:
                        out.append(".*")
                        kind = _REGEXP
                else:
                    out.append("(.*/)?")
                    kind = _REGEXP
                if i == 0:
                    kind = _SUFFIX
            else:
                out.append("[^/]*")
                kind = _REGEXP
        elif ch == "?":
            out.append("[^/]")
            kind = _REGEXP
        elif ch in _MOBY_ESCAPED:
            out.append("\\" + ch)
        elif ch == "\\":
            if pos < n:
                out.append("\\" + pattern[pos])
                pos += 1
                kind = _REGEXP
            else:
                out.append("\\")
        elif ch in "[]":
            out.append(ch)
            kind = _REGEXP
        else:
            out.append(ch)
        i += 1
    if kind == _REGEXP:
        out.append("$")
    return kind, "".join(out)


@dataclass(frozen=True, slots=True)
class _Unevaluable:
    reason: str  # Go accepts the pattern, this port cannot evaluate it


def _utf8(s: str) -> bytes:
    return s.encode("utf-8", "surrogatepass")


@lru_cache(maxsize=4096)
def _compile(pattern: str) -> _Compiled | _Unevaluable | str:
    """The compiled pattern, or why Go's regexp.Compile rejects moby's translation of it."""
    kind, text = _go_regexp_text(pattern)
    raw = _utf8(pattern)
    if kind == _EXACT:
        return _Compiled(kind, raw)
    if kind == _PREFIX:
        return _Compiled(kind, raw[:-2])  # without the trailing "**"
    if kind == _SUFFIX:
        return _Compiled(kind, raw[2:])  # without the leading "**"
    try:
        # Go's regexp runs in linear time; Python's backtracking may not (linear_regex.py)
        return _Compiled(kind, regex=compile_safe(_Re2Translator(text).translate(), re.ASCII))
    except _Re2Error as exc:
        return str(exc)
    except (_Unsupported, LinearUnsupported) as exc:
        return _Unevaluable(str(exc))
    except (re.error, RecursionError, OverflowError) as exc:  # a gap in the translation
        return _Unevaluable(f"its regexp does not translate to Python ({exc})")


def _pattern_matches(compiled: _Compiled, path: str) -> bool:
    """Pattern.match."""
    if compiled.kind == _EXACT:
        return _utf8(path) == compiled.text
    if compiled.kind == _PREFIX:
        return _utf8(path).startswith(compiled.text)
    if compiled.kind == _SUFFIX:
        raw = _utf8(path)
        if raw.endswith(compiled.text):
            return True
        return compiled.text[:1] == b"/" and raw == compiled.text[1:]  # **/foo matches "foo"
    return compiled.regex is not None and bool(compiled.regex.search(path))  # Go's MatchString is unanchored


# --------------------------------------------------------------------------------------------
# RE2 (Go regexp/syntax with the Perl flags) -> Python re, for the texts moby generates
# --------------------------------------------------------------------------------------------

class _Re2Error(Exception):
    def __init__(self, code: str, expr: str):
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


_MAX_RUNE = 0x10FFFF
_Ranges = list[tuple[int, int]]


def _r(spec: str) -> _Ranges:
    """'09AZ' -> [(ord('0'), ord('9')), (ord('A'), ord('Z'))]."""
    return [(ord(spec[k]), ord(spec[k + 1])) for k in range(0, len(spec), 2)]


_PERL_GROUPS = {"d": _r("09"), "s": _r("\t\n\f\r  "), "w": _r("09AZ__az")}
_POSIX_GROUPS = {
    "alnum": _r("09AZaz"), "alpha": _r("AZaz"), "ascii": _r("\x00\x7f"), "blank": _r("\t\t  "),
    "cntrl": _r("\x00\x1f\x7f\x7f"), "digit": _r("09"), "graph": _r("!~"), "lower": _r("az"),
    "print": _r(" ~"), "punct": _r("!/:@[`{~"), "space": _r("\t\r  "), "upper": _r("AZ"),
    "word": _r("09AZ__az"), "xdigit": _r("09AFaf"),
}
_CONTROL_ESCAPES = {"a": 7, "f": 12, "n": 10, "r": 13, "t": 9, "v": 11}
_HEX = frozenset("0123456789abcdefABCDEF")
# Go's unicode.Categories (unicode.C is Cc|Cf|Co|Cs: Go has no table of unassigned points)
_GO_CATEGORIES = frozenset("C Cc Cf Co Cs L Ll Lm Lo Lt Lu M Mc Me Mn N Nd Nl No P Pc Pd Pe Pf Pi Po Ps "
                           "S Sc Sk Sm So Z Zl Zp Zs".split())


class _Unsupported(Exception):
    """Go accepts it, but this port cannot evaluate it."""


@lru_cache(maxsize=1)
def _category_table() -> dict[str, tuple[tuple[int, int], ...]]:
    table: dict[str, _Ranges] = {}
    for cp in range(sys.maxunicode + 1):
        ranges = table.setdefault(unicodedata.category(chr(cp)), [])
        if ranges and ranges[-1][1] == cp - 1:
            ranges[-1] = (ranges[-1][0], cp)
        else:
            ranges.append((cp, cp))
    return {name: tuple(ranges) for name, ranges in table.items()}


def _unicode_ranges(name: str) -> _Ranges | None:
    """unicodeTable(name): the code points of \\p{name}; None if Go knows no such name."""
    if name == "Any":
        return [(0, _MAX_RUNE)]
    if name in _GO_CATEGORIES:
        table = _category_table()
        return [r for cat, ranges in table.items() if cat != "Cn" and cat.startswith(name) for r in ranges]
    if re.fullmatch(r"[A-Z][A-Za-z_]+", name):
        raise _Unsupported(f"Unicode script classes such as \\p{{{name}}} are not supported")
    return None


def _merge(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    for lo, hi in sorted(ranges):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(out[-1][1], hi))
        else:
            out.append((lo, hi))
    return out


def _negate(ranges: _Ranges) -> _Ranges:
    out: _Ranges = []
    nxt = 0
    for lo, hi in _merge(ranges):
        if lo > nxt:
            out.append((nxt, lo - 1))
        nxt = hi + 1
    if nxt <= _MAX_RUNE:
        out.append((nxt, _MAX_RUNE))
    return out


def _class_atom(ranges: _Ranges) -> str:
    merged = _merge(ranges)
    if not merged:
        return "(?!)"
    parts = [f"\\U{lo:08x}" if lo == hi else f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in merged]
    return "[" + "".join(parts) + "]"


class _Re2Translator:
    """A port of the parts of Go's regexp/syntax parser that moby's generated text can reach
    (literals, escapes, classes, '.', '^', '$', groups, '|', '*', '+', '?', '{n,m}'). It emits
    an equivalent Python pattern, or raises _Re2Error where Go's regexp.Compile fails."""

    def __init__(self, src: str):
        self.s = src
        self.n = len(src)

    def translate(self) -> str:
        s, n = self.s, self.n
        # the open groups; each is a list of alternatives, each a list of Python atoms
        groups: list[list[list[str]]] = [[[]]]
        last_repeat = False  # the previous token was a repetition (RE2 rejects a**)
        i = 0
        while i < n:
            c = s[i]
            repeat = False
            atoms = groups[-1][-1]
            if c == "(":
                if s.startswith("(?", i):
                    raise _Re2Error("unsupported group flags", s[i:i + 2])
                groups.append([[]])
                i += 1
            elif c == "|":
                groups[-1].append([])
                i += 1
            elif c == ")":
                if len(groups) == 1:
                    raise _Re2Error("unexpected )", s)
                alternatives = groups.pop()
                groups[-1][-1].append("(?:" + "|".join("".join(a) for a in alternatives) + ")")
                i += 1
            elif c in "*+?" or (c == "{" and (bounds := self._repeat_bounds(i)) is not None):
                start = i
                if c == "{" and bounds is not None:
                    lo, hi, i = bounds
                    if lo > 1000 or hi > 1000 or (hi >= 0 and lo > hi):
                        raise _Re2Error("invalid repeat count", s[start:i])
                    suffix = "{%d,}" % lo if hi < 0 else "{%d,%d}" % (lo, hi)
                else:
                    suffix = c
                    i += 1
                if i < n and s[i] == "?":
                    suffix += "?"  # non-greedy
                    i += 1
                if last_repeat:
                    raise _Re2Error("invalid nested repetition operator", s[start:i])
                if not atoms:  # at the start, or right after '(' or '|'
                    raise _Re2Error("missing argument to repetition operator", s[start:i])
                atoms[-1] = "(?:" + atoms[-1] + ")" + suffix
                repeat = True
            elif c == "[":
                ranges, i = self._parse_class(i)
                atoms.append(_class_atom(ranges))
            elif c == ".":
                atoms.append("[^\\n]")
                i += 1
            elif c == "^":
                atoms.append("(?:\\A)")
                i += 1
            elif c == "$":
                atoms.append("(?:\\Z)")
                i += 1
            elif c == "\\":
                i = self._top_escape(i, atoms)
            else:
                atoms.append(re.escape(c))
                i += 1
            last_repeat = repeat
        if len(groups) != 1:
            raise _Re2Error("missing closing )", s)
        return "|".join("".join(a) for a in groups[0])

    def _repeat_bounds(self, i: int) -> tuple[int, int, int] | None:
        """parseRepeat at s[i] == '{': (min, max or -1 for none, index after '}'), or None when
        the text is no repetition and Go takes the '{' literally."""
        s, n = self.s, self.n

        def number(k: int) -> tuple[int, int] | None:
            if k >= n or not "0" <= s[k] <= "9":
                return None
            if s[k] == "0" and k + 1 < n and "0" <= s[k + 1] <= "9":
                return None  # no leading zeros
            e = k
            while e < n and "0" <= s[e] <= "9":
                e += 1
            return int(s[k:e]), e

        first = number(i + 1)
        if first is None:
            return None
        lo, j = first
        if j >= n:
            return None
        if s[j] != ",":
            hi = lo
        else:
            j += 1
            if j >= n:
                return None
            if s[j] == "}":
                hi = -1
            else:
                second = number(j)
                if second is None:
                    return None
                hi, j = second
        if j >= n or s[j] != "}":
            return None
        return lo, hi, j + 1

    def _top_escape(self, i: int, atoms: list[str]) -> int:
        s, n = self.s, self.n
        if i + 1 >= n:
            raise _Re2Error("trailing backslash at end of expression", "")
        d = s[i + 1]
        assertions = {"A": "(?:\\A)", "z": "(?:\\Z)", "b": "(?:\\b)", "B": "(?:\\B)"}
        if d in assertions:
            atoms.append(assertions[d])
            return i + 2
        if d == "C":
            raise _Re2Error("invalid escape sequence", "\\C")
        if d == "Q":  # literal text up to \E, or to the end (the final '$' included)
            close = s.find("\\E", i + 2)
            literal = s[i + 2:] if close < 0 else s[i + 2:close]
            atoms.extend(re.escape(ch) for ch in literal)
            return n if close < 0 else close + 2
        unicode_class = self._unicode_class(i)
        if unicode_class is not None:
            ranges, i = unicode_class
            atoms.append(_class_atom(ranges))
            return i
        if d in "dDsSwW":
            group = _PERL_GROUPS[d.lower()]
            atoms.append(_class_atom(_negate(group) if d.isupper() else group))
            return i + 2
        cp, i = self._escape(i)
        atoms.append(re.escape(chr(cp)))
        return i

    def _unicode_class(self, i: int) -> tuple[_Ranges, int] | None:
        """parseUnicodeClass at s[i]: \\pL, \\p{Greek}, \\PL, \\p{^L}; None if no \\p or \\P is there."""
        s, n = self.s, self.n
        if i + 1 >= n or s[i] != "\\" or s[i + 1] not in "pP":
            return None
        negate = s[i + 1] == "P"
        if s.startswith("{", i + 2):
            close = s.find("}", i)
            if close < 0:
                raise _Re2Error("invalid character class range", s[i:])
            name, end = s[i + 3:close], close + 1
        else:
            name, end = s[i + 2:i + 3], min(i + 3, n)
        if name.startswith("^"):
            negate, name = not negate, name[1:]
        ranges = _unicode_ranges(name)
        if ranges is None:
            raise _Re2Error("invalid character class range", s[i:end])
        return (_negate(ranges) if negate else ranges), end

    def _escape(self, i: int) -> tuple[int, int]:
        """parseEscape at s[i] == '\\': one code point and the index after it."""
        s, n = self.s, self.n
        if i + 1 >= n:
            raise _Re2Error("trailing backslash at end of expression", "")
        c = s[i + 1]
        j = i + 2
        # octal: \0 with up to two more digits, or \1-\7 followed by at least one more
        if c == "0" or (c in "1234567" and j < n and "0" <= s[j] <= "7"):
            value = int(c)
            for _ in range(2):
                if j < n and "0" <= s[j] <= "7":
                    value = value * 8 + int(s[j])
                    j += 1
                else:
                    break
            return value, j
        if c == "x" and j < n:
            if s[j] == "{":
                close = s.find("}", j)
                body = s[j + 1:close] if close > 0 else ""
                if body and all(ch in _HEX for ch in body) and int(body, 16) <= _MAX_RUNE:
                    return int(body, 16), close + 1
            elif j + 1 < n and s[j] in _HEX and s[j + 1] in _HEX:
                return int(s[j:j + 2], 16), j + 2
        if c in _CONTROL_ESCAPES:
            return _CONTROL_ESCAPES[c], j
        if ord(c) < 0x80 and not ("0" <= c <= "9" or "a" <= c.lower() <= "z"):
            return ord(c), j  # an escaped punctuation character is itself
        raise _Re2Error("invalid escape sequence", s[i:j])

    def _parse_class(self, i: int) -> tuple[_Ranges, int]:
        """parseClass at s[i] == '['."""
        s, n = self.s, self.n
        whole = s[i:]
        t = i + 1
        negate = t < n and s[t] == "^"
        if negate:
            t += 1
        ranges: _Ranges = []
        first = True  # a ']' right after '[' or '[^' is a member
        while t >= n or s[t] != "]" or first:
            first = False
            if n - t > 2 and s[t] == "[" and s[t + 1] == ":":  # [:alpha:] and [:^alpha:]
                close = s.find(":]", t + 2)
                if close >= 0:
                    name = s[t + 2:close]
                    group = _POSIX_GROUPS.get(name.removeprefix("^"))
                    if group is None:
                        raise _Re2Error("invalid character class range", s[t:close + 2])
                    ranges += _negate(group) if name.startswith("^") else group
                    t = close + 2
                    continue
            unicode_class = self._unicode_class(t)
            if unicode_class is not None:
                group, t = unicode_class
                ranges += group
                continue
            if t + 1 < n and s[t] == "\\" and s[t + 1] in "dDsSwW":
                group = _PERL_GROUPS[s[t + 1].lower()]
                ranges += _negate(group) if s[t + 1].isupper() else group
                t += 2
                continue
            start = t
            lo, t = self._class_char(t, whole)
            hi = lo
            if n - t >= 2 and s[t] == "-" and s[t + 1] != "]":
                hi, t = self._class_char(t + 1, whole)
                if hi < lo:
                    raise _Re2Error("invalid character class range", s[start:t])
            ranges.append((lo, hi))
        return (_negate(ranges) if negate else ranges), t + 1

    def _class_char(self, t: int, whole: str) -> tuple[int, int]:
        if t >= self.n:
            raise _Re2Error("missing closing ]", whole)
        if self.s[t] == "\\":
            return self._escape(t)
        return ord(self.s[t]), t + 1


# --------------------------------------------------------------------------------------------
# The matcher
# --------------------------------------------------------------------------------------------

# fsutil: an exception pattern with any of these (once its trailing /** or /* is cut) makes the
# walker enter every excluded directory
_FSUTIL_PATTERN_CHARS = frozenset("*[]?^\\")


def _without_trailing_glob(pattern: str) -> str:
    """fsutil's patternWithoutTrailingGlob."""
    return pattern.removesuffix("/**").removesuffix("/*")


def _normalize(path: str) -> str | None:
    """The path as the context walker names it: clean, relative; None for the context root."""
    path = _clean(path).lstrip("/")
    return None if path in ("", ".") else path


class IgnoreMatcher:
    """Decides paths against the patterns of one .dockerignore file, in file order."""

    def __init__(self, patterns: list[IgnorePattern]):
        self.patterns = list(patterns)
        self._active: list[tuple[IgnorePattern, _Compiled]] = []
        for pattern in self.patterns:
            if not pattern.pattern or _glob_problem(pattern.pattern):
                continue  # moby refuses the whole file; here the line just matches nothing
            compiled = _compile(pattern.pattern)
            if isinstance(compiled, _Compiled):
                self._active.append((pattern, compiled))
        exceptions = [_without_trailing_glob(p.pattern) for p, _ in self._active if p.exclusion]
        self._exception_prefixes = [p + "/" for p in exceptions]
        self._only_prefix_exceptions = not any(_FSUTIL_PATTERN_CHARS.intersection(p) for p in exceptions)

    # -- MatchesOrParentMatches -------------------------------------------------------------

    def _decide(self, path: str) -> tuple[bool, IgnorePattern | None]:
        """MatchesOrParentMatches (§10.6-10.7), and the pattern that set the final state."""
        clean = _normalize(path)
        if clean is None:
            return False, None  # "Don't let them exclude everything"
        parents = clean.split("/")[:-1]
        prefixes = ["/".join(parents[:k]) for k in range(1, len(parents) + 1)]
        matched = False
        decider = None
        for pattern, compiled in self._active:
            if pattern.exclusion != matched:
                continue  # it could not change the state
            if _pattern_matches(compiled, clean) or any(_pattern_matches(compiled, p) for p in prefixes):
                matched = not pattern.exclusion
                decider = pattern
        return matched, decider

    def excluded(self, path: str) -> bool:
        """Whether moby's MatchesOrParentMatches excludes this '/'-separated, context-relative path."""
        return self._decide(path)[0]

    def deciding_pattern(self, path: str) -> IgnorePattern | None:
        """The last pattern that changed the verdict of `excluded(path)` (None: none did)."""
        return self._decide(path)[1]

    # -- the fsutil walker: what BuildKit actually receives ---------------------------------

    def _step(self, path: str, parent: list[bool] | None) -> tuple[bool, list[bool], IgnorePattern | None]:
        """MatchesUsingParentResults: a pattern that matched the parent directory (as recorded
        when the walker passed it) counts as matching; others are tried on the path alone."""
        matched = False
        decider = None
        info = [False] * len(self._active)
        for k, (pattern, compiled) in enumerate(self._active):
            hit = parent[k] if parent else False
            if not hit:
                if pattern.exclusion != matched:
                    continue  # skipped, and so not recorded for the children either
                hit = _pattern_matches(compiled, path)
                if not hit and not parent and "/" in path:
                    parents = path.split("/")[:-1]
                    hit = any(_pattern_matches(compiled, "/".join(parents[:j]))
                              for j in range(1, len(parents) + 1))
            info[k] = hit
            if hit:
                matched = not pattern.exclusion
                decider = pattern
        return matched, info, decider

    def _enters(self, directory: str) -> bool:
        """fsutil's rule for an excluded directory: walk it only if some exception pattern (less
        a trailing /** or /*) is the directory or lies under it, or some exception has wildcards."""
        if not self._only_prefix_exceptions:
            return True
        prefix = directory + "/"
        return any(p.startswith(prefix) for p in self._exception_prefixes)

    def _walk(self, path: str, as_dir: bool) -> tuple[bool, bool, IgnorePattern | None]:
        """Walk from the context root down to `path`: (reached, excluded, deciding pattern).
        For a directory, reached means the walker lists its entries."""
        clean = _normalize(path)
        if clean is None:
            return True, False, None
        parts = clean.split("/")
        info: list[bool] | None = None
        matched, decider = False, None
        for depth in range(1, len(parts) + 1):
            here = "/".join(parts[:depth])
            matched, info, decider = self._step(here, info)
            if (depth < len(parts) or as_dir) and matched and not self._enters(here):
                return False, True, decider  # filepath.SkipDir
        return True, matched, decider

    def may_descend(self, dir_path: str) -> bool:
        """Whether the fsutil walker lists the entries of this directory (§10.8): each directory
        from the root down to it is either not excluded, or excluded but still entered because
        an exception pattern could re-include something under it."""
        return self._walk(dir_path, as_dir=True)[0]

    def excluded_by_walker(self, path: str) -> bool:
        """Whether the file at `path` is left out of what BuildKit receives: the walker never
        reaches it, or MatchesUsingParentResults excludes it. This, not `excluded`, is what
        `docker build` does; the two differ when an exception names a directory that was not
        excluded yet when the walker passed it (`**/testdata` then `!internal`)."""
        reached, excluded, _ = self._walk(path, as_dir=False)
        return not reached or excluded

    def walker_deciding_pattern(self, path: str) -> IgnorePattern | None:
        """The pattern behind `excluded_by_walker(path)`; for a file in a skipped directory, the
        pattern that excluded the directory."""
        return self._walk(path, as_dir=False)[2]
