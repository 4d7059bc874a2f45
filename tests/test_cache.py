"""The result cache: a repeated run re-checks only what changed, and every input that can change
a file's findings invalidates its entry."""
from __future__ import annotations

import json
import os

import pytest

import gplint.runner
from gplint.cli import main

BAD = "FROM golang:1.22 AS build\nCOPY . .\nRUN go build ./...\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(BAD)
    (tmp_path / "api.Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def checked(monkeypatch):
    """Names of the files actually checked (not answered from the cache) in a run."""
    seen: list[str] = []
    real = gplint.runner.check_document

    def spy(doc, project, selected):
        seen.append(os.path.basename(doc.source.path))
        return real(doc, project, selected)

    monkeypatch.setattr(gplint.runner, "check_document", spy)
    return seen


def _run(capsys, *args):
    status = main(["--format", "json", *args])
    return status, sorted(d["code"] for d in json.loads(capsys.readouterr().out))


def test_second_run_reads_from_cache_with_the_same_result(repo, capsys, checked):
    first = _run(capsys)
    assert sorted(checked) == ["Dockerfile", "api.Dockerfile"]
    checked.clear()
    assert _run(capsys) == first == (1, ["GP101"])
    assert checked == []
    assert not (repo / ".gplint_cache").exists()  # nothing is written into the repository


def test_changed_file_is_checked_again(repo, capsys, checked):
    _run(capsys)
    checked.clear()
    (repo / "Dockerfile").write_text(BAD.replace("RUN", "ARG GOPROXY\nRUN"))
    assert _run(capsys) == (0, [])
    assert checked == ["Dockerfile"]


def test_configuration_change_invalidates(repo, capsys, checked):
    _run(capsys)
    checked.clear()
    assert _run(capsys, "--ignore", "GP101") == (0, [])
    assert sorted(checked) == ["Dockerfile", "api.Dockerfile"]


def test_cross_file_input_change_invalidates(repo, capsys, checked):
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / ".dockerignore").write_text("bin/\n")
    assert _run(capsys) == (1, ["GP101"])
    checked.clear()
    # a .dockerignore edit changes what the Dockerfile rules see: nothing may come from the cache
    (repo / ".dockerignore").write_text("go.mod\n")
    assert _run(capsys) == (1, ["GP101", "GP401"])
    assert "Dockerfile" in checked


def test_no_cache_flag_reads_and_writes_nothing(repo, capsys, checked):
    _run(capsys, "--no-cache")
    assert not (repo / "cache").exists()
    checked.clear()
    _run(capsys, "--no-cache")
    assert len(checked) == 2


def test_damaged_cache_is_ignored(repo, capsys):
    _run(capsys)
    for folder, _, names in os.walk(repo / "cache"):
        for name in names:
            if name.endswith(".json"):
                with open(os.path.join(folder, name), "wb") as f:
                    f.write(b"garbage")
    assert _run(capsys) == (1, ["GP101"])


# -- GitLab files: their findings can lie in the files they include ---------------------------
GITLAB = "include:\n  - local: ci/go.yml\n\nbuild:\n  script:\n    - go build ./...\n"
INCLUDED_BAD = "variables:\n  GOSUMDB: \"off\"\n"


@pytest.fixture
def gitlab_repo(repo):
    (repo / "Dockerfile").unlink()
    (repo / "api.Dockerfile").unlink()
    (repo / "ci").mkdir()
    (repo / ".gitlab-ci.yml").write_text(GITLAB)
    (repo / "ci" / "go.yml").write_text(INCLUDED_BAD)
    return repo


def _run_paths(capsys, *args):
    status = main(["--format", "json", *args])
    return status, sorted((d["code"], d["path"]) for d in json.loads(capsys.readouterr().out))


def test_gitlab_file_is_cached_with_findings_in_its_include(gitlab_repo, capsys, checked):
    first = _run_paths(capsys)
    assert first == (1, [("GP301", "ci/go.yml")])
    assert checked == [".gitlab-ci.yml"]
    checked.clear()
    assert _run_paths(capsys) == first  # the finding in the included file comes back from the cache
    assert checked == []


