"""Follow hand-offs (`make build`, `./build.sh`) into the files they run, and return the go
commands reached there with the environment they see (§17, §18).

Lowering cannot read other files, so a Dockerfile RUN or a CI script says only `HandOff`;
analysis asks `reach` what it runs. A Dockerfile's hand-off names a path inside the image: it is
mapped back to the build context through WORKDIR and COPY/ADD (`in_context`); what cannot be
resolved stays silent. Every go command found is returned in the coordinates of the file it is
written in, with `overlay`: the variables the hand-off chain set or removed on top of the
caller's environment, and `via`: the hops, for messages.
"""
from __future__ import annotations

import posixpath
import re
from collections.abc import Callable
from itertools import accumulate

from .formats import shell
from .formats.script_events import command_events, following_cd
from .model import CopyFrom, Env, GoCommand, HandOff, ImageBuild, Setting
from .project import Project
from .records import dataclass
from .source import Source, Span

MAX_HOPS = 8  # make → script → make …: real chains are 2-3 deep
MAX_COMMANDS = 5000  # commands walked for one hand-off, all hops together
MAX_MAKES = 64  # make invocations evaluated for one hand-off (`$(MAKE) -C` fan-out)


@dataclass(slots=True)
class Reached:
    command: GoCommand | ImageBuild  # as written in the reached file
    overlay: dict  # name -> Setting | None (unset): what the chain changed in the environment
    via: Trail  # the hops from the hand-off to here
    cwd: str | None  # the repository folder it runs in, None when unknown


@dataclass(frozen=True, slots=True)
class Trail:
    """The hops of a chain: `text` for messages ("RUN make build` → Makefile:14", see
    GoCommand.via) and `hops` as related locations (source, span, note) for JSON and SARIF."""

    text: str
    hops: tuple = ()

    def then(self, source: Source, span: Span, note: str, quoted: str = "") -> "Trail":
        text = f"{self.text} → {source.path}:{source.line_col(span.start)[0]}" + (f" `{quoted}`" if quoted else "")
        return Trail(text, self.hops + ((source, span, note),))


@dataclass(slots=True)
class _Walk:
    project: Project
    available: Callable[[str], bool]  # is that repository file there when the command runs
    base: Env
    steps: int = 0  # commands walked
    makes: int = 0  # makefile evaluations
    max_makes: int = MAX_MAKES


def reach(project: Project, handoff: HandOff, env: Env, cwd: str | None, path: str | None,
          available=None, max_makes: int = MAX_MAKES) -> list[Reached]:
    """What a hand-off runs. `cwd`: the repository folder it runs in (None: unknown); `path`:
    the repository path of the script or the Makefile folder when the caller resolved it;
    `max_makes`: how many make runs to evaluate (sub-makes included)."""
    walk = _Walk(project, available or (lambda rel: True), env, max_makes=max_makes)
    overlay = {s.name: s for s in handoff.inline}
    first = Trail(_hop_text(handoff))
    return _follow(walk, handoff, overlay, cwd, path, first, 0)


def sourced(project: Project, handoff: HandOff, env: Env, cwd: str | None, path: str, available=None) -> dict:
    """What `. ./env.sh` leaves in the shell that sourced it (§18.2): name -> Setting (None:
    unset), the settings of the script at repository path `path` as the rest of the line sees them."""
    walk = _Walk(project, available or (lambda rel: True), env)
    overlay: dict = {}
    _script(walk, path, overlay, cwd, Trail(_hop_text(handoff)), 0, same_shell=True)
    return overlay


def _hop_text(handoff: HandOff) -> str:
    prefix = "RUN " if handoff.source.kind == "dockerfile" else ""
    return f"{prefix}{handoff.text}`"


def _follow(walk: _Walk, handoff: HandOff, overlay: dict, cwd: str | None, path: str | None, via: Trail,
            hops: int) -> list[Reached]:
    if hops >= MAX_HOPS or walk.steps > MAX_COMMANDS:
        return []
    if handoff.program == "make":
        return _make(walk, handoff, overlay, cwd, via, hops)
    if handoff.program == "task":
        return _task(walk, handoff, overlay, cwd, via, hops)
    if handoff.program == "script":
        if path is None:
            if cwd is None or handoff.args[0].dynamic:
                return []
            path = _join(cwd, handoff.args[0].value)
        if path is None or not walk.available(path):
            return []
        return _script(walk, path, overlay, cwd, via, hops)
    return []


