"""Lower a Dockerfile into the model: one scope per stage, events in instruction order.

Docker facts used here (docs/semantics.md): global ARGs feed only FROM lines and re-declared ARGs
(§8.1); ARG and ENV persist down `FROM <stage>` lineages (§8.3, §9.1); ENV beats ARG (§8.4,
handled by model.Env); builder substitution for ENV/ARG/FROM/COPY (§9.6); RUN is a shell script
(every RUN a new shell); `RUN --mount=type=bind` reads the build context like COPY does.
"""
from __future__ import annotations

import posixpath

from ..model import CopyFrom, Document, HandOff, InputProblem, Scope, Setting, StartupFileRead, UserChange
from ..semantics.shell_startup import shell_flags, startup_file
from ..records import fields, replace
from ..source import Source, Span
from . import dockerfile_syntax as syntax
from . import shell
from .script_events import command_events, following_cd, hand_off

SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}
CONFIG_LOCATION_VARS = {"HOME", "XDG_CONFIG_HOME", "GOENV"}


def lower(source: Source) -> Document:
    text = source.text
    parsed = syntax.parse(text)
    doc = Document(source)
    doc.dockerfile = parsed
    for start, end, message in parsed.problems:  # BuildKit refuses the file: no build runs (§16.8)
        doc.problems.append(InputProblem(Span(start, end), f"{message}: BuildKit refuses this Dockerfile"))
    lowerer = _Lowerer(source, parsed, doc)
    for inst in parsed.instructions:
        lowerer.instruction(inst)
    if not doc.scopes:
        first = parsed.instructions[0] if parsed.instructions else None
        span = Span(first.start, first.end) if first else Span(0, 0)
        doc.problems.append(InputProblem(span, "no FROM instruction: this is not a Dockerfile docker can build"))
    return doc


def parsed_of(doc: Document) -> syntax.ParsedDockerfile | None:
    """The instructions of a lowered Dockerfile (None for other kinds)."""
    parsed = doc.dockerfile
    return parsed if isinstance(parsed, syntax.ParsedDockerfile) else None


