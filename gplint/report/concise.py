"""`--format concise`: one line per finding."""
from __future__ import annotations

from ..diagnostic import Diagnostic
from .common import region, severity


def render(diagnostics: list[Diagnostic], **_) -> str:
    lines = []
    for d in diagnostics:
        r = region(d)
        lines.append(f"{d.source.path}:{r['line']}:{r['column']}: {d.code} [{severity(d.code)}] {d.message}")
    return "\n".join(lines) + ("\n" if lines else "")
