"""Rules that follow a Go setting from a CI job into the image it builds, and across jobs:
GP104 (a setting the Dockerfile wants is not passed), GP105 (a passed build arg no go stage
declares), GP106 (`go env -w` in one job, go in another), GP107 (loopback proxies in container
jobs and in values passed into a build)."""
from __future__ import annotations

from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic, Fix
from ..goenv import GO_VARIABLES
from ..model import Document, ImageBuild, Scope, Setting, walk
from ..registry import rule
from .dockerfile_edits import arg_line, insert_after_from
from .scoped import _loopback_diagnostic
from .value_verdicts import LOOPBACK_VARIABLES, copy_refusal, options_of
from .value_verdicts import loopback as _loopback

CI_KINDS = ("github", "action", "gitlab")


def _builds(doc: Document):
    """(scope, build, env before it) for every image build of the document."""
    for scope in doc.scopes:
        for event, env in walk(scope):
            if isinstance(event, ImageBuild):
                yield scope, event, env


def _built(doc: Document, project):
    """(scope, build, env, the Dockerfile's document, its stages that may reach the proxy) for
    every build whose Dockerfile is in the repository (otherwise: say nothing, never guess)."""
    for scope, build, env in _builds(doc):
        if project is None or not build.dockerfile:
            continue
        target = project.document(build.dockerfile)
        if target is None:
            continue
        stages = sorted({id(r.scope): r.scope for r in go_runs(target, project) if r.reaches_proxy}.values(),
                        key=lambda s: s.index)
        yield scope, build, env, target, stages


def _declares(scope: Scope, name: str) -> bool:
    return any(isinstance(e, Setting) and e.name == name and e.how == "arg"
               for s in scope.lineage() for e in s.events)


def _in_scope(env, name: str) -> Setting | None:
    setting = env.get(name)
    if setting is None or (not setting.dynamic and not setting.value):
        return None  # an empty value means the default (§2): nothing to pass
    return setting


@rule("GP104", kinds=CI_KINDS)
def build_arg_not_passed(doc: Document, project):
    for scope, build, env, _target, stages in _built(doc, project):
        if build.opaque_args:
            continue  # it may well pass the variable in arguments we cannot read
        for name in sorted(GO_VARIABLES):
            setting = _in_scope(env, name)
            if setting is None or build.passes(name) is not None:
                continue
            wanting = [s for s in stages if _declares(s, name)]
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


@rule("GP105", kinds=CI_KINDS)
def build_arg_not_declared(doc: Document, project):
    for scope, build, env, target, stages in _built(doc, project):
        if not stages:
            continue
        for arg in build.build_args:
            if arg.name not in GO_VARIABLES or any(_declares(s, arg.name) for s in stages):
                continue
            message = (f"--build-arg {arg.name} is passed to {build.dockerfile}, but no stage that runs go declares "
                       f"ARG {arg.name}, so BuildKit drops the value without a warning")
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
                related=[(target.source, stages[0].span, "this stage runs go")],
            )


def _passed_value(arg, env) -> str | None:
    """The value a build arg passes, when we can read it: written (`NAME=value`), or taken from
    the job's environment (a bare `NAME`, §9.3)."""
    if arg.value is not None:
        return None if arg.dynamic else arg.value
    return setting_value(env.get(arg.name))


@rule("GP106", kinds=CI_KINDS)
def go_env_w_in_another_job(doc: Document, project):
    runs = go_runs(doc, project)
    for scope in doc.scopes:
        # event order, not offsets: a job's lines can come from several files (include, extends)
        order = {id(e): i for i, e in enumerate(scope.events)}
        writes = [e for e in scope.events if isinstance(e, Setting) and e.how == "go-env-w"]
        for write in writes:
            later = [r for r in runs if r.scope is scope and order[id(r.command)] > order[id(write)]]
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


@rule("GP107", kinds=CI_KINDS)
def loopback_in_ci(doc: Document, project):
    reported: set[int] = set()
    # go in a container job: loopback is the container (§12.4)
    for run in go_runs(doc, project):
        if run.scope.container is None or not run.reaches_proxy:
            continue
        for name in LOOPBACK_VARIABLES:
            setting = run.env.effective(name)
            value = setting_value(setting)
            if value and id(setting) not in reported and (found := _loopback(value, name)):
                reported.add(id(setting))
                yield _loopback_diagnostic(
                    doc, setting, *found,
                    where=f"job `{run.scope.name}` runs its steps in container {run.scope.container}, where "
                          "loopback is that container, not the runner; use the service's name as host name",
                    fixable=False)
    # a loopback value passed into an image build (§11.1, §13.8)
    for scope, build, env in _builds(doc):
        if build.network_host:
            continue
        for arg in build.build_args:
            if arg.name not in LOOPBACK_VARIABLES:
                continue
            if arg.value is not None:
                value = None if arg.dynamic else arg.value
                if value and (found := _loopback(value, arg.name)):
                    yield Diagnostic(
                        "GP107", arg.source, arg.span,
                        f"--build-arg {arg.name} points at `{found[0]}`, but RUN executes in the build "
                        "container's own network namespace, where loopback is the container itself; build with "
                        "`--network host` or use a host name the build can reach",
                        stmt=build.stmt, key=f"job:{scope.name}:build-arg:{arg.name}")
                continue
            setting = env.get(arg.name)
            value = setting_value(setting)
            if value and id(setting) not in reported and (found := _loopback(value, arg.name)):
                reported.add(id(setting))
                yield _loopback_diagnostic(
                    doc, setting, *found,
                    where=f"it is passed into `{build.tool}`, whose RUN steps have their own network namespace, "
                          "where loopback is the build container; build with `--network host` or use a host "
                          "name the build can reach")
