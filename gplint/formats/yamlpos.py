"""YAML with exact character positions, for GitHub Actions and GitLab CI files.

`load_yaml(text)` turns one YAML document into a tree of `YNode`s whose `start`/`end` are
character offsets into `text`, so diagnostics can point at, and fixes can rewrite, exact
characters.

How it works
------------
The tree is built from libyaml's *event* stream (PyYAML's C `CParser.get_event`), not from
the C composer's node graph (`CSafeLoader.get_single_node`).  Measured reasons:

* the C composer is recursive Cython: 100,000 nested `[` kill the process (C stack overflow),
  and 10,000 levels already cost ~0.5 s because it composes everything before we could look;
  reading events lets us stop at `max_depth` after a few microseconds;
* events keep what the composer throws away: where an alias (`*x`) is written, and whether a tag
  was written at all (the composer resolves every plain scalar to `tag:yaml.org,2002:…`);
* alias expansion and node budgets are enforced while reading, before anything big exists.
  The cost is close: ~0.45 ms against ~0.35 ms for composing alone (100-line workflow).

PyYAML's libyaml, not ruamel.yaml.clib's: the event streams are identical on the 2,500 YAML
files of the benchmark corpus and the labelled corpus, PyYAML's is ~30% faster to read events
from and cheaper to import, and its libyaml (0.2.5+) accepts `:` inside a plain scalar in a
flow collection (`[https://a, docker:dind]`), as GitHub and GitLab do. ruamel.yaml's
pure-Python parser is kept for the few texts that libyaml still rejects with "unexpected ':'"
(`a: [b:]`), so those read as before.

Libyaml's marks are character offsets (checked with CRLF, non-ASCII and astral text), line and
column are 0-based there and 1-based in `YamlError`.  A leading BOM is not counted by libyaml, so
offsets are shifted by one then.

Node model
----------
* `start`/`end` of a scalar cover the value token without its node properties (`&anchor`,
  `!tag`): quotes and the block indicator (`|`, `>-` …) are included.  libyaml ends a block
  scalar after its final line break and trailing blank lines; here it ends after the last
  character of its last non-blank line, so replacing `text[start:end]` never swallows the line
  break before the next key.  An empty value (`key:`) is an empty plain scalar at the end of
  the `:`.
* A flow collection spans its brackets; a block collection runs from its first key / `-` to the
  end of its last child (trailing comments and blank lines are not part of it).
* `tag` is the tag as written (libyaml expands `!!str` to `tag:yaml.org,2002:str`; `!reference`
  stays `!reference`); None when no tag is written.  Values are never resolved: `true`, `1`,
  `~` stay strings, and `style` tells a plain `1` from a quoted `'1'`.
* `style` is the scalar style (None, "'", '"', '|', '>'); for collections it is '[' or '{' in
  flow style and None in block style (and for the bracket-less pair map in `[a: 1]`).
* Aliases are not expanded and not copied: `*x` puts the very same YNode object that carries
  `anchor == 'x'` into the tree, so positions of an aliased node are those of its
  definition.  Use `is` (YNode compares and hashes by identity) to notice
  sharing.  An alias may only refer to a finished node (`&a [*a]` is an error), so the graph is
  acyclic and recursive walkers terminate.
* Merge keys stay ordinary items: `<<: *a` is the pair (scalar '<<', the node anchored `a`),
  `<<: [*a, *b]` a pair whose value is a sequence of the shared nodes.  Callers resolve merges.
* Duplicate keys (by scalar value; the tag and quoting are ignored) are an error, except `<<`,
  which may repeat (Ruby's Psych, used by GitLab, merges each one).  Non-scalar keys are kept and
  not compared.

Limits (each raises `YamlError`, never RecursionError or a hang): more than `max_depth` nested
collections, also counting the depth an alias brings with it; more than `max_nodes` nodes, where
every alias counts the full size of what it stands for (so an alias bomb fails fast);
more than one document; characters YAML forbids (control characters, lone surrogates).
"""
from __future__ import annotations

import gc
import re

from ..errors import GplintError
from ..lazy_regex import lazy
from ..records import dataclass, field

