"""Rules about a setting in scope of a go command in a Dockerfile: GP107 (loopback proxy inside
the build's own network namespace), GP202 (modules disabled), GP201 (GOENV=off hides the go env
file) and GP106 (a `go env -w` no later go command can read)."""
from __future__ import annotations

import re

from .. import goenv
from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document, GoCommand, Setting, UserChange, walk
from ..registry import rule
from ..source import Span
from .dockerfile_edits import delete_setting, insert_after_from, instruction_of, keyword_case
from .value_verdicts import LOOPBACK_VARIABLES, copy_refusal, options_of
from .value_verdicts import loopback as _loopback
from .values import value_offset

NON_BUILDING = {"env", "version", "help"}
# NAME=value that reads the same in a shell word and in an ENV instruction (no quotes, escapes,
# expansions or blanks)
_PLAIN_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=[^\s'\"\\`$]*")


@rule("GP202", kinds=("dockerfile", "github", "action", "gitlab"))
def modules_disabled(doc: Document, project):
    seen: set[int] = set()
    for run in go_runs(doc, project):
        if run.subcommand in NON_BUILDING:
            continue
        setting = run.env.effective("GO111MODULE")
        value = setting_value(setting)
        if setting is None or value is None or id(setting) in seen:
            continue
        verdict = goenv.go111module_problem(value)
        if verdict is None:
            continue
        seen.add(id(setting))
        if verdict == "off":
            message = (f"GO111MODULE=off is in scope of `{run.command.label}`: go runs in GOPATH "
                       "mode, ignores go.mod and never uses GOPROXY (module-only commands fail)")
        else:
            message = f"GO111MODULE={value!r} is not a value go accepts (on, off, auto or empty): `go: unknown environment setting`"
        deletion = delete_setting(doc, setting)
        yield Diagnostic("GP202", setting.source, setting.span, message,
                         fix=Fix("unsafe", "Remove the GO111MODULE setting (module mode is the default)",
                                 [deletion]) if deletion else None,
                         stmt=setting.stmt, key=f"{setting.how}:GO111MODULE")


@rule("GP107", kinds=("dockerfile",))
def loopback_proxy(doc: Document, project):
    if project is not None and doc.source.abspath != "-":
        builds = project.build_contexts(project.rel(doc.source.abspath))
        if all(b.network_host for b in builds):
            return  # every CI build of this Dockerfile uses the host's network (§11.4)
    reported: set[int] = set()
    for run in go_runs(doc, project):
        if run.command.network_host or not run.reaches_proxy:
            continue
        for name in LOOPBACK_VARIABLES:
            setting = run.env.effective(name)
            value = setting_value(setting)
            if not value or id(setting) in reported:
                continue
            found = _loopback(value, name)
            if found is None:
                continue
            reported.add(id(setting))
            host, start = found
            yield _loopback_diagnostic(doc, setting, host, start, options=options_of(project))


def _loopback_diagnostic(doc: Document, setting: Setting, host: str, start: int,
                         where: str | None = None, fixable: bool = True, options: dict | None = None) -> Diagnostic:
    offset = value_offset(setting, start)
    fix = None
    span = setting.value_span or setting.span
    # the rewritten value must not be one another rule reports (e.g. outside allowed-proxies)
    rewritten = setting.value[:start] + "host.docker.internal" + setting.value[start + len(host):]
    if fixable and copy_refusal(setting.name, rewritten, options):
        fixable = False
    if fixable and offset is not None and setting.source.text[offset:offset + len(host)].lower() == host.lower():
        span = Span(offset, offset + len(host))
        fix = Fix("unsafe", "Point it at `host.docker.internal` (on Linux, build with "
                            "`--add-host host.docker.internal=host-gateway`)",
                  [Edit.replace(setting.source, span, "host.docker.internal")])
    where = where or ("RUN executes in the build container's own network namespace, where loopback is the "
                      "container itself, not the machine running the proxy; use a host name the build can "
                      "reach, or `RUN --network=host`")
    return Diagnostic(
        "GP107", setting.source, span, f"{setting.name} points at `{host}`, but {where}",
        fix=fix, stmt=setting.stmt, key=f"{setting.how}:{setting.name}",
    )


@rule("GP201", kinds=("dockerfile", "github", "action", "gitlab"))
def goenv_off_drops_config(doc: Document, project):
    reported: set[int] = set()
    for run in go_runs(doc, project):
        goenv_setting = run.env.get("GOENV")
        if setting_value(goenv_setting) != "off" or id(goenv_setting) in reported:
            continue
        written = [s for s in run.env.goenv_file.values() if s.how == "go-env-w"
                   and _unset(run.env.get(s.name))]
        if not written:
            continue
        reported.add(id(goenv_setting))
        names = ", ".join(sorted(s.name for s in written))
        yield Diagnostic(
            "GP201", goenv_setting.source, goenv_setting.span,
            f"GOENV=off makes go skip the user go env file, so the values written there with `go env -w` "
            f"({names}) never reach `{run.command.label}`; environment variables still apply, "
            "so set them with ENV instead",
            fix=_env_instead_of_go_env_w(doc, written, project),
            stmt=goenv_setting.stmt, key=f"{goenv_setting.how}:GOENV",
        )


def _unset(setting: Setting | None) -> bool:
    """Not set in the environment: absent, or an ARG declared without a value and not passed."""
    return setting is None or setting.declared_only


def _env_instead_of_go_env_w(doc: Document, written: list[Setting], project) -> Fix | None:
    """Turn each `RUN go env -w A=B` that is the whole instruction into `ENV A=B`; never for a
    value a rule reports (an ENV reaches places the go env file did not, e.g. under GOENV=off)."""
    edits = []
    done = set()
    for setting in written:
        if setting.dynamic or copy_refusal(setting.name, setting.value, options_of(project)):
            return None
        inst = instruction_of(doc, setting.stmt)
        if inst is None or inst.start in done:
            continue
        text = doc.source.text[inst.rest_start:inst.args_end].split()
        if text[:3] != ["go", "env", "-w"] or not all(_PLAIN_ASSIGNMENT.fullmatch(t) for t in text[3:]) or any(
                c in doc.source.text[inst.rest_start:inst.args_end] for c in "&;|"):
            return None
        done.add(inst.start)
        edits.append(Edit.replace(doc.source, Span(inst.start, inst.args_end),
                                  f"{keyword_case(doc, 'ENV')} {' '.join(text[3:])}"))
    return Fix("unsafe", "Replace `go env -w` with ENV", edits) if edits else None


@rule("GP106", kinds=("dockerfile",))
def go_env_w_not_persisted(doc: Document, project):
    runs = go_runs(doc, project)
    run_of = {id(r.command): r for r in runs}
    for scope in doc.scopes:
        for event, _env in walk(scope):
            if not (isinstance(event, Setting) and event.how == "go-env-w"):
                continue
            later = _later_events(doc, scope, event)
            moved = None
            readers = 0
            for item in later:
                if isinstance(item, UserChange) and moved is None and readers == 0:
                    moved = item
                elif isinstance(item, GoCommand):
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
                    other = next((r for r in _unset_runs(doc, runs, event.name)
                                  if not r.scope.derives_from(scope)), None)
                    if other is not None:
                        yield Diagnostic(
                            "GP106", doc.source, event.span,
                            f"`go env -w {event.name}=…` in stage `{scope.name}` writes a file in that stage's "
                            f"file system; stage `{other.scope.name}` does not derive from it, so its "
                            f"`{other.command.label}` never reads it; set ENV {event.name} "
                            "where the go command runs",
                            fix=_env_in_stage(doc, event, other.scope, project),
                            stmt=event.stmt, key=f"stage:{scope.name}:go-env-w:{event.name}",
                        )


def _from_environment(env, name: str) -> bool:
    """The environment itself gives go a value, which wins over the go env file (§3.10)."""
    setting = env.get(name)
    return setting is not None and (bool(setting.value) or setting.dynamic)


def _env_in_stage(doc: Document, written: Setting, stage, project) -> Fix | None:
    """`ENV NAME=value` (what `go env -w` wrote) right after the stage's FROM; never a value a
    rule reports (value_verdicts.copy_refusal)."""
    word = f"{written.name}={written.value}"
    if written.dynamic or written.value is None or not _PLAIN_ASSIGNMENT.fullmatch(word):
        return None  # quoting or escapes could mean something else in ENV than in the shell
    if copy_refusal(written.name, written.value, options_of(project)):
        return None
    line = f"{keyword_case(doc, 'ENV')} {word}"
    return Fix("unsafe", f"Insert `{line}` in stage `{stage.name}`", [insert_after_from(doc, stage, line)])



def _unset_runs(doc: Document, runs, name: str) -> list:
    """The go commands that reach the proxy and see no `name` (once per document and name)."""
    cache = doc.extra.setdefault("gp106_unset_runs", {})
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
    children = doc.extra.get("stage_children")
    if children is None:
        children = doc.extra["stage_children"] = {}
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
        fix=_env_instead_of_go_env_w(doc, [setting], project),
        stmt=setting.stmt, key=f"stage:{scope.name}:go-env-w:{setting.name}",
    )