# -- scripts ----------------------------------------------------------------------------------
_DIRNAME0 = re.compile(r'''^"?\$\(\s*dirname\s+(?:--\s+)?"?\$(?:0|\{0\}|\{?BASH_SOURCE(?:\[0\])?\}?)"?\s*\)"?'''
                       r'''(/[^"'\s$]*)?"?$''')


def _script(walk: _Walk, path: str, overlay: dict, cwd: str | None, via: Trail, hops: int,
            same_shell: bool = False) -> list[Reached]:
    """A script's go commands; `same_shell` (`. x.sh`): its settings stay in `overlay`."""
    source = walk.project.source(path, "script")
    if source is None or "\0" in source.text[:1024]:
        return []  # absent, unreadable or a binary: nothing to follow
    commands = shell.parse_script(source.text, 0)
    stmt = Span(0, len(source.text))
    state = {"cwd": cwd}
    script_dir = posixpath.dirname(path)

    def other(cmd, assignments, argv):
        program = argv[0].value.rpartition("/")[2]
        if program == "cd" and not cmd.in_subshell:
            state["cwd"] = _cd(source, argv, state["cwd"], script_dir)
            return []
        if program in (".", "source") and len(argv) > 1:
            return [HandOff("source", list(argv[1:]), Span(argv[0].start, argv[-1].end), source, stmt,
                            [], state["cwd"])]
        return _other_command(source, cmd, assignments, argv, stmt, state["cwd"])

    events = command_events(source, commands, stmt, on_other=other)
    return _walk_events(walk, events, overlay if same_shell else dict(overlay), via, hops, one_shell=True,
                        cwd_of=lambda e: e.cwd, default_cwd=cwd)


def _other_command(source: Source, cmd, assignments: list, argv: list, stmt: Span, cwd: str | None) -> list:
    """An image build (`docker build …`) or a further hand-off, else nothing."""
    from .formats.ci_script import image_build
    from .formats.script_events import hand_off

    build = image_build(source, argv, stmt, cwd)
    if build is not None:
        return [build]
    return hand_off(source, cmd, assignments, argv, stmt, cwd)


def _cd(source: Source, argv: list, cwd: str | None, script_dir: str) -> str | None:
    if len(argv) < 2:
        return None
    target = argv[1] if argv[1].value != "--" or len(argv) < 3 else argv[2]
    if not target.dynamic:
        return _join(cwd, target.value) if cwd is not None else None
    m = _DIRNAME0.match(source.text[target.start:target.end])
    if m is None:
        return None
    return _join(script_dir, (m.group(1) or "/.").lstrip("/") or ".")


# -- make -------------------------------------------------------------------------------------
_MAKE_VALUE_FLAGS = {"-C", "--directory", "-f", "--file", "--makefile", "-I", "--include-dir", "-j", "--jobs",
                     "-l", "--load-average", "-o", "--old-file", "-W", "--what-if", "--assume-new", "-O",
                     "--output-sync", "--eval"}
_STMTS: dict[int, tuple[Source, list]] = {}  # id(source) -> its statements, parsed once


def _statements(project: Project, rel: str):
    from .formats import makefile as mk

    source = project.source(rel, "makefile")
    if source is None:
        return None
    entry = _STMTS.get(id(source))
    if entry is None or entry[0] is not source:
        if len(_STMTS) > 512:
            _STMTS.clear()
        entry = _STMTS[id(source)] = (source, mk.parse(source))
    return entry[1]


_DRY_RUN = {"-n", "--just-print", "--dry-run", "--recon", "-q", "--question", "-p", "--print-data-base",
            "-t", "--touch"}


