"""GP302 credentials-in-proxy-url: see GP302.md beside this module."""
from __future__ import annotations

from ..diagnostic import Diagnostic
from ..model import Document
from ..rulekit.value_settings import VALUE_KINDS, key, literal_settings, value_span
from ..semantics import goenv

CODE = "GP302"
KINDS = VALUE_KINDS


def check(doc: Document, project):
    for setting in literal_settings(doc, goenv.PROXY_URL_VARIABLES):
        for start, end in goenv.credentials_span(setting.value or ""):
            where = ("image history and every layer built from it" if doc.source.kind == "dockerfile"
                     else "the repository and the CI logs")
            yield Diagnostic(
                "GP302", setting.source, value_span(setting, start, end),
                f"{setting.name} holds a literal user:password, which lands in {where}; pass the credentials "
                "as a secret instead (`RUN --mount=type=secret` with a .netrc, or GOAUTH)",
                stmt=setting.stmt, key=key(setting),
            )
