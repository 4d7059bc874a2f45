"""Lower a .gitlab-ci.yml (with its local includes) into the model: one scope per job.

GitLab facts (docs/semantics.md §13): local includes are deep-merged in order (a nested include
first), then the including file over them (§13.6); `extends` deep-merges hashes, replaces arrays
(so `variables` merge key by key), later parents win, `variables: null` drops inherited ones (§13.3); `!reference [.job, key…]` reuses
configuration (§13.4); anchors and merge keys work within one file (§13.5); `default:` has no
`variables` (§13.2); top-level `variables` are the defaults for every job, job `variables`
override them (§13.1). Every value keeps the file and position where it is WRITTEN.

A `local:` include is a path inside the project (GitLab reads it from the commit's tree): one
that leaves the repository root, by `..` or through a symlink, is reported and never read.

The work is bounded whatever the file: resolved jobs are memoised (an `extends` chain that fans
out six ways over eleven levels is resolved once per template, not 6^11 times), includes are
counted, and every merged key, every `!reference` followed and every script line lowered for a
job spends one unit of an expansion budget (`MAX_EXPANSION`, the YAML reader's alias budget).
Past it the file gets one GP001 and no jobs.
"""
from __future__ import annotations

import fnmatch
import posixpath

from ..model import Document, InputProblem, Scope, Setting
from ..semantics.yaml11 import gitlab_variable_text
from ..source import Source, Span, Unreadable
from .ci_script import image_name, lower_script
from .yamlpos import YamlError, YNode, load_yaml, pair_end

RESERVED = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
            "before_script", "after_script", "types", "spec"}
MAX_INCLUDES = 100
MAX_INCLUDE_DEPTH = 10
MAX_EXTENDS = 11
MAX_REFERENCE_DEPTH = 10
MAX_EXPANSION = 200_000  # as load_yaml's max_nodes: merged keys, references and script lines


class _TooLarge(Exception):
    pass


class _Budget:
    """What one file may still expand into (see the module docstring)."""

    __slots__ = ("left",)

    def __init__(self, units: int = MAX_EXPANSION):
        self.left = units

    def spend(self, units: int = 1) -> None:
        self.left -= units
        if self.left < 0:
            raise _TooLarge


class _Located:
    """A YAML node together with the Source it was read from (and its key, in a mapping)."""

    __slots__ = ("node", "source", "key")

    def __init__(self, node, source: Source, key=None):
        self.node = node
        self.source = source
        self.key = key


class _Layered(_Located):
    """A mapping deep-merged from two places (an include under the including file, a parent
    under a job): `entries` are the merged keys, each value still where it is written. It
    stands where `over` is written."""

    __slots__ = ("entries",)

    def __init__(self, base: _Located, over: _Located, budget: _Budget):
        super().__init__(over.node, over.source, over.key)
        self.entries = _deep_merge(_merged_map(base), _merged_map(over), budget)


def _deep_merge(base: dict[str, _Located], over: dict[str, _Located], budget: _Budget) -> dict[str, _Located]:
    """GitLab's deep merge (ActiveSupport's Hash#deep_merge): `over` wins, except that two
    mappings under one key are merged the same way; arrays and scalars are replaced."""
    budget.spend(len(base) + len(over))
    out = dict(base)
    for key, value in over.items():
        old = out.get(key)
        if old is not None and old.node.kind == "map" and value.node.kind == "map":
            out[key] = _Layered(old, value, budget)
        else:
            out[key] = value
    return out


class _Context:
    """The state of lowering one file: the budget, the parsed files, the resolved jobs."""

    def __init__(self, doc: Document, project):
        self.doc = doc
        self.project = project
        self.budget = _Budget()
        self.parsed: dict[str, object] = {}  # abspath -> YAML root (None: unusable)
        self.includes = 0
        self.jobs: dict[str, _Located] = {}
        self.resolved: dict[str, dict[str, _Located]] = {}
        self.references: dict[tuple, object] = {}  # !reference path -> what it points at
        self.sizes: dict[tuple, int] = {}  # (id(node), depth) -> script lines once expanded


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    ctx = _Context(doc, project)
    try:
        top = _load_file(source, ctx, (), None)
        if top:
            _lower_jobs(doc, top, ctx)
    except _TooLarge:
        doc.scopes.clear()
        doc.problems.append(InputProblem(Span(0, 0), f"configuration expands beyond {MAX_EXPANSION} nodes "
                             "(includes, extends, !reference and script lines, counted for every job); "
                             "not analysed"))
    return doc


