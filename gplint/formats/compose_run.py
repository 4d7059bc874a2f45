"""`docker compose build` / `up` (and `docker-compose`) in a CI script: the compose services it
builds, as ImageBuilds of the job (§20.6). The compose files are `-f` ones (any name) or the
default names in the working folder (§20.1); the service's own args count as passed but are
judged in the compose file (ImageBuild.defined_args); a `--build-arg` on the command line is
judged where it is written. GP104's fix for such a command edits the compose file."""
from __future__ import annotations

import posixpath

from ..kinds import COMPOSE_NAMES
from ..model import BuildArg, ImageBuild
from ..source import Source, Span

# global options of `docker compose` that take a value, and those that make us give up
_GLOBAL_VALUE = {"-f", "--file", "-p", "--project-name", "--profile", "--ansi", "--progress", "--parallel",
                 "--env-file", "--project-directory"}
_UNKNOWN_LAYOUT = {"--project-directory", "--env-file"}  # paths or .env elsewhere: not followed
_BUILD_VALUE = {"--build-arg", "--builder", "--ssh", "-m", "--memory", "--provenance", "--sbom"}
_UP_VALUE = {"--scale", "-t", "--timeout", "--exit-code-from", "--attach", "--no-attach", "--pull",
             "--wait-timeout"}
_DEFAULT_ORDER = ("compose.yaml", "compose.yml", "docker-compose.yml", "docker-compose.yaml")
_OVERRIDE_ORDER = ("compose.override.yml", "compose.override.yaml", "docker-compose.override.yml",
                   "docker-compose.override.yaml")


def compose_builds(source: Source, argv: list, stmt: Span, cwd: str | None, project) -> list[ImageBuild]:
    words = [w.value for w in argv]
    program = words[0].rpartition("/")[2]
    if program == "docker" and words[1:2] == ["compose"]:
        i = 2
    elif program == "docker-compose":
        i = 1
    else:
        return []
    if project is None or cwd is None:
        return []
    files: list[str] = []
    while i < len(argv) and words[i].startswith("-"):
        name, eq, inline = words[i].partition("=")
        if name in _UNKNOWN_LAYOUT or argv[i].dynamic:
            return []
        value = inline if eq else (words[i + 1] if name in _GLOBAL_VALUE and i + 1 < len(argv) else None)
        if name in ("-f", "--file"):
            if value is None or "$" in value or value == "-":
                return []
            files.append(value)
        i += 1 if eq or name not in _GLOBAL_VALUE else 2
    if i >= len(argv) or words[i] not in ("build", "up"):
        return []
    command = words[i]
    value_flags = _BUILD_VALUE if command == "build" else _UP_VALUE
    i += 1
    services: list[str] = []
    cli_args: list[BuildArg] = []
    while i < len(argv):
        word = argv[i]
        if word.value.startswith("-"):
            name, eq, inline = word.value.partition("=")
            operand = argv[i + 1] if not eq and name in value_flags and i + 1 < len(argv) else None
            if name == "--build-arg" and command == "build":
                text, at = (inline, word.start + len(name) + 1) if eq else \
                    ((operand.value, operand.start) if operand is not None else ("", word.end))
                arg_name, arg_eq, arg_value = text.partition("=")
                end = operand.end if operand is not None else word.end
                cli_args.append(BuildArg(arg_name, arg_value if arg_eq else None, Span(at, end), source,
                                         dynamic=(operand or word).dynamic or "$" in arg_value))
            i += 2 if operand is not None else 1
            continue
        if word.dynamic:
            return []  # `docker compose build $SERVICES`: which ones we cannot tell
        services.append(word.value)
        i += 1
    rels = [_join(cwd, f) for f in files] if files else _defaults(project, cwd)
    if not rels or any(r is None for r in rels):
        return []
    return _builds(source, argv, stmt, project, [r for r in rels if r], services, cli_args)


def _defaults(project, cwd: str) -> list[str]:
    """The files compose finds by itself in the working folder: the first default name, then the
    first override name beside it (§20.1)."""
    def first(names):
        for name in names:
            rel = posixpath.join(cwd, name) if cwd else name
            if project.exists(rel):
                return rel
        return None

    base = first(_DEFAULT_ORDER)
    if base is None:
        return []
    override = first(_OVERRIDE_ORDER)
    return [base] + ([override] if override else [])


def _builds(source, argv, stmt, project, rels, services, cli_args) -> list[ImageBuild]:
    """One build per service; a service in several files is one build: the first file's context
    and Dockerfile, the args of all (a later file adds or overrides args, §20.6)."""
    from . import compose

    by_service: dict[str, ImageBuild] = {}
    for rel in rels:
        if posixpath.basename(rel) not in COMPOSE_NAMES and not rel.endswith((".yml", ".yaml")):
            return []
        found = project.source(rel, "compose")
        if found is None:
            return []
        doc = compose.lower(found, project)
        if doc.problems:
            return []
        for scope in doc.scopes:
            for event in scope.events:
                if not isinstance(event, ImageBuild) or (services and scope.name not in services):
                    continue
                seen = by_service.get(scope.name)
                if seen is None:
                    by_service[scope.name] = _job_build(source, argv, stmt, event, cli_args)
                else:
                    names = {a.name for a in event.build_args}
                    seen.defined_args = [a for a in seen.defined_args if a.name not in names] + \
                        [a for a in event.build_args if a.name not in {c.name for c in cli_args}]
                    seen.opaque_args = seen.opaque_args or event.opaque_args
    return list(by_service.values())


def _job_build(source, argv, stmt, defined: ImageBuild, cli_args: list[BuildArg]) -> ImageBuild:
    names = {a.name for a in cli_args}
    build = ImageBuild("docker compose", defined.context, defined.dockerfile, list(cli_args),
                       Span(argv[0].start, argv[-1].end), source, stmt, network_host=defined.network_host,
                       add_build_arg=defined.add_build_arg,
                       defined_args=[a for a in defined.build_args if a.name not in names])
    build.opaque_args = build.opaque_args or defined.opaque_args
    return build


def _join(cwd: str, path: str) -> str | None:
    if path.startswith(("/", "~")) or "$" in path:
        return None
    joined = posixpath.normpath(posixpath.join(cwd, path)) if cwd else posixpath.normpath(path)
    return None if joined == ".." or joined.startswith("../") else joined
