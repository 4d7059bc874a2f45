"""The result cache is dropped when gplint's own code changes: an install from a git checkout
keeps `__version__` while its modules change, and must not be served findings of the old code."""
from __future__ import annotations

import json
import os

import pytest

import gplint.runner
from gplint import cache
from gplint.cli import main


@pytest.fixture
def repo(tmp_path, monkeypatch):
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22 AS build\nCOPY . .\nRUN go build ./...\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _package(tmp_path):
    pkg = tmp_path / "pkg"
    (pkg / "rules").mkdir(parents=True)
    (pkg / "__pycache__").mkdir()
    (pkg / "model.py").write_text("x = 1\n")
    (pkg / "rules" / "GP101.md").write_text("doc\n")
    return pkg


def test_module_mtime_or_size_changes_the_fingerprint(tmp_path):
    pkg = _package(tmp_path)

    def fingerprint():
        cache.code_fingerprint.cache_clear()
        return cache.code_fingerprint(str(pkg))

    first = fingerprint()
    assert fingerprint() == first
    (pkg / "__pycache__" / "model.cpython-312.pyc").write_bytes(b"compiled")
    assert fingerprint() == first  # byte code follows the sources; it is not what changed
    st = os.stat(pkg / "model.py")
    os.utime(pkg / "model.py", ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    touched = fingerprint()
    assert touched != first
    os.utime(pkg / "model.py", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fingerprint() == first
    (pkg / "model.py").write_text("x = 22\n")
    os.utime(pkg / "model.py", ns=(st.st_atime_ns, st.st_mtime_ns))  # same mtime, new size
    assert fingerprint() not in (first, touched)
    (pkg / "rules" / "GP102.md").write_text("doc\n")  # a new file in a sub-package
    assert fingerprint() != first
    cache.code_fingerprint.cache_clear()


def test_changed_code_is_a_cache_miss(repo, capsys, monkeypatch):
    checked: list[str] = []
    real = gplint.runner.check_document

    def spy(doc, project, selected):
        checked.append(os.path.basename(doc.source.path))
        return real(doc, project, selected)

    monkeypatch.setattr(gplint.runner, "check_document", spy)

    def run():
        main(["--format", "json"])
        return sorted(d["code"] for d in json.loads(capsys.readouterr().out))

    first = run()
    assert checked == ["Dockerfile"]
    checked.clear()
    assert run() == first and checked == []  # warm: served from the cache
    stored = next((repo / "cache").rglob("results-*.json"))
    assert json.loads(stored.read_bytes())["code"] == cache.code_fingerprint()
    monkeypatch.setattr(cache, "code_fingerprint", lambda folder=None: "another build of gplint")
    assert run() == first
    assert checked == ["Dockerfile"]  # the old entries were not used
