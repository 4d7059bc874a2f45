"""Character offsets (gplint) <-> LSP positions (line, column in the negotiated code units:
UTF-16 by default, UTF-8 or UTF-32 when the client prefers them). gplint's offsets count code
points; in UTF-16 a character outside the Basic Multilingual Plane is two columns, in UTF-8 a
non-ASCII character is two to four."""
from __future__ import annotations

import bisect


def _line_starts(text: str) -> list[int]:
    starts = [0]
    i = text.find("\n")
    while i != -1:
        starts.append(i + 1)
        i = text.find("\n", i + 1)
    return starts


_ENCODING = "utf-16"  # one server process serves one client: set once, at initialisation


def set_encoding(kind: str) -> None:
    global _ENCODING
    _ENCODING = kind if kind in ("utf-8", "utf-16", "utf-32") else "utf-16"


def _width(char: str) -> int:
    if _ENCODING == "utf-16":
        return 2 if ord(char) > 0xFFFF else 1
    if _ENCODING == "utf-8":
        return len(char.encode("utf-8", "surrogatepass"))
    return 1


def _units(chars: str) -> int:
    if _ENCODING == "utf-32" or chars.isascii():
        return len(chars)
    return sum(map(_width, chars))


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
        units += _width(text[offset])
        offset += 1
    return offset
