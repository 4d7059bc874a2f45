"""The execution model every format is lowered into, and the walk that says what is in scope.

A *scope* is a place where commands run with one environment: a Dockerfile stage, a CI job.
It holds ordered *events*: settings (ARG, ENV, inline ``X=v``, ``export``, ``go env -w``, CI
``env:`` / ``variables:``), go commands, image builds, file copies and identity changes. A
scope may inherit from a parent scope (a stage ``FROM`` another stage). Rules read only this
model; where a fact about Docker or Go decides something it lives here or in semantics/goenv.py.
"""
from __future__ import annotations

from collections.abc import Callable, Iterator

from .records import dataclass, field

TYPE_CHECKING = False  # true for type checkers only: lowering does not import typing or the matcher
if TYPE_CHECKING:
    from .semantics.ignorematch import IgnoreMatcher
from .source import Source, Span


@dataclass(slots=True)
class Setting:
    """One place a variable gets (or loses) a value."""

    name: str
    value: str | None  # literal value once resolved; None when declared without one or unknowable
    span: Span  # the whole NAME=VALUE token (or the NAME of a bare ARG)
    value_span: Span | None  # where the value's text is, to point at and edit it
    how: str  # image | arg | global-arg | env | inline | export | shell | go-env-w | go-env-u | ci-env | github-env | variables | build-arg
    source: Source
    stmt: Span  # the statement (instruction, step, job key) that holds it
    dynamic: bool = False  # the value holds references we could not resolve
    raw_value: str = ""  # the value exactly as written (before substitution)
    default_from: "Setting | None" = None  # ARG NAME re-declared: the global ARG it takes its value from

    @property
    def declared_only(self) -> bool:
        """An ``ARG NAME`` with no default: in scope, but unset unless a build arg is passed."""
        return self.how in ("arg", "global-arg") and self.value is None and not self.dynamic


@dataclass(slots=True)
class GoCommand:
    args: list  # list[shell.Word]: the words after `go`
    span: Span  # from `go` to the end of its last argument
    inline: list[Setting]  # X=v prefixes and `env X=v` of this one command
    source: Source
    stmt: Span
    network_host: bool = False  # RUN --network=host
    # reached through make or a script: the hops before the go command, as "`make build` →
    # Makefile:14" (messages quote the label, so the label closes and reopens the quotes)
    via: str = ""
    hops: list = field(default_factory=list)  # (Source, Span, note) of each hop: related locations

    @property
    def words(self) -> list[str]:
        return [w.value for w in self.args]

    @property
    def label(self) -> str:
        """`go` and its first two words, for messages (a long word is shortened)."""
        own = " ".join(["go"] + [w if len(w) <= 100 else w[:99] + "…" for w in self.words[:2]])
        return f"{self.via} `{own}" if self.via else own


@dataclass(slots=True)
class CopyFrom:
    """Files brought into a stage from the build context (COPY/ADD, RUN --mount=type=bind)."""

    sources: list[str]  # paths relative to the context, as written
    span: Span
    source: Source
    stmt: Span
    whole_context: bool = False
    dest: str = ""
    # the stage's WORKDIR when it ran, where a relative dest lands: "" is the base image's own
    # (unknown, but the same for every later relative path); None when it cannot be resolved
    workdir: str | None = ""


@dataclass(slots=True)
class UserChange:
    """USER, or ENV HOME / XDG_CONFIG_HOME / GOENV: where `go env -w` writes changes."""

    span: Span
    source: Source
    what: str


@dataclass(slots=True)
class BuildArg:
    name: str
    value: str | None  # None when passed as a bare NAME: the builder client takes it from its environment (§9.3)
    span: Span
    source: Source
    dynamic: bool = False