__all__ = ["YamlError", "YNode", "load_yaml", "pair_end"]


class YamlError(GplintError):
    """A file that is not acceptable YAML; `line` and `column` are 1-based, `offset` 0-based."""

    def __init__(self, message: str, line: int, column: int, offset: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.offset = offset

    def __str__(self) -> str:
        return f"{self.message} (line {self.line}, column {self.column})"


@dataclass(slots=True, eq=False)
class YNode:
    kind: str  # 'map' | 'seq' | 'scalar'
    start: int
    end: int
    tag: str | None = None
    value: str | None = None
    style: str | None = None
    # a map's (key, value) pairs, a sequence's nodes; every scalar shares one empty tuple
    # (_build: not a new list per scalar), so read it, never append to it
    items: list | tuple = field(default_factory=list)
    anchor: str | None = None

    def get(self, key: str) -> YNode | None:
        """The value for the scalar key `key` in a map (the last one for a repeated `<<`)."""
        if self.kind != "map":
            return None
        found = None
        for k, v in self.items:
            if k.kind == "scalar" and k.value == key:
                found = v
        return found

    def key_node(self, key: str) -> YNode | None:
        """The key node for the scalar key `key` in a map."""
        if self.kind != "map":
            return None
        found = None
        for k, _ in self.items:
            if k.kind == "scalar" and k.value == key:
                found = k
        return found

    def keys(self) -> list[str]:
        """The scalar keys of a map, in file order."""
        if self.kind != "map":
            return []
        return [k.value for k, _ in self.items if k.kind == "scalar"]


def pair_end(key: YNode, value: YNode) -> int:
    """Where a `key: value` pair ends. An alias value is the shared node, positioned where its
    anchor is written (maybe before the key): then the pair ends with its key."""
    return value.end if value.end >= key.end else key.end


# What is outside YAML's printable set (libyaml rejects it): the C0 controls but tab, LF and CR,
# DEL, the C1 controls but NEL, the surrogates, U+FFFE and U+FFFF. Written as the forbidden
# ranges, not as "not printable" ([^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-
# \U0010ffff], the same set: tests/test_yamlpos.py checks every code point), which took 8 ms to
# compile in every process that reads YAML.
_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ud800-\udfff\ufffe\uffff]")
_BREAK = lazy("\r\n|[\r\n\x85\u2028\u2029]")  # libyaml's line breaks (only error positions use it)
_BLANK = " \t\r\n\x85\u2028\u2029"
# libyaml's node properties: anchors are [0-9A-Za-z_-]+, tags are verbatim `!<…>` or a handle
# and suffix made of URI characters but no flow indicator (libyaml 0.2.5: `[!a, b]` is tag `!a`)
_PROP_TOKEN = lazy(r"&[0-9A-Za-z_-]*|!<[^>]*>?|![0-9A-Za-z_;/?:@&=+$.!~*'()%-]*")
_PROP_GAP = lazy("(?:[ \t\r\n\x85\u2028\u2029]|#[^\r\n\x85\u2028\u2029]*)*")

_SCALAR, _ALIAS, _SEQ, _MAP, _SEQ_END, _MAP_END, _DOC_START, _STREAM_END, _OTHER = range(9)
_NO_KEY = object()
_NO_ITEMS = ()  # every scalar's items (YNode.items)
_BLOCK_STYLES = frozenset("|>")


def _line_col(text: str, index: int) -> tuple[int, int]:
    """1-based line and column of a character offset, counting line breaks as libyaml does."""
    line, line_start = 1, 0
    for m in _BREAK.finditer(text, 0, index):
        line += 1
        line_start = m.end()
    if line == 1 and text.startswith("\ufeff"):
        line_start = 1  # as libyaml, which does not count a leading BOM
    return line, max(index - line_start, 0) + 1


def _error_at(text: str, index: int, message: str) -> YamlError:
    line, column = _line_col(text, index)
    return YamlError(message, line, column, index)


