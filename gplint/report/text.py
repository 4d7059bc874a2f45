"""`--format text`: file:line:col, code, name, message, the source line with a caret, help."""
from __future__ import annotations

import os
import sys

from ..diagnostic import Diagnostic
from ..redact import redact_line
from .common import region, rule_name, severity
from .terminal import printable


def use_colour(stream) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return hasattr(stream, "isatty") and stream.isatty()


class _Paint:
    def __init__(self, on: bool):
        self.on = on

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.on else text


def render(diagnostics: list[Diagnostic], *, colour: bool | None = None, show_source: bool = True, **_) -> str:
    paint = _Paint(use_colour(sys.stdout) if colour is None else colour)
    out: list[str] = []
    for diag in diagnostics:
        r = region(diag)
        level = severity(diag.code)
        level_colour = "1;31" if level == "error" else "1;33"
        out.append(f"{paint(printable(diag.source.path), '1')}:{r['line']}:{r['column']}: "
                   f"{paint(diag.code, level_colour)} {paint(rule_name(diag.code), '2')} {printable(diag.message)}")
        if show_source and diag.source.text:  # a file not read (a FIFO, a link out) has no line to show
            out.extend(_snippet(diag, r, paint))
        if diag.fix is not None and diag.fix.edits:
            tag = "" if diag.fix.applicability == "safe" else " (unsafe: --unsafe-fixes)"
            out.append(f"  {paint('help', '1;36')}: {printable(diag.fix.message)}{tag}")
        out.append("")
    return "\n".join(out) + ("\n" if out else "")


def _snippet(diag: Diagnostic, r: dict, paint) -> list[str]:
    text, moved = redact_line(diag.source.line_text(r["line"]))  # columns: the original line's
    column = moved(r["column"] - 1) + 1
    end_column = moved(r["end_column"] - 1) + 1 if r["end_line"] == r["line"] else None
    start = 0
    if len(text) > 200:  # keep a 1 MB line from flooding the terminal
        start = max(0, column - 60)
        text = text[start:start + 160]
    col = column - start
    end = end_column - start if end_column is not None else len(text) + 1
    width = max(1, min(end, len(text) + 1) - col)
    gutter = " " * len(str(r["line"]))
    return [f" {gutter} |",
            f" {r['line']} | {printable(text.expandtabs(1))}",
            f" {gutter} | {' ' * (col - 1)}{paint('^' * width, '1;31')}"]


def summary(diagnostics: list[Diagnostic], fixable_safe: int, fixable_unsafe: int, fixed: int = 0,
            unwritten: int = 0) -> str:
    """The last line. After --fix it counts (like ruff) what was fixed and what remains, and the
    fixes that could not be written (their findings are among those that remain)."""
    if not diagnostics and not fixed and not unwritten:
        return "All checks passed.\n"
    if fixed or unwritten:
        total = fixed + len(diagnostics)
        noun = "diagnostic" if total == 1 else "diagnostics"
        parts = [f"Found {total} {noun} ({fixed} fixed, {len(diagnostics)} remaining)."]
        if unwritten:
            parts.append(f"{unwritten} {'fix' if unwritten == 1 else 'fixes'} could not be written.")
    else:
        noun = "diagnostic" if len(diagnostics) == 1 else "diagnostics"
        parts = [f"Found {len(diagnostics)} {noun}."]
    if fixable_safe:
        parts.append(f"{fixable_safe} fixable with --fix.")
    if fixable_unsafe:
        parts.append(f"{fixable_unsafe} more with --unsafe-fixes.")
    return " ".join(parts) + "\n"
