""".dockerignore reading and matching follow moby/patternmatcher and the fsutil walker
(docs/semantics.md §10): both §10 test-vector tables, moby's own test tables, ReadAll's parsing details,
behaviour checked against the Go code, and hypothesis properties."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint.semantics.ignorematch import IgnoreError, IgnoreMatcher, IgnorePattern, read_ignore_file
from gplint.semantics.ignorematch import _go_regexp_text


def matcher(lines: list[str]) -> IgnoreMatcher:
    patterns, errors = read_ignore_file("\n".join(lines))
    assert errors == []
    return IgnoreMatcher(patterns)


def excluded(lines: list[str], path: str) -> bool:
    return matcher(lines).excluded(path)


# ---------------------------------------------------------------------------------------------
# docs/semantics.md §10 "Test vectors", first table (moby/patternmatcher patternmatcher_test.go)
# ---------------------------------------------------------------------------------------------

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

# second table: file content as lines, run through ignorefile.ReadAll + MatchesOrParentMatches
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
    m = matcher(lines)
    assert m.excluded(path) is expected
    assert m.excluded_by_walker(path) is expected  # the walker agrees on every §10 vector


# ---------------------------------------------------------------------------------------------
# moby's own tables (TestMatches, TestMatch, TestCompile in patternmatcher_test.go)
# ---------------------------------------------------------------------------------------------

MOBY_MATCHES = [
    ("**", "file", True), ("**", "file/", True), ("**/", "file", True), ("**/", "file/", True),
    ("**", "dir/file", True), ("**/", "dir/file", True),
    ("**", "dir/file/", True), ("**/", "dir/file/", True), ("**/**", "dir/file", True),
    ("**/**", "dir/file/", True), ("dir/**", "dir/file", True), ("dir/**", "dir/file/", True),
    ("dir/**", "dir/dir2/file", True), ("dir/**", "dir/dir2/file/", True), ("**/dir", "dir", True),
    ("**/dir", "dir/file", True), ("**/dir2/*", "dir/dir2/file", True),
    ("**/dir2/*", "dir/dir2/file/", True), ("**/dir2/**", "dir/dir2/dir3/file", True),
    ("**/dir2/**", "dir/dir2/dir3/file/", True), ("**file", "file", True), ("**file", "dir/file", True),
    ("**/file", "dir/file", True), ("**file", "dir/dir/file", True), ("**/file", "dir/dir/file", True),
    ("**/file*", "dir/dir/file", True), ("**/file*", "dir/dir/file.txt", True),
    ("**/file*txt", "dir/dir/file.txt", True), ("**/file*.txt", "dir/dir/file.txt", True),
    ("**/file*.txt*", "dir/dir/file.txt", True), ("**/**/*.txt", "dir/dir/file.txt", True),
    ("**/**/*.txt2", "dir/dir/file.txt", False), ("**/*.txt", "file.txt", True),
    ("**/**/*.txt", "file.txt", True), ("a**/*.txt", "a/file.txt", True),
    ("a**/*.txt", "a/dir/file.txt", True), ("a**/*.txt", "a/dir/dir/file.txt", True),
    ("a/*.txt", "a/dir/file.txt", False), ("a/*.txt", "a/file.txt", True),
    ("a/*.txt**", "a/file.txt", True), ("a[b-d]e", "ae", False), ("a[b-d]e", "ace", True),
    ("a[b-d]e", "aae", False), ("a[^b-d]e", "aze", True), (".*", ".foo", True), (".*", "foo", False),
    ("abc.def", "abcdef", False), ("abc.def", "abc.def", True), ("abc.def", "abcZdef", False),
    ("abc?def", "abcZdef", True), ("abc?def", "abcdef", False), ("a\\\\", "a\\", True),
    ("**/foo/bar", "foo/bar", True), ("**/foo/bar", "dir/foo/bar", True),
    ("**/foo/bar", "dir/dir2/foo/bar", True), ("abc/**", "abc", False), ("abc/**", "abc/def", True),
    ("abc/**", "abc/def/ghi", True), ("**/.foo", ".foo", True), ("**/.foo", "bar.foo", False),
    ("a(b)c/def", "a(b)c/def", True), ("a(b)c/def", "a(b)c/xyz", False),
    ("a.|)$(}+{bc", "a.|)$(}+{bc", True),
    ("dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl",
     "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("dist/*.whl", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", True),
    ("a\\*b", "a*b", True),
]


# (moby's rows for the path "/" are left out: here paths are relative to the context root, and the
# root itself is never excluded)
@pytest.mark.parametrize("pattern,path,expected", MOBY_MATCHES)
def test_moby_matches_table(pattern, path, expected):
    assert excluded([pattern], path) is expected


# filepath.Match's tests as moby runs them; error rows are patterns New rejects
MOBY_MATCH = [
    ("abc", "abc", True), ("*", "abc", True), ("*c", "abc", True), ("a*", "a", True),
    ("a*", "abc", True), ("a*", "ab/c", True), ("a*/b", "abc/b", True), ("a*/b", "a/c/b", False),
    ("a*b*c*d*e*/f", "axbxcxdxe/f", True), ("a*b*c*d*e*/f", "axbxcxdxexxx/f", True),
    ("a*b*c*d*e*/f", "axbxcxdxe/xxx/f", False), ("a*b*c*d*e*/f", "axbxcxdxexxx/fff", False),
    ("a*b?c*x", "abxbbxdbxebxczzx", True), ("a*b?c*x", "abxbbxdbxebxczzy", False),
    ("ab[c]", "abc", True), ("ab[b-d]", "abc", True), ("ab[e-g]", "abc", False),
    ("ab[^c]", "abc", False), ("ab[^b-d]", "abc", False), ("ab[^e-g]", "abc", True),
    ("a\\*b", "a*b", True), ("a\\*b", "ab", False), ("a?b", "a☺b", True), ("a[^a]b", "a☺b", True),
    ("a???b", "a☺b", False), ("a[^a][^a][^a]b", "a☺b", False), ("[a-ζ]*", "α", True),
    ("*[a-ζ]", "A", False), ("a?b", "a/b", False), ("a*b", "a/b", False), ("[\\]a]", "]", True),
    ("[\\-]", "-", True), ("[x\\-]", "x", True), ("[x\\-]", "-", True), ("[x\\-]", "z", False),
    ("[\\-x]", "x", True), ("[\\-x]", "-", True), ("[\\-x]", "a", False), ("*x", "xxx", True),
]
MOBY_BAD_PATTERNS = ["[]a]", "[-]", "[x-]", "[-x]", "\\", "[a-b-c]", "[", "[^", "[^bc", "a["]


@pytest.mark.parametrize("pattern,path,expected", MOBY_MATCH)
def test_moby_match_table(pattern, path, expected):
    assert excluded([pattern], path) is expected


@pytest.mark.parametrize("pattern", MOBY_BAD_PATTERNS)
def test_moby_bad_patterns_are_errors(pattern):
    patterns, errors = read_ignore_file(pattern)
    assert patterns == []
    assert len(errors) == 1 and errors[0].message.startswith("syntax error in pattern")


MOBY_COMPILE = [
    ("*", "regexp", "^[^/]*$"), ("file*", "regexp", "^file[^/]*$"), ("*file", "regexp", "^[^/]*file$"),
    ("a*/b", "regexp", "^a[^/]*/b$"), ("**", "suffix", None), ("**/**", "regexp", "^(.*/)?.*$"),
    ("dir/**", "prefix", None), ("**/dir", "suffix", None), ("**/dir2/*", "regexp", "^(.*/)?dir2/[^/]*$"),
    ("**/dir2/**", "regexp", "^(.*/)?dir2/.*$"), ("**file", "suffix", None),
    ("**/file*txt", "regexp", "^(.*/)?file[^/]*txt$"),
    ("**/**/*.txt", "regexp", "^(.*/)?(.*/)?[^/]*\\.txt$"), ("a[b-d]e", "regexp", "^a[b-d]e$"),
    (".*", "regexp", "^\\.[^/]*$"), ("abc.def", "exact", None), ("abc?def", "regexp", "^abc[^/]def$"),
    ("**/foo/bar", "suffix", None), ("a(b)c/def", "exact", None), ("a.|)$(}+{bc", "exact", None),
]


@pytest.mark.parametrize("pattern,kind,regexp", MOBY_COMPILE)
def test_moby_compile_table(pattern, kind, regexp):
    got_kind, got_text = _go_regexp_text(pattern)
    assert got_kind == kind
    if regexp is not None:
        assert got_text == regexp


# ---------------------------------------------------------------------------------------------
# ReadAll details
# ---------------------------------------------------------------------------------------------

def test_comments_only_in_the_first_column():
    patterns, errors = read_ignore_file("# comment\n  # x\n#!go.mod\n\t#y\n")
    assert errors == []
    assert [(p.pattern, p.exclusion, p.line) for p in patterns] == [("# x", False, 2), ("#y", False, 4)]


def test_bom_is_stripped_before_the_comment_check():
    text = "\ufeff# comment\n\ufeffgo.mod\n"
    patterns, errors = read_ignore_file(text)
    assert errors == []
    # only the first line loses its BOM; on later lines it is part of the pattern
    assert [p.pattern for p in patterns] == ["\ufeffgo.mod"]
    patterns, _ = read_ignore_file("\ufeffvendor\n")
    assert patterns[0].pattern == "vendor" and patterns[0].start == 1 and patterns[0].end == 7


def test_crlf_offsets():
    text = "bin/\r\n  /foo/bar/ \r\n!go.sum\r\n"
    patterns, errors = read_ignore_file(text)
    assert errors == []
    assert [(p.pattern, p.exclusion, p.line) for p in patterns] == [
        ("bin", False, 1), ("foo/bar", False, 2), ("go.sum", True, 3)]
    assert [text[p.start:p.end] for p in patterns] == ["bin/", "  /foo/bar/ ", "!go.sum"]


def test_offsets_without_final_newline():
    text = "a\n\n  b"
    patterns, _ = read_ignore_file(text)
    assert [(p.line, text[p.start:p.end]) for p in patterns] == [(1, "a"), (3, "  b")]


@pytest.mark.parametrize("line", ["/foo/bar/", "/foo/bar", "foo/bar/", "foo/bar", "foo//bar", "./foo/bar",
                                  "foo/./bar/.", "foo/x/../bar", "  foo/bar\t"])
def test_clean_forms_are_identical(line):
    patterns, errors = read_ignore_file(line)
    assert errors == [] and [p.pattern for p in patterns] == ["foo/bar"]


@pytest.mark.parametrize("line,pattern", [("./go.sum", "go.sum"), ("a/../go.sum", "go.sum"),
                                          ("/../go.sum", "go.sum"), ("../go.sum", "../go.sum"),
                                          ("//go.sum", "go.sum"), ("!  /go.sum/", "go.sum")])
def test_clean_resolves_dots(line, pattern):
    patterns, errors = read_ignore_file(line)
    assert errors == [] and [p.pattern for p in patterns] == [pattern]


def test_exception_marker():
    patterns, errors = read_ignore_file("!go.mod\n! go.sum \n!!x\n")
    assert errors == []
    assert [(p.pattern, p.exclusion) for p in patterns] == [("go.mod", True), ("go.sum", True), ("!x", True)]


def test_lone_exclamation_mark_is_an_error():
    text = "ok\n!\n  !  \n!/\n"
    patterns, errors = read_ignore_file(text)
    assert [p.pattern for p in patterns] == ["ok"]
    # `!/` cleans to "/" in ReadAll, then New cleans "!/" to "!"
    assert [(e.line, e.message) for e in errors] == [(n, 'illegal exclusion pattern: "!"') for n in (2, 3, 4)]
    assert text[errors[0].start:errors[0].end] == "!"


def test_bad_glob_is_a_syntax_error():
    text = "go.mod\n[\nsrc/[a-\n*.go\n"
    patterns, errors = read_ignore_file(text)
    assert [p.pattern for p in patterns] == ["go.mod", "*.go"]
    assert [e.line for e in errors] == [2, 3]
    assert all(e.message.startswith("syntax error in pattern") for e in errors)
    assert text[errors[1].start:errors[1].end] == "src/[a-"
    # the bad lines match nothing; the others still work
    m = IgnoreMatcher(patterns)
    assert m.excluded("a.go") and not m.excluded("[")


def test_error_in_a_pattern_that_only_moby_regexp_rejects():
    # regression test for moby/moby#52203: filepath.Match accepts it, RE2 rejects the range l-O
    patterns, errors = read_ignore_file("[Local-Only]/\n")
    assert patterns == [] and len(errors) == 1
    assert "invalid character class range" in errors[0].message


def test_matcher_ignores_bad_patterns_it_is_given():
    bad = [IgnorePattern("[", False, 1, 0, 1), IgnorePattern("[z-a]*", False, 2, 2, 8),
           IgnorePattern("x\\", False, 3, 9, 11), IgnorePattern("", False, 4, 12, 12)]
    m = IgnoreMatcher(bad + [IgnorePattern("*.go", False, 5, 13, 17)])
    assert not m.excluded("[") and not m.excluded("x\\") and m.excluded("a.go")
    assert m.deciding_pattern("a.go").line == 5


def test_dot_pattern_is_kept_but_matches_nothing():
    # "For historical reasons, the pattern . is ignored": moby keeps it as an exact match for ".",
    # a name the walker never asks about
    patterns, errors = read_ignore_file(".\n./\n!.\n")
    assert errors == [] and [(p.pattern, p.exclusion) for p in patterns] == [(".", False), (".", False), (".", True)]
    m = IgnoreMatcher(patterns)
    assert not any(m.excluded(p) or m.excluded_by_walker(p) for p in ("go.mod", "a/b", ".env"))
    assert m.may_descend("a")


def test_go_trimspace_is_not_python_strip():
    # U+001C is whitespace to Python but not to Go's TrimSpace; U+00A0 and U+3000 are to both
    patterns, _ = read_ignore_file("\x1cgo.mod\n\u00a0go.sum\u3000\n")
    assert [p.pattern for p in patterns] == ["\x1cgo.mod", "go.sum"]


def test_news_own_cleaning():
    # ReadAll trims before cleaning, New trims again after it; a cleaned "!x" becomes an exception
    patterns, errors = read_ignore_file("a/../ b\na/../!x\n")
    assert errors == []
    assert [(p.pattern, p.exclusion) for p in patterns] == [("b", False), ("x", True)]


def test_overlong_line_fails_the_whole_file():
    text = "go.mod\n" + "a" * 65535 + "\n"
    assert read_ignore_file(text)[1] == []
    patterns, errors = read_ignore_file("go.mod\n" + "a" * 65536 + "\n")
    assert patterns == [] and [(e.line, e.message) for e in errors] == [(2, "bufio.Scanner: token too long")]


# ---------------------------------------------------------------------------------------------
# Matching details checked against the Go code
# ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("pattern,path,expected", [
    # moby's escape table loses '|', '{', '}': with a wildcard the pattern is an RE2 alternation
    ("a|b*", "cmd/lib", True), ("a|b*", "a", True), ("a|b*", "go.mod", False),
    ("a|b", "a|b", True), ("a|b", "a", False),  # no wildcard: an exact comparison
    ("x{2}*", "xx.go", True), ("x{2}*", "x{2}.go", False),
    ("*.{go,mod}", "a.go", False), ("*.{go,mod}", "a.{go,mod}", True),
    # moby translates character by character, so [*] becomes the RE2 text [[^/]*]
    ("[*]", "*", False), ("[*]", "]", True),
    # '\' passes the next character to RE2: \d is a digit class
    ("\\d*", "5x", True), ("\\d*", "d", False),
    ("[[:digit:]]*", "7z", True), ("[[:digit:]]*", "z", False),
    # a leading ** with no other wildcard is a plain suffix test
    ("**go.mod", "xgo.mod", True), ("**/go.mod", "xgo.mod", False),
    # a trailing ** with a plain prefix is a prefix test
    ("go**", "go.sum", True), ("go**", "go/x", True), ("vendor/**", "vendor", False),
    # anchored at the context root; parents count
    ("*.go", "pkg/a.go", False), ("pkg", "pkg/a/b.go", True), ("vendor", "a/vendor/x.go", False),
])
def test_matching_details(pattern, path, expected):
    assert excluded([pattern], path) is expected


def test_deciding_pattern_names_the_line():
    m = matcher(["bin/", "**/go.*", "!go.sum"])
    assert m.deciding_pattern("go.mod").line == 2
    assert not m.excluded("go.sum") and m.deciding_pattern("go.sum").line == 3
    assert m.deciding_pattern("README.md") is None
    assert m.deciding_pattern("bin/tool").pattern == "bin"


def test_root_and_odd_paths():
    m = matcher(["**"])
    assert not m.excluded("") and not m.excluded(".") and not m.excluded("/")
    assert m.excluded("/go.mod") and m.excluded("./a//b/") and m.may_descend(".")


# ---------------------------------------------------------------------------------------------
# The fsutil walker (§10.8): what BuildKit receives
# ---------------------------------------------------------------------------------------------

def test_fsutil_walker_exclude():
    # fsutil TestWalkerExclude: sends bar, foo (dir) and foo/bar2
    m = matcher(["foo*", "!foo/bar2"])
    assert [p for p in ("bar", "foo2", "foo/bar2") if not m.excluded_by_walker(p)] == ["bar", "foo/bar2"]
    assert m.may_descend("foo")


def test_fsutil_skips_excluded_dirs_without_exceptions_under_them():
    assert not matcher(["**/bar"]).may_descend("foo/bar")  # fsutil TestWalkerPermissionDenied
    assert matcher(["**/bar", "!foo/bar/baz"]).may_descend("foo/bar")
    m = matcher(["vendor", "!vendor/modules.txt"])
    assert m.may_descend("vendor") and not m.may_descend("vendor/github.com")
    assert m.excluded_by_walker("vendor/github.com/x/y.go") and not m.excluded_by_walker("vendor/modules.txt")


def test_fsutil_wildcard_exception_enters_every_excluded_dir():
    assert matcher(["vendor", "!**/modules.txt"]).may_descend("vendor/a/b")
    assert matcher(["x", "!a^b"]).may_descend("x")  # '^' and '\' count as wildcards for fsutil
    assert not matcher(["x", "!a/b"]).may_descend("x")
    # a trailing /** or /* is cut first
    assert matcher(["build", "!build/out/**"]).may_descend("build/out")
    assert not matcher(["build", "!build/out/**"]).may_descend("build/tmp")


def test_fsutil_nested_exceptions():
    # fsutil TestFSWalkNested and TestFilteredOpenInvert
    m = matcher(["foo", "!foo/bar"])
    assert not m.excluded_by_walker("foo/bar")
    m = matcher(["foo", "!foo/bar", "foo/bar/baz", "!foo/bar/baz/x"])
    for walker in (m.excluded, m.excluded_by_walker):
        assert not walker("foo/bar/baz/x") and walker("foo/bar/baz/y")


def test_docs_exception_sends_only_the_readme():
    m = matcher(["docs", "!docs/README.md"])
    assert m.may_descend("docs") and not m.may_descend("docs/img")
    assert not m.excluded_by_walker("docs/README.md") and m.excluded_by_walker("docs/img/a.png")
    assert m.excluded_by_walker("docs/guide.md")


@pytest.mark.parametrize("lines,path", [
    (["**/testdata", "!internal"], "internal/x/testdata/f"),
    (["a/b/c", "!a/b"], "a/b/c/d"),
])
def test_walker_differs_from_matches_or_parent_matches(lines, path):
    # the walker remembers only patterns evaluated when it passed a directory: an exception for a
    # directory that was not excluded yet does not re-include things excluded below it
    m = matcher(lines)
    assert not m.excluded(path)
    assert m.excluded_by_walker(path)
    assert m.walker_deciding_pattern(path).line == 1


# ---------------------------------------------------------------------------------------------
# hypothesis
# ---------------------------------------------------------------------------------------------

def _segment_matches(pattern: str, name: str) -> bool:
    """'*' is any run of characters, '?' any one character, everything else itself."""
    if not pattern:
        return not name
    if pattern[0] == "*":
        return any(_segment_matches(pattern[1:], name[k:]) for k in range(len(name) + 1))
    return bool(name) and pattern[0] in ("?", name[0]) and _segment_matches(pattern[1:], name[1:])


def _path_matches(pattern: list[str], path: list[str]) -> bool:
    """'**' is any number of whole directories, at least one when it ends the pattern."""
    if not pattern:
        return not path
    head, rest = pattern[0], pattern[1:]
    if head == "**":
        least = 0 if rest else 1
        return any(_path_matches(rest, path[k:]) for k in range(least, len(path) + 1))
    return bool(path) and _segment_matches(head, path[0]) and _path_matches(rest, path[1:])


def _reference_excluded(lines: list[str], path: str) -> bool:
    """Naive reading of the documented rules: a pattern matches a path if it matches the path or
    one of its parent directories, and the last matching line decides."""
    names = path.split("/")
    verdict = False
    for line in lines:
        exception = line.startswith("!")
        pattern = line.removeprefix("!").strip("/").split("/")
        if any(_path_matches(pattern, names[:k]) for k in range(1, len(names) + 1)):
            verdict = not exception
    return verdict


name = st.text(alphabet="abgo.m", min_size=1, max_size=4).filter(lambda s: s not in (".", ".."))
glob_name = st.one_of(name, st.sampled_from(["*", "**", "*.go", "go.*", "?o", "a*", "*b", "g?.*"]))
glob_line = st.builds(
    lambda bang, lead, parts, trail: ("!" if bang else "") + lead + "/".join(parts) + trail,
    st.booleans(), st.sampled_from(["", "/"]), st.lists(glob_name, min_size=1, max_size=4),
    st.sampled_from(["", "/"]))
rel_path = st.lists(name, min_size=1, max_size=4).map("/".join)


@settings(max_examples=400, deadline=None)
@given(lines=st.lists(glob_line, max_size=6), path=rel_path)
def test_matches_a_naive_reference(lines, path):
    assert excluded(lines, path) == _reference_excluded(lines, path)


@settings(max_examples=300, deadline=None)
@given(text=st.text(max_size=200), path=st.text(max_size=40))
def test_never_raises(text, path):
    patterns, errors = read_ignore_file(text)
    assert all(isinstance(e, IgnoreError) for e in errors)
    m = IgnoreMatcher(patterns)
    m.excluded(path)
    m.deciding_pattern(path)
    m.may_descend(path)
    m.excluded_by_walker(path)
    m.walker_deciding_pattern(path)


tricky_line = st.one_of(glob_line, st.text(alphabet="ab*?[]^!/\\.{}|()$+-# d", max_size=8))


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(tricky_line, max_size=6), path=rel_path)
def test_never_raises_on_glob_like_files(lines, path):
    m = IgnoreMatcher(read_ignore_file("\n".join(lines))[0])
    m.excluded(path)
    m.excluded_by_walker(path)


plain_name = st.text(alphabet="ab.-_$()+{}|^!#é ", min_size=1, max_size=5).filter(
    lambda s: s not in (".", "..") and s.strip() == s)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(tricky_line, max_size=6), path=st.lists(plain_name, min_size=1, max_size=4).map("/".join))
def test_a_final_exception_reincludes_the_file(lines, path):
    # holds for moby (an exact exception always matches) and for the walker (its literal prefix
    # makes fsutil enter every excluded parent directory)
    patterns, _ = read_ignore_file("\n".join(lines + ["!" + path]))
    assert patterns[-1].pattern == path and patterns[-1].exclusion
    m = IgnoreMatcher(patterns)
    assert not m.excluded(path)
    assert not m.excluded_by_walker(path)
    assert all(m.may_descend(path.rsplit("/", k)[0]) for k in range(1, path.count("/") + 1))


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(glob_line, max_size=6), path=rel_path)
def test_walker_agrees_when_there_are_no_exceptions(lines, path):
    lines = [line.lstrip("!") for line in lines]
    m = matcher(lines)
    assert m.excluded(path) == m.excluded_by_walker(path)


@settings(max_examples=300, deadline=None)
@given(lines=st.lists(glob_line, max_size=6), path=rel_path)
def test_deciding_pattern_is_consistent(lines, path):
    m = matcher(lines)
    decider = m.deciding_pattern(path)
    if m.excluded(path):
        assert decider is not None and not decider.exclusion
    else:
        assert decider is None or decider.exclusion
    assert decider is None or decider in m.patterns