def _skip_properties(text: str, i: int, limit: int) -> int:
    """The first character after the node properties (`&anchor`, `!tag`) that start at `i`."""
    while i < limit and text[i] in "&!":
        i = _PROP_TOKEN.match(text, i).end()
        i = _PROP_GAP.match(text, i).end()
    return min(i, limit)


def _block_scalar_end(text: str, start: int, end: int) -> int:
    """End of a block scalar without the line break and blank lines libyaml includes."""
    j = end
    while j > start + 1 and text[j - 1] in _BLANK:
        j -= 1
    while j < end and text[j] in " \t":
        j += 1
    return j


_EVENT_KINDS: dict | None = None


def _event_kinds() -> dict:
    global _EVENT_KINDS
    if _EVENT_KINDS is None:
        from yaml import events as ev

        _EVENT_KINDS = {
            ev.ScalarEvent: _SCALAR,
            ev.AliasEvent: _ALIAS,
            ev.SequenceStartEvent: _SEQ,
            ev.MappingStartEvent: _MAP,
            ev.SequenceEndEvent: _SEQ_END,
            ev.MappingEndEvent: _MAP_END,
            ev.DocumentStartEvent: _DOC_START,
            ev.StreamEndEvent: _STREAM_END,
            ev.StreamStartEvent: _OTHER,
            ev.DocumentEndEvent: _OTHER,
        }
    return _EVENT_KINDS


def load_yaml(text: str, *, max_nodes: int = 200_000, max_depth: int = 64) -> YNode | None:
    """Parse one YAML document with positions; None when there is no document or it is empty.

    Raises YamlError (never anything else) for invalid YAML and for the limits described in the
    module docstring.
    """
    bad = _FORBIDDEN.search(text)
    if bad is not None:
        ch = bad.group()
        what = "a lone surrogate" if "\ud800" <= ch <= "\udfff" else "a control character"
        raise _error_at(text, bad.start(), f"YAML does not allow {what} (U+{ord(ch):04X})")
    # libyaml drops a leading BOM without counting it (a later one at a line start is counted)
    base = 1 if text.startswith("\ufeff") else 0

    from yaml._yaml import CParser
    from yaml.error import MarkedYAMLError, YAMLError
    from yaml.reader import ReaderError

    kinds = _event_kinds()
    # The tree is made of many small container objects: the cyclic GC would scan the growing
    # tree again and again (2.5x slower on big files) although building it creates no cycles.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        try:
            return _build(text, base, CParser(text), kinds, max_nodes, max_depth)
        except MarkedYAMLError as e:
            if "unexpected ':'" not in str(e.problem):
                raise
            # libyaml still rejects a few `:` in flow collections (`a: [b:]`) that ruamel's
            # pure-Python parser reads as a scalar: read such a file with it, as before.
            from ruamel.yaml.error import MarkedYAMLError as PureMarkedError
            from ruamel.yaml.error import YAMLError as PureYAMLError

            try:  # the pure-Python reader counts a leading BOM, unlike libyaml: no shift
                return _build(text, 0, _PureParser(text), _pure_event_kinds(), max_nodes, max_depth)
            except PureMarkedError as pure_error:
                raise _syntax_error(text, 0, pure_error) from None
            except PureYAMLError as pure_error:
                raise YamlError(f"YAML parser failure: {pure_error}", 1, 1, 0) from None
    except YamlError:
        raise
    except MarkedYAMLError as e:
        raise _syntax_error(text, base, e) from None
    except ReaderError as e:  # not expected after the _FORBIDDEN check; position is in bytes
        index = base + len(text[base:].encode("utf-8")[: e.position].decode("utf-8", "ignore"))
        raise _error_at(text, index, f"YAML syntax error: {e.reason}") from None
    except (YAMLError, OverflowError, ValueError, UnicodeError, SystemError) as e:
        raise YamlError(f"YAML parser failure: {e}", 1, 1, 0) from None
    finally:
        if gc_was_enabled:
            gc.enable()


def _pure_event_kinds() -> dict:
    from ruamel.yaml import events as ev

    return {getattr(ev, kind.__name__): code for kind, code in _event_kinds().items()}


