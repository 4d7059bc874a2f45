"""Writing fixed files: a failed write is a message and exit 2 while the other files are still
fixed; owner, group, mode and extended attributes are kept; hard links are never split; the OS
decides what is writable; nothing is written outside the repository; no temporary file is ever
left behind."""
from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys

import pytest

import gplint.writer as writer
from gplint.cli import main
from gplint.writer import WriteRefused, write_atomic, write_fixes

BAD = "FROM golang:1.22 AS build\nRUN go mod download\n"
FIXED = "FROM golang:1.22 AS build\nARG GOPROXY\nRUN go mod download\n"
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


def fix(capsys, *paths):
    status = main(["--fix", "--no-cache", *paths])
    return status, capsys.readouterr().err


def leftovers(folder) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if "gplint-tmp" in p.name or
                  p.name.endswith(".tmp"))


def two_services(repo):
    for name in ("api", "web"):
        (repo / name).mkdir()
        (repo / name / "Dockerfile").write_text(BAD)
    return repo / "api" / "Dockerfile", repo / "web" / "Dockerfile"


# -- failures are messages, and the other files are still fixed --------------------------------
@pytest.mark.parametrize("error, reason", [(errno.EACCES, "Permission denied"),
                                           (errno.ENOSPC, "No space left on device"),
                                           (errno.EROFS, "Read-only file system")])
def test_a_folder_that_refuses_new_files_fails_one_file_only(repo, capsys, monkeypatch, error, reason):
    """Unwritable folder, no inodes left, read-only mount: the temporary file cannot be created."""
    import tempfile

    api, web = two_services(repo)
    real_mkstemp = tempfile.mkstemp

    def refusing(*args, dir=None, **kwargs):
        if dir == str(repo / "api"):
            raise OSError(error, os.strerror(error))
        return real_mkstemp(*args, dir=dir, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refusing)
    status, err = fix(capsys)
    assert status == 2
    assert f"api/Dockerfile: cannot create a file beside it ({reason}); the original is untouched" in err
    assert "Traceback" not in err
    assert api.read_text() == BAD
    assert web.read_text() == FIXED
    assert leftovers(repo) == []


def test_full_disk_while_writing_leaves_the_original_and_no_temporary_file(repo, capsys, monkeypatch):
    api, web = two_services(repo)
    real_fdopen = os.fdopen

    def filling(fd, *args, **kwargs):
        f = real_fdopen(fd, *args, **kwargs)
        if os.path.dirname(os.readlink(f"/proc/self/fd/{fd}")) != str(repo / "api"):
            return f

        class Full:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                f.close()

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        return Full()

    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    monkeypatch.setattr(writer.os, "fdopen", filling)
    status, err = fix(capsys)
    assert status == 2
    assert "api/Dockerfile: write failed (No space left on device); the original is untouched" in err
    assert api.read_text() == BAD and web.read_text() == FIXED
    assert leftovers(repo) == []


def test_changed_on_disk_since_read_is_not_overwritten(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")
    with pytest.raises(WriteRefused, match="changed on disk"):
        write_atomic(str(path), b"FROM b\n", expected=b"FROM old\n")
    assert path.read_bytes() == b"FROM a\n"


@pytest.mark.parametrize("moment", ["_keep_owner", "_keep_xattrs"])
def test_an_edit_while_writing_is_kept_not_lost(tmp_path, monkeypatch, moment):
    """Another program writes the file after gplint read it back but before the rename, keeping
    its size and modification time: the comparison just before the rename sees it."""
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")
    real = getattr(writer, moment)

    def edit_meanwhile(*args):
        before = os.stat(path)
        path.write_bytes(b"FROM c\n")
        os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
        return real(*args)

    monkeypatch.setattr(writer, moment, edit_meanwhile)
    with pytest.raises(WriteRefused, match="changed on disk while gplint was writing"):
        write_atomic(str(path), b"FROM b\n", expected=b"FROM a\n")
    assert path.read_bytes() == b"FROM c\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def test_ctrl_c_while_writing_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")

    def interrupt(*args):
        raise KeyboardInterrupt

    monkeypatch.setattr(writer.os, "fchmod", interrupt)
    with pytest.raises(KeyboardInterrupt):
        write_atomic(str(path), b"FROM b\n", expected=b"FROM a\n")
    assert path.read_bytes() == b"FROM a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


