"""GP303 proxy-not-allowed: see GP303.md beside this module."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document
from ..rulekit.value_settings import VALUE_KINDS, literal_settings, value_offset, value_span
from ..rulekit.value_verdicts import copy_refusal, normalise_proxy, proxy_entry_allowed
from ..semantics import goenv

CODE = "GP303"
KINDS = VALUE_KINDS


def check(doc: Document, project):
    options = getattr(project, "options", None) or {}
    allowed = options.get("allowed_proxies")
    if not allowed:
        return
    allowed_set = {normalise_proxy(a) for a in allowed}
    required = options.get("required_proxy")
    for setting in literal_settings(doc, ("GOPROXY",)):
        entries, _ = goenv.parse_goproxy(setting.value)
        for entry in entries:
            if proxy_entry_allowed(entry, allowed_set):
                continue
            fix = None
            if required and value_offset(setting, 0) is not None and not copy_refusal("GOPROXY", required, options):
                fix = Fix("unsafe", f"Use the required proxy `{required}`",
                          [Edit.replace(setting.source, value_span(setting, 0, len(setting.value or "")), required)])
            yield Diagnostic(
                "GP303", setting.source, value_span(setting, entry.start, entry.end),
                f"GOPROXY entry `{entry.text}` is not in the organisation's allowed-proxies "
                f"({', '.join(allowed)}): modules would be fetched from an unapproved source",
                fix=fix, stmt=setting.stmt, key=f"{setting.how}:GOPROXY:{entry.text}",
            )
