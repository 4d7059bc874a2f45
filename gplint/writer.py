"""Writing fixed files back: atomically, keeping what the file was, refusing what is unsafe.

Each file is written through a temporary file in its own folder and a rename, as editors do, so a
crash, a full disk or a Ctrl-C leaves either the old file or the new one, never half of one, and
never a temporary file. The new file keeps the old one's owner and group (where the process may
set them), its mode (setuid, setgid and sticky bits included) and its extended attributes (ACLs
are extended attributes too). fsync makes the data durable before the rename, and the folder
after it.

Refused, with a reason and the original untouched:
  - a target whose real path leaves the repository: a symlink pointing outside, or a file outside
    that repository content names (a CI file's `docker build -f ../../x`). A file the user named
    outside the repository (a second repository on the command line) is written where it is,
    when no symlink leads to it;
  - anything but a regular file;
  - a file that changed since gplint read it (compared again just before the rename);
  - a file the operating system will not let this process write (asked with access(2) on the
    effective ids, not read from the mode bits: root without CAP_DAC_OVERRIDE is refused by the
    kernel whatever the bits say), or whose mode has no write bit at all (read-only by intent);
  - a file with more than one hard link: a rename would silently split the link, and writing in
    place is not atomic, so gplint leaves such a file alone and says so;
  - a file whose owner, group, mode or extended attributes cannot be carried over.

What remains: between the last comparison and the rename (microseconds) another program can still
write the file, and a program that keeps the old file open writes to the replaced copy; both edits
are lost, exactly as with an editor's atomic save. Nothing locks files across programs on POSIX.
"""
from __future__ import annotations

import errno
import os
import stat

from .errors import GplintError
from .records import dataclass, field

_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
MAX_BYTES = 10 * 2**20  # as project.MAX_BYTES: gplint never read a larger file, so never writes one


class WriteRefused(GplintError):
    """A file was not written; the message says why and that the original is untouched."""


@dataclass
class WriteResult:
    written: list[str] = field(default_factory=list)  # abspaths, in the order written
    refused: list[tuple[str, str]] = field(default_factory=list)  # (path as shown, why)


def write_fixes(texts: dict[str, str], sources: dict, root: str, read_as: dict | None = None) -> WriteResult:
    """Write every fixed text (abspath -> text) of a fix session. A file that cannot be written is
    reported in the result and the others are still written. `sources`: the linted files as read
    (abspath -> Source); any other file a fix edits was named by repository content and must lie
    inside `root`. `read_as`: the Source each fixed text was made from (FixOutcome.read_as). The
    file on disk must still hold the bytes it was read as."""
    from .interrupts import deferred
    from .source import Source, SourceError

    result = WriteResult()
    for path, text in sorted(texts.items()):
        if path == "-":
            continue
        source = sources.get(path)
        named = source is not None  # a linted file; else one a fix of another file's finding edits
        shown = source.path if source is not None else path
        if source is None and read_as:
            source = read_as.get(path)
        try:
            if source is None:  # (GP105, companions): named by repository content, so inside the root
                data = read_regular(path, root)
                try:
                    source = Source.from_bytes(path, path, "other", data)
                except SourceError as exc:
                    raise WriteRefused(f"cannot read it back: {exc.message}") from None
            with deferred():  # Ctrl-C waits for this one file: no temporary file is left behind
                write_atomic(path, source.to_bytes(text), source.to_bytes(), root, named)
        except WriteRefused as exc:
            result.refused.append((shown, str(exc)))
            continue
        result.written.append(path)
    return result


def replace_file(path: str, data: bytes) -> None:
    """Write a file gplint makes itself (a baseline) through a fresh temporary file and a rename:
    never through a planted symlink or a fixed temporary name, and no temporary file is left
    behind. Raises OSError."""
    import tempfile  # only when writing: it imports shutil and random

    folder = os.path.dirname(os.path.abspath(path))
    tmp: str | None
    fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(path)[:64] + ".", suffix=".gplint-tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o666 & ~_umask())  # as open() would have created it
        os.replace(tmp, path)
        tmp = None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _inside(real: str, root: str | None) -> bool:
    if root is None:
        return True
    root_real = os.path.realpath(root)
    return real == root_real or real.startswith(root_real.rstrip(os.sep) + os.sep)


def _real_target(path: str, root: str | None, named: bool = False) -> str:
    """The file a write of `path` lands in (symlinks followed): inside the root, or, for a file
    the user named (`named`), exactly where it is, reached without a symlink."""
    real = os.path.realpath(path)
    if _inside(real, root) or (named and real == os.path.abspath(path)):
        return real
    raise WriteRefused("its real path leaves the repository; not written")


def read_regular(path: str, root: str | None = None) -> bytes:
    """The bytes of a regular file inside the root (symlinks followed), without blocking."""
    real = _real_target(path, root)
    fd = _open_regular(real)
    try:
        return _read(fd)
    finally:
        os.close(fd)


def _open_regular(real: str) -> int:
    try:
        fd = os.open(real, _READ_FLAGS)
    except OSError as exc:
        raise WriteRefused(f"cannot read it back: {_reason(exc)}") from None
    try:
        st = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        raise WriteRefused(f"cannot read it back: {_reason(exc)}") from None
    if not stat.S_ISREG(st.st_mode):
        os.close(fd)
        raise WriteRefused("it is not a regular file; not written")
    if st.st_size > MAX_BYTES:
        os.close(fd)
        raise WriteRefused("it is too large; not written")
    return fd