def make_flags(args: list) -> set[str]:
    """The switches of `make …` that change what runs: a dry run (`-n`, `-q`, `-t`, `-p`) runs no
    recipe; `-e` lets the environment beat the makefiles (§17.2, §17.5)."""
    flags = set()
    for word in args:
        value = word.value
        if value.startswith("--"):
            flags.add(value.partition("=")[0])
        elif value.startswith("-") and len(value) > 1 and value[1] not in "CfIjloWO":
            flags.update("-" + c for c in value[1:])  # -sn: -s and -n
    return flags


def make_arguments(args: list) -> tuple[str | None, str | None, dict, list, bool]:
    """(-C folder, -f file, VAR=value words, goals, every word readable) of `make …`."""
    folder = file = None
    cmdline: dict = {}
    goals: list = []
    readable = True
    i = 0
    while i < len(args):
        word = args[i]
        value = word.value
        if value.startswith("-") and len(value) > 1:
            name, eq, inline = value.partition("=")
            if name in _MAKE_VALUE_FLAGS and not eq:
                operand = args[i + 1] if i + 1 < len(args) else None
                i += 2
                flag_value = operand.value if operand is not None and not operand.dynamic else None
            elif name[:2] in ("-C", "-f") and len(name) > 2 and not name.startswith("--"):
                flag_value, name = value[2:], name[:2]
                i += 1
            else:
                flag_value = inline if eq else None
                i += 1
            if name in ("-C", "--directory"):
                folder = _join(folder or "", flag_value) if flag_value is not None else "\0"
            elif name in ("-f", "--file", "--makefile"):
                file = flag_value if flag_value is not None else "\0"
            continue
        i += 1
        name, eq, _ = value.partition("=")
        if eq and name and not name.startswith("$") and re.fullmatch(r"[^\s:#]+", name):
            cmdline[name.rstrip(":+?")] = word
        elif word.dynamic:
            readable = False
        else:
            goals.append(value)
    return folder, file, cmdline, goals, readable


def _make(walk: _Walk, handoff: HandOff, overlay: dict, cwd: str | None, via: Trail, hops: int) -> list[Reached]:
    from .formats import makefile as mk  # only when a makefile is followed

    folder, file, cmdline_words, goals, _ = make_arguments(handoff.args)
    if cwd is None or folder == "\0" or file == "\0" or walk.makes >= walk.max_makes:
        return []
    walk.makes += 1
    directory = _join(cwd, folder) if folder else cwd
    if directory is None:
        return []
    names = [file] if file is not None else ["GNUmakefile", "makefile", "Makefile"]
    candidates = [_join(directory, name) for name in names]
    path = next((p for p in candidates if p is not None and walk.available(p) and walk.project.exists(p)), None)
    if path is None:
        return []
    env = _flat_env(walk.base, overlay)
    cmdline = {}
    for name, word in cmdline_words.items():
        setting = Setting(name, None if word.dynamic else word.value.partition("=")[2], Span(word.start, word.end),
                          None, "export", handoff.source, handoff.stmt, dynamic=word.dynamic)
        cmdline[name] = (word.value.partition("=")[2], setting)

    def read(rel: str):
        if rel is None or not walk.available(rel):
            return None
        return _statements(walk.project, rel)

    flags = make_flags(handoff.args)
    make = mk.Makefile(read, env, cmdline, directory)
    make.env_overrides = "-e" in flags or "--environment-overrides" in flags
    if not make.load(path):
        return []
    found: list[Reached] = []
    # `:=` and `!=` run their `$(shell …)` while make reads the makefiles (§17.4)
    parse_time = list(make.shell_calls)
    make.shell_calls.clear()
    base_overlay = dict(overlay)
    base_overlay.update(_recipe_env(make, {}))
    for call in parse_time:
        found += _shell_text(walk, make, call.text, call.offsets, call.source, call.stmt, dict(base_overlay),
                             directory, via, hops)
    if flags & _DRY_RUN:
        return found  # no recipe runs; the makefiles were still read (and their `$(shell …)` run)
    done: set[str] = set()
    for goal in make.goals(goals):
        found += _target(walk, make, goal, {}, done, overlay, directory, via, hops, 0)
    return found


