"""Turning `go env -w` into ENV: shared by GP106 and GP201."""
from __future__ import annotations

from ..diagnostic import Edit, Fix
from .dockerfile_edits import instruction_of, keyword_case
from ..lazy_regex import lazy
from ..model import Document, Setting
from ..source import Span
from .value_verdicts import copy_refusal, options_of


# NAME=value that reads the same in a shell word and in an ENV instruction (no quotes, escapes,
# expansions or blanks)
PLAIN_ASSIGNMENT = lazy(r"[A-Za-z_][A-Za-z0-9_]*=[^\s'\"\\`$]*")


def env_instead_of_go_env_w(doc: Document, written: list[Setting], project) -> Fix | None:
    """Turn each `RUN go env -w A=B` that is the whole instruction into `ENV A=B`; never for a
    value a rule reports (an ENV reaches places the go env file did not, e.g. under GOENV=off)."""
    edits = []
    done = set()
    for setting in written:
        if setting.dynamic or copy_refusal(setting.name, setting.value, options_of(project)):
            return None
        inst = instruction_of(doc, setting.stmt)
        if inst is None or inst.start in done:
            continue
        text = doc.source.text[inst.rest_start:inst.args_end].split()
        if text[:3] != ["go", "env", "-w"] or not all(PLAIN_ASSIGNMENT.fullmatch(t) for t in text[3:]) or any(
                c in doc.source.text[inst.rest_start:inst.args_end] for c in "&;|"):
            return None
        done.add(inst.start)
        edits.append(Edit.replace(doc.source, Span(inst.start, inst.args_end),
                                  f"{keyword_case(doc, 'ENV')} {' '.join(text[3:])}"))
    return Fix("unsafe", "Replace `go env -w` with ENV", edits) if edits else None
