"""The parts of a bake file gplint needs, with positions: blocks (`variable`, `target`, `group`)
and their attributes as small `BNode` trees, from HCL (python-hcl2's parse tree, whose lark
nodes carry character offsets) or from JSON (yamlpos). python-hcl2 and lark are imported here
only, so a repository without a bake HCL file never pays for them (~100 ms)."""
from __future__ import annotations

import re

from ..errors import GplintError
from ..records import dataclass, field


class BakeSyntaxError(GplintError):
    """A bake file that does not parse; `offset` is where (0 when unknown). `broken` is False
    when the file looks well-formed (brackets, strings and heredocs close) and only python-hcl2
    refuses it: then it is skipped, not reported, since buildx may well read it."""

    def __init__(self, message: str, offset: int, broken: bool = True):
        super().__init__(message)
        self.message = message
        self.offset = offset
        self.broken = broken


@dataclass(slots=True, eq=False)
class BNode:
    """kind: 'str' (parts: literal text or ('ref', name) for `${name}`), 'null', 'ref' (a bare
    variable name), 'list', 'object' (items: [(key, key BNode, value BNode)]), 'other'."""

    kind: str
    start: int
    end: int
    parts: list = field(default_factory=list)
    name: str = ""
    items: list = field(default_factory=list)


@dataclass(slots=True, eq=False)
class Block:
    type: str
    labels: list[str]
    start: int
    end: int
    attrs: dict = field(default_factory=dict)  # name -> BNode
    attr_spans: dict = field(default_factory=dict)  # name -> (start, end) of `name = value`
    body_end: int = 0  # where the closing brace is (HCL); -1 when not editable


def parse(text: str, is_json: bool) -> list[Block]:
    return _parse_json(text) if is_json else _parse_hcl(text)


# -- HCL ---------------------------------------------------------------------------------------
def _parse_hcl(text: str) -> list[Block]:
    import hcl2
    from lark import Token, Tree
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        tree = hcl2.parses_to_tree(text)
    except UnexpectedInput as exc:
        raise BakeSyntaxError(f"invalid HCL: unexpected input at line {exc.line}, column {exc.column}",
                              max(0, getattr(exc, "pos_in_stream", 0) or 0), clearly_broken(text)) from None
    except (LarkError, ValueError, RecursionError) as exc:
        raise BakeSyntaxError(f"invalid HCL: {type(exc).__name__}", 0, clearly_broken(text)) from None

    def trees(node, name):
        return [c for c in node.children if isinstance(c, Tree) and c.data == name]

    def ident(node) -> str:
        for c in node.children:
            if isinstance(c, Token):
                return str(c)
        return ""

    def label(node) -> str:
        if node.data == "identifier":
            return ident(node)
        literal = []
        for part in trees(node, "string_part"):
            for c in part.children:
                if isinstance(c, Token):
                    literal.append(str(c))
        return "".join(literal)

    def expr(node, depth=0) -> BNode:
        start, end = node.meta.start_pos, node.meta.end_pos
        if depth > 64:
            return BNode("other", start, end)
        inner = node
        while isinstance(inner, Tree) and inner.data == "expr_term" and len(inner.children) == 1 \
                and isinstance(inner.children[0], Tree):
            inner = inner.children[0]
        kind = inner.data if isinstance(inner, Tree) else ""
        if kind == "literal_value":
            tok = inner.children[0] if inner.children else None
            if isinstance(tok, Token) and tok.type == "NULL":
                return BNode("null", start, end)
            return BNode("str", start, end, parts=[str(tok)] if tok is not None else [])
        if kind == "identifier":
            return BNode("ref", start, end, name=ident(inner))
        if kind == "string":
            parts: list = []
            for part in trees(inner, "string_part"):
                for c in part.children:
                    if isinstance(c, Token):
                        parts.append(_unescape(str(c)))
                    elif isinstance(c, Tree) and c.data == "interpolation":
                        terms = trees(c, "expr_term")
                        ref = expr(terms[0], depth + 1) if terms else None
                        parts.append(("ref", ref.name) if ref is not None and ref.kind == "ref" else ("other", ""))
                    else:
                        parts.append(("other", ""))
            return BNode("str", start, end, parts=parts)
        if kind == "tuple":
            return BNode("list", start, end, items=[expr(c, depth + 1) for c in trees(inner, "expr_term")])
        if kind == "object":
            items = []
            for elem in trees(inner, "object_elem"):
                keys = trees(elem, "object_elem_key")
                values = trees(elem, "expr_term")
                if not keys or not values:
                    continue
                key_terms = trees(keys[0], "expr_term")
                key = expr(key_terms[0], depth + 1) if key_terms else BNode("other", elem.meta.start_pos, elem.meta.start_pos)
                key_name = key.name if key.kind == "ref" else _literal(key)
                items.append((key_name, key, expr(values[-1], depth + 1)))
            return BNode("object", start, end, items=items)
        return BNode("other", start, end)

    blocks: list[Block] = []
    bodies = trees(tree, "body")
    for node in (bodies[0].children if bodies else []):
        if not isinstance(node, Tree) or node.data != "block":
            continue
        idents = trees(node, "identifier")
        labels = [label(c) for c in node.children if isinstance(c, Tree) and c.data in ("string", "identifier")][1:]
        block = Block(ident(idents[0]) if idents else "", labels, node.meta.start_pos, node.meta.end_pos)
        rbrace = [c for c in node.children if isinstance(c, Token) and c.type == "RBRACE"]
        closing = rbrace[-1].start_pos if rbrace else None
        block.body_end = closing if closing is not None else -1
        for body in trees(node, "body"):
            for attr in trees(body, "attribute"):
                names, values = trees(attr, "identifier"), trees(attr, "expr_term")
                if names and values:
                    block.attrs[ident(names[0])] = expr(values[0])
                    block.attr_spans[ident(names[0])] = (attr.meta.start_pos, attr.meta.end_pos)
        blocks.append(block)
    return blocks


