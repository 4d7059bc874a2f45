"""Go semantics (docs/semantics.md §1, §2, §4, §5, §6): the GOPROXY grammar, module globs, which go
commands reach the proxy, versions. Hypothesis properties for the grammar."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint.rulekit.list_findings import goproxy_problems, module_glob_problems
from gplint.semantics import goenv


def codes(value):
    return sorted(p.code for p in goproxy_problems(value))


@pytest.mark.parametrize("value,expected", [
    ("https://proxy.golang.org,direct", ["GP205"]),  # the default: no fallback to direct on 5xx (opt-in rule)
    ("https://proxy.golang.org|https://goproxy.io", []),
    ("", []),  # empty means the default (§2)
    ("off", []),
    ("direct", []),
    ("proxy.corp", []),  # implicit https, no port: fine (§1.6)
    (" off ", []),  # trimmed (§1.2)
    ("a.example,,b.example", ["GP205"]),  # empties skipped (§1.2); ',' then another entry
    ("DIRECT", ["GP203"]),
    ("Off", ["GP203"]),
    ("foo", ["GP203"]),  # invalid proxy URL missing scheme: foo (§1.7)
    ("/srv/mods", ["GP203"]),
    ("fallback://x", ["GP203"]),  # (§1.8)
    ("file://host/p", ["GP203"]),  # non-path elements (§1.9)
    ("file:///srv/mods", []),
    (",", ["GP203"]),  # not the empty string, but contains no entries (§1.10)
    (" , ", ["GP203"]),
    ("direct,https://proxy.golang.org", ["GP203"]),  # never tried (§1.4)
    ("off,https://proxy.golang.org", ["GP203"]),
    ("athens:3000", ["GP204"]),  # becomes https://athens:3000 (§1.6)
    ("127.0.0.1:8080/x", ["GP204"]),
    ("HTTPS://proxy.example.com", []),  # scheme is case-insensitive (§1.8)
    ("https://a.example,direct", ["GP205"]),  # ',' before direct: falls back only on 404/410 (§1.13)
    ("${GOPROXY}", []),  # a reference cannot be judged
])
def test_goproxy_verdicts(value, expected):
    assert codes(value) == expected


def test_fixes_replace_exact_spans():
    value = "https://proxy.golang.org,DIRECT"
    (problem,) = [p for p in goproxy_problems(value) if p.code == "GP203"]
    assert value[problem.start:problem.end] == "DIRECT" and problem.replacement == "direct" and problem.safe
    value = "direct,https://a.example|https://b.example"
    (problem,) = goproxy_problems(value)
    assert value[:problem.start] + problem.replacement + value[problem.end:] == "direct"
    assert not problem.safe


goproxy_text = st.lists(st.sampled_from(["https://a.example", "http://b:3000", "direct", "off", "DIRECT",
                                         "athens:3000", "foo", "file:///x", "file://h/x", " ", "", "x://y",
                                         "/abs", "proxy.corp"]), max_size=5).flatmap(
    lambda entries: st.lists(st.sampled_from([",", "|", " , "]), min_size=len(entries), max_size=len(entries)).map(
        lambda seps: "".join(e + s for e, s in zip(entries, seps))))


@settings(max_examples=400, deadline=None)
@given(value=st.one_of(goproxy_text, st.text(max_size=60)))
def test_parse_never_raises_and_offsets_slice_back(value):
    entries, problems = goenv.parse_goproxy(value)
    for entry in entries:
        assert value[entry.start:entry.end] == entry.text
        assert entry.text == entry.text.strip() and entry.text
    for problem in problems:
        assert 0 <= problem.start <= problem.end <= len(value)


@settings(max_examples=400, deadline=None)
@given(value=goproxy_text)
def test_safe_fixes_remove_keyword_case_problems(value):
    problems = goproxy_problems(value)
    fixed = value
    for problem in sorted((p for p in problems if p.safe), key=lambda p: -p.start):
        fixed = fixed[:problem.start] + problem.replacement + fixed[problem.end:]
    assert not any("case-sensitive" in p.message for p in goproxy_problems(fixed))


@pytest.mark.parametrize("globs,path,expected", [
    ("*.corp.example.com", "git.corp.example.com/x/y", True),
    ("rsc.io/private", "rsc.io/private/quux", True),
    ("rsc.io/private", "rsc.io/public", False),
    ("a.com, b.com", "b.com/x", False),  # whitespace is not trimmed (§5.2)
    ("a.com,b.com/", "b.com/x", True),
    ("[", "x/y", False),
])
def test_match_prefix_patterns(globs, path, expected):
    assert goenv.match_prefix_patterns(globs, path) is expected


@settings(max_examples=300, deadline=None)
@given(globs=st.text(max_size=30), path=st.text(max_size=30))
def test_match_prefix_patterns_never_raises(globs, path):
    goenv.match_prefix_patterns(globs, path)


@settings(max_examples=200, deadline=None)
@given(item=st.sampled_from(["example.com/a", "*.corp", "github.com/acme/*"]))
def test_a_spaced_item_never_matches_via_the_space(item):
    assert not goenv.match_prefix_patterns("x.invalid, " + item, "zzz/" + item)
    assert module_glob_problems("x.invalid, " + item)[0].replacement == item


@pytest.mark.parametrize("pattern,expected", [("*", True), ("*.*", True), ("*/*", True),
                                              ("github.com/*", False), ("*.corp.example.com", False)])
def test_catch_all(pattern, expected):
    assert goenv.is_catch_all_pattern(pattern) is expected


@pytest.mark.parametrize("args,goflags,vendored,expected", [
    (["build", "./..."], None, False, True),
    (["build", "./..."], None, True, False),
    (["build", "-mod=mod", "./..."], None, True, True),
    (["test", "./..."], "-mod=vendor", False, False),
    (["mod", "download"], "-mod=vendor", False, True),  # still fetches under vendor (§6.3)
    (["mod", "tidy"], None, True, True),
    (["install", "golang.org/x/tools/cmd/stringer@v0.20.0"], None, True, True),
    (["run", "./cmd/app"], None, True, False),
    (["env", "GOPATH"], None, False, False),
    (["version"], None, False, False),
    (["mod", "edit", "-fmt"], None, False, False),
    (["work", "init", "."], None, False, False),
    (["work", "sync"], None, False, True),
    (["-C", "sub", "build"], None, False, True),
    ([], None, False, False),
])
def test_commands_that_reach_the_proxy(args, goflags, vendored, expected):
    assert goenv.go_command_reaches_proxy(args, goflags, vendored) is expected


def test_other_semantics():
    assert goenv.go111module_problem("") is None and goenv.go111module_problem("auto") is None
    assert goenv.go111module_problem("off") == "off" and goenv.go111module_problem("yes") == "invalid"
    assert goenv.sumdb_disabled("off") and not goenv.sumdb_disabled("sum.golang.org")
    assert goenv.goflags_insecure("-mod=mod -insecure") == (9, 18)
    assert goenv.credentials_span("https://u:p@h.example,direct") == [(8, 12)]
    assert goenv.credentials_span("https://$USER:${TOKEN}@h.example") == []
    # without a scheme: go reads `u:p@h` as https://u:p@h (§1.6), HTTP proxies as http://
    assert goenv.credentials_span("u:p@proxy:3128") == [(0, 4)]
    assert goenv.credentials_span("direct,u:p@h") == [(7, 11)]
    assert goenv.credentials_span("golang:1.22@sha256:abc") == []  # an image digest
    assert goenv.credentials_span("https://u@h") == []  # a user with no password
    assert goenv.is_loopback_host("127.1.2.3") and goenv.is_loopback_host("[::1]") and goenv.is_loopback_host("0.0.0.0")
    assert not goenv.is_loopback_host("host.docker.internal")
    assert goenv.url_host("http://user:pw@LocalHost:3000/x") == "localhost"
    assert goenv.parse_go_version("1.21rc1") < goenv.parse_go_version("1.21.0")
    assert goenv.golang_image_version("1.22.4-alpine3.20") == ((1, 22, 4), "-alpine3.20")
    assert goenv.golang_image_version("alpine") is None
    text = "module m\n\ngo 1.21\n\ntoolchain go1.22.3\n"
    # GOTOOLCHAIN=local enforces only the go line; a switching GOTOOLCHAIN reads the toolchain line
    version, start, end = goenv.go_mod_requirement(text)
    assert version == (1, 21) and text[start:end] == "1.21"
    version, start, end = goenv.go_mod_requirement(text, switching=True)
    assert version == (1, 22, 3) and text[start:end] == "go1.22.3"
    assert [goenv.toolchain_switching(v) for v in (None, "local", "go1.22.0", "auto", "path", "go1.21+auto",
                                                   "local+path")] == [False, False, False, True, True, True, True]
    assert goenv.go_mod_directive_version(text) == (1, 21)
