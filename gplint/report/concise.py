"""`--format concise`: one line per finding, `path:line:col: CODE [severity] message`."""
from __future__ import annotations

from ..diagnostic import Diagnostic
from .common import region, severity
from .terminal import printable


def _one_line(text: str) -> str:
    """Line breaks (a quoted multi-line YAML value, say) shown as \\r / \\n, keeping one line;
    other control characters as U+FFFD (terminal.py)."""
    return printable(text.replace("\r", "\\r").replace("\n", "\\n"))


def render(diagnostics: list[Diagnostic], **_) -> str:
    lines = []
    for d in diagnostics:
        r = region(d)
        lines.append(f"{printable(d.source.path)}:{r['line']}:{r['column']}: {d.code} [{severity(d.code)}] "
                     f"{_one_line(d.message)}")
    return "\n".join(lines) + ("\n" if lines else "")
