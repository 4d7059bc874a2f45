"""GP101, GP102, GP103: does a proxy setting reach the go commands of each Dockerfile stage?

One root cause, one diagnostic: a stage is reported at its first go command that may reach the
proxy with the variable out of scope, and not at all when an ancestor stage was reported (the
fix there reaches it through inheritance, §8.3/§9.1) or when an earlier go command of the
lineage, with the variable in scope, already filled the module cache.
"""
from __future__ import annotations

from ..analysis import GoRun, go_runs, values_passed_to
from ..baseimage import hint
from ..diagnostic import Diagnostic, Fix
from ..goenv import GO_VARIABLES
from ..model import Document, GoCommand, Scope, Setting
from ..registry import rule
from .dockerfile_edits import arg_line, insert_after_from, keyword_case
from .value_verdicts import copy_refusal, options_of

# Commands that leave the whole module graph of the main module in the cache.
_WARMING = {"build", "test", "vet", "list", "run", "generate", "fmt", "doc", "mod"}


def _warms_cache(run: GoRun) -> bool:
    words = [w for w in run.command.words if not w.startswith("-")]
    if not words or words[0] not in _WARMING:
        return False
    if words[0] == "mod":
        return words[1:2] in (["download"], ["tidy"], ["vendor"], ["graph"]) and len(words) == 2
    return not any("@" in w for w in words[1:])


def _uncovered_runs(doc: Document, project, name: str) -> dict[int, GoRun]:
    """Scope index -> the first go command of that stage that needs `name` and lacks it."""
    runs = go_runs(doc, project)
    warm: set[int] = set()  # scopes whose module cache an earlier covered command filled
    first_gap: dict[int, GoRun] = {}
    by_scope: dict[int, list[GoRun]] = {}  # grouped once: a scan per stage is quadratic
    for r in runs:
        if r.reaches_proxy:
            by_scope.setdefault(id(r.scope), []).append(r)
    for scope in doc.scopes:
        lineage = [s.index for s in scope.lineage()]
        if any(i in warm for i in lineage[1:]):
            warm.add(scope.index)
        if any(i in first_gap for i in lineage[1:]):
            continue  # the ancestor's fix reaches this stage by inheritance
        for run in by_scope.get(id(scope), ()):
            if run.env.effective(name) is not None:
                if _warms_cache(run):
                    warm.add(scope.index)
                continue
            if scope.index in warm:
                continue
            first_gap[scope.index] = run
            break
    return first_gap


def _setters(doc: Document, name: str, how: str) -> list[tuple[Scope, Setting]]:
    """(stage, setting) of every `how` setting of `name`, collected once per document (each
    stage's finding asks)."""
    cache = doc.extra.setdefault("setters", {})
    found = cache.get((name, how))
    if found is None:
        found = cache[(name, how)] = [(scope, e) for scope in doc.scopes for e in scope.events
                                      if isinstance(e, Setting) and e.name == name and e.how == how]
    return found


def _env_setters(doc: Document, name: str) -> list[tuple[Scope, Setting]]:
    return _setters(doc, name, "env")


def _goproxy_arg(doc: Document, project) -> tuple[str, str]:
    """`ARG GOPROXY` (safe: nothing changes until a build arg is passed), or with the
    organisation's required-proxy as its default (unsafe: downloads move there)."""
    required = options_of(project).get("required_proxy")
    if required and not copy_refusal("GOPROXY", required, options_of(project)):
        return f"{arg_line(doc, 'GOPROXY')}={required}", "unsafe"
    return arg_line(doc, "GOPROXY"), "safe"


def _passed_refusal(doc: Document, project, name: str) -> str | None:
    """Why declaring ARG NAME must not be a fix: a CI build of this Dockerfile passes a value for
    it that a rule reports (declaring the ARG would let that value reach the go commands)."""
    options = options_of(project)
    return next(filter(None, (copy_refusal(name, v, options) for v in values_passed_to(project, doc, name))), None)


def _unrelated(scope: Scope, other: Scope) -> bool:
    """Neither stage derives from the other: ENV set in one never reaches the other (§9.1)."""
    return not scope.derives_from(other) and not other.derives_from(scope)


def _global_arg(doc: Document, name: str) -> Setting | None:
    return next((s for s in doc.global_settings if s.name == name), None)


