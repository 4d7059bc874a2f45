"""GP305 module-credentials-in-layer: see GP305.md beside this module.

Flow-based, not name-based: a value is a credential because of where it goes (a git URL's
userinfo, `url.<base>.insteadOf`, `http.extraHeader`, a .netrc or .git-credentials file, a
proxy URL's userinfo, a GOAUTH command line), whatever the variable is called.
"""
from __future__ import annotations

import posixpath

from ..analysis import values_passed_to
from ..diagnostic import Diagnostic
from ..kinds import ACTION, DOCKERFILE, GITHUB, GITLAB
from ..lazy_regex import lazy
from ..model import Document, Scope, Setting
from ..semantics import goenv
from ..source import Span

TYPE_CHECKING = False  # true for type checkers only: the Dockerfile parser is imported when a rule runs
if TYPE_CHECKING:
    from ..formats.dockerfile_syntax import Instruction

CODE = "GP305"
KINDS = (DOCKERFILE, GITHUB, ACTION, GITLAB)

CREDENTIAL_FILES = {".netrc", "_netrc", ".git-credentials"}
_WRITE_OPS = (">", ">>", ">|", "&>", "&>>")
_REF = lazy(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))")
_USERINFO = lazy(r"[A-Za-z][A-Za-z0-9+.-]*://([^/@\s\"']*)@")
_SECRETS_DIR = "/run/secrets/"
SECRET_FORM = ("RUN --mount=type=secret,id=netrc,target=/root/.netrc go mod download, built with "
               "`docker build --secret id=netrc,src=$HOME/.netrc` (docker/build-push-action: the `secrets:` "
               "input), or a GOAUTH command (Go 1.24+)")


class _Sink:
    __slots__ = ("what", "span", "names", "persists_in")

    def __init__(self, what: str, span: Span, names: list[str], persists_in: str | None):
        self.what = what  # how the value is used, for the message
        self.span = span  # the text that carries the value
        self.names = names  # the variables it references
        self.persists_in = persists_in  # the file it is written to (None: used, not stored)


def check(doc: Document, project):
    if doc.source.kind == DOCKERFILE:
        yield from (diagnostic for _name, _sink, diagnostic in _dockerfile_findings(doc, project))
    else:
        yield from _ci_findings(doc, project)


def _ci_findings(doc: Document, project):
    """`--build-arg GH_PAT=…` / a `build-args` line that passes a value the Dockerfile it builds
    uses as a credential (§27.1): the CI side of the same leak, reported where the value is passed."""
    from ..rulekit.ci_builds import builds

    if project is None:
        return
    credentials: dict[str, dict[str, str]] = {}  # Dockerfile -> ARG name -> what it reaches
    for scope, build, _env in builds(doc):
        if not build.dockerfile or not build.build_args:
            continue
        if build.dockerfile not in credentials:
            target = project.document(build.dockerfile)
            found: dict[str, str] = {}
            for name, sink, _d in (_dockerfile_findings(target, None) if target is not None else ()):
                if name is not None:
                    found.setdefault(name, sink.what)
            credentials[build.dockerfile] = found
        for arg in build.build_args:
            what = credentials[build.dockerfile].get(arg.name)
            if what is None:
                continue
            secret_id = arg.name.lower()
            yield Diagnostic(
                CODE, arg.source, arg.span,
                f"build arg `{arg.name}` goes to {build.dockerfile}, where it reaches {what}: a credential, and "
                "build args are recorded in the image history and max-mode provenance; pass it as a "
                f"secret instead (`--secret id={secret_id},env={arg.name}`, or build-push-action's `secrets:` "
                f"input `{secret_id}=…`) and read it with `RUN --mount=type=secret,id={secret_id},env={arg.name}`",
                stmt=build.stmt, key=f"job:{scope.name}:build:{build.dockerfile}:{arg.name}:credential")


