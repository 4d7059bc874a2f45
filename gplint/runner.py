"""One gplint run: find the targets, read them, lint them, and fix them when asked."""
from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from . import discover
from .diagnostic import Diagnostic
from .engine import check_document, lower_source, unusable
from .project import MAX_BYTES, Project
from .source import Source, SourceError


class UsageError(Exception):
    pass


@dataclass
class Target:
    abspath: str  # '-' for standard input
    kind: str
    display: str
    data: bytes | None = None  # standard input, read once


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)  # abspath -> source as read
    input_errors: int = 0
    messages: list[str] = field(default_factory=list)  # notes for stderr (skipped files, refused writes)


def collect_targets(paths: list[str], kind: str | None, stdin_filename: str | None,
                    project: Project) -> list[Target]:
    targets: list[Target] = []
    for path in paths:
        if path == "-":
            name = stdin_filename or "-"
            target_kind = kind or discover.kind_of(name.replace(os.sep, "/"))
            if target_kind is None:
                raise UsageError("cannot tell what kind of file standard input is: pass --kind or --stdin-filename")
            display = name if stdin_filename else "<stdin>"
            abspath = os.path.abspath(stdin_filename) if stdin_filename else "-"
            targets.append(Target(abspath, target_kind, display, sys.stdin.buffer.read()))
            continue
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
        named_like_a_file = discover.kind_of(os.path.basename(os.path.abspath(path))) == "dockerfile"
        if os.path.isdir(path) and not kind and not named_like_a_file:
            found, inventory = discover.walk(project.root, os.path.abspath(path))
            if os.path.abspath(path) == project.root:
                project.inventory_files = inventory
            targets.extend(Target(f.abspath, f.kind, project.display(f.abspath)) for f in found)
            continue
        target_kind = kind or discover.kind_of(os.path.basename(path))
        if target_kind is None:
            raise UsageError(f"{path}: cannot tell what kind of file this is: pass --kind")
        abspath = os.path.abspath(path)
        targets.append(Target(abspath, target_kind, project.display(abspath)))
    seen = set()
    unique = []
    for t in targets:
        if t.abspath == "-" or t.abspath not in seen:
            seen.add(t.abspath)
            unique.append(t)
    return unique


def read_target(target: Target, override: str | None = None) -> Source:
    """The target as a Source; raises SourceError with a clear reason when it is unusable."""
    if override is not None:
        data = None
    elif target.data is not None:
        data = target.data
    else:
        if os.path.isdir(target.abspath):
            raise SourceError("is a directory, not a file")
        try:
            size = os.path.getsize(target.abspath)
            if size > MAX_BYTES:
                raise SourceError(f"file too large to lint ({size / 1e6:.1f} MB; the limit is {MAX_BYTES // 2**20} MiB)")
            with open(target.abspath, "rb") as f:
                data = f.read(MAX_BYTES + 1)
        except OSError as exc:
            raise SourceError(f"cannot read: {exc.strerror or exc}") from None
    if override is not None:
        src = Source(target.display, target.abspath, target.kind, override)
        return src
    return Source.from_bytes(target.display, target.abspath, target.kind, data)


def lint(targets: list[Target], project: Project, selected, overrides: dict[str, str] | None = None,
         originals: dict[str, Source] | None = None) -> RunResult:
    result = RunResult()
    docs = []
    for target in targets:
        override = (overrides or {}).get(target.abspath)
        try:
            source = read_target(target, override)
            if override is not None and originals and target.abspath in originals:
                source.has_bom = originals[target.abspath].has_bom
        except SourceError as exc:
            placeholder = Source(target.display, target.abspath, target.kind, "")
            result.diagnostics.append(unusable(placeholder, f"{exc.message}"))
            result.input_errors += 1
            continue
        result.sources[target.abspath] = source
        if target.kind == "dockerfile" and not source.text.strip():
            result.diagnostics.append(unusable(source, "empty Dockerfile: there is nothing docker can build"))
            result.input_errors += 1
            continue
        try:
            docs.append(lower_source(project, source))
        except Exception as exc:  # a bug must cost one file, never the run (and never a traceback)
            result.diagnostics.append(unusable(source, f"internal error while reading this file: {exc!r}"))
            result.input_errors += 1
    for doc in docs:
        try:
            diags = check_document(doc, project, selected)
        except Exception as exc:
            diags = [unusable(doc.source, f"internal error while checking this file: {exc!r}")]
        result.input_errors += sum(1 for d in diags if d.code == "GP001")
        result.diagnostics.extend(diags)
    result.diagnostics.sort(key=lambda d: d.sort_key)
    return result
