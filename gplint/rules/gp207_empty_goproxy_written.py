"""GP207 empty-goproxy-written: see GP207.md beside this module."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document
from ..rulekit.value_settings import VALUE_KINDS, key
from ..source import Span

CODE = "GP207"
KINDS = VALUE_KINDS


def check(doc: Document, project):
    for setting in doc.settings():
        if setting.how != "go-env-w" or setting.name not in ("GOPROXY", "GOSUMDB") or setting.value != "":
            continue
        edits = []
        text = setting.source.text
        # `go env -w GOPROXY=` → `go env -u GOPROXY` when it is the only assignment of the command
        w = text.rfind("-w", setting.stmt.start, setting.span.start)
        between = text[w + 2:setting.span.start] if w != -1 else ""
        after = text[setting.span.end:setting.source.line_end(setting.span.end)].split()
        alone = not after or after[0] in ("&&", "||", ";", "|", "\\")
        if w != -1 and not between.strip() and alone:
            edits = [Edit.replace(setting.source, Span(w, w + 2), "-u"),
                     Edit.replace(setting.source, setting.span, setting.name)]
        yield Diagnostic(
            "GP207", setting.source, setting.span,
            f"`go env -w {setting.name}=` writes an empty {setting.name} into the go env file; since Go 1.21 "
            f"that empty line shadows the default from $GOROOT/go.env, so downloads fail"
            + (" (`GOPROXY list is not the empty string, but contains no entries`)" if setting.name == "GOPROXY"
               else " (`missing GOSUMDB`)"),
            fix=Fix("safe", f"Use `go env -u {setting.name}` to restore the default", edits) if edits else None,
            stmt=setting.stmt, key=key(setting),
        )