@pytest.mark.parametrize("make", ["folder", "fifo"])
def test_only_regular_files_are_written(tmp_path, make):
    """A path that became a folder, or a FIFO a fix of another file names: refused, no hang."""
    path = tmp_path / "Dockerfile"
    if make == "folder":
        path.mkdir()
    else:
        os.mkfifo(path)
    result = write_fixes({str(path): "FROM b\n"}, {}, str(tmp_path))
    assert result.written == []
    assert result.refused == [(str(path), "it is not a regular file; not written")]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["Dockerfile"]


# -- what the new file keeps --------------------------------------------------------------------
@as_root
@pytest.mark.parametrize("mode", [0o4755, 0o2750, 0o7775, 0o644])
def test_owner_group_and_mode_are_kept(repo, capsys, mode):
    path = repo / "Dockerfile"
    path.write_text(BAD)
    os.chown(path, 1234, 2345)
    os.chmod(path, mode)  # after chown, which clears setuid
    status, err = fix(capsys)
    assert (status, err) == (0, "")
    st = os.stat(path)
    assert path.read_text() == FIXED
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (1234, 2345, mode)


def _xattrs_supported(folder) -> bool:
    probe = folder / "probe"
    probe.write_text("")
    try:
        os.setxattr(probe, "user.gplint-probe", b"1")
    except OSError:
        return False
    finally:
        probe.unlink()
    return True


@pytest.mark.skipif(not hasattr(os, "setxattr"), reason="no extended attributes on this platform")
def test_extended_attributes_are_kept(repo, capsys):
    if not _xattrs_supported(repo):
        pytest.skip("this file system has no user.* extended attributes")
    path = repo / "Dockerfile"
    path.write_text(BAD)
    os.setxattr(path, "user.origin", b"https://example.com/x")
    os.setxattr(path, "user.empty", b"")
    assert fix(capsys) == (0, "")
    assert path.read_text() == FIXED
    assert {name: os.getxattr(path, name) for name in os.listxattr(path) if name.startswith("user.")} == {
        "user.origin": b"https://example.com/x", "user.empty": b""}


def test_an_owner_that_cannot_be_kept_refuses_the_write(tmp_path, monkeypatch):
    """A user who may not give the new file the old one's owner leaves the file alone rather than
    take it over."""
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")
    st = os.stat(path)
    monkeypatch.setattr(writer.os, "fstat", lambda fd, real=os.fstat: _other_owner(real(fd), st))

    def denied(*args):
        raise PermissionError(errno.EPERM, "Operation not permitted")

    monkeypatch.setattr(writer.os, "fchown", denied)
    with pytest.raises(WriteRefused, match=rf"owner and group \({st.st_uid}:{st.st_gid}\) cannot be kept"):
        write_atomic(str(path), b"FROM b\n", expected=b"FROM a\n")
    assert path.read_bytes() == b"FROM a\n"
    assert [p.name for p in tmp_path.iterdir()] == ["Dockerfile"]


def _other_owner(st, original):
    """The temporary file as a non-root user would see it: owned by someone else than the file."""
    if st.st_ino == original.st_ino:
        return st
    values = list(st)
    values[stat.ST_UID] = original.st_uid + 1
    return os.stat_result(values)


def test_hard_links_are_never_split(repo, capsys):
    path = repo / "Dockerfile"
    path.write_text(BAD)
    os.link(path, repo / "Dockerfile.shared")
    status, err = fix(capsys, "Dockerfile")
    assert status == 2
    assert "Dockerfile: it has 2 hard links, which a rewrite would split; not overwritten" in err
    assert path.read_text() == BAD
    assert os.stat(path).st_ino == os.stat(repo / "Dockerfile.shared").st_ino
    assert leftovers(repo) == []


