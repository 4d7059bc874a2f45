#!/usr/bin/env python3
"""Where the CPU time of a cold run goes, stage by stage (no workers, no cache, no start-up):

    python bench/floor.py --corpus DIR [--runs 3] [--kind github|dockerfile|gitlab]

For the files of one kind in the corpus (by default the GitHub workflows, the files of the
"faster than actionlint" target), each stage is timed on its own, best of --runs, every run in
a child process forked before any file was linted (so no memo carries over from a run):

  read       the files read as gplint reads them (confined, decoded)
  libyaml    libyaml parsing every file, nothing handed to Python (YAML kinds only)
  events     PyYAML's event objects, the fastest YAML reader with positions gplint has
  tree       gplint's YAML tree (events included)
  parse      the Dockerfile instructions, BuildKit's way (Dockerfiles only, instead of the three above)
  lower      lowering into the model (tree included)
  rules      lowering and every rule (what a cold run does per file)

Dockerfile rules consult the repository's CI files (how each Dockerfile is built): those are
lowered before the clock starts, and "ci-scan" says what that costs on its own.

Each stage includes the ones above it (except read: stages after it start from the text), so
the differences are what each part adds. With actionlint on PATH, its whole-process CPU on
the same workflows is printed beside them: a stage that alone costs more than the whole peer
is a floor no change to the code above it can get under.
"""
from __future__ import annotations

import argparse
import gc
import os
import shutil
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import files_of  # noqa: E402

KINDS = {
    "github": lambda p: "/.github/workflows/" in p,
    "dockerfile": lambda p: os.path.basename(p) == "Dockerfile",
    "gitlab": lambda p: p.endswith(".gitlab-ci.yml"),
}


def best(fn, runs: int) -> float:
    """The least CPU time of `fn` over `runs` runs, each in a child forked from this process as it
    is now: every run starts with the module-level memos (shell scripts parsed, stages replayed)
    as empty as a gplint run finds them, and the imports already done."""
    times = []
    for _ in range(runs):
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(read_end)
            start = time.process_time()
            fn()
            os.write(write_end, repr(time.process_time() - start - _PAUSED[0]).encode())
            os._exit(0)
        os.close(write_end)
        with os.fdopen(read_end) as result:
            times.append(float(result.read()))
        os.waitpid(pid, 0)
    return min(times)


_PAUSED = [0.0]


def _untimed(fn) -> None:
    """Run `fn` and take its CPU time back out of the measurement `best` makes."""
    start = time.process_time()
    fn()
    _PAUSED[0] += time.process_time() - start


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", required=True)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--kind", choices=sorted(KINDS), default="github")
    a = ap.parse_args()
    gc.disable()  # as a gplint run does (cli._without_cyclic_gc): its objects hold no cycles

    from gplint.config import build_selection
    from gplint.engine import check_document, lower_source
    from gplint.project import Project
    from gplint.runner import collect_targets, read_target

    root = os.path.abspath(a.corpus)
    paths = files_of(root, KINDS[a.kind])
    if not paths:
        print(f"no {a.kind} files under {root}", file=sys.stderr)
        return 2
    selection = build_selection(root, None, None, None, None, preview=False)

    def fresh_project():
        project = Project(root, options=selection.options)
        return project, collect_targets(paths, None, None, project)

    project, targets = fresh_project()
    sources = [read_target(t, root=root) for t in targets]
    texts = [s.text for s in sources]
    rows: list[tuple[str, float]] = [("read", best(lambda: [read_target(t, root=root) for t in targets], a.runs))]

    if a.kind != "dockerfile":
        from yaml._yaml import CParser

        from gplint.formats.yamlpos import load_yaml

        def events():
            for text in texts:
                parser = CParser(text)
                while parser.get_event().__class__.__name__ != "StreamEndEvent":
                    pass

        rows.append(("libyaml", best(lambda: [CParser(text).raw_parse() for text in texts], a.runs)))
        rows.append(("events", best(events, a.runs)))
        rows.append(("tree", best(lambda: [load_yaml(text) for text in texts], a.runs)))
    else:
        from gplint.formats.dockerfile_syntax import parse

        rows.append(("parse", best(lambda: [parse(text) for text in texts], a.runs)))

    def lower_all(check: bool):
        def run():
            project, _ = fresh_project()
            if a.kind == "dockerfile":
                _untimed(project.scan_builds)  # the CI files it consults: timed apart, below
            docs = [lower_source(project, source) for source in sources]
            if check:
                for doc in docs:
                    check_document(doc, project, selection)
        return run

    rows.append(("lower", best(lower_all(False), a.runs)))
    rows.append(("rules", best(lower_all(True), a.runs)))
    if a.kind == "dockerfile":
        rows.append(("ci-scan", best(lambda: fresh_project()[0].scan_builds(), a.runs)))

    print(f"{len(paths)} {a.kind} files, one process, CPU seconds, best of {a.runs}")
    previous = 0.0
    for name, seconds in rows:
        added = "" if name in ("read", "ci-scan") or previous == 0.0 else f"  (+{seconds - previous:.3f})"
        print(f"  {name:10} {seconds:7.3f}{added}")
        previous = seconds if name != "read" else 0.0
    peer = shutil.which("actionlint", path=os.path.dirname(sys.executable)) or shutil.which("actionlint")
    if peer and a.kind == "github":
        cpus = []
        for _ in range(a.runs):
            proc = subprocess.Popen([peer, *paths], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            _, _, usage = os.wait4(proc.pid, 0)
            cpus.append(usage.ru_utime + usage.ru_stime)
        print(f"  actionlint {sorted(cpus)[len(cpus) // 2]:7.3f}  (whole process, median, all its checks)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
