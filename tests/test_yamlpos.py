"""YAML with positions: spans, tags, aliases and merge keys, errors, limits, speed, robustness."""
from __future__ import annotations

import gc
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gplint.formats.yamlpos import YamlError, YNode, load_yaml
from hangguard import hang_guard

WORKFLOW = """\
name: CI
on:
  push:
    branches: [main, "release/**"]
  pull_request:
    types: [opened, synchronize]
  workflow_dispatch:
    inputs:
      debug:
        description: 'Enable debug'
        required: false
        default: "false"
permissions:
  contents: read
  packages: write
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
env:
  GOPROXY: https://proxy.golang.org,direct
  GOFLAGS: -mod=readonly
  GONOSUMDB: ""
  GOPRIVATE: "github.com/acme/*"
defaults:
  run:
    shell: bash
jobs:
  lint:
    runs-on: ubuntu-latest
    timeout-minutes: 15
    steps:
      - uses: actions/checkout@v4
        with:
          fetch-depth: 0
      - uses: actions/setup-go@v5
        with:
          go-version-file: go.mod
          cache: true
      - name: golangci-lint
        uses: golangci/golangci-lint-action@v6
        with:
          version: v1.59
          args: --timeout=5m
  test:
    needs: lint
    runs-on: ${{ matrix.os }}
    strategy:
      fail-fast: false
      matrix:
        os: [ubuntu-latest, macos-latest, windows-latest]
        go: ['1.21', '1.22']
        include:
          - os: ubuntu-latest
            go: '1.22'
            coverage: true
    env:
      GOPROXY: "https://goproxy.io,direct"
      CGO_ENABLED: 0
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-go@v5
        with:
          go-version: ${{ matrix.go }}
      - name: Download modules
        run: go mod download
        env:
          GOPROXY: off
      - name: Test
        run: |
          go test -race -coverprofile=cover.out ./...
          go tool cover -func=cover.out
      - name: Upload coverage
        if: matrix.coverage
        uses: codecov/codecov-action@v4
        with:
          files: cover.out
          token: ${{ secrets.CODECOV_TOKEN }}
  docker:
    needs: [test]
    if: github.event_name == 'push' && startsWith(github.ref, 'refs/tags/')
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/setup-buildx-action@v3
      - uses: docker/login-action@v3
        with:
          registry: ghcr.io
          username: ${{ github.actor }}
          password: ${{ secrets.GITHUB_TOKEN }}
      - name: Build and push
        uses: docker/build-push-action@v6
        with:
          context: .
          push: true
          build-args: |
            GOPROXY=https://proxy.golang.org
            VERSION=${{ github.ref_name }}
          tags: >-
            ghcr.io/acme/app:${{ github.ref_name }},
            ghcr.io/acme/app:latest
          cache-from: type=gha
          cache-to: type=gha,mode=max
"""

GITLAB = """\
variables:
  GOPROXY: "https://proxy.golang.org,direct"

.go-defaults: &go_defaults
  image: golang:1.22
  variables: &go_vars
    GOFLAGS: -mod=readonly
  before_script:
    - go mod download

.cache: &cache
  cache:
    key: go-mod
    paths: [.go/pkg/mod/]

.setup:
  script:
    - echo setup

build:
  <<: *go_defaults
  stage: build
  script:
    - !reference [.setup, script]
    - go build ./...

test:
  <<: [*go_defaults, *cache]
  variables:
    <<: *go_vars
    GOPROXY: off
  script: go test ./...
"""


def span(text: str, node: YNode) -> str:
    return text[node.start:node.end]


def walk(root: YNode | None):
    """Every distinct node once (aliases are shared objects), without recursion."""
    seen: set[int] = set()
    todo = [root] if root is not None else []
    while todo:
        node = todo.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        yield node
        if node.kind == "map":
            for k, v in node.items:
                todo += (k, v)
        elif node.kind == "seq":
            todo += node.items


