"""Lower a .gitlab-ci.yml (with its local includes) into the model: one scope per job.

GitLab facts (semantics.md §13): local includes are merged first and the including file wins
(§13.6); `extends` deep-merges hashes, replaces arrays, merges `variables` key by key, later
parents win, `variables: null` drops inherited ones (§13.3); `!reference [.job, key…]` reuses
configuration (§13.4); anchors and merge keys work within one file (§13.5); `default:` has no
`variables` (§13.2); top-level `variables` are the defaults for every job, job `variables`
override them (§13.1). Every value keeps the file and position where it is WRITTEN.
"""
from __future__ import annotations

import fnmatch
import posixpath

from ..model import Document, Scope, Setting
from ..source import Source, Span
from .ci_script import image_name, lower_script
from .yamlpos import YamlError, load_yaml, pair_end

RESERVED = {"default", "include", "stages", "variables", "workflow", "image", "services", "cache",
            "before_script", "after_script", "types", "spec"}
MAX_INCLUDES = 100
MAX_EXTENDS = 11


class _Located:
    """A YAML node together with the Source it was read from (and its key, in a mapping)."""

    __slots__ = ("node", "source", "key")

    def __init__(self, node, source: Source, key=None):
        self.node = node
        self.source = source
        self.key = key


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    top: dict[str, _Located] = {}  # key -> value, includes first, this file last
    _load_into(source, project, doc, top, seen=set(), depth=0)
    if not top:
        return doc
    jobs = {k: v for k, v in top.items() if k not in RESERVED and v.node.kind == "map"}
    global_vars = _variables(top.get("variables"))
    default = top.get("default")
    for index, (name, located) in enumerate((k, v) for k, v in jobs.items() if not k.startswith(".")):
        merged = _resolve(name, jobs, set())
        scope = Scope("job", name, index, located.source, Span(located.node.start, located.node.end))
        inherits_variable = _inherits(merged.get("inherit"), "variables")
        inherits_default = _inherits(merged.get("inherit"), "default")
        inherited = {k: v for k, v in global_vars.items() if inherits_variable(k)}
        variables = dict(inherited)
        job_vars = merged.get("variables")
        if job_vars is not None and not (job_vars.node.kind == "scalar" and job_vars.node.value in ("", "~", "null")):
            variables.update(_variables(job_vars, jobs))
        elif job_vars is not None:
            variables = dict(inherited)  # `variables: null` drops what extends brought (§13.3)
        scope.initial = variables
        image = merged.get("image") or (inherits_default("image") and _get(default, "image")) or None
        scope.container = _image(image)
        services = merged.get("services") or (inherits_default("services") and _get(default, "services")) or None
        if services is not None and services.node.kind == "seq":
            scope.services = [i for item in services.node.items if (i := _image(_Located(item, services.source)))]
        scope.one_shell = True
        session = {"cwd": ""}
        for key in ("before_script", "script"):
            part = merged.get(key) or (key == "before_script" and inherits_default(key) and _get(default, key)) \
                or None
            _scripts(scope, part, jobs, session)
        doc.scopes.append(scope)
    return doc


def _inherits(inherit: _Located | None, section: str):
    """`inherit: {default|variables: true | false | [names]}`: which global `default:` keywords
    or global variables a job takes (GitLab's `inherit` keyword; absent means all)."""
    node = inherit.node.get(section) if inherit is not None and inherit.node.kind == "map" else None
    if node is None:
        return lambda name: True
    if node.kind == "scalar":
        everything = node.value.strip().lower() != "false"
        return lambda name: everything
    if node.kind == "seq":
        names = {item.value for item in node.items if item.kind == "scalar"}
        return lambda name: name in names
    return lambda name: True


def _get(located: _Located, key: str) -> _Located | None:
    if located is None or located.node.kind != "map":
        return None
    found = _merged_map(located).get(key)
    return found


def _load_into(source: Source, project, doc: Document, top: dict, seen: set, depth: int,
               include_span: Span | None = None) -> None:
    if source.abspath in seen or depth > 10 or len(seen) > MAX_INCLUDES:
        return
    seen.add(source.abspath)
    try:
        root = load_yaml(source.text)
    except YamlError as exc:
        at = exc.offset if exc.offset is not None else source.offset(exc.line, exc.column)
        if source is doc.source:
            doc.problems.append(("GP001", Span(at, at), f"invalid YAML: {exc.message}"))
        else:
            doc.problems.append(("GP001", include_span or Span(0, 0),
                                 f"included file {source.path} is invalid YAML (line {exc.line}): {exc.message}"))
        return
    if root is None:
        return
    if root.kind != "map":
        if source is doc.source:
            doc.problems.append(("GP001", Span(root.start, root.start), "not a GitLab CI file: the document is not a mapping"))
        return
    entries = _merged_map(_Located(root, source))
    include = entries.get("include")
    if include is not None and project is not None:
        for rel in _local_includes(include.node, project):
            included = project.source(rel, "gitlab")
            if included is not None:
                doc.extra.setdefault("included", []).append(rel)  # what `gplint <included file>` lints
                span = Span(include.node.start, include.node.end) if source is doc.source else include_span
                _load_into(included, project, doc, top, seen, depth + 1, span)
    for key, value in entries.items():
        if key == "include":
            continue
        top[key] = value  # the including file overrides what it includes


