"""Lower a `docker buildx bake` file (HCL or JSON) into the model: one scope per target that is
built, holding its ImageBuild (§21).

What bake does (docs/semantics.md §21): a `target` has `context` (relative to where bake runs:
the file's folder here), `dockerfile` (relative to the context), `args`, `target`, `inherits`
(the parents' attributes first, own ones win; `args` merge key by key) and `contexts`; a
`variable` has a default that a same-named environment variable overrides; `${NAME}` and a bare
`NAME` read a variable; an `args` value `null` drops the arg, so the Dockerfile's default is
used (§21.3). A pass-through is `variable "GOPROXY" { default = null }` with `GOPROXY = GOPROXY`
in `args`: passed when the environment sets it, dropped otherwise, like a bare `--build-arg`.
"""
from __future__ import annotations

import posixpath

from ..diagnostic import Edit
from ..model import BuildArg, Document, ImageBuild, InputProblem, Scope, Setting
from ..source import Source, Span
from .bake_syntax import BakeSyntaxError, Block, BNode, parse

TOOL = "docker buildx bake"
_MAX_DEPTH = 32
_MAX_VALUE = 100_000  # characters of one evaluated string
_UNSET = object()  # a variable whose value comes from the environment (null or no default)


class BakeFile:
    """A parsed bake file: its blocks by type and name."""

    def __init__(self, source: Source, blocks: list[Block]):
        self.source = source
        self.variables = {b.labels[0]: b for b in blocks if b.type == "variable" and b.labels}
        self.targets = {b.labels[0]: b for b in blocks if b.type == "target" and b.labels}
        self.groups = {b.labels[0]: b for b in blocks if b.type == "group" and b.labels}
        # memos: inherits, groups and variables may fan out (each named many times), so each is
        # resolved once, as buildx does (`visited` in Config.target)
        self._values: dict = {}
        self._resolved: dict = {}
        self._expanded: dict = {}

    # -- values ---------------------------------------------------------------------------------
    def variable(self, name: str, depth: int = 0):
        """A variable's default as a string, _UNSET (null or none: from the environment), or None
        (unknown: an expression we do not evaluate)."""
        if name in self._values:
            return self._values[name]
        block = self.variables.get(name)
        if block is None or depth > _MAX_DEPTH:
            return None
        self._values[name] = None  # a variable that refers to itself is unknown
        default = block.attrs.get("default")
        value = _UNSET if default is None or default.kind == "null" else self.string(default, depth + 1)
        self._values[name] = value
        return value

    def string(self, node: BNode, depth: int = 0) -> str | None:
        if node.kind == "ref":
            value = self.variable(node.name, depth)
            return value if isinstance(value, str) else None
        if node.kind != "str":
            return None
        out = []
        size = 0
        for part in node.parts:
            value = part if isinstance(part, str) else self.variable(part[1], depth) if part[0] == "ref" else None
            if not isinstance(value, str):
                return None
            size += len(value)
            if size > _MAX_VALUE:
                return None  # `"${A}${A}"` doubling: not a value anyone writes
            out.append(value)
        return "".join(out)

    def strings(self, node: BNode | None) -> list[str]:
        if node is None or node.kind != "list":
            return []
        return [s for s in (self.string(i) for i in node.items) if s is not None]

    # -- targets --------------------------------------------------------------------------------
    def resolved(self, name: str, seen: tuple = ()) -> tuple[dict, dict] | None:
        """(attributes, args) of a target with what it inherits: parents first, own values win,
        `args` merged by key; a null value drops the arg at the end, but never replaces an
        inherited value (buildx Target.Merge skips nil args)."""
        if name in self._resolved:
            return self._resolved[name]
        block = self.targets.get(name)
        if block is None or name in seen or len(seen) > _MAX_DEPTH:
            return None
        attrs: dict = {}
        args: dict = {}
        for parent in self.strings(block.attrs.get("inherits")):
            found = self.resolved(parent, seen + (name,))
            if found is not None:
                attrs.update(found[0])
                args.update(found[1])
        attrs.update({k: v for k, v in block.attrs.items() if k != "args"})
        own = block.attrs.get("args")
        if own is not None and own.kind == "object":
            for key, key_node, value in own.items:
                if value.kind == "null" and key in args:
                    continue  # buildx's Target.Merge skips a nil arg: the inherited value stays (§21.3)
                args[key] = (key_node, value)
        elif own is not None:
            args["$"] = None  # args we cannot read
        self._resolved[name] = (attrs, args)
        return attrs, args

    def built(self) -> list[str]:
        """The targets a `bake` run may build: all but those only inherited (templates such as
        `_common` or `docker-metadata-action`), unless a group names them."""
        grouped = {t for g in self.groups.values() for t in self.strings(g.attrs.get("targets"))}
        inherited = {t for b in self.targets.values() for t in self.strings(b.attrs.get("inherits"))}
        return [t for t in self.targets if t in grouped or t not in inherited]

    def expand(self, names: list[str], depth: int = 0) -> list[str]:
        """Target names with groups expanded (a name that is both is a group, as bake reads it)."""
        out: dict[str, None] = {}
        for name in names:
            if name in self.groups and depth < _MAX_DEPTH:
                if name not in self._expanded:
                    self._expanded[name] = []  # a group inside itself adds nothing
                    self._expanded[name] = self.expand(self.strings(self.groups[name].attrs.get("targets")), depth + 1)
                out.update(dict.fromkeys(self._expanded[name]))
            elif name in self.targets:
                out[name] = None
        return list(out)


