"""Model events from shell commands, shared by Dockerfile RUN and CI scripts: `export X=v`,
plain `X=v`, `X=v go …` / `env X=v go …`, `go env -w/-u`, and go commands."""
from __future__ import annotations

from ..model import GoCommand, HandOff, Setting
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
    for cmd in commands:
        assignments, argv = shell.unwrap(cmd)
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