class _Lowerer:
    def __init__(self, source: Source, parsed: syntax.ParsedDockerfile, doc: Document):
        self.source = source
        self.text = source.text
        self.view = parsed.view  # continuations overwritten by fillers, offsets unchanged
        self.escape = parsed.escape
        self.doc = doc
        self.globals: dict[str, Setting] = {}
        self.stage: Scope | None = None
        self.values: dict[str, object] = {}  # builder-visible values in the current stage
        self.stage_values: dict[int, dict[str, object]] = {}
        self.workdir: str | None = ""  # "" = the base image's WORKDIR (unknown but fixed)
        self.stage_workdirs: dict[int, str | None] = {}
        self.named: dict[str, Scope] = {}  # lower-case stage name -> the latest stage of that name
        self.header_open = False

    # -- helpers ------------------------------------------------------------------------------
    def words(self, inst: syntax.Instruction, start: int | None = None) -> list[syntax.Word]:
        return syntax.split_words(self.view, inst.rest_start if start is None else start, inst.args_end, self.escape)

    def after_name(self, word: syntax.Word, name: str) -> int:
        """Where a NAME=value word's value starts in the file (a continuation may split it)."""
        return syntax.offset_after(self.view, word.start, len(name) + 1, self.escape, word.end)

    def lookup_global(self, name: str):
        setting = self.globals.get(name)
        if setting is None:
            return syntax.UNKNOWN
        return setting.value if setting.value is not None else syntax.UNKNOWN

    def lookup_stage(self, name: str):
        return self.values.get(name, syntax.UNKNOWN)

    def instruction(self, inst: syntax.Instruction) -> None:
        handler = _HANDLERS.get(inst.keyword.lower())  # lower-cased, as BuildKit dispatches
        if inst.keyword != "ARG" and inst.keyword != "FROM":
            self.header_open = False
        if handler is not None:
            handler(self, inst)

    # -- instructions -------------------------------------------------------------------------
    def on_from(self, inst: syntax.Instruction) -> None:
        self.header_open = True
        words = self.words(inst)
        image_word = words[0] if words else None
        name = ""
        if len(words) >= 3 and words[1].value.lower() == "as":
            name = words[2].value
        stmt = Span(inst.start, inst.end)
        scope = Scope("stage", name or str(len(self.doc.scopes)), len(self.doc.scopes), self.source, stmt)
        scope.header_end = self.source.line_end(inst.end)
        self.values = {}
        self.workdir = ""
        if image_word is not None:
            image, dynamic = syntax.substitute(image_word.raw, self.lookup_global, self.escape)
            scope.base_image_span = Span(image_word.start, image_word.end)
            if dynamic or image is None:
                scope.parent_unknown = True
            else:
                scope.base_image = image
                parent = self._stage_named(image)
                if parent is not None:
                    scope.parent = parent
                    self.values = dict(self.stage_values.get(parent.index, {}))
                    self.workdir = self.stage_workdirs.get(parent.index, "")
        self.stage = scope
        self.doc.scopes.append(scope)
        self.stage_values[scope.index] = self.values
        self.stage_workdirs[scope.index] = self.workdir
        if not scope.name.isdigit():
            self.named[scope.name.lower()] = scope

    def _stage_named(self, image: str) -> Scope | None:
        """The latest earlier stage of that name (a dict, not a scan: 10,000 stages stay linear)."""
        return self.named.get(image.lower())

    def on_arg(self, inst: syntax.Instruction) -> None:
        stmt = Span(inst.start, inst.end)
        for word in self.words(inst, inst.args_start):
            name, eq, raw_default = word.raw.partition("=")
            if not name:
                continue
            value_span = Span(self.after_name(word, name), word.end) if eq else None
            if self.stage is None:
                value, dynamic = (syntax.substitute(raw_default, self.lookup_global, self.escape) if eq else (None, False))
                setting = Setting(name, value, Span(word.start, word.end), value_span, "global-arg",
                                  self.source, stmt, dynamic=dynamic, raw_value=raw_default)
                self.globals[name] = setting
                self.doc.global_settings.append(setting)
                continue
            default_from = None
            if eq:
                value, dynamic = syntax.substitute(raw_default, self.lookup_stage, self.escape)
            else:
                value, dynamic = None, False
                default_from = self.globals.get(name)
                if default_from is not None:
                    value, dynamic = default_from.value, default_from.dynamic
            setting = Setting(name, value, Span(word.start, word.end), value_span, "arg", self.source, stmt,
                              dynamic=dynamic, raw_value=raw_default, default_from=default_from)
            self.stage.events.append(setting)
            self.values[name] = value if value is not None else syntax.UNKNOWN
        if self.stage is not None and self.header_open:
            self.stage.header_end = self.source.line_end(inst.end)

    def on_env(self, inst: syntax.Instruction) -> None:
        if self.stage is None:
            return
        stmt = Span(inst.start, inst.end)
        words = self.words(inst, inst.args_start)
        if not words:
            return
        pairs: list[tuple[str, str, Span, Span]] = []
        if "=" not in words[0].raw:
            # legacy `ENV NAME value with spaces`: the value is the rest of the joined line
            # after the first run of blanks (line_parsers.go:153-158)
            name_word = words[0]
            rest = words[1:]
            if rest:
                raw = syntax.without_fillers(self.view[rest[0].start:rest[-1].end], self.escape)
                pairs.append((name_word.value, raw, Span(name_word.start, rest[-1].end), Span(rest[0].start, rest[-1].end)))
            else:
                pairs.append((name_word.value, "", Span(name_word.start, name_word.end), Span(name_word.end, name_word.end)))
        else:
            for word in words:
                name, eq, raw = word.raw.partition("=")
                if not eq or not name:
                    continue
                pairs.append((name, raw, Span(word.start, word.end), Span(self.after_name(word, name), word.end)))
        # one instruction sees the values from before it (§9.6)
        resolved = [(name, raw, span, vspan, *syntax.substitute(raw, self.lookup_stage, self.escape))
                    for name, raw, span, vspan in pairs]
        for name, raw, span, vspan, value, dynamic in resolved:
            setting = Setting(name, value, span, vspan, "env", self.source, stmt, dynamic=dynamic, raw_value=raw)
            self.stage.events.append(setting)
            self.values[name] = value if value is not None else syntax.UNKNOWN
            if name in CONFIG_LOCATION_VARS and not (name == "GOENV" and value == "off"):
                self.stage.events.append(UserChange(span, self.source, name))

    def on_workdir(self, inst: syntax.Instruction) -> None:
        """Where RUN runs and a relative COPY destination lands (followed by hand-offs)."""
        if self.stage is None:
            return
        words = self.words(inst)
        path, dynamic = (syntax.substitute(words[0].raw, self.lookup_stage, self.escape) if len(words) == 1
                         else (None, True))
        self.workdir = None if dynamic or path is None else in_image_join(self.workdir, path)
        self.stage_workdirs[self.stage.index] = self.workdir

    def on_user(self, inst: syntax.Instruction) -> None:
        if self.stage is not None:
            self.stage.events.append(UserChange(Span(inst.start, inst.end), self.source, "USER"))

    def on_shell(self, inst: syntax.Instruction) -> None:
        """SHELL ["/bin/bash", "-lc"]: every later RUN of the stage and its derived stages starts a
        login shell, which reads the profile (§25.2); a later SHELL replaces it."""
        if self.stage is None:
            return
        argv = syntax.json_array(self.view, inst.rest_start, inst.args_end, self.escape) or []
        words = [w.value for w in argv]
        program = words[0].rpartition("/")[2] if words else ""
        login, interactive, _ = shell_flags(words) if program in SHELLS else (False, False, False)
        stmt = Span(inst.start, inst.end)
        self.stage.events.append(StartupFileRead("", login, stmt, self.source, stmt, interactive=interactive,
                                                 persistent=True))

    def on_copy(self, inst: syntax.Instruction) -> None:
        if self.stage is None or "from" in inst.flags:
            return
        args = syntax.json_array(self.view, inst.rest_start, inst.args_end, self.escape) or self.words(inst)
        sources = [w for w in args[:-1] if not w.value.startswith("<<")]
        if not sources:
            return
        stmt = Span(inst.start, inst.end)
        paths = [w.value for w in sources]
        whole = any(_is_context_root(p) for p in paths)
        self.stage.events.append(CopyFrom(paths, Span(sources[0].start, sources[-1].end), self.source, stmt, whole,
                                          dest=args[-1].value, workdir=self.workdir))

    on_add = on_copy

    def on_run(self, inst: syntax.Instruction) -> None:
        if self.stage is None:
            return
        stmt = Span(inst.start, inst.end)
        for mount in inst.mounts:
            opts = syntax.parse_mount(mount.value)
            if opts.get("type", "bind") == "bind" and "from" not in opts:
                src = opts.get("source", opts.get("src", "."))
                self.stage.events.append(CopyFrom([src], Span(mount.start, mount.end), self.source, stmt,
                                                  _is_context_root(src)))
        network = inst.flags.get("network")
        network_host = network is not None and network.value.lower() == "host"
        if not _may_matter(self.text[inst.rest_start:inst.end]):
            return  # no go command, Go variable or proxy setting can be in this RUN
        exec_form = syntax.json_array(self.view, inst.rest_start, inst.args_end, self.escape)
        if exec_form is not None:
            self._exec_form(exec_form, stmt, network_host)
            return
        commands = self._script(inst.rest_start, inst.args_end)
        if inst.heredocs and _runs_heredoc_as_script(commands):
            for heredoc in inst.heredocs:
                body = self.text[heredoc.body.start:heredoc.body.end]
                commands += shell.parse_script(body, heredoc.body.start)
        elif inst.heredocs:
            commands = _with_heredoc_bodies(commands, inst, self.text)
        self._commands(commands, stmt, network_host)

    def _script(self, start: int, end: int) -> list:
        return _script(self.view, start, end, self.escape)

    def _exec_form(self, argv: list[syntax.Word], stmt: Span, network_host: bool) -> None:
        if not argv:
            return
        program = argv[0].value.rpartition("/")[2]
        if program in SHELLS and len(argv) >= 3 and argv[1].value.startswith("-") and "c" in argv[1].value:
            script = argv[2]
            login, interactive, _ = shell_flags([w.value for w in argv])
            if (login or interactive) and self.stage is not None:
                self.stage.events.append(StartupFileRead("", login, stmt, self.source, stmt, interactive=interactive))
            self._commands(shell.parse_script(script.value, script.start + 1), stmt, network_host)
            return
        words = [shell.Word(w.value, w.start, w.end, True, False) for w in argv]
        if program == "go":
            self._commands([shell.Command([], words, [], words[0].start, words[-1].end)], stmt, network_host)

    def _commands(self, commands: list, stmt: Span, network_host: bool) -> None:
        assert self.stage is not None  # commands come after a FROM

        def then(cmd, assignments, argv, cwd):
            program = argv[0].value
            if program in (".", "source") and len(argv) > 1 and not cmd.in_subshell \
                    and not argv[1].dynamic and not startup_file(argv[1].value):
                # `. ./env.sh`: the same shell, its exports reach the rest of this RUN (§18.2)
                return [HandOff("source", list(argv[1:]), Span(argv[0].start, argv[-1].end), self.source, stmt,
                                [], cwd, network_host)]
            return hand_off(self.source, cmd, assignments, argv, stmt, cwd, network_host)

        other = following_cd(self.workdir, in_image_join, then)
        self.stage.events.extend(command_events(self.source, commands, stmt, network_host, on_other=other))