def load(source: Source) -> BakeFile:
    """Parse a bake file (raises BakeSyntaxError)."""
    return BakeFile(source, parse(source.text, source.path.lower().endswith(".json")))


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    try:
        bake = load(source)
    except BakeSyntaxError as exc:
        if exc.broken:
            at = min(exc.offset, len(source.text))
            doc.problems.append(InputProblem(Span(at, at), exc.message))
        return doc  # well-formed but beyond python-hcl2: buildx may read it; say nothing
    folder = _folder(source, project)
    base = _base_of(source, project, folder)
    for index, name in enumerate(bake.built()):
        build = target_build(bake, name, folder, base=base)
        if build is None:
            continue
        block = bake.targets[name]
        scope = Scope("job", name, index, source, Span(block.start, block.end))
        scope.events.append(build)
        doc.scopes.append(scope)
    return doc


def _base_of(source: Source, project, folder: str) -> "BakeFile | None":
    """For `docker-bake.override.*`: the bake file beside it that bake reads first (§21.1), whose
    targets the override completes (a target there with only `args` builds the base's context)."""
    name = posixpath.basename(source.path).lower()
    if project is None or not name.startswith("docker-bake.override."):
        return None
    for base_name in ("docker-bake.json", "docker-bake.hcl"):
        rel = posixpath.join(folder, base_name) if folder else base_name
        found = project.source(rel, "bake")
        if found is not None:
            try:
                return load(found)
            except BakeSyntaxError:
                return None
    return None


def _folder(source: Source, project) -> str:
    if project is not None and source.abspath != "-":
        return posixpath.dirname(project.rel(source.abspath))
    return posixpath.dirname(source.path)