def check_invariants(text: str, root: YNode | None) -> None:
    for node in walk(root):
        assert node.kind in ("map", "seq", "scalar")
        assert 0 <= node.start <= node.end <= len(text), node
        if node.kind == "scalar":
            assert isinstance(node.value, str)
            if node.style in ("'", '"'):
                assert text[node.start] == node.style
                assert text[node.end - 1] == node.style
            elif node.style in ("|", ">"):
                assert text[node.start] == node.style
        else:
            assert node.value is None
            if node.style is not None:
                assert text[node.start] == node.style
                assert text[node.end - 1] == {"[": "]", "{": "}"}[node.style]


# ---------------------------------------------------------------------------------- positions


def test_workflow_structure_and_spans():
    root = load_yaml(WORKFLOW)
    check_invariants(WORKFLOW, root)
    assert root.kind == "map"
    assert root.keys()[:4] == ["name", "on", "permissions", "concurrency"]
    env = root.get("env")
    goproxy = env.get("GOPROXY")
    assert goproxy.value == "https://proxy.golang.org,direct" and goproxy.style is None
    assert span(WORKFLOW, goproxy) == "https://proxy.golang.org,direct"
    key = env.key_node("GOPROXY")
    assert span(WORKFLOW, key) == "GOPROXY"
    assert WORKFLOW.count("\n", 0, key.start) + 1 == 20
    private = env.get("GOPRIVATE")
    assert private.style == '"' and span(WORKFLOW, private) == '"github.com/acme/*"'
    assert env.get("GONOSUMDB").value == "" and span(WORKFLOW, env.get("GONOSUMDB")) == '""'
    # values stay strings, quoted or not
    test = root.get("jobs").get("test")
    assert test.get("env").get("CGO_ENABLED").value == "0"
    assert test.get("strategy").get("fail-fast").value == "false"
    assert [n.value for n in test.get("strategy").get("matrix").get("go").items] == ["1.21", "1.22"]
    # block collections end at their last child, not at the next key / trailing comments
    assert span(WORKFLOW, env).startswith("GOPROXY:")
    assert span(WORKFLOW, env).endswith('GOPRIVATE: "github.com/acme/*"')
    assert span(WORKFLOW, root).endswith("cache-to: type=gha,mode=max")
    steps = test.get("steps")
    assert steps.kind == "seq" and span(WORKFLOW, steps).startswith("- uses: actions/checkout@v4")
    assert span(WORKFLOW, steps.items[0]) == "uses: actions/checkout@v4"


def test_flow_collections():
    text = "on:\n  push:\n    branches: [main, \"release/**\"]\nm: {a: 1, 'b': [x, {c: d}]}\n"
    root = load_yaml(text)
    branches = root.get("on").get("push").get("branches")
    assert branches.kind == "seq" and branches.style == "["
    assert span(text, branches) == '[main, "release/**"]'
    assert [span(text, n) for n in branches.items] == ["main", '"release/**"']
    m = root.get("m")
    assert m.style == "{" and span(text, m) == "{a: 1, 'b': [x, {c: d}]}"
    assert span(text, m.key_node("b")) == "'b'"
    inner = m.get("b").items[1]
    assert inner.kind == "map" and span(text, inner) == "{c: d}"
    assert m.get("nope") is None and branches.get("main") is None


def test_scalar_styles_spans():
    text = (
        "plain: hello world\n"
        "single: 'it''s'\n"
        'double: "a\\tb \\u00e9"\n'
        "multi: first\n  second   # comment\n"
        'dq: "one\n  two"\n'
        "empty:\n"
        "tilde: ~\n"
    )
    root = load_yaml(text)
    expect = {
        "plain": ("hello world", None, "hello world"),
        "single": ("it's", "'", "'it''s'"),
        "double": ("a\tb é", '"', '"a\\tb \\u00e9"'),
        "multi": ("first second", None, "first\n  second"),
        "dq": ("one two", '"', '"one\n  two"'),
        "empty": ("", None, ""),
        "tilde": ("~", None, "~"),
    }
    for key, (value, style, raw) in expect.items():
        node = root.get(key)
        assert (node.value, node.style, span(text, node)) == (value, style, raw), key
    empty = root.get("empty")
    assert empty.start == root.key_node("empty").end + 1  # right after the colon


