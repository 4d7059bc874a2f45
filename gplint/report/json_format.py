"""`--format json`: an array of diagnostic objects (the schema is documented in the README)."""
from __future__ import annotations

import json

from ..diagnostic import Diagnostic
from .common import edit_region, region, rule_name, severity


def as_dict(diag: Diagnostic) -> dict:
    fix = None
    if diag.fix is not None and diag.fix.edits:
        fix = {"applicability": diag.fix.applicability, "message": diag.fix.message,
               "edits": [edit_region(e) for e in diag.fix.edits]}
    out = {"code": diag.code, "name": rule_name(diag.code), "severity": severity(diag.code),
           "path": diag.source.path, **region(diag), "message": diag.message, "fix": fix}
    if diag.related:  # e.g. the hops of `RUN make build` → Makefile:14 `go build`
        out["related"] = [{"path": source.path, **_at(source, span), "message": note}
                          for source, span, note in diag.related]
    return out


def _at(source, span) -> dict:
    line, column = source.line_col(span.start)
    end_line, end_column = source.line_col(span.end)
    return {"line": line, "column": column, "end_line": end_line, "end_column": end_column}


def render(diagnostics: list[Diagnostic], **_) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
