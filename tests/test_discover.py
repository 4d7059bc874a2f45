"""Which files gplint reads, and .gitignore handling."""
from __future__ import annotations

import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint.discover import GitIgnore, find_root, kind_of, walk


@pytest.mark.parametrize("path,kind", [
    ("Dockerfile", "dockerfile"),
    ("build/Dockerfile.prod", "dockerfile"),
    ("docker/Dockerfile-go-builder", "dockerfile"),
    ("Dockerfile_multiarch", "dockerfile"),
    ("docker/koord-manager.dockerfile", "dockerfile"),
    ("api.Dockerfile", "dockerfile"),
    ("Containerfile", "dockerfile"),
    (".dockerignore", "dockerignore"),
    ("docker/build.Dockerfile.dockerignore", "dockerignore"),
    ("Dockerfile.dockerignore", "dockerignore"),
    (".github/workflows/ci.yml", "github"),
    (".github/workflows/release.yaml", "github"),
    (".gitlab-ci.yml", "gitlab"),
    ("action.yml", "action"),
    ("Dockerfile.md", None),
    ("docs/Dockerfile.sh", None),
    ("workflows/ci.yml", None),
    ("main.go", None),
])
def test_kind_of(path, kind):
    assert kind_of(path) == kind


def _tree(root, files):
    for name, content in files.items():
        p = root / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(content)


def test_walk_honours_gitignore_and_skips_git(tmp_path):
    _tree(tmp_path, {
        ".git/HEAD": "ref",
        ".git/Dockerfile": "FROM x",
        ".gitignore": "build/\n*.tmp.Dockerfile\n!keep.tmp.Dockerfile\n",
        "Dockerfile": "FROM x",
        "build/Dockerfile": "FROM x",
        "a.tmp.Dockerfile": "FROM x",
        "keep.tmp.Dockerfile": "FROM x",
        "sub/.gitignore": "/Dockerfile.local\n",
        "sub/Dockerfile.local": "FROM x",
        "sub/deeper/Dockerfile.local": "FROM x",
        "sub/go.mod": "module m\n",
    })
    found, inventory = walk(str(tmp_path), str(tmp_path))
    names = sorted(f.abspath[len(str(tmp_path)) + 1:] for f in found)
    assert names == ["Dockerfile", "keep.tmp.Dockerfile", "sub/deeper/Dockerfile.local"]
    assert "sub/go.mod" in inventory


def test_gitignore_patterns():
    ignore = GitIgnore()
    ignore.rules = []
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, ".gitignore")
        with open(path, "w") as f:
            f.write("**/node_modules\ndocs/*.md\n/root-only\n# comment\n\\#literal\n")
        ignore.add_file("", path)
    assert ignore.ignored("a/b/node_modules", True)
    assert ignore.ignored("docs/x.md", False)
    assert not ignore.ignored("docs/sub/x.md", False)
    assert ignore.ignored("root-only", False)
    assert not ignore.ignored("sub/root-only", False)
    assert ignore.ignored("#literal", False)


def test_find_root(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_root(str(tmp_path / "a" / "b")) == str(tmp_path)


_PART = st.sampled_from(["a", "b", ".", "..", ".git", "..x", "x y", "", "é"])


@settings(max_examples=300, deadline=None)
@given(st.lists(_PART, max_size=5), st.lists(_PART, max_size=4))
def test_relative_paths_match_os_relpath(path_parts, folder_parts):
    from gplint.project import _relative

    path = "/" + "/".join(path_parts)
    folder = os.path.abspath("/" + "/".join(folder_parts))
    assert _relative(path, folder) == os.path.relpath(path, folder)


def test_gitignore_pattern_that_makes_backtracking_explode_is_matched_at_once(tmp_path):
    """`*a*a*…*b` against a long name takes Python's re minutes; the walk must not hang
    (the alarm is a hang guard, not a benchmark)."""
    from hangguard import hang_guard

    (tmp_path / ".gitignore").write_text("*a" * 12 + "*b\n")
    ignore = GitIgnore()
    ignore.add_file("", str(tmp_path / ".gitignore"))
    with hang_guard():
        assert ignore.ignored("a" * 200, False) is False
        assert ignore.ignored("a" * 150 + "b", False) is True
        assert ignore.ignored("dir/" + "a" * 150 + "b", False) is True


def test_walk_reads_only_the_gitignore_files_that_exist(tmp_path, monkeypatch):
    """Probing every folder for a .gitignore costs a confined read each; the listing says where
    one is. The rules of the one that exists still apply."""
    from gplint import confined

    for i in range(20):
        (tmp_path / f"d{i}").mkdir()
        (tmp_path / f"d{i}" / "Dockerfile").write_text("FROM a\n")
    (tmp_path / "d3" / ".gitignore").write_text("Dockerfile\n")
    reads = []
    real = confined.read_bytes
    monkeypatch.setattr(confined, "read_bytes", lambda path, *a, **k: reads.append(path) or real(path, *a, **k))
    found, _ = walk(str(tmp_path), str(tmp_path))
    assert reads == [str(tmp_path / "d3" / ".gitignore")]
    assert len(found) == 19 and not any("/d3/" in f.abspath for f in found)