def _lower_jobs(doc: Document, top: dict[str, _Located], ctx: _Context) -> None:
    jobs = ctx.jobs = {k: v for k, v in top.items() if k not in RESERVED and v.node.kind == "map"}
    global_vars = _variables(top.get("variables"), ctx)
    default = top.get("default")
    for index, (name, located) in enumerate((k, v) for k, v in jobs.items() if not k.startswith(".")):
        merged = _resolve(name, ctx, frozenset())
        scope = Scope("job", name, index, located.source, Span(located.node.start, located.node.end))
        inherits_variable = _inherits(merged.get("inherit"), "variables")
        inherits_default = _inherits(merged.get("inherit"), "default")
        inherited = {k: v for k, v in global_vars.items() if inherits_variable(k)}
        ctx.budget.spend(len(inherited))
        variables = dict(inherited)
        job_vars = merged.get("variables")
        if job_vars is not None and not (job_vars.node.kind == "scalar" and job_vars.node.value in ("", "~", "null")):
            variables.update(_variables(job_vars, ctx))
        elif job_vars is not None:
            variables = dict(inherited)  # `variables: null` drops what extends brought (§13.3)
        scope.initial = variables
        image = merged.get("image") or (inherits_default("image") and _get(default, "image")) or None
        scope.container = _image(image)
        services = merged.get("services") or (inherits_default("services") and _get(default, "services")) or None
        if services is not None and services.node.kind == "seq":
            ctx.budget.spend(len(services.node.items))
            scope.services = [i for item in services.node.items if (i := _image(_Located(item, services.source)))]
        scope.one_shell = True
        session = {"cwd": ""}
        parts = [merged.get(key) or (key == "before_script" and inherits_default(key) and _get(default, key))
                 or None for key in ("before_script", "script")]
        # counted before anything is lowered: a fan-out of !reference is caught in linear time
        ctx.budget.spend(sum(_script_size(part, ctx) for part in parts))
        for part in parts:
            _scripts(scope, part, ctx, session)
        doc.scopes.append(scope)


def _inherits(inherit: _Located | None, section: str):
    """`inherit: {default|variables: true | false | [names]}`: which global `default:` keywords
    or global variables a job takes (GitLab's `inherit` keyword; absent means all)."""
    found = _merged_map(inherit).get(section) if inherit is not None else None
    node = found.node if found is not None else None
    if node is None:
        return lambda name: True
    if node.kind == "scalar":
        everything = node.value.strip().lower() != "false"
        return lambda name: everything
    if node.kind == "seq":
        names = {item.value for item in node.items if item.kind == "scalar"}
        return lambda name: name in names
    return lambda name: True


def _get(located: _Located | None, key: str) -> _Located | None:
    if located is None or located.node.kind != "map":
        return None
    return _merged_map(located).get(key)


def _load_file(source: Source, ctx: _Context, stack: tuple, include_span: Span | None) -> dict[str, _Located]:
    """The top-level keys of a file with what it includes merged under them: included files in
    order (each with its own includes first), then the file itself over them (§13.6; GitLab's
    `External::Processor` deep-merges each included file, then the including file's content)."""
    doc = ctx.doc
    if source.abspath in stack or len(stack) > MAX_INCLUDE_DEPTH:
        return {}
    root = _parse(source, ctx, include_span)
    if root is None:
        return {}
    entries = _merged_map(_Located(root, source))
    merged: dict[str, _Located] = {}
    include = entries.get("include")
    if include is not None and ctx.project is not None:
        for rel, written, node in _local_includes(include.node, ctx.project):
            # in an included file, at the root's `include:` that brought it in
            span = Span(node.start, node.end)
            if source is not doc.source and include_span is not None:
                span = include_span
            if rel is None:
                doc.problems.append(InputProblem(span, f"unusable include {written!r}: it leads outside the "
                                                    "repository (a local include is a path in the project); not read"))
                continue
            ctx.includes += 1
            if ctx.includes > MAX_INCLUDES:
                if ctx.includes == MAX_INCLUDES + 1:
                    doc.problems.append(InputProblem(span, f"more than {MAX_INCLUDES} includes; the rest are not read"))
                continue
            included = ctx.project.source(rel, "gitlab")
            if included is None:
                why = ctx.project.refused.get(rel)
                if isinstance(why, Unreadable) and not why.missing:
                    doc.problems.append(InputProblem(span, f"unusable include {written!r}: {why.message}"))
                continue
            doc.included.append(rel)  # what `gplint <included file>` lints
            merged = _deep_merge(merged, _load_file(included, ctx, stack + (source.abspath,), span), ctx.budget)
    own = {k: v for k, v in entries.items() if k != "include"}
    return _deep_merge(merged, own, ctx.budget)