@rule("GP101", kinds=("dockerfile",))
def goproxy_unset_in_stage(doc: Document, project):
    gaps = _uncovered_runs(doc, project, "GOPROXY")
    for index, run in gaps.items():
        scope = doc.scopes[index]
        if _global_arg(doc, "GOPROXY") is not None:
            continue  # GP102 explains it
        if any(_unrelated(scope, other) for other, _ in _build_setters(doc, "GOPROXY")):
            continue  # GP103 explains it
        if any(_unrelated(scope, other) for other, _ in _setters(doc, "GOPROXY", "go-env-w")):
            continue  # GP106 explains it: `go env -w` in a stage this one does not derive from
        cmd = run.command.label
        line, applicability = _goproxy_arg(doc, project)
        message = (f"`{cmd}` in stage `{scope.name}` may download modules, but no GOPROXY is in scope: "
                   "RUN does not inherit the host's environment and GOPROXY is not a predefined build arg, "
                   "so this build can never be pointed at a proxy" + hint(scope, "GOPROXY"))
        refusal = _passed_refusal(doc, project, "GOPROXY")
        if refusal:
            message += f"; no fix: declaring it would let a CI build's value in ({refusal})"
        yield Diagnostic(
            "GP101", doc.source, run.command.span, message,
            fix=None if refusal else Fix(applicability, f"Insert `{line}` after the stage's FROM",
                                         [insert_after_from(doc, scope, line)]),
            stmt=run.command.stmt, key=f"stage:{scope.name}:GOPROXY",
        )


@rule("GP102", kinds=("dockerfile",))
def global_arg_not_redeclared(doc: Document, project):
    for setting in doc.global_settings:
        if setting.name not in GO_VARIABLES:
            continue
        # re-declaring the ARG brings the global default into the stage: never a value a rule reports
        refusal = (copy_refusal(setting.name, None if setting.dynamic else setting.value, options_of(project))
                   or _passed_refusal(doc, project, setting.name))
        for index, run in _uncovered_runs(doc, project, setting.name).items():
            scope = doc.scopes[index]
            message = (f"ARG {setting.name} is declared before the first FROM (line "
                       f"{doc.source.line_col(setting.span.start)[0]}), which makes it visible only to FROM lines; "
                       f"stage `{scope.name}` never re-declares it, so `{run.command.label}` runs without it")
            if refusal:
                message += f"; no fix: re-declaring it would let that value into the stage ({refusal})"
            yield Diagnostic(
                "GP102", doc.source, run.command.span, message,
                fix=None if refusal else Fix("safe", f"Insert `{arg_line(doc, setting.name)}` in stage `{scope.name}`",
                                             [insert_after_from(doc, scope, arg_line(doc, setting.name))]),
                stmt=run.command.stmt, key=f"stage:{scope.name}:{setting.name}",
                related=[(doc.source, setting.span, "declared here, outside every stage")],
            )


# Settings every go build of a file needs alike. Whether a value may be copied is decided in
# value_verdicts.copy_refusal: a value a rule reports (GONOSUMDB=*, a loopback proxy) is never spread.
SHARED_SETTINGS = ("GOPROXY", "GOPRIVATE", "GONOPROXY", "GONOSUMDB")
NON_BUILDING = {"env", "version", "help"}


def _build_setters(doc: Document, name: str) -> list[tuple[Scope, Setting]]:
    """ENV settings of NAME that some go command builds with: one runs later in the same stage,
    or in a stage derived from it. A setting after every go command of its stage (and with no
    derived stage running go) is for the image's runtime, not evidence of what builds need."""
    out = []
    for scope, setting in _env_setters(doc, name):
        after = scope.events[scope.events.index(setting) + 1:]
        later = [e for e in after if isinstance(e, GoCommand)]
        later += [e for other in doc.scopes if other is not scope and other.derives_from(scope)
                  for e in other.go_commands()]
        if any(_building(command) for command in later):
            out.append((scope, setting))
    return out


def _building(command: GoCommand) -> bool:
    words = [w for w in command.words if not w.startswith("-")]
    return bool(words) and words[0] not in NON_BUILDING


@rule("GP103", kinds=("dockerfile",))
def env_not_inherited(doc: Document, project):
    # stage index -> [(name, first go command without it, setter stage, setter)]
    gaps: dict[int, list[tuple[str, GoRun, Scope, Setting]]] = {}
    for name in SHARED_SETTINGS:
        setters = _build_setters(doc, name)
        if not setters or _global_arg(doc, name) is not None:
            continue
        for index, run in _uncovered_runs(doc, project, name).items():
            scope = doc.scopes[index]
            found = next(((s, e) for s, e in setters if _unrelated(scope, s)), None)
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
