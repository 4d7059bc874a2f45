"""Model events from shell commands, shared by Dockerfile RUN and CI scripts: `export X=v`,
plain `X=v`, `X=v go …` / `env X=v go …`, `go env -w/-u`, and go commands."""
from __future__ import annotations

import re

from ..model import GoCommand, HandOff, Setting, StartupFileRead, StartupFileWrite
from ..semantics import goenv, shell_startup
from ..source import Source, Span
from . import shell


def value_start(text: str, word, name: str) -> int:
    """Where the value of a NAME=VALUE shell word starts in the file."""
    if text.startswith(name + "=", word.start):
        return word.start + len(name) + 1
    return word.start


def setting_from(source: Source, a: "shell.Assignment", how: str, stmt: Span) -> Setting:
    value = a.value
    return Setting(a.name, None if value.dynamic else value.value, Span(a.start, a.end),
                   Span(value.start, value.end), how, source, stmt, dynamic=value.dynamic,
                   raw_value=source.text[value.start:value.end])


def command_events(source: Source, commands: list, stmt: Span, network_host: bool = False,
                   on_other=None) -> list:
    """Events of a script's commands, in order. `on_other(cmd, assignments, argv)` may return
    extra events for commands that are not go, export or assignments (CI: image builds)."""
    events: list = []
    previous = None
    for cmd in commands:
        assignments, argv = shell.unwrap(cmd)
        events.extend(startup_events(source, cmd, previous, stmt, argv))
        previous = cmd
        if not argv:
            if not cmd.in_subshell:
                events.extend(setting_from(source, a, "shell", stmt) for a in assignments)
            continue
        program = argv[0].value.rpartition("/")[2]
        if program == "export":
            for word in argv[1:]:
                name, eq, _ = word.value.partition("=")
                if eq and name.isidentifier():
                    value = shell.Word(word.value[len(name) + 1:], value_start(source.text, word, name),
                                       word.end, word.quoted, word.dynamic)
                    events.append(setting_from(source, shell.Assignment(name, value, word.start, word.end),
                                               "export", stmt))
        elif program == "go":
            events.extend(_go(source, argv[0], argv[1:], assignments, stmt, network_host))
        elif on_other is not None:
            events.extend(on_other(cmd, assignments, argv))
    return events



def following_cd(cwd: str | None, join, then):
    """An `on_other` for command_events that follows `cd DIR` (outside a subshell) and hands
    every other command to `then(cmd, assignments, argv, cwd)` with the folder it runs in;
    `join(cwd, path)` resolves a path (None: a folder gplint cannot know from then on)."""
    state = [cwd]

    def other(cmd, assignments, argv):
        if argv[0].value.rpartition("/")[2] == "cd" and not cmd.in_subshell:
            target = argv[1] if len(argv) > 1 else None
            if target is not None and not target.dynamic and state[0] is not None:
                state[0] = join(state[0], target.value)
            else:
                state[0] = None
            return []
        return then(cmd, assignments, argv, state[0])

    return other

def _go(source: Source, go_word, args: list, assignments: list, stmt: Span, network_host: bool) -> list:
    values = [a.value for a in args]
    if values[:1] == ["env"] and ("-w" in values or "-u" in values):
        how = "go-env-w" if "-w" in values else "go-env-u"
        out = []
        for word in args[1:]:
            if word.value.startswith("-"):
                continue
            name, eq, value = word.value.partition("=")
            if (how == "go-env-w" and not eq) or not name.isidentifier():
                continue  # not NAME=value, or a name we cannot know (`$VAR=x`): go rejects or we guess
            vstart = value_start(source.text, word, name)
            out.append(Setting(name, None if word.dynamic else value, Span(word.start, word.end),
                               Span(vstart, word.end) if eq else None, how, source, stmt,
                               dynamic=word.dynamic, raw_value=source.text[vstart:word.end] if eq else ""))
        return out
    inline = [setting_from(source, a, "inline", stmt) for a in assignments]
    end = args[-1].end if args else go_word.end
    return inline + [GoCommand(list(args), Span(go_word.start, end), inline, source, stmt, network_host)]


# -- shell start-up files (GP108, §25) ---------------------------------------------------------
_WRITE_OPS = (">", ">>", ">|", "&>", "&>>")
_LOGIN_SWITCHES = frozenset(("su", "runuser", "sudo"))  # shell_startup.login_switch reads only these
_MAY_READ_STARTUP = frozenset((".", "source", "tee", *shell.SHELLS))
_LINE_SETTING = re.compile(r"^(?:export\s+|declare\s+-x\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$")