def _parse(source: Source, ctx: _Context, include_span: Span | None):
    """A file's YAML root, parsed once per lowering (a file may be included more than once);
    None, with a problem reported once, when it is unusable."""
    if source.abspath in ctx.parsed:
        return ctx.parsed[source.abspath]
    doc = ctx.doc
    ctx.parsed[source.abspath] = None
    try:
        root = load_yaml(source.text)
    except YamlError as exc:
        at = exc.offset if exc.offset is not None else source.offset(exc.line, exc.column)
        if source is doc.source:
            doc.problems.append(InputProblem(Span(at, at), f"invalid YAML: {exc.message}"))
        else:
            doc.problems.append(InputProblem(include_span or Span(0, 0),
                                 f"included file {source.path} is invalid YAML (line {exc.line}): {exc.message}"))
        return None
    if root is None:
        return None
    if root.kind != "map":
        if source is doc.source:
            doc.problems.append(InputProblem(Span(root.start, root.start), "not a GitLab CI file: the document is not a mapping"))
        return None
    ctx.parsed[source.abspath] = root
    return root


def _local_includes(node, project) -> list[tuple[str | None, str, YNode]]:
    """(repository-relative path, or None when it leaves the repository; the path as written;
    the node it is written in) of each local include."""
    items = node.items if node.kind == "seq" else [node]
    paths = []
    for item in items:
        if item.kind == "scalar" and item.value and "://" not in item.value:
            paths.append((item.value, item))
        elif item.kind == "map":
            local = item.get("local")
            if local is not None and local.kind == "scalar" and local.value:
                paths.append((local.value, local))
    out: list[tuple[str | None, str, YNode]] = []
    inventory = None
    for written, where in paths:
        path = written.lstrip("/")
        if not path.endswith((".yml", ".yaml")):
            continue
        if any(c in path for c in "*?["):
            if inventory is None:
                inventory = _yaml_files(project)
            pattern = path.replace("**/", "*")
            out.extend((p, p, where) for p in inventory if fnmatch.fnmatch(p, pattern))
            continue
        path = posixpath.normpath(path)
        escapes = path == ".." or path.startswith("../")  # GitLab reads it from the commit: no such file
        out.append((None if escapes else path, written, where))
    return out


def _yaml_files(project) -> list[str]:
    """The repository's YAML files (the inventory skips what .gitignore excludes, which is never
    in the commit GitLab reads either)."""
    return [p for p in project.inventory() if p.endswith((".yml", ".yaml"))]


def _merged_map(located: _Located | None) -> dict[str, _Located]:
    """A mapping's entries with YAML merge keys applied as Psych does (§13.5): in document
    order, so a `<<` overrides the keys written before it and the keys after it override the
    merge; in `<<: [*a, *b]` the earlier entry wins."""
    if located is None:
        return {}
    if isinstance(located, _Layered):
        return located.entries
    out: dict[str, _Located] = {}
    node = located.node
    if node.kind != "map":
        return out
    for key, value in node.items:
        if key.kind != "scalar":
            continue
        if key.value == "<<":
            merged: dict[str, _Located] = {}
            for source in reversed(value.items if value.kind == "seq" else [value]):
                merged.update(_merged_map(_Located(source, located.source)))
            out.update(merged)
        else:
            out[key.value] = _Located(value, located.source, key)
    return out


def _resolve(name: str, ctx: _Context, stack: frozenset) -> dict[str, _Located]:
    """A job's keys after `extends` (deep merge; the job's own keys and later parents win),
    resolved once per job or template and reused by every job that extends it."""
    done = ctx.resolved.get(name)
    if done is not None:
        return done
    located = ctx.jobs.get(name)
    if located is None or name in stack or len(stack) > MAX_EXTENDS:
        return {}
    own = _merged_map(located)
    extends = own.get("extends")
    parents: list[str] = []
    if extends is not None:
        node = extends.node
        if node.kind == "scalar":
            parents = [node.value]
        elif node.kind == "seq":
            parents = [i.value for i in node.items if i.kind == "scalar"]
        # a mapping is no valid `extends` (GitLab rejects it): nothing to inherit
    merged: dict[str, _Located] = {}
    for parent in parents:
        merged = _deep_merge(merged, _resolve(parent, ctx, stack | {name}), ctx.budget)
    merged = _deep_merge(merged, {k: v for k, v in own.items() if k != "extends"}, ctx.budget)
    ctx.resolved[name] = merged
    return merged


