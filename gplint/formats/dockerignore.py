"""Lower a .dockerignore file: its patterns as moby/patternmatcher reads them (§10.2)."""
from __future__ import annotations

import posixpath

from ..model import Document, InputProblem
from ..source import Source, Span


def lower(source: Source) -> Document:
    from ..semantics.ignorematch import (  # only runs that read ignore files pay for it
        IgnoreMatcher,
        read_ignore_file,
    )

    doc = Document(source)
    patterns, errors = read_ignore_file(source.text)
    doc.ignore_matcher = IgnoreMatcher(patterns)
    for error in errors:
        doc.problems.append(InputProblem(Span(error.start, error.end), error.message))
    return doc


def applicable_ignore_file(project, dockerfile_rel: str, context: str) -> str | None:
    """The one ignore file BuildKit reads for this Dockerfile and context, if any (§10.1):
    `<Dockerfile>.dockerignore` next to it first, else `.dockerignore` at the context root."""
    specific = dockerfile_rel + ".dockerignore"
    if project.has(specific):
        return specific
    root = posixpath.join(context, ".dockerignore") if context else ".dockerignore"
    return root if project.has(root) else None