def _target(walk: _Walk, make, target: str, inherited: dict, done: set, overlay: dict,
            directory: str, via: Trail, hops: int, depth: int) -> list[Reached]:
    if target in done or depth > 64 or walk.steps > MAX_COMMANDS:
        return []
    done.add(target)  # make builds each target once per run
    rule, stem = make.rule_for(target)
    if rule is None:
        return []
    local = dict(inherited)  # target-specific variables reach the prerequisites too (§17.2)
    for stmt in rule.tvars:
        make.assign(stmt, into=local)
    found: list[Reached] = []
    for prereq in rule.prereqs:  # prerequisites are made first (§17.5)
        found += _target(walk, make, prereq, local, done, overlay, directory, via, hops, depth + 1)
    from .formats.makefile import recipe_body

    recipe_overlay = dict(overlay)
    recipe_overlay.update(_recipe_env(make, local))
    auto = {"@": target, "*": stem}
    lines = rule.recipe
    groups = [lines] if make.one_shell else [[line] for line in lines]
    for group in groups:
        texts, offsets = [], []
        for line in group:
            body, at = recipe_body(line)
            expanded = make.expand(body, at, line, local, auto)
            for call in make.shell_calls:  # `$(shell …)` in a recipe runs while make expands it
                found += _shell_text(walk, make, call.text, call.offsets, call.source, call.stmt,
                                     dict(recipe_overlay), directory, via, hops)
            make.shell_calls.clear()
            texts.append(expanded.text)
            offsets += expanded.offsets + [expanded.offsets[-1] + 1 if expanded.offsets else at]
        found += _shell_text(walk, make, "\n".join(texts), offsets, group[0].source, group[0],
                             dict(recipe_overlay), directory, via, hops)
    return found


def _recipe_env(make, local: dict) -> dict:
    """The recipe environment as an overlay on the caller's: what the makefiles set, exported."""
    from .formats.makefile import UNKNOWN

    out: dict = {}
    for name, var in make.exported(local).items():
        if var is None:
            out[name] = None  # unexport: not in the recipe's environment
            continue
        if var.stmt is None:
            if var.origin == "command line":
                out[name] = var.env
            continue  # from the environment, unchanged: the caller's setting stands
        value = make.value_of(var, local)
        stmt = var.stmt
        text = stmt.source.text
        value_end = stmt.value_start + len(stmt.value)
        unknown = UNKNOWN in value.text
        out[name] = Setting(name, None if unknown else value.text, Span(stmt.start, stmt.end),
                            Span(stmt.value_start, value_end), "export", stmt.source,
                            Span(stmt.start, stmt.end), dynamic=unknown, raw_value=text[stmt.value_start:value_end])
    return out


def _shell_text(walk: _Walk, make, text: str, offsets: list, source: Source, stmt, overlay: dict,
                directory: str, via: Trail, hops: int) -> list[Reached]:
    """Run one recipe line (or `$(shell …)`) of `source`: its commands, in one shell."""
    if not text.strip():
        return []
    # expansions map many characters to one reference, and a joined continuation shifts the
    # rest: keep the map non-decreasing so every span it gives is well formed
    offsets = list(accumulate(offsets + [offsets[-1] + 1 if offsets else 0] * 2, max))
    commands = [shell.remap(c, offsets) for c in shell.parse_script(text, 0)]
    span = Span(stmt.start, stmt.end)
    other = following_cd(directory, _join, lambda cmd, assignments, argv, cwd:
                         _other_command(source, cmd, assignments, argv, span, cwd))
    events = command_events(source, commands, span, on_other=other)
    return _walk_events(walk, events, overlay, via, hops, one_shell=True, cwd_of=lambda e: e.cwd,
                        default_cwd=directory)


