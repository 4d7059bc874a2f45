"""Lower a GoReleaser configuration (`.goreleaser.yaml`) into the model: one scope per image of
`dockers` and `dockers_v2`, each with the ImageBuild it makes (docs/semantics.md §22).

GoReleaser renders each `build_flag_templates` item as a template and passes it as one argument
to `docker build` (§22.2): `--build-arg=NAME=value` works, `--build-arg` followed by an item
`NAME=value` works, and `--build-arg NAME=value` in one item is one unknown flag to docker.
The build context is a temporary folder with the binaries and `extra_files` (§22.1), not a
repository folder: the builds have no context here (GP401 does not judge them).
"""
from __future__ import annotations

import re

from ..model import BuildArg, Document, ImageBuild, Scope
from ..source import Source, Span
from .build_yaml import append_item, append_key, arg_from, folder_of, join, load_root, map_build_args, scalar, \
    text_start
from .yamlpos import YNode

TOOL = "goreleaser"


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    root = load_root(doc)
    if root is None:
        return doc
    folder = folder_of(source, project)
    index = 0
    for key in ("dockers", "dockers_v2"):
        images = root.get(key)
        if images is None or images.kind != "seq":
            continue
        for position, image in enumerate(images.items):
            if image.kind != "map":
                continue
            name_node = scalar(image, "id")
            name = f"{key}[{position}]" + (f" ({name_node.value})" if name_node is not None and name_node.value else "")
            scope = Scope("job", name, index, source, Span(image.start, image.end))
            index += 1
            build = _build(source, folder, image, v2=key == "dockers_v2")
            if build is not None:
                scope.events.append(build)
            doc.scopes.append(scope)
    return doc


def _build(source: Source, folder: str | None, image: YNode, v2: bool) -> ImageBuild | None:
    file_node = scalar(image, "dockerfile")
    dockerfile = join(folder, file_node.value if file_node is not None and file_node.value else "Dockerfile")
    flags_key = "flags" if v2 else "build_flag_templates"
    flags = image.get(flags_key)
    build_args: list[BuildArg] = []
    unusable: list[BuildArg] = []
    network_host = opaque = False
    if flags is not None and flags.kind == "seq":
        items = [n for n in flags.items if n.kind == "scalar"]
        pending_value_of: str | None = None  # the flag whose value is the next item
        for node in items:
            text = node.value or ""
            if pending_value_of is not None:
                flag, pending_value_of = pending_value_of, None
                if flag == "--build-arg":
                    build_args.append(_arg(source, node, text))
                elif flag == "--network":
                    network_host = network_host or text == "host"
                continue
            if text in ("--build-arg", "--network"):
                pending_value_of = text
            elif text.lstrip().startswith("{{"):
                opaque = True  # a whole flag from a template may be any flag, a build arg too
            elif text.startswith("--build-arg="):
                build_args.append(_arg(source, node, text[len("--build-arg="):], skip=len("--build-arg=")))
            elif text.startswith("--network="):
                network_host = network_host or text[len("--network="):] == "host"
            elif re.match(r"--build-arg\s", text):
                # one argument `--build-arg NAME=value`: docker reads the flag name up to `=`
                # (`build-arg NAME`), which it does not know, and the build stops (§22.2)
                rest = text[len("--build-arg"):]
                unusable.append(_arg(source, node, rest.lstrip(), skip=len(text) - len(rest.lstrip())))
    stmt = Span(image.start, image.end)
    build_args_map = image.get("build_args") if v2 else None
    map_args = map_build_args(source, build_args_map, stmt, null_passes_env=False) if build_args_map is not None else []

    def add_build_arg(name: str):
        if v2:
            # `build_args` values are templates, and `{{ .Env.NAME }}` of an unset variable fails
            # the release: no form passes "the environment's value, if any" (§22.3)
            return None
        item = f"--build-arg={name}"  # no value: docker takes it from its environment (§9.3, §22.2)
        if flags is not None:
            return append_item(source, flags, item) if flags.kind == "seq" else None
        return append_key(source, image, [f"{flags_key}:", f"  - {item}"])

    build = ImageBuild(TOOL, None, dockerfile, build_args, stmt, source, stmt,
                       network_host=network_host, add_build_arg=add_build_arg, unusable_args=unusable,
                       opaque_args=opaque)
    # a mapping entry is a setting of its own shape (`NAME: value`), made by map_build_args
    build.build_args.extend(a for a, _ in map_args)
    build.passed.extend(s for _, s in map_args if s is not None)
    return build


def _arg(source: Source, node: YNode, text: str, skip: int = 0) -> BuildArg:
    """`NAME=value` from a flag item (`skip`: characters of the item before it)."""
    start = text_start(source, node)
    return arg_from(source, node, text, None if start is None else start + skip)
