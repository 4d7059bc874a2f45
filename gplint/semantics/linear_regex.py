"""Regular-expression search in linear time, for .dockerignore patterns.

moby turns every ignore pattern into a Go regexp, and Go's engine runs in time linear in the
input. Python's `re` backtracks: `**/**/**/**/**/**/**/**/x` (eight `(.*/)?` groups) or
`*a*a*a*a*a*a*a*b` takes seconds to minutes on one deep path, so a crafted ignore file could hang
gplint. Patterns with more than one repetition are therefore run here instead: a Pike VM (a
Thompson NFA simulated one character at a time, Russ Cox, "Regular Expression Matching: the
Virtual Machine Approach") over the syntax tree Python's own parser builds for the translated
pattern. It answers only "is there a match anywhere" (`re.search(...) is not None`), which is
all the matcher asks, in O(len(text) × program size).
"""
from __future__ import annotations

import re
from re import _constants as C  # type: ignore[attr-defined]  # noqa: N812 - sre's opcode names
from re import _parser  # type: ignore[attr-defined]

MAX_PROGRAM = 20_000  # instructions; a larger program (huge counted repeats) is not run

_CHAR, _SPLIT, _JMP, _ASSERT, _MATCH = range(5)
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


class Unsupported(Exception):
    """The pattern uses syntax this engine does not run (then it is not evaluated at all)."""


def repetitions(pattern: str, flags: int = 0) -> int:
    """How many repetition operators (other than a plain `?`) the pattern has: with at most one,
    Python's backtracking stays polynomial of low degree and `re` is safe to use."""
    count = 0

    def visit(items) -> None:
        nonlocal count
        for op, arg in items:
            if op in (C.MAX_REPEAT, C.MIN_REPEAT):
                if arg[1] > 1:
                    count += 1
                visit(arg[2])
            elif op is C.SUBPATTERN:
                visit(arg[3])
            elif op is C.BRANCH:
                for alternative in arg[1]:
                    visit(alternative)

    visit(_parser.parse(pattern, flags))
    return count


class LinearPattern:
    """`search(text)` is true exactly when `re.compile(pattern, flags).search(text)` matches."""

    def __init__(self, pattern: str, flags: int = 0):
        self.pattern = pattern
        self.flags = flags
        self._anchored: LinearPattern | None = None  # the same pattern held to the whole text
        self._program: list[tuple] = []
        self._emit_all(_parser.parse(pattern, flags))
        self._add(_MATCH)

    # -- compiling the syntax tree into instructions -------------------------------------------
    def _add(self, *instruction) -> int:
        if len(self._program) >= MAX_PROGRAM:
            raise Unsupported("the pattern is too large to run in linear time")
        self._program.append(instruction)
        return len(self._program) - 1

    def _emit_all(self, items) -> None:
        for op, arg in items:
            self._emit(op, arg)

    def _emit(self, op, arg) -> None:
        if op is C.LITERAL:
            self._add(_CHAR, lambda c, code=arg: c == code)
        elif op is C.NOT_LITERAL:
            self._add(_CHAR, lambda c, code=arg: c != code)
        elif op is C.ANY:
            self._add(_CHAR, lambda c: c != 10)  # '.' without DOTALL
        elif op is C.IN:
            self._add(_CHAR, _class_predicate(arg))
        elif op is C.SUBPATTERN:
            if arg[1] or arg[2]:
                raise Unsupported("inline flags")
            self._emit_all(arg[3])
        elif op is C.BRANCH:
            self._branch(arg[1])
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT):  # laziness does not change whether it matches
            self._repeat(*arg)
        elif op is C.AT:
            self._add(_ASSERT, arg)
        else:
            raise Unsupported(f"regular-expression operator {op}")

    def _branch(self, alternatives) -> None:
        jumps = []
        for index, alternative in enumerate(alternatives):
            if index < len(alternatives) - 1:
                split = self._add(_SPLIT, None, None)
                self._emit_all(alternative)
                jumps.append(self._add(_JMP, None))
                self._program[split] = (_SPLIT, split + 1, len(self._program))
            else:
                self._emit_all(alternative)
        for jump in jumps:
            self._program[jump] = (_JMP, len(self._program))

    def _repeat(self, low: int, high: int, body) -> None:
        for _ in range(low):
            self._emit_all(body)
        if high == C.MAXREPEAT:
            loop = self._add(_SPLIT, None, None)
            self._emit_all(body)
            self._add(_JMP, loop)
            self._program[loop] = (_SPLIT, loop + 1, len(self._program))
            return
        optional = []
        for _ in range(high - low):
            optional.append(self._add(_SPLIT, None, None))
            self._emit_all(body)
        for split in optional:
            self._program[split] = (_SPLIT, split + 1, len(self._program))

    # -- running ------------------------------------------------------------------------------
    def fullmatch(self, text: str) -> bool:
        """True exactly when `re.fullmatch` would match (the whole text)."""
        if self._anchored is None:
            self._anchored = LinearPattern(f"(?:\\A)(?:{self.pattern})(?:\\Z)", self.flags)
        return self._anchored.search(text)

    def search(self, text: str) -> bool:
        program = self._program
        codes = [ord(c) for c in text]
        n = len(codes)
        current: list[int] = []
        seen: set[int] = set()
        for pos in range(n + 1):
            # a thread starts at every position: search is unanchored
            if self._follow(0, pos, text, current, seen):
                return True
            if pos == n or not current:
                current, seen = [], set()
                continue
            c = codes[pos]
            following: list[int] = []
            following_seen: set[int] = set()
            for pc in current:
                if program[pc][1](c) and self._follow(pc + 1, pos + 1, text, following, following_seen):
                    return True
            current, seen = following, following_seen
        return False

    def _follow(self, start: int, pos: int, text: str, threads: list[int], seen: set[int]) -> bool:
        """Add the threads reachable from `start` without reading a character (into `threads`,
        the character-reading ones); True when one of them matches."""
        program = self._program
        stack = [start]
        while stack:
            pc = stack.pop()
            if pc in seen:
                continue
            seen.add(pc)
            instruction = program[pc]
            kind = instruction[0]
            if kind == _CHAR:
                threads.append(pc)
            elif kind == _MATCH:
                return True
            elif kind == _JMP:
                stack.append(instruction[1])
            elif kind == _SPLIT:
                stack.append(instruction[2])
                stack.append(instruction[1])
            elif _holds(instruction[1], text, pos):
                stack.append(pc + 1)
        return False


