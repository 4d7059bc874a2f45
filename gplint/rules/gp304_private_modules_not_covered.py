"""GP304 private-modules-not-covered: see GP304.md beside this module."""
from __future__ import annotations

from ..analysis import go_runs
from ..baseimage import hint
from ..diagnostic import Diagnostic, Fix
from ..kinds import SETTING_KINDS
from ..model import Document
from ..rulekit.dockerfile_edits import insert_after_from, keyword_case
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics import goenv

CODE = "GP304"
KINDS = SETTING_KINDS


def check(doc: Document, project):
    """Each configured private module pattern must be in GOPRIVATE (or GONOPROXY and GONOSUMDB)
    wherever go may fetch: otherwise go asks the public proxy and checksum database for it
    (§1.15, §5.1), leaking the private module paths."""
    private = (getattr(project, "options", None) or {}).get("private_modules")
    if not private:
        return
    reported: set[int] = set()
    for run in go_runs(doc, project):
        if not run.reaches_proxy or id(run.scope) in reported:
            continue
        if _from_image(run.env, "GOPRIVATE") or (
                _from_image(run.env, "GONOPROXY") and _from_image(run.env, "GONOSUMDB")):
            continue  # the configuration says the base image's ENV covers them (base-image-env)
        goprivate = _value(run.env, "GOPRIVATE")
        noproxy = _value(run.env, "GONOPROXY") or goprivate
        nosumdb = _value(run.env, "GONOSUMDB") or goprivate
        missing = [p for p in private if not (goenv.match_prefix_patterns(noproxy, _example(p))
                                               and goenv.match_prefix_patterns(nosumdb, _example(p)))]
        if not missing:
            continue
        reported.add(id(run.scope))
        fix = None
        # only where nothing else decides: a later GOPRIVATE, or GONOPROXY / GONOSUMDB (which
        # take precedence over GOPRIVATE), would override an ENV inserted after FROM
        untouched = not any(run.env.effective(name) for name in ("GOPRIVATE", "GONOPROXY", "GONOSUMDB"))
        if doc.source.kind == "dockerfile" and untouched and not copy_refusal(
                "GOPRIVATE", ",".join(private), options_of(project)):
            line = f"{keyword_case(doc, 'ENV')} GOPRIVATE={','.join(private)}"
            fix = Fix("unsafe", f"Insert `{line}` after the stage's FROM", [insert_after_from(doc, run.scope, line)])
        yield Diagnostic(
            "GP304", run.command.source, run.command.span,
            f"private modules {', '.join(missing)} are not covered by GOPRIVATE (or GONOPROXY and GONOSUMDB) for "
            f"`{run.command.label}` in `{run.scope.name}`: go asks the public proxy and "
            "checksum database for them, leaking their paths"
            + (hint(run.scope, "GOPRIVATE") if doc.source.kind == "dockerfile" else ""),
            fix=fix, stmt=run.command.stmt, key=f"{run.scope.kind}:{run.scope.name}:private-modules",
        )


def _from_image(env, name: str) -> bool:
    setting = env.effective(name)
    return setting is not None and setting.how == "image"


def _value(env, name: str) -> str:
    setting = env.effective(name)
    return setting.value if setting is not None and setting.value and not setting.dynamic else ""


def _example(pattern: str) -> str:
    """A module path the pattern stands for (globs filled in), to test coverage against."""
    return "/".join(part.replace("*", "x").replace("?", "x") for part in pattern.rstrip("/").split("/"))
