"""A port of moby/patternmatcher: how BuildKit reads a .dockerignore file and decides whether a
path is excluded from the build context (semantics.md §10). Stdlib only, no I/O."""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field

_REGEX_LITERALS = ".+()|{}$"  # regexp metacharacters with no meaning in filepath.Match


@dataclass(frozen=True, slots=True)
class IgnorePattern:
    pattern: str  # cleaned, without the '!'
    exclusion: bool  # a '!' line: re-includes what earlier lines excluded
    line: int
    start: int  # the raw line's offsets in the file (line ending excluded)
    end: int


@dataclass(frozen=True, slots=True)
class IgnoreError:
    line: int
    start: int
    end: int
    message: str


def _go_clean(path: str) -> str:
    """filepath.Clean on a slash path: '' → '.', '.' and '..' resolved, trailing '/' dropped."""
    if not path:
        return "."
    cleaned = posixpath.normpath(path)
    if cleaned.startswith("//"):
        cleaned = "/" + cleaned.lstrip("/")
    return cleaned


def read_ignore_file(text: str) -> tuple[list[IgnorePattern], list[IgnoreError]]:
    """ignorefile.ReadAll (§10.2): BOM stripped, '#' only in the first column, trimmed, '!' for
    exceptions, filepath.Clean, one leading '/' removed; then patternmatcher.New's checks."""
    patterns: list[IgnorePattern] = []
    errors: list[IgnoreError] = []
    offset = 0
    for number, raw_line in enumerate(text.split("\n"), start=1):
        start = offset
        offset += len(raw_line) + 1
        line = raw_line[:-1] if raw_line.endswith("\r") else raw_line
        if number == 1 and line.startswith("\ufeff"):
            line = line[1:]
            start += 1
        end = start + len(line)
        if line.startswith("#"):
            continue
        pattern = line.strip()
        if not pattern:
            continue
        exclusion = pattern.startswith("!")
        if exclusion:
            pattern = pattern[1:].strip()
            if not pattern:
                errors.append(IgnoreError(number, start, end, 'illegal exclusion pattern: "!"'))
                continue
        pattern = _go_clean(pattern)
        if len(pattern) > 1 and pattern.startswith("/"):
            pattern = pattern[1:]
        problem = _syntax_problem(pattern)
        if problem:
            errors.append(IgnoreError(number, start, end, f"{problem} in pattern {pattern!r}"))
            continue
        if pattern == ".":
            continue  # "for historical reasons, the pattern . is ignored" (Docker docs)
        patterns.append(IgnorePattern(pattern, exclusion, number, start, end))
    return patterns, errors


def _syntax_problem(pattern: str) -> str | None:
    """What filepath.Match(pattern, ".") would reject: a trailing '\\', an unclosed '['."""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            if i + 1 >= len(pattern):
                return "syntax error (trailing backslash)"
            i += 2
            continue
        if c == "[":
            close = pattern.find("]", i + 2 if pattern[i + 1:i + 2] in ("]", "^") else i + 1)
            if close == -1:
                return "syntax error (unclosed '[')"
            i = close + 1
            continue
        i += 1
    return None


def _compile(pattern: str) -> re.Pattern | None:
    """patternmatcher's pattern → regular expression translation."""
    out = ["^"]
    i = 0
    n = len(pattern)
    while i < n:
        c = pattern[i]
        if c == "*":
            if i + 1 < n and pattern[i + 1] == "*":
                i += 2
                if i < n and pattern[i] == "/":
                    i += 1
                out.append(".*" if i >= n else "(.*/)?")
                continue
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c in _REGEX_LITERALS:
            out.append("\\" + c)
        elif c == "\\":
            if i + 1 < n:
                i += 1
                out.append(re.escape(pattern[i]))
            else:
                out.append("\\\\")
        else:
            out.append(c if c in "[]" else re.escape(c))
        i += 1
    out.append("$")
    try:
        return re.compile("".join(out), re.S)
    except re.error:
        return None


@dataclass
class IgnoreMatcher:
    patterns: list[IgnorePattern]
    _compiled: list = field(default_factory=list, init=False)

    def __post_init__(self):
        self._compiled = [(p, _compile(p.pattern)) for p in self.patterns]

    def _decide(self, path: str) -> tuple[bool, IgnorePattern | None]:
        """MatchesOrParentMatches: last matching pattern wins; a pattern matching a parent folder
        matches everything below it (§10.6, §10.7)."""
        path = _go_clean(path).lstrip("/")
        parent = posixpath.dirname(path)
        parents = parent.split("/") if parent else []
        matched = False
        decider = None
        for pattern, regex in self._compiled:
            if regex is None or pattern.exclusion != matched:
                continue
            hit = regex.match(path) is not None
            if not hit:
                for i in range(len(parents)):
                    if regex.match("/".join(parents[: i + 1])):
                        hit = True
                        break
            if hit:
                matched = not pattern.exclusion
                decider = pattern
        return matched, decider

    def excluded(self, path: str) -> bool:
        return self._decide(path)[0]

    def deciding_pattern(self, path: str) -> IgnorePattern | None:
        return self._decide(path)[1]
