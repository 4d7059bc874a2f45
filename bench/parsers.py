#!/usr/bin/env python3
"""Micro-benchmarks of the parsers, in process (the tests only guard against hangs):

    python bench/parsers.py [--runs 7]

  - load_yaml on the fixture workflow (fixtures/ci/github-build), best of --runs x 20 loads;
    the target is 2 ms for a 100-line workflow;
  - parse_script on a 1 MB shell line (must be linear);
  - load_yaml rejecting 100,000 nested `[` and a 10-level alias bomb (must fail fast).
"""
from __future__ import annotations

import argparse
import os
import time

from gplint.formats.shell import parse_script
from gplint.formats.yamlpos import YamlError, load_yaml

HERE = os.path.dirname(os.path.abspath(__file__))
WORKFLOW = os.path.join(HERE, "..", "fixtures", "ci", "github-build", ".github", "workflows", "image.yml")


def best(fn, runs: int, repeat: int = 1) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        times.append((time.perf_counter() - start) / repeat)
    return min(times)


def failing(text: str):
    def run():
        try:
            load_yaml(text)
        except YamlError:
            pass
    return run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    a = ap.parse_args()
    with open(WORKFLOW, encoding="utf-8") as f:
        workflow = f.read()
    load_yaml(workflow)  # imports PyYAML
    lines = workflow.count("\n")
    bomb = "l0: &l0 [" + ", ".join(['"lol"'] * 10) + "]\n" + "".join(
        f"l{i}: &l{i} [" + ", ".join([f"*l{i - 1}"] * 10) + "]\n" for i in range(1, 10))
    cases = [
        (f"load_yaml, {lines}-line workflow", lambda: load_yaml(workflow), 20),
        ("parse_script, 1 MB line", lambda: parse_script("go build " + "x" * 1_000_000), 1),
        ("load_yaml, 100,000 nested [ (rejected)", failing("[" * 100_000 + "]" * 100_000), 1),
        ("load_yaml, alias bomb (rejected)", failing(bomb), 1),
    ]
    for label, fn, repeat in cases:
        print(f"{label:44} {best(fn, a.runs, repeat) * 1000:9.3f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