def test_gitlab_include_change_invalidates(gitlab_repo, capsys, checked):
    _run_paths(capsys)
    checked.clear()
    (gitlab_repo / "ci" / "go.yml").write_text("variables:\n  GOFLAGS: -mod=mod\n")
    assert _run_paths(capsys) == (0, [])
    assert checked == [".gitlab-ci.yml"]


def test_gitlab_include_that_appears_later_invalidates(gitlab_repo, capsys, checked):
    (gitlab_repo / "ci" / "go.yml").unlink()
    assert _run_paths(capsys) == (0, [])
    checked.clear()
    (gitlab_repo / "ci" / "go.yml").write_text(INCLUDED_BAD)  # the include now exists
    assert _run_paths(capsys) == (1, [("GP301", "ci/go.yml")])
    assert checked == [".gitlab-ci.yml"]


# -- the cache folder is not trusted: no code, no stale or forged findings ---------------------
def _cache_files(repo) -> list[str]:
    return sorted(os.path.join(folder, name) for folder, _, names in os.walk(repo / "cache") for name in names)


def _cache_file(repo) -> str:
    (path,) = _cache_files(repo)
    assert path.endswith(".json")
    return path


def test_cache_is_plain_json_and_a_planted_pickle_runs_no_code(repo, capsys):
    import pickle

    _run(capsys)
    path = _cache_file(repo)
    with open(path, encoding="ascii") as f:
        assert json.load(f)["entries"]  # plain data, readable by anyone
    marker = repo / "pwned"

    class Payload:
        def __reduce__(self):
            return (open, (str(marker), "w"))

    planted = pickle.dumps({"entries": Payload()})
    for name in (os.path.basename(path), os.path.basename(path)[:-len(".json")] + ".pickle"):
        with open(os.path.join(os.path.dirname(path), name), "wb") as f:
            f.write(planted)
    assert _run(capsys) == (1, ["GP101"])
    assert not marker.exists()


def test_same_size_edit_with_the_old_mtime_is_seen(repo, capsys, checked):
    """`touch -r`: a cross-file input edited without changing its size or modification time."""
    ignore = repo / ".dockerignore"
    ignore.write_text("bin/\n")
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod .\nRUN go build\n")
    assert _run(capsys) == (0, [])
    before = os.stat(ignore)
    ignore.write_text("go.*\n")  # same size, different content...
    os.utime(ignore, ns=(before.st_atime_ns, before.st_mtime_ns))  # ...and the old mtime
    assert os.stat(ignore).st_size == before.st_size
    checked.clear()
    assert _run(capsys) == (1, ["GP401"])
    assert "Dockerfile" in checked


def test_go_sum_appearing_or_going_invalidates(repo, capsys):
    """GP401 asks whether go.sum exists beside go.mod; it is not an inventory file, so its
    existence is part of the key on its own."""
    (repo / "api.Dockerfile").unlink()
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / ".dockerignore").write_text("go.sum\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n")
    assert _run(capsys) == (0, [])
    (repo / "go.sum").write_text("")
    assert _run(capsys) == (1, ["GP401"])
    (repo / "go.sum").unlink()
    assert _run(capsys) == (0, [])


