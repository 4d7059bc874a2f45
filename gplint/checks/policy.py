"""Organisation policy from the configuration: `allowed-proxies` (GP303)."""
from __future__ import annotations

from .. import goenv
from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document
from ..registry import rule
from .values import VALUE_KINDS, literal_settings, value_offset, value_span


def _normalise(url: str) -> str:
    return url.strip().rstrip("/").lower()


@rule("GP303", kinds=VALUE_KINDS)
def proxy_not_allowed(doc: Document, project):
    options = getattr(project, "options", None) or {}
    allowed = options.get("allowed_proxies")
    if not allowed:
        return
    allowed_set = {_normalise(a) for a in allowed}
    required = options.get("required_proxy")
    for setting in literal_settings(doc, ("GOPROXY",)):
        entries, _ = goenv.parse_goproxy(setting.value)
        for entry in entries:
            if entry.kind == "off" or _normalise(entry.text) in allowed_set or (
                    entry.url and _normalise(entry.url) in allowed_set):
                continue
            fix = None
            if required and value_offset(setting, 0) is not None:
                fix = Fix("unsafe", f"Use the required proxy `{required}`",
                          [Edit.replace(setting.source, value_span(setting, 0, len(setting.value)), required)])
            yield Diagnostic(
                "GP303", setting.source, value_span(setting, entry.start, entry.end),
                f"GOPROXY entry `{entry.text}` is not in the organisation's allowed-proxies "
                f"({', '.join(allowed)}): modules would be fetched from an unapproved source",
                fix=fix, stmt=setting.stmt, key=f"{setting.how}:GOPROXY:{entry.text}",
            )