# lower-case keyword -> its _Lowerer.on_* method (one dict look-up per instruction)
_HANDLERS = {name[3:]: method for name, method in vars(_Lowerer).items() if name.startswith("on_")}


def _script(view: str, start: int, end: int, escape: str) -> list:
    """The commands of the line BuildKit hands to the shell, with the file's offsets.

    In the view the shell lexer skips each filler as a line continuation, which is the
    same as joining, except inside quotes (a shell keeps a backslash-CR and a backtick
    there, and everything inside single quotes): a script with both is joined first and
    its offsets mapped back."""
    script = view[start:end]
    if ("'" in script or '"' in script) and (escape + "\n" in script or escape + "\r\n" in script):
        joined, offsets = syntax.joined_with_offsets(view, start, end, escape)
        return [shell.remap(c, offsets) for c in shell.parse_script(joined, 0, escape)]
    return shell.parse_script(script, start, escape)


def run_commands(parsed: syntax.ParsedDockerfile, inst: syntax.Instruction, text: str) -> list:
    """Every shell command a RUN runs, as the lowering reads them (shell form, heredoc scripts,
    exec form through `sh -c`), for rules that look at commands the model does not keep."""
    exec_form = syntax.json_array(parsed.view, inst.rest_start, inst.args_end, parsed.escape)
    if exec_form is not None:
        if not exec_form:
            return []
        program = exec_form[0].value.rpartition("/")[2]
        if program in SHELLS and len(exec_form) >= 3 and exec_form[1].value.startswith("-") and "c" in exec_form[1].value:
            return shell.parse_script(exec_form[2].value, exec_form[2].start + 1)
        words = [shell.Word(w.value, w.start, w.end, True, False) for w in exec_form]
        return [shell.Command([], words, [], words[0].start, words[-1].end)]
    commands = _script(parsed.view, inst.rest_start, inst.args_end, parsed.escape)
    if inst.heredocs and _runs_heredoc_as_script(commands):
        for heredoc in inst.heredocs:
            commands += shell.parse_script(text[heredoc.body.start:heredoc.body.end], heredoc.body.start)
    elif inst.heredocs:
        commands = _with_heredoc_bodies(commands, inst, text)
    return commands


