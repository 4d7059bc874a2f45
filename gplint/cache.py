"""A result cache, like ruff's: a file whose content, configuration, gplint version and
cross-file inputs are unchanged is not lowered or checked again.

Cross-file rules make a file's findings depend on other files (go.mod, vendor/, ignore files,
the CI files that build a Dockerfile, the Dockerfiles a CI file builds), so the key includes a
fingerprint of every such file in the repository (path, size, modification time).
"""
from __future__ import annotations

import hashlib
import os
import pickle

from . import __version__
from .diagnostic import Diagnostic, Edit, Fix
from .source import Source, Span

MAX_ENTRIES = 50_000


def default_folder(root: str) -> str:
    """Outside the repository (nothing to ignore, nothing written into a read-only checkout):
    $GPLINT_CACHE_DIR, else $XDG_CACHE_HOME/gplint, else ~/.cache/gplint; one folder per root."""
    base = os.environ.get("GPLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "gplint")
    return os.path.join(base, hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogatepass")).hexdigest()[:20])


class ResultCache:
    def __init__(self, root: str, salts: dict[str, str], folder: str | None = None):
        self.folder = folder or default_folder(root)
        self.path = os.path.join(self.folder, f"results-{__version__}.pickle")
        self.salts = salts  # kind -> what findings of that kind depend on besides the file
        self.entries: dict[str, list] | None = None
        self.dirty = False
        self.hits = 0

    def _load(self) -> dict:
        if self.entries is None:
            try:
                with open(self.path, "rb") as f:
                    loaded = pickle.load(f)
                self.entries = loaded if isinstance(loaded, dict) else {}
            except Exception:  # a missing, old or damaged cache is just empty
                self.entries = {}
        return self.entries

    def key(self, source: Source) -> str:
        digest = hashlib.sha256()
        for part in (self.salts.get(source.kind, ""), source.kind, source.abspath, source.text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def get(self, source: Source, project) -> list[Diagnostic] | None:
        if source.kind not in self.salts:
            return None
        stored = self._load().get(self.key(source))
        if stored is None:
            return None
        try:
            diags = [_thaw(item, source, project) for item in stored]
        except Exception:
            return None
        self.hits += 1
        return diags

    def put(self, source: Source, diagnostics: list[Diagnostic]) -> None:
        """Remember the findings that linting `source` produced (some may lie in files it includes)."""
        if source.kind not in self.salts or source.abspath == "-":
            return
        if any(d.source.abspath == "-" for d in diagnostics) or \
                any(e.source.abspath == "-" for d in diagnostics if d.fix for e in d.fix.edits):
            return
        self._load()[self.key(source)] = [_freeze(d) for d in diagnostics]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.entries is None:
            return
        if len(self.entries) > MAX_ENTRIES:
            for stale in list(self.entries)[: len(self.entries) - MAX_ENTRIES]:
                del self.entries[stale]
        try:
            os.makedirs(self.folder, exist_ok=True)
            import tempfile  # only when writing: it imports shutil and random

            fd, tmp = tempfile.mkstemp(dir=self.folder, suffix=".tmp")
            with os.fdopen(fd, "wb") as f:
                pickle.dump(self.entries, f, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass  # no writable cache folder: the run simply has no cache


def _freeze(d: Diagnostic) -> tuple:
    fix = None
    if d.fix is not None:
        fix = (d.fix.applicability, d.fix.message,
               [(e.source.abspath, e.source.kind, e.start, e.end, e.content) for e in d.fix.edits])
    stmt = (d.stmt.start, d.stmt.end) if d.stmt else None
    return (d.code, d.span.start, d.span.end, d.message, fix, stmt, d.key,
            (d.source.abspath, d.source.kind))


def _thaw(item: tuple, source: Source, project) -> Diagnostic:
    code, start, end, message, fix, stmt, key, (at_path, at_kind) = item
    located = source
    if at_path != source.abspath:  # a finding in a file this one includes
        located = project.source(project.rel(at_path), at_kind)
        if located is None:
            raise LookupError(at_path)
    thawed_fix = None
    if fix is not None:
        applicability, fix_message, edits = fix
        thawed = []
        for abspath, kind, e_start, e_end, content in edits:
            target = source if abspath == source.abspath else project.source(project.rel(abspath), kind)
            if target is None:
                raise LookupError(abspath)
            thawed.append(Edit(target, e_start, e_end, content))
        thawed_fix = Fix(applicability, fix_message, thawed)
    return Diagnostic(code, located, Span(start, end), message, thawed_fix,
                      Span(*stmt) if stmt else None, key)


# What the findings of each kind depend on besides the file itself. "yaml" is every YAML file of
# the repository: a GitLab file may include any of them, and what it includes can build images.
DEPENDS = {
    "dockerfile": ("go", "dockerignore", "github", "action", "gitlab"),  # vendor/, contexts set by CI
    "dockerignore": ("go", "dockerfile", "github", "action", "gitlab"),
    "github": ("go", "dockerfile", "dockerignore", "action"),
    "action": ("go", "dockerfile", "dockerignore", "action"),
    "gitlab": ("go", "dockerfile", "dockerignore", "github", "action", "gitlab", "yaml"),
}


def salts(project, base: str) -> dict[str, str]:
    """Per kind: the configuration plus path, size and mtime of every file it depends on."""
    from .discover import kind_of

    stats: dict[str, list[str]] = {}
    for rel in project.inventory():
        kind = kind_of(rel) or ("yaml" if rel.endswith((".yml", ".yaml")) else "go")
        try:
            st = os.stat(project.abs(rel))
        except OSError:
            continue
        stats.setdefault(kind, []).append(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}")
    out = {}
    for kind, needs in DEPENDS.items():
        if "gitlab" in needs and "gitlab" in stats and kind in ("dockerfile", "dockerignore"):
            needs += ("yaml",)  # the GitLab files' includes can build these Dockerfiles too
        digest = hashlib.sha256(base.encode())
        for need in needs:
            for line in stats.get(need, ()):
                digest.update(line.encode("utf-8", "surrogatepass") + b"\n")
        out[kind] = digest.hexdigest()
    return out
