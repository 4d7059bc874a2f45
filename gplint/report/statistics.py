"""`--statistics`: the number of findings per rule, in place of the listing (as ruff does):
a table for people, or with `--format json` an array of {code, name, count, fixable}."""
from __future__ import annotations

import json
from collections import Counter

from ..diagnostic import Diagnostic
from .common import rule_name


def rows(diagnostics: list[Diagnostic]) -> list[dict]:
    counts = Counter(d.code for d in diagnostics)
    fixable = Counter(d.code for d in diagnostics if d.fix and d.fix.edits)
    return [{"code": code, "name": rule_name(code), "count": count, "fixable": fixable[code] > 0}
            for code, count in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]


def render(diagnostics: list[Diagnostic], as_json: bool = False) -> str:
    table = rows(diagnostics)
    if as_json:
        return json.dumps(table, indent=2) + "\n"
    width = max((len(str(r["count"])) for r in table), default=1)
    lines = [f"{r['count']:>{width}}\t{r['code']}\t{'[*]' if r['fixable'] else '   '} {r['name']}\n" for r in table]
    if any(r["fixable"] for r in table):
        lines.append("[*] fixable with --fix (or --unsafe-fixes)\n")
    return "".join(lines)
