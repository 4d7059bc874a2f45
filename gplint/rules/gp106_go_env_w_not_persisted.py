"""GP106 go-env-w-not-persisted: see GP106.md beside this module."""
from __future__ import annotations

from ..analysis import go_runs
from ..diagnostic import Diagnostic, Fix
from ..kinds import DOCKERFILE
from ..model import Document, GoCommand, HandOff, Setting, UserChange
from ..rulekit.ci_builds import CI_KINDS
from ..rulekit.dockerfile_edits import insert_after_from, keyword_case
from ..rulekit.go_env_w import PLAIN_ASSIGNMENT, env_instead_of_go_env_w
from ..rulekit.value_verdicts import copy_refusal, options_of

CODE = "GP106"
KINDS = (DOCKERFILE, *CI_KINDS)


def go_env_w_in_another_job(doc: Document, project):
    runs = go_runs(doc, project)
    for scope in doc.scopes:
        writes = [e for e in scope.events if isinstance(e, Setting) and e.how == "go-env-w"]
        if not writes:
            continue
        # event order, not offsets: a job's lines can come from several files (include, extends)
        order = {id(e): i for i, e in enumerate(scope.events)}
        for write in writes:
            later = [r for r in runs if r.scope is scope and order[id(r.event)] > order[id(write)]]
            if later:
                continue
            others = [r for r in runs if r.scope is not scope and r.reaches_proxy and r.env.effective(write.name) is None]
            if not others:
                continue
            other = others[0]
            yield Diagnostic(
                "GP106", write.source, write.span,
                f"`go env -w {write.name}=…` in job `{scope.name}` writes the go env file of that job's machine; "
                f"job `{other.scope.name}` runs on a fresh one, so its `{other.command.label}` "
                f"never reads it; set {write.name} in the workflow or job environment",
                stmt=write.stmt, key=f"job:{scope.name}:go-env-w:{write.name}",
            )


def go_env_w_not_persisted(doc: Document, project):
    runs = go_runs(doc, project)
    run_of: dict = {}
    for r in runs:  # a go command, or the first go command a `make …` / `./x.sh` reaches
        run_of.setdefault(id(r.event), r)
    for scope in doc.scopes:
        for event in scope.events:  # (the environment each sees is not needed: no walk)
            if not (isinstance(event, Setting) and event.how == "go-env-w"):
                continue
            later = _later_events(doc, scope, event)
            moved = None
            readers = 0
            for item in later:
                if isinstance(item, UserChange) and moved is None and readers == 0:
                    moved = item
                elif isinstance(item, GoCommand) or (isinstance(item, HandOff) and id(item) in run_of):
                    readers += 1
                    if moved is None:
                        break  # a go command reads the file before any user change: nothing to say
                    reader = run_of.get(id(item))
                    # after the move, a go command that the environment already gives the value
                    # loses nothing; the first one that must read the file is the finding
                    if moved is not None and reader is not None and not _from_environment(reader.env, event.name):
                        yield _moved_diagnostic(doc, scope, event, moved, project)
                        break
            else:
                if readers == 0:
                    others = [r for r in _unset_runs(doc, runs, event.name) if not r.scope.derives_from(scope)]
                    if others:
                        other = others[0]
                        stages = list({id(r.scope): r.scope for r in others}.values())
                        more = f" (and go in {len(stages) - 1} more stages)" if len(stages) > 1 else ""
                        yield Diagnostic(
                            "GP106", doc.source, event.span,
                            f"`go env -w {event.name}=…` in stage `{scope.name}` writes a file in that stage's "
                            f"file system; stage `{other.scope.name}` does not derive from it, so its "
                            f"`{other.command.label}`{more} never reads it; set ENV {event.name} "
                            "where the go command runs",
                            fix=_env_in_stages(doc, event, stages, project),
                            stmt=event.stmt, key=f"stage:{scope.name}:go-env-w:{event.name}",
                        )


def _from_environment(env, name: str) -> bool:
    """The environment itself gives go a value, which wins over the go env file (§3.10)."""
    setting = env.get(name)
    return setting is not None and (bool(setting.value) or setting.dynamic)


def _env_in_stages(doc: Document, written: Setting, stages: list, project) -> Fix | None:
    """`ENV NAME=value` (what `go env -w` wrote) right after the FROM of every stage whose go
    commands miss it, in one fix: a fix for one stage at a time would leave the finding standing
    and take one --fix pass per stage. Never a value a rule reports (value_verdicts.copy_refusal)."""
    word = f"{written.name}={written.value}"
    if written.dynamic or written.value is None or not PLAIN_ASSIGNMENT.fullmatch(word):
        return None  # quoting or escapes could mean something else in ENV than in the shell
    if copy_refusal(written.name, written.value, options_of(project)):
        return None
    line = f"{keyword_case(doc, 'ENV')} {word}"
    where = f"stage `{stages[0].name}`" if len(stages) == 1 else f"{len(stages)} stages"
    return Fix("unsafe", f"Insert `{line}` in {where}", [insert_after_from(doc, stage, line) for stage in stages])


def _unset_runs(doc: Document, runs, name: str) -> list:
    """The go commands that reach the proxy and see no `name` (once per document and name)."""
    if doc.unset_runs is None:
        doc.unset_runs = {}
    cache = doc.unset_runs
    found = cache.get(name)
    if found is None:
        found = cache[name] = [r for r in runs if r.reaches_proxy and r.env.effective(name) is None]
    return found


def _later_events(doc: Document, scope, setting: Setting):
    """Events after the setting in its stage, then in every stage derived from it, in file
    order. Lazy, and found through each stage's children rather than by asking every stage
    whether it derives from this one: a file with 10,000 stages stays linear."""
    after = False
    for event in scope.events:
        if event is setting:
            after = True
        elif after:
            yield event
    children = doc.stage_children
    if children is None:
        children = doc.stage_children = {}
        for other in doc.scopes:
            if other.parent is not None:
                children.setdefault(id(other.parent), []).append(other)
    import heapq

    pending = [(child.index, id(child), child) for child in children.get(id(scope), ())]
    heapq.heapify(pending)
    while pending:
        _, _, other = heapq.heappop(pending)
        yield from other.events
        for child in children.get(id(other), ()):
            heapq.heappush(pending, (child.index, id(child), child))


def _moved_diagnostic(doc: Document, scope, setting: Setting, moved: UserChange, project) -> Diagnostic:
    line = doc.source.line_col(moved.span.start)[0]
    return Diagnostic(
        "GP106", doc.source, setting.span,
        f"`go env -w {setting.name}=…` writes the go env file of the current user, but {moved.what} changes on "
        f"line {line} before the next go command, which then reads a different file; set ENV {setting.name} instead",
        fix=env_instead_of_go_env_w(doc, [setting], project),
        stmt=setting.stmt, key=f"stage:{scope.name}:go-env-w:{setting.name}",
    )


def check(doc: Document, project):
    if doc.source.kind in CI_KINDS:
        yield from go_env_w_in_another_job(doc, project)
    if doc.source.kind == DOCKERFILE:
        yield from go_env_w_not_persisted(doc, project)