def _variables(located: _Located | None, ctx: _Context, depth: int = 0) -> dict[str, Setting]:
    if located is None or depth > MAX_REFERENCE_DEPTH:
        return {}
    node = located.node
    if node.kind == "seq" and node.tag == "!reference":
        target = _reference(node, ctx)
        return _variables(target, ctx, depth + 1) if target is not None else {}
    if node.kind != "map":
        return {}
    entries = _merged_map(located)
    ctx.budget.spend(len(entries))
    out = {}
    for key, value in entries.items():
        key_node = value.key
        if value.node.kind == "map":  # {value: ..., description: ...}
            inner = _merged_map(value).get("value")
            if inner is None:
                continue
            if inner.source is not value.source:  # merged from another file: no pair to span
                key_node = None
            value = inner
        v = value.node
        if v.kind != "scalar":
            continue
        src = value.source
        raw = src.text[v.start:v.end]
        # the string GitLab passes on: a plain `on` is Psych's true, stored as "true" (§13.11, §13.13)
        text = gitlab_variable_text(v.value or "", v.style, v.tag)
        dynamic = "$" in text
        span = Span(key_node.start, pair_end(key_node, v)) if key_node is not None else Span(v.start, v.end)
        out[key] = Setting(key, None if dynamic else text, span, Span(v.start, v.end), "variables", src,
                           span, dynamic=dynamic, raw_value=raw)
    return out


def _reference(node, ctx: _Context):
    """`!reference [.job, key, …]`: the node it points at (looked up once per path)."""
    names = tuple(i.value for i in node.items if i.kind == "scalar")
    if names in ctx.references:
        return ctx.references[names]
    found = ctx.references[names] = _follow(names, ctx)
    return found


def _follow(names: tuple, ctx: _Context):
    ctx.budget.spend()
    jobs = ctx.jobs
    if not names or names[0] not in jobs:
        return None
    current: _Located | None = jobs[names[0]]
    for name in names[1:]:
        if current is None or current.node.kind != "map":
            return None
        current = _merged_map(current).get(name)
    return current


def _image(located: _Located | None) -> str | None:
    if located is None:
        return None
    if located.node.kind == "map":
        name = _merged_map(located).get("name")
        return name.node.value or None if name is not None and name.node.kind == "scalar" else None
    return image_name(located.node, "name")


def _script_size(located: _Located | None, ctx: _Context, depth: int = 0) -> int:
    """How many script lines and references `_scripts` would visit, `!reference`s expanded: memoised per node
    and depth, so a reference that fans out five ways over ten levels costs 50 steps, not 5^10."""
    if located is None or depth > MAX_REFERENCE_DEPTH:
        return 0
    key = (id(located.node), depth)
    found = ctx.sizes.get(key)
    if found is not None:
        return found
    node = located.node
    if node.kind == "seq" and node.tag == "!reference":
        size = 1 + _script_size(_reference(node, ctx), ctx, depth + 1)
    else:
        size = 0
        for item in node.items if node.kind == "seq" else [node]:
            size += 1  # a line, or a reference followed (even one that ends in nothing)
            if item.kind == "seq" and item.tag == "!reference":
                size += _script_size(_reference(item, ctx), ctx, depth + 1)
    ctx.sizes[key] = size
    return size


def _scripts(scope: Scope, located: _Located | None, ctx: _Context, session: dict, depth: int = 0) -> None:
    """Lower script lines into the job. They all run in one shell (before_script, then script):
    an `export` or a `cd` in one line still holds in the next (§13)."""
    if located is None or depth > MAX_REFERENCE_DEPTH:
        return
    node = located.node
    if node.kind == "seq" and node.tag == "!reference":
        _scripts(scope, _reference(node, ctx), ctx, session, depth + 1)
        return
    items = node.items if node.kind == "seq" else [node]
    for item in items:  # counted by _script_size before lowering
        if item.kind == "seq" and item.tag == "!reference":
            _scripts(scope, _reference(item, ctx), ctx, session, depth + 1)
        elif item.kind == "scalar" and item.value:
            stmt = Span(item.start, item.end)
            events, _ = lower_script(located.source, item, stmt, "", None, session, ctx.project)
            scope.events.extend(events)