def target_build(bake: BakeFile, name: str, folder: str, tool: str = TOOL,
                 base: BakeFile | None = None) -> ImageBuild | None:
    """The ImageBuild of one target; None for a target with an inline Dockerfile. `base`: a file
    read before this one, whose same-named target gives what this one does not say."""
    found = bake.resolved(name)
    if found is None:
        return None
    attrs, args = found
    under = base.resolved(name) if base is not None else None
    if "dockerfile-inline" in attrs or (under is not None and "dockerfile-inline" in under[0]
                                         and "dockerfile" not in attrs):
        return None
    source = bake.source

    def attr(key: str) -> tuple[BakeFile, BNode] | None:
        if key in attrs:
            return bake, attrs[key]
        if under is not None and base is not None and key in under[0]:
            return base, under[0][key]
        return None

    context_at = attr("context")
    written = context_at[0].string(context_at[1]) if context_at is not None else "."
    context = _relative(folder, written) if written is not None else None
    dockerfile = None
    if context is not None:
        file_at = attr("dockerfile")
        file = file_at[0].string(file_at[1]) if file_at is not None else "Dockerfile"
        dockerfile = _relative(context, file) if file is not None and not file.startswith("/") else None
    build_args: list = []
    passed: list = []
    opaque = "$" in args
    for key, entry in args.items():
        if entry is None:
            continue
        key_node, value = entry
        if not key or value.kind == "null":
            continue  # null: the arg is not passed, the Dockerfile's default holds (§21.3)
        span = Span(key_node.start, value.end)
        if value.kind == "ref" and bake.variable(value.name) is _UNSET:
            build_args.append(BuildArg(key, None, span, source))  # from the environment, or dropped
            continue
        text = bake.string(value)
        dynamic = text is None
        build_args.append(BuildArg(key, text if text is not None else source.text[value.start:value.end],
                                   span, source, dynamic=dynamic))
        raw = source.text[value.start:value.end]
        passed.append(Setting(key, text, span, Span(value.start, value.end), "build-arg", source, span,
                              dynamic=dynamic, raw_value=raw))
    network = attrs.get("network")
    block = bake.targets[name]
    stmt = Span(block.start, block.end)
    image = ImageBuild(tool, context, dockerfile, build_args, stmt, source, stmt,
                       network_host=network is not None and bake.string(network) == "host", passed=passed,
                       add_build_arg=_adder(bake, block))
    image.opaque_args = image.opaque_args or opaque
    return image


def _relative(folder: str, path: str) -> str | None:
    if path.startswith(("/", "~")) or ":" in path or "$" in path:
        return None  # absolute, a URL, `target:name` or another named context
    joined = posixpath.normpath(posixpath.join(folder, path)) if folder else posixpath.normpath(path)
    if joined == ".." or joined.startswith("../"):
        return None
    return "" if joined == "." else joined


# -- the fix: pass NAME through from the environment ----------------------------------------
def _adder(bake: BakeFile, block: Block):
    """`NAME = NAME` in the target's own `args` (or a new `args` attribute), plus
    `variable "NAME" { default = null }` before the target when the file has none (§21.3): the
    environment's value is passed when set, and nothing otherwise. HCL only; one Edit from the
    variable to the arg, so the two land together."""
    source = bake.source
    text = source.text

    def add(name: str):
        if block.body_end < 0 or not name.isidentifier():
            return None
        existing = bake.variables.get(name)
        if existing is not None and bake.variable(name) is not _UNSET:
            return None  # the variable has a default: passing it would pass that value
        nl = source.newline
        args = block.attrs.get("args")
        if args is not None:
            if args.kind != "object" or text[args.end - 1:args.end] != "}":
                return None
            close = args.end - 1
            line_start = text.rfind("\n", 0, close) + 1
            if text[line_start:close].strip():
                return None  # `{ A = "x" }` on one line: leave it to a person
            first = args.items[0][1].start if args.items else None
            indent = _indent(text, first) if first is not None else _indent(text, args.start) + 2
            at, line = line_start, " " * indent + f"{name} = {name}" + nl
        else:
            close = block.body_end
            line_start = text.rfind("\n", 0, close) + 1
            if text[line_start:close].strip():
                return None
            inner = min((s for s, _ in block.attr_spans.values()), default=None)
            indent = _indent(text, inner) if inner is not None else _indent(text, block.start) + 2
            pad = " " * indent
            at = line_start
            line = f"{pad}args = {{{nl}{pad}  {name} = {name}{nl}{pad}}}{nl}"
        if existing is not None:
            return Edit.insert(source, at, line)
        head = text.rfind("\n", 0, block.start) + 1
        variable = f'variable "{name}" {{{nl}  default = null{nl}}}{nl}{nl}'
        return Edit.replace(source, Span(head, at), variable + text[head:at] + line)

    return add


def _indent(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1)
