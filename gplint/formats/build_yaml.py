"""What the YAML build definitions (GoReleaser, Skaffold) share: reading the file with positions
(yaml_document.load_root), resolving paths against the file's folder, pointing at a written
value, and the minimal text edits that append a list item or a mapping key."""
from __future__ import annotations

import posixpath

from ..diagnostic import Edit
from ..model import BuildArg
from ..source import Source, Span
from .yaml_document import load_root  # noqa: F401  (the build definitions import it from here)
from .yamlpos import YNode


def folder_of(source: Source, project) -> str | None:
    """The repository-relative folder of the file ('' at the root); None when it is not in a
    repository (standard input)."""
    if project is None or source.abspath == "-":
        return "" if source.abspath != "-" else None
    rel = project.rel(source.abspath)
    return None if rel.startswith("..") else posixpath.dirname(rel)


def join(folder: str | None, path: str | None) -> str | None:
    """`path` (relative to `folder`) as a repository-relative path; None when it leaves the
    repository, is absolute or is a template."""
    if folder is None or path is None or "{{" in path or path.startswith(("/", "~", "$")):
        return None
    normal = posixpath.normpath(posixpath.join(folder, path))
    if normal.startswith(".."):
        return None
    return "" if normal == "." else normal


def scalar(node: YNode | None, key: str) -> YNode | None:
    value = node.get(key) if node is not None and node.kind == "map" else None
    return value if value is not None and value.kind == "scalar" else None


def text_start(source: Source, node: YNode) -> int | None:
    """Where a scalar's value starts in the file when the written text is the value itself
    (plain, or quoted without escapes); None otherwise."""
    raw = source.text[node.start:node.end]
    value = node.value or ""
    if node.style is None and raw == value:
        return node.start
    if node.style in ("'", '"') and raw[1:-1] == value and "\\" not in raw and "''" not in raw:
        return node.start + 1
    return None


def arg_from(source: Source, node: YNode, text: str, offset: int | None) -> BuildArg:
    """A BuildArg for `NAME=value` or `NAME` (`text`) written at `offset` (None: the text is not
    one to one with the file, so point at the whole node). A `{{ … }}` value is a template that
    renders at run time: unknown (dynamic)."""
    name, eq, value = text.partition("=")
    span = Span(offset, offset + len(text)) if offset is not None else Span(node.start, node.end)
    return BuildArg(name, value if eq else None, span, source, dynamic="{{" in value)


def line_end(text: str, offset: int) -> int:
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def column(text: str, offset: int) -> int:
    return offset - (text.rfind("\n", 0, offset) + 1)


def append_item(source: Source, seq: YNode, item: str) -> Edit | None:
    """Append `item` (already YAML text) to a sequence: a new `- item` line in block style, `, item`
    before the bracket in flow style."""
    text = source.text
    if seq.style == "[":
        close = seq.end - 1
        inside = text[seq.start + 1:close]
        return Edit.insert(source, close, (", " if inside.strip() else "") + item)
    if seq.style is not None or not seq.items:
        return None
    first = seq.items[0]
    dash = text.rfind("-", 0, first.start)
    line_start = text.rfind("\n", 0, dash) + 1
    if dash < line_start or text[line_start:dash].strip():
        return None  # `key: - a` on one line, or something we do not recognise
    prefix = text[line_start:first.start]
    if prefix.strip() != "-":
        prefix = text[line_start:dash] + "- "
    at = line_end(text, seq.end)
    before = "" if at == 0 or text[at - 1] == "\n" else source.newline
    return Edit.insert(source, at, before + prefix + item + source.newline)


def append_key(source: Source, mapping: YNode, lines: list[str]) -> Edit | None:
    """Append `lines` (YAML text, the first one a `key:` line, later ones indented relative to it)
    to a block mapping, at its keys' column."""
    text = source.text
    if mapping.style is not None or not mapping.items:
        return None
    indent = column(text, mapping.items[0][0].start)
    at = line_end(text, mapping.end)
    before = "" if at == 0 or text[at - 1] == "\n" else source.newline
    body = "".join(" " * indent + line + source.newline for line in lines)
    return Edit.insert(source, at, before + body)


def add_map_entry(source: Source, owner: YNode, key: str, mapping: YNode | None, entry: str) -> Edit | None:
    """Add `entry` (`NAME: value` YAML text) to the mapping `owner[key]`, creating the key when absent."""
    if mapping is None:
        return append_key(source, owner, [f"{key}:", f"  {entry}"])
    if mapping.kind != "map":
        return None
    if mapping.style == "{":
        close = mapping.end - 1
        inside = source.text[mapping.start + 1:close]
        return Edit.insert(source, close, (", " if inside.strip() else "") + entry)
    if not mapping.items:
        return None
    return append_key(source, mapping, [entry])


def map_build_args(source: Source, mapping: YNode, stmt: Span, null_passes_env: bool) -> list:
    """(BuildArg, Setting or None) for each `NAME: value` of a build-args mapping. A null value
    (`NAME:`, `NAME: ~`, `NAME: null`) passes `--build-arg NAME` when `null_passes_env` (Skaffold,
    §23.2): the value is the environment's. A `{{ … }}` value is a template: unknown (dynamic)."""
    from ..model import Setting

    out: list = []
    if mapping.kind != "map":
        return out
    for key, value in mapping.items:
        if key.kind != "scalar" or not key.value or value.kind != "scalar":
            continue
        text = value.value or ""
        is_null = value.style is None and value.tag is None and text in ("", "~", "null", "Null", "NULL")
        span = Span(key.start, value.end if value.end >= key.end else key.end)
        if is_null and null_passes_env:
            out.append((BuildArg(key.value, None, span, source), None))
            continue
        dynamic = "{{" in text
        arg = BuildArg(key.value, text, span, source, dynamic=dynamic)
        setting = Setting(key.value, None if dynamic else text, span,
                          Span(value.start, value.end), "build-arg", source, stmt, dynamic=dynamic,
                          raw_value=source.text[value.start:value.end])
        out.append((arg, setting))
    return out
