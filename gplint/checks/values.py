"""Rules about the value a Go variable is given, wherever it is written (GP203–GP207, GP301,
GP302): each value is judged once, where it is written, by the grammar in goenv.py."""
from __future__ import annotations

from .. import goenv
from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document, Setting
from ..registry import rule
from ..source import Span
from .value_verdicts import CHECKSUM_GLOB_VARIABLES, MODULE_GLOB_VARIABLES, checksum_weakness, copy_refusal, options_of

VALUE_KINDS = ("dockerfile", "github", "gitlab", "action")


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
    out = []
    for setting in doc.settings():
        if setting.name in names and setting.value is not None and not setting.dynamic:
            if setting.how == "go-env-u":
                continue
            if goenv.has_unresolved_reference(setting.value):
                continue
            out.append(setting)
    return out


def _key(setting: Setting) -> str:
    return f"{setting.how}:{setting.name}"


def _problem_diagnostics(doc: Document, setting: Setting, problems, code: str):
    for problem in problems:
        if problem.code != code:
            continue
        span = value_span(setting, problem.start, problem.end)
        fix = None
        if problem.replacement is not None and value_offset(setting, problem.start) is not None:
            fix = Fix("safe" if problem.safe else "unsafe", _fix_message(problem),
                      [Edit.replace(setting.source, span, problem.replacement)])
        yield Diagnostic(code, setting.source, span, f"{setting.name}={setting.value!r}: {problem.message}",
                         fix=fix, stmt=setting.stmt, key=_key(setting))


def _fix_message(problem) -> str:
    if problem.replacement == "":
        return "Remove it"
    return f"Replace with `{problem.replacement}`"


def _goproxy_rule(code: str):
    def check(doc: Document, project):
        for setting in literal_settings(doc, ("GOPROXY",)):
            _, problems = goenv.parse_goproxy(setting.value)
            yield from _problem_diagnostics(doc, setting, problems, code)

    return check


rule("GP203", kinds=VALUE_KINDS)(_goproxy_rule("GP203"))
rule("GP204", kinds=VALUE_KINDS)(_goproxy_rule("GP204"))
rule("GP205", kinds=VALUE_KINDS)(_goproxy_rule("GP205"))


@rule("GP206", kinds=VALUE_KINDS)
def module_glob_whitespace(doc: Document, project):
    for setting in literal_settings(doc, MODULE_GLOB_VARIABLES):
        yield from _problem_diagnostics(doc, setting, goenv.module_glob_problems(setting.value), "GP206")


@rule("GP207", kinds=VALUE_KINDS)
def empty_goproxy_written(doc: Document, project):
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
            stmt=setting.stmt, key=_key(setting),
        )


@rule("GP301", kinds=VALUE_KINDS)
def checksum_db_disabled(doc: Document, project):
    nosumdb_set = None  # whether a non-empty GONOSUMDB is written: asked once, not per GOPRIVATE
    for setting in literal_settings(doc, ("GOSUMDB", "GOFLAGS") + CHECKSUM_GLOB_VARIABLES):
        if setting.name == "GOPRIVATE":
            if nosumdb_set is None:
                nosumdb_set = any(s.value for s in literal_settings(doc, ("GONOSUMDB",)))
            if nosumdb_set:
                continue  # a non-empty GONOSUMDB replaces GOPRIVATE for the checksum decision (§5.1)
        weak = checksum_weakness(setting.name, setting.value)
        if weak is None:
            continue
        span = value_span(setting, weak.start, weak.end)
        yield Diagnostic("GP301", setting.source, span, weak.message, fix=_scope_sumdb_fix(doc, setting, project),
                         stmt=setting.stmt, key=_key(setting))


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


@rule("GP302", kinds=VALUE_KINDS)
def credentials_in_proxy_url(doc: Document, project):
    for setting in literal_settings(doc, goenv.PROXY_URL_VARIABLES):
        for start, end in goenv.credentials_span(setting.value):
            where = ("image history and every layer built from it" if doc.source.kind == "dockerfile"
                     else "the repository and the CI logs")
            yield Diagnostic(
                "GP302", setting.source, value_span(setting, start, end),
                f"{setting.name} holds a literal user:password, which lands in {where}; pass the credentials "
                "as a secret instead (`RUN --mount=type=secret` with a .netrc, or GOAUTH)",
                stmt=setting.stmt, key=_key(setting),
            )
