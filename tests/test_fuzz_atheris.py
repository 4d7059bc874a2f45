"""The atheris harness (fuzz/fuzz_gplint.py): its invariants on every seed and every recorded
crash without atheris, and a short, bounded coverage-guided run when atheris is installed."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import gplint

FUZZ = Path(__file__).resolve().parent.parent / "fuzz"
sys.path.insert(0, str(FUZZ))
import fuzz_gplint  # importing it starts nothing: atheris is only imported by main()

SEEDS = sorted(p for p in (FUZZ / "seeds").iterdir() if p.is_file())
CRASHES = sorted(p for p in (FUZZ / "crashes").iterdir() if p.is_file()) if (FUZZ / "crashes").is_dir() else []


def test_seed_corpus_covers_every_target():
    named = [p.name for p in SEEDS if p.name[:2] in {f"{c}-" for c in "ABCDEFGHIJ"}]
    kinds = {fuzz_gplint.describe(p.read_bytes())[0] for p in SEEDS if p.name in named}
    assert kinds == set(fuzz_gplint.TARGETS)
    for name in named:  # the file name's first letter is the input's first byte
        assert (FUZZ / "seeds" / name).read_bytes()[:1] == name[:1].encode()


@pytest.mark.parametrize("seed", SEEDS, ids=[p.name for p in SEEDS])
def test_seed_keeps_every_invariant(seed):
    """Every seed through TestOneInput: lint, reports, --fix, a second --fix (known findings,
    fuzz_gplint.KNOWN_FINDINGS, are looked past; the crash tests below replay them strictly)."""
    fuzz_gplint.TestOneInput(seed.read_bytes())


@pytest.mark.parametrize("crash", CRASHES, ids=[p.name for p in CRASHES])
def test_recorded_crash(crash, monkeypatch):
    """Every reproducer in fuzz/crashes/, replayed with every invariant checked. Its finding
    (fuzz_gplint.CRASHES) still open, i.e. in KNOWN_FINDINGS: it must still fail (an expected
    failure); once the finding is dropped from KNOWN_FINDINGS it is a plain regression test."""
    finding = fuzz_gplint.CRASHES[crash.name]
    monkeypatch.setattr(fuzz_gplint, "KNOWN", set())
    if finding not in fuzz_gplint.KNOWN_FINDINGS.split(","):
        fuzz_gplint.TestOneInput(crash.read_bytes())
        return
    try:
        fuzz_gplint.TestOneInput(crash.read_bytes())
    except AssertionError as exc:
        pytest.xfail(f"open finding {finding!r} (fuzz/FINDINGS.md): {exc}")
    pytest.fail(f"{crash.name} passes now: drop {finding!r} from KNOWN_FINDINGS in fuzz/fuzz_gplint.py")


def test_harness_reports_a_broken_invariant(monkeypatch):
    """The harness is not vacuous: a fix that rewrites line endings is caught."""
    from gplint import fix

    real = fix.apply_edits
    monkeypatch.setattr(fix, "apply_edits", lambda text, edits: real(text, edits).replace("\r\n", "\n"))
    with pytest.raises(AssertionError, match="I7|I9"):
        fuzz_gplint.TestOneInput(b"F" + b"FROM golang:1.22\r\nRUN go mod download\r\n")


def test_atheris_run(tmp_path):
    """A real, bounded fuzzing run over the seeds. New corpus units go to tmp_path (libFuzzer
    writes into the first corpus folder only), so fuzz/seeds stays as committed. Slowness is
    judged by the harness's CPU budget per input (I3); libFuzzer's -timeout is wall-clock, so it
    is set far above it, only to catch C code that is stuck, never to time a busy machine."""
    pytest.importorskip("atheris")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(Path(gplint.__file__).resolve().parent.parent), os.environ.get("PYTHONPATH", "")]))
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    proc = subprocess.run(
        [sys.executable, str(FUZZ / "fuzz_gplint.py"), str(corpus), str(FUZZ / "seeds"),
         "-runs=2000", "-max_total_time=20", "-timeout=300", "-max_len=4096",
         f"-dict={FUZZ / 'gplint.dict'}", f"-artifact_prefix={tmp_path}/"],
        check=False, capture_output=True, text=True, timeout=1800, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert "Done" in proc.stderr or "DONE" in proc.stderr, proc.stderr[-2000:]
