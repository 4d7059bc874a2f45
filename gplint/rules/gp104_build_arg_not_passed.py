"""GP104 build-arg-not-passed: see GP104.md beside this module."""
from __future__ import annotations

from ..analysis import setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..model import Document, Setting
from ..rulekit.ci_builds import BUILD_KINDS, MAKEFILE, builds, built, declares
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics.goenv import GO_VARIABLES
from ..source import Span

CODE = "GP104"
KINDS = BUILD_KINDS


def _in_scope(env, name: str) -> Setting | None:
    setting = env.get(name)
    if setting is None or (not setting.dynamic and not setting.value):
        return None  # an empty value means the default (§2): nothing to pass
    return setting


def check(doc: Document, project):
    yield from _rejected(doc, project)
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
            who = f"job `{scope.name}` has {name} in scope" if scope.source.kind != MAKEFILE else \
                f"`make` has {name} in its recipe's environment (exported by {setting.source.path})"
            through = f" through `{build.via}" if build.via else ""  # `make image` → Makefile:4
            message = (f"{who} and builds {build.dockerfile}{through}, whose stage "
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
                related=list(build.hops),
            )


def _rejected(doc: Document, project):
    """A build arg written so that the tool rejects it never reaches the build: one GoReleaser
    item `--build-arg NAME=value` is one unknown flag to docker (§22.2)."""
    for scope, build, _env in builds(doc):
        for arg in build.unusable_args:
            if arg.name not in GO_VARIABLES:
                continue
            text = arg.source.text[arg.span.start:arg.span.end]
            message = (f"`--build-arg {arg.name}…` is one item of `build_flag_templates`, so docker gets it as one "
                       f"argument and reads the flag `--build-arg {arg.name}`, which it does not know: the build "
                       f"stops and {arg.name} never reaches it; write `--build-arg={arg.name}=…` (one item) or two items")
            refusal = copy_refusal(arg.name, None if arg.dynamic else arg.value, options_of(project))
            fix = None
            gap = _gap_before(arg)
            if refusal:
                message += f"; no fix: that would carry the value into the build ({refusal})"
            elif gap is not None and text.startswith(arg.name):
                fix = Fix("safe", f"Pass {arg.name} as one `--build-arg=` argument", [Edit.replace(arg.source, gap, "=")])
            yield Diagnostic("GP104", arg.source, arg.span, message, fix=fix, stmt=build.stmt,
                             key=f"job:{scope.name}:build-arg-item:{arg.name}")


def _gap_before(arg) -> Span | None:
    """The blanks between `--build-arg` and the name, when the item is written one to one."""
    text = arg.source.text
    end = arg.span.start
    start = end
    while start > 0 and text[start - 1] in " \t":
        start -= 1
    if start == end or text[max(0, start - len("--build-arg")):start] != "--build-arg":
        return None
    return Span(start, end)