@dataclass(slots=True)
class ImageBuild:
    """`docker build`, `docker buildx build`, `podman build`, `buildah bud`, docker/build-push-action."""

    tool: str
    context: str | None  # repository-relative folder; None when it cannot be resolved in the repository
    dockerfile: str | None  # repository-relative path; None when it cannot be resolved
    build_args: list[BuildArg]
    span: Span
    source: Source
    stmt: Span
    network_host: bool = False
    add_hosts: list[str] = field(default_factory=list)
    # the format's way of passing one more build arg: NAME -> edit (or None when it cannot)
    add_build_arg: Callable[[str], object] | None = None
    opaque_args: bool = False  # arguments we cannot read (`$ARGS`, `${{ … }}`) may pass anything
    passed: list = field(default_factory=list)  # list[Setting]: each NAME=value build arg, as a setting
    # reached through make or a script from a CI job: the hops before the build, as "`make image` →
    # Makefile:4" for messages, and (Source, Span, note) of each hop as related locations
    via: str = ""
    hops: list = field(default_factory=list)
    # build args written so that the tool rejects them (one GoReleaser item `--build-arg NAME=v`)
    unusable_args: list[BuildArg] = field(default_factory=list)
    # args a build definition file passes (bake-action: the bake target's `args`): they count as
    # passed, but the rules judge them in their own file, not again at the step that runs it
    defined_args: list = field(default_factory=list)  # list[BuildArg]

    def __post_init__(self):
        if any("$" in a.name for a in self.build_args):
            self.opaque_args = True
        if not self.passed:
            self.passed = [s for s in map(self._as_setting, self.build_args) if s is not None]

    def _as_setting(self, arg: BuildArg) -> "Setting | None":
        """A value written into a build invocation is a setting like any other, so the value rules
        judge it where it is written, whether or not the Dockerfile declares it (a bare NAME
        passes the environment's value, which is judged where that is set)."""
        if arg.value is None:
            return None
        text = arg.source.text[arg.span.start:arg.span.end]
        exact = text == f"{arg.name}={arg.value}"  # else quoted or escaped: point at it, never edit it
        value_span = Span(arg.span.end - len(arg.value), arg.span.end) if exact else None
        return Setting(arg.name, arg.value, arg.span, value_span, "build-arg", arg.source, self.stmt,
                       dynamic=arg.dynamic, raw_value=arg.value if exact else text)

    def passes(self, name: str) -> BuildArg | None:
        return next((a for a in self.build_args + self.defined_args if a.name == name), None)


@dataclass(slots=True)
class StartupFileWrite:
    """A shell command writes variable assignments into a shell start-up file (`echo 'export
    GOPROXY=…' >> /etc/profile`, `tee -a ~/.bashrc`, a heredoc): GP108, §25."""

    path: str  # as written (`~/.bashrc`, `/etc/profile.d/go.sh`)
    kind: str  # semantics.shell_startup: login | interactive | pam
    settings: list  # list[Setting] (how "startup-file"): the NAME=value lines written
    span: Span  # the writing command
    source: Source
    stmt: Span


@dataclass(slots=True)
class StartupFileRead:
    """Something makes a shell read start-up files: `. FILE` / `source FILE` (path set), a login or
    interactive shell (`bash -lc '…'`, whose commands lie inside `span`), a PAM login (`su -`),
    or a SHELL instruction (`persistent`: every later RUN of the stage lineage; `login` False
    when a later SHELL turns it off)."""

    path: str  # the sourced file ("" for a shell that reads its own start-up files)
    login: bool
    span: Span
    source: Source
    stmt: Span
    interactive: bool = False
    pam: bool = False
    persistent: bool = False




@dataclass(slots=True)
class HandOff:
    """`make …`, `./build.sh`, `bash x.sh`, `task build`: commands that run another file of the
    repository. Lowering cannot read that file; analysis (handoffs.py) follows it."""

    program: str  # make | script | task
    args: list  # list[shell.Word]: for a script, its path first; for make/task, the words after it
    span: Span  # the invocation, for messages
    source: Source
    stmt: Span
    inline: list = field(default_factory=list)  # list[Setting]: X=v prefixes of this one command
    cwd: str | None = None  # the working directory it runs in: in the image (Dockerfile) or the repository
    network_host: bool = False

    @property
    def text(self) -> str:
        text = " ".join(self.source.text[self.span.start:self.span.end].split())
        return text if len(text) <= 60 else text[:59] + "…"


Event = Setting | GoCommand | CopyFrom | UserChange | ImageBuild | HandOff | StartupFileWrite | StartupFileRead


