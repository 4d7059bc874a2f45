"""The fuzz harness's invariants (fuzz/fuzz_gplint.py) on the seed corpus and on random and
mutated inputs, so they run in every test run; with atheris installed, a short real fuzzing run."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
sys.path.insert(0, str(FUZZ))
import fuzz_gplint  # noqa: E402

SEEDS = sorted((FUZZ / "seeds").iterdir())


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_seed_keeps_every_invariant(seed):
    fuzz_gplint.check_one(seed.read_bytes())


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SEEDS).map(lambda p: p.read_bytes()), st.data())
def test_mutated_seeds_keep_every_invariant(seed, data):
    """Byte-level mutations of real-looking files: cut, duplicate, flip and insert."""
    body = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 4))):
        if len(body) < 2:
            break
        at = data.draw(st.integers(1, len(body) - 1))
        action = data.draw(st.sampled_from(["cut", "dup", "flip", "insert"]))
        if action == "cut":
            del body[at:at + data.draw(st.integers(1, 20))]
        elif action == "dup":
            body[at:at] = body[at:at + data.draw(st.integers(1, 40))]
        elif action == "flip":
            body[at] = data.draw(st.integers(0, 255))
        else:
            body[at:at] = data.draw(st.sampled_from([b"\n", b"\r\n", b"\\\n", b"'", b'"', b"$(", b"${", b"&a ",
                                                     b"*a", b"<<EOF\n", b"\t", b"\xef\xbb\xbf", b"\x00", b": ",
                                                     b"- ", b"[", b"{", b"#"]))
    fuzz_gplint.check_one(bytes(body))


@settings(max_examples=40, deadline=None)
@given(st.binary(max_size=300))
def test_arbitrary_bytes_keep_every_invariant(data):
    fuzz_gplint.check_one(data)


def test_atheris_run():
    pytest.importorskip("atheris")
    proc = subprocess.run([sys.executable, str(FUZZ / "fuzz_gplint.py"), str(FUZZ / "seeds"),
                           "-runs=300", "-max_total_time=30"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
