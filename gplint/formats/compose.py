"""Lower a docker compose file into the model: one scope per service that builds an image, with
one ImageBuild (§20). Positions come from yamlpos, so findings stand on the `args` entry and a
fix inserts text without re-serialising the file.

What compose does (docs/semantics.md §20): `build:` is a context path or a mapping (`context`,
`dockerfile` relative to the context, `dockerfile_inline`, `target`, `args`, `network`); `args`
is a mapping or a list of `NAME=value`; a bare `NAME` (list) or `NAME:` (null mapping value)
takes the value from the environment and drops the arg when it is unset (§20.2); values are
interpolated from the environment and the project folder's `.env` (§20.3, §20.4); `extends`
copies a service of this file or of another local file (§20.5); `<<: *anchor` merges.
"""
from __future__ import annotations

import posixpath

from ..diagnostic import Edit
from ..kinds import COMPOSE_NAMES
from ..model import BuildArg, Document, ImageBuild, Scope, Setting
from ..source import Source, Span
from .interpolation import interpolate, parse_dotenv
from .yaml_document import load_root
from .yamlpos import YamlError, YNode, load_yaml, pair_end

TOOL = "docker compose"
_NULLS = ("", "~", "null", "Null", "NULL")
_MAX_EXTENDS = 16


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    root = _load(doc)
    if root is None:
        return doc
    folder = _folder(source, project)
    _services(doc, source, root, project, folder)
    for rel in _included(root, project, folder):
        included = project.source(rel, "compose")
        try:
            other = load_yaml(included.text) if included is not None else None
        except YamlError:
            continue  # linted on its own if it is a compose file by name; else silent
        if other is not None and other.kind == "map":
            _services(doc, included, other, project, posixpath.dirname(rel))
    return doc


def _services(doc: Document, source: Source, root: YNode, project, folder: str) -> None:
    env = _dotenv(project, folder)
    node = root.get("services")
    if node is None or node.kind != "map":
        return
    services = _by_name(node)
    for key, service in node.items:
        if key.kind != "scalar" or service.kind != "map":
            continue
        build = _service_build(source, project, folder, env, services, service)
        if build is None:
            continue
        index = len(doc.scopes)
        scope = Scope("job", key.value or str(index), index, source, Span(key.start, pair_end(key, service)))
        scope.events.append(build)
        doc.scopes.append(scope)


def _by_name(services: YNode) -> dict[str, YNode]:
    """Services by name (the last of a repeated name, as YAML readers keep it): `extends` looks
    them up once each, never by scanning the list (a chain of thousands stays linear)."""
    return {k.value: v for k, v in merged_items(services) if k.kind == "scalar" and k.value is not None}


def _included(root: YNode, project, folder: str) -> list[str]:
    """`include:` entries that are local files (a string, or a mapping's `path`) and that are not
    compose files by name: those are linted on their own, and their builds found there (§20.5).
    Each included file's paths and `.env` are its own folder's (its project_directory default)."""
    node = root.get("include")
    if project is None or node is None or node.kind != "seq":
        return []
    out = []
    for item in node.items:
        path = item if item.kind == "scalar" else _get(item, "path")
        if path is None or path.kind != "scalar" or not path.value:
            continue
        rel = _relative(folder, path.value)
        if rel and posixpath.basename(rel) not in COMPOSE_NAMES and rel not in out:
            out.append(rel)
    return out


def _load(doc: Document) -> YNode | None:
    return load_root(doc, what="not a compose file")


def _folder(source: Source, project) -> str:
    """The compose file's folder, repository-relative (the project directory, §20.1)."""
    if project is not None and source.abspath != "-":
        return posixpath.dirname(project.rel(source.abspath))
    return posixpath.dirname(source.path)


def _dotenv(project, folder: str) -> dict[str, str]:
    if project is None:
        return {}
    env_source = project.source(posixpath.join(folder, ".env") if folder else ".env", "dotenv")
    return parse_dotenv(env_source.text) if env_source is not None else {}


def merged_items(node: YNode | None, depth: int = 0) -> list[tuple[YNode, YNode]]:
    """A mapping's pairs with `<<` merges resolved (explicit keys win over merged ones)."""
    if node is None or node.kind != "map" or depth > 16:
        return []
    own: list = []
    merged: list = []
    for k, v in node.items:
        if k.kind == "scalar" and k.value == "<<" and k.style is None:
            for part in (v.items if v.kind == "seq" else [v]):
                merged.extend(merged_items(part, depth + 1))
        else:
            own.append((k, v))
    names = {k.value for k, _ in own if k.kind == "scalar"}
    return [(k, v) for k, v in merged if k.value not in names] + own


