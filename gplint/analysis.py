"""Facts about a lowered Dockerfile that several rules share, computed once per document:
every go command with the environment it runs in, whether it may reach the module proxy, and
what the build context holds (vendor trees, go.mod files, the applicable ignore file)."""
from __future__ import annotations

import posixpath

from .kinds import BAKE, BUILD_KINDS, CI_KINDS, MAKEFILE
from .model import CopyFrom, Document, Env, GoCommand, HandOff, ImageBuild, Scope, Setting, command_env, walk
from . import buildgraph
from .buildgraph import BuildContext
from .project import Project
from .records import dataclass, replace
from .semantics import goenv
from .source import Span


@dataclass(slots=True)
class GoRun:
    command: GoCommand
    env: Env  # the environment of this command (inline assignments included)
    scope: Scope
    reaches_proxy: bool
    copies_before: tuple  # CopyFrom events of the lineage before this command
    handoff: HandOff | None = None  # the `make …` / `./x.sh` of the scope that reaches it

    @property
    def event(self) -> GoCommand | HandOff:
        """The scope's own event this run comes from (for ordering against other events)."""
        return self.handoff if self.handoff is not None else self.command

    @property
    def subcommand(self) -> str:
        words = [w for w in self.command.words if not w.startswith("-")]
        return words[0] if words else ""


def setting_value(setting: Setting | None) -> str | None:
    return None if setting is None or setting.dynamic else setting.value


def go_runs(doc: Document, project: Project | None) -> list[GoRun]:
    cached = doc.go_runs
    if cached is not None:
        return cached
    if doc.source.kind == MAKEFILE:
        doc.go_runs = []  # its scopes are `make <target>` for the builds only (formats.makefile)
        return doc.go_runs
    ci = doc.source.kind != "dockerfile"
    context = BuildContext("", "") if ci and project is not None else default_context(doc, project)
    vendor_dirs = vendor_trees(project, context) if project is not None and context is not None else []
    # a CI job works in the whole checkout, as if it had copied the entire context
    checkout = [CopyFrom(["."], Span(0, 0), doc.source, Span(0, 0), True)] if ci else []
    runs: list[GoRun] = []
    for scope in doc.scopes:
        if not any(isinstance(e, (GoCommand, HandOff)) for e in scope.events):
            continue  # no run to find (no go command, nothing handed off): the replay would be wasted
        copies = checkout + [e for s in reversed(list(scope.lineage())[1:]) for e in s.events
                             if isinstance(e, CopyFrom)]
        sourced: tuple = (None, {})  # (the RUN, what a `. ./env.sh` in it left in its shell)
        for event, env in walk(scope):
            if isinstance(event, CopyFrom):
                copies.append(event)
                continue
            if sourced[1] and getattr(event, "stmt", None) == sourced[0]:
                env = env.copy()
                env.local.update(sourced[1])
            if isinstance(event, HandOff):
                if project is not None and context is not None and event.program == "source":
                    overlay = _sourced(project, context, event, env, copies)
                    sourced = (event.stmt, {**sourced[1], **overlay} if event.stmt == sourced[0] else overlay)
                elif project is not None and context is not None:
                    runs += _handed_off(project, context, scope, event, env, copies, vendor_dirs, ci)
                continue
            if not isinstance(event, GoCommand):
                continue
            cenv = command_env(env, event)
            runs.append(GoRun(event, cenv, scope, _reaches_proxy(event, cenv, copies, vendor_dirs), tuple(copies)))
    doc.go_runs = runs
    return runs