class _PureParser:
    """ruamel.yaml's pure-Python event stream behind the C parser's `get_event` interface."""

    def __init__(self, text: str):
        from ruamel.yaml import YAML

        self._events = YAML(typ="safe", pure=True).parse(text)

    def get_event(self):
        return next(self._events)


def _syntax_error(text: str, base: int, e) -> YamlError:
    mark = e.problem_mark if e.problem_mark is not None else e.context_mark
    if mark is None:
        return YamlError(f"YAML syntax error: {e.problem or e.context or e}", 1, 1, 0)
    index = mark.index + base
    line, column = mark.line + 1, mark.column + 1
    if index < len(text) and text[index] == "\t":
        line_start = index
        while line_start > 0 and text[line_start - 1] not in "\r\n\x85\u2028\u2029":
            line_start -= 1
        if not text[line_start:index].strip(" \t-?:"):  # only blanks and `- `, `? `, `: `
            return YamlError("tab character used for indentation (YAML indents with spaces only)",
                             line, column, index)
    message = f"YAML syntax error: {e.problem or 'invalid YAML'}"
    if e.context:
        cm = e.context_mark
        where = f" started on line {cm.line + 1}" if cm is not None and cm.line != mark.line else ""
        message += f" ({e.context}{where})"
    return YamlError(message, line, column, index)


def _duplicate_key(ev, value: str, first, base: int) -> YamlError:
    m = ev.start_mark
    return YamlError(f"duplicate mapping key '{value}' (first defined on line {first.line + 1})",
                     m.line + 1, m.column + 1, m.index + base)


