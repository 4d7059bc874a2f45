"""One gplint run: find the targets, read them, lint them, and fix them when asked."""
from __future__ import annotations

import os
import sys

from . import discover
from .diagnostic import Diagnostic
from .engine import check_document, dedupe, lower_source, unusable
from .errors import GplintError
from .formats.lowering import BUILD_SOURCE_KINDS
from .kinds import DOCKERFILE, MAKEFILE, SCRIPT, TASKFILE
from .project import Project
from .records import dataclass, field
from .source import Source, SourceError


class UsageError(GplintError):
    """The command line asks for something gplint cannot do."""


@dataclass
class Target:
    abspath: str  # '-' for standard input
    kind: str
    display: str
    data: bytes | None = None  # standard input, read once
    # a pipeline linted for the files it includes: report only findings in these (abspaths)
    only: tuple[str, ...] = ()


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    sources: dict[str, Source] = field(default_factory=dict)  # abspath -> source as read
    input_errors: int = 0
    # abspath of a linted file -> the findings linting it produced (a GitLab file's findings
    # can lie in the files it includes): what the cache stores for that file
    produced: dict[str, list[Diagnostic]] = field(default_factory=dict)
    reached: set = field(default_factory=set)  # a worker's Project.reached, sent back to the parent


def collect_targets(paths: list[str], kind: str | None, stdin_filename: str | None,
                    project: Project) -> list[Target]:
    targets: list[Target] = []
    for path in paths:
        if path == "-":
            name = stdin_filename or "-"
            target_kind = kind or discover.kind_of(name.replace(os.sep, "/"))
            if target_kind is None:
                raise UsageError("cannot tell what kind of file standard input is: pass --kind or --stdin-filename")
            display = name if stdin_filename else "<stdin>"
            abspath = os.path.abspath(stdin_filename) if stdin_filename else "-"
            targets.append(Target(abspath, target_kind, display, sys.stdin.buffer.read()))
            continue
        if not os.path.lexists(path):
            raise UsageError(f"{path}: no such file or directory")
        named_like_a_file = discover.kind_of(os.path.basename(os.path.abspath(path))) == "dockerfile"
        if os.path.isdir(path) and not kind and not named_like_a_file:
            found, inventory = discover.walk(project.root, os.path.abspath(path), project.unreadable)
            if os.path.abspath(path) == project.root:
                project.inventory_files = inventory
            targets.extend(Target(f.abspath, f.kind, project.display(f.abspath)) for f in found)
            targets.extend(_included_under(project, inventory, found))
            continue
        abspath = os.path.abspath(path)
        target_kind = kind or discover.named_kind(project.rel(abspath)) or \
            discover.named_kind(abspath.replace(os.sep, "/"))
        if target_kind is None:
            target = _included_target(project, abspath)
            if target is not None:
                targets.append(target)
            elif discover.is_yaml(path):
                # pre-commit passes every YAML file (any may be a GitLab include): the others
                # are skipped without fuss
                project.skipped.append((path, "not a GitHub Actions workflow, an action, a GitLab CI file, "
                                              "nor a file .gitlab-ci.yml includes", True))
            else:
                project.skipped.append((path, "not a Dockerfile, .dockerignore or CI file by its name; "
                                              "pass --kind to lint it as one", False))
            continue
        targets.append(Target(abspath, target_kind, project.display(abspath)))
    return _unique(targets)


def _included_target(project: Project, abspath: str) -> Target | None:
    """A file the root pipeline includes, as that pipeline linted for this file's findings."""
    rel = project.rel(abspath)
    if rel.startswith("..") or not discover.is_yaml(rel) or project.gitlab_root() is None:
        return None
    pipeline = project.gitlab_included().get(rel)
    if pipeline is None:
        return None
    root_abs = project.abs(pipeline)
    return Target(root_abs, "gitlab", project.display(root_abs), only=(abspath,))


def _included_under(project: Project, inventory: list[str], found) -> list[Target]:
    """The included GitLab files of a walked folder that does not hold the pipeline itself."""
    pipeline = project.gitlab_root()
    if pipeline is None or any(f.abspath == project.abs(pipeline) for f in found):
        return []
    included = [rel for rel in inventory if discover.is_yaml(rel) and discover.kind_of(rel) is None]
    targets = [_included_target(project, project.abs(rel)) for rel in included]
    return [t for t in targets if t is not None]


