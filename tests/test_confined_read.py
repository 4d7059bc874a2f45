"""confined.read_bytes reads what fstat reports, and still enforces the limit when it lies."""
import os

import pytest

from gplint import confined


def test_reads_whole_file_and_enforces_limit(tmp_path):
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"x" * 100)
    assert confined.read_bytes(str(path), str(tmp_path), limit=100) == b"x" * 100
    with pytest.raises(confined.Unreadable, match="too large"):
        confined.read_bytes(str(path), str(tmp_path), limit=99)


def test_a_file_longer_than_fstat_says_is_read_to_the_end(tmp_path, monkeypatch):
    """The first read asks for the fstat size + 1; a file that grew meanwhile is read on,
    in bounded steps, and refused once it passes the limit."""
    path = tmp_path / "Dockerfile"
    path.write_bytes(b"y" * 200_000)
    real_fstat = os.fstat

    def short_fstat(fd):
        st = real_fstat(fd)
        return os.stat_result((st.st_mode, st.st_ino, st.st_dev, st.st_nlink, st.st_uid, st.st_gid,
                               10, st.st_atime, st.st_mtime, st.st_ctime))

    monkeypatch.setattr(confined.os, "fstat", short_fstat)
    assert confined.read_bytes(str(path), str(tmp_path)) == b"y" * 200_000
    with pytest.raises(confined.Unreadable, match="too large"):
        confined.read_bytes(str(path), str(tmp_path), limit=150_000)


def test_git_component_is_refused_but_similar_names_are_read(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("x")
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "ci.yml").write_text("y")
    with pytest.raises(confined.Unreadable, match=r"\.git folder"):
        confined.read_bytes(str(tmp_path / ".git" / "config"), str(tmp_path))
    assert confined.read_bytes(str(tmp_path / ".github" / "ci.yml"), str(tmp_path)) == b"y"


def test_the_root_is_resolved_once_and_its_symlink_still_confines(tmp_path, monkeypatch):
    real_repo = tmp_path / "real"
    real_repo.mkdir()
    (real_repo / "a").write_text("1")
    (real_repo / "b").write_text("2")
    (tmp_path / "outside").write_text("secret")
    (real_repo / "c").symlink_to(tmp_path / "outside")
    root = tmp_path / "link"
    root.symlink_to(real_repo)  # the repository is reached through a symlink
    confined._REAL_DIRS.clear()
    resolved = []
    real_realpath = os.path.realpath
    monkeypatch.setattr(confined.os.path, "realpath", lambda p: resolved.append(p) or real_realpath(p))
    assert confined.read_bytes(str(root / "a"), str(root)) == b"1"
    assert confined.read_bytes(str(root / "b"), str(root)) == b"2"
    assert resolved.count(str(root)) == 1
    with pytest.raises(confined.Unreadable, match="leads outside"):
        confined.read_bytes(str(root / "c"), str(root))


def _tree_with_symlinks(tmp_path):
    """A repository with symlinked files and folders, inside and out, and dangling links."""
    repo = tmp_path / "repo"
    (repo / "sub" / "deep").mkdir(parents=True)
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "Dockerfile").write_text("FROM scratch\n")
    (repo / "sub" / "deep" / "Dockerfile").write_text("FROM alpine\n")
    (repo / "sub" / "link-in").symlink_to(repo / "sub" / "deep")
    (repo / "sub" / "link-out").symlink_to(tmp_path / "out")
    (repo / "sub" / "file-in").symlink_to(repo / "sub" / "deep" / "Dockerfile")
    (repo / "sub" / "file-out").symlink_to(tmp_path / "out" / "Dockerfile")
    (repo / "sub" / "dangling").symlink_to(repo / "nowhere")
    (repo / "relative").symlink_to("sub/link-in/Dockerfile")
    return repo