def _dockerfile_findings(doc: Document, project):
    """(ARG/ENV name or None, sink, diagnostic) for every credential flow of a Dockerfile."""
    from ..formats.dockerfile import parsed_of, run_commands
    from ..formats.dockerfile_syntax import parse_mount

    parsed = parsed_of(doc)
    if parsed is None or not doc.scopes:
        return
    text = doc.source.text
    stages = _stage_of_instructions(doc, parsed)
    for inst, scope in stages:
        if inst.keyword not in ("ENV", "RUN") or not _may_sink(text[inst.rest_start:inst.end].lower(), bool(inst.mounts)):
            continue  # cheap first: most instructions carry no URL, git, netrc or GOAUTH
        if inst.keyword == "ENV":
            yield from _env_findings(doc, project, scope, inst)
            continue
        declared = _declared_before(scope, inst.start)
        secret_envs, secret_paths = set(), [_SECRETS_DIR]
        for mount in inst.mounts:
            opts = parse_mount(mount.value)
            if opts.get("type") == "secret":
                if opts.get("env"):
                    secret_envs.add(opts["env"])
                target = opts.get("target") or opts.get("dst") or opts.get("destination")
                if target:
                    secret_paths.append(target)
        commands = run_commands(parsed, inst, text)
        stmt = Span(inst.start, inst.end)
        sinks = list(_sinks(text, commands))
        reported: set[str] = set()
        for index, sink in sinks:
            build_values = [n for n in sink.names if n in declared and n not in secret_envs]
            if build_values:
                name = build_values[0]
                if name in reported:
                    continue
                reported.add(name)
                yield name, sink, _history_finding(doc, project, scope, declared[name], name, sink, stmt)
                continue
            from_secret = [n for n in sink.names if n in secret_envs] or (
                ["a secret file"] if any(p in text[sink.span.start:sink.span.end] for p in secret_paths) else [])
            if from_secret and sink.persists_in and not _removed_later(commands[index + 1:], sink.persists_in):
                yield None, sink, Diagnostic(
                    CODE, doc.source, sink.span,
                    f"a build secret is copied into {sink.persists_in} by {sink.what} and the file is not removed "
                    "in the same RUN, so the credential stays in this image layer; use the secret where it is "
                    f"mounted instead: {SECRET_FORM}",
                    stmt=stmt, key=f"stage:{scope.name}:secret-copied:{sink.persists_in}")


def _removed_later(commands: list, persists_in: str) -> bool:
    """A later command of the same RUN deletes the file (`rm ~/.netrc`) or the git setting
    (`git config --global --unset …`, `--remove-section`)."""
    base = posixpath.basename(persists_in)
    for cmd in commands:
        words = [w.value for w in cmd.argv]
        program = words[0].rpartition("/")[2] if words else ""
        if program == "rm" and any(posixpath.basename(w) == base for w in words[1:] if not w.startswith("-")):
            return True
        if program == "git" and "config" in words and base not in CREDENTIAL_FILES and any(
                w in ("--unset", "--unset-all", "--remove-section") for w in words):
            return True
    return False


def _may_sink(lowered: str, mounts: bool) -> bool:
    """A credential flow needs a sink word and a value that comes from somewhere: a variable
    reference (an ARG, an ENV), a mount (a secret's file or `env=`), or a path under
    /run/secrets (a literal in the text is GP302's)."""
    if "$" not in lowered and "secret" not in lowered and not mounts:
        return False
    return any(w in lowered for w in ("git", "netrc", "credentials", "goauth", "proxy", "@"))


def _stage_of_instructions(doc: Document, parsed) -> list[tuple[Instruction, Scope]]:
    """Each instruction after the first FROM with the stage it belongs to."""
    out = []
    index = -1
    for inst in parsed.instructions:
        if inst.keyword == "FROM":
            index += 1
            continue
        if 0 <= index < len(doc.scopes):
            out.append((inst, doc.scopes[index]))
    return out


def _declared_before(scope: Scope, at: int) -> dict[str, Setting]:
    """The ARG and ENV names a RUN at offset `at` sees from the Dockerfile (the stage's own before
    it, and every one of its ancestors), with the setting that declares each."""
    found: dict[str, Setting] = {}
    for stage in reversed(list(scope.lineage())):
        for event in stage.events:
            if isinstance(event, Setting) and event.how in ("arg", "env"):
                if stage is scope and event.span.start >= at:
                    break
                found[event.name] = event
    return found


def _refs(raw: str) -> list[str]:
    """Names a shell word expands (`$X`, `${X}`, `${X:-…}`), outside single quotes."""
    names: list[str] = []
    quote = ""
    i = 0
    while i < len(raw):
        c = raw[i]
        if quote == "'":
            quote = "" if c == "'" else quote
        elif c == "\\":
            i += 1
        elif c == '"':
            quote = "" if quote else '"'
        elif c == "'":
            quote = "'"
        elif c == "$":
            m = _REF.match(raw, i)
            if m:
                names.append(m.group(1) or m.group(2))
                i = m.end()
                continue
        i += 1
    return names


