"""GP109 go-variable-from-undeclared: see GP109.md beside this module."""
from __future__ import annotations

import re

from ..analysis import values_passed_to
from ..baseimage import is_official, normalised, repository
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import DOCKERFILE
from ..lazy_regex import lazy
from ..model import Document, Scope, Setting, walk
from ..rulekit.dockerfile_edits import instruction_of, keyword_case
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics import goenv

CODE = "GP109"
KINDS = (DOCKERFILE,)

# The ENV the official golang images bake in (docker-library/golang, §26.4); nothing else is
# defined in a stage rooted there until the Dockerfile defines it.
GOLANG_IMAGE_ENV = frozenset({"PATH", "GOPATH", "GOLANG_VERSION", "GOTOOLCHAIN"})
# BuildKit's predefined proxy args need no ARG line (§8.5); compared without regard to case.
PREDEFINED = frozenset({"HTTP_PROXY", "HTTPS_PROXY", "FTP_PROXY", "NO_PROXY", "ALL_PROXY"})
# What a RUN's shell has without the Dockerfile defining it: the process environment the
# builder gives it and the shell's own parameters (§26.3).
SHELL_DEFINED = frozenset({"HOME", "HOSTNAME", "PATH", "PWD", "OLDPWD", "SHLVL", "IFS", "PPID", "UID", "EUID",
                           "RANDOM", "LINENO", "SECONDS", "BASH", "BASH_VERSION", "SHELL", "TERM", "USER",
                           "LOGNAME", "OPTIND", "OPTARG", "PS1", "PS2", "PS4", "_"})
# Builtins and keywords that may define a variable the lowering does not see: a RUN that uses one
# is not judged (`. ./env.sh`, `read PROXY`, `for PROXY in …`, `eval "$(…)"`).
_OPAQUE_DEFINERS = lazy(
    r"(?:^|[\s;&|(`{])(?:\.|source|eval|read|declare|typeset|local|readonly|getopts|mapfile|readarray|for|select"
    r"|set\s+-[a-z]*a|printf\s+-v)(?=[\s;&|)])")
# builder-expanded settings, and the RUN-local ones the shell expands (§9.6)
BUILDER_HOW = ("env", "arg")
SHELL_HOW = ("inline", "export", "shell")


def check(doc: Document, project):
    options = options_of(project)
    for scope in doc.scopes:
        if not any(_expands(event) for event in scope.events):
            continue  # (most stages: no Go variable set from a reference, no environment to replay)
        if not _root_env_known(scope):
            continue  # an unknown base image may define the variable in its own ENV
        for event, env in walk(scope):
            if not isinstance(event, Setting) or not _expands(event):
                continue
            run_text = _run_text(doc, event) if event.how in SHELL_HOW else ""
            if event.how in SHELL_HOW and _OPAQUE_DEFINERS.search(run_text):
                continue
            defined = _defined(doc, scope, event, env, run_text)
            for name in plain_references(event.raw_value, builder=event.how in BUILDER_HOW):
                if name in defined or name.upper() in PREDEFINED:
                    continue
                yield _finding(doc, project, scope, event, name, options)
                break  # one finding per setting: the fix declares the first name, the next pass the rest


def _expands(event) -> bool:
    """A Go variable set, by the builder or the shell, from a value that references others."""
    return isinstance(event, Setting) and event.name in goenv.GO_VARIABLES \
        and event.how in BUILDER_HOW + SHELL_HOW and "$" in event.raw_value


def _root_env_known(scope: Scope) -> bool:
    """The stage's lineage starts at an official golang image, whose ENV is known (§26.4)."""
    root = list(scope.lineage())[-1]
    image = root.base_image
    if image is None and root.base_image_span is not None:
        # `FROM golang:${GO_VERSION}`: the tag is unknown, the repository is not
        written = root.source.text[root.base_image_span.start:root.base_image_span.end]
        name = re.split(r"[:@]", written, maxsplit=1)[0]
        image = None if "$" in name else name
    if image is None:
        return False
    return is_official(image) and repository(normalised(image)) == "docker.io/library/golang"


def _defined(doc: Document, scope: Scope, setting: Setting, env, run_text: str) -> set[str]:
    """Every name the expansion of `setting` can see (§26.2, §26.3)."""
    defined = set(GOLANG_IMAGE_ENV)
    root = list(scope.lineage())[-1]
    defined.update(root.image_env)  # [tool.gplint.base-image-env]: the configuration says it sets these
    defined.update(env.args)  # ARG with or without a value: a --build-arg may give it one
    defined.update(env.envs)
    if setting.how in SHELL_HOW:
        defined.update(env.local)
        defined |= SHELL_DEFINED
        defined.update(_secret_env_names(doc, setting))
        # earlier assignments of the same shell (`PROXY=x; export GOPROXY=$PROXY`), and earlier
        # prefixes of the same command: `A=x GOPROXY=$A go …` assigns left to right (§26.3)
        for other in scope.events:
            if other is setting:
                break
            if isinstance(other, Setting) and other.stmt == setting.stmt and other.how in SHELL_HOW + ("go-env-w",):
                defined.add(other.name)
    return defined


