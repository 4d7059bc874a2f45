"""Source files: decoded text, positions, and the byte-level details a fix must keep.

Offsets everywhere in gplint are character offsets into ``Source.text`` (the file decoded as
UTF-8 with any BOM removed and line endings left exactly as they are). Lines and columns are
1-based and counted in characters, as editors and SARIF viewers expect.
"""
from __future__ import annotations

import bisect

from .errors import GplintError
from .records import dataclass, field

BOM = "\ufeff"


class SourceError(GplintError):
    """The file cannot be used as text (binary, not UTF-8, unreadable)."""

    def __init__(self, message: str, line: int = 1, column: int = 1):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class Unreadable(SourceError):
    """A file gplint will not read (outside the repository, not a regular file, too large);
    `missing` when there is simply no file there."""

    def __init__(self, message: str, missing: bool = False):
        super().__init__(message)
        self.missing = missing


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int

    def __post_init__(self):
        if self.end < self.start:
            raise ValueError(f"span ends before it starts: {self.start}..{self.end}")


@dataclass(slots=True)
class Source:
    path: str  # as shown to the user (relative to the working directory when under it)
    abspath: str  # where it lives on disk ('-' for standard input)
    kind: str  # 'dockerfile' | 'dockerignore' | 'github' | 'gitlab' | 'action' | 'gomod'
    text: str
    has_bom: bool = False
    _line_starts: list[int] = field(default_factory=list, repr=False)

    @classmethod
    def from_bytes(cls, path: str, abspath: str, kind: str, data: bytes) -> "Source":
        # git calls a file binary when its first 8,000 bytes hold a NUL; gplint reads the whole
        # file anyway, so it looks at all of it (a NUL at byte 9,000 is no text either)
        if b"\x00" in data:
            raise SourceError("binary file (contains NUL bytes)")
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            # the position, never the bytes around it: the message must not echo the file
            raise SourceError(f"not valid UTF-8 (byte 0x{data[exc.start]:02x} at line {line}, column {col})",
                              line, col) from None
        has_bom = text.startswith(BOM)
        if has_bom:
            text = text[1:]
        return cls(path, abspath, kind, text, has_bom)

    def to_bytes(self, text: str | None = None) -> bytes:
        """Encode text for writing back, restoring the BOM the file had."""
        body = self.text if text is None else text
        return ((BOM if self.has_bom else "") + body).encode("utf-8")

    # -- positions ----------------------------------------------------------------------------
    @property
    def line_starts(self) -> list[int]:
        if not self._line_starts:
            starts = [0]
            find = self.text.find
            i = find("\n")
            while i != -1:
                starts.append(i + 1)
                i = find("\n", i + 1)
            self._line_starts = starts
        return self._line_starts

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a character offset."""
        starts = self.line_starts
        index = bisect.bisect_right(starts, offset) - 1
        return index + 1, offset - starts[index] + 1

    def offset(self, line: int, column: int = 1) -> int:
        """Character offset of a 1-based (line, column)."""
        starts = self.line_starts
        line = max(1, min(line, len(starts)))
        return starts[line - 1] + column - 1

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line ending."""
        starts = self.line_starts
        if line < 1 or line > len(starts):
            return ""
        start = starts[line - 1]
        end = starts[line] if line < len(starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def line_end(self, offset: int) -> int:
        """Offset just after the line ending of the line holding ``offset`` (or end of text)."""
        i = self.text.find("\n", offset)
        return len(self.text) if i == -1 else i + 1

    @property
    def newline(self) -> str:
        """The file's own line ending, so inserted lines match it."""
        i = self.text.find("\n")
        return "\r\n" if i > 0 and self.text[i - 1] == "\r" else "\n"
