"""A result cache, like ruff's: a file whose content, configuration, gplint version and
cross-file inputs are unchanged is not lowered or checked again.

Cross-file rules make a file's findings depend on other files (go.mod, vendor/, ignore files,
the CI files that build a Dockerfile, the Dockerfiles a CI file builds), so the key includes a
fingerprint of every such file in the repository: its path and a hash of its content. Size and
modification time are not enough: an edit that keeps both (`touch -r`, a restored CI cache next
to a fresh checkout) must still be seen.

The cache folder may be written by someone else (a CI cache restored from another branch), so
the file holds plain JSON data, never code (no pickle), and everything read back is validated:
anything malformed is a miss, never an error. What it cannot prevent: whoever can write the
cache can still change which findings a run reports; it cannot make gplint run code, read or
write outside the repository, or apply a fix (--fix and --diff never use the cache).
"""
from __future__ import annotations

import hashlib
import os
import re
import stat

from . import __version__
from .diagnostic import Diagnostic, Edit, Fix
from .source import Source, Span

MAX_ENTRIES = 50_000
MAX_CACHE_BYTES = 256 * 2**20  # a larger cache file is not read (a real one is ~400 bytes a file)
MAX_INPUT_BYTES = 10 * 2**20  # as project.MAX_BYTES: larger files are not read, only their size counts
FORMAT = 2  # of the JSON file; 1 was the pickle of 0.2
KINDS = frozenset(("dockerfile", "dockerignore", "github", "action", "gitlab", "gomod"))
_CODE = re.compile(r"GP\d{3}\Z")
# text shown to a terminal or a CI log: no control characters beyond tab (a forged newline or
# escape sequence could fake a log line or a CI workflow command)
_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")
_CONTROL_IN_EDIT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")  # fixes may insert lines
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def default_folder(root: str) -> str:
    """Outside the repository (nothing to ignore, nothing written into a read-only checkout):
    $GPLINT_CACHE_DIR, else $XDG_CACHE_HOME/gplint, else ~/.cache/gplint; one folder per root."""
    base = os.environ.get("GPLINT_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "gplint")
    return os.path.join(base, hashlib.sha256(os.path.abspath(root).encode("utf-8", "surrogatepass")).hexdigest()[:20])


class ResultCache:
    def __init__(self, root: str, salts: dict[str, str], folder: str | None = None):
        self.root = os.path.abspath(root)
        self.folder = folder or default_folder(root)
        self.path = os.path.join(self.folder, f"results-{__version__}.json")
        self.salts = salts  # kind -> what findings of that kind depend on besides the file
        self.entries: dict[str, list] | None = None
        self.dirty = False

    def _load(self) -> dict:
        if self.entries is None:
            self.entries = _read_entries(self.path)
        return self.entries

    def key(self, source: Source) -> str:
        digest = hashlib.sha256()
        for part in (self.salts.get(source.kind, ""), source.kind, source.abspath,
                     "bom" if source.has_bom else "", source.text):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\0")
        return digest.hexdigest()

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
        self._load()[self.key(source)] = [_freeze(d) for d in diagnostics]
        self.dirty = True

    def save(self) -> None:
        if not self.dirty or self.entries is None:
            return
        if len(self.entries) > MAX_ENTRIES:
            for stale in list(self.entries)[: len(self.entries) - MAX_ENTRIES]:
                del self.entries[stale]
        import json

        data = json.dumps({"format": FORMAT, "gplint": __version__, "entries": self.entries},
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


def _read_entries(path: str) -> dict:
    """The stored entries, or {} for a missing, old, damaged or forged file. Only a regular file
    of bounded size is read, without blocking (a FIFO put in the cache folder must not hang)."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0))
    except OSError:
        return {}
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_CACHE_BYTES:
            return {}
        data = _read_all(fd, MAX_CACHE_BYTES, st.st_size)
    except OSError:
        return {}
    finally:
        os.close(fd)
    if data is None:
        return {}
    import json

    try:
        loaded = json.loads(data)
    except Exception:  # not JSON, too deeply nested, not UTF-8: a miss
        return {}
    if not isinstance(loaded, dict) or loaded.get("format") != FORMAT or loaded.get("gplint") != __version__:
        return {}
    entries = loaded.get("entries")
    return entries if isinstance(entries, dict) else {}


def _read_all(fd: int, limit: int, size: int) -> bytes | None:
    """Up to `limit` bytes of an open regular file whose size was `size`; None when it holds more.
    The first read asks for size + 1 bytes: one call for a file that did not grow meanwhile."""
    chunks = []
    total = 0
    want = min(size, limit) + 1
    while True:
        chunk = os.read(fd, want)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        total += len(chunk)
        if total > limit:
            return None
        if total == size and len(chunk) < want:
            return b"".join(chunks)  # all of it (a regular file reads short only at its end)
        want = min(limit + 1 - total, 1 << 16)


# -- entries: plain JSON lists, checked field by field when read back --------------------------
# [code, start, end, message, fix, stmt, key, path, kind, related]
#   fix: null | [applicability, message, [[path, kind, start, end, content], ...]]
#   stmt: null | [start, end];  related: [[path, kind, start, end, note], ...]


def _freeze(d: Diagnostic) -> list:
    fix = None
    if d.fix is not None:
        fix = [d.fix.applicability, d.fix.message,
               [[e.source.abspath, e.source.kind, e.start, e.end, e.content] for e in d.fix.edits]]
    stmt = [d.stmt.start, d.stmt.end] if d.stmt else None
    related = [[s.abspath, s.kind, span.start, span.end, note] for s, span, note in d.related or ()]
    return [d.code, d.span.start, d.span.end, d.message, fix, stmt, d.key,
            d.source.abspath, d.source.kind, related]


class _Malformed(Exception):
    pass


def _check(ok: bool) -> None:
    if not ok:
        raise _Malformed


def _text(value, pattern=_CONTROL) -> str:
    _check(type(value) is str and not pattern.search(value))
    return value


def _offset(value) -> int:
    _check(type(value) is int and value >= 0)
    return value


def _span(source: Source, start, end) -> tuple[int, int]:
    start, end = _offset(start), _offset(end)
    _check(start <= end <= len(source.text))
    return start, end


def _locate(path, kind, source: Source, project, root: str) -> Source:
    """The file an entry names: the cached file itself, or another file inside the repository."""
    _check(type(path) is str and kind in KINDS)
    if path == source.abspath:
        _check(kind == source.kind)
        return source
    _check(os.path.isabs(path) and "\0" not in path)
    rel = project.rel(path)
    _check(rel != "." and not rel.startswith("../") and rel != ".." and os.path.join(root, *rel.split("/")) == path)
    located = project.source(rel, kind)
    _check(located is not None)
    return located


def _thaw(item, source: Source, project, root: str) -> Diagnostic:
    _check(type(item) is list and len(item) == 10)
    code, start, end, message, fix, stmt, key, at_path, at_kind, related = item
    _check(type(code) is str and _CODE.match(code) is not None)
    located = _locate(at_path, at_kind, source, project, root)
    span = Span(*_span(located, start, end))
    message = _text(message)
    _check(type(key) is str and len(key) < 4096)
    thawed_fix = None
    if fix is not None:
        _check(type(fix) is list and len(fix) == 3 and fix[0] in ("safe", "unsafe") and type(fix[2]) is list)
        edits = []
        for edit in fix[2]:
            _check(type(edit) is list and len(edit) == 5)
            target = _locate(edit[0], edit[1], source, project, root)
            e_start, e_end = _span(target, edit[2], edit[3])
            edits.append(Edit(target, e_start, e_end, _text(edit[4], _CONTROL_IN_EDIT)))
        thawed_fix = Fix(fix[0], _text(fix[1]), edits)
    thawed_stmt = None
    if stmt is not None:
        _check(type(stmt) is list and len(stmt) == 2)
        thawed_stmt = Span(*_span(located, *stmt))
    _check(type(related) is list)
    notes = []
    for note in related:
        _check(type(note) is list and len(note) == 5)
        at = _locate(note[0], note[1], source, project, root)
        notes.append((at, Span(*_span(at, note[2], note[3])), _text(note[4])))
    return Diagnostic(code, located, span, message, thawed_fix, thawed_stmt, key, notes)


# -- what else a file's findings depend on ------------------------------------------------------
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
    """Per kind: the configuration, the working folder (paths in messages and per-file ignores
    are relative to it) and the path and content hash of every file it depends on."""
    from .discover import kind_of

    prints: dict[str, list[bytes]] = {}
    root = project.root
    for rel in project.inventory():
        kind = kind_of(rel) or ("yaml" if rel.endswith((".yml", ".yaml")) else "go")
        path = project.abs(rel)
        line = rel.encode("utf-8", "surrogatepass") + b"\0" + fingerprint(path, root)
        name = rel.rsplit("/", 1)[-1]
        if name in ("go.mod", "go.work"):  # GP401 asks whether go.sum / go.work.sum exists beside it
            line += b"\0sum" if os.path.isfile(path[:-4] + ".sum" if name == "go.mod" else path + ".sum") else b"\0-"
        prints.setdefault(kind, []).append(line)
    out = {}
    head = f"{base}\0{project.cwd}\0".encode("utf-8", "surrogatepass")
    for kind, needs in DEPENDS.items():
        if "gitlab" in needs and "gitlab" in prints and kind in ("dockerfile", "dockerignore"):
            needs += ("yaml",)  # the GitLab files' includes can build these Dockerfiles too
        digest = hashlib.sha256(head)
        for need in needs:
            for line in prints.get(need, ()):
                digest.update(line + b"\n")
        out[kind] = digest.hexdigest()
    return out


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
        data = _read_all(fd, MAX_INPUT_BYTES, st.st_size)
    except OSError:
        return b"unreadable"
    if data is None:
        return b"large"
    return hashlib.sha256(data).digest()