def _get(node: YNode | None, key: str) -> YNode | None:
    found = None
    for k, v in merged_items(node):
        if k.kind == "scalar" and k.value == key:
            found = v
    return found


class _Build:
    """A service's build section, with what `extends` brings in (own keys win)."""

    def __init__(self):
        self.context: str | None = None  # repository-relative, resolved in the file that writes it
        self.context_written = False
        self.dockerfile: str | None = None
        self.dockerfile_written = False  # written but unknown (`${DOCKERFILE}`) stays None
        self.inline = False
        self.network: str | None = None
        self.args: dict[str, BuildArg] = {}  # by name, in order
        self.settings: dict[str, Setting] = {}
        self.opaque = False


def _service_build(source: Source, project, folder, env, services, service) -> ImageBuild | None:
    build_node = _get(service, "build")
    if build_node is None and _get(service, "extends") is None:
        return None
    build = _Build()
    found = _collect(source, project, folder, env, services, service, build, 0)
    if not found or build.inline:
        return None  # no build, or a Dockerfile written inline: nothing of the repository's is built
    context = build.context if build.context_written else folder
    dockerfile = None
    written = build.dockerfile if build.dockerfile_written else "Dockerfile"
    if context is not None and written is not None:
        dockerfile = None if written.startswith("/") else _relative(context, written)
    node = build_node if build_node is not None else service
    stmt = Span(node.start, node.end)
    image = ImageBuild(TOOL, context, dockerfile, list(build.args.values()), stmt, source, stmt,
                       network_host=build.network == "host", passed=list(build.settings.values()),
                       add_build_arg=_adder(source, service, build_node))
    image.opaque_args = image.opaque_args or build.opaque
    return image


def _collect(source, project, folder, env, services, service, build: _Build, depth: int) -> bool:
    """Fill `build` from the service and the services it extends (the base first). Whether any
    of them has a build section."""
    found = False
    extends = _get(service, "extends")
    if extends is not None and depth < _MAX_EXTENDS:
        base_name, base_file = None, None
        if extends.kind == "scalar":
            base_name = extends.value
        elif extends.kind == "map":
            s, f = _get(extends, "service"), _get(extends, "file")
            base_name = s.value if s is not None and s.kind == "scalar" else None
            base_file = f.value if f is not None and f.kind == "scalar" else None
        if base_name:
            if base_file:
                found = _extend_from_file(project, folder, env, base_file, base_name, build, depth)
            else:
                base = services.get(base_name)
                if base is not None and base.kind == "map" and base is not service:
                    found = _collect(source, project, folder, env, services, base, build, depth + 1)
    node = _get(service, "build")
    if node is None:
        return found
    if node.kind == "scalar":
        _set_context(build, folder, interpolate(node.value or ".", env))
        return True
    if node.kind != "map":
        return found
    for key, value in merged_items(node):
        word = key.value if key.kind == "scalar" else None
        if value.kind != "scalar":
            if word == "args":
                _args(source, env, value, build)
            continue
        text = interpolate(value.value or "", env)
        if word == "context":
            _set_context(build, folder, text)
        elif word == "dockerfile":
            build.dockerfile, build.dockerfile_written = text, True
        elif word == "dockerfile_inline":
            build.inline = True
        elif word == "network":
            build.network = text
    return True


def _set_context(build: _Build, folder: str, written: str | None) -> None:
    build.context_written = True
    build.context = _relative(folder, written) if written is not None else None


def _extend_from_file(project, folder, env, file, name, build, depth) -> bool:
    """`extends: {file: other.yml, service: x}`: that file's service, its paths relative to it."""
    if project is None or "$" in file or file.startswith("/"):
        return False
    rel = _relative(folder, file)
    other = project.source(rel, "compose") if rel else None
    if other is None or rel is None:
        return False
    try:
        root = load_yaml(other.text)
    except YamlError:
        return False
    node = root.get("services") if root is not None and root.kind == "map" else None
    services = _by_name(node) if node is not None else {}
    base = services.get(name)
    if base is None or base.kind != "map":
        return False
    inner = _Build()
    other_folder = posixpath.dirname(rel)
    found = _collect(other, project, other_folder, env, services, base, inner, depth + 1)
    if inner.context_written:  # resolved against the base's own folder (§20.5)
        build.context, build.context_written = inner.context, True
    build.dockerfile, build.dockerfile_written, build.inline = inner.dockerfile, inner.dockerfile_written, inner.inline
    build.network = inner.network
    build.args.update(inner.args)
    build.settings.update(inner.settings)
    build.opaque = build.opaque or inner.opaque
    return found