def _userinfo_refs(raw: str) -> list[str]:
    """Names expanded inside a URL's `user:password@` part."""
    names: list[str] = []
    for m in _USERINFO.finditer(raw):
        names.extend(_refs(m.group(1)))
    return names


def _sinks(text: str, commands: list):
    """(command index, sink) for every place a RUN puts a value where credentials go."""
    for index, cmd in enumerate(commands):
        argv = cmd.argv
        raw_words = [text[w.start:w.end] for w in argv]
        program = argv[0].value.rpartition("/")[2] if argv else ""
        # a file written by a redirection: echo/printf words and heredoc bodies
        for redirect in cmd.redirects + cmd.group_redirects:
            target = redirect.target
            if redirect.op not in _WRITE_OPS or target is None:
                continue
            base = posixpath.basename(target.value)
            if base in CREDENTIAL_FILES:
                bodies = [r.heredoc_body for r in cmd.redirects if r.heredoc_body is not None]
                carried = [(w.start, w.end) for w in argv[1:]] + [(b.start, b.end) for b in bodies]
                for start, end in carried:
                    names = _refs(text[start:end]) if not _quoted_heredoc(text, cmd, start) else []
                    if names or _SECRETS_DIR in text[start:end]:
                        yield index, _Sink(f"a write to `{target.value}`", Span(start, end), names, base)
        if program == "tee" and any(posixpath.basename(w.value) in CREDENTIAL_FILES for w in argv[1:]):
            target = next(w for w in argv[1:] if posixpath.basename(w.value) in CREDENTIAL_FILES)
            for r in cmd.redirects:
                if r.heredoc_body is not None and _refs(text[r.heredoc_body.start:r.heredoc_body.end]):
                    yield index, _Sink(f"a write to `{target.value}`", Span(r.heredoc_body.start, r.heredoc_body.end),
                                       _refs(text[r.heredoc_body.start:r.heredoc_body.end]),
                                       posixpath.basename(target.value))
        if program in ("cp", "install") and len(argv) >= 3 and \
                posixpath.basename(argv[-1].value) in CREDENTIAL_FILES:
            # `cp /run/secrets/netrc ~/.netrc`: the copy stays in the layer
            yield index, _Sink(f"a copy to `{argv[-1].value}`", Span(argv[1].start, argv[-1].end), [],
                               posixpath.basename(argv[-1].value))
        if program == "git":
            yield from ((index, s) for s in _git_sinks(argv, raw_words))
        if program in ("go", "git") and (program == "go" or _git_subcommand(argv) not in ("config", None)):
            for word, raw in zip(argv[1:], raw_words[1:]):
                names = _userinfo_refs(raw)
                if names:
                    yield index, _Sink(f"a URL's user:password given to `{program}`", Span(word.start, word.end),
                                       names, _url_kept_in(program, argv))
        for a in cmd.assignments:
            yield from ((index, s) for s in _setting_sinks(a.name, text[a.value.start:a.value.end],
                                                            Span(a.value.start, a.value.end)))
        if program == "export":
            for word, raw in zip(argv[1:], raw_words[1:]):
                name, eq, value = raw.partition("=")
                if eq:
                    vstart = word.start + len(name) + 1
                    yield from ((index, s) for s in _setting_sinks(name, value, Span(vstart, word.end)))


def _git_subcommand(argv: list) -> str | None:
    """`git [-C dir] [-c k=v] clone …` -> clone."""
    words = [w.value for w in argv[1:]]
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in ("-C", "-c", "--git-dir", "--work-tree") else 1
    return words[i] if i < len(words) else None


def _url_kept_in(program: str, argv: list) -> str | None:
    """Where a URL given to git or go is stored: a clone's and a remote's URL in .git/config, a
    `go env -w` value in the go env file; a fetch or a download keeps nothing."""
    if program == "git":
        return ".git/config" if _git_subcommand(argv) in ("clone", "remote", "submodule") else None
    return "the go env file" if "-w" in [w.value for w in argv] else None


