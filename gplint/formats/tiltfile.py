"""Lower a Tiltfile (Starlark, Python syntax) into the model: one scope per `docker_build` call,
with the ImageBuild it makes (docs/semantics.md §24). libcst reads it with positions; it is
imported here only, so a repository without a Tiltfile never pays for it.

What is understood: `docker_build(ref, context, build_args={...}, dockerfile=...)` with literal
strings, literal dicts, and names bound once at the top level to a literal or to
`os.getenv('X', 'default')`. `context` and `dockerfile` are relative to the Tiltfile's folder
(§24.1). `custom_build` runs the user's own command: nothing to read (§24.2).
"""
from __future__ import annotations

from ..diagnostic import Edit
from ..model import BuildArg, Document, ImageBuild, InputProblem, Scope, Setting
from ..source import Source, Span
from .build_yaml import folder_of, join

TOOL = "docker_build"
# docker_build's positional parameters; the restart_process extension's wrapper takes
# (ref, context, entrypoint, live_update, …) and hands its keyword arguments to docker_build
POSITIONAL = {
    "docker_build": {"context": 1, "build_args": 2, "dockerfile": 3},
    "docker_build_with_restart": {"context": 1},
}
MAX_NESTING = 100  # brackets deeper than this are not a Tiltfile: skip rather than recurse


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    if TOOL not in source.text or _nesting(source.text) > MAX_NESTING:
        return doc  # no image build (no libcst import), or too deep to be a Tiltfile
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    try:
        module = cst.parse_module(source.text)
    except cst.ParserSyntaxError as exc:
        if _clearly_broken(source.text):
            at = source.offset(exc.raw_line, exc.raw_column + 1)
            doc.problems.append(InputProblem(Span(at, at), f"Tiltfile does not parse: {exc.message}"))
        return doc  # otherwise Starlark that Python's grammar does not take: skipped (§24.3)
    except Exception:  # the parser's own limits (a RecursionError in a pathological file)
        return doc
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    reader = _Reader(source, positions, folder_of(source, project))
    reader.bind(module)
    for call in _calls(module, cst):
        build = reader.build(call)
        if build is not None:
            scope = Scope("job", f"{call.func.value} {reader.ref(call)}", len(doc.scopes), source,
                          build.span)
            scope.events.append(build)
            doc.scopes.append(scope)
    return doc


def _nesting(text: str) -> int:
    depth = deepest = 0
    for ch in text:
        if ch in "([{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]}":
            depth -= 1
    return deepest


def _clearly_broken(text: str) -> bool:
    """Python's tokenizer fails (an unclosed bracket or string): broken in any dialect."""
    import io
    import tokenize

    try:
        for _ in tokenize.generate_tokens(io.StringIO(text).readline):
            pass
    except (tokenize.TokenError, SyntaxError):
        return True
    return False


def _calls(module, cst):
    """Every `docker_build(...)` (or `docker_build_with_restart(...)`) call, in file order (an explicit stack: no recursion)."""
    found: list = []
    stack = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call) and isinstance(node.func, cst.Name) and node.func.value in POSITIONAL:
            found.append(node)
        stack.extend(reversed(node.children))
    return found