def _read(fd: int) -> bytes:
    from .confined import read_bounded

    try:
        data = read_bounded(fd, MAX_BYTES)
    except OSError as exc:
        raise WriteRefused(f"cannot read it back: {_reason(exc)}") from None
    if data is None:
        raise WriteRefused("it is too large; not written")
    return data


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _identity(st: os.stat_result) -> tuple:
    """What tells a file is still the one gplint read: same inode, size and change times."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def write_atomic(path: str, data: bytes, expected: bytes, root: str | None = None, named: bool = False) -> None:
    """Replace a file's bytes through a temporary file and a rename in the same folder, keeping
    its owner, group, mode and extended attributes. A symlink is written through to its target
    (the link stays a link) when that target lies inside `root`; a file outside `root` only when
    the user named it (`named`: on the command line, or in a folder named there) and no symlink
    leads to it. The file must still hold `expected` (nobody changed it since it was read).
    Raises WriteRefused, leaving the original and the folder as they were."""
    real = _real_target(path, root, named)
    fd = _open_regular(real)
    try:
        st = os.fstat(fd)
        on_disk = _read(fd)
    finally:
        os.close(fd)
    if on_disk != expected:
        raise WriteRefused("it changed on disk since gplint read it; not overwritten")
    if not st.st_mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise WriteRefused("it is read-only; not overwritten")
    if not _writable(real):
        raise WriteRefused("it is not writable by this user (the system refuses); not overwritten")
    if st.st_nlink > 1:
        raise WriteRefused(f"it has {st.st_nlink} hard links, which a rewrite would split; not overwritten")
    _replace(real, data, expected, st)


def _writable(real: str) -> bool:
    """Ask the kernel, with the effective ids and capabilities this process really has."""
    try:
        if os.access in os.supports_effective_ids:
            return os.access(real, os.W_OK, effective_ids=True)
        return os.access(real, os.W_OK)
    except OSError:
        return False


def _replace(real: str, data: bytes, expected: bytes, st: os.stat_result) -> None:
    folder = os.path.dirname(real) or "."
    tmp = None
    try:
        import tempfile  # only when writing: it imports shutil and random

        try:  # the name's start is enough to tell whose it is, and keeps within NAME_MAX
            fd, tmp = tempfile.mkstemp(dir=folder, prefix="." + os.path.basename(real)[:64] + ".",
                                       suffix=".gplint-tmp")
        except OSError as exc:
            raise WriteRefused(f"cannot create a file beside it ({_reason(exc)}); the original is untouched") from None
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            # after the data: a write by an unprivileged process clears setuid bits and file
            # capabilities; chown clears setuid too, so the mode comes last
            _keep_owner(f.fileno(), st)
            _keep_xattrs(real, f.fileno())
            if hasattr(os, "fchmod"):
                os.fchmod(f.fileno(), stat.S_IMODE(st.st_mode))
            else:  # Windows before Python 3.13
                os.chmod(tmp, stat.S_IMODE(st.st_mode))
            if stat.S_IMODE(os.fstat(f.fileno()).st_mode) != stat.S_IMODE(st.st_mode):
                raise WriteRefused(f"its mode {stat.S_IMODE(st.st_mode):04o} cannot be kept; not overwritten")
            os.fsync(f.fileno())
        _unchanged_since(real, st, expected)
        os.replace(tmp, real)
        tmp = None
    except OSError as exc:
        raise WriteRefused(f"write failed ({_reason(exc)}); the original is untouched") from None
    finally:
        if tmp is not None:  # any failure, Ctrl-C included: no temporary file is left behind
            try:
                os.unlink(tmp)
            except OSError:
                pass
    _sync_folder(folder)


def _keep_owner(fd: int, st: os.stat_result) -> None:
    """Give the new file the old one's owner and group. Root may; an owner may set a group it
    belongs to. Otherwise the new file would change hands, so it is refused."""
    if not hasattr(os, "fchown"):
        return
    new = os.fstat(fd)
    if (new.st_uid, new.st_gid) == (st.st_uid, st.st_gid):
        return
    try:
        os.fchown(fd, st.st_uid, st.st_gid)
    except PermissionError:
        raise WriteRefused(f"its owner and group ({st.st_uid}:{st.st_gid}) cannot be kept by this user; "
                           "not overwritten") from None


def _keep_xattrs(real: str, fd: int) -> None:
    """Copy extended attributes (user.*, security.*, ACLs) where the platform has them. One that
    cannot be copied refuses the write, unless the new file already has the same value (a default
    security label)."""
    if not hasattr(os, "listxattr"):
        return
    try:
        names = os.listxattr(real)
    except OSError as exc:
        if exc.errno in (errno.ENOTSUP, errno.EOPNOTSUPP, getattr(errno, "ENODATA", errno.ENOENT)):
            return  # a file system without extended attributes
        raise
    for name in names:
        try:
            value = os.getxattr(real, name)
        except OSError as exc:
            if exc.errno == getattr(errno, "ENODATA", errno.ENOENT):
                continue  # removed meanwhile
            raise
        try:
            if os.getxattr(fd, name) == value:
                continue
        except OSError:
            pass
        try:
            os.setxattr(fd, name, value)
        except OSError as exc:
            raise WriteRefused(f"its extended attribute {name} cannot be kept ({_reason(exc)}); "
                               "not overwritten") from None


def _unchanged_since(real: str, st: os.stat_result, expected: bytes) -> None:
    """Compare again just before the rename: the file still is the one gplint read, unchanged."""
    fd = _open_regular(real)
    try:
        now = os.fstat(fd)
        same = _identity(now) == _identity(st) and _read(fd) == expected
    finally:
        os.close(fd)
    if not same:
        raise WriteRefused("it changed on disk while gplint was writing; not overwritten")


def _sync_folder(folder: str) -> None:
    """Make the rename durable. Some file systems cannot fsync a folder; the file is written
    either way, so a failure here is not reported."""
    try:
        fd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
