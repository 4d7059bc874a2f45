"""GP208 gitlab-boolean-variable: see GP208.md beside this module."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import GITLAB
from ..model import Document
from ..rulekit.value_settings import yaml11_boolean
from ..rulekit.value_verdicts import copy_refusal
from ..semantics.goenv import GO_VARIABLES

CODE = "GP208"
KINDS = (GITLAB,)

# what go does with the string GitLab hands over instead of the word that was meant (§13.13)
_CONSEQUENCE = {
    "GO111MODULE": "go stops with `go: unknown environment setting GO111MODULE={value}`",
    "GOPROXY": "`{value}` is not the keyword `off`: go rejects it (`invalid proxy URL missing scheme: {value}`)",
    "GOSUMDB": "`{value}` is not `off`: go looks for a checksum database named `{value}`",
    "GOENV": "`{value}` is not `off`: go takes it as the path of its go env file, which stays in use",
    "GOTOOLCHAIN": "go stops with `invalid GOTOOLCHAIN \"{value}\"`",
    "GOFLAGS": "go stops with `go: parsing $GOFLAGS: non-flag \"{value}\"`",
}


def check(doc: Document, project):
    seen: set[tuple[str, int]] = set()
    for setting in doc.settings():
        if setting.how != "variables" or setting.name not in GO_VARIABLES or setting.value_span is None:
            continue
        where = (setting.source.path, setting.value_span.start)
        if where in seen or not yaml11_boolean(setting):
            continue
        seen.add(where)
        raw, value = setting.raw_value, setting.value
        consequence = _CONSEQUENCE.get(setting.name, "go sees `{value}`, not `{raw}`").format(value=value, raw=raw)
        quoted = '"' + raw + '"'
        # quoting writes the word as go will then see it: never a value another rule reports
        # (`GOSUMDB: "off"` switches verification off, `GO111MODULE: "On"` is still rejected)
        word = raw.lower()  # go's keywords (`on`, `off`) are lower case and compared exactly
        refusal = copy_refusal(setting.name, word)
        fix = None
        if refusal is not None:
            advice = f"Quoted, it would be {setting.name}={word} ({refusal}): write the value go should see"
        elif word != raw:
            advice = f"Quoted, `{raw}` is still not a keyword go knows: write `\"{word}\"`"
        else:
            advice = f"Quote it: `{quoted}`"
            fix = Fix("safe", f"Quote the value: {quoted}", [Edit.replace(setting.source, setting.value_span, quoted)])
        yield Diagnostic(
            CODE, setting.source, setting.value_span,
            f"`{setting.name}: {raw}` is a YAML boolean to GitLab (Psych reads YAML 1.1): current GitLab passes "
            f"{setting.name}={value} to the job, older versions reject the pipeline; {consequence}. {advice}",
            fix=fix, stmt=setting.stmt, key=f"variables:{setting.name}:boolean",
        )