def startup_events(source: Source, cmd, previous, stmt: Span, words: list | None = None) -> list:
    """A write of Go variables into a shell start-up file, a `. FILE` / `source FILE` of one, or a
    shell that reads its own (`bash -lc`, `bash -ic`, `su -`). `words`: the command's argv once
    wrappers are peeled (`sudo tee -a /etc/profile`, `env … bash -lc …`), when the caller has it."""
    if words is None:
        words = shell.unwrap(cmd)[1]
    program = words[0].value.rpartition("/")[2] if words else ""
    if program not in _MAY_READ_STARTUP and not cmd.redirects and not cmd.group_redirects \
            and (not cmd.argv or cmd.argv[0].value.rpartition("/")[2] not in _LOGIN_SWITCHES):
        return []  # most commands: no shell, no `.`, no tee, no redirection, no su or sudo
    argv = [w.value for w in words]
    out: list = []
    if program in (".", "source") and len(argv) > 1 and shell_startup.startup_file(argv[1]):
        out.append(StartupFileRead(argv[1], False, Span(cmd.start, cmd.end), source, stmt))
    elif program in shell.SHELLS:
        login, interactive, command = shell_startup.shell_flags(argv)
        if (login or interactive) and command:
            out.append(StartupFileRead("", login, Span(cmd.start, cmd.end), source, stmt, interactive=interactive))
    elif shell_startup.login_switch([w.value for w in cmd.argv]):
        out.append(StartupFileRead("", True, Span(cmd.start, cmd.end), source, stmt, pam=True))
    for path in _written_startup_files(cmd, program, words):
        kind = shell_startup.startup_file(path)
        settings = [Setting(name, None if dynamic else value, Span(cmd.start, cmd.end), None, "startup-file", source,
                            stmt, dynamic=dynamic, raw_value=value)
                    for name, value, dynamic in _assignments_written(cmd, program, previous, source.text)
                    if name in goenv.GO_VARIABLES]
        if settings and kind is not None:
            out.append(StartupFileWrite(path, kind, settings, Span(cmd.start, cmd.end), source, stmt))
    return out


def _written_startup_files(cmd, program: str, words: list) -> list[str]:
    paths = [r.target.value for r in cmd.redirects + cmd.group_redirects
             if r.op in _WRITE_OPS and r.target is not None and shell_startup.startup_file(r.target.value)]
    if program == "tee":
        paths += [w.value for w in words[1:] if not w.value.startswith("-") and shell_startup.startup_file(w.value)]
    return paths


def _assignments_written(cmd, program: str, previous, text: str) -> list[tuple[str, str, bool]]:
    """(name, value, dynamic) of each NAME=value line the command writes: its echo / printf words,
    its heredoc, or, for `… | tee`, the echo / printf before the pipe."""
    contents: list[tuple[str, bool]] = []  # (text, expanded by the shell)
    for r in cmd.redirects:
        if r.heredoc_body is not None:
            contents.append((r.heredoc_body.value, r.target is not None and not r.target.quoted))
    source_cmd = cmd
    if program == "tee" and not contents and previous is not None and \
            text[previous.end:cmd.start].strip() == "|":
        source_cmd = previous
    words = source_cmd.argv
    prog = words[0].value.rpartition("/")[2] if words else ""
    if prog in ("echo", "printf"):
        args = [w for w in words[1:]]
        while prog == "echo" and args and args[0].value in ("-e", "-n", "-E", "-ne", "-en"):
            args = args[1:]
        joined = " ".join(w.value for w in args)
        contents.append((joined.replace("\\n", "\n"), any(w.dynamic for w in args)))
    out = []
    for content, expanded in contents:
        for line in content.split("\n"):
            m = _LINE_SETTING.match(line.strip())
            if not m:
                continue
            name, value = m.group(1), m.group(2).strip()
            if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
                value = value[1:-1]
            out.append((name, value, "$" in value or "`" in value or expanded and "$" in content))
    return out


SHELLS = {"sh", "bash", "ash", "dash", "zsh", "ksh"}


def hand_off(source: Source, cmd, assignments: list, argv: list, stmt: Span, cwd: str | None,
             network_host: bool = False) -> list:
    """A HandOff for `make …`, `task …`, `./x.sh`, `bash x.sh`, `sh scripts/x`: another file of
    the repository runs there (analysis follows it)."""
    program = argv[0].value
    base = program.rpartition("/")[2]
    span = Span(argv[0].start, argv[-1].end)
    inline = [setting_from(source, a, "inline", stmt) for a in assignments]
    if argv[0].dynamic:
        return []
    if base in ("make", "gmake"):
        return [HandOff("make", list(argv[1:]), span, source, stmt, inline, cwd, network_host)]
    if base == "task" and program == "task":
        return [HandOff("task", list(argv[1:]), span, source, stmt, inline, cwd, network_host)]
    if base in SHELLS:
        rest = [w for w in argv[1:]]
        while rest and rest[0].value.startswith("-") and rest[0].value not in ("-c", "--"):
            rest = rest[1:]
        if rest and not rest[0].value.startswith("-") and not rest[0].dynamic:
            return [HandOff("script", rest, span, source, stmt, inline, cwd, network_host)]
        return []
    if "/" in program and not cmd.in_subshell:  # ./build.sh, scripts/x.sh, /install-cni
        return [HandOff("script", list(argv), span, source, stmt, inline, cwd, network_host)]
    return []