_PAIRS = {"(": ")", "[": "]", "{": "}"}


def clearly_broken(text: str) -> bool:
    """Whether HCL text is malformed beyond doubt: a bracket that does not close (or closes the
    wrong one), a quoted string that runs to the end of its line, an unterminated `/* */` or
    heredoc. Linear; `${ }` inside strings is followed by its braces."""
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#" or text.startswith("//", i):
            j = text.find("\n", i)
            i = n if j < 0 else j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            if j < 0:
                return True
            i = j + 2
        elif text.startswith("<<", i):
            m = re.match(r"<<-?([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n", text[i:i + 200])
            if m is None:
                i += 2
                continue
            end = re.compile(r"^[ \t]*" + re.escape(m.group(1)) + r"[ \t]*\r?$", re.M).search(text, i + m.end())
            if end is None:
                return True
            i = end.end()
        elif c == '"':
            i += 1
            depth = 0
            while i < n:
                ch = text[i]
                if ch == "\\":
                    i += 2
                    continue
                if ch == "\n" and depth == 0:
                    return True
                if text.startswith("${", i) or text.startswith("%{", i):
                    depth += 1
                    i += 2
                    continue
                if ch == "}" and depth:
                    depth -= 1
                elif ch == '"' and depth == 0:
                    break
                elif ch == '"':  # a string inside `${ }`: its braces do not count
                    j = i + 1
                    while j < n and text[j] not in '"\n':
                        j += 2 if text[j] == "\\" else 1
                    if j >= n or text[j] == "\n":
                        return True
                    i = j
                i += 1
            else:
                return True
            i += 1
        elif c in _PAIRS:
            stack.append(_PAIRS[c])
            i += 1
        elif c in ")]}":
            if not stack or stack.pop() != c:
                return True
            i += 1
        else:
            i += 1
    return bool(stack)


def _unescape(text: str) -> str:
    if "\\" not in text and "$${" not in text:
        return text
    out, i = [], 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            nxt = text[i + 1]
            out.append({"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}.get(nxt, "\\" + nxt))
            i += 2
        elif text.startswith("$${", i):
            out.append("${")
            i += 3
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _literal(node: BNode) -> str:
    return "".join(p for p in node.parts if isinstance(p, str)) if node.kind == "str" else ""


# -- JSON --------------------------------------------------------------------------------------
def _parse_json(text: str) -> list[Block]:
    from .yamlpos import YamlError, load_yaml

    try:
        root = load_yaml(text)
    except YamlError as exc:
        raise BakeSyntaxError(f"invalid JSON: {exc.message}", exc.offset or 0) from None
    if root is None or root.kind != "map":
        return []
    blocks: list[Block] = []
    for kind, group in root.items:
        if kind.kind != "scalar" or kind.value not in ("variable", "target", "group") or group.kind != "map":
            continue
        for name, body in group.items:
            if name.kind != "scalar" or body.kind != "map":
                continue
            block = Block(kind.value, [name.value or ""], name.start, body.end, body_end=-1)
            for key, value in body.items:
                if key.kind == "scalar":
                    block.attrs[key.value] = _json_node(value)
                    block.attr_spans[key.value] = (key.start, value.end)
            blocks.append(block)
    return blocks


def _json_node(node, depth=0) -> BNode:
    if depth > 64:
        return BNode("other", node.start, node.end)
    if node.kind == "scalar":
        if node.style is None and node.value == "null":
            return BNode("null", node.start, node.end)
        return BNode("str", node.start, node.end, parts=_template(node.value or ""))
    if node.kind == "seq":
        return BNode("list", node.start, node.end, items=[_json_node(c, depth + 1) for c in node.items])
    items = [(k.value or "", BNode("str", k.start, k.end, parts=[k.value or ""]), _json_node(v, depth + 1))
             for k, v in node.items if k.kind == "scalar"]
    return BNode("object", node.start, node.end, items=items)


def _template(text: str) -> list:
    """`${name}` references in a JSON string (bake evaluates JSON strings as HCL templates)."""
    import re

    parts: list = []
    pos = 0
    for m in re.finditer(r"\$\$\{|\$\{\s*([^}]*?)\s*\}", text):
        parts.append(text[pos:m.start()])
        if m.group() == "$${":
            parts.append("${")
        else:
            name = m.group(1)
            parts.append(("ref", name) if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_-]*", name) else ("other", ""))
        pos = m.end()
    parts.append(text[pos:])
    return [p for p in parts if p != ""]