@dataclass(slots=True)
class Scope:
    kind: str  # 'stage' | 'job'
    name: str
    index: int
    source: Source
    span: Span  # the FROM instruction / the job key
    events: list = field(default_factory=list)
    parent: "Scope | None" = None
    parent_unknown: bool = False  # FROM an image or reference we cannot resolve
    base_image: str | None = None
    base_image_span: Span | None = None
    header_end: int = 0  # where an instruction may be inserted right after FROM (and its ARG block)
    initial: dict = field(default_factory=dict)  # name -> Setting present before the first event (CI env)
    container: str | None = None  # CI: the image a job's steps run in (None: on the runner itself)
    services: list[str] = field(default_factory=list)  # CI: service container images
    one_shell: bool = False  # every statement runs in one shell (a GitLab job's script lines)
    # name -> Setting (how "image", unknown value): what the configuration says the image's own
    # ENV sets (baseimage.seed); only on a scope that starts from an image, not from a stage
    image_env: dict = field(default_factory=dict)

    def lineage(self) -> Iterator["Scope"]:
        """This scope and its ancestors, nearest first (cycles are impossible by construction)."""
        scope: Scope | None = self
        seen = 0
        while scope is not None and seen < 256:
            yield scope
            scope = scope.parent
            seen += 1

    def derives_from(self, other: "Scope") -> bool:
        return any(s is other for s in self.lineage())

    def go_commands(self) -> Iterator[GoCommand]:
        return (e for e in self.events if isinstance(e, GoCommand))


# -- the environment walk -------------------------------------------------------------------
PERSISTENT = ("arg", "global-arg", "env", "ci-env", "github-env", "variables")


@dataclass(slots=True)
class Env:
    """What a command sees: build args and ENV (the later of the two wins, §8.4), then RUN-local settings."""

    args: dict[str, Setting] = field(default_factory=dict)
    envs: dict[str, Setting] = field(default_factory=dict)
    local: dict[str, Setting] = field(default_factory=dict)  # export / go env -w reached within reach
    goenv_file: dict[str, Setting] = field(default_factory=dict)  # values written by `go env -w`

    def get(self, name: str) -> Setting | None:
        """The setting the process environment takes NAME from, or None when it is not in scope."""
        if name in self.local:
            return self.local[name]
        if name in self.envs:
            return self.envs[name]
        return self.args.get(name)

    def effective(self, name: str) -> Setting | None:
        """Like get(), but also the user go env file when the environment has no non-empty value
        (§3.10: environment > go env file > go.env)."""
        setting = self.get(name)
        if setting is not None and (setting.value or setting.dynamic or setting.declared_only):
            return setting
        written = self.goenv_file.get(name)
        if written is not None and written.how == "go-env-w":
            return written
        return setting

    def copy(self) -> "Env":
        return Env(dict(self.args), dict(self.envs), dict(self.local), dict(self.goenv_file))


def apply_setting(env: Env, setting: Setting) -> None:
    """Fold one setting into an environment."""
    how = setting.how
    if how in ("arg", "global-arg"):
        env.args[setting.name] = setting
        if setting.value is not None or setting.dynamic:
            # BuildKit writes an ARG that has a value into the stage environment when the ARG
            # line runs, over an earlier ENV or the base image's ENV: the later one wins (§8.4).
            # A valueless ARG leaves the ENV alone unless a --build-arg (unknown here) is passed.
            env.envs.pop(setting.name, None)
    elif how in ("env", "ci-env", "github-env", "variables"):
        env.envs[setting.name] = setting
    elif how == "export":
        env.local[setting.name] = setting
    elif how == "shell":
        # A plain `X=v` changes the environment only if X is already exported (sh semantics).
        if env.get(setting.name) is not None:
            env.local[setting.name] = setting
    elif how == "go-env-w":
        env.goenv_file[setting.name] = setting
    elif how == "go-env-u":
        env.goenv_file.pop(setting.name, None)


def walk(scope: Scope) -> Iterator[tuple[object, Env]]:
    """Yield (event, env before it) for the scope's own events, after replaying its ancestors.

    RUN-local state (export) is reset at each new statement, because every RUN starts a new shell;
    `go env -w` persists in the file system and so travels down the lineage.
    """
    if scope.initial or scope.parent is None:
        env = Env()
        lineage = list(scope.lineage())
        env.envs.update(lineage[-1].image_env)  # the base image's ENV, before anything the file sets
        for name, setting in scope.initial.items():
            env.envs[name] = setting
        for ancestor in reversed(lineage[1:]):
            env = _final(ancestor, env)
    else:
        env = _handed_down(scope.parent)
    yield from _events_with_env(scope, env)


# stage -> (the stage, the persistent environment it hands to stages derived from it). Each stage
# replays its ancestors once, not once per descendant: a chain of 10,000 stages stays linear.
# The entry holds the stage itself, so its id cannot be reused while the entry lives.
_HANDED: dict[int, tuple] = {}
_HANDED_MAX = 100_000