def _local_includes(node, project) -> list[str]:
    items = node.items if node.kind == "seq" else [node]
    paths = []
    for item in items:
        if item.kind == "scalar" and item.value and "://" not in item.value:
            paths.append(item.value)
        elif item.kind == "map":
            local = item.get("local")
            if local is not None and local.kind == "scalar" and local.value:
                paths.append(local.value)
    out = []
    inventory = None
    for path in paths:
        path = path.lstrip("/")
        if not path.endswith((".yml", ".yaml")):
            continue
        if any(c in path for c in "*?["):
            if inventory is None:
                inventory = _yaml_files(project)
            pattern = path.replace("**/", "*")
            out.extend(p for p in inventory if fnmatch.fnmatch(p, pattern))
        else:
            out.append(posixpath.normpath(path))
    return out


def _yaml_files(project) -> list[str]:
    """The repository's YAML files (the inventory skips what .gitignore excludes, which is never
    in the commit GitLab reads either)."""
    return [p for p in project.inventory() if p.endswith((".yml", ".yaml"))]


def _merged_map(located: _Located) -> dict[str, _Located]:
    """A mapping's entries with YAML merge keys applied (local keys win, §13.5)."""
    out: dict[str, _Located] = {}
    node = located.node
    if node.kind != "map":
        return out
    for key, value in node.items:
        if key.kind == "scalar" and key.value == "<<":
            sources = value.items if value.kind == "seq" else [value]
            for merged in sources:
                for k, v in _merged_map(_Located(merged, located.source)).items():
                    out.setdefault(k, v)
    for key, value in node.items:
        if key.kind == "scalar" and key.value != "<<":
            out[key.value] = _Located(value, located.source, key)
    return out


def _resolve(name: str, jobs: dict[str, _Located], stack: set) -> dict[str, _Located]:
    """A job's keys after `extends` (deep merge; the job's own keys and later parents win)."""
    located = jobs.get(name)
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
        for key, value in _resolve(parent, jobs, stack | {name}).items():
            merged[key] = _deep(merged.get(key), value, key)
    for key, value in own.items():
        if key != "extends":
            merged[key] = _deep(merged.get(key), value, key)
    return merged


def _deep(base: _Located | None, over: _Located, key: str) -> _Located:
    """Hashes merge, everything else is replaced; for `variables` keep both sides by key."""
    if base is None or key != "variables" or over.node.kind != "map" or base.node.kind != "map":
        return over
    return _Combined(base, over)  # type: ignore[return-value]


class _Combined(_Located):
    """Two `variables` maps merged key by key (the second wins), positions kept per key."""

    __slots__ = ("parts",)

    def __init__(self, base: _Located, over: _Located):
        super().__init__(over.node, over.source, over.key)
        self.parts = [base, over]


def _variables(located: _Located | None, jobs: dict | None = None) -> dict[str, Setting]:
    if located is None:
        return {}
    if isinstance(located, _Combined):
        out: dict[str, Setting] = {}
        for part in located.parts:
            out.update(_variables(part, jobs))
        return out
    node = located.node
    if node.kind == "seq" and node.tag == "!reference":
        target = _reference(node, jobs or {})
        return _variables(target, jobs) if target is not None else {}
    if node.kind != "map":
        return {}
    out = {}
    for key, value in _merged_map(located).items():
        v = value.node
        if v.kind == "map":  # {value: ..., description: ...}
            inner = v.get("value")
            if inner is None or inner.kind != "scalar":
                continue
            v = inner
        if v.kind != "scalar":
            continue
        src = value.source
        key_node = value.key
        raw = src.text[v.start:v.end]
        text = v.value or ""
        dynamic = "$" in text
        span = Span(key_node.start, pair_end(key_node, v)) if key_node is not None else Span(v.start, v.end)
        out[key] = Setting(key, None if dynamic else text, span, Span(v.start, v.end), "variables", src,
                           span, dynamic=dynamic, raw_value=raw)
    return out


def _reference(node, jobs: dict):
    """`!reference [.job, key, …]`: the node it points at."""
    names = [i.value for i in node.items if i.kind == "scalar"]
    if not names or names[0] not in jobs:
        return None
    current: _Located | None = jobs[names[0]]
    for name in names[1:]:
        if current is None or current.node.kind != "map":
            return None
        current = _merged_map(current).get(name)
    return current


def _image(located: _Located | None) -> str | None:
    return image_name(located.node, "name") if located is not None else None


def _scripts(scope: Scope, located: _Located | None, jobs: dict, session: dict, depth: int = 0) -> None:
    """Lower script lines into the job. They all run in one shell (before_script, then script):
    an `export` or a `cd` in one line still holds in the next (§13)."""
    if located is None or depth > 10:
        return
    node = located.node
    items = node.items if node.kind == "seq" else [node]
    if node.kind == "seq" and node.tag == "!reference":
        _scripts(scope, _reference(node, jobs), jobs, session, depth + 1)
        return
    for item in items:
        if item.kind == "seq" and item.tag == "!reference":
            _scripts(scope, _reference(item, jobs), jobs, session, depth + 1)
        elif item.kind == "scalar" and item.value:
            stmt = Span(item.start, item.end)
            events, _ = lower_script(located.source, item, stmt, "", None, session)
            scope.events.extend(events)