def _holds(at, text: str, pos: int) -> bool:
    """A zero-width assertion at a position, with Python's meaning."""
    n = len(text)
    if at in (C.AT_BEGINNING_STRING, C.AT_BEGINNING):
        return pos == 0
    if at is C.AT_END_STRING:
        return pos == n
    if at is C.AT_END:  # '$' also matches before a final newline
        return pos == n or (pos == n - 1 and text[pos] == "\n")
    if at in (C.AT_BOUNDARY, C.AT_NON_BOUNDARY):
        before = pos > 0 and text[pos - 1] in _WORD
        after = pos < n and text[pos] in _WORD
        return (before != after) == (at is C.AT_BOUNDARY)
    raise Unsupported(f"assertion {at}")


def _class_predicate(items):
    """A character class ([...]) as a test on a code point (ASCII classes, as with re.ASCII)."""
    negate = False
    singles: set[int] = set()
    ranges: list[tuple[int, int]] = []
    excluded: list[list[tuple[int, int]]] = []  # \D, \W, \S inside a class: all but these
    for op, arg in items:
        if op is C.NEGATE:
            negate = True
        elif op is C.LITERAL:
            singles.add(arg)
        elif op is C.RANGE:
            ranges.append(arg)
        elif op is C.CATEGORY and arg in _CATEGORY_RANGES:
            ranges.extend(_CATEGORY_RANGES[arg])
        elif op is C.CATEGORY and arg in _NOT_CATEGORY:
            excluded.append(_CATEGORY_RANGES[_NOT_CATEGORY[arg]])
        else:
            raise Unsupported(f"class item {op} {arg}")

    def predicate(c: int) -> bool:
        inside = (c in singles or any(lo <= c <= hi for lo, hi in ranges)
                  or any(not any(lo <= c <= hi for lo, hi in spans) for spans in excluded))
        return inside != negate

    return predicate


_CATEGORY_RANGES = {
    C.CATEGORY_DIGIT: [(48, 57)],
    C.CATEGORY_WORD: [(48, 57), (65, 90), (95, 95), (97, 122)],
    C.CATEGORY_SPACE: [(9, 13), (32, 32)],
}
_NOT_CATEGORY = {C.CATEGORY_NOT_DIGIT: C.CATEGORY_DIGIT, C.CATEGORY_NOT_WORD: C.CATEGORY_WORD,
                 C.CATEGORY_NOT_SPACE: C.CATEGORY_SPACE}


def compile_safe(pattern: str, flags: int = 0, max_repetitions: int = 1):
    """`re.compile(pattern, flags)` when backtracking stays polynomial of low degree (at most
    `max_repetitions` repetitions; 2 is safe for a pattern anchored at both ends), else a
    LinearPattern; either has `.search(text)` and `.fullmatch(text)`, truthy on a match."""
    if repetitions(pattern, flags) <= max_repetitions:
        return re.compile(pattern, flags)
    return LinearPattern(pattern, flags)


__all__ = ["LinearPattern", "Unsupported", "compile_safe", "repetitions", "MAX_PROGRAM"]