def _args(source: Source, env, node: YNode, build: _Build) -> None:
    text = source.text
    if node.kind == "seq":
        for item in node.items:
            if item.kind != "scalar" or not item.value:
                continue
            name, eq, raw = item.value.partition("=")
            span = Span(item.start, item.end)
            written = text[item.start:item.end]
            # where the value's text is, when the item is written plainly (`- NAME=value`)
            value_span = Span(item.end - len(raw), item.end) if eq and written == item.value else None
            _add(source, env, build, name.strip(), raw if eq else None, span, value_span, raw)
    elif node.kind == "map":
        for key, value in merged_items(node):
            if key.kind != "scalar" or not key.value:
                continue
            span = Span(key.start, pair_end(key, value))
            if value.kind != "scalar":
                build.opaque = True
                continue
            bare = value.style is None and (value.value or "") in _NULLS
            _add(source, env, build, key.value, None if bare else (value.value or ""), span,
                 Span(value.start, value.end), text[value.start:value.end])


def _add(source, env, build: _Build, name: str, raw: str | None, span: Span, value_span, written: str) -> None:
    if not name or "$" in name:
        build.opaque = True
        return
    build.args.pop(name, None)
    build.settings.pop(name, None)
    if raw is None:  # from the environment; dropped when unset (§20.2)
        build.args[name] = BuildArg(name, None, span, source)
        return
    value = interpolate(raw, env)
    dynamic = value is None
    build.args[name] = BuildArg(name, raw if dynamic else value, span, source, dynamic=dynamic)
    build.settings[name] = Setting(name, value, span, value_span, "build-arg", source, span,
                                   dynamic=dynamic, raw_value=written)


def _relative(folder: str, path: str) -> str | None:
    """A path of the compose file resolved against its folder, repository-relative; None when
    it leaves the repository, is absolute, a URL, or depends on the unknown environment."""
    if path.startswith(("/", "~")) or "://" in path or path.startswith("git@") or "$" in path:
        return None
    joined = posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)
    if joined == "..":
        return None
    if joined.startswith("../"):
        return None
    return "" if joined == "." else joined


# -- the fix: pass one more build arg, from the environment ----------------------------------
def _adder(source: Source, service: YNode, build_node: YNode | None):
    """`- NAME` in a list, `NAME:` in a mapping (a null value takes the environment's, §20.2),
    or a new `args:` list in a block `build:` mapping. None where the layout is not plain block
    YAML we can extend safely (flow style, aliases, a `build: .` string)."""
    text = source.text

    def add(name: str):
        if build_node is None or build_node.kind != "map" or build_node.style is not None or build_node.anchor:
            return None
        args = build_node.get("args")
        nl = source.newline
        if args is None:
            if any(k.value == "<<" for k, _ in build_node.items):
                return None  # merged args may exist: adding a key would hide them
            indent = _indent_of(text, build_node.items[0][0].start)
            at = _line_end(text, build_node.end)
            return Edit.insert(source, at, _break(text, at, nl) + " " * indent + "args:" + nl
                               + " " * (indent + 2) + f"- {name}" + nl)
        if args.anchor or args.style is not None or not args.items:
            return None
        if args.kind == "seq":
            first = args.items[0]
            indent = _indent_of(text, first.start) - 2  # the `- ` before the item
            if indent < 0 or text[first.start - 2:first.start] != "- ":
                return None
            at = _line_end(text, args.end)
            return Edit.insert(source, at, _break(text, at, nl) + " " * indent + f"- {name}" + nl)
        if args.kind == "map":
            if any(k.value == "<<" for k, _ in args.items):
                return None
            indent = _indent_of(text, args.items[0][0].start)
            at = _line_end(text, args.end)
            return Edit.insert(source, at, _break(text, at, nl) + " " * indent + f"{name}:" + nl)
        return None

    return add


def _indent_of(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1)


def _line_end(text: str, offset: int) -> int:
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def _break(text: str, at: int, nl: str) -> str:
    return "" if at == 0 or text[at - 1] == "\n" else nl
