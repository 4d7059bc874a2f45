"""GP108 goproxy-in-shell-profile: see GP108.md beside this module."""
from __future__ import annotations

import re

from ..analysis import go_runs
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import ACTION, DOCKERFILE, GITHUB, GITLAB
from ..lazy_regex import lazy
from ..model import Document, GoCommand, Scope, StartupFileRead, StartupFileWrite
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics.shell_startup import INTERACTIVE, LOGIN, PAM

CODE = "GP108"
KINDS = (DOCKERFILE, GITHUB, ACTION, GITLAB)

# `shell: bash -l {0}` / `--login` anywhere in a workflow: its steps may read the profile (§25.4)
_GITHUB_LOGIN_SHELL = lazy(r"^\s*shell:\s*['\"]?\S*(?:bash|sh)\b[^\n]*(?:\s--login\b|\s-[A-Za-z]*l[A-Za-z]*\b)",
                                 re.M)
# variables that make a non-interactive shell read a file (bash's BASH_ENV, a POSIX shell's ENV
# only when interactive; either is a sign the author arranged the reading, §25.1)
_READER_VARIABLES = ("BASH_ENV", "ENV")
_PLAIN_VALUE = lazy(r"[A-Za-z0-9_.,:/@%+=|*-]*")


def check(doc: Document, project):
    if not any(isinstance(e, StartupFileWrite) for scope in doc.scopes for e in scope.events):
        return  # the common case, in one pass: no scope replays its ancestors' events
    runs = {id(run.command): run for run in go_runs(doc, project)}
    github_login = doc.source.kind in (GITHUB, ACTION) and _GITHUB_LOGIN_SHELL.search(doc.source.text) is not None
    reported: set[int] = set()
    for scope in doc.scopes:
        for write, command, names in _unread(scope, runs, github_login):
            if id(write) in reported:
                continue
            reported.add(id(write))
            yield _finding(doc, project, scope, write, command, names)


def _unread(scope: Scope, runs: dict, github_login: bool):
    """(write, first go command of this scope that needs what it wrote, the names it needs)."""
    lineage = list(scope.lineage())
    events = [e for stage in reversed(lineage) for e in stage.events]
    own = {id(e) for e in scope.events}
    pending: list[StartupFileWrite] = []
    reads: list[StartupFileRead] = []
    login_shell = False  # SHELL ["/bin/bash", "-lc"] in effect
    for event in events:
        if isinstance(event, StartupFileRead):
            if event.persistent:
                login_shell = event.login or event.interactive
            else:
                reads.append(event)
        elif isinstance(event, StartupFileWrite):
            pending.append(event)
        elif isinstance(event, GoCommand) and id(event) in own and pending:
            run = runs.get(id(event))
            if run is None or not run.reaches_proxy:
                continue
            if any(run.env.get(name) is not None for name in _READER_VARIABLES):
                continue
            for write in pending:
                names = [s.name for s in write.settings
                         if run.env.effective(s.name) is None and not _go_default(s.name, s.value)]
                if names and not _read_before(write, event, reads, scope, login_shell, github_login):
                    yield write, event, names


# Values that change nothing when go never sees them: what go uses anyway (§1.17, §4.1, §5.3)
_GO_DEFAULTS = {"GO111MODULE": ("on", ""), "GOPROXY": ("https://proxy.golang.org,direct",),
                "GOSUMDB": ("sum.golang.org",)}


def _go_default(name: str, value: str | None) -> bool:
    return value is not None and value in _GO_DEFAULTS.get(name, ())


def _read_before(write: StartupFileWrite, command: GoCommand, reads: list[StartupFileRead], scope: Scope,
                 login_shell: bool, github_login: bool) -> bool:
    """Whether the shell that runs `command` reads what `write` wrote (§25)."""
    same_shell = scope.one_shell or write.stmt == command.stmt
    for read in reads:
        if not (write.span.end <= read.span.start <= command.span.start):
            continue
        if read.path:  # `. FILE` in the go command's own shell, after the write
            if (same_shell or read.stmt == command.stmt) and (write.kind != PAM or read.path == write.path):
                return True
        elif read.span.start <= command.span.start and command.span.end <= read.span.end:
            # a shell started after the write, around the go command: `bash -lc 'go build'`, `su -`
            if read.pam or (read.login and write.kind in (LOGIN, INTERACTIVE)) or \
                    (read.interactive and write.kind == INTERACTIVE):
                return True
    if not same_shell and write.kind != PAM:
        # a later RUN or step starts a new shell: a login one reads the profile
        if login_shell or github_login:
            return True
    return False


def _finding(doc: Document, project, scope: Scope, write: StartupFileWrite, command: GoCommand,
             names: list[str]) -> Diagnostic:
    listed = ", ".join(names)
    kind = doc.source.kind
    if write.kind == PAM:
        why = "/etc/environment is read only by PAM logins (pam_env), never by a shell"
    elif kind == DOCKERFILE:
        why = ("every RUN runs `/bin/sh -c`, a non-login, non-interactive shell that reads no start-up file"
               if write.stmt != command.stmt else
               "the RUN's shell started before the write and does not read the file")
    elif kind in (GITHUB, ACTION):
        why = ("each step runs a new `bash -e {0}` (or `bash --noprofile --norc -eo pipefail {0}`), "
               "which reads no start-up file" if write.stmt != command.stmt else
               "the step's shell started before the write and does not read the file")
    else:
        why = "the job's script runs in one shell, which started before the write and does not read the file"
    where = {DOCKERFILE: "ENV", GITHUB: "the job's `env:`", ACTION: "the step's `env:`",
             GITLAB: "the job's `variables:`"}[kind]
    message = (f"{listed} written to `{write.path}` never reaches `{command.label}`: {why}; "
               f"so go runs without {'it' if len(names) == 1 else 'them'}. Set {listed} with {where} instead")
    fix = _env_fix(doc, project, write, names) if kind == DOCKERFILE else None
    return Diagnostic(CODE, doc.source, write.span, message, fix=fix, stmt=write.stmt,
                      key=f"{scope.kind}:{scope.name}:{write.path}:{listed}",
                      related=[(doc.source, command.span, "this go command does not see it")])


def _env_fix(doc: Document, project, write: StartupFileWrite, names: list[str]) -> Fix | None:
    """ENV NAME=value before the RUN that writes the profile: every later go command sees it."""
    from ..rulekit.dockerfile_edits import keyword_case

    options = options_of(project)
    lines = []
    for setting in write.settings:
        if setting.name not in names:
            continue
        value = setting.value
        if setting.dynamic or value is None or not _PLAIN_VALUE.fullmatch(value):
            return None  # a reference or a value that needs quoting: say so, copy nothing
        if copy_refusal(setting.name, value, options):
            return None
        lines.append(f"{keyword_case(doc, 'ENV')} {setting.name}={value}")
    if not lines:
        return None
    source = doc.source
    at = source.text.rfind("\n", 0, write.stmt.start) + 1
    edit = Edit.insert(source, at, source.newline.join(lines) + source.newline)
    return Fix("unsafe", f"Set {', '.join(names)} with ENV before this RUN", [edit])
