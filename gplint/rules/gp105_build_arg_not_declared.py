"""GP105 build-arg-not-declared: see GP105.md beside this module."""
from __future__ import annotations

from ..analysis import setting_value
from ..diagnostic import Diagnostic, Fix
from ..model import Document
from ..rulekit.ci_builds import BUILD_KINDS, built, declares
from ..rulekit.dockerfile_edits import arg_line, insert_after_from
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics.goenv import GO_VARIABLES

CODE = "GP105"
KINDS = BUILD_KINDS


def check(doc: Document, project):
    for scope, build, env, target, stages in built(doc, project):
        if not stages:
            continue
        for arg in build.build_args:
            if arg.name not in GO_VARIABLES or any(declares(s, arg.name) for s in stages):
                continue
            through = f" through `{build.via}" if build.via else ""  # `make image` → Makefile:4
            message = (f"--build-arg {arg.name} is passed to {build.dockerfile}{through}, but no stage that runs go "
                       f"declares ARG {arg.name}, so BuildKit drops the value without a warning")
            # declaring the ARG lets the value reach every go command: never for a value a rule reports
            refusal = copy_refusal(arg.name, _passed_value(arg, env), options_of(project))
            fix = None
            if refusal:
                message += f"; no fix: declaring it would let that value into the build ({refusal})"
            else:
                missing = [s for s in stages if not any(s.derives_from(o) and o is not s for o in stages)]
                edits = [insert_after_from(target, s, arg_line(target, arg.name)) for s in missing]
                fix = Fix("safe", f"Declare ARG {arg.name} in the go stages of {build.dockerfile}", edits)
            yield Diagnostic(
                "GP105", arg.source, arg.span, message, fix=fix,
                stmt=build.stmt, key=f"job:{scope.name}:build:{build.dockerfile}:{arg.name}",
                related=list(build.hops) + [(target.source, stages[0].span, "this stage runs go")],
            )


def _passed_value(arg, env) -> str | None:
    """The value a build arg passes, when we can read it: written (`NAME=value`), or taken from
    the job's environment (a bare `NAME`, §9.3)."""
    if arg.value is not None:
        return None if arg.dynamic else arg.value
    return setting_value(env.get(arg.name))
