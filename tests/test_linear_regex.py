"""gplint.semantics.linear_regex: the same answers as Python's re.search, in linear time."""
from __future__ import annotations

import re

import pytest
from hangguard import hang_guard
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from gplint.semantics.ignorematch import (
    IgnoreMatcher,
    _go_regexp_text,
    _Re2Translator,
    read_ignore_file,
)
from gplint.semantics.linear_regex import LinearPattern, Unsupported, compile_safe, repetitions

# pieces of .dockerignore patterns, including the characters moby lets through as regex syntax
_PIECE = st.sampled_from(["a", "b", "/", "*", "**", "**/", "?", ".", "[ab]", "[^a]", "[a-c]", "|", "{2}",
                          "{1,2}", "^", "\\d", "\\.", "x", "go.", "mod"])
_PATH = st.lists(st.sampled_from(["a", "b", "/", ".", "x", "go.mod", "1", "ab", "{2}", "|"]), max_size=8).map("".join)


def _python_regex(pattern: str) -> str | None:
    kind, text = _go_regexp_text(pattern)
    if kind != "regexp":
        return None
    try:
        return _Re2Translator(text).translate()
    except Exception:
        return None


@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECE, min_size=1, max_size=6).map("".join), st.lists(_PATH, min_size=1, max_size=5))
def test_same_answer_as_re(pattern, paths):
    regex = _python_regex(pattern)
    assume(regex is not None)
    try:
        linear = LinearPattern(regex, re.ASCII)
    except Unsupported:
        return
    backtracking = re.compile(regex, re.ASCII)
    for path in paths:
        assert linear.search(path) == (backtracking.search(path) is not None), (pattern, regex, path)
        assert linear.fullmatch(path) == (backtracking.fullmatch(path) is not None), (pattern, regex, path)


@pytest.mark.parametrize("regex,text,expected", [
    (r"\bfoo\B", "foox", True), (r"\bfoo\B", "a foo", False), (r"x$", "x\n", True), (r"x\Z", "x\n", False),
    (r"[^\d\s]+", "12 ", False), (r"[\D]", "1a", True), (r"(?:ab){2,3}c", "abababc", True), (r"a|b*", "", True),
])
def test_assertions_classes_and_repeats(regex, text, expected):
    assert LinearPattern(regex, re.ASCII).search(text) is expected
    assert (re.search(regex, text, re.ASCII) is not None) is expected


def test_one_repetition_keeps_re_and_more_take_the_linear_engine():
    assert repetitions(r"\Aa[^/]*\Z") == 1 and isinstance(compile_safe(r"\Aa[^/]*\Z"), re.Pattern)
    assert repetitions(r"\A(?:.*/)?go\.[^/]*\Z") == 2
    assert isinstance(compile_safe(r"\A(?:.*/)?go\.[^/]*\Z"), LinearPattern)


@pytest.mark.parametrize("pattern,path", [
    ("/".join(["**"] * 16) + "/x", "/".join(["a"] * 300) + "/y"),  # nested (.*/)? groups
    ("*a" * 12 + "*b", "a" * 2000),  # the classic exponential case for backtracking engines
])
def test_patterns_that_make_backtracking_explode_finish(pattern, path):
    """Each of these takes Python's re minutes or more; the matcher must answer at once."""
    patterns, errors = read_ignore_file(pattern + "\n")
    assert not errors
    with hang_guard():
        assert IgnoreMatcher(patterns).excluded(path) is False


def test_huge_counted_repeats_are_not_run():
    with pytest.raises(Unsupported):
        LinearPattern("(?:a{1000}){1000}")