def _handed_off(project: Project, context: BuildContext, scope: Scope, handoff: HandOff, env: Env,
                copies: list, vendor_dirs: list[str], ci: bool) -> list[GoRun]:
    """The go commands a `make …` / `./x.sh` reaches (handoffs.py), as runs of this scope: each
    stands at the hand-off (where a fix of the scope goes) and names the chain in its label."""
    from . import handoffs

    if ci:
        cwd, path, available = handoff.cwd, None, None
    else:
        cwd, path = _in_repository(project, context.context, copies, handoff)
        if cwd is None and path is None:
            return []
        prefix = context.context + "/" if context.context else ""
        frozen = tuple(copies)

        def available(rel: str) -> bool:
            return rel.startswith(prefix) and copied(frozen, rel[len(prefix):])
    try:
        reached_all = handoffs.reach(project, handoff, env, cwd, path, available)
    except (ValueError, IndexError, KeyError, RecursionError):  # a file we cannot follow says nothing
        return []
    runs = []
    for reached in reached_all:
        inner = reached.command
        if not isinstance(inner, GoCommand):
            continue
        cenv = env.copy()
        for name, setting in reached.overlay.items():
            cenv.local[name] = setting
        command = GoCommand(inner.args, handoff.span, inner.inline, handoff.source, handoff.stmt,
                            handoff.network_host, via=reached.via.text, hops=list(reached.via.hops))
        cenv = command_env(cenv, command)
        vendored_dirs = _module_vendor(project, context.context, reached.cwd, inner.words, vendor_dirs)
        runs.append(GoRun(command, cenv, scope, _reaches_proxy(command, cenv, copies, vendored_dirs), tuple(copies),
                          handoff))
    return runs


def _sourced(project: Project, context: BuildContext, handoff: HandOff, env: Env, copies: list) -> dict:
    """The settings `. ./env.sh` in a Dockerfile RUN leaves for the rest of that RUN (§18.2), when
    the script maps back to a file of the build context; else nothing."""
    from . import handoffs

    cwd, path = _in_repository(project, context.context, copies, handoff)
    if path is None:
        return {}
    try:
        return handoffs.sourced(project, handoff, env, cwd, path)
    except (ValueError, IndexError, KeyError, RecursionError):
        return {}


def handed_off_builds(doc: Document, project: Project | None, scope: Scope, handoff: HandOff, env: Env) -> list:
    """(image build, its environment) for each `docker build` a CI hand-off reaches (a make
    recipe's, a script's): the job's environment with what make and the scripts export on top."""
    if project is None or doc.source.kind == "dockerfile":
        return []
    from . import handoffs

    # a Makefile's own `make <goals>` (formats.makefile): its sub-makes are sources of builds
    # themselves, so only this make run is evaluated
    max_makes = 1 if doc.source.kind == MAKEFILE else handoffs.MAX_MAKES
    try:
        reached_all = handoffs.reach(project, handoff, env, handoff.cwd, None, max_makes=max_makes)
    except (ValueError, IndexError, KeyError, RecursionError):
        return []
    out = []
    for reached in reached_all:
        if isinstance(reached.command, GoCommand):
            continue
        benv = env.copy()
        for name, setting in reached.overlay.items():
            benv.local[name] = setting
        build = reached.command
        if doc.source.kind != MAKEFILE:  # a Makefile's own run starts at the build: no chain to name
            # the finding stands at the build: its related places are the job's hand-off and the
            # hops between (the last hop is the build itself)
            start = (handoff.source, handoff.span, f"job `{scope.name}` runs it here")
            build = replace(build, via=reached.via.text, hops=[start, *reached.via.hops[:-1]])
        out.append((build, benv))
    return out


def _file_builds(project: Project, rel: str, kind: str) -> list:
    """image_builds of a repository file that is not being linted; a file that does not lower
    builds nothing (its own lint reports why)."""
    try:
        doc = project.document(rel, kind)
        return image_builds(doc, project) if doc is not None else []
    except Exception:
        return []


def image_builds(doc: Document, project: Project | None) -> list:
    """(scope, build, env before it) for every image build of a CI document or Makefile, and for
    the builds its `make …` / `./x.sh` steps reach. Computed once per document (the CI rules and
    the build graph ask), replaying only the scopes that build an image or hand off: the replay
    of every job's environment was most of what these rules cost."""
    if doc.image_builds is not None:
        return doc.image_builds
    found = []
    for scope in doc.scopes:
        if not any(isinstance(e, (ImageBuild, HandOff)) for e in scope.events):
            continue
        for event, env in walk(scope):
            if isinstance(event, ImageBuild):
                found.append((scope, event, env))
            elif isinstance(event, HandOff) and project is not None:
                found += [(scope, build, benv) for build, benv in handed_off_builds(doc, project, scope, event, env)]
    if project is not None:
        doc.image_builds = found
    return found