def _with_heredoc_bodies(commands: list, inst: syntax.Instruction, text: str) -> list:
    """`RUN cat <<EOF > file`: BuildKit hands the body to the shell as the command's input (§16.12);
    the shell lexer saw only the first line, so each `<<DELIM` gets its body here."""
    bodies = {h.delimiter: h for h in inst.heredocs}
    for cmd in commands:
        for k, redirect in enumerate(cmd.redirects):
            heredoc = bodies.get(redirect.target.value) if redirect.target is not None else None
            if redirect.op in ("<<", "<<-") and redirect.heredoc_body is None and heredoc is not None:
                body = shell.Word(text[heredoc.body.start:heredoc.body.end], heredoc.body.start, heredoc.body.end,
                                  True, False)
                cmd.redirects[k] = shell.Redirect(redirect.op, redirect.target, body)
    return commands


def _may_matter(script: str) -> bool:
    """A cheap pre-scan: every event a RUN can yield names `go`, a GO* variable or a proxy, or
    hands off to make, a script or task (which may run go)."""
    lowered = script.lower()
    return "go" in lowered or "proxy" in lowered or "make" in lowered or "task" in lowered \
        or "/" in lowered or ".sh" in lowered


def in_image_join(workdir: str | None, path: str) -> str | None:
    """A path inside the image: absolute, or relative to a WORKDIR ("" = the base image's)."""
    if workdir is None:
        return None
    if path.startswith("/"):
        return posixpath.normpath(path) if path != "/" else "/"
    joined = posixpath.normpath(posixpath.join(workdir, path)) if workdir else posixpath.normpath(path)
    if joined.startswith("..") and not workdir.startswith("/"):
        return None  # above the unknown base WORKDIR
    return "" if joined == "." else joined


def _is_context_root(path: str) -> bool:
    return posixpath.normpath(path.strip() or ".") in (".", "/", "*")


def _runs_heredoc_as_script(commands: list) -> bool:
    """`RUN <<EOF` (no command) and `RUN bash -e <<EOF` run the heredoc body as the script."""
    if not commands or not commands[0].argv:
        return True
    argv = commands[0].argv
    if argv[0].value.rpartition("/")[2] not in SHELLS:
        return False
    return all(w.value.startswith("-") and "c" not in w.value[1:] for w in argv[1:])