def _unique(targets: list[Target]) -> list[Target]:
    """One target per file; a pipeline linted whole also covers the files it includes."""
    whole = {t.abspath for t in targets if not t.only}
    partial: dict[str, Target] = {}
    seen: set[str] = set()
    unique = []
    for t in targets:
        if t.abspath == "-":
            unique.append(t)
        elif t.only:
            if t.abspath in whole:
                continue
            if t.abspath in partial:
                merged = partial[t.abspath]
                merged.only = merged.only + tuple(p for p in t.only if p not in merged.only)
                continue
            partial[t.abspath] = t
            unique.append(t)
        elif t.abspath not in seen:
            seen.add(t.abspath)
            unique.append(t)
    return unique


def read_target(target: Target, override: str | None = None, root: str | None = None) -> Source:
    """The target as a Source; raises SourceError with a clear reason when it is unusable.

    A file is read only when it is a regular file inside its repository root (`root`, or the
    root of its own repository when it lies elsewhere), never through a symlink that leads out
    of it: confined.py."""
    if override is not None:
        return Source(target.display, target.abspath, target.kind, override)
    if target.data is not None:
        data = target.data
    else:
        from .confined import read_bytes, root_for

        data = read_bytes(target.abspath, root_for(target.abspath, root or os.getcwd()))
    return Source.from_bytes(target.display, target.abspath, target.kind, data)


CI_KINDS = BUILD_SOURCE_KINDS
PARALLEL_MIN_FILES = 150  # below this, starting processes costs more than it saves
CHUNK = 40


def build_phases(targets: list[Target]) -> tuple[list[Target], list[Target]]:
    """The one place that orders a run: CI files first (their image builds tell Dockerfile rules
    which build contexts and build args a Dockerfile has), then everything else."""
    return [t for t in targets if t.kind in CI_KINDS], [t for t in targets if t.kind not in CI_KINDS]


def lint(targets: list[Target], project: Project, selected, overrides: dict[str, str] | None = None,
         originals: dict[str, Source] | None = None, jobs: int | None = None, cache=None) -> RunResult:
    """Lint the targets: CI files first (their image builds tell Dockerfile rules which build
    context a Dockerfile has), then the rest; across processes when there are many. Files the
    cache already knows are not linted again."""
    cached = RunResult()
    if cache is not None and overrides is None:
        targets = _from_cache(targets, project, cache, cached)
    workers = _workers(len(targets), jobs)
    if workers > 1:
        result = _lint_parallel(targets, project, selected, workers, overrides, originals)
    else:
        ci, rest = build_phases(targets)
        ordered = ci + rest
        result = _lint_files(ordered, project, selected, overrides, originals)
    if cache is not None and overrides is None:
        for path, diags in result.produced.items():
            cache.put(result.sources[path], diags)
    result.diagnostics.extend(cached.diagnostics)
    result.sources.update(cached.sources)
    result.input_errors += cached.input_errors
    result.diagnostics.sort(key=lambda d: d.sort_key)
    result.diagnostics = dedupe(result.diagnostics)  # a finding reached two ways is one
    return result


def _from_cache(targets: list[Target], project: Project, cache, into: RunResult) -> list[Target]:
    """Answer what the cache knows; return the targets still to lint. A file answered without
    findings and without being read has no Source in `into.sources` (only --fix and --diff,
    which use no cache, need the sources)."""
    misses = []
    for target in targets:
        if target.data is not None or target.only:  # a partial pipeline lint is not what the cache holds
            misses.append(target)
            continue
        if cache.clean_unread(target.kind, target.abspath):
            # nothing to report and nothing to read (most files of a warm run); the file must
            # still be one gplint may read, as when it is read
            from .confined import check, root_for

            try:
                check(target.abspath, root_for(target.abspath, project.root))
            except SourceError:
                misses.append(target)
            continue
        try:
            source = read_target(target, root=project.root)
        except SourceError:
            misses.append(target)
            continue
        diags = cache.get(source, project)
        if diags is None:
            misses.append(target)
            continue
        into.sources[target.abspath] = source
        into.diagnostics.extend(diags)
        into.input_errors += sum(1 for d in diags if d.code == "GP001")
    return misses


