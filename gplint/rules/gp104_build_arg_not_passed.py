"""GP104 build-arg-not-passed: see GP104.md beside this module."""
from __future__ import annotations

from ..analysis import setting_value
from ..diagnostic import Diagnostic, Fix
from ..model import Document, Setting
from ..rulekit.ci_builds import CI_KINDS, built, declares
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics.goenv import GO_VARIABLES

CODE = "GP104"
KINDS = CI_KINDS


def _in_scope(env, name: str) -> Setting | None:
    setting = env.get(name)
    if setting is None or (not setting.dynamic and not setting.value):
        return None  # an empty value means the default (§2): nothing to pass
    return setting


def check(doc: Document, project):
    for scope, build, env, _target, stages in built(doc, project):
        if build.opaque_args:
            continue  # it may well pass the variable in arguments we cannot read
        for name in sorted(GO_VARIABLES):
            setting = _in_scope(env, name)
            if setting is None or build.passes(name) is not None:
                continue
            wanting = [s for s in stages if declares(s, name)]
            if not wanting:
                continue
            message = (f"job `{scope.name}` has {name} in scope and builds {build.dockerfile}, whose stage "
                       f"`{wanting[0].name}` declares ARG {name}, but the build does not pass it: the Dockerfile's "
                       f"default (or nothing) is used instead; pass `--build-arg {name}`")
            # passing it copies the job's value into the build: never a value a rule reports
            refusal = copy_refusal(name, setting_value(setting), options_of(project))
            edit = build.add_build_arg(name) if build.add_build_arg and not refusal else None
            if refusal:
                message += f"; no fix: that would carry the job's value into the build ({refusal})"
            yield Diagnostic(
                "GP104", build.source, build.span, message,
                fix=Fix("safe", f"Pass {name} to the build", [edit]) if edit else None,
                stmt=build.stmt, key=f"job:{scope.name}:build:{build.dockerfile}:{name}",
            )
