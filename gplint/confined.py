"""Reading files of a repository nobody has reviewed: only regular files, only inside the root.

The repository root is the nearest folder above the linted path that holds `.git`, else the
linted folder itself (`find_root`); a path named on the command line outside that root
is confined to its own root, found the same way (`root_for`). A file is read only when

* its path, normalised (`..` removed), lies inside the root;
* its real path (every symlink resolved) lies inside the root's real path: a symlink may point
  anywhere inside the repository, never out of it (`Dockerfile -> /etc/passwd` is refused, and
  so is a file reached through a symlinked folder that leads out);
* neither path goes through a `.git` folder (`Dockerfile -> .git/config` would print lines of
  a file where CI checkouts keep credentials);
* it is a regular file: a FIFO would block `open` forever, `/dev/zero` never ends, a socket
  cannot be read. `stat` says so before opening; the file is then opened with O_NONBLOCK (a FIFO
  swapped in after the check cannot block the open) and O_NOFOLLOW, and `fstat` on the open file
  decides: only S_ISREG is read;
* it is at most `MAX_BYTES` long.

A refusal is an `Unreadable` (a `SourceError`) whose one-line message names the reason, never
the target of a symlink nor anything read from it.

What remains: a concurrent process that swaps a folder of the path for a symlink between the
real-path check and the open can still redirect the read (O_NOFOLLOW guards only the last
component). The author of a repository does not run code while gplint reads it, so this is a
race against the person running gplint, not against the repository.
"""
from __future__ import annotations

import errno
import os
import stat

from .source import Unreadable

MAX_BYTES = 10 * 1024 * 1024  # larger inputs are reported, not read (no real config file is near this)

_NOT_REGULAR = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _what(mode: int) -> str:
    for test, name in _NOT_REGULAR:
        if test(mode):
            return name
    return "not a regular file"


def inside(path: str, folder: str) -> bool:
    """Whether `path` is `folder` or lies under it (both absolute and normalised)."""
    if path == folder:
        return True
    prefix = folder if folder.endswith(os.sep) else folder + os.sep
    return path.startswith(prefix)


def root_for(abspath: str, project_root: str) -> str:
    """The root a path is confined to: the run's root when the path lies under it, else the
    root of the path's own repository (a path named on the command line elsewhere)."""
    if inside(os.path.normpath(abspath), os.path.normpath(project_root)):
        return project_root
    return find_root(os.path.dirname(abspath) or ".")


_REAL_DIRS: dict[str, str] = {}  # folder -> its real path, resolved once per process
_REAL_DIRS_MAX = 65536


def real_dir(folder: str) -> str:
    """A folder's real path, memoised: realpath costs one lstat per component of the path, and
    resolving every file's whole path again was most of a warm run. A folder that is not a
    symlink costs one lstat: its real path is its parent's (memoised too) joined with its name.
    A folder swapped for a symlink later in the run is the race the module docstring accepts."""
    real = _REAL_DIRS.get(folder)
    if real is not None:
        return real
    pending = []  # (folder, name) from `folder` up to the nearest resolved ancestor
    while real is None:
        parent, name = os.path.split(folder)
        if not name or parent == folder or name in (".", ".."):
            real = os.path.realpath(folder)
            break
        try:
            plain = not stat.S_ISLNK(os.lstat(folder).st_mode)
        except OSError:
            plain = False
        if not plain:  # a symlink, or missing: realpath says where it leads
            real = os.path.realpath(folder)
            break
        pending.append((folder, name))
        folder = parent
        real = _REAL_DIRS.get(folder)
    _remember(folder, real)
    for path, name in reversed(pending):
        real = os.path.join(real, name)
        _remember(path, real)
    return real


def listed_folder(parent: str, path: str) -> None:
    """The walk listed `path` in `parent` as a folder that is not a symlink (scandir's entry
    type, no system call): when the parent's real path is known, this folder's is that joined
    with its name, and need not be lstat'ed again when a file in it is read."""
    real = _REAL_DIRS.get(parent)
    if real is not None and path not in _REAL_DIRS:
        _remember(path, os.path.join(real, os.path.basename(path)))


def _remember(folder: str, real: str) -> None:
    if len(_REAL_DIRS) < _REAL_DIRS_MAX:
        _REAL_DIRS[folder] = real


def _real_root(root: str) -> str:
    """The root's real path (memoised with the folders: resolving it again for every file was
    half of the warm run's realpath cost). A root swapped afterwards can only make files refused:
    their real paths are still compared with where the repository really was."""
    return real_dir(root)


