"""GP301 checksum-db-disabled: see GP301.md beside this module."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document, Setting
from ..rulekit.value_settings import VALUE_KINDS, key, literal_settings, value_span
from ..rulekit.value_verdicts import CHECKSUM_GLOB_VARIABLES, checksum_weakness, copy_refusal, options_of

CODE = "GP301"
KINDS = VALUE_KINDS


def check(doc: Document, project):
    nosumdb_set = None  # whether a non-empty GONOSUMDB is written: asked once, not per GOPRIVATE
    for setting in literal_settings(doc, ("GOSUMDB", "GOFLAGS") + CHECKSUM_GLOB_VARIABLES):
        if setting.name == "GOPRIVATE":
            if nosumdb_set is None:
                nosumdb_set = any(s.value for s in literal_settings(doc, ("GONOSUMDB",)))
            if nosumdb_set:
                continue  # a non-empty GONOSUMDB replaces GOPRIVATE for the checksum decision (§5.1)
        weak = checksum_weakness(setting.name, setting.value or "")
        if weak is None:
            continue
        span = value_span(setting, weak.start, weak.end)
        yield Diagnostic("GP301", setting.source, span, weak.message, fix=_scope_sumdb_fix(doc, setting, project),
                         stmt=setting.stmt, key=key(setting))


def _scope_sumdb_fix(doc: Document, setting: Setting, project) -> Fix | None:
    """With `private-modules` configured: GOSUMDB=off → GONOSUMDB=<those prefixes> (§5.3)."""
    private = ((getattr(project, "options", None) or {}).get("private_modules")) or []
    if setting.name != "GOSUMDB" or not private:
        return None
    written = setting.source.text[setting.span.start:setting.span.end]
    if not written.startswith("GOSUMDB=") or copy_refusal("GONOSUMDB", ",".join(private), options_of(project)):
        return None
    return Fix("unsafe", "Check every module but the private ones: GONOSUMDB=" + ",".join(private),
               [Edit.replace(setting.source, setting.span, "GONOSUMDB=" + ",".join(private))])
