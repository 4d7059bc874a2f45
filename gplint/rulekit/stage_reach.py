"""Does a setting reach the go commands of each Dockerfile stage? Shared by GP101, GP102, GP103.

One root cause, one diagnostic: a stage is reported at its first go command that may reach the
proxy with the variable out of scope, and not at all when an ancestor stage was reported (the
fix there reaches it through inheritance, §8.3/§9.1) or when an earlier go command of the
lineage, with the variable in scope, already filled the module cache.
"""
from __future__ import annotations

from ..analysis import GoRun, go_runs, values_passed_to
from ..model import Document, GoCommand, Scope, Setting
from .value_verdicts import copy_refusal, options_of


# Commands that leave the whole module graph of the main module in the cache.
WARMING = {"build", "test", "vet", "list", "run", "generate", "fmt", "doc", "mod"}


def warms_cache(run: GoRun) -> bool:
    words = [w for w in run.command.words if not w.startswith("-")]
    if not words or words[0] not in WARMING:
        return False
    if words[0] == "mod":
        return words[1:2] in (["download"], ["tidy"], ["vendor"], ["graph"]) and len(words) == 2
    return not any("@" in w for w in words[1:])


def uncovered_runs(doc: Document, project, name: str) -> dict[int, GoRun]:
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
                if warms_cache(run):
                    warm.add(scope.index)
                continue
            if scope.index in warm:
                continue
            first_gap[scope.index] = run
            break
    return first_gap


def setters(doc: Document, name: str, how: str) -> list[tuple[Scope, Setting]]:
    """(stage, setting) of every `how` setting of `name`, collected once per document (each
    stage's finding asks)."""
    if doc.setters is None:
        doc.setters = {}
    cache = doc.setters
    found = cache.get((name, how))
    if found is None:
        found = cache[(name, how)] = [(scope, e) for scope in doc.scopes for e in scope.events
                                      if isinstance(e, Setting) and e.name == name and e.how == how]
    return found


def env_setters(doc: Document, name: str) -> list[tuple[Scope, Setting]]:
    return setters(doc, name, "env")


def passed_refusal(doc: Document, project, name: str) -> str | None:
    """Why declaring ARG NAME must not be a fix: a CI build of this Dockerfile passes a value for
    it that a rule reports (declaring the ARG would let that value reach the go commands)."""
    options = options_of(project)
    return next(filter(None, (copy_refusal(name, v, options) for v in values_passed_to(project, doc, name))), None)


def unrelated(scope: Scope, other: Scope) -> bool:
    """Neither stage derives from the other: ENV set in one never reaches the other (§9.1)."""
    return not scope.derives_from(other) and not other.derives_from(scope)


def global_arg(doc: Document, name: str) -> Setting | None:
    return next((s for s in doc.global_settings if s.name == name), None)


NON_BUILDING = {"env", "version", "help"}


def build_setters(doc: Document, name: str) -> list[tuple[Scope, Setting]]:
    """ENV settings of NAME that some go command builds with: one runs later in the same stage,
    or in a stage derived from it. A setting after every go command of its stage (and with no
    derived stage running go) is for the image's runtime, not evidence of what builds need."""
    out = []
    for scope, setting in env_setters(doc, name):
        after = scope.events[scope.events.index(setting) + 1:]
        if any(isinstance(e, GoCommand) and building(e) for e in after) or id(scope) in _build_ancestors(doc):
            out.append((scope, setting))
    return out


def _build_ancestors(doc: Document) -> set[int]:
    """The stages that some derived stage runs a building go command on, found once per document
    by walking up from each building stage (asking every pair of stages was quadratic)."""
    if doc.build_ancestors is None:
        found: set[int] = set()
        for stage in doc.scopes:
            if any(building(command) for command in stage.go_commands()):
                found.update(id(s) for s in list(stage.lineage())[1:])
        doc.build_ancestors = found
    return doc.build_ancestors


def building(command: GoCommand) -> bool:
    words = [w for w in command.words if not w.startswith("-")]
    return bool(words) and words[0] not in NON_BUILDING