def _run_text(doc: Document, setting: Setting) -> str:
    inst = instruction_of(doc, setting.stmt)
    return doc.source.text[inst.rest_start:inst.end] if inst is not None else ""


def _secret_env_names(doc: Document, setting: Setting) -> set[str]:
    """`RUN --mount=type=secret,id=…,env=NAME` puts NAME into that RUN's environment (§9.5)."""
    from ..formats.dockerfile_syntax import parse_mount

    inst = instruction_of(doc, setting.stmt)
    names: set[str] = set()
    for mount in inst.mounts if inst is not None else ():
        opts = parse_mount(mount.value)
        if opts.get("type") == "secret" and opts.get("env"):
            names.add(opts["env"])
    return names


_REFERENCE = lazy(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def plain_references(raw: str, builder: bool) -> list[str]:
    """Names referenced as `$NAME` or `${NAME}` (not `${NAME:-default}` and the like, which say what
    an unset NAME gives), outside single quotes and not escaped, in order."""
    names: list[str] = []
    i, n = 0, len(raw)
    quote = ""
    while i < n:
        c = raw[i]
        if quote == "'":
            quote = "" if c == "'" else quote
            i += 1
            continue
        if c == "\\" and i + 1 < n:
            i += 2
            continue
        if c == '"':
            quote = "" if quote == '"' else '"'
        elif c == "'" and not quote:
            quote = "'"
        elif c == "$":
            m = _REFERENCE.match(raw, i)
            if m:
                name = m.group(1) or m.group(2)
                if name not in names:
                    names.append(name)
                i = m.end()
                continue
        i += 1
    return names


def _expanded(raw: str, missing: str) -> str | None:
    """The value with `missing` expanded to nothing (other references unknown: None)."""
    from ..formats.dockerfile_syntax import UNKNOWN, substitute

    value, dynamic = substitute(raw, lambda name: None if name == missing else UNKNOWN)
    return None if dynamic else value


def _finding(doc: Document, project, scope: Scope, setting: Setting, name: str, options: dict) -> Diagnostic:
    value = _expanded(setting.raw_value, name)
    if value == "":
        meaning = ("an empty value, which go treats as unset: it uses its default"
                   + (" (proxy.golang.org)" if setting.name == "GOPROXY" else ""))
    elif value is not None:
        meaning = f"`{value}`"
    else:
        meaning = f"a value without `{name}`'s part"
    where = ("the builder expands it" if setting.how in BUILDER_HOW else "the RUN's shell expands it")
    glob = next((s for s in doc.global_settings if s.name == name), None)
    why = (f"`{name}` is declared only before the first FROM, and a stage sees a global ARG only when it "
           f"re-declares it (§8.1)" if glob is not None else
           f"`{name}` is neither an ARG nor an ENV of stage `{scope.name}` or its ancestors, nor a predefined arg")
    message = f"{setting.name} is set from `${name}`, but {why}; {where} to {meaning}"
    line = f"{keyword_case(doc, 'ARG')} {name}"
    refusal = _fix_refusal(doc, project, setting, name, glob, options)
    if refusal:
        message += f"; no fix: declaring it would let in a value a rule reports ({refusal})"
    fix = None if refusal else Fix("unsafe", f"Declare `{line}` before this instruction",
                                   [_insert_before(doc, setting, line)])
    return Diagnostic(CODE, doc.source, setting.value_span or setting.span, message, fix=fix, stmt=setting.stmt,
                      key=f"stage:{scope.name}:{setting.name}:{name}")


def _fix_refusal(doc: Document, project, setting: Setting, name: str, glob: Setting | None,
                 options: dict) -> str | None:
    """Declaring ARG NAME lets in the global default and every value CI builds pass for it: never
    when the Go variable would then hold a value a rule reports."""
    from ..formats.dockerfile_syntax import UNKNOWN, substitute

    candidates: list[str | None] = list(values_passed_to(project, doc, name))
    if glob is not None and not glob.dynamic:
        candidates.append(glob.value)
    for candidate in candidates:
        if candidate is None:
            continue
        value, dynamic = substitute(setting.raw_value, lambda n: candidate if n == name else UNKNOWN)
        refusal = None if dynamic else copy_refusal(setting.name, value, options)
        if refusal:
            return refusal
    return None


def _insert_before(doc: Document, setting: Setting, line: str) -> Edit:
    source = doc.source
    at = source.text.rfind("\n", 0, setting.stmt.start) + 1
    return Edit.insert(source, at, line + source.newline)
