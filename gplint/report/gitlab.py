"""`--format gitlab`: a GitLab Code Quality report (`artifacts:reports:codequality`).

The report is a JSON array of issues, each with `description`, `check_name`, `fingerprint`,
`severity` (info, minor, major, critical or blocker), `location.path` (relative to the
repository) and `location.lines.begin`; GitLab ignores the rest of the Code Climate spec and
rejects a byte order mark (https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format).

GitLab compares the fingerprints of the base and head pipelines to tell new findings from fixed
ones, so a fingerprint must not change when unrelated lines move: it hashes the path, the code,
the diagnostic's symbolic key and the flagged text, never a line number.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter

from ..diagnostic import Diagnostic
from ..redact import excerpt, redact
from .common import severity

SEVERITY = {"error": "major", "warning": "minor"}


def report_path(path: str) -> str:
    """The path as the report shows it: forward slashes, no leading `./`."""
    path = path.replace(os.sep, "/")
    while path.startswith("./"):
        path = path[2:]
    return path


def flagged_text(diag: Diagnostic) -> str:
    """The text of the flagged span with runs of whitespace collapsed to one space and
    passwords masked (a fingerprint is a hash, and a short password is quickly guessed back)."""
    return " ".join(excerpt(diag.source.text, diag.span.start, diag.span.end).split())


def _identity(diag: Diagnostic) -> tuple[str, str, str, str]:
    return (report_path(diag.source.path), diag.code, redact(diag.key), flagged_text(diag))


def fingerprint(diag: Diagnostic, occurrence: int = 0) -> str:
    """A sha256 hex digest of (path, code, key, flagged text, occurrence).

    `occurrence` tells apart findings whose other parts are identical within one file: the n-th
    such finding in file order gets n (see `fingerprints`). No line or column goes in, so the
    fingerprint survives lines inserted or removed elsewhere in the file.
    """
    parts = (*_identity(diag), str(occurrence))
    return hashlib.sha256("\x00".join(parts).encode("utf-8")).hexdigest()


def fingerprints(diagnostics: list[Diagnostic]) -> list[str]:
    """The fingerprint of each diagnostic (in the given order), with occurrence counters
    assigned in file order so that the result does not depend on how the list is sorted."""
    order = sorted(range(len(diagnostics)),
                   key=lambda i: (diagnostics[i].source.path, diagnostics[i].span.start,
                                  diagnostics[i].span.end, diagnostics[i].code, i))
    seen: Counter = Counter()
    result = [""] * len(diagnostics)
    for i in order:
        identity = _identity(diagnostics[i])
        result[i] = fingerprint(diagnostics[i], seen[identity])
        seen[identity] += 1
    return result


def line_range(diag: Diagnostic) -> tuple[int, int]:
    """First and last line of the span; a span that ends just after a line break ends on the
    line the break belongs to, not on the next one."""
    source, span = diag.source, diag.span
    begin, _ = source.line_col(span.start)
    end, end_col = source.line_col(span.end)
    if end > begin and end_col == 1:
        end -= 1
    return begin, end


def as_dict(diag: Diagnostic, fp: str) -> dict:
    begin, end = line_range(diag)
    return {
        "description": diag.message,
        "check_name": diag.code,
        "fingerprint": fp,
        "severity": SEVERITY.get(severity(diag.code), "minor"),
        "location": {"path": report_path(diag.source.path), "lines": {"begin": begin, "end": end}},
    }


def render(diagnostics: list[Diagnostic], **_) -> str:
    issues = [as_dict(d, fp) for d, fp in zip(diagnostics, fingerprints(diagnostics))]
    return json.dumps(issues, indent=2, ensure_ascii=False) + "\n"
