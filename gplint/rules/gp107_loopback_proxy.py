"""GP107 loopback-proxy: see GP107.md beside this module."""
from __future__ import annotations

from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import DOCKERFILE
from ..model import Document, Setting
from ..rulekit.ci_builds import BUILD_KINDS, builds
from ..rulekit.value_settings import value_offset
from ..rulekit.value_verdicts import LOOPBACK_VARIABLES, copy_refusal, loopback as _loopback, options_of
from ..source import Span

CODE = "GP107"
KINDS = (DOCKERFILE, *BUILD_KINDS)


def loopback_in_ci(doc: Document, project):
    reported: set[int] = set()
    # go in a container job: loopback is the container (§12.4)
    for run in go_runs(doc, project):
        if run.scope.container is None or not run.reaches_proxy:
            continue
        for name in LOOPBACK_VARIABLES:
            setting = run.env.effective(name)
            value = setting_value(setting)
            if setting is not None and value and id(setting) not in reported and (found := _loopback(value, name)):
                reported.add(id(setting))
                yield _loopback_diagnostic(
                    doc, setting, *found,
                    where=f"job `{run.scope.name}` runs its steps in container {run.scope.container}, where "
                          "loopback is that container, not the runner; use the service's name as host name",
                    fixable=False)
    # a loopback value passed into an image build (§11.1, §13.8)
    for scope, build, env in builds(doc, project):
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
                through = f" (through `{build.via})" if build.via else ""  # `make image` → Makefile:3
                yield _loopback_diagnostic(
                    doc, setting, *found,
                    where=f"it is passed into `{build.tool}`{through}, whose RUN steps have their own network namespace, "
                          "where loopback is the build container; build with `--network host` or use a host "
                          "name the build can reach")


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
            if setting is None or not value or id(setting) in reported:
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
    value = setting.value or ""
    rewritten = value[:start] + "host.docker.internal" + value[start + len(host):]
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


def check(doc: Document, project):
    if doc.source.kind in BUILD_KINDS:
        yield from loopback_in_ci(doc, project)
    if doc.source.kind == DOCKERFILE:
        yield from loopback_proxy(doc, project)
