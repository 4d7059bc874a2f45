"""A YAML file of the repository read into its root mapping, with positions; what makes it
unusable (invalid YAML, a root that is not a mapping) becomes the document's input problems,
reported as GP001. Shared by every YAML format's lowering."""
from __future__ import annotations

from ..model import Document, InputProblem
from ..source import Span
from .yamlpos import YamlError, YNode, load_yaml


def load_root(doc: Document, text: str | None = None, base: int = 0, what: str | None = None) -> YNode | None:
    """The document's root mapping, or None: a parse error is recorded as an input problem, and
    so is a root that is not a mapping when `what` names the kind of file (`"not a workflow"`);
    without it such a file is simply not one gplint reads. `text`/`base`: one document of a
    multi-document file, which starts at offset `base`."""
    source = doc.source
    try:
        root = load_yaml(source.text if text is None else text)
    except YamlError as exc:
        if exc.offset is not None:
            at = base + exc.offset
        else:
            at = source.offset(exc.line, exc.column) if text is None else base
        doc.problems.append(InputProblem(Span(at, at), f"invalid YAML: {exc.message}"))
        return None
    if root is None:
        return None
    if base:
        _shift(root, base, set())
    if root.kind != "map":
        if what is not None:
            doc.problems.append(InputProblem(Span(root.start, root.start), f"{what}: the document is not a mapping"))
        return None
    return root


def _shift(node: YNode, by: int, seen: set) -> None:
    """Move a tree parsed from a slice of the file to the slice's place (each node once: an alias
    is the very node of its anchor)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if id(n) in seen:
            continue
        seen.add(id(n))
        n.start += by
        n.end += by
        for item in n.items:
            if isinstance(item, tuple):
                stack.extend(item)
            else:
                stack.append(item)
