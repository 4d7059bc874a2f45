"""Where a setting is written and how its value maps onto the file: shared by the value rules
(GP203-GP207, GP301-GP303) and by fixes that edit a value in place."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import SETTING_KINDS
from ..model import Document, Setting
from ..semantics import goenv
from ..semantics.yaml11 import gitlab_variable_text, psych_boolean
from ..source import Span
from .list_findings import goproxy_problems


VALUE_KINDS = SETTING_KINDS


def value_offset(setting: Setting, index: int) -> int | None:
    """The file offset of character `index` of the setting's value, when the written text maps
    onto the value one to one (plain, or simply quoted); None otherwise."""
    if setting.value_span is None or setting.value is None:
        return None
    raw = setting.raw_value
    if raw == setting.value:
        return setting.value_span.start + index
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == setting.value and "\\" not in raw:
        return setting.value_span.start + 1 + index
    return None


def value_span(setting: Setting, start: int, end: int) -> Span:
    a, b = value_offset(setting, start), value_offset(setting, end)
    if a is None or b is None:
        return setting.value_span or setting.span
    return Span(a, b)


def literal_settings(doc: Document, names) -> list[Setting]:
    """Settings of these variables whose value is a literal we can judge."""
    judged = doc.literal_settings
    if judged is None:  # once per document: a dozen value rules ask, each for its names
        judged = doc.literal_settings = []
        for setting in doc.settings():
            if setting.value is None or setting.dynamic or setting.how == "go-env-u":
                continue
            if goenv.has_unresolved_reference(setting.value):
                continue
            if yaml11_boolean(setting):
                continue  # GP208 reports the YAML boolean, the cause of this value
            judged.append(setting)
    return [setting for setting in judged if setting.name in names]


def key(setting: Setting) -> str:
    return f"{setting.how}:{setting.name}"


def problem_diagnostics(doc: Document, setting: Setting, problems, code: str):
    for problem in problems:
        if problem.code != code:
            continue
        span = value_span(setting, problem.start, problem.end)
        fix = None
        if problem.replacement is not None and value_offset(setting, problem.start) is not None:
            fix = Fix("safe" if problem.safe else "unsafe", fix_message(problem),
                      [Edit.replace(setting.source, span, problem.replacement)])
        yield Diagnostic(code, setting.source, span, f"{setting.name}={setting.value!r}: {problem.message}",
                         fix=fix, stmt=setting.stmt, key=key(setting))


def fix_message(problem) -> str:
    if problem.replacement == "":
        return "Remove it"
    return f"Replace with `{problem.replacement}`"


def goproxy_rule(code: str):
    def check(doc: Document, project):
        for setting in literal_settings(doc, ("GOPROXY",)):
            yield from problem_diagnostics(doc, setting, goproxy_problems(setting.value), code)

    return check


def yaml11_boolean(setting: Setting) -> bool:
    """A GitLab variable written as a plain scalar Psych reads as a boolean (§13.13): the
    written text is a YAML 1.1 boolean word, unquoted (the raw text has no quotes) and untagged
    (`!!str on` stays a string), so its value is the "true"/"false" GitLab hands the job.
    GP208 reports it; the value rules leave such a value to GP208 (one cause, one finding)."""
    raw, span = setting.raw_value, setting.value_span
    if setting.how != "variables" or span is None or psych_boolean(raw) is None:
        return False
    if setting.value != gitlab_variable_text(raw):
        return False
    text = setting.source.text
    line_start = text.rfind("\n", 0, span.start) + 1
    before = text[line_start:span.start]
    # node properties sit between the key's `:` (or a flow `{value:`) and the value
    return "!" not in before.rpartition(":")[2]
