"""GP103 env-not-inherited: see GP103.md beside this module."""
from __future__ import annotations

from ..analysis import GoRun
from ..diagnostic import Diagnostic, Fix
from ..kinds import DOCKERFILE
from ..model import Document, Scope, Setting
from ..rulekit.dockerfile_edits import insert_after_from, keyword_case
from ..rulekit.stage_reach import build_setters, global_arg, uncovered_runs, unrelated
from ..rulekit.value_verdicts import copy_refusal, options_of

CODE = "GP103"
KINDS = (DOCKERFILE,)


# Settings every go build of a file needs alike. Whether a value may be copied is decided in
# value_verdicts.copy_refusal: a value a rule reports (GONOSUMDB=*, a loopback proxy) is never spread.
SHARED_SETTINGS = ("GOPROXY", "GOPRIVATE", "GONOPROXY", "GONOSUMDB")


def check(doc: Document, project):
    # stage index -> [(name, first go command without it, setter stage, setter)]
    gaps: dict[int, list[tuple[str, GoRun, Scope, Setting]]] = {}
    for name in SHARED_SETTINGS:
        setters = build_setters(doc, name)
        if not setters or global_arg(doc, name) is not None:
            continue
        for index, run in uncovered_runs(doc, project, name).items():
            scope = doc.scopes[index]
            found = next(((s, e) for s, e in setters if unrelated(scope, s)), None)
            if found is not None:
                gaps.setdefault(index, []).append((name, run, *found))
    options = options_of(project)
    for index in sorted(gaps):
        scope = doc.scopes[index]
        missing = gaps[index]
        run = min((m[1] for m in missing), key=lambda r: r.command.span.start)
        names = [m[0] for m in missing]
        by_stage: dict[str, list[str]] = {}
        for name, _run, setter_scope, _setter in missing:
            by_stage.setdefault(setter_scope.name, []).append(name)
        where = "; ".join(f"stage `{stage}` sets ENV {_and(vars_)}" for stage, vars_ in by_stage.items())
        refused = [(setter, why) for _n, _r, _s, setter in missing
                   if (why := copy_refusal(setter.name, None if setter.dynamic else setter.value, options))]
        message = (f"{where}, but stage `{scope.name}` does not derive from {'it' if len(by_stage) == 1 else 'them'} "
                   f"(FROM {scope.base_image or '?'} starts with a fresh environment), so "
                   f"`{run.command.label}` runs without {_and(names)}")
        if refused:
            message += "; not copied by the fix: " + "; ".join(
                f"{s.name}={s.raw_value} ({why})" for s, why in refused)
        copyable = [(setter_scope, setter) for _n, _r, setter_scope, setter in missing
                    if not any(setter is r[0] for r in refused)]
        yield Diagnostic(
            "GP103", doc.source, run.command.span, message,
            fix=_copy_env_fix(doc, copyable, scope) if copyable else None,
            stmt=run.command.stmt, key=f"stage:{scope.name}:env-not-inherited",
            related=[(doc.source, setter.span, f"set here, in stage `{setter_scope.name}`")
                     for _n, _r, setter_scope, setter in missing],
        )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _copy_env_fix(doc: Document, settings: list[tuple[Scope, Setting]], to_scope: Scope) -> Fix:
    """Copy each `ENV NAME=value` (and the ARGs of its stage its value refers to) into the stage,
    as one block right after its FROM."""
    arg_kw = keyword_case(doc, "ARG")
    env_kw = keyword_case(doc, "ENV")
    args: list[str] = []
    envs: list[str] = []
    for from_scope, setting in settings:
        for event in from_scope.events:
            if isinstance(event, Setting) and event.how == "arg" and event.span.start < setting.span.start:
                if "$" + event.name in setting.raw_value or "${" + event.name in setting.raw_value:
                    line = f"{arg_kw} {doc.source.text[event.span.start:event.span.end]}"
                    if line not in args:
                        args.append(line)
        envs.append(f"{env_kw} {setting.name}={setting.raw_value}")
    edit = insert_after_from(doc, to_scope, doc.source.newline.join(args + envs))
    names = _and([s.name for _, s in settings])
    return Fix("unsafe", f"Copy ENV {names} into stage `{to_scope.name}`", [edit])