def test_block_scalars():
    text = (
        "lit: |\n  line 1\n    indented\n  line 3  \n\n\n"
        "fold: >-\n  a\n  b\n"
        "keep: |+\n  kept\n\n"
        "hdr: |2 # comment\n   x\n"
        "last: >\n  end"
    )
    root = load_yaml(text)
    lit = root.get("lit")
    assert lit.style == "|" and lit.value == "line 1\n  indented\nline 3  \n"
    # ends after the last content line (its trailing blanks kept, line break / blank lines not)
    assert span(text, lit) == "|\n  line 1\n    indented\n  line 3  "
    fold = root.get("fold")
    assert fold.style == ">" and fold.value == "a b" and span(text, fold) == ">-\n  a\n  b"
    keep = root.get("keep")
    assert keep.value == "kept\n\n" and span(text, keep) == "|+\n  kept"
    assert span(text, root.get("hdr")) == "|2 # comment\n   x"
    assert root.get("hdr").value == " x\n"
    assert span(text, root.get("last")) == ">\n  end"
    # replacing a block scalar's span leaves the following key on its own line
    new = text[: lit.start] + "|\n  replaced" + text[lit.end:]
    assert load_yaml(new).get("lit").value == "replaced\n"
    assert load_yaml(new).keys() == root.keys()


def test_crlf_positions():
    text = WORKFLOW.replace("\n", "\r\n")
    root = load_yaml(text)
    check_invariants(text, root)
    goproxy = root.get("env").get("GOPROXY")
    assert span(text, goproxy) == "https://proxy.golang.org,direct"
    run = root.get("jobs").get("test").get("steps").items[3].get("run")
    assert run.value == "go test -race -coverprofile=cover.out ./...\ngo tool cover -func=cover.out\n"
    assert span(text, run) == "|\r\n          go test -race -coverprofile=cover.out ./...\r\n" \
                              "          go tool cover -func=cover.out"


def test_non_ascii_positions_are_characters():
    text = "é😀: \"naïve 😀\"\n名前: 値\nlast: 'ü'\n"
    root = load_yaml(text)
    assert [span(text, k) for k, _ in root.items] == ["é😀", "名前", "last"]
    assert [span(text, v) for _, v in root.items] == ['"naïve 😀"', "値", "'ü'"]
    assert root.get("last").start == text.index("'ü'")


def test_leading_bom():
    text = "\ufeffa: b\nc: [d]\n"
    root = load_yaml(text)
    assert span(text, root.key_node("a")) == "a" and span(text, root.get("c")) == "[d]"
    text = "\ufeff\ufeffa: b\n"  # a second BOM is skipped by the scanner, and counted
    assert span(text, load_yaml(text).get("a")) == "b"


def test_properties_are_not_part_of_the_span():
    text = "a: &x !!str 3\nb: &y\n  k: v\nc: !t [1]\nd: &e\ne: !custom\n  # comment\n  - 1\n"
    root = load_yaml(text)
    a = root.get("a")
    assert (a.anchor, a.tag, a.value, span(text, a)) == ("x", "tag:yaml.org,2002:str", "3", "3")
    b = root.get("b")
    assert b.anchor == "y" and b.kind == "map" and span(text, b) == "k: v"
    c = root.get("c")
    assert c.tag == "!t" and span(text, c) == "[1]"
    d = root.get("d")
    assert d.anchor == "e" and d.value == "" and d.start == d.end == text.index("\ne:")
    e = root.get("e")
    assert e.tag == "!custom" and span(text, e) == "- 1"
    # libyaml's property syntax: tags take URI characters except the flow indicators (YAML 1.2's
    # ns-tag-char; libyaml 0.2.5, which GitLab's Psych uses too): `[!main, "r"]` is two items
    for text, tag, anchor, raw in [
        ('[!main, "r"]', "!main", None, ""),
        ("[!a x]", "!a", None, "x"),
        ("[&a, b]", None, "a", ""),
        ("- &a:b x", None, "a", ":b x"),
        ("- !<a,b> x", "a,b", None, "x"),
        ("- !a%41 'q'", "!aA", None, "'q'"),
    ]:
        node = load_yaml(text).items[0]
        assert (node.tag, node.anchor, span(text, node)) == (tag, anchor, raw), text
    for text in ("[!a[b] x]", "- !a,b x"):  # a flow indicator inside a tag is an error
        with pytest.raises(YamlError):
            load_yaml(text)


