""".dockerignore matching follows moby/patternmatcher: every test vector of semantics.md §10 is a
test, plus ReadAll's parsing details and hypothesis properties."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint.ignorematch import IgnoreMatcher, read_ignore_file


def excluded(lines: list[str], path: str) -> bool:
    patterns, errors = read_ignore_file("\n".join(lines))
    assert not errors
    return IgnoreMatcher(patterns).excluded(path)


# semantics.md §10, "Test vectors" (moby/patternmatcher patternmatcher_test.go)
PATTERNMATCHER_VECTORS = [
    (["*"], "fileutils.go", True),
    (["!fileutils.go", "*.go"], "fileutils.go", True),
    (["*.go", "!fileutils.go"], "fileutils.go", False),
    (["docs", "!docs/README.md"], "docs/README.md", False),
    (["docs/", "!docs/README.md"], "docs/README.md", False),
    (["docs/*", "!docs/README.md"], "docs/README.md", False),
    (["**/dir"], "dir/file", True),
    (["**/file"], "dir/dir/file", True),
    (["**/*.txt"], "file.txt", True),
    (["a/*.txt"], "a/dir/file.txt", False),
    (["a**/*.txt"], "a/dir/dir/file.txt", True),
    (["abc/**"], "abc", False),
    (["abc/**"], "abc/def/ghi", True),
    ([".*"], ".foo", True),
    ([".*"], "foo", False),
    (["**/.foo"], "bar.foo", False),
    (["abc.def"], "abcdef", False),
    (["abc?def"], "abcZdef", True),
    (["a(b)c/def"], "a(b)c/def", True),
    (["**", "!util/docker/web"], "util/docker/web/foo", False),
    (["**", "!util/docker/web", "util/docker/web/foo"], "util/docker/web/foo", True),
    (["**", "!dist/*.whl"], "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", False),
]

# semantics.md §10, extra vectors verified with ignorefile.ReadAll + MatchesOrParentMatches
READALL_VECTORS = [
    (["*.md", "!README.md"], "sub/a.md", False),
    (["*", "!go.mod", "!go.sum"], "cmd/x/main.go", True),
    (["*", "!go.mod", "!go.sum", "!cmd"], "cmd/x/main.go", False),
    ([".*"], "a/.env", False),
    (["**/.env"], "a/b/.env", True),
    (["*.go"], "pkg/a.go", False),
    (["/vendor"], "vendor/x/y.go", True),
    (["vendor/"], "vendor/x/y.go", True),
    (["vendor", "!vendor/modules.txt"], "vendor/modules.txt", False),
    (["vendor", "!vendor/modules.txt"], "vendor/github.com/x/y.go", True),
    (["./go.sum"], "go.sum", True),
    (["a/../go.sum"], "go.sum", True),
    (["!go.mod", "go.mod"], "go.mod", True),
]


@pytest.mark.parametrize("lines,path,expected", PATTERNMATCHER_VECTORS + READALL_VECTORS)
def test_semantics_vectors(lines, path, expected):
    assert excluded(lines, path) is expected


def test_readall_details():
    text = "\ufeff# comment\n  # not a comment\n\n/foo/bar/\r\n! keep \n.\n"
    patterns, errors = read_ignore_file(text)
    assert errors == []
    assert [(p.pattern, p.exclusion) for p in patterns] == [("# not a comment", False), ("foo/bar", False),
                                                             ("keep", True)]
    bar = patterns[1]
    assert text[bar.start:bar.end] == "/foo/bar/" and bar.line == 4


def test_errors_are_reported_with_their_line():
    patterns, errors = read_ignore_file("ok\n!\n[abc\n")
    assert [p.pattern for p in patterns] == ["ok"]
    assert [(e.line, e.message.split(":")[0]) for e in errors] == [(2, "illegal exclusion pattern"),
                                                                    (3, "syntax error (unclosed '[') in pattern '[abc'")]


def test_deciding_pattern_names_the_line():
    patterns, _ = read_ignore_file("bin/\n**/go.*\n!go.sum\n")
    matcher = IgnoreMatcher(patterns)
    assert matcher.deciding_pattern("go.mod").line == 2
    assert not matcher.excluded("go.sum")


def _reference(lines: list[str], path: str) -> bool:
    """An independent, naive reading of the rules: translate each pattern to a regex, try the
    path and each parent folder, let the last matching line decide."""
    verdict = False
    parts = path.split("/")
    candidates = ["/".join(parts[:i]) for i in range(1, len(parts) + 1)]
    for line in lines:
        neg = line.startswith("!")
        pat = line[1:] if neg else line
        rx = ""
        i = 0
        while i < len(pat):
            if pat.startswith("**/", i):
                rx += "(.*/)?"
                i += 3
            elif pat.startswith("**", i):
                rx += ".*"
                i += 2
            elif pat[i] == "*":
                rx += "[^/]*"
                i += 1
            elif pat[i] == "?":
                rx += "[^/]"
                i += 1
            else:
                rx += re.escape(pat[i])
                i += 1
        matched = any(re.fullmatch(rx, c, re.S) for c in candidates)
        if matched and neg == verdict:
            verdict = not neg
    return verdict


segment = st.text(alphabet="abgo.m", min_size=1, max_size=4).filter(lambda s: s not in (".", ".."))
glob_segment = st.one_of(segment, st.sampled_from(["*", "**", "*.go", "go.*", "?o"]))
pattern = st.builds(lambda neg, segs: ("!" if neg else "") + "/".join(segs), st.booleans(),
                    st.lists(glob_segment, min_size=1, max_size=3))
path = st.lists(segment, min_size=1, max_size=4).map("/".join)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(pattern, max_size=6), target=path)
def test_matches_an_independent_reference(lines, target):
    lines = [line for line in lines if not line.rstrip("/").endswith("/**") and "**/**" not in line]
    assert excluded(lines, target) == _reference(lines, target)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=300), target=st.text(max_size=40))
def test_never_raises(text, target):
    patterns, _ = read_ignore_file(text)
    IgnoreMatcher(patterns).excluded(target)


@settings(max_examples=200, deadline=None)
@given(lines=st.lists(pattern, max_size=6), target=path)
def test_a_final_exception_reincludes_the_file(lines, target):
    assert not excluded(lines + ["!" + target], target)