def _resolve(path: str) -> tuple[str, os.stat_result | None]:
    """os.path.realpath(path) for a normalised absolute path, and the file's stat when that is
    already known: when the last component is not a symlink, the real path is its folder's (memoised)
    real path joined with its name, and the lstat that showed it is the file's stat."""
    folder, name = os.path.split(path)
    if name:
        try:
            st = os.lstat(path)
        except OSError:
            # realpath appends a name it cannot lstat as it is, so this equals realpath(path)
            # without walking the folders again (a missing file is the common case: exists())
            return os.path.join(real_dir(folder), name), None  # stat below reports why
        if not stat.S_ISLNK(st.st_mode):
            return os.path.join(real_dir(folder), name), st
    return os.path.realpath(path), None


_GIT = f"{os.sep}.git{os.sep}"
_DOUBLE, _DOT, _DOTDOT = f"{os.sep}{os.sep}", f"{os.sep}.{os.sep}", f"{os.sep}..{os.sep}"
_BAD_ENDS = (os.sep, f"{os.sep}.", f"{os.sep}..")


def _normal(path: str) -> bool:
    """Whether normpath(abspath(path)) is `path` itself (as every path the walk makes): the
    two calls cost more than the rest of a check of an unchanged file."""
    return (path.startswith(os.sep) and not path.endswith(_BAD_ENDS) and _DOUBLE not in path
            and _DOT not in path and _DOTDOT not in path) or path == os.sep


def check(abspath: str, root: str) -> str:
    """The real path of `abspath` when gplint may read it; raises Unreadable otherwise."""
    path = abspath if _normal(abspath) else os.path.normpath(os.path.abspath(abspath))
    root = root if _normal(root) else os.path.normpath(os.path.abspath(root))
    if not inside(path, root):
        raise Unreadable("outside the repository; not read")
    real, st = _resolve(path)
    real_root = _real_root(root)
    if not inside(real, real_root):
        raise Unreadable("a symlink that leads outside the repository; not read")
    # both lie inside their roots (checked above), so the part after the root is the relative path
    if _GIT in f"{os.sep}{real[len(real_root):]}{os.sep}" or _GIT in f"{os.sep}{path[len(root):]}{os.sep}":
        # .git/config may hold a CI checkout's credentials: never read, nor print a line of it
        raise Unreadable("inside the .git folder; not read")
    if st is None:
        try:
            st = os.stat(real)
        except OSError as exc:
            raise Unreadable(f"cannot read: {exc.strerror or exc}",
                             missing=exc.errno in (errno.ENOENT, errno.ENOTDIR)) from None
    if not stat.S_ISREG(st.st_mode):
        raise Unreadable(f"{_what(st.st_mode)}, not a regular file; not read")
    if st.st_size > MAX_BYTES:
        raise Unreadable(f"file too large to lint ({st.st_size / 1e6:.1f} MB; "
                         f"the limit is {MAX_BYTES // 2**20} MiB)")
    return real


def read_bytes(abspath: str, root: str, limit: int = MAX_BYTES) -> bytes:
    """The bytes of a regular file inside `root` (see the module docstring); raises Unreadable."""
    real = check(abspath, root)
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(real, flags)
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):  # swapped after the check
            raise Unreadable(f"{_what(st.st_mode)}, not a regular file; not read")
        os.set_blocking(fd, True)
        data = read_bounded(fd, limit, st.st_size)
        if data is None:
            raise Unreadable(f"file too large to lint (more than {limit // 2**20} MiB)")
        return data
    except OSError as exc:
        raise Unreadable(f"cannot read: {exc.strerror or exc}") from None
    finally:
        os.close(fd)


def read_bounded(fd: int, limit: int, size: int | None = None) -> bytes | None:
    """Up to `limit` bytes of an open regular file, or None when it holds more; OSError passes.
    The first read asks for what fstat says is there (`size`) plus one byte, to see the end or
    growth: a fixed large request would allocate that much per file (1 MiB cost 0.3 ms a file).
    The reader, the writer's read-back and the cache's fingerprints all read through here."""
    if size is None:
        size = os.fstat(fd).st_size
    chunks: list[bytes] = []
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
        want = min(limit + 1 - total, 1 << 16)  # it grew, or fstat was short: bounded steps


def find_root(start: str) -> str:
    """The repository root: the nearest folder holding .git; else, inside a `.github` folder,
    the folder that holds it (a workflow is a workflow by its path, and its `docker build .`
    means that folder); else the starting folder."""
    path = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    probe = path
    while True:
        if os.path.exists(os.path.join(probe, ".git")):
            return probe
        parent = os.path.dirname(probe)
        if parent == probe:
            break
        probe = parent
    parts = path.split(os.sep)
    if ".github" in parts:
        last = len(parts) - 1 - parts[::-1].index(".github")
        return os.sep.join(parts[:last]) or os.sep
    return path