def test_indentless_and_compact_sequences_and_complex_keys():
    text = "c:\n- x\n- - y\n  - z\nd: &a\n- 1\n? [k1, k2]\n: complex\n1: int key\ntrue: bool key\n"
    root = load_yaml(text)
    c = root.get("c")
    assert span(text, c) == "- x\n- - y\n  - z"
    assert span(text, c.items[1]) == "- y\n  - z"
    assert span(text, root.get("d")) == "- 1"
    complex_key, complex_value = root.items[2]
    assert complex_key.kind == "seq" and span(text, complex_key) == "[k1, k2]"
    assert complex_value.value == "complex"
    assert root.get("1").value == "int key" and root.get("true").value == "bool key"
    pair = load_yaml("[a: 1, b]")
    assert pair.items[0].kind == "map" and pair.items[0].style is None
    assert span("[a: 1, b]", pair.items[0]) == "a: 1"


def test_empty_documents_are_none():
    for text in ("", "\n\n", "# only a comment\n", "---\n", "---\n...\n", "\ufeff"):
        assert load_yaml(text) is None, repr(text)
    assert load_yaml("~").value == "~"
    assert load_yaml("just a scalar").kind == "scalar"
    assert load_yaml("---\na: 1\n...\n").get("a").value == "1"


# -------------------------------------------------------------------- tags, aliases, merges


def test_reference_tag_loads():
    root = load_yaml(GITLAB)
    check_invariants(GITLAB, root)
    ref = root.get("build").get("script").items[0]
    assert ref.kind == "seq" and ref.tag == "!reference"
    assert [n.value for n in ref.items] == [".setup", "script"]
    assert span(GITLAB, ref) == "[.setup, script]"
    assert root.get("variables").get("GOPROXY").tag is None


def test_aliases_are_shared_nodes_and_merge_keys_stay_items():
    root = load_yaml(GITLAB)
    defaults = root.get(".go-defaults")
    assert defaults.anchor == "go_defaults"
    build = root.get("build")
    merge_key, merged = build.items[0]
    assert merge_key.value == "<<" and merge_key.kind == "scalar"
    assert span(GITLAB, merge_key) == "<<"
    assert merged is defaults  # not a copy
    assert build.get("<<") is defaults
    test = root.get("test")
    merge_list = test.get("<<")
    assert merge_list.kind == "seq" and merge_list.items[0] is defaults
    assert merge_list.items[1] is root.get(".cache")
    assert span(GITLAB, merge_list) == "[*go_defaults, *cache]"
    assert test.get("variables").get("<<") is defaults.get("variables")
    assert test.get("variables").get("GOPROXY").value == "off"
    # a shared node keeps the position of its definition
    assert GITLAB[defaults.start:].startswith("image: golang:1.22")


def test_repeated_merge_keys_are_kept():
    text = "a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: *a\n  <<: *b\n  z: 3\n"
    c = load_yaml(text).get("c")
    assert [k.value for k, _ in c.items] == ["<<", "<<", "z"]
    assert c.items[0][1] is load_yaml(text).get("a") or c.items[0][1].get("x").value == "1"
    assert c.get("<<").get("y").value == "2"  # the last one


