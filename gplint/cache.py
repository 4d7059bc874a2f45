"""A result cache, like ruff's: a file whose content, configuration, gplint version and
cross-file inputs are unchanged is not lowered or checked again.

Cross-file rules make a file's findings depend on other files (go.mod, vendor/, ignore files,
the CI files that build a Dockerfile, the Dockerfiles a CI file builds), so the key includes a
fingerprint of every such file in the repository: its path and a hash of its content. Size and
modification time are not enough: an edit that keeps both (`touch -r`, a restored CI cache next
to a fresh checkout) must still be seen. So that a warm run need not read every file again, a
file's hash is remembered with its full stat identity, ctime and inode included (Fingerprints).

The cache folder may be written by someone else (a CI cache restored from another branch), so
the file holds plain JSON data, never code (no pickle), and everything read back is validated:
anything malformed is a miss, never an error. What it cannot prevent: whoever can write the
cache can still change which findings a run reports; it cannot make gplint run code, read or
write outside the repository, or apply a fix (--fix and --diff never use the cache).
"""
from __future__ import annotations

import functools
import hashlib
import os
import stat

from . import __version__
from .confined import read_bounded
from .diagnostic import Diagnostic, Edit, Fix
from .kinds import ALL_KINDS
from .lazy_regex import lazy
from .source import Source, Span