def test_resolve_agrees_with_realpath_and_reads_through_folders_resolved_once(tmp_path, monkeypatch):
    repo = _tree_with_symlinks(tmp_path)
    confined._REAL_DIRS.clear()
    paths = [str(repo / p) for p in ("sub/deep/Dockerfile", "sub/link-in/Dockerfile", "sub/link-out/Dockerfile",
                                     "sub/file-in", "sub/file-out", "sub/dangling", "relative", "missing",
                                     "sub/missing/x", "sub/deep/Dockerfile/x", "sub/link-in")]
    for path in paths + paths:  # the second round answers from the memo
        assert confined._resolve(path)[0] == os.path.realpath(path), path
    assert confined.read_bytes(str(repo / "sub" / "link-in" / "Dockerfile"), str(repo)) == b"FROM alpine\n"
    assert confined.read_bytes(str(repo / "relative"), str(repo)) == b"FROM alpine\n"
    for outside in ("sub/link-out/Dockerfile", "sub/file-out"):
        with pytest.raises(confined.Unreadable, match="leads outside"):
            confined.read_bytes(str(repo / outside), str(repo))
    with pytest.raises(confined.Unreadable, match="cannot read") as missing:
        confined.read_bytes(str(repo / "sub" / "dangling"), str(repo))
    assert missing.value.missing
    # many files of one folder: the folder is resolved once, not once per file
    for n in range(20):
        (repo / "sub" / "deep" / f"f{n}").write_text("x")
    confined._REAL_DIRS.clear()
    resolved = []
    real_realpath = os.path.realpath
    monkeypatch.setattr(confined.os.path, "realpath", lambda p: resolved.append(p) or real_realpath(p))
    for n in range(20):
        assert confined.read_bytes(str(repo / "sub" / "deep" / f"f{n}"), str(repo)) == b"x"
    assert len(resolved) <= 1  # only the file system root: every folder costs one lstat
    # asking after files that are not there (a hand-off looking for a Makefile) costs no walk either
    resolved.clear()
    for n in range(20):
        missing = repo / "sub" / "deep" / f"missing{n}"
        assert confined._resolve(str(missing)) == (real_realpath(str(missing)), None)
        with pytest.raises(confined.Unreadable, match="cannot read"):
            confined.read_bytes(str(missing), str(repo))
    assert resolved == []


@pytest.mark.parametrize("path", ["/", "/a", "/a/b", "//a", "///a", "/a/", "/a/.", "/a/..", "/a/./b", "/a/../b",
                                  "/a//b", "/.git", "/a/.github/x", "/a/..b", "/a/b..", "/a/.b/c", "a", "", ".",
                                  "./a", "a/../b"])
def test_a_path_counts_as_normal_only_when_normalising_keeps_it(path):
    if confined._normal(path):
        assert os.path.normpath(os.path.abspath(path)) == path
    else:
        assert path in ("//a", "/a/", "/a/.", "/a/..", "/a/./b", "/a/../b", "/a//b", "///a", "a", "", ".", "./a",
                        "a/../b")


def test_the_walk_vouches_for_the_plain_folders_it_listed(tmp_path, monkeypatch):
    """A folder the walk listed as a folder (not a symlink) needs no lstat when a file in it is
    read; a symlinked folder is not vouched for, so reading through it still resolves it."""
    from gplint import discover

    repo = _tree_with_symlinks(tmp_path)
    confined._REAL_DIRS.clear()
    discover.walk(str(repo), str(repo))
    lstats = []
    real_lstat = os.lstat
    monkeypatch.setattr(confined.os, "lstat", lambda p, *a, **k: lstats.append(str(p)) or real_lstat(p, *a, **k))
    dockerfile = str(repo / "sub" / "deep" / "Dockerfile")
    assert confined.read_bytes(dockerfile, str(repo)) == b"FROM alpine\n"
    assert lstats == [dockerfile]  # the file itself, none of its folders
    assert confined._REAL_DIRS[str(repo / "sub" / "deep")] == os.path.realpath(repo / "sub" / "deep")
    assert str(repo / "sub" / "link-out") not in confined._REAL_DIRS
    with pytest.raises(confined.Unreadable, match="leads outside"):
        confined.read_bytes(str(repo / "sub" / "link-out" / "Dockerfile"), str(repo))
    assert confined.read_bytes(str(repo / "sub" / "link-in" / "Dockerfile"), str(repo)) == b"FROM alpine\n"
