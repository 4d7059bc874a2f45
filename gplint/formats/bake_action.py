"""docker/bake-action in a workflow: the bake targets it builds, as ImageBuilds of the job
(§21.5). `source` (the repository by default), `files` (default: the bake file names),
`targets` (default: the `default` group) and `set` (`<target pattern>.args.NAME=value`, which
overrides the file) are read; the
target's own args count as passed but are judged in the bake file (ImageBuild.defined_args), so
a finding is never made twice. GP104's fix edits the bake file (bake.py's adder)."""
from __future__ import annotations

import fnmatch
import posixpath

from ..model import BuildArg, ImageBuild
from ..source import Source, Span
from .bake import BakeFile, load, target_build
from .bake_syntax import BakeSyntaxError

TOOL = "docker/bake-action"
DEFAULT_FILES = ("docker-bake.json", "docker-bake.hcl", "docker-bake.override.json", "docker-bake.override.hcl")


def bake_action_builds(source: Source, step, stmt: Span, project, set_lines: list[BuildArg]) -> list[ImageBuild]:
    """`set_lines`: the `set` input's lines, read as the workflow reads build-args (NAME=value)."""
    inputs = step.get("with")
    if project is None or (inputs is not None and inputs.kind != "map"):
        return []

    def scalar(name):
        node = inputs.get(name) if inputs is not None else None
        return node if node is not None and node.kind == "scalar" else None

    workdir = _source_folder(scalar("source"), scalar("workdir"))
    if workdir is None:
        return []
    files_node, targets_node = scalar("files"), scalar("targets")
    if (files_node is not None and "${{" in (files_node.value or "")) or \
            (targets_node is not None and "${{" in (targets_node.value or "")):
        return []
    files = _items(files_node.value) if files_node is not None else list(DEFAULT_FILES)
    targets = _items(targets_node.value) if targets_node is not None else ["default"]
    overrides, opaque = _set_args(set_lines)

    by_target: dict[str, ImageBuild] = {}
    first: BakeFile | None = None
    for file in files:
        rel = _relative(posixpath.join(workdir, file)) if not file.startswith("/") else None
        bake = _bake_file(project, rel) if rel else None
        if bake is None:
            continue
        for name in bake.expand(targets):
            defined = target_build(bake, name, workdir, tool=TOOL, base=first)
            if defined is None:
                continue
            own = [BuildArg(n, v, s, source, dynamic=d) for pattern, n, v, s, d in overrides
                   if fnmatch.fnmatchcase(name, pattern)]
            names = {a.name for a in own}
            seen = by_target.get(name)
            if seen is not None:  # a later file adds to the target (§21.1): its args join
                later = {a.name for a in defined.build_args}
                seen.defined_args = [a for a in seen.defined_args if a.name not in later] + \
                    [a for a in defined.build_args if a.name not in names]
                seen.opaque_args = seen.opaque_args or defined.opaque_args
                continue
            build = ImageBuild(TOOL, defined.context, defined.dockerfile, own, Span(step.start, step.end), source,
                               stmt, network_host=defined.network_host,
                               add_build_arg=defined.add_build_arg,
                               defined_args=[a for a in defined.build_args if a.name not in names])
            build.opaque_args = build.opaque_args or defined.opaque_args or opaque
            by_target[name] = build
        first = first or bake
    return list(by_target.values())


def _source_folder(source_node, workdir_node) -> str | None:
    """The repository folder the bake files are read from (§21.5): `source` unset or
    `{{defaultContext}}` is the workflow's own repository at its commit (a Git context, `:sub`
    a folder of it); a local folder is itself; any other Git or HTTP ref is not this repository.
    `workdir` is the input of bake-action v5 and older."""
    if source_node is not None and source_node.value:
        text = source_node.value.strip()
        if text.startswith("{{defaultContext}}"):
            sub = text[len("{{defaultContext}}"):]
            return _relative(sub[1:] or ".") if sub.startswith(":") else ("" if not sub else None)
        if "://" in text or text.startswith("git@") or "{{" in text:
            return None
        return _relative(text)
    if workdir_node is not None:
        return _relative(workdir_node.value or ".")
    return ""


def _bake_file(project, rel: str) -> BakeFile | None:
    found = project.source(rel, "bake")
    if found is None:
        return None
    try:
        return load(found)
    except BakeSyntaxError:
        return None  # the bake file reports it itself


def _items(text: str | None) -> list[str]:
    """An action list input: one item per line or comma-separated."""
    return [i.strip() for line in (text or "").splitlines() for i in line.split(",") if i.strip()]


def _set_args(lines: list[BuildArg]) -> tuple[list, bool]:
    """(pattern, NAME, value, span, dynamic) for each `pattern.args.NAME=value` line of `set`."""
    out = []
    opaque = False
    for arg in lines:
        key, value = arg.name, arg.value
        pattern, dot, rest = key.partition(".")
        field, dot2, name = rest.partition(".")
        if "${{" in key:
            opaque = True
            continue
        if not dot or not dot2 or field != "args" or not name:
            continue
        out.append((pattern, name, value, arg.span, arg.dynamic))
    return out, opaque


def _relative(path: str) -> str | None:
    if "${{" in path or path.startswith(("/", "~", "$")):
        return None
    normal = posixpath.normpath(path)
    return None if normal == ".." or normal.startswith("../") else ("" if normal == "." else normal)