def test_alias_keys_and_anchor_redefinition():
    text = "k: &k name\n*k : value\nv: &v 1\nv2: &v 2\nuse: *v\n"
    root = load_yaml(text)
    assert root.items[1][0] is root.get("k")
    assert root.get("use").value == "2"


# ---------------------------------------------------------------------------------- errors


def error(text: str, **kw) -> YamlError:
    with pytest.raises(YamlError) as info:
        load_yaml(text, **kw)
    err = info.value
    assert err.line >= 1 and err.column >= 1
    assert str(err).startswith(err.message)
    return err


def test_syntax_errors_have_positions():
    err = error("a: 1\nb: c: d\n")
    assert (err.line, err.column) == (2, 5) and "mapping values are not allowed" in err.message
    err = error("key: [a, b\nother: 1\n")
    assert err.line == 2 and "flow sequence started on line 1" in err.message
    err = error("a: 'unterminated\n")
    assert err.line == 2 and "quoted scalar" in err.message
    err = error("a:\n    b: 1\n   c: 2\n")
    assert (err.line, err.column) == (3, 4)
    assert err.offset == len("a:\n    b: 1\n   ")
    err = error("]")
    assert (err.line, err.column) == (1, 1)


def test_duplicate_keys():
    err = error("jobs:\n  build:\n    a: 1\n  test: {}\n  build: {}\n")
    assert "duplicate mapping key 'build'" in err.message and "line 2" in err.message
    assert (err.line, err.column) == (5, 3)
    err = error("m: {a: 1, 'a': 2}\n")  # quoting does not make another key
    assert err.line == 1 and err.column == 11
    load_yaml("a: {k: 1}\nb: {k: 1}\n")  # same key in different maps is fine


def test_tab_indentation():
    for text, line, column in [
        ("a:\n\tb: 1\n", 2, 1),
        ("a:\n  b: 1\n\tc: 2\n", 3, 1),
        ("a:\n  b: 1\n  \tc: 2\n", 3, 3),
        ("- a\n-\tb\n", 2, 2),
        ("a: |\n\tx\n", 2, 1),
    ]:
        err = error(text)
        assert "tab character used for indentation" in err.message, text
        assert (err.line, err.column) == (line, column), text
    assert load_yaml("a:\tb\nc: [1,\n\t2]\n").get("a").value == "b"  # tabs as separation are fine


def test_aliases_errors():
    err = error("a: 1\nb: *nope\n")
    assert "undefined alias '*nope'" in err.message and (err.line, err.column) == (2, 4)
    err = error("a: &a [1, *a]\n")
    assert "recursive alias" in err.message
    err = error("a: &a {b: {c: *a}}\n")
    assert "recursive alias" in err.message


def test_multiple_documents():
    err = error("a: 1\n---\nb: 2\n")
    assert "multiple YAML documents" in err.message and err.line == 2
    err = error("---\na: 1\n---\n")
    assert err.line == 3
    err = error("a: 1\n...\nb: 2\n")
    assert err.line == 3


@pytest.mark.parametrize("char", ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x9f", "\ud800",
                                  "\ufffe", "\uffff"])
def test_forbidden_characters(char):
    err = error(f"a: 1\nbé: x{char}y\n")
    assert (err.line, err.column) == (2, 6) and err.offset == 10
    assert f"U+{ord(char):04X}" in err.message


def test_allowed_unusual_characters():
    root = load_yaml("a: x\u00a0y\U0001f600\ufeffz\nb: \"\\x01\"\n")
    assert root.get("a").value == "x\u00a0y\U0001f600\ufeffz"
    assert root.get("b").value == "\x01"


# ---------------------------------------------------------------------------------- limits


