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
    return {"code": diag.code, "name": rule_name(diag.code), "severity": severity(diag.code),
            "path": diag.source.path, **region(diag), "message": diag.message, "fix": fix}


def render(diagnostics: list[Diagnostic], **_) -> str:
    return json.dumps([as_dict(d) for d in diagnostics], indent=2, ensure_ascii=False) + "\n"
