"""Character offsets (gplint) <-> LSP positions (line, UTF-16 code units: the protocol's default
encoding). gplint's offsets count code points; an editor counts UTF-16 units, so a character
outside the Basic Multilingual Plane is one offset but two columns."""
from __future__ import annotations

import bisect


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


def _units(chars: str) -> int:
    return len(chars) + sum(1 for c in chars if ord(c) > 0xFFFF)


def to_position(text: str, offset: int) -> tuple[int, int]:
    """(line, character) of a character offset, both 0-based, character in UTF-16 units."""
    offset = max(0, min(offset, len(text)))
    starts = _line_starts(text)
    line = bisect.bisect_right(starts, offset) - 1
    return line, _units(text[starts[line]:offset])


def to_offset(text: str, line: int, character: int) -> int:
    """The character offset of an LSP position (clamped to the line and the text)."""
    starts = _line_starts(text)
    if line >= len(starts):
        return len(text)
    start = starts[max(line, 0)]
    end = starts[line + 1] - 1 if line + 1 < len(starts) else len(text)
    units = 0
    offset = start
    while offset < end and units < character:
        units += 2 if ord(text[offset]) > 0xFFFF else 1
        offset += 1
    return offset


def end_position(text: str) -> tuple[int, int]:
    return to_position(text, len(text))