@pytest.mark.parametrize("make, huge", [
    (lambda n: "[" * n + "]" * n, 100_000),
    (lambda n: "{a: " * n + "1" + "}" * n, 100_000),
    (lambda n: "".join(" " * i + "a:\n" for i in range(n)), 5_000),  # 12.5 MB of indentation
    (lambda n: "- " * n + "x\n", 100_000),
])
def test_deep_nesting_is_an_error(make, huge):
    err = error(make(100))
    assert "nesting deeper than 64 levels" in err.message
    assert err.line >= 1
    assert load_yaml(make(64)) is not None
    for depth in (10_000, huge):
        text = make(depth)
        # the depth check must stop the load early, not after a quadratic walk of the input
        with hang_guard(cpu_seconds=10), pytest.raises(YamlError):
            load_yaml(text)


def test_deep_nesting_does_not_crash_the_process():
    code = (
        "from gplint.formats.yamlpos import load_yaml, YamlError\n"
        "for text in ['[' * 10_000, '[' * 200_000 + ']' * 200_000, '- ' * 100_000 + 'x']:\n"
        "    try:\n"
        "        load_yaml(text)\n"
        "    except YamlError as e:\n"
        "        assert 'nesting' in e.message, e\n"
        "    else:\n"
        "        raise AssertionError('no error')\n"
        "print('ok')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "ok"


def test_max_depth_parameter_and_depth_through_aliases():
    assert load_yaml("a: [[[1]]]", max_depth=4) is not None
    assert "nesting" in error("a: [[[1]]]", max_depth=3).message
    # every alias may add the depth of what it stands for
    lines = ["l0: &l0 " + "[" * 30 + "]" * 30]  # root map + 30 levels
    for i in range(1, 4):
        lines.append(f"l{i}: &l{i} " + "[" * 30 + f"*l{i - 1}" + "]" * 30)
    err = error("\n".join(lines) + "\n")
    assert "through alias '*l1'" in err.message and err.line == 3  # 1 + 30 + 30 + 30 > 64


def bomb(levels: int, width: int) -> str:
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(['"lol"'] * width) + "]"]
    for prev, cur in zip(names, names[1:]):
        lines.append(f"{cur}: &{cur} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_fails_fast():
    load_yaml("a: 1")  # PyYAML imported
    text = bomb(9, 10)  # 10**9 expansions without the budget
    with hang_guard(cpu_seconds=10):
        err = error(text)
    assert err.message.startswith("YAML alias expansion too large")
    assert err.line <= 6


def test_alias_budget_counts_references():
    text = "a: &a [1, 2, 3, 4]\nb: [*a, *a, *a]\n"
    # 1 root + 3 keys... : root, a, b, key scalars, [1..4] + alias expansions
    load_yaml(text, max_nodes=30)
    assert error(text, max_nodes=15).message.startswith("YAML alias expansion too large")
    err = error("[" + ", ".join("x" * 5 for _ in range(100)) + "]", max_nodes=50)
    assert err.message.startswith("YAML document too large")


def test_budgets_count_aliases_inside_aliased_collections_exactly():
    # sizes once expanded: a = 3, b = 1 + 3 + 3 = 7, the list under c = 1 + 7 + 7 = 15;
    # with the root and three keys the document is 29 nodes (9 distinct)
    text = "a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    assert load_yaml(text, max_nodes=29) is not None
    err = error(text, max_nodes=28)
    assert err.message.startswith("YAML alias expansion too large") and (err.line, err.column) == (3, 9)
    err = error(text, max_nodes=8)  # the first *a makes 10, with 7 distinct so far
    assert err.message.startswith("YAML alias expansion too large") and (err.line, err.column) == (2, 8)
    err = error(text, max_nodes=6)  # the seventh distinct node: the list under b, from its `&b`
    assert err.message.startswith("YAML document too large") and (err.line, err.column) == (2, 4)
    # heights: a = 2, b = 1 + 1 + 2 = 4 (an alias deep inside counts), root = 1 + 1 + 4 = 6
    text = "a: &a [[1]]\nb: &b [[*a]]\nc: [*b]\n"
    assert load_yaml(text, max_depth=6) is not None
    err = error(text, max_depth=5)
    assert "through alias '*b'" in err.message and (err.line, err.column) == (3, 5)


def test_many_anchors_and_merges_pass_with_defaults():
    jobs = "".join(
        f"job{i}:\n  <<: *defaults\n  variables:\n    <<: *vars\n    N: '{i}'\n"
        f"  script:\n    - !reference [.setup, script]\n    - make {i}\n"
        for i in range(2000)
    )
    text = (
        ".defaults: &defaults\n  image: golang\n  tags: [a, b, c]\n"
        "  before_script:\n    - echo 1\n    - echo 2\n"
        ".vars: &vars\n  GOPROXY: https://proxy.golang.org\n  GOFLAGS: -mod=mod\n"
        ".setup:\n  script: [echo]\n" + jobs
    )
    root = load_yaml(text)
    assert len(root.items) == 2003
    assert root.get("job1999").get("<<") is root.get(".defaults")


# -------------------------------------------------------------------------- speed, imports


def test_big_file_completes_or_fails_cleanly():
    body = WORKFLOW.split("jobs:\n", 1)[1]
    text = "jobs:\n" + "".join(body.replace("  lint:", f"  lint{i}:").replace(
        "  test:", f"  test{i}:").replace("  docker:", f"  docker{i}:") for i in range(3000))
    with hang_guard(cpu_seconds=30):
        err = error(text)
    assert err.message.startswith("YAML document too large") and err.line > 1000
    big_scalar = "a: |\n" + "  go mod download\n" * 300_000
    assert len(load_yaml(big_scalar).get("a").value) == len("go mod download\n") * 300_000


def test_gc_state_is_restored():
    assert gc.isenabled()
    load_yaml(WORKFLOW)
    assert gc.isenabled()
    with pytest.raises(YamlError):
        load_yaml("a: [")
    assert gc.isenabled()
    gc.disable()
    try:
        load_yaml(WORKFLOW)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_importing_the_module_does_not_import_ruamel():
    code = ("import sys, gplint.formats.yamlpos; "
            "print(any(m.startswith(('ruamel', '_ruamel', 'yaml')) for m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "False", proc.stderr


def _modules_after(text: str) -> str:
    code = ("import sys; from gplint.formats.yamlpos import load_yaml; "
            f"load_yaml({text!r}); print(sorted({{m.split('.')[0] for m in sys.modules}} & {{'ruamel', 'yaml'}}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    return proc.stdout.strip() + proc.stderr


def test_libyaml_reads_colons_in_flow_scalars_without_the_pure_parser():
    """PyYAML's libyaml reads `[https://a, docker:dind]` itself: ruamel is not even imported."""
    assert _modules_after("s: [https://a, docker:dind]\n") == "['yaml']"
    root = load_yaml("s: [https://a, docker:dind]\n")
    assert [n.value for n in root.get("s").items] == ["https://a", "docker:dind"]


def test_what_libyaml_still_rejects_for_a_colon_goes_to_the_pure_parser():
    """`a: [b:]`: libyaml says "unexpected ':'"; the pure-Python parser reads the scalar `b:`."""
    text = "a: [b:]\n"
    assert _modules_after(text) == "['ruamel', 'yaml']"
    (item,) = load_yaml(text).get("a").items
    assert (item.kind, item.value, span(text, item)) == ("scalar", "b:", "b:")
    bom = "\ufeff" + text  # the pure reader counts the BOM itself: positions still match the text
    (item,) = load_yaml(bom).get("a").items
    assert span(bom, item) == "b:"


def test_ynode_identity_semantics():
    root = load_yaml("a: x\nb: x\n")
    assert root.get("a") != root.get("b")  # same content, different nodes
    assert len({root.get("a"), root.get("b")}) == 2  # hashable, usable for memoising
    assert YNode("scalar", 0, 1, value="x").items == []


def test_forbidden_characters_are_exactly_those_outside_yamls_printable_set():
    """YAML 1.2 c-printable (rule [1]): what libyaml accepts; the pattern names the rest."""
    from gplint.formats.yamlpos import _FORBIDDEN

    def printable(c: int) -> bool:
        return c in (0x9, 0xA, 0xD, 0x85) or 0x20 <= c <= 0x7E or 0xA0 <= c <= 0xD7FF \
            or 0xE000 <= c <= 0xFFFD or 0x10000 <= c <= 0x10FFFF

    wrong = [hex(c) for c in range(0x110000) if (_FORBIDDEN.match(chr(c)) is None) != printable(c)]
    assert wrong == []


def test_scalars_share_one_empty_items_and_collections_own_theirs():
    """A scalar read from a file allocates no list of children (most nodes are scalars), and
    nothing can add children to it; each collection has its own list."""
    root = load_yaml("a: x\nb: [1, 2]\nc: {d: e}\n")
    a, b, c = root.get("a"), root.get("b"), root.get("c")
    assert a.items == () and a.items is root.items[0][0].items
    with pytest.raises(AttributeError):
        a.items.append(b)
    assert [n.value for n in b.items] == ["1", "2"] and len(c.items) == 1
    assert b.items is not c.items and isinstance(root.items, list)


# ---------------------------------------------------------------------------------- properties

YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab01 :-?,[]{}&*!|>'\"#\n\t\r%@`~<=\\\ufeff") + ["é", "😀", "\x00"]),
    max_size=80,
)


def _load_or_error(text: str) -> None:
    try:
        root = load_yaml(text)
    except YamlError as e:
        assert isinstance(e.message, str) and e.line >= 1 and e.column >= 1
        assert e.offset is None or 0 <= e.offset <= len(text)
        return
    if root is not None:
        assert isinstance(root, YNode)
        check_invariants(text, root)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=200))