def test_working_folder_is_part_of_the_key(repo, capsys):
    """Paths in messages are relative to the working folder."""
    (repo / "sub").mkdir()
    (repo / "sub" / "go.mod").write_text("module example.com/m\n\ngo 1.24\n")
    (repo / "sub" / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod .\nRUN go build\n")
    main(["--format", "json", "sub"])
    first = [d["message"] for d in json.loads(capsys.readouterr().out) if d["code"] == "GP501"]
    os.chdir(repo / "sub")
    main(["--format", "json", "."])
    second = [d["message"] for d in json.loads(capsys.readouterr().out) if d["code"] == "GP501"]
    assert len(first) == len(second) == 1
    assert "sub/go.mod" in first[0] and "sub/go.mod" not in second[0]


def test_related_locations_survive_a_cache_hit(repo, capsys):
    (repo / "Dockerfile").write_text("ARG GOPROXY=https://proxy.example.com\nFROM golang:1.22\nRUN go build\n")
    status = main(["--format", "sarif"])
    cold = capsys.readouterr().out
    assert "relatedLocations" in cold
    assert main(["--format", "sarif"]) == status
    assert capsys.readouterr().out == cold


def _forge(repo, change) -> None:
    path = _cache_file(repo)
    with open(path, encoding="ascii") as f:
        data = json.load(f)
    for key, entry in data["entries"].items():
        if entry:
            data["entries"][key] = change(entry, repo)
    with open(path, "w", encoding="ascii") as f:
        json.dump(data, f)


def _finding(entry, index, value):
    entry[0][index] = value
    return entry


FORGERIES = {
    "not a list": lambda e, r: {"a": 1},
    "short finding": lambda e, r: [e[0][:3]],
    "unknown code": lambda e, r: _finding(e, 0, "XX1"),
    "offset past the end": lambda e, r: _finding(e, 2, 10**6),
    "negative offset": lambda e, r: _finding(e, 1, -1),
    "offset as bool": lambda e, r: _finding(e, 1, True),
    "offset as float": lambda e, r: _finding(e, 1, 1.5),
    "end before start": lambda e, r: _finding(_finding(e, 1, 5), 2, 2),
    "escape in message": lambda e, r: _finding(e, 3, "fine\x1b]0;owned\x07"),
    "newline in message": lambda e, r: _finding(e, 3, "fine\n::warning::forged"),
    "path outside the repository": lambda e, r: _finding(e, 7, "/etc/passwd"),
    "relative path": lambda e, r: _finding(e, 7, "../../etc/passwd"),
    "dotted path": lambda e, r: _finding(e, 7, str(r) + "/../../../../../../etc/passwd"),
    "own path spelled out": lambda e, r: _finding(e, 7, str(r / "Dockerfile")),
    "unknown kind": lambda e, r: _finding(e, 8, "python"),
    "fix edit outside": lambda e, r: _finding(e, 4, ["safe", "x", [["/etc/passwd", "dockerfile", 0, 0, "x"]]]),
    "fix edit with bad applicability": lambda e, r: _finding(e, 4, ["always", "x", []]),
    "related outside": lambda e, r: _finding(e, 9, [["/etc/shadow", "dockerfile", 0, 1, "here"]]),
    "deep nesting": lambda e, r: [json.loads("[" * 50 + "]" * 50)],
}


@pytest.mark.parametrize("forgery", sorted(FORGERIES))
def test_forged_entries_are_misses(repo, capsys, checked, forgery):
    first = _run_paths(capsys)
    _forge(repo, FORGERIES[forgery])
    checked.clear()
    assert _run_paths(capsys) == first
    assert checked  # linted again, not answered from the forged entry


@pytest.mark.parametrize("content", [b"", b"\xff\xfe", b"[]", b'{"format": 2}', b'{"format": 3}', b"[" * 100_000,
                                     b'{"format": 3, "gplint": "0.2.0", "entries": []}'])
def test_damaged_cache_files_are_misses(repo, capsys, content):
    first = _run(capsys)
    with open(_cache_file(repo), "wb") as f:
        f.write(content)
    assert _run(capsys) == first


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to chown")
def test_a_cache_file_owned_by_another_user_is_not_read(repo, capsys, checked):
    _run(capsys)
    os.chown(_cache_file(repo), 1234, 1234)
    checked.clear()
    assert _run(capsys) == (1, ["GP101"])
    assert sorted(checked) == ["Dockerfile", "api.Dockerfile"]


def test_an_entry_naming_a_file_through_a_symlink_that_leaves_the_repository_is_a_miss(
        gitlab_repo, tmp_path_factory, capsys, checked):
    """The included file's finding is stored by path; a forged path through a symlinked folder
    that points outside the repository is refused, though it looks like a path inside."""
    outside = tmp_path_factory.mktemp("outside")
    (outside / "go.yml").write_text(INCLUDED_BAD)
    (gitlab_repo / "elsewhere").symlink_to(outside, target_is_directory=True)
    first = _run_paths(capsys)
    inside = str(gitlab_repo / "ci" / "go.yml")
    forged = str(gitlab_repo / "elsewhere" / "go.yml")
    path = _cache_file(gitlab_repo)
    with open(path, encoding="ascii") as f:
        text = f.read()
    assert inside in text
    with open(path, "w", encoding="ascii") as f:
        f.write(text.replace(json.dumps(inside)[1:-1], json.dumps(forged)[1:-1]))
    checked.clear()
    assert _run_paths(capsys) == first
    assert checked == [".gitlab-ci.yml"]


def test_a_fifo_in_place_of_the_cache_does_not_hang(repo, capsys):
    from hangguard import hang_guard

    first = _run(capsys)
    path = _cache_file(repo)
    os.unlink(path)
    os.mkfifo(path)
    with hang_guard(20):
        assert _run(capsys) == first


def test_cache_path_that_is_a_folder_leaves_no_temporary_file(repo, capsys):
    _run(capsys)
    path = _cache_file(repo)
    os.unlink(path)
    os.mkdir(path)
    (repo / "Dockerfile").write_text(BAD + "# changed\n")  # something new to save
    assert _run(capsys) == (1, ["GP101"])
    assert _cache_files(repo) == []  # the folder stands, empty; no temporary file beside it
    assert os.path.isdir(path)


def test_full_disk_while_saving_leaves_no_temporary_file(repo, capsys, monkeypatch):
    import errno

    import gplint.cache

    _run(capsys)
    before = _cache_files(repo)
    real_fdopen = os.fdopen

    def full(fd, *args, **kwargs):
        f = real_fdopen(fd, *args, **kwargs)

        class Full:
            def __enter__(self):
                return self

            def __exit__(self, *exc):
                f.close()

            def write(self, data):
                raise OSError(errno.ENOSPC, "No space left on device")

        return Full()

    monkeypatch.setattr(gplint.cache.os, "fdopen", full)
    (repo / "Dockerfile").write_text(BAD + "# changed\n")
    assert _run(capsys) == (1, ["GP101"])
    assert _cache_files(repo) == before


# -- remembered content hashes: unchanged files are not read again, edited ones always are ------
@pytest.fixture
def remembering(monkeypatch):
    """Every file counts as stable (in a test, all of them were written a moment ago), and the
    files whose content is hashed are recorded."""
    import gplint.cache

    monkeypatch.setattr(gplint.cache, "STABLE_NS", -(10**19))
    hashed: list[str] = []
    real = gplint.cache.fingerprint

    def spy(path, root):
        hashed.append(os.path.basename(path))
        return real(path, root)

    monkeypatch.setattr(gplint.cache, "fingerprint", spy)
    return hashed


def _ctime_changes(path, rewrite) -> None:
    """Rewrite a file until its ctime differs (the kernel's file clock ticks coarsely)."""
    import time

    before = os.stat(path).st_ctime_ns
    while True:
        rewrite()
        if os.stat(path).st_ctime_ns != before:
            return
        time.sleep(0.01)


def test_a_warm_run_reads_no_unchanged_input(repo, capsys, remembering):
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / ".dockerignore").write_text("bin/\n")
    first = _run(capsys)
    assert sorted(remembering) == [".dockerignore", "Dockerfile", "api.Dockerfile", "go.mod"]
    remembering.clear()
    assert _run(capsys) == first
    assert remembering == []


