"""`--format github`: GitHub Actions workflow commands, which the runner turns into annotations.

One line per finding (GitHub docs, "Workflow commands for GitHub Actions", "Setting an error
message" / "Setting a warning message"):

    ::error file={name},line={line},col={col},endLine={endLine},endColumn={endColumn},title={title}::{message}

Escaping follows actions/toolkit packages/core/src/command.ts (escapeData / escapeProperty):
  - the message (command data):  `%` -> `%25`, `\\r` -> `%0D`, `\\n` -> `%0A`
  - property values:              the same, plus `:` -> `%3A` and `,` -> `%2C`
`%` goes first so that the escapes inserted after it are not themselves escaped; the runner
(actions/runner src/Runner.Common/ActionCommand.cs, _escapePropertyMappings) unescapes with
`%25` last.

The runner drops `col` and `endColumn` when `line` and `endLine` differ
(actions/runner src/Runner.Worker/ActionCommandManager.cs, ValidateLinesAndColumns), so a
multi-line finding is written with lines only.
"""
from __future__ import annotations

import os

from ..diagnostic import Diagnostic
from .common import rule_name, severity


def escape_data(value: str) -> str:
    """actions/toolkit command.ts escapeData."""
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    """actions/toolkit command.ts escapeProperty."""
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _position(diag: Diagnostic) -> dict[str, int]:
    source, span = diag.source, diag.span
    line, col = source.line_col(span.start)
    end_line, end_col = source.line_col(span.end)
    if end_line > line and end_col == 1:  # the span ends with a line break: end on its line
        end_line -= 1
        end_col = len(source.line_text(end_line)) + 1
    if end_line != line:
        return {"line": line, "endLine": end_line}
    return {"line": line, "col": col, "endLine": end_line, "endColumn": end_col}


def command(diag: Diagnostic) -> str:
    level = "error" if severity(diag.code) == "error" else "warning"
    props = {"file": diag.source.path.replace(os.sep, "/"), **_position(diag),
             "title": f"{diag.code} {rule_name(diag.code)}"}
    rendered = ",".join(f"{key}={escape_property(str(value))}" for key, value in props.items())
    return f"::{level} {rendered}::{escape_data(diag.message)}"


def render(diagnostics: list[Diagnostic], **_) -> str:
    return "".join(command(d) + "\n" for d in diagnostics)
