"""The repository around the linted files: lazy, cached access to the other files cross-file
rules need (go.mod, vendor/modules.txt, ignore files, Dockerfiles named by CI), and the build
graph (buildgraph.py) its CI files describe."""
from __future__ import annotations

import os
import posixpath

from .buildgraph import BuildContext, BuildGraph
from .confined import MAX_BYTES, read_bytes
from .records import dataclass, field
from .source import Source, SourceError

__all__ = ["MAX_BYTES", "BuildContext", "Project", "lower"]

_HANDED_OFF_KINDS = frozenset(("script", "makefile", "taskfile"))  # the kinds hand-offs read files as

TYPE_CHECKING = False  # true for type checkers only: start-up does not import typing
if TYPE_CHECKING:
    from typing import Protocol

    class BuildMemo(Protocol):
        """What the result cache (cache.ResultCache) remembers of the CI files' builds."""

        def builds_of(self, rel: str, kind: str) -> list[tuple[str, str, bool]] | None: ...

        def remember_builds(self, rel: str, kind: str, builds: list, reads: list) -> None: ...


@dataclass
class Project:
    root: str  # absolute path of the repository root
    cwd: str = field(default_factory=os.getcwd)
    inventory_files: list[str] | None = None  # repository-relative go.mod, go.work, modules.txt, Dockerfiles
    _sources: dict = field(default_factory=dict)
    _documents: dict = field(default_factory=dict)
    builds: BuildGraph = field(default_factory=BuildGraph)  # how each Dockerfile is built (CI lowering)
    overrides: dict[str, str] = field(default_factory=dict)  # abspath -> text (fixed, not yet written)
    _ci_scanned: bool = False
    _inventory_index: dict | None = None
    _ci_done: set = field(default_factory=set)
    options: dict = field(default_factory=dict)  # organisation policy from the configuration
    _rel_cache: dict = field(default_factory=dict)
    _governed: dict | None = None
    unreadable: list = field(default_factory=list)  # (folder, reason) the walk of the linted paths could not list
    skipped: list = field(default_factory=list)  # (path, why, quiet) named files gplint does not lint
    _gitlab_included: dict | None = None
    refused: dict = field(default_factory=dict)  # rel -> the SourceError: why source() did not read it
    # the builds of CI files remembered from earlier runs (cache.ResultCache), or None
    build_memo: "BuildMemo | None" = None
    _reads: list | None = None  # while a CI file is scanned: the files (None: the inventory) it reads
    # every script, Makefile and Taskfile a hand-off read this run (the result cache keys on them)
    reached: set = field(default_factory=set)

    # -- paths --------------------------------------------------------------------------------
    def rel(self, abspath: str) -> str:
        found = self._rel_cache.get(abspath)
        if found is None:
            found = self._rel_cache[abspath] = _relative(abspath, self.root)
        return found

    def abs(self, rel: str) -> str:
        return os.path.join(self.root, *rel.split("/")) if rel else self.root

    def display(self, abspath: str) -> str:
        """Relative to the working directory when under it (the JSON `path`)."""
        rel = _relative(abspath, self.cwd)
        return abspath if rel.startswith("..") else rel

    def exists(self, rel: str) -> bool:
        """Whether a regular file is there that gplint may read (inside the repository)."""
        from .confined import check

        if self._reads is not None:
            self._reads.append(rel)
        path = self.abs(rel)
        try:
            os.lstat(path)
        except (OSError, ValueError):
            return False  # nothing there: no need to resolve where it would be (hand-offs ask often)
        try:
            check(path, self.root)
        except SourceError:
            return False
        return True

    # -- files --------------------------------------------------------------------------------
    def source(self, rel: str, kind: str) -> Source | None:
        """The file as a Source, or None when it is absent or unusable (the linted files report
        their own problems; auxiliary files just stay silent, and `refused` says why).

        Only regular files inside the repository are read, never through a symlink that leads
        out of it (confined.py): a path here comes from the repository itself (an include, a
        `docker build -f`, a COPY source), so it is untrusted."""
        key = (rel, kind)
        if self._reads is not None:
            self._reads.append(rel)
        if kind in _HANDED_OFF_KINDS:
            self.reached.add(rel)
        if key not in self._sources:
            self._sources[key] = None
            path = self.abs(rel)
            if path in self.overrides:
                self._sources[key] = Source(self.display(path), path, kind, self.overrides[path])
                return self._sources[key]
            try:
                data = read_bytes(path, self.root)
                self._sources[key] = Source.from_bytes(self.display(path), path, kind, data)
            except SourceError as exc:
                self.refused[rel] = exc
        return self._sources[key]

    def add_source(self, rel: str, source: Source) -> None:
        self._sources[(rel, source.kind)] = source

    def document(self, rel: str, kind: str = "dockerfile"):
        """The lowered document of a repository file, cached (CI rules follow builds into it)."""
        key = (rel, kind)
        if key not in self._documents:
            source = self.source(rel, kind)
            self._documents[key] = lower(source, self) if source is not None else None
        return self._documents[key]

    def set_document(self, rel: str, doc) -> None:
        self._documents[(rel, doc.source.kind)] = doc

    def inventory(self) -> list[str]:
        """go.mod, go.work, vendor/modules.txt and Dockerfiles anywhere in the repository."""
        if self._reads is not None:
            self._reads.append(None)
        if self.inventory_files is None:
            from .discover import walk_inventory

            self.inventory_files = walk_inventory(self.root)
        return self.inventory_files

    def gitlab_root(self) -> str | None:
        """The repository's pipeline file (GitLab reads `.gitlab-ci.yml` at the root), if any."""
        from .discover import GITLAB_NAMES

        return next((name for name in GITLAB_NAMES if self.exists(name)), None)

    def gitlab_included(self) -> dict[str, str]:
        """Repository-relative files the root pipeline includes (`include: local`, directly or
        through other includes) -> that pipeline file. Such a file is a GitLab file whatever its
        name, linted in the context of the pipeline that includes it."""
        if self._gitlab_included is None:
            self._gitlab_included = {}
            root = self.gitlab_root()
            doc = None
            source = self.source(root, "gitlab") if root is not None else None
            if source is not None:
                try:  # not cached as a document: the CI scan still registers its builds
                    doc = lower(source, self)
                except Exception:  # a pipeline that does not lower includes nothing we can tell
                    doc = None
            for rel in (doc.included if doc is not None else []):
                if rel != root:
                    self._gitlab_included.setdefault(rel, root)
        return self._gitlab_included

    def _index(self) -> dict:
        """The inventory sorted by what rules ask of it (built once per run)."""
        if self._reads is not None:
            self._reads.append(None)
        if self._inventory_index is None:
            inventory = self.inventory()
            self._inventory_index = {
                "all": set(inventory),
                "go": [p for p in inventory if posixpath.basename(p) in ("go.mod", "go.work")],
                "vendor": [p for p in inventory if p.endswith("vendor/modules.txt")],
            }
        return self._inventory_index

    def has(self, rel: str) -> bool:
        """Whether the repository inventory holds this file (no file system call)."""
        return rel in self._index()["all"]

    def governed_by(self, ignore_rel: str) -> list[BuildContext]:
        """The (Dockerfile, context) builds whose applicable ignore file this is (§10.1),
        computed once for the whole repository."""
        if self._governed is None:
            from .discover import kind_of
            from .formats.dockerignore import applicable_ignore_file

            governed: dict[str, list[BuildContext]] = {}
            for dockerfile in self.inventory():
                if kind_of(dockerfile) != "dockerfile":
                    continue
                for ctx in self.build_contexts(dockerfile):
                    ignore = applicable_ignore_file(self, dockerfile, ctx.context)
                    if ignore is not None:
                        governed.setdefault(ignore, []).append(ctx)
            self._governed = governed
        return self._governed.get(ignore_rel, [])

    def go_files(self) -> list[str]:
        """go.mod and go.work files of the repository."""
        return self._index()["go"]

    def vendor_manifests(self) -> list[str]:
        """vendor/modules.txt files of the repository."""
        return self._index()["vendor"]

    def go_mods_under(self, folder: str) -> list[str]:
        prefix = folder.rstrip("/") + "/" if folder else ""
        return [p for p in self.go_files() if p.endswith("go.mod") and p.startswith(prefix)]

    def build_contexts(self, dockerfile_rel: str) -> list[BuildContext]:
        """How a Dockerfile is built: CI invocations found in the repository, else its own folder."""
        self._scan_ci()
        found = self.contexts.get(dockerfile_rel)
        if found:
            return found
        return [BuildContext(dockerfile_rel, self._default_context(posixpath.dirname(dockerfile_rel)))]

    def _default_context(self, folder: str) -> str:
        """The Dockerfile's folder; but when that folder holds no go.mod and a folder above it
        does, the Go module root above (Dockerfiles in build/ or deploy/ are built from there)."""
        inventory = self._index()["all"]
        if posixpath.join(folder, "go.mod") in inventory or not folder:
            return folder
        probe = folder
        while probe:
            probe = posixpath.dirname(probe)
            if posixpath.join(probe, "go.mod") in inventory or (not probe and "go.mod" in inventory):
                return probe
        return folder


    def mark_ci_scanned(self, linted: set[str]) -> None:
        """The CI files in `linted` were lowered elsewhere (worker processes); scan only others."""
        self._ci_done = linted

    def scan_builds(self) -> BuildGraph:
        """The complete build graph: every source of builds in the repository lowered (the ones
        linted already are not lowered again). The runner calls it before forking workers."""
        self._scan_ci()
        return self.builds

    def _scan_ci(self) -> None:
        """Lower the repository's CI files once, for the builds they make (linted or not)."""
        if self._ci_scanned:
            return
        self._ci_scanned = True
        from .discover import kind_of
        from .formats.lowering import BUILD_SOURCE_KINDS

        memo = self.build_memo
        for rel in self.inventory():
            kind = kind_of(rel)
            if kind in BUILD_SOURCE_KINDS and (rel, kind) not in self._documents \
                    and rel not in self._ci_done:
                remembered = memo.builds_of(rel, kind) if memo is not None else None
                if remembered is not None:  # nothing it reads changed: its builds, unlowered
                    for dockerfile, context, network_host in remembered:
                        self.builds.add(dockerfile, context, network_host)
                    continue
                self._reads = []  # what lowering it reads (itself included): what its builds depend on
                try:  # the builds its hand-offs reach read Makefiles and scripts: inside the window
                    doc = self.document(rel, kind)
                    found = self.builds.register(doc, self) if doc is not None else []
                except Exception:  # an auxiliary file that does not lower says nothing
                    found = []
                finally:
                    reads, self._reads = self._reads, None
                if memo is not None:
                    memo.remember_builds(rel, kind, found, reads)

    @property
    def contexts(self) -> dict[str, list[BuildContext]]:
        return self.builds.contexts


def _relative(abspath: str, folder: str) -> str:
    """os.path.relpath with '/' separators; a plain slice for the usual path under the folder."""
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    tail = abspath[len(prefix) - 1:] + os.sep  # '/b/c/': each component between separators
    sep = os.sep
    if len(abspath) > len(prefix) and abspath.startswith(prefix) and sep + "." + sep not in tail \
            and sep + ".." + sep not in tail and sep * 2 not in tail and not abspath.endswith(sep):
        return abspath[len(prefix):].replace(sep, "/")
    return os.path.relpath(abspath, folder).replace(os.sep, "/")


def lower(source: Source, project: "Project | None" = None):
    """Lower a source into a Document by its kind, with the configuration's base-image-env
    applied to the scopes that start from an image."""
    from .formats.lowering import lower_by_kind

    doc = lower_by_kind(source, project)
    table = (getattr(project, "options", None) or {}).get("base_image_env")
    if table:
        from .baseimage import seed

        seed(doc, table)
    return doc