def test_a_remembered_hash_never_hides_a_touch_r_edit(repo, capsys, remembering):
    ignore = repo / ".dockerignore"
    ignore.write_text("bin/\n")
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod .\nRUN go build\n")
    assert _run(capsys) == (0, [])
    assert _run(capsys) == (0, [])  # the hashes are remembered now
    before = os.stat(ignore)

    def edit():
        ignore.write_text("go.*\n")
        os.utime(ignore, ns=(before.st_atime_ns, before.st_mtime_ns))

    _ctime_changes(ignore, edit)
    remembering.clear()
    assert _run(capsys) == (1, ["GP401"])
    assert remembering == [".dockerignore"]


def test_a_file_changed_moments_ago_is_hashed_again(repo, capsys, monkeypatch):
    """Racy clean: a file written within the last STABLE_NS may change again within the same
    timestamp tick, so even its full stat identity does not vouch for it next time."""
    import gplint.cache

    _run(capsys)
    with open(_cache_file(repo), encoding="ascii") as f:
        assert json.load(f)["files"] == {}
    # an edit that even keeps ctime (same tick): the next run hashes the file anyway
    ignore = repo / ".dockerignore"
    ignore.write_text("bin/\n")
    _run(capsys)
    stale = os.stat(ignore)
    ignore.write_text("go.*\n")
    real_lstat = os.lstat
    monkeypatch.setattr(gplint.cache.os, "lstat", lambda p: stale if os.fspath(p) == str(ignore) else real_lstat(p))
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod .\nRUN go build\n")
    assert _run(capsys) == (1, ["GP401"])


