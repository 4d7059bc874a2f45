"""Patterns compiled at their first use (gplint/lazy_regex.py), and the start-up they save."""
from __future__ import annotations

import copy
import os
import pickle
import re
import subprocess
import sys

import pytest

from gplint.lazy_regex import lazy


def test_a_lazy_pattern_answers_as_the_compiled_pattern():
    source, flags = r"(?P<name>[a-z]+)=(\d*)", re.I
    compiled, deferred = re.compile(source, flags), lazy(source, flags)
    text = "A=1 b=22 c= d"
    assert deferred.match(text).groups() == compiled.match(text).groups()
    assert deferred.fullmatch("x=9").span() == compiled.fullmatch("x=9").span()
    assert deferred.search(text, 2).span() == compiled.search(text, 2).span()
    assert [m.span() for m in deferred.finditer(text)] == [m.span() for m in compiled.finditer(text)]
    assert deferred.findall(text) == compiled.findall(text)
    assert deferred.sub(r"\2", text) == compiled.sub(r"\2", text)
    assert deferred.subn("-", text) == compiled.subn("-", text)
    assert deferred.split(text) == compiled.split(text)
    assert (deferred.pattern, deferred.flags, deferred.groups, deferred.groupindex) == \
        (compiled.pattern, compiled.flags, compiled.groups, compiled.groupindex)


def test_the_pattern_is_compiled_once_at_its_first_use(monkeypatch):
    calls = []
    real = re.compile
    monkeypatch.setattr(re, "compile", lambda *a: calls.append(a) or real(*a))
    pattern = lazy("a+b")
    assert calls == []  # creating it compiles nothing
    assert pattern.search("xaab").group() == "aab"
    assert pattern.match("ab") and pattern.findall("ab ab") == ["ab", "ab"]
    assert calls == [("a+b", 0)]
    # later calls find the compiled pattern's bound methods on the instance, no hook in between
    assert "match" in vars(pattern) and not hasattr(type(pattern), "__getattr__")


def test_a_bad_pattern_fails_at_its_first_use_and_an_unknown_attribute_is_an_attribute_error():
    bad = lazy("(unclosed")
    with pytest.raises(re.error):
        bad.match("x")
    with pytest.raises(AttributeError, match="offers only"):
        lazy("x").scanner  # noqa: B018 - not offered: the error names what is


def test_copies_and_pickles_work_before_and_after_the_first_use():
    for used in (False, True):
        pattern = lazy("a+")
        if used:
            pattern.match("a")
        for twin in (copy.copy(pattern), copy.deepcopy(pattern), pickle.loads(pickle.dumps(pattern))):
            assert twin.match("aaa").group() == "aaa"


def test_a_run_on_one_small_dockerfile_compiles_few_patterns(tmp_path):
    """The start-up guard: module-level patterns that a plain Dockerfile does not need are lazy.
    Counts the compilations gplint's own modules ask for (argparse's are not counted)."""
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22 AS build\nARG GOPROXY\nWORKDIR /src\n"
                                         "COPY . .\nRUN go build ./...\n")
    code = (
        "import re, sys\n"
        "compile, asked = re._compile, []\n"
        "def counted(pattern, flags):\n"
        "    frame = sys._getframe(1)\n"
        "    while frame is not None and '/gplint/' not in frame.f_code.co_filename.replace(chr(92), '/'):\n"
        "        frame = frame.f_back\n"
        "    if frame is not None and not isinstance(pattern, re.Pattern):\n"
        "        asked.append(f'{frame.f_code.co_filename}:{frame.f_lineno}')\n"
        "    return compile(pattern, flags)\n"
        "re._compile = counted\n"
        "from gplint.cli import main\n"
        "code = main(['--no-cache', 'Dockerfile'])\n"
        "print(len(set(asked)), sorted(set(asked)), file=sys.stderr)\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True,
                          env={**os.environ, "COLUMNS": "80"}, timeout=120)
    assert done.returncode == 0, done.stderr
    count = int(done.stderr.split()[0])
    # 13 call sites on this commit (4 of them argparse's, through cli.py), 40 before lazy_regex
    assert count <= 16, f"new patterns compiled on every run; make them lazy (gplint/lazy_regex.py): {done.stderr}"