def _walk_events(walk: _Walk, events: list, overlay: dict, via: Trail, hops: int, one_shell: bool,
                 cwd_of, default_cwd: str | None) -> list[Reached]:
    """Go commands of one shell's events, with the settings before each applied (§18.1)."""
    found: list[Reached] = []
    for event in events:
        walk.steps += 1
        if walk.steps > MAX_COMMANDS:
            break
        if isinstance(event, Setting):
            if event.how == "export":
                overlay[event.name] = event
            elif event.how == "shell" and (event.name in overlay or walk.base.get(event.name) is not None):
                overlay[event.name] = event  # a plain X=v changes the environment only if X is exported
        elif isinstance(event, (GoCommand, ImageBuild)):
            what = "go command" if isinstance(event, GoCommand) else "image build"
            found.append(Reached(event, dict(overlay), via.then(event.source, event.span, f"the {what} it reaches"),
                                 default_cwd))
        elif isinstance(event, HandOff):
            here = via.then(event.source, event.span, f"`{event.text}` runs there", quoted=event.text)
            if event.program == "source":  # `. x.sh`: the same shell, its settings stay (§18.2)
                path = _join(event.cwd, event.args[0].value) if event.cwd is not None and not event.args[0].dynamic \
                    else None
                if path is not None and walk.available(path):
                    found += _script(walk, path, overlay, event.cwd, here, hops + 1, same_shell=True)
                continue
            child = dict(overlay)
            child.update({s.name: s for s in event.inline})
            found += _follow(walk, event, child, cwd_of(event), None, here, hops + 1)
    # a chain's cwd: what the hop recorded (make: its -C folder)
    return found


def _flat_env(base: Env, overlay: dict) -> dict:
    """name -> (value or None when unknown, setting) of the environment make starts with."""
    out: dict = {}
    for name in set(base.args) | set(base.envs) | set(base.local) | set(overlay):
        setting = overlay[name] if name in overlay else base.get(name)
        if setting is None:
            continue
        if setting.how in ("arg", "global-arg") and setting.value is None and not setting.dynamic:
            out[name] = (None, setting)  # a declared ARG: set only if a build arg is passed
            continue
        out[name] = (None if setting.dynamic or setting.value is None else setting.value, setting)
    return out


def _join(cwd: str | None, path: str) -> str | None:
    """A repository-relative path, or None when it leaves the repository or is absolute."""
    if cwd is None or not path or path.startswith(("/", "~", "$")):
        return None
    joined = posixpath.normpath(posixpath.join(cwd, path)) if cwd else posixpath.normpath(path)
    if joined.startswith(".."):
        return None
    return "" if joined == "." else joined


# -- go-task Taskfiles --------------------------------------------------------------------------
TASKFILE_NAMES = ("Taskfile.yml", "taskfile.yml", "Taskfile.yaml", "taskfile.yaml", "Taskfile.dist.yml",
                  "taskfile.dist.yml", "Taskfile.dist.yaml", "taskfile.dist.yaml")
_TEMPLATE = re.compile(r"\{\{\s*\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}|\{\{.*?\}\}", re.S)
_TASK_VALUE_FLAGS = {"-d", "--dir", "-t", "--taskfile", "-o", "--output", "-C", "--concurrency", "--interval"}


def task_arguments(args: list) -> tuple[str | None, str | None, dict, list]:
    """(-d folder, -t file, VAR=value words, task names) of `task …` (words after `--` are the
    tasks' CLI_ARGS, not tasks)."""
    folder = file = None
    cli: dict = {}
    names: list = []
    i = 0
    while i < len(args):
        value = args[i].value
        if value == "--":
            break
        if value.startswith("-") and len(value) > 1:
            name, eq, inline = value.partition("=")
            operand = inline if eq else (args[i + 1].value if name in _TASK_VALUE_FLAGS and i + 1 < len(args)
                                         and not args[i + 1].dynamic else None)
            i += 1 if eq or name not in _TASK_VALUE_FLAGS else 2
            if name in ("-d", "--dir"):
                folder = operand if operand is not None else "\0"
            elif name in ("-t", "--taskfile"):
                file = operand if operand is not None else "\0"
            continue
        i += 1
        name, eq, rest = value.partition("=")
        if eq and name.isidentifier():
            cli[name] = rest if not args[i - 1].dynamic else None
        elif not args[i - 1].dynamic:
            names.append(value)
    return folder, file, cli, names