# -- who may write ------------------------------------------------------------------------------
def test_the_os_decides_what_is_writable(repo, capsys, monkeypatch):
    """Mode bits that allow writing do not settle it: the kernel's answer does."""
    api, web = two_services(repo)
    real_access = os.access

    def access(path, mode, **kwargs):
        if os.fspath(path) == str(api) and mode & os.W_OK:
            return False
        return real_access(path, mode, **kwargs)

    monkeypatch.setattr(writer.os, "access", access)
    status, err = fix(capsys)
    assert status == 2
    assert "api/Dockerfile: it is not writable by this user (the system refuses); not overwritten" in err
    assert api.read_text() == BAD and web.read_text() == FIXED


@as_root
@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv (util-linux)")
def test_root_without_cap_dac_override_is_refused(repo):
    """Mode 0644, owned by another user: root without CAP_DAC_OVERRIDE may not write it, although
    it may still create files in its own folder (so a rename would have gone through)."""
    path = repo / "Dockerfile"
    path.write_text(BAD)
    os.chown(path, 1234, 2345)
    os.chmod(path, 0o644)
    done = _without_dac_override(repo, "Dockerfile")
    assert done.returncode == 2, done.stderr
    assert "Dockerfile: it is not writable by this user (the system refuses); not overwritten" in done.stderr
    assert path.read_text() == BAD
    assert os.stat(path).st_uid == 1234


def _without_dac_override(repo, *args):
    """gplint run as root without CAP_DAC_OVERRIDE: the kernel applies mode bits to root too."""
    if subprocess.run(["setpriv", "--bounding-set=-dac_override", "true"], capture_output=True).returncode:
        pytest.skip("cannot drop capabilities here")
    command = ["setpriv", "--inh-caps=-dac_override", "--bounding-set=-dac_override",
               sys.executable, "-m", "gplint", "--fix", "--no-cache", *args]
    return subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)


@as_root
@pytest.mark.skipif(not shutil.which("setpriv"), reason="needs setpriv (util-linux)")
def test_a_real_unwritable_folder_fails_one_file_only(repo):
    api, web = two_services(repo)
    os.chown(repo / "api", 1234, 2345)  # root may write api/Dockerfile (its own) but not create beside it
    done = _without_dac_override(repo)
    assert done.returncode == 2, done.stderr
    assert "api/Dockerfile: cannot create a file beside it (Permission denied); the original is untouched" \
        in done.stderr
    assert "Traceback" not in done.stderr
    assert api.read_text() == BAD and web.read_text() == FIXED
    assert leftovers(repo) == []


# -- durability ---------------------------------------------------------------------------------
def test_file_is_synced_before_the_rename_and_its_folder_after(tmp_path, monkeypatch):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM a\n")
    events = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd):
        events.append("fsync folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "fsync file")
        return real_fsync(fd)

    def replace(src, dst):
        events.append("rename")
        return real_replace(src, dst)

    monkeypatch.setattr(writer.os, "fsync", fsync)
    monkeypatch.setattr(writer.os, "replace", replace)
    write_atomic(str(path), b"FROM b\n", expected=b"FROM a\n")
    assert events == ["fsync file", "rename", "fsync folder"]
    assert path.read_bytes() == b"FROM b\n"


# -- never outside the repository ---------------------------------------------------------------
def test_a_target_whose_real_path_leaves_the_repository_is_refused(tmp_path):
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "Dockerfile").write_bytes(b"FROM a\n")
    (repo / "Dockerfile").symlink_to(outside / "Dockerfile")
    (repo / "linked").symlink_to(outside, target_is_directory=True)
    for path in (repo / "Dockerfile", repo / "linked" / "Dockerfile", repo / ".." / "outside" / "Dockerfile"):
        with pytest.raises(WriteRefused, match="real path leaves the repository"):
            write_atomic(str(path), b"FROM b\n", expected=b"FROM a\n", root=str(repo))
    result = write_fixes({str(repo / "linked" / "Dockerfile"): "FROM b\n"}, {}, str(repo))
    assert result.refused == [(str(repo / "linked" / "Dockerfile"),
                               "its real path leaves the repository; not written")]
    # a linted file (named on the command line or found by the walk) that is such a symlink
    from gplint.source import Source

    link = str(repo / "Dockerfile")
    named = {link: Source("Dockerfile", link, "dockerfile", "FROM a\n")}
    assert write_fixes({link: "FROM b\n"}, named, str(repo)).refused == [
        ("Dockerfile", "its real path leaves the repository; not written")]
    assert (outside / "Dockerfile").read_bytes() == b"FROM a\n"
    assert sorted(p.name for p in outside.iterdir()) == ["Dockerfile"]