MAX_ENTRIES = 50_000
MAX_CACHE_BYTES = 64 * 2**20  # a larger cache file is not read (a real one holds ~600 bytes a file)
MAX_INPUT_BYTES = 10 * 2**20  # as project.MAX_BYTES: larger files are not read, only their size counts
FORMAT = 3  # of the JSON file; 1 was the pickle of 0.2, 2 keyed entries by the decoded text
KINDS = frozenset(ALL_KINDS + ("gomod",))  # every kind gplint lints, and go.mod (a rule input)
_CONTROL_IN_EDIT = lazy("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def default_folder(root: str) -> str:
    """Outside the repository (nothing to ignore, nothing written into a read-only checkout):
    $GPLINT_CACHE_DIR, else $XDG_CACHE_HOME/gplint, else ~/.cache/gplint; one folder per root."""
    base = os.environ.get("GPLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "gplint")
    return os.path.join(base, hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogatepass")).hexdigest()[:20])


class ResultCache:
    """Findings by file, keyed by the file's text and the content hashes of everything else its
    findings depend on (salts). `project` and `config` give those salts, computed on first use."""

    def __init__(self, project, config: str, folder: str | None = None):
        self.project = project
        self.root = os.path.abspath(project.root)
        self.config = config
        self.folder = folder or default_folder(project.root)
        self.path = os.path.join(self.folder, f"results-{__version__}.json")
        self._salts: dict[str, str] | None = None
        self.entries: dict[str, list] | None = None
        self.prints: dict[str, list] = {}  # path -> its stat and content hash, so unchanged files are not read
        self.graph: dict[str, list] = {}  # CI file -> the builds it makes and what they depend on
        # files hand-offs reached in earlier runs (scripts, `make -f` files): not in the inventory,
        # yet the findings of the files that reach them depend on them (salts)
        self.reached: list[str] = []
        self.dirty = False
        self._fingerprints: Fingerprints | None = None
        self._inventory_print: str | None = None

    def _load(self) -> dict:
        if self.entries is None:
            self.entries, self.prints, self.graph, self.reached = _read_file(self.path)
        return self.entries

    @property
    def salts(self) -> dict[str, str]:
        """kind -> what findings of that kind depend on besides the file itself."""
        if self._salts is None:
            self._load()
            memo = self._fingerprints = Fingerprints(self.prints, self.project.root)
            self._salts = salts(self.project, self.config, memo, self.reached)
            if memo.known != self.prints:
                self.prints = memo.known
                self.dirty = True
        return self._salts

    def key(self, source: Source) -> str:
        # the hash of the file's bytes (decoding is exact, so to_bytes gives them back): the same
        # hash Fingerprints remembers, so an unchanged file can be looked up without reading it
        return self._key(source.kind, source.abspath, hashlib.sha256(source.to_bytes()).hexdigest())

    def _key(self, kind: str, abspath: str, content: str) -> str:
        digest = hashlib.sha256()
        for part in (self.salts.get(kind, ""), kind, abspath, content):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

    def clean_unread(self, kind: str, abspath: str) -> bool:
        """Whether the file is known to have no findings without reading it: its content hash was
        remembered with a stat identity this run confirmed, and the entry for that content is
        empty. A file with findings is read (they need its text), as is every changed file."""
        if kind not in self.salts:  # computing the salts confirms the remembered identities
            return False
        seen = self.prints.get(abspath)
        if type(seen) is not list or len(seen) != 6 or type(seen[5]) is not str or len(seen[5]) != 64:
            return False
        return self._load().get(self._key(kind, abspath, seen[5])) == []

    def get(self, source: Source, project) -> list[Diagnostic] | None:
        if source.kind not in self.salts:
            return None
        stored = self._load().get(self.key(source))
        if not isinstance(stored, list):
            return None
        try:
            return [_thaw(item, source, project, self.root) for item in stored]
        except Exception:  # malformed or forged: the file is simply linted again
            return None

    def put(self, source: Source, diagnostics: list[Diagnostic]) -> None:
        """Remember the findings that linting `source` produced (some may lie in files it includes)."""
        if source.kind not in self.salts or source.abspath == "-":
            return
        if any(d.source.abspath == "-" for d in diagnostics) or \
                any(e.source.abspath == "-" for d in diagnostics if d.fix for e in d.fix.edits) or \
                any(r[0].abspath == "-" for d in diagnostics for r in d.related or ()):
            return
        self._load()[self.key(source)] = [_freeze(d, source.abspath) for d in diagnostics]
        self.dirty = True

    # -- the build graph: the builds each CI file makes, so that a run need not lower CI files it
    # does not lint (a pre-commit run on one Dockerfile lowered every workflow to learn contexts)
    def builds_of(self, rel: str, kind: str) -> list[tuple[str, str, bool]] | None:
        """The builds a CI file made when it was last lowered, if nothing that lowering read has
        changed since (the file itself, the files it includes, the list of the repository's
        files when it looked at it) and the configuration is the same; else None."""
        self.salts  # noqa: B018  (loads the file and confirms the remembered hashes)
        entry = self.graph.get(rel)
        if type(entry) is not list or len(entry) != 5:
            return None
        stored_kind, config, reads, inventory, builds = entry
        if stored_kind != kind or config != self.config or type(reads) is not list or type(builds) is not list:
            return None
        for read in reads:
            if type(read) is not list or len(read) != 2 or type(read[0]) is not str or not _safe_rel(read[0]) \
                    or self._print(read[0]) != read[1]:
                return None
        if inventory is not None and inventory != self._inventory():
            return None
        found = []
        for build in builds:
            if type(build) is not list or len(build) != 3 or type(build[0]) is not str or not build[0] \
                    or not _safe_rel(build[0]) or type(build[1]) is not str \
                    or not (build[1] == "" or _safe_rel(build[1])) or type(build[2]) is not bool:
                return None  # forged: the file is lowered again
            found.append((build[0], build[1], build[2]))
        return found

    def remember_builds(self, rel: str, kind: str, builds: list, reads: list) -> None:
        """Remember the builds a CI file made and what its lowering read (None: the inventory)."""
        self.salts  # noqa: B018
        paths = list(dict.fromkeys(r for r in reads if r is not None))
        self.graph[rel] = [kind, self.config, [[r, self._print(r)] for r in paths],
                           self._inventory() if None in reads else None, [list(b) for b in builds]]
        self.dirty = True

    def _print(self, rel: str) -> str:
        assert self._fingerprints is not None  # made with the salts
        return self._fingerprints.of(self.project.abs(rel)).decode("latin-1")

    def _inventory(self) -> str:
        if self._inventory_print is None:
            listed = "\n".join(self.project.inventory()).encode("utf-8", "surrogatepass")
            self._inventory_print = hashlib.sha256(listed).hexdigest()
        return self._inventory_print

    def save(self) -> None:
        if not self.dirty or self.entries is None:
            return
        if len(self.entries) > MAX_ENTRIES:
            for stale in list(self.entries)[: len(self.entries) - MAX_ENTRIES]:
                del self.entries[stale]
        if self.graph:  # only the CI files the repository still has
            present = set(self.project.inventory())
            self.graph = {rel: entry for rel, entry in self.graph.items() if rel in present}
        reached = sorted(set(self.reached) | self.project.reached)
        if reached != self.reached:  # a file reached for the first time: the next run's salts include it
            self.reached = reached  # absent ones too: creating one changes what a hand-off reaches
        import json

        data = json.dumps({"format": FORMAT, "gplint": __version__, "code": code_fingerprint(),
                           "entries": self.entries, "files": self.prints, "graph": self.graph,
                           "reached": self.reached},
                          separators=(",", ":")).encode("ascii")
        _replace_quietly(self.folder, self.path, data)


def _replace_quietly(folder: str, path: str, data: bytes) -> None:
    """Write `path` through a temporary file and a rename; on any failure (no writable folder, a
    full disk, a folder where the file should be) the run simply keeps no cache, and the
    temporary file is removed. No fsync: a cache lost to a power cut is only a miss."""
    tmp = None
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
        import tempfile  # only when writing: it imports shutil and random

        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".results-", suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError:
        pass
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _safe_rel(path: str) -> bool:
    """A repository-relative path in normal form (what the lowerings produce)."""
    return bool(path) and "\0" not in path and not path.startswith("/") and \
        all(part not in ("", ".", "..") for part in path.split("/"))


def _read_file(path: str) -> tuple[dict, dict, dict, list]:
    """The stored entries and file fingerprints, or empty ones for a missing, old, damaged or
    forged file. Only a regular file of bounded size is read, without blocking (a FIFO put in the
    cache folder must not hang). Entries and fingerprints are checked one by one when used."""
    empty: tuple[dict, dict, dict, list] = ({}, {}, {}, [])
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return empty
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return empty
        if hasattr(os, "geteuid") and st.st_uid != os.geteuid():
            return empty  # planted by another user of a shared cache folder: not ours to trust
        data = read_bounded(fd, MAX_CACHE_BYTES, st.st_size)
    except OSError:
        return empty
    finally:
        os.close(fd)
    if data is None:
        return empty
    import json

    try:
        loaded = json.loads(data)
    except Exception:  # not JSON, too deeply nested, not UTF-8: a miss
        return empty
    if not isinstance(loaded, dict) or loaded.get("format") != FORMAT or loaded.get("gplint") != __version__:
        return empty
    if loaded.get("code") != code_fingerprint():  # gplint's own code changed (a git checkout install)
        return empty
    entries, prints, graph = loaded.get("entries"), loaded.get("files"), loaded.get("graph")
    reached = loaded.get("reached")
    reached = sorted({r for r in reached if type(r) is str and _safe_rel(r)}) if isinstance(reached, list) else []
    return (entries if isinstance(entries, dict) else {}), (prints if isinstance(prints, dict) else {}), \
        (graph if isinstance(graph, dict) else {}), reached


@functools.lru_cache(maxsize=4)
def code_fingerprint(folder: str | None = None) -> str:
    """Path, size and mtime_ns of every file of gplint's own package: an install from a git
    checkout keeps `__version__` while its code changes, and must not be served old findings.
    Only computed when the cache is used (~80 files, one stat each)."""
    folder = folder or os.path.dirname(os.path.abspath(__file__))
    digest = hashlib.sha256()
    for top, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            path = os.path.join(top, name)
            try:
                st = os.stat(path)
            except OSError:
                continue
            rel = os.path.relpath(path, folder)
            digest.update(f"{rel}\0{st.st_size}\0{st.st_mtime_ns}\n".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()[:32]


# -- entries: plain JSON lists, checked field by field when read back --------------------------
# [code, start, end, message, fix, stmt, key, path, kind, related]; path "" is the cached file
#   fix: null | [applicability, message, [[path, kind, start, end, content], ...]]
#   stmt: null | [start, end];  related: [[path, kind, start, end, note], ...]


def _freeze(d: Diagnostic, own: str) -> list:
    """A finding as plain lists; the cached file's own path is stored as "" (most findings lie
    in it, and a short file parses faster)."""
    def at(path: str) -> str:
        return "" if path == own else path

    fix = None
    if d.fix is not None:
        fix = [d.fix.applicability, d.fix.message,
               [[at(e.source.abspath), e.source.kind, e.start, e.end, e.content] for e in d.fix.edits]]
    stmt = [d.stmt.start, d.stmt.end] if d.stmt else None
    related = [[at(s.abspath), s.kind, span.start, span.end, note] for s, span, note in d.related or ()]
    return [d.code, d.span.start, d.span.end, d.message, fix, stmt, d.key,
            at(d.source.abspath), d.source.kind, related]


class _Malformed(Exception):
    pass


def _fits(source: Source, start, end) -> bool:
    """Offsets that are plain ints inside the file (JSON true is an int to Python: refused)."""
    return type(start) is int and type(end) is int and 0 <= start <= end <= len(source.text)


def _plain(text) -> bool:
    """Text for a terminal or a CI log: printable only (a forged escape sequence or newline could
    fake a log line or a CI workflow command)."""
    return type(text) is str and text.isprintable()


def _locate(path, kind, source: Source, project, root: str) -> Source:
    """The file an entry names: the cached file itself, or another file inside the repository."""
    if path == "" and kind == source.kind:
        return source
    if type(path) is not str or kind not in KINDS or path == source.abspath or not os.path.isabs(path) \
            or "\0" in path:
        raise _Malformed
    rel = project.rel(path)
    if rel == "." or rel == ".." or rel.startswith("../") or os.path.join(root, *rel.split("/")) != path:
        raise _Malformed  # outside the repository, or not in normal form
    if not os.path.realpath(path).startswith(_real_root(root)):
        raise _Malformed  # through a symlink that leaves the repository
    located = project.source(rel, kind)
    if located is None:
        raise _Malformed
    return located


@functools.lru_cache(maxsize=8)
def _real_root(root: str) -> str:
    """The root's real path with a trailing separator (resolved once per run, not per finding)."""
    return os.path.realpath(root).rstrip(os.sep) + os.sep


def _thaw(item, source: Source, project, root: str) -> Diagnostic:
    """One stored finding, checked field by field. The common case (a finding in the file itself)
    is checked inline: this runs for every finding of a warm run."""
    if type(item) is not list or len(item) != 10:
        raise _Malformed
    code, start, end, message, fix, stmt, key, at_path, at_kind, related = item
    located = source if at_path == "" and at_kind == source.kind else \
        _locate(at_path, at_kind, source, project, root)
    # isprintable(): no control, format (bidi) or separator characters but the space
    if not (type(code) is str and len(code) == 5 and code[:2] == "GP" and code[2:].isdigit() and code.isascii()
            and type(start) is int and type(end) is int and 0 <= start <= end <= len(located.text)
            and type(message) is str and message.isprintable()
            and type(key) is str and len(key) < 4096 and type(related) is list):
        raise _Malformed
    thawed_fix = None
    if fix is not None:
        if not (type(fix) is list and len(fix) == 3 and fix[0] in ("safe", "unsafe") and _plain(fix[1])
                and type(fix[2]) is list):
            raise _Malformed
        edits = []
        for edit in fix[2]:
            if type(edit) is not list or len(edit) != 5:
                raise _Malformed
            e_path, e_kind, e_start, e_end, content = edit
            target = source if e_path == "" and e_kind == source.kind else \
                _locate(e_path, e_kind, source, project, root)
            if not (type(e_start) is int and type(e_end) is int and 0 <= e_start <= e_end <= len(target.text)
                    and type(content) is str and _CONTROL_IN_EDIT.search(content) is None):
                raise _Malformed
            edits.append(Edit(target, e_start, e_end, content))
        thawed_fix = Fix(fix[0], fix[1], edits)
    thawed_stmt = None
    if stmt is not None:
        if not (type(stmt) is list and len(stmt) == 2 and type(stmt[0]) is int and type(stmt[1]) is int
                and 0 <= stmt[0] <= stmt[1] <= len(located.text)):
            raise _Malformed
        thawed_stmt = Span(stmt[0], stmt[1])
    notes = []
    for note in related:
        if type(note) is not list or len(note) != 5:
            raise _Malformed
        at = _locate(note[0], note[1], source, project, root)
        if not (_fits(at, note[2], note[3]) and _plain(note[4])):
            raise _Malformed
        notes.append((at, Span(note[2], note[3]), note[4]))
    return Diagnostic(code, located, Span(start, end), message, thawed_fix, thawed_stmt, key, notes)


# -- what else a file's findings depend on ------------------------------------------------------
# What the findings of each kind depend on besides the file itself. "yaml" is every YAML file of
# the repository: a GitLab file may include any of them, and what it includes can build images.
BUILD_DEFINITIONS = ("compose", "bake", "goreleaser", "skaffold", "tilt")  # they build Dockerfiles, as CI files do
# A Makefile or Taskfile is read by the Dockerfiles and CI jobs whose `make …` / `task …` reaches it (handoffs.py);
# "reached" are the other files hand-offs read (scripts, `make -f` files), recorded as they are read.
HANDED_OFF = ("makefile", "taskfile", "reached")
DEPENDS = {
    "dockerfile": ("go", "dockerignore", "github", "action", "gitlab", *BUILD_DEFINITIONS, *HANDED_OFF),  # vendor/, CI
    # a Makefile's builds (and a CI job's through make) decide a Dockerfile's context too
    "dockerignore": ("go", "dockerfile", "github", "action", "gitlab", *BUILD_DEFINITIONS, *HANDED_OFF),
    # a job may run `docker compose build` or docker/bake-action, which read those files
    "github": ("go", "dockerfile", "dockerignore", "action", "compose", "bake", "yaml", *HANDED_OFF),
    "action": ("go", "dockerfile", "dockerignore", "action", "compose", "bake", "yaml", *HANDED_OFF),
    "gitlab": ("go", "dockerfile", "dockerignore", "github", "action", "gitlab", "compose", "bake", "yaml", *HANDED_OFF),
    # its own builds: judged against the Dockerfiles they build, and left to the CI jobs that reach them
    "makefile": ("go", "dockerfile", "dockerignore", "github", "action", "gitlab", "yaml", *HANDED_OFF),
    "script": ("go", "dockerfile", *HANDED_OFF),
    "taskfile": (),
    # what they pass is judged against the Dockerfiles they build; compose reads `.env` ("go") and
    # may extend or include other YAML files
    **{kind: ("go", "dockerfile", "dockerignore", "compose", "bake", "yaml") for kind in BUILD_DEFINITIONS},
}


def salts(project, base: str, prints: "Fingerprints | None" = None, reached: "list[str] | tuple" = ()) -> dict[str, str]:
    """Per kind: the configuration, the working folder (paths in messages and per-file ignores
    are relative to it) and the path and content hash of every file it depends on; `reached`:
    the files outside the inventory that hand-offs read in earlier runs."""
    from .discover import kind_of

    prints = prints or Fingerprints({}, project.root)
    lines: dict[str, list[bytes]] = {}
    for rel in project.inventory():
        kind = kind_of(rel) or ("yaml" if rel.endswith((".yml", ".yaml")) else "go")
        path = project.abs(rel)
        line = rel.encode("utf-8", "surrogatepass") + b"\0" + prints.of(path)
        name = rel.rsplit("/", 1)[-1]
        if name in ("go.mod", "go.work"):  # GP401 asks whether go.sum / go.work.sum exists beside it
            line += b"\0sum" if os.path.isfile(path[:-4] + ".sum" if name == "go.mod" else path + ".sum") else b"\0-"
        lines.setdefault(kind, []).append(line)
    listed = set(project.inventory())
    for rel in reached:
        if rel not in listed:
            lines.setdefault("reached", []).append(rel.encode("utf-8", "surrogatepass") + b"\0" +
                                                   prints.of(project.abs(rel)))
    out = {}
    head = f"{base}\0{project.cwd}\0".encode("utf-8", "surrogatepass")
    for kind, needs in DEPENDS.items():
        if "gitlab" in needs and "gitlab" in lines and kind in ("dockerfile", "dockerignore"):
            needs += ("yaml",)  # the GitLab files' includes can build these Dockerfiles too
        digest = hashlib.sha256(head)
        for need in needs:
            for line in lines.get(need, ()):
                digest.update(line + b"\n")
        out[kind] = digest.hexdigest()
    return out


# A file whose ctime is this close to the moment it was hashed may still change within the same
# timestamp tick (coarse kernel clocks, 1 s on some file systems): its hash is not remembered.
STABLE_NS = 2_000_000_000


class Fingerprints:
    """Content hashes of files, remembered across runs by their full stat identity (device, inode,
    size, mtime and ctime, as git's index does), so a warm run reads only what changed.

    Size and mtime alone can be restored after an edit (`touch -r`); ctime cannot (the kernel sets
    it on every change, from its own clock), and a new checkout gets new inodes and ctimes, so a
    remembered hash never stands for edited content. A hash is remembered only for a file that
    had not changed for STABLE_NS before it was read (git's "racy clean" rule), and only for
    regular files. Remembered entries come from the cache file and are checked before use."""

    def __init__(self, known: dict, root: str):
        self.before = known
        self.known: dict[str, list] = {}  # what the next run may reuse: only this run's files
        self.root = root
        self.now: int | None = None

    def of(self, path: str) -> bytes:
        try:
            st = os.lstat(path)
        except OSError:
            return b"absent"
        if not stat.S_ISREG(st.st_mode):
            return fingerprint(path, self.root)
        seen = self.before.get(path)  # [inode, size, mtime, ctime, device, hex digest], as stored below
        if type(seen) is list and len(seen) == 6 and seen[0] == st.st_ino and seen[1] == st.st_size \
                and seen[2] == st.st_mtime_ns and seen[3] == st.st_ctime_ns and seen[4] == st.st_dev \
                and type(seen[5]) is str and len(seen[5]) == 64:
            self.known[path] = seen
            return seen[5].encode("utf-8", "surrogatepass")  # a forged value only changes the key
        if self.now is None:
            import time

            self.now = time.time_ns()
        printed = fingerprint(path, self.root)
        if len(printed) != 32:  # not a content hash: read, or not, every time
            return printed
        digest = printed.hex()
        if max(st.st_mtime_ns, st.st_ctime_ns) < self.now - STABLE_NS:
            ident = _identity(st)
            if _identity(os.lstat(path)) == ident:  # unchanged while it was read: the hash is its
                self.known[path] = ident + [digest]
        return digest.encode("ascii")


def _identity(st: os.stat_result) -> list:
    return [st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_dev]


def fingerprint(path: str, root: str) -> bytes:
    """What a lint can see of a file: the hash of its content for a regular file within the size
    limit; only its type or size otherwise. A symlink counts as its target text plus, when it
    resolves inside the repository, what it points at. Never blocks on a FIFO, never reads
    outside the root."""
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        try:
            target = os.readlink(path)
        except OSError:
            return b"absent"
        real = os.path.realpath(path)
        root_real = os.path.realpath(root)
        inside = real.startswith(root_real.rstrip(os.sep) + os.sep)
        return b"link:" + os.fsencode(target) + b"\0" + (_content_print(real) if inside else b"outside")
    try:
        return _fd_print(fd)
    finally:
        os.close(fd)


def _content_print(path: str) -> bytes:
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError:
        return b"unreadable"
    try:
        return _fd_print(fd)
    finally:
        os.close(fd)


def _fd_print(fd: int) -> bytes:
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return b"type:%o" % stat.S_IFMT(st.st_mode)
        if st.st_size > MAX_INPUT_BYTES:
            return b"large:%d" % st.st_size
        data = read_bounded(fd, MAX_INPUT_BYTES, st.st_size)
    except OSError:
        return b"unreadable"
    if data is None:
        return b"large"
    return hashlib.sha256(data).digest()
