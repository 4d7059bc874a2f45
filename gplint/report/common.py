"""What every report format says about a diagnostic: positions, rule name and severity."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Edit
from ..registry import rules

def rule_name(code: str) -> str:
    info = rules().get(code)
    return info.name if info else {"GP001": "unusable-input"}.get(code, code)


def severity(code: str) -> str:
    info = rules().get(code)
    return info.severity if info else "error"


def region(diag: Diagnostic) -> dict:
    """1-based start and end positions; the end column is exclusive, like ruff's JSON."""
    line, column = diag.source.line_col(diag.span.start)
    end_line, end_column = diag.source.line_col(diag.span.end)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def edit_region(edit: Edit) -> dict:
    line, column = edit.source.line_col(edit.start)
    end_line, end_column = edit.source.line_col(edit.end)
    return {"path": edit.source.path, "line": line, "column": column, "end_line": end_line,
            "end_column": end_column, "content": edit.content}
