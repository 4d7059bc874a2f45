"""`--format sarif`: a SARIF 2.1.0 log with one run, for GitHub code scanning and other viewers.

Positions are 1-based lines and columns counted in Unicode code points (`columnKind`), with the
end column exclusive, as SARIF §3.30 defines regions. Paths are relative URIs against
`%SRCROOT%` (files outside the working directory get a `file:` URI instead).
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path
from urllib.parse import quote

from .. import __version__
from ..diagnostic import Diagnostic, Edit
from ..registry import doc_text, parse_front_matter, rules
from ..source import Source
from .common import rule_name, severity
from .gitlab import fingerprints

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/gplint/gplint"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "gplint/v1"


def artifact_location(path: str) -> dict:
    """A relative path becomes a percent-encoded, forward-slash URI against %SRCROOT%; a file
    outside the working directory (shown with its absolute path) gets a `file:` URI."""
    if os.path.isabs(path):
        return {"uri": Path(path).as_uri()}
    rel = path.replace(os.sep, "/")
    while rel.startswith("./"):
        rel = rel[2:]
    return {"uri": quote(rel, safe="/"), "uriBaseId": SRCROOT}


def text_region(source: Source, start: int, end: int) -> dict:
    line, column = source.line_col(start)
    end_line, end_column = source.line_col(end)
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def _doc_parts(code: str) -> tuple[str, str]:
    """(the rule doc without its front matter, its "What it does" paragraph)."""
    text = doc_text(code)
    if not text:
        return "", ""
    _, body = parse_front_matter(text)
    body = body.strip()
    what = re.search(r"^## What it does\s*\n(.*?)(?=^## |\Z)", body, re.M | re.S)
    return body, " ".join(what.group(1).split()) if what else ""


def rule_descriptor(code: str) -> dict:
    info = rules().get(code)
    name = rule_name(code)
    summary = (info.summary if info else "") or name
    body, what = _doc_parts(code)
    level = severity(code)
    descriptor = {
        "id": code,
        "name": name,
        "shortDescription": {"text": summary},
        "fullDescription": {"text": what or summary},
        "defaultConfiguration": {"level": "error" if level == "error" else "warning"},
    }
    # The rule's whole page travels in the log (help.markdown), so code scanning shows it offline;
    # no helpUri: the project has no canonical public home, and a dead link is worse than none.
    descriptor["help"] = {"text": body, "markdown": body} if body else {"text": summary}
    return descriptor


def _fix(fix) -> dict:
    changes: dict[str, list[Edit]] = {}
    for edit in fix.edits:
        changes.setdefault(edit.source.path, []).append(edit)
    artifact_changes = []
    for path, edits in changes.items():
        replacements = []
        for edit in edits:
            replacement: dict = {"deletedRegion": text_region(edit.source, edit.start, edit.end)}
            if edit.content:
                replacement["insertedContent"] = {"text": edit.content}
            replacements.append(replacement)
        artifact_changes.append({"artifactLocation": artifact_location(path), "replacements": replacements})
    return {"description": {"text": fix.message}, "artifactChanges": artifact_changes,
            "properties": {"applicability": fix.applicability}}


def _physical(source: Source, start: int, end: int) -> dict:
    return {"physicalLocation": {"artifactLocation": artifact_location(source.path),
                                 "region": text_region(source, start, end)}}


def result(diag: Diagnostic, rule_index: int, fp: str) -> dict:
    level = severity(diag.code)
    out: dict = {
        "ruleId": diag.code,
        "ruleIndex": rule_index,
        "level": "error" if level == "error" else "warning",
        "message": {"text": diag.message},
        "locations": [_physical(diag.source, diag.span.start, diag.span.end)],
        "partialFingerprints": {FINGERPRINT_KEY: fp},
    }
    related = []
    for i, (source, span, note) in enumerate(diag.related or []):
        location = _physical(source, span.start, span.end)
        related.append({"id": i + 1, **location, "message": {"text": note}})
    if related:
        out["relatedLocations"] = related
    if diag.fix is not None and diag.fix.edits:
        out["fixes"] = [_fix(diag.fix)]
    return out


def log(diagnostics: list[Diagnostic]) -> dict:
    codes = sorted({d.code for d in diagnostics})
    index = {code: i for i, code in enumerate(codes)}
    results = [result(d, index[d.code], fp) for d, fp in zip(diagnostics, fingerprints(diagnostics))]
    driver = {"name": "gplint", "version": __version__, "informationUri": INFORMATION_URI,
              "rules": [rule_descriptor(c) for c in codes]}
    return {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{"tool": {"driver": driver}, "columnKind": "unicodeCodePoints", "results": results}],
    }


def render(diagnostics: list[Diagnostic], **_) -> str:
    return json.dumps(log(diagnostics), indent=2, ensure_ascii=False) + "\n"