class _Reader:
    def __init__(self, source: Source, positions, folder: str | None):
        self.source = source
        self.positions = positions
        self.folder = folder
        self.bindings: dict = {}  # top-level NAME -> the expression bound once (None: bound again)

    # -- positions ----------------------------------------------------------------------------
    def span(self, node) -> Span:
        r = self.positions[node]
        return Span(self.source.offset(r.start.line, r.start.column + 1),
                    self.source.offset(r.end.line, r.end.column + 1))

    # -- names --------------------------------------------------------------------------------
    def bind(self, module) -> None:
        import libcst as cst

        for statement in module.body:
            if not isinstance(statement, cst.SimpleStatementLine):
                continue
            for small in statement.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and isinstance(small.targets[0].target, cst.Name):
                    name = small.targets[0].target.value
                    self.bindings[name] = None if name in self.bindings else small.value
                elif isinstance(small, (cst.AugAssign, cst.AnnAssign)) and isinstance(small.target, cst.Name):
                    self.bindings[small.target.value] = None

    def resolve(self, node):
        """The expression a name stands for (once, at the top level), or the node itself."""
        import libcst as cst

        seen = 0
        while isinstance(node, cst.Name) and seen < 8:
            bound = self.bindings.get(node.value)
            if bound is None:
                return node
            node, seen = bound, seen + 1
        return node

    def string(self, node) -> str | None:
        import libcst as cst

        node = self.resolve(node)
        if isinstance(node, cst.SimpleString):
            value = node.evaluated_value
            return value if isinstance(value, str) else None
        return None

    def ref(self, call) -> str:
        first = call.args[0].value if call.args and call.args[0].keyword is None else None
        return (self.string(first) if first is not None else None) or "?"

    # -- docker_build ---------------------------------------------------------------------------
    def build(self, call) -> ImageBuild | None:
        positional = [a for a in call.args if a.keyword is None and not a.star]
        keywords = {a.keyword.value: a for a in call.args if a.keyword is not None}
        if any(a.star for a in call.args):
            return None  # `*args` / `**kwargs`: we cannot tell which argument is which

        places = POSITIONAL[call.func.value]

        def argument(name: str):
            arg = keywords.get(name)
            index = places.get(name)
            if arg is None and index is not None and len(positional) > index:
                arg = positional[index]
            return arg

        context_arg = argument("context")
        context_text = self.string(context_arg.value) if context_arg is not None else None
        context = join(self.folder, context_text)
        dockerfile_arg = argument("dockerfile")
        if "dockerfile_contents" in keywords:
            dockerfile = None  # the Dockerfile is written in the Tiltfile itself
        elif dockerfile_arg is not None:
            dockerfile = join(self.folder, self.string(dockerfile_arg.value))  # Tiltfile-relative (§24.1)
        else:
            dockerfile = join(context, "Dockerfile")
        network_arg = keywords.get("network")
        network_host = network_arg is not None and self.string(network_arg.value) == "host"
        args_arg = argument("build_args")
        stmt = self.span(call)
        build_args, passed, opaque, mapping = self.build_args(args_arg, stmt)
        build = ImageBuild(call.func.value, context, dockerfile, build_args, stmt, self.source, stmt,
                           network_host=network_host, opaque_args=opaque,
                           add_build_arg=lambda name: self.add_build_arg(call, mapping, args_arg, name))
        build.passed[:] = passed
        return build

    def build_args(self, arg, stmt: Span):
        """(BuildArgs, their Settings, opaque, the literal dict written in the call or None)."""
        import libcst as cst

        if arg is None:
            return [], [], False, None
        written = arg.value
        mapping = self.resolve(written)
        if not isinstance(mapping, cst.Dict):
            return [], [], True, None
        args, settings, opaque = [], [], False
        for element in mapping.elements:
            if not isinstance(element, cst.DictElement):
                opaque = True  # `**other`
                continue
            name = self.string(element.key)
            if name is None:
                opaque = True
                continue
            span = self.span(element)
            value, dynamic, value_node = self.value(element.value)
            args.append(BuildArg(name, value, span, self.source, dynamic=dynamic))
            if value is None:
                continue
            value_span = raw = None
            if value_node is not None and mapping is written:
                value_span, raw = self.literal_span(value_node)
            settings.append(Setting(name, None if dynamic else value, span, value_span or self.span(element.value),
                                    "build-arg", self.source, stmt, dynamic=dynamic,
                                    raw_value=raw if raw is not None else self._text(element.value)))
        return args, settings, opaque, mapping if mapping is written else None

    def value(self, node):
        """(value, dynamic, the string literal that holds it) of a build arg's value expression.
        `os.getenv('X', 'default')` passes the default when X is unset: that default is what is
        written, and the rules judge it (§24.1); without a default the value is unknown."""
        import libcst as cst

        resolved = self.resolve(node)
        if isinstance(resolved, cst.SimpleString):
            text = self.string(resolved)
            if text is not None:
                return text, False, resolved if resolved is node else None
        if isinstance(resolved, cst.Call) and _is_getenv(resolved):
            args = [a for a in resolved.args if a.keyword is None and not a.star]
            if len(args) == 2:
                default = self.resolve(args[1].value)
                text = self.string(default)
                if text is not None:
                    return text, False, default if resolved is node and default is args[1].value else None
            return "", True, None
        return "", True, None

    def literal_span(self, node) -> tuple[Span | None, str | None]:
        """The characters of a string literal's value, when they are the value one to one."""
        span = self.span(node)
        raw = self._text(node)
        prefix = len(raw) - len(raw.lstrip("rRuU"))
        quote = raw[prefix:prefix + 3] if raw[prefix:prefix + 3] in ('"""', "'''") else raw[prefix:prefix + 1]
        inner = raw[prefix + len(quote):len(raw) - len(quote)]
        if "\\" in inner or inner != self.string(node):
            return span, raw
        start = span.start + prefix + len(quote)
        return Span(start, start + len(inner)), inner

    def _text(self, node) -> str:
        span = self.span(node)
        return self.source.text[span.start:span.end]

    # -- the fix ----------------------------------------------------------------------------------
    def add_build_arg(self, call, mapping, args_arg, name: str):
        """Add `'NAME': os.getenv('NAME', '')` to the dict written in the call (the environment's
        value, or empty when it has none), or `build_args={...}` to a call without one."""
        text = self.source.text
        quote = '"' if self._quote_of(mapping) == '"' else "'"
        entry = f"{quote}{name}{quote}: os.getenv({quote}{name}{quote}, {quote}{quote})"
        if args_arg is None:
            if not call.args:
                return None
            last = self.span(call.args[-1].value)
            return Edit.insert(self.source, last.end, f", build_args={{{entry}}}")
        if mapping is None:
            return None  # a name bound elsewhere, or not a dict: not ours to rewrite
        whole = self.span(mapping)
        if not mapping.elements:
            return Edit.insert(self.source, whole.start + 1, entry)
        last_element = mapping.elements[-1]
        last = self.span(last_element)
        opening_line = self.source.line_col(whole.start)[0]
        last_line, last_column = self.source.line_col(last.start)
        if last_line == opening_line:
            return Edit.insert(self.source, last.end, ", " + entry)
        indent = text[last.start - last_column + 1:last.start]
        if indent.strip():
            return Edit.insert(self.source, last.end, ", " + entry)
        comma = text.find(",", last.end, whole.end - 1)
        nl = self.source.newline
        if comma != -1 and not text[last.end:comma].strip():
            return Edit.insert(self.source, comma + 1, nl + indent + entry + ",")
        return Edit.insert(self.source, last.end, "," + nl + indent + entry)

    def _quote_of(self, mapping) -> str:
        import libcst as cst

        if mapping is not None:
            for element in mapping.elements:
                if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                    return element.key.quote[-1]
        return "'"


def _is_getenv(call) -> bool:
    """`os.getenv(...)` or `os.environ.get(...)`."""
    import libcst as cst

    func = call.func
    if not isinstance(func, cst.Attribute):
        return False
    if func.attr.value == "getenv" and isinstance(func.value, cst.Name) and func.value.value == "os":
        return True
    owner = func.value
    return (func.attr.value == "get" and isinstance(owner, cst.Attribute) and owner.attr.value == "environ"
            and isinstance(owner.value, cst.Name) and owner.value.value == "os")
