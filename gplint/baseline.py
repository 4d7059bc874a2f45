"""Baselines: record today's findings, report only new ones later.

A finding is keyed by its symbolic location (file, code, the rule's key such as
`stage:build:GOPROXY`, and the flagged text), never by its line number, so editing unrelated
lines does not resurrect old findings. Identical keys are counted, so a second identical
problem in the same file is still new.
"""
from __future__ import annotations

import json
from collections import Counter

from .diagnostic import Diagnostic
from .errors import GplintError
from .redact import excerpt, redact

VERSION = 1


class BaselineError(GplintError):
    """The baseline file cannot be read or written."""


def finding_key(diag: Diagnostic, rel) -> tuple[str, str, str, str]:
    """(repository-relative path, code, symbolic key, flagged text), passwords masked: a
    baseline is committed to the repository, so it must not store a secret."""
    flagged = " ".join(excerpt(diag.source.text, diag.span.start, diag.span.end).split())[:200]
    return (rel(diag), diag.code, redact(diag.key), flagged)


def write(path: str, diagnostics: list[Diagnostic], rel) -> None:
    counts = Counter(finding_key(d, rel) for d in diagnostics)
    findings = [{"path": p, "code": c, "key": k, "text": t, "count": n}
                for (p, c, k, t), n in sorted(counts.items())]
    data = json.dumps({"gplint_baseline": VERSION, "findings": findings}, indent=2) + "\n"
    from .writer import replace_file  # a fresh temporary file: a planted `path.tmp` symlink is never followed

    try:
        replace_file(path, data.encode("utf-8"))
    except OSError as exc:
        raise BaselineError(f"{path}: cannot write the baseline: {exc.strerror or exc}") from None


def load(path: str) -> Counter:
    try:
        with open(path, encoding="utf-8") as f:
            data = json.load(f)
    except OSError as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}: not a gplint baseline (invalid JSON at line {exc.lineno})") from None
    if not isinstance(data, dict) or data.get("gplint_baseline") != VERSION or not isinstance(data.get("findings"), list):
        raise BaselineError(f"{path}: not a gplint baseline (version {VERSION})")
    counts: Counter = Counter()
    for item in data["findings"]:
        try:
            # a baseline written before masking holds the secret itself: compare masked
            counts[(item["path"], item["code"], redact(item["key"]), redact(item["text"]))] += int(item.get("count", 1))
        except (KeyError, TypeError, ValueError):
            raise BaselineError(f"{path}: malformed finding {item!r}") from None
    return counts


def new_findings(diagnostics: list[Diagnostic], baseline: Counter, rel) -> list[Diagnostic]:
    remaining = Counter(baseline)
    out = []
    for diag in diagnostics:
        key = finding_key(diag, rel)
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            out.append(diag)
    return out