def _quoted_heredoc(text: str, cmd, start: int) -> bool:
    """A heredoc whose delimiter is quoted (`<<'EOF'`) is not expanded."""
    for r in cmd.redirects:
        if r.heredoc_body is not None and r.heredoc_body.start == start and r.target is not None:
            return r.target.quoted
    return False


def _git_sinks(argv: list, raw_words: list[str]):
    """`git config [--global|--system|--file F] url.<base>.insteadOf X` and `http[.<url>].extraHeader V`:
    the value lands in that git config file."""
    words = [w.value for w in argv]
    if _git_subcommand(argv) != "config":
        return
    if any(w.startswith(("--unset", "--remove-section", "--get", "--list", "-l")) for w in words):
        return  # reads or removes a setting, writes nothing
    where = "~/.gitconfig" if "--global" in words else "/etc/gitconfig" if "--system" in words else "the git config"
    for k, word in enumerate(words):
        if "--file" == word and k + 1 < len(words):
            where = words[k + 1]
        if word.startswith("--file="):
            where = word[len("--file="):]
    for k, word in enumerate(words):
        lowered = word.lower()
        if lowered.startswith("url.") and lowered.endswith(".insteadof"):
            names = _userinfo_refs(raw_words[k])
            if names:
                yield _Sink(f"`git config {word.split('.')[0]}.….insteadOf`", Span(argv[k].start, argv[k].end),
                            names, where)
        elif lowered.startswith("http.") and lowered.endswith(".extraheader") and k + 1 < len(words):
            names = _refs(raw_words[k + 1])
            if names:
                yield _Sink("`git config http.extraHeader`", Span(argv[k + 1].start, argv[k + 1].end), names, where)


def _setting_sinks(name: str, raw: str, span: Span):
    """`GOPROXY=https://user:$TOKEN@…` and `GOAUTH=…$TOKEN…` in a RUN."""
    if name in goenv.PROXY_URL_VARIABLES or name in ("GOPRIVATE", "GONOSUMDB"):
        names = _userinfo_refs(raw)
        if names:
            yield _Sink(f"the user:password of {name}'s URL", span, names, None)
    elif name == "GOAUTH":
        names = _refs(raw)
        if names:
            yield _Sink("a GOAUTH command line", span, names, None)


def _env_findings(doc: Document, project, scope: Scope, inst):
    """`ENV GOPROXY=https://user:${TOKEN}@…`: the expanded value is stored in the image config."""
    stmt = Span(inst.start, inst.end)
    declared = _declared_before(scope, inst.start)
    for event in scope.events:
        if not (isinstance(event, Setting) and event.how == "env" and event.stmt == stmt):
            continue
        span = event.value_span or event.span
        for sink in _setting_sinks(event.name, event.raw_value, span):
            name = next((n for n in sink.names if n in declared), None)
            if name is not None:
                yield name, sink, _history_finding(doc, project, scope, declared[name], name, sink, stmt,
                                                   env=event.name)


def _history_finding(doc: Document, project, scope: Scope, declaration: Setting, name: str, sink: _Sink,
                     stmt: Span, env: str | None = None) -> Diagnostic:
    kind = "ARG" if declaration.how == "arg" else "ENV"
    parts = [f"{kind} `{name}` reaches {sink.what}, so it is a credential"]
    final = doc.scopes[-1].derives_from(scope)
    image = "the image" if final else f"stage `{scope.name}` (which `--target`, a pushed build cache or a saved image keep)"
    if kind == "ARG":
        history = "the image history (`docker history`)" if final else f"the history of {image}"
        parts.append(f"build args a RUN uses are recorded in {history} and in max-mode provenance, "
                     "whatever the RUN does with them")
    else:
        parts.append(f"an ENV value is stored in the configuration of {image} and of every image built from it")
    if env is not None:
        parts.append(f"and ENV {env} stores it expanded in the image configuration")
    if sink.persists_in:
        parts.append(f"and {sink.persists_in} keeps it in this layer")
    if values_passed_to(project, doc, name):
        parts.append("a CI build of this Dockerfile passes it with --build-arg")
    message = "; ".join(parts) + f". Pass it as a build secret instead: {SECRET_FORM}"
    return Diagnostic(CODE, doc.source, sink.span, message, stmt=stmt,
                      key=f"stage:{scope.name}:{name}:credential",
                      related=[(doc.source, declaration.span, f"{kind} {name} declared here")])