def _task(walk: _Walk, handoff: HandOff, overlay: dict, cwd: str | None, via: Trail, hops: int) -> list[Reached]:
    """`task build`: the named tasks of the Taskfile in cwd (§19)."""
    from .formats.yamlpos import YamlError, load_yaml

    folder, file, cli, names = task_arguments(handoff.args)
    if cwd is None or folder == "\0" or file == "\0":
        return []
    directory = _join(cwd, folder) if folder else cwd
    if directory is None:
        return []
    candidates = [_join(directory, file)] if file else [_join(directory, n) for n in TASKFILE_NAMES]
    path = next((p for p in candidates if p is not None and walk.available(p) and walk.project.exists(p)), None)
    if path is None:
        return []
    source = walk.project.source(path, "taskfile")
    if source is None:
        return []
    try:
        root = load_yaml(source.text)
    except YamlError:
        return []
    tasks = root.get("tasks") if root is not None else None
    if tasks is None or tasks.kind != "map":
        return []
    runner = _TaskRun(walk, source, root, tasks, cli, posixpath.dirname(path), via, hops)
    found: list[Reached] = []
    for name in names or ["default"]:
        found += runner.run(name, dict(overlay), 0)
    return found


class _TaskRun:
    def __init__(self, walk: _Walk, source: Source, root, tasks, cli: dict, folder: str, via: Trail, hops: int):
        self.walk, self.source, self.root, self.tasks, self.cli = walk, source, root, tasks, cli
        self.folder, self.via, self.hops = folder, via, hops
        self.running: set[str] = set()

    def run(self, name: str, overlay: dict, depth: int) -> list[Reached]:
        node = self.tasks.get(name)
        if node is None or name in self.running or depth > 32 or self.walk.steps > MAX_COMMANDS:
            return []
        self.running.add(name)  # a task calling itself (directly or not) ends here
        try:
            return self._run(node, overlay, depth)
        finally:
            self.running.discard(name)

    def _run(self, node, overlay: dict, depth: int) -> list[Reached]:
        found: list[Reached] = []
        deps: list = []
        folder: str | None = self.folder
        if node.kind == "scalar":
            cmds, task_env, task_vars = [node], None, None
        elif node.kind == "seq":
            cmds, task_env, task_vars = list(node.items), None, None
        else:
            cmds_node, deps_node = node.get("cmds"), node.get("deps")
            cmds = list(cmds_node.items) if cmds_node is not None and cmds_node.kind == "seq" else []
            deps = list(deps_node.items) if deps_node is not None and deps_node.kind == "seq" else []
            task_env, task_vars = node.get("env"), node.get("vars")
            dir_node = node.get("dir")
            if dir_node is not None and dir_node.kind == "scalar" and dir_node.value:
                folder = _join(self.folder, dir_node.value) if "{{" not in dir_node.value else None
        variables = self._variables(task_vars)
        for dep in deps:  # deps run before the task's commands (§19)
            dep_name = dep.value if dep.kind == "scalar" else (dep.get("task").value if dep.kind == "map" and
                                                                 dep.get("task") is not None else None)
            if dep_name:
                found += self.run(dep_name, dict(overlay), depth + 1)
        env = dict(overlay)
        for env_node in (self.root.get("env"), task_env):  # task env over the Taskfile's
            for setting in self._env(env_node, variables):
                if self.walk.base.get(setting.name) is None and setting.name not in overlay:
                    env[setting.name] = setting  # the process environment wins by default (§19)
        for cmd in cmds:
            if cmd.kind == "map":
                called = cmd.get("task")
                if called is not None and called.kind == "scalar" and called.value:
                    found += self.run(called.value, dict(overlay), depth + 1)
                    continue
                cmd = cmd.get("cmd")
            if cmd is None or cmd.kind != "scalar" or not cmd.value:
                continue
            found += self._command(cmd, variables, dict(env), folder)
        return found

    def _variables(self, task_vars) -> dict:
        """Template values: CLI vars, then the task's, then the Taskfile's (§19); None = unknown."""
        values: dict = {}
        for vars_node in (self.root.get("vars"), task_vars):
            if vars_node is None or vars_node.kind != "map":
                continue
            for key, value in vars_node.items:
                if key.kind == "scalar":
                    values[key.value] = value.value if value.kind == "scalar" and "{{" not in (value.value or "") \
                        else None
        values.update(self.cli)
        return values

    def _template(self, text: str, variables: dict) -> str:
        from .formats.makefile import UNKNOWN

        def one(m):
            name = m.group(1)
            if name is None:
                return UNKNOWN
            if name in variables:
                return variables[name] if variables[name] is not None else UNKNOWN
            setting = self.walk.base.get(name)  # environment variables are template values too
            return setting.value if setting is not None and setting.value is not None and not setting.dynamic \
                else UNKNOWN

        return _TEMPLATE.sub(one, text)

    def _env(self, env_node, variables: dict) -> list[Setting]:
        from .formats.makefile import UNKNOWN

        out: list[Setting] = []
        if env_node is None or env_node.kind != "map":
            return out
        for key, value in env_node.items:
            if key.kind != "scalar" or not key.value:
                continue
            text = value.value if value.kind == "scalar" else None  # `sh:` values are unknowable
            resolved = self._template(text, variables) if text is not None else None
            unknown = resolved is None or UNKNOWN in resolved
            exact = value.kind == "scalar" and text == resolved and value.style is None
            out.append(Setting(key.value, None if unknown else resolved, Span(key.start, value.end),
                               Span(value.start, value.end) if exact else None, "export", self.source,
                               Span(key.start, value.end), dynamic=unknown,
                               raw_value=self.source.text[value.start:value.end]))
        return out

    def _command(self, node, variables: dict, overlay: dict, folder: str | None) -> list[Reached]:
        """One command of a task: its own shell (§19)."""
        from .formats.ci_script import scalar_script

        if "{{" in (node.value or ""):
            text = self._template(node.value, variables)
            offsets = list(accumulate([node.start] * (len(text) + 2), max))
            commands = [shell.remap(c, offsets) for c in shell.parse_script(text, 0)]
        else:
            commands, _ = scalar_script(self.source, node)
        stmt = Span(node.start, node.end)
        other = following_cd(folder, _join, lambda cmd, assignments, argv, cwd:
                             _other_command(self.source, cmd, assignments, argv, stmt, cwd))
        events = command_events(self.source, commands, stmt, on_other=other)
        return _walk_events(self.walk, events, overlay, self.via, self.hops, one_shell=True, cwd_of=lambda e: e.cwd,
                            default_cwd=folder)