@pytest.mark.parametrize("forged", ["not a list", "short", "not a digest", "wrong identity"])
def test_malformed_remembered_hashes_are_ignored(repo, capsys, remembering, forged):
    ignore = repo / ".dockerignore"
    ignore.write_text("bin/\n")
    (repo / "go.mod").write_text("module example.com/m\n\ngo 1.22\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nCOPY go.mod .\nRUN go build\n")
    assert _run(capsys) == (0, [])
    path = _cache_file(repo)
    with open(path, encoding="ascii") as f:
        data = json.load(f)
    seen = data["files"][str(ignore)]
    data["files"][str(ignore)] = {"not a list": "x", "short": seen[:5], "not a digest": seen[:5] + [7],
                                  "wrong identity": [str(seen[0])] + seen[1:]}[forged]
    with open(path, "w", encoding="ascii") as f:
        json.dump(data, f)
    remembering.clear()
    assert _run(capsys) == (0, [])
    assert remembering == [".dockerignore"]  # hashed again, not taken from the forged record


@pytest.fixture
def read(monkeypatch):
    """Names of the files whose bytes a run read to lint or to answer from the cache."""
    import gplint.confined

    names: list[str] = []
    real = gplint.confined.read_bytes

    def spy(abspath, root, *args, **kwargs):
        names.append(os.path.basename(abspath))
        return real(abspath, root, *args, **kwargs)

    monkeypatch.setattr(gplint.confined, "read_bytes", spy)
    return names


def test_a_warm_run_reads_only_the_files_with_findings(repo, capsys, remembering, read, checked):
    first = _run(capsys)
    _run(capsys)  # the hashes are remembered now
    read.clear()
    checked.clear()
    assert _run(capsys) == first == (1, ["GP101"])
    assert read == ["Dockerfile"]  # its finding needs its text; api.Dockerfile is known clean
    assert checked == []


def test_a_clean_file_edited_behind_its_remembered_hash_is_read_and_linted(repo, capsys, remembering, read):
    _run(capsys)
    assert _run(capsys) == (1, ["GP101"])
    clean = repo / "api.Dockerfile"
    before = os.stat(clean)
    bad = BAD.replace("COPY . .", "COPY ./ .")[: before.st_size].ljust(before.st_size, "\n")

    def edit():  # same size, same mtime: only the inode's ctime tells
        clean.write_text(bad)
        os.utime(clean, ns=(before.st_atime_ns, before.st_mtime_ns))

    _ctime_changes(clean, edit)
    read.clear()
    assert _run(capsys) == (1, ["GP101", "GP101"])
    assert set(read) == {"Dockerfile", "api.Dockerfile"}


def test_a_clean_file_that_becomes_a_symlink_out_of_the_repository_is_refused(repo, capsys, remembering,
                                                                             tmp_path_factory):
    _run(capsys)
    assert _run(capsys) == (1, ["GP101"])
    outside = tmp_path_factory.mktemp("outside") / "Dockerfile"
    outside.write_text((repo / "api.Dockerfile").read_text())
    (repo / "api.Dockerfile").unlink()
    (repo / "api.Dockerfile").symlink_to(outside)
    assert _run(capsys) == (2, ["GP001", "GP101"])