def test_a_symlink_inside_the_repository_is_written_through(tmp_path):
    (tmp_path / "docker").mkdir()
    target = tmp_path / "docker" / "Dockerfile"
    target.write_bytes(b"FROM a\n")
    (tmp_path / "Dockerfile").symlink_to("docker/Dockerfile")
    write_atomic(str(tmp_path / "Dockerfile"), b"FROM b\n", expected=b"FROM a\n", root=str(tmp_path))
    assert (tmp_path / "Dockerfile").is_symlink()
    assert target.read_bytes() == b"FROM b\n"


def test_a_file_named_outside_the_repository_is_still_written(tmp_path, monkeypatch, capsys):
    """Without .git the root is the first path's folder; a second folder named on the command
    line lies outside it, yet the user named it: it is fixed where it is."""
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "Dockerfile").write_text(BAD)
    monkeypatch.chdir(tmp_path)
    assert fix(capsys, "a/Dockerfile", "b/Dockerfile")[0] == 0
    assert (tmp_path / "a" / "Dockerfile").read_text() == (tmp_path / "b" / "Dockerfile").read_text() == FIXED


def test_a_file_outside_that_another_files_fix_edits_is_refused(tmp_path):
    """Files a fix of another file edits (GP105 inserts ARGs into the Dockerfile a CI file builds)
    are named by repository content: outside the root they are never written, symlink or not."""
    repo, outside = tmp_path / "repo", tmp_path / "outside"
    repo.mkdir()
    outside.mkdir()
    (outside / "Dockerfile").write_bytes(b"FROM a\n")
    path = str(repo / ".." / "outside" / "Dockerfile")
    result = write_fixes({path: "FROM b\n"}, {}, str(repo))
    assert result.refused == [(path, "its real path leaves the repository; not written")]
    assert (outside / "Dockerfile").read_bytes() == b"FROM a\n"


def test_a_file_another_files_fix_edits_must_still_hold_what_was_read(tmp_path):
    """GP105 edits the Dockerfile a CI file builds: if that Dockerfile changed after gplint read
    it, the fixed text (made from the old one) must not replace it."""
    from gplint.source import Source

    path = tmp_path / "Dockerfile"
    path.write_bytes(b"FROM c\n")  # changed since it was read as "FROM a"
    read = {str(path): Source("Dockerfile", str(path), "dockerfile", "FROM a\n")}
    result = write_fixes({str(path): "FROM b\n"}, {}, str(tmp_path), read)
    assert result.refused == [(str(path), "it changed on disk since gplint read it; not overwritten")]
    assert path.read_bytes() == b"FROM c\n"


# -- files gplint makes itself ------------------------------------------------------------------
def test_write_baseline_never_follows_a_planted_temporary_symlink(repo, capsys, tmp_path_factory):
    """The baseline used to go through `baseline.json.tmp`: a repository that commits that name
    as a symlink had gplint overwrite the file it points to, anywhere."""
    victim = tmp_path_factory.mktemp("outside") / "victim"
    victim.write_text("precious\n")
    (repo / "Dockerfile").write_text(BAD)
    (repo / "baseline.json.tmp").symlink_to(victim)
    assert main(["--no-cache", "--write-baseline", "baseline.json"]) == 0
    assert victim.read_text() == "precious\n"
    assert not (repo / "baseline.json").is_symlink()
    assert '"gplint_baseline"' in (repo / "baseline.json").read_text()
    assert leftovers(repo) == ["baseline.json.tmp"]  # the planted link, left as it was
    assert (repo / "baseline.json.tmp").is_symlink()


def test_write_baseline_failure_is_a_message_not_a_traceback(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "baseline.json").mkdir()
    assert main(["--no-cache", "--write-baseline", "baseline.json"]) == 2
    assert "baseline.json: cannot write the baseline: Is a directory" in capsys.readouterr().err
    assert leftovers(repo) == []
