"""bench/floor.py, the stage-by-stage breakdown quoted in the speed notes, still runs and names
every stage for each kind (what it measures is not checked here: no test times anything)."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

BENCH = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bench")


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory):
    sys.path.insert(0, BENCH)
    try:
        import corpus
    finally:
        sys.path.remove(BENCH)
    root = str(tmp_path_factory.mktemp("corpus"))
    corpus.generate(root, 7, 4, 4, 2)
    return root


@pytest.mark.parametrize("kind,stages", [
    ("github", ["read", "libyaml", "events", "tree", "lower", "rules"]),
    ("gitlab", ["read", "libyaml", "events", "tree", "lower", "rules"]),
    ("dockerfile", ["read", "parse", "lower", "rules", "ci-scan"]),
])
def test_floor_prints_every_stage(small_corpus, kind, stages):
    out = subprocess.run([sys.executable, os.path.join(BENCH, "floor.py"), "--corpus", small_corpus,
                          "--runs", "1", "--kind", kind], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    lines = [line for line in out.stdout.splitlines() if not line.lstrip().startswith("actionlint")]
    assert lines[0].startswith(f"{4 if kind != 'gitlab' else 2} {kind} files")
    assert [line.split()[0] for line in lines[1:]] == stages
    assert all(float(line.split()[1]) >= 0 for line in lines[1:])