def reached_from_ci(project: Project) -> set:
    """(file, span start, end) of every image build the repository's CI files reach through a
    hand-off (`run: make image`), computed once per project."""
    cached = project.builds.ci_reached
    if cached is not None:
        return cached
    from .discover import kind_of

    reached: set = set()
    project.builds.ci_reached = reached
    for rel in project.inventory():
        kind = kind_of(rel)
        if kind not in CI_KINDS:
            continue
        source = project.source(rel, kind)
        if source is None or not any(hint in source.text for hint in HANDOFF_HINTS):
            continue  # no hand-off to follow
        for _scope, build, _env in _file_builds(project, rel, kind):
            if build.source.abspath != source.abspath:
                reached.add((build.source.abspath, build.span.start, build.span.end))
    return reached


def _reached_builds(doc: Document, project: Project) -> list:
    """The image builds a document's hand-offs reach (for the build graph; its own ImageBuild
    events are registered as they are)."""
    return [build for scope, build, _env in image_builds(doc, project)
            if not any(build is event for event in scope.events)]


buildgraph.REACHED_BUILDS = _reached_builds


# words without which a file hands nothing off (`make`, `./x.sh`, `bash x.sh`, `task`): a cheap
# test before lowering it
HANDOFF_HINTS = ("make", "./", ".sh", "task")


def _in_repository(project: Project, context: str, copies: list, handoff: HandOff) -> tuple:
    """(repository folder the hand-off runs in, repository path of its script) for a Dockerfile
    RUN: its in-image paths mapped back through the stage's copies; (None, None) if they cannot be."""
    from .formats.dockerfile import in_image_join
    from .handoffs import in_context, make_arguments

    if handoff.program == "make":
        folder, file, _, _, _ = make_arguments(handoff.args)
        if folder == "\0" or file == "\0":
            return None, None
        names = [file] if file else ["GNUmakefile", "makefile", "Makefile"]
        for name in names:
            suffix = posixpath.normpath(posixpath.join(folder or ".", name))
            rel = in_context(project, context, copies, in_image_join(handoff.cwd, suffix))
            if rel is not None:
                return _strip_suffix(rel, suffix), None
        return None, None
    if handoff.program == "task":
        from .handoffs import TASKFILE_NAMES, task_arguments

        folder, file, _, _ = task_arguments(handoff.args)
        if folder == "\0" or file == "\0":
            return None, None
        for name in [file] if file else TASKFILE_NAMES:
            suffix = posixpath.normpath(posixpath.join(folder or ".", name))
            rel = in_context(project, context, copies, in_image_join(handoff.cwd, suffix))
            if rel is not None:
                return _strip_suffix(rel, suffix), None
        return None, None
    if handoff.program in ("script", "source") and not handoff.args[0].dynamic:
        written = handoff.args[0].value
        rel = in_context(project, context, copies, in_image_join(handoff.cwd, written))
        if rel is None:
            return None, None
        return (_strip_suffix(rel, posixpath.normpath(written)) if not written.startswith("/") else None), rel
    return None, None


def _strip_suffix(rel: str, suffix: str) -> str | None:
    if suffix.startswith(".."):
        return None
    if rel == suffix:
        return ""
    return rel[:-len(suffix) - 1] if rel.endswith("/" + suffix) else None


def _module_vendor(project: Project, context: str, cwd: str | None, words: list[str], vendor_dirs: list[str]):
    """The vendor folders that decide vendor mode for a go command run in repository folder
    `cwd` (`-C dir` first): only its own module's (§5.7); all of the context's when unknown."""
    if cwd is None:
        return vendor_dirs
    folder = cwd
    for i, word in enumerate(words):
        if not word.startswith("-"):
            break
        if word == "-C" and i + 1 < len(words):
            folder = posixpath.normpath(posixpath.join(folder, words[i + 1])) if folder else words[i + 1]
        elif word.startswith("-C="):
            folder = posixpath.normpath(posixpath.join(folder, word[3:])) if folder else word[3:]
    probe: str | None = folder
    prefix = context + "/" if context else ""
    while probe is not None:
        if project.exists(posixpath.join(probe, "go.mod") if probe else "go.mod"):
            module = probe[len(prefix):] if probe.startswith(prefix) else (probe if not context else None)
            if module is None:
                return []
            own = posixpath.join(module, "vendor") if module else "vendor"
            return [d for d in vendor_dirs if d == own]
        if not probe or probe == context:
            break
        probe = posixpath.dirname(probe)
    return vendor_dirs