def test_arbitrary_text_loads_or_raises_yaml_error(text):
    _load_or_error(text)


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(YAMLISH)
def test_yaml_like_text_loads_or_raises_yaml_error(text):
    _load_or_error(text)


# libyaml reads YAML 1.1, where NEL, LS and PS are line breaks even inside quoted scalars
JSON_CHARS = st.characters(blacklist_characters="\x85\u2028\u2029")


@settings(max_examples=300, deadline=None)
@given(st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(JSON_CHARS, max_size=10)),
    lambda children: st.one_of(st.lists(children, max_size=4),
                               st.dictionaries(st.text(JSON_CHARS, max_size=6), children, max_size=4)),
    max_leaves=20,
))
def test_json_documents_round_trip_as_flow_yaml(value):
    import json

    text = json.dumps(value, ensure_ascii=False)
    try:
        root = load_yaml(text)
    except YamlError as e:  # only for characters YAML forbids in a JSON string
        assert "U+" in e.message
        return
    check_invariants(text, root)

    def plain(node, expect):
        if isinstance(expect, dict):
            assert node.kind == "map" and [k.value for k, _ in node.items] == list(expect)
            for (_, v), e in zip(node.items, expect.values()):
                plain(v, e)
        elif isinstance(expect, list):
            assert node.kind == "seq" and len(node.items) == len(expect)
            for v, e in zip(node.items, expect):
                plain(v, e)
        elif isinstance(expect, str):
            assert node.value == expect and node.style == '"'
            assert json.loads(span(text, node)) == expect
        else:
            assert node.value == json.dumps(expect) and node.style is None

    plain(root, value)


def test_pure_parser_fallback_counts_a_bom_once():
    """Colons in flow lists go through the pure-Python parser, whose offsets include the BOM."""
    text = "\ufeffa: [https://x, y]\n"
    node = load_yaml(text)
    first = node.items[0][1].items[0]
    assert text[first.start:first.end] == "https://x"
    with pytest.raises(YamlError) as info:
        load_yaml("\ufeff[0:0")
    assert info.value.offset <= len("\ufeff[0:0")
