"""Lower a Skaffold configuration (`skaffold.yaml`, one or more YAML documents) into the model:
one scope per artifact of `build.artifacts` and of each profile's `build.artifacts`, each with
the ImageBuild it makes (docs/semantics.md §23).

`context` is relative to the configuration's folder, `docker.dockerfile` to the context (§23.1).
`buildArgs` values are Go templates over the environment; a null value passes `--build-arg NAME`,
which takes the value from the environment (§23.2). What a template renders is unknown, except
`{{.Env.NAME}}` (GoReleaser's spelling): Skaffold's template data is the environment itself, so
`.Env` is missing and the value renders as the literal `<no value>` (§23.3).
"""
from __future__ import annotations

import re

from ..model import Document, ImageBuild, Scope
from ..source import Source, Span
from .build_yaml import add_map_entry, folder_of, join, load_root, map_build_args, scalar
from .yamlpos import YNode

TOOL = "skaffold"
# the builders that do not build a Dockerfile (an artifact without any builder key uses docker)
OTHER_BUILDERS = ("jib", "bazel", "buildpacks", "ko", "custom")
DOCKERFILE_BUILDERS = ("docker", "kaniko")
# a document starts at a `---` line (a directive end marker); `...` ends one
_DOCUMENT_START = re.compile(r"^---(?=[ \t]|\r?$)", re.MULTILINE)
_ENV_FIELD = re.compile(r"\{\{-?\s*\.Env\.[A-Za-z_][A-Za-z0-9_]*\s*-?\}\}")


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    folder = folder_of(source, project)
    for start, end in _documents(source.text):
        chunk = source.text[start:end]
        if _only_comments(chunk):
            continue
        root = load_root(doc, chunk, start)
        if root is None:
            continue
        _artifacts(doc, folder, root.get("build"), "")
        profiles = root.get("profiles")
        if profiles is not None and profiles.kind == "seq":
            for profile in profiles.items:
                if profile.kind != "map":
                    continue
                name = scalar(profile, "name")
                _artifacts(doc, folder, profile.get("build"), f"profile {name.value if name is not None else '?'}: ")
    return doc


def _documents(text: str) -> list[tuple[int, int]]:
    """The (start, end) of each YAML document, split at `---` lines at the left margin; what
    comes before a marker with only comments or directives (`%YAML 1.2`) stays with it."""
    starts = [m.start() for m in _DOCUMENT_START.finditer(text)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    ends = starts[1:] + [len(text)]
    out: list[tuple[int, int]] = []
    pending = None  # the start of a preamble that belongs to the next document
    for start, end in zip(starts, ends):
        begin = start if pending is None else pending
        if end < len(text) and _only_comments(text[start:end]):
            pending = begin
            continue
        pending = None
        out.append((begin, end))
    return out


def _only_comments(chunk: str) -> bool:
    lines = [ln.strip() for ln in chunk.splitlines()]
    return all(not ln or ln.startswith(("#", "%")) or ln in ("---", "...") for ln in lines)


def _artifacts(doc: Document, folder: str | None, build: YNode | None, prefix: str) -> None:
    artifacts = build.get("artifacts") if build is not None and build.kind == "map" else None
    if artifacts is None or artifacts.kind != "seq":
        return
    for position, artifact in enumerate(artifacts.items):
        if artifact.kind != "map":
            continue
        if any(artifact.get(b) is not None for b in OTHER_BUILDERS):
            continue  # not a Dockerfile build
        image = scalar(artifact, "image")
        name = prefix + (image.value if image is not None and image.value else f"artifacts[{position}]")
        scope = Scope("job", name, len(doc.scopes), doc.source, Span(artifact.start, artifact.end))
        scope.events.append(_build(doc.source, folder, artifact))
        doc.scopes.append(scope)


def _build(source: Source, folder: str | None, artifact: YNode) -> ImageBuild:
    builder_key = next((b for b in DOCKERFILE_BUILDERS if artifact.get(b) is not None), None)
    builder = artifact.get(builder_key) if builder_key else None
    if builder is not None and builder.kind != "map":
        builder = None
    context_node = scalar(artifact, "context")
    context = join(folder, context_node.value if context_node is not None and context_node.value else ".")
    file_node = scalar(builder, "dockerfile")
    dockerfile = join(context, file_node.value if file_node is not None and file_node.value else "Dockerfile")
    stmt = Span(artifact.start, artifact.end)
    args_node = builder.get("buildArgs") if builder is not None else None
    pairs = map_build_args(source, args_node, stmt, null_passes_env=True) if args_node is not None else []
    for arg, setting in pairs:
        rendered = _rendered(arg.value)
        if rendered is not None:
            arg.value, arg.dynamic = rendered, False
            if setting is not None:
                setting.value, setting.dynamic = rendered, False
    network = scalar(builder, "network")

    def add_build_arg(name: str):
        # a null value passes `--build-arg NAME`: the environment's value, when it has one (§23.2)
        if builder is None:
            return None
        flow = args_node is not None and args_node.style == "{"
        return add_map_entry(source, builder, "buildArgs", args_node, f"{name}: null" if flow else f"{name}:")

    build = ImageBuild(TOOL, context, dockerfile, [], stmt, source, stmt,
                       network_host=network is not None and network.value == "host", add_build_arg=add_build_arg)
    build.build_args.extend(a for a, _ in pairs)
    build.passed.extend(s for _, s in pairs if s is not None)
    return build


def _rendered(value: str | None) -> str | None:
    """The value a template certainly renders to (`{{.Env.NAME}}` → `<no value>`, §23.3), or None."""
    if value is None or "{{" not in value:
        return None
    text = _ENV_FIELD.sub("<no value>", value)
    return None if "{{" in text else text
