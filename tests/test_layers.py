"""gplint's modules form floors, and imports only run down: the import graph (every `import`,
including those inside functions) has no cycle and no edge from a lower floor to a higher one.

    cli, server, watch -> session (fix, runner, reports, cache, writer) -> engine -> rules -> rulekit
        -> analysis -> build graph and files -> formats -> model -> semantics -> records

A module may import modules of its own floor (without a cycle) or of any floor below."""
from __future__ import annotations

import ast
import os

import pytest

import gplint

PACKAGE = os.path.dirname(os.path.abspath(gplint.__file__))

# Top floor first. A module belongs to the first floor with a prefix naming it or its package.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("entry", ("gplint.__main__", "gplint.cli", "gplint.server", "gplint.watch")),  # the front ends
    ("session", ("gplint.fix", "gplint.fix_session", "gplint.runner", "gplint.workers", "gplint.baseline",
                 "gplint.cache", "gplint.config", "gplint.report", "gplint.redact", "gplint.writer",
                 "gplint.interrupts")),
    ("engine", ("gplint.engine", "gplint.registry")),
    ("rules", ("gplint.rules",)),
    ("rulekit", ("gplint.rulekit",)),
    ("analysis", ("gplint.analysis", "gplint.handoffs")),
    ("build graph and files", ("gplint.project", "gplint.buildgraph", "gplint.discover", "gplint.confined",
                               "gplint.baseimage", "gplint.lowering")),
    ("formats", ("gplint.formats",)),
    ("model", ("gplint.model", "gplint.diagnostic", "gplint.source", "gplint.errors", "gplint.kinds")),
    ("semantics", ("gplint.semantics",)),
    ("records", ("gplint.records", "gplint.lazy_regex", "gplint")),
]


def module_name(path: str) -> str:
    rel = os.path.relpath(path, os.path.dirname(PACKAGE))[:-3].replace(os.sep, ".")
    return rel.removesuffix(".__init__")


def modules() -> dict[str, str]:
    found = {}
    for folder, _dirs, names in os.walk(PACKAGE):
        for name in names:
            if name.endswith(".py"):
                found[module_name(os.path.join(folder, name))] = os.path.join(folder, name)
    return found


def imports_of(name: str, path: str, known: set[str]) -> set[str]:
    """The gplint modules `name` imports, anywhere in it (a lazy import is still an import)."""
    package = name if path.endswith("__init__.py") else name.rpartition(".")[0]
    out = set()
    with open(path, encoding="utf-8") as f:
        tree = ast.parse(f.read())
    for node in ast.walk(tree):
        targets = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                module = ".".join(base + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            for alias in node.names:  # `from pkg import submodule` imports the submodule
                targets.append(f"{module}.{alias.name}" if f"{module}.{alias.name}" in known else module)
        elif isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        out |= {t for t in targets if t in known and t != name}
    return out


def graph() -> dict[str, set[str]]:
    found = modules()
    return {name: imports_of(name, path, set(found)) for name, path in found.items()}


def floor_of(module: str) -> int:
    for index, (_label, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if module == prefix or (prefix != "gplint" and module.startswith(prefix + ".")):
                return index
    raise AssertionError(f"{module} is on no floor: add it to FLOORS in tests/test_layers.py")


def upward_imports(edges: dict[str, set[str]]) -> list[str]:
    return sorted(f"{a} ({FLOORS[floor_of(a)][0]}) imports {b} ({FLOORS[floor_of(b)][0]})"
                  for a, targets in edges.items() for b in targets if floor_of(b) < floor_of(a))


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_every_module_is_on_a_floor():
    for name in graph():
        floor_of(name)


def test_imports_only_run_down():
    assert upward_imports(graph()) == []


def test_no_import_cycle():
    assert cycles(graph()) == []


@pytest.mark.parametrize("edge", [("gplint.model", "gplint.analysis"), ("gplint.semantics.goenv", "gplint.cli"),
                                  ("gplint.rulekit.value_verdicts", "gplint.rules.gp101_goproxy_unset_in_stage")])
def test_an_upward_import_is_caught(edge):
    edges = graph()
    edges[edge[0]] = edges[edge[0]] | {edge[1]}
    assert any(line.startswith(edge[0] + " ") and f"imports {edge[1]} " in line for line in upward_imports(edges))


def test_a_cycle_is_caught():
    edges = graph()
    edges["gplint.source"] = edges["gplint.source"] | {"gplint.diagnostic"}  # diagnostic imports source
    assert ["gplint.diagnostic", "gplint.source"] in cycles(edges)