def _reaches_proxy(command: GoCommand, env: Env, copies: list[CopyFrom], vendor_dirs: list[str]) -> bool:
    module_mode = goenv.go111module_problem(setting_value(env.effective("GO111MODULE")) or "")
    if module_mode == "off":
        return False  # GOPATH mode never uses the proxy (§4.2); GP202 reports it
    goflags = setting_value(env.effective("GOFLAGS"))
    vendored = any(copied(copies, d + "/modules.txt") for d in vendor_dirs)
    return goenv.go_command_reaches_proxy(command.words, goflags, vendored)


def copied(copies: list[CopyFrom] | tuple, path: str) -> bool:
    """Whether a context-relative file reaches the stage through one of these copies."""
    for copy in copies:
        if copy.whole_context:
            return True
        for src in copy.sources:
            src = posixpath.normpath(src.lstrip("/")) if src.strip("/") else "."
            if src == "." or path == src or path.startswith(src + "/") or _glob_match(src, path):
                return True
    return False


def _glob_match(pattern: str, path: str) -> bool:
    if not any(c in pattern for c in "*?["):
        return False
    from fnmatch import fnmatchcase

    # COPY globs follow filepath.Match: '*' never crosses '/'
    return pattern.count("/") == path.count("/") and fnmatchcase(path, pattern)


def default_context(doc: Document, project: Project | None) -> BuildContext | None:
    if project is None:
        return None
    rel = project.rel(doc.source.abspath) if doc.source.abspath != "-" else None
    if rel is None or rel.startswith(".."):
        return None
    return project.build_contexts(rel)[0]


def vendor_trees(project: Project, context: BuildContext) -> list[str]:
    """Context-relative vendor folders that put go in vendor mode (§5.7: vendor/modules.txt
    beside a go.mod whose go version is at least 1.14)."""
    prefix = context.context + "/" if context.context else ""
    trees = []
    for path in project.vendor_manifests():
        if not path.startswith(prefix):
            continue
        module_dir = posixpath.dirname(posixpath.dirname(path))
        gomod = posixpath.join(module_dir, "go.mod") if module_dir else "go.mod"
        source = project.source(gomod, "gomod")
        if source is None:
            continue
        requirement = goenv.go_mod_directive_version(source.text)
        if requirement is not None and requirement >= (1, 14):
            trees.append(posixpath.dirname(path)[len(prefix):])
    return trees


def values_passed_to(project: Project | None, dockerfile: Document, name: str) -> list[str | None]:
    """The values the repository's CI builds of this Dockerfile pass for build arg NAME: the
    written value of `--build-arg NAME=value` / a `build-args` line, or the job's environment
    value for a bare NAME (§9.3); None where it cannot be read. A fix that declares ARG NAME
    lets each of them into the build."""
    if project is None or dockerfile.source.abspath == "-":
        return []
    # one scan of the CI files per project (a fresh Project is made for every fix pass)
    rel = project.rel(dockerfile.source.abspath)
    project.build_contexts(rel)  # CI builds are registered by the time Dockerfiles are checked
    if rel not in project.builds.contexts:
        return []  # no CI file builds it: nothing to scan
    cache = project.builds.passed_values
    if name not in cache:
        cache[name] = _scan_build_arg_values(project, name)
    return cache[name].get(rel, [])


def _scan_build_arg_values(project: Project, name: str) -> dict[str, list[str | None]]:
    from .discover import kind_of

    passed: dict[str, list[str | None]] = {}
    for ci in project.inventory():
        kind = kind_of(ci)
        if kind not in BUILD_KINDS:
            continue
        source = project.source(ci, kind)
        if source is None or "build" not in source.text and kind != BAKE:
            continue  # cheap: lower only the files that may start a build
        text = source.text
        if name not in text and kind != MAKEFILE and not any(hint in text for hint in HANDOFF_HINTS):
            continue  # nor passes NAME, nor hands off to a Makefile or script that may
        for _scope, event, env in _file_builds(project, ci, kind):
            if not event.dockerfile:
                continue
            arg = event.passes(name)
            if arg is not None:
                value = (None if arg.dynamic else arg.value) if arg.value is not None \
                    else setting_value(env.get(name))
                passed.setdefault(event.dockerfile, []).append(value)
    return passed
