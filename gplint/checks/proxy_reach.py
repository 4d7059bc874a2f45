"""GP101, GP102, GP103: does a proxy setting reach the go commands of each Dockerfile stage?

One root cause, one diagnostic: a stage is reported at its first go command that may reach the
proxy with the variable out of scope, and not at all when an ancestor stage was reported (the
fix there reaches it through inheritance, §8.3/§9.1) or when an earlier go command of the
lineage, with the variable in scope, already filled the module cache.
"""
from __future__ import annotations

from ..analysis import GoRun, go_runs
from ..diagnostic import Diagnostic, Fix
from ..goenv import GO_VARIABLES
from ..model import Document, Scope, Setting
from ..registry import rule
from .dockerfile_edits import arg_line, insert_after_from, keyword_case

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
    required = (getattr(project, "options", None) or {}).get("required_proxy")
    if required:
        return f"{arg_line(doc, 'GOPROXY')}={required}", "unsafe"
    return arg_line(doc, "GOPROXY"), "safe"


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
        if any(_unrelated(scope, other) for other, _ in _env_setters(doc, "GOPROXY")):
            continue  # GP103 explains it
        if any(_unrelated(scope, other) for other, _ in _setters(doc, "GOPROXY", "go-env-w")):
            continue  # GP106 explains it: `go env -w` in a stage this one does not derive from
        cmd = run.command.label
        line, applicability = _goproxy_arg(doc, project)
        yield Diagnostic(
            "GP101", doc.source, run.command.span,
            f"`{cmd}` in stage `{scope.name}` may download modules, but no GOPROXY is in scope: "
            "RUN does not inherit the host's environment and GOPROXY is not a predefined build arg, "
            "so this build can never be pointed at a proxy",
            fix=Fix(applicability, f"Insert `{line}` after the stage's FROM",
                    [insert_after_from(doc, scope, line)]),
            stmt=run.command.stmt, key=f"stage:{scope.name}:GOPROXY",
        )


@rule("GP102", kinds=("dockerfile",))
def global_arg_not_redeclared(doc: Document, project):
    for setting in doc.global_settings:
        if setting.name not in GO_VARIABLES:
            continue
        for index, run in _uncovered_runs(doc, project, setting.name).items():
            scope = doc.scopes[index]
            yield Diagnostic(
                "GP102", doc.source, run.command.span,
                f"ARG {setting.name} is declared before the first FROM (line {doc.source.line_col(setting.span.start)[0]}), "
                f"which makes it visible only to FROM lines; stage `{scope.name}` never re-declares it, so "
                f"`{run.command.label}` runs without it",
                fix=Fix("safe", f"Insert `{arg_line(doc, setting.name)}` in stage `{scope.name}`",
                        [insert_after_from(doc, scope, arg_line(doc, setting.name))]),
                stmt=run.command.stmt, key=f"stage:{scope.name}:{setting.name}",
                related=[(doc.source, setting.span, "declared here, outside every stage")],
            )


# Settings every go build of a file needs alike; security-weakening ones (GOSUMDB=off, GOINSECURE,
# GOFLAGS=-insecure) are never spread to other stages.
SHARED_SETTINGS = ("GONOPROXY", "GONOSUMDB", "GOPRIVATE", "GOPROXY")


@rule("GP103", kinds=("dockerfile",))
def env_not_inherited(doc: Document, project):
    for name in SHARED_SETTINGS:
        setters = _env_setters(doc, name)
        if not setters or _global_arg(doc, name) is not None:
            continue
        for index, run in _uncovered_runs(doc, project, name).items():
            scope = doc.scopes[index]
            setter_scope, setter = next(((s, e) for s, e in setters if _unrelated(scope, s)), (None, None))
            if setter is None:
                continue
            yield Diagnostic(
                "GP103", doc.source, run.command.span,
                f"stage `{setter_scope.name}` sets ENV {name}, but stage `{scope.name}` does not derive from it "
                f"(FROM {scope.base_image or '?'} starts with a fresh environment), so "
                f"`{run.command.label}` runs without {name}",
                fix=_copy_env_fix(doc, setter_scope, setter, scope),
                stmt=run.command.stmt, key=f"stage:{scope.name}:{name}",
                related=[(doc.source, setter.span, f"set here, in stage `{setter_scope.name}`")],
            )


def _copy_env_fix(doc: Document, from_scope: Scope, setting: Setting, to_scope: Scope) -> Fix:
    """Copy `ENV NAME=value` (and the ARGs its value refers to) into the stage."""
    lines = []
    for event in from_scope.events:
        if isinstance(event, Setting) and event.how == "arg" and event.span.start < setting.span.start:
            if "$" + event.name in setting.raw_value or "${" + event.name in setting.raw_value:
                lines.append(doc.source.text[event.span.start:event.span.end])
    arg_kw = keyword_case(doc, "ARG")
    env_kw = keyword_case(doc, "ENV")
    block = [f"{arg_kw} {a}" for a in lines] + [f"{env_kw} {setting.name}={setting.raw_value}"]
    edit = insert_after_from(doc, to_scope, doc.source.newline.join(block))
    return Fix("unsafe", f"Copy `ENV {setting.name}` into stage `{to_scope.name}`", [edit])