def _workers(count: int, jobs: int | None) -> int:
    if jobs is not None:
        return max(1, jobs)
    if count < PARALLEL_MIN_FILES:
        return 1
    return max(1, min(os.cpu_count() or 1, 8, count // CHUNK))


def _read_and_lower(target: Target, project: Project, overrides=None, originals=None) -> tuple:
    """One target read and lowered: (its Source or None, its Document or None, the GP001
    findings of a file that could not be read or lowered)."""
    override = (overrides or {}).get(target.abspath)
    try:
        source = read_target(target, override, project.root)
        if override is not None and originals and target.abspath in originals:
            source.has_bom = originals[target.abspath].has_bom
    except SourceError as exc:
        placeholder = Source(target.display, target.abspath, target.kind, "")
        return None, None, [unusable(placeholder, f"{exc.message}")]
    if target.kind == "dockerfile" and not source.text.strip():
        return source, None, [unusable(source, "empty Dockerfile: there is nothing docker can build")]
    try:
        return source, lower_source(project, source), []
    except Exception as exc:  # a bug must cost one file, never the run (and never a traceback)
        return source, None, [unusable(source, f"internal error while reading this file: {exc!r}")]


def _lint_files(targets: list[Target], project: Project, selected, overrides=None, originals=None,
                lowered: dict | None = None) -> RunResult:
    """Read, lower and check the targets. `lowered` holds what _read_and_lower gave for targets
    the parent already lowered (_lower_ci): those are not read and lowered again."""
    result = RunResult()
    docs = []
    for target in targets:
        if lowered is not None and target.abspath in lowered:
            source, doc, problems = lowered[target.abspath]
        else:
            source, doc, problems = _read_and_lower(target, project, overrides, originals)
        if source is not None:
            result.sources[target.abspath] = source
        result.diagnostics.extend(problems)
        result.input_errors += len(problems)
        if doc is not None:
            docs.append(doc)
    only = {t.abspath: t.only for t in targets if t.only}
    for doc in docs:
        try:
            diags = check_document(doc, project, selected)
        except Exception as exc:
            diags = [unusable(doc.source, f"internal error while checking this file: {exc!r}")]
        if doc.source.abspath in only:
            diags = _in_included(diags, only[doc.source.abspath], project)
        else:
            result.produced[doc.source.abspath] = diags
        result.input_errors += sum(1 for d in diags if d.code == "GP001")
        result.diagnostics.extend(diags)
    return result


def _in_included(diags: list[Diagnostic], files: tuple[str, ...], project: Project) -> list[Diagnostic]:
    """The pipeline's findings that lie in the included files asked for; an included file that is
    not valid YAML is reported in that file (the pipeline reports it at its `include:`)."""
    from .formats.yamlpos import YamlError, load_yaml

    kept = [d for d in diags if d.source.abspath in files]
    for path in files:
        source = project.source(project.rel(path), "gitlab")
        if source is None:
            continue
        try:
            load_yaml(source.text)
        except YamlError as exc:
            if not any(d.code == "GP001" and d.source.abspath == path for d in kept):
                kept.append(unusable(source, f"invalid YAML: {exc.message}", exc.line or 1, exc.column or 1))
    return kept


# -- many files: worker processes (forked: they inherit the project and the selection) ----------
_STATE: tuple | None = None


def _work(chunk: list[Target]) -> tuple[RunResult, list[tuple[str, str, bool]]]:
    assert _STATE is not None  # set by _lint_parallel before the fork
    project, selected, overrides, originals, lowered = _STATE
    before = {k: len(v) for k, v in project.builds.contexts.items()}
    result = _lint_files(chunk, project, selected, overrides, originals, lowered)
    result.reached = set(project.reached)  # what its hand-offs read: the cache keys on them
    # only what this chunk registered: a worker process keeps its project across chunks
    builds = [(c.dockerfile, c.context, c.network_host) for key, cs in project.builds.contexts.items()
              for c in cs[before.get(key, 0):]]
    return result, builds


def _lower_ci(ci: list[Target], project: Project, overrides=None, originals=None) -> dict:
    """The build graph, once per run: the parent reads and lowers the CI files it lints (their
    builds go into the graph, as in one process) and scans the repository's other sources of
    builds, before forking. Every worker inherits the graph and the lowered documents, so none
    lowers a CI file again to learn a Dockerfile's builds or the build args CI passes it.
    Returns abspath -> what _read_and_lower gave, for the workers that check those files."""
    lowered = {t.abspath: _read_and_lower(t, project, overrides, originals) for t in ci}
    project.scan_builds()
    return lowered


def _lint_parallel(targets: list[Target], project: Project, selected, workers: int,
                   overrides: dict[str, str] | None = None, originals: dict[str, Source] | None = None) -> RunResult:
    """Lint in forked worker processes. They inherit the project, the selection and a fix run's
    texts (`overrides`), and send back results and the image builds they found.

    The build graph is built once. When the CI files fit in one chunk (most repositories), the
    parent lowers them before forking (one worker would have lowered them alone anyway) and every
    worker inherits the graph and their documents. When they fill several chunks (thousands of
    workflows), lowering them in the parent alone would cost more wall time than it saves, so
    workers lower them in a first phase and send back their builds."""
    from . import workers as forked

    ci, rest = build_phases(targets)
    ordered = ci + rest
    if not forked.available():
        return _lint_files(ordered, project, selected, overrides, originals)
    project.inventory()  # walk once, before forking
    if len(ci) > CHUNK:
        return _pool(forked, [ci, rest], project, selected, workers, overrides, originals)
    lowered = _lower_ci(ci, project, overrides, originals)
    if len(ordered) <= CHUNK:  # one worker would only add a fork to the same work
        return _lint_files(ordered, project, selected, overrides, originals, lowered)
    return _pool(forked, [ordered], project, selected, workers, overrides, originals, lowered)


def _pool(forked, phases: list[list[Target]], project: Project, selected, workers: int,
          overrides=None, originals=None, lowered: dict | None = None) -> RunResult:
    """Each phase in turn across forked workers; after a phase of CI files the parent knows their
    builds, and the Dockerfile rules of the next phase need not lower those files for them."""
    global _STATE
    merged = RunResult()
    try:
        for phase in phases:
            if not phase:
                continue
            _STATE = (project, selected, overrides, originals, lowered)
            chunks = [phase[i:i + CHUNK] for i in range(0, len(phase), CHUNK)]
            # our own forked workers, not multiprocessing.Pool: Ctrl-C must stop them at once
            # (workers.py says why the pool could hang)
            for result, builds in forked.imap(_work, chunks, min(workers, len(chunks))):
                merged.diagnostics.extend(result.diagnostics)
                merged.sources.update(result.sources)
                merged.produced.update(result.produced)
                merged.input_errors += result.input_errors
                project.reached |= result.reached
                for dockerfile, ctx, network_host in builds:
                    project.builds.add(dockerfile, ctx, network_host)
            if len(phases) > 1 and phase is phases[0]:
                # every CI file of the repository was just read: Dockerfile rules need not scan again
                project.mark_ci_scanned({project.rel(t.abspath) for t in phase})
    finally:
        _STATE = None
    merged.diagnostics.sort(key=lambda d: d.sort_key)
    return merged


# -- files a passed file makes wrong ------------------------------------------------------------
def companions(targets: list[Target], project: Project, selected) -> list:
    """GP401 findings in ignore files that were not passed but govern a passed Dockerfile.

    pre-commit passes only the changed files; a Dockerfile edit (say, a new `COPY go.sum`) can make
    the untouched .dockerignore wrong, so those findings are reported too, and say why.
    """
    from .formats.dockerignore import applicable_ignore_file

    passed = {t.abspath for t in targets}
    dockerfiles = [t for t in targets if t.kind == "dockerfile" and t.abspath != "-"]
    if not dockerfiles or not selected("GP401", "."):
        return []
    found = []
    seen: set[str] = set()
    for target in dockerfiles:
        rel = project.rel(target.abspath)
        for ctx in project.build_contexts(rel):
            ignore = applicable_ignore_file(project, rel, ctx.context)
            if ignore is None or project.abs(ignore) in passed or ignore in seen:
                continue
            seen.add(ignore)
            extra = Target(project.abs(ignore), "dockerignore", project.display(project.abs(ignore)))
            for diag in _lint_files([extra], project, lambda code, path: code == "GP401").diagnostics:
                if diag.code != "GP401" or not any(r[0].abspath == target.abspath for r in diag.related):
                    continue
                diag.message += f" (reported because {target.display}, which was passed, needs it)"
                found.append(diag)
    return found


def reaching(targets: list[Target], project: Project, selected) -> list:
    """Findings of Dockerfiles and CI files that were not passed but run a passed Makefile,
    Taskfile or script (`RUN make build`, `run: ./hack/build.sh`), through it.

    pre-commit passes only the changed files; an edit to a Makefile (a dropped `export GOPROXY`)
    can make the Dockerfile that runs `make build` wrong, so those findings are reported too, and
    say why. Only findings that stand in a passed file or name one among their hops are kept."""
    handed = {t.abspath for t in targets if t.kind in (MAKEFILE, TASKFILE, SCRIPT)}
    if not handed:
        return []
    passed = {t.abspath for t in targets}
    others = []
    for rel in project.inventory():
        kind = discover.kind_of(rel)
        path = project.abs(rel)
        if (kind == DOCKERFILE or kind in CI_KINDS) and path not in passed:
            others.append(Target(path, kind, project.display(path)))
    found = []
    for diag in _lint_files(others, project, selected).diagnostics:
        through = next((r[0] for r in diag.related if r[0].abspath in handed), None)
        if diag.source.abspath in handed:
            found.append(diag)
        elif through is not None:
            diag.message += f" (reported because {project.display(through.abspath)}, which was passed, is run from here)"
            found.append(diag)
    return found

