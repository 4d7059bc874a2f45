"""GP101 goproxy-unset-in-stage: see GP101.md beside this module."""
from __future__ import annotations

from ..baseimage import hint
from ..diagnostic import Diagnostic, Fix
from ..kinds import DOCKERFILE
from ..model import Document, StartupFileWrite
from ..rulekit.dockerfile_edits import arg_line, insert_after_from
from ..rulekit.stage_reach import build_setters, global_arg, passed_refusal, setters, uncovered_runs, unrelated
from ..rulekit.value_verdicts import copy_refusal, options_of

CODE = "GP101"
KINDS = (DOCKERFILE,)


def _goproxy_arg(doc: Document, project) -> tuple[str, str]:
    """`ARG GOPROXY` (safe: nothing changes until a build arg is passed), or with the
    organisation's required-proxy as its default (unsafe: downloads move there)."""
    required = options_of(project).get("required_proxy")
    if required and not copy_refusal("GOPROXY", required, options_of(project)):
        return f"{arg_line(doc, 'GOPROXY')}={required}", "unsafe"
    return arg_line(doc, "GOPROXY"), "safe"


def check(doc: Document, project):
    gaps = uncovered_runs(doc, project, "GOPROXY")
    for index, run in gaps.items():
        scope = doc.scopes[index]
        if global_arg(doc, "GOPROXY") is not None:
            continue  # GP102 explains it
        if any(unrelated(scope, other) for other, _ in build_setters(doc, "GOPROXY")):
            continue  # GP103 explains it
        if any(unrelated(scope, other) for other, _ in setters(doc, "GOPROXY", "go-env-w")):
            continue  # GP106 explains it: `go env -w` in a stage this one does not derive from
        if _profile_write_before(scope, run.command.span.start):
            continue  # GP108 explains it: GOPROXY went into a shell start-up file no RUN reads
        cmd = run.command.label
        line, applicability = _goproxy_arg(doc, project)
        message = (f"`{cmd}` in stage `{scope.name}` may download modules, but no GOPROXY is in scope: "
                   "RUN does not inherit the host's environment and GOPROXY is not a predefined build arg, "
                   "so this build can never be pointed at a proxy" + hint(scope, "GOPROXY"))
        refusal = passed_refusal(doc, project, "GOPROXY")
        if refusal:
            message += f"; no fix: declaring it would let a CI build's value in ({refusal})"
        yield Diagnostic(
            "GP101", doc.source, run.command.span, message,
            fix=None if refusal else Fix(applicability, f"Insert `{line}` after the stage's FROM",
                                         [insert_after_from(doc, scope, line)]),
            stmt=run.command.stmt, key=f"stage:{scope.name}:GOPROXY",
        )


def _profile_write_before(scope, offset: int) -> bool:
    return any(isinstance(e, StartupFileWrite) and e.span.start < offset and
               any(s.name == "GOPROXY" for s in e.settings) for stage in scope.lineage() for e in stage.events)
