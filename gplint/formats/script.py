"""A shell script named on the command line (`gplint hack/build.sh`): one scope whose commands
run in one shell (§18.1), like a GitLab job's script. Scripts reached from a Dockerfile or a CI
job are followed from there instead (handoffs.py), with the environment they are given."""
from __future__ import annotations

import posixpath

from ..model import Document, Scope
from ..source import Source, Span
from . import shell
from .ci_script import image_build
from .script_events import command_events, hand_off


def lower(source: Source) -> Document:
    doc = Document(source)
    stmt = Span(0, len(source.text))
    scope = Scope("job", posixpath.basename(source.path), 0, source, Span(0, 0), one_shell=True)
    doc.scopes.append(scope)
    if "\0" in source.text[:1024]:
        return doc  # a binary: nothing to read
    commands = shell.parse_script(source.text, 0)

    def other(cmd, assignments, argv):
        build = image_build(source, argv, stmt, None)
        if build is not None:
            return [build]
        return [h for h in hand_off(source, cmd, assignments, argv, stmt, None) if h.program != "script"]

    scope.events.extend(command_events(source, commands, stmt, on_other=other))
    return doc