# -- from inside an image back to the build context --------------------------------------------
def in_context(project: Project, context: str, copies, in_image: str | None) -> str | None:
    """The repository path of a file inside the image (`/src/Makefile`, `Makefile` relative
    to the base image's WORKDIR), through the stage's COPY/ADD from the context; None when no
    copy brings it there or the file does not exist in the repository."""
    if in_image is None:
        return None
    from .formats.dockerfile import in_image_join

    for copy in reversed(list(copies)):
        if not isinstance(copy, CopyFrom) or copy.workdir is None or not copy.dest:
            continue
        dest = in_image_join(copy.workdir, copy.dest)
        if dest is None:
            continue
        into_folder = copy.dest.endswith("/") or len(copy.sources) > 1 or copy.dest in (".", "./")
        for src in copy.sources:
            src = posixpath.normpath(src.lstrip("/")) if src.strip("/") else "."
            for candidate in _copied_as(src, dest, into_folder, in_image):
                rel = posixpath.normpath(posixpath.join(context, candidate)) if context else candidate
                if not rel.startswith("..") and project.exists(rel):
                    return rel
    return None


def _copied_as(src: str, dest: str, into_folder: bool, path: str) -> list[str]:
    """Context paths that COPY src dest would place at `path`."""
    out = []
    folder = dest.rstrip("/") + "/" if dest else ""
    under = path[len(folder):] if folder and path.startswith(folder) else (path if not dest and not
                                                                           path.startswith("/") else None)
    if src == ".":
        if under is not None:
            out.append(under)
        return out
    if into_folder and under == posixpath.basename(src):
        out.append(src)  # a file copied into the folder
    if not into_folder and path == dest:
        out.append(src)  # a file copied to that name
    if under is not None:
        out.append(posixpath.join(src, under))  # a folder's contents copied there
    return out