def _handed_down(scope: Scope) -> Env:
    """What `scope` hands down (its lineage replayed), for stages without initial settings."""
    pending: list[Scope] = []
    probe: Scope | None = scope
    env = Env()
    while probe is not None and len(pending) < 256:  # lineage()'s bound
        entry = _HANDED.get(id(probe))
        if entry is not None and entry[0] is probe:
            env = entry[1]
            break
        pending.append(probe)
        probe = probe.parent
    if probe is None and pending:  # replayed from the root: its base image's ENV comes first
        env.envs.update(pending[-1].image_env)
    if len(_HANDED) + len(pending) > _HANDED_MAX:
        _HANDED.clear()
    for ancestor in reversed(pending):
        env = _final(ancestor, env)
        _HANDED[id(ancestor)] = (ancestor, env)
    return env


def _events_with_env(scope: Scope, env: Env) -> Iterator[tuple[object, Env]]:
    env = env.copy()
    current_stmt: Span | None = None
    for event in scope.events:
        stmt = getattr(event, "stmt", None)
        if stmt is not None and stmt is not current_stmt and stmt != current_stmt and not scope.one_shell:
            current_stmt = stmt
            if env.local:  # a new shell; copy first: earlier yields may be kept by the caller
                env = env.copy()
                env.local.clear()
        yield event, env
        if isinstance(event, Setting):
            if event.how == "inline":
                continue  # inline settings belong to their one command
            env = env.copy()
            apply_setting(env, event)


def _final(scope: Scope, env: Env) -> Env:
    """The persistent environment a scope hands to scopes derived from it."""
    env = env.copy()
    for event in scope.events:
        if isinstance(event, Setting) and event.how in PERSISTENT + ("go-env-w", "go-env-u"):
            apply_setting(env, event)
    env.local.clear()
    return env


def command_env(env: Env, command: GoCommand) -> Env:
    """The environment of one go command: the scope's plus its own inline assignments."""
    if not command.inline:
        return env
    env = env.copy()
    for setting in command.inline:
        env.local[setting.name] = setting
    return env


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Why (part of) a file cannot be used, found while lowering it: the engine reports each one
    as a GP001 diagnostic (engine.unusable_input), the one way unusable input is reported."""
    span: Span
    message: str


@dataclass(slots=True)
class Document:
    """A lowered file: its scopes plus every setting written in it (for value-level rules)."""

    source: Source
    scopes: list[Scope] = field(default_factory=list)
    global_settings: list[Setting] = field(default_factory=list)  # Dockerfile ARGs before FROM
    problems: list[InputProblem] = field(default_factory=list)  # unusable input, reported as GP001
    # what lowering found that only one format has
    dockerfile: object = None  # a Dockerfile's instructions: formats.dockerfile.parsed_of() gives them typed
    ignore_matcher: IgnoreMatcher | None = None  # a .dockerignore's patterns, as BuildKit matches them
    included: list[str] = field(default_factory=list)  # GitLab CI: the local files it includes (project paths)
    yaml_root: object = None  # a workflow's YAML tree (formats.yamlpos.YNode), for rules reading step inputs (GP502)
    # memos, computed once per document by the function named, the first time a rule asks
    go_runs: list | None = None  # analysis.go_runs
    literal_settings: list | None = None  # rulekit.value_settings.literal_settings, before the names
    setters: dict | None = None  # rulekit.stage_reach.setters: (name, how) -> [(stage, setting)]
    keywords_lower: bool | None = None  # rulekit.dockerfile_edits.keyword_case
    instruction_at: dict | None = None  # rulekit.dockerfile_edits.instruction_of: offset -> instruction
    settings_by_stmt: dict | None = None  # rulekit.dockerfile_edits._settings_in
    stage_children: dict | None = None  # GP106: id(stage) -> stages derived from it
    unset_runs: dict | None = None  # GP106: name -> go commands that reach the proxy without it
    image_builds: list | None = None  # rulekit.ci_builds.builds: (scope, build, env), hand-offs followed
    build_ancestors: set | None = None  # rulekit.stage_reach: ids of stages a derived stage builds on

    def settings(self) -> Iterator[Setting]:
        """Every setting written in the file, build args passed to image builds included."""
        yield from self.global_settings
        for scope in self.scopes:
            for event in scope.events:
                if isinstance(event, Setting):
                    yield event
                elif isinstance(event, ImageBuild):
                    yield from event.passed
            yield from scope.initial.values()