def _build(text, base, parser, kinds, max_nodes, max_depth):
    # Hot loop (one pass per event of every YAML file): the open collection's state lives in
    # locals and is pushed onto `stack` only when a child collection opens; a collection's
    # expanded size is read off the running `expanded` count instead of being summed per child.
    get_event = parser.get_event
    by_code = {code: kind for kind, code in kinds.items()}
    scalar_t, alias_t = by_code[_SCALAR], by_code[_ALIAS]
    seq_t, map_t = by_code[_SEQ], by_code[_MAP]
    seq_end_t, map_end_t = by_code[_SEQ_END], by_code[_MAP_END]
    doc_start_t, stream_end_t = by_code[_DOC_START], by_code[_STREAM_END]
    stack: list[tuple] = []  # the saved state of the open collections outside `node_open`
    anchors: dict[str, tuple] = {}  # name -> (node, size, height); size None while still open
    expanded = 0  # nodes so far, every alias counting the size of what it stands for
    by_aliases = 0  # the part of `expanded` that aliases added
    documents = 0
    root = None
    # the innermost open collection (None: none is open) and its reading state
    node_open: YNode | None = None
    items: list = []
    is_map = False
    flow = False
    key = _NO_KEY  # its pending key (maps)
    seen: dict = {}  # its scalar keys -> the mark where each is first written (maps)
    before = 0  # `expanded` before it was counted
    last_end = 0  # where its last child ends
    height_in = 1  # its collection levels so far, aliases expanded

    def too_big(ev):
        if expanded - by_aliases > max_nodes:  # distinct nodes
            msg = f"YAML document too large (more than {max_nodes} nodes)"
        else:
            msg = f"YAML alias expansion too large (more than {max_nodes} nodes once aliases are expanded)"
        m = ev.start_mark
        return YamlError(msg, m.line + 1, m.column + 1, m.index + base)

    def error(ev, msg):
        m = ev.start_mark
        return YamlError(msg, m.line + 1, m.column + 1, m.index + base)

    while True:
        ev = get_event()
        kind = type(ev)
        if kind is scalar_t:
            mark = ev.start_mark
            start = mark.index + base
            end = ev.end_mark.index + base
            style = ev.style or None  # libyaml says '' for plain
            anchor = ev.anchor
            tag = ev.tag
            if anchor is not None or tag is not None:
                start = _skip_properties(text, start, end)
            if style in _BLOCK_STYLES:
                end = _block_scalar_end(text, start, end)
            value = ev.value
            node = YNode("scalar", start, end, tag, value, style, _NO_ITEMS, anchor)
            expanded += 1
            if expanded > max_nodes:
                raise too_big(ev)
            if anchor is not None:
                anchors[anchor] = (node, 1, 0)
            # attach it (as below, inlined for the most frequent event)
            if node_open is None:
                root = node
                continue
            last_end = end
            if not is_map:
                items.append(node)
            elif key is _NO_KEY:
                key = node
                first = seen.setdefault(value, mark)
                if first is not mark and value != "<<":
                    raise _duplicate_key(ev, value, first, base)
            else:
                items.append((key, node))
                key = _NO_KEY
            continue
        elif kind is map_end_t or kind is seq_end_t:
            assert node_open is not None  # libyaml ends only what it started
            node = node_open
            end = node.end = ev.end_mark.index + base if flow else last_end
            size = expanded - before
            height = height_in
            if node.anchor is not None and anchors[node.anchor][0] is node:  # not redefined inside
                anchors[node.anchor] = (node, size, height)
            if stack:
                node_open, items, is_map, flow, key, seen, before, last_end, height_in = stack.pop()
                if height >= height_in:
                    height_in = height + 1
            else:
                node_open = None
        elif kind is map_t or kind is seq_t:
            depth = len(stack) + (node_open is not None)
            if depth >= max_depth:
                raise error(ev, f"YAML nesting deeper than {max_depth} levels")
            # The start event ends where the content starts: after `[`/`{` (flow), after the
            # `-` of an indentless sequence, at the first key / `-` otherwise; it is empty for
            # a block collection without properties and for a flow pair (`[a: 1]`).
            start = ev.end_mark.index + base
            bracketed = False
            if start > ev.start_mark.index + base and text[start - 1] in "[{-":
                start -= 1
                bracketed = text[start] != "-"
            node_is_map = kind is map_t
            children: list = []
            node = YNode("map" if node_is_map else "seq", start, start, ev.tag, None,
                         text[start] if bracketed else None, children, ev.anchor)
            expanded += 1
            if expanded > max_nodes:
                raise too_big(ev)
            if ev.anchor is not None:
                anchors[ev.anchor] = (node, None, None)  # open: an alias to it is recursive
            if node_open is not None:
                stack.append((node_open, items, is_map, flow, key, seen, before, last_end, height_in))
            node_open = node
            items = children
            is_map = node_is_map
            flow = bracketed
            key = _NO_KEY
            if node_is_map:
                seen = {}  # (a sequence leaves it alone: only maps read it)
            before = expanded - 1
            last_end = start
            height_in = 1
            continue
        elif kind is alias_t:
            name = ev.anchor
            entry = anchors.get(name)
            if entry is None:
                raise error(ev, f"undefined alias '*{name}'")
            node, size, height = entry
            if size is None:
                raise error(ev, f"recursive alias '*{name}' (refers to a node that contains it)")
            expanded += size
            by_aliases += size
            if expanded > max_nodes:
                raise too_big(ev)
            if len(stack) + (node_open is not None) + height > max_depth:
                raise error(ev, f"YAML nesting deeper than {max_depth} levels (through alias '*{name}')")
            end = ev.end_mark.index + base
            if height >= height_in:
                height_in = height + 1
        elif kind is doc_start_t:
            documents += 1
            if documents > 1:
                raise error(ev, "multiple YAML documents in one file (only one is allowed)")
            continue
        elif kind is stream_end_t:
            break
        else:
            continue

        # attach `node` (ending at `end`) to the innermost open collection
        if node_open is None:
            root = node
            continue
        last_end = end
        if not is_map:
            items.append(node)
        elif key is _NO_KEY:
            key = node
            if node.kind == "scalar":
                value = node.value
                first = seen.setdefault(value, ev.start_mark)
                if first is not ev.start_mark and value != "<<":
                    raise _duplicate_key(ev, value, first, base)
        else:
            items.append((key, node))
            key = _NO_KEY

    if root is None:
        return None
    if root.kind == "scalar" and root.value == "" and root.style is None and root.tag is None \
            and root.anchor is None:
        return None
    return root
