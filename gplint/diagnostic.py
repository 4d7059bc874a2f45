"""What rules produce: diagnostics, and fixes as text edits on a file's original characters."""
from __future__ import annotations

from .records import dataclass, field
from .source import Source, Span


@dataclass(frozen=True, slots=True)
class Edit:
    """Replace source.text[start:end] with content (an insertion when start == end)."""

    source: Source
    start: int
    end: int
    content: str

    @classmethod
    def insert(cls, source: Source, at: int, content: str) -> "Edit":
        return cls(source, at, at, content)

    @classmethod
    def replace(cls, source: Source, span: Span, content: str) -> "Edit":
        return cls(source, span.start, span.end, content)

    @classmethod
    def delete(cls, source: Source, span: Span) -> "Edit":
        return cls(source, span.start, span.end, "")


@dataclass(slots=True)
class Fix:
    applicability: str  # 'safe' | 'unsafe'
    message: str
    edits: list[Edit]


@dataclass(slots=True)
class Diagnostic:
    code: str
    source: Source
    span: Span
    message: str
    fix: Fix | None = None
    stmt: Span | None = None  # the enclosing statement, where a suppression comment may sit above
    key: str = ""  # symbolic location (stage / job, variable), stable across unrelated edits
    related: list = field(default_factory=list)  # (Source, Span, note) for "declared here" notes

    @property
    def sort_key(self):
        return (self.source.path, self.span.start, self.code)
