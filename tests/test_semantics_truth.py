"""Facts of docs/semantics.md that were corrected after checking them against upstream source
(the "Where this reference departs from earlier notes" box): each test pins the real behaviour."""
from __future__ import annotations

from gplint.formats import glci
from gplint.model import walk
from gplint.project import Project
from gplint.source import Source


def _gitlab_env(tmp_path, text: str, job: str) -> dict:
    doc = glci.lower(Source(".gitlab-ci.yml", str(tmp_path / ".gitlab-ci.yml"), "gitlab", text),
                     Project(str(tmp_path)))
    scope, = [s for s in doc.scopes if s.name == job]
    env = next(e for ev, e in walk(scope) if type(ev).__name__ == "GoCommand")
    return {k: (env.get(k).value if env.get(k) else None) for k in ("GOPROXY", "GOFLAGS", "GOPRIVATE")}


def test_psych_merge_key_overrides_the_keys_before_it(tmp_path):
    """§13.5: Psych's revive_hash applies `<<` where it stands (hash.merge!), so keys written
    before it lose to the merge and keys after it win; within `<<: [*a, *b]` the earlier wins."""
    text = """.a: &a
  variables: {GOPROXY: https://from-a}
  image: golang
.b: &b
  variables: {GOPROXY: https://from-b, GOPRIVATE: b.example}
  script: [go vet]

before:
  variables: {GOPROXY: https://local}
  <<: *a
  script: [go build]

after:
  <<: *a
  variables: {GOPROXY: https://local}
  script: [go build]

listed:
  <<: [*a, *b]
"""
    assert _gitlab_env(tmp_path, text, "before")["GOPROXY"] == "https://from-a"
    assert _gitlab_env(tmp_path, text, "after")["GOPROXY"] == "https://local"
    # the merge is shallow: `variables` comes whole from .a, so b's GOPRIVATE is not there
    assert _gitlab_env(tmp_path, text, "listed") == {"GOPROXY": "https://from-a", "GOFLAGS": None,
                                                     "GOPRIVATE": None}


def _dockerfile_problems(text: str) -> list:
    from gplint.formats import dockerfile

    doc = dockerfile.lower(Source("Dockerfile", "/nonexistent/Dockerfile", "dockerfile", text))
    return [("GP001", doc.source.line_col(p.span.start)[0], p.message) for p in doc.problems]


def test_directives_buildkit_refuses_are_gp001():
    """§16.8: a repeated directive (directives.go:80-82) or an escape other than `\\` or a
    backtick (parser.go:153-156) makes BuildKit's parser fail, so the build never runs."""
    bad_escape = _dockerfile_problems("# syntax=docker/dockerfile:1\n# escape=x\nFROM golang\n")
    assert [(c, line) for c, line, _ in bad_escape] == [("GP001", 2)]
    assert "invalid escape token 'x'" in bad_escape[0][2]
    repeated = _dockerfile_problems("# escape=`\n# ESCAPE=`\nFROM golang\n")
    assert [(c, line) for c, line, _ in repeated] == [("GP001", 2)]
    assert "only one escape parser directive" in repeated[0][2]
    # valid directives, and directive-like lines after the directives ended, are fine
    assert _dockerfile_problems("# escape=`\n# check=skip=all\nFROM golang\n") == []
    assert _dockerfile_problems("# escape=\\\n\n# escape=x\nFROM golang\n") == []
    assert _dockerfile_problems("# unknown=1\n# escape=`\n# escape=`\nFROM golang\n") == []


def test_a_plain_gotoolchain_name_runs_that_toolchain():
    """§15.1: GOTOOLCHAIN=go1.22.0 is not "local": go runs go1.22.0, from PATH or downloaded
    through GOPROXY, and does not read go.mod to switch further (select.go, mode "")."""
    from gplint.semantics import goenv

    assert goenv.named_toolchain("go1.22.0") == ((1, 22, 0), True)
    assert goenv.named_toolchain(" go1.23rc1 ") == ((1, 23, -1, 1), True)
    assert goenv.named_toolchain("gccgo-go1.22.4") == ((1, 22, 4), True)
    assert goenv.named_toolchain("go1.22.4+auto") == ((1, 22, 4), False)  # a minimum only
    assert goenv.named_toolchain("go1.22.4+path") == ((1, 22, 4), False)
    for value in (None, "", "auto", "path", "local", "local+auto", "bash", "go1.22.4+never"):
        assert goenv.named_toolchain(value) is None, value
    # it does not read go.mod: the toolchain line stays unread, as under local
    assert not goenv.toolchain_switching("go1.22.0")
    assert goenv.toolchain_switching("go1.22.0+auto") and goenv.toolchain_switching("auto")


FIX_CASES = [
    # (the ENV as written, what the ENV reads after the fix, the fixed text of those lines)
    ("ENV A=1 \\\n# c\nGO111MODULE=off\n", "A=1", "ENV A=1\n# c\n"),
    ("ENV A=1 \\\n\n    GO111MODULE=off  \n", "A=1", "ENV A=1\n\n"),
    ("ENV A=1 \\\n  # c\n  GO111MODULE=off \\\n  # d\n  B=2\n", "A=1   B=2",
     "ENV A=1 \\\n  # c\n  # d\n  B=2\n"),
    ("ENV A=1 \\\n    GO111MODULE=off\n", "A=1", "ENV A=1\n"),
    ("ENV A=1 \\\r\n# c\r\n# d \\\r\nGO111MODULE=off\r\n", "A=1", "ENV A=1\r\n# c\r\n# d \\\r\n"),
]


def test_gp202_fix_never_joins_the_next_instruction_to_a_continued_env(tmp_path, monkeypatch, capsys):
    """Deleting the last pair of a continued ENV behind a comment or blank line must not leave
    `A=1 \\` followed by lines BuildKit skips (§16.5): the RUN after it would join the ENV.
    The fixed files are read by gplint's reader and by dockerfile-parse (the differential test)."""
    import pytest

    from gplint.cli import main

    differential = pytest.importorskip("test_dockerfile_differential")
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".git").mkdir()
    for written, reads, expected in FIX_CASES:
        path = tmp_path / "Dockerfile"
        path.write_bytes(f"FROM golang:1.22\nARG GOPROXY\n{written}RUN go build ./...\n".encode())
        main(["--no-cache", "--fix", "--unsafe-fixes", "Dockerfile"])
        fixed = path.read_bytes().decode()
        assert fixed == f"FROM golang:1.22\nARG GOPROXY\n{expected}RUN go build ./...\n"
        fixed = fixed.replace("\r\n", "\n")  # dockerfile-parse reads CRLF as BuildKit does only without \r
        reading = [(keyword.upper(), args) for keyword, args, _ in differential.gplint_instructions(fixed)]
        assert reading == [("FROM", "golang:1.22"), ("ARG", "GOPROXY"), ("ENV", reads),
                           ("RUN", "go build ./...")], fixed
        differential.assert_same_reading(fixed)
        main(["--no-cache", "--fix", "--unsafe-fixes", "Dockerfile"])
        assert path.read_bytes().decode().replace("\r\n", "\n") == fixed  # a second --fix changes nothing
    capsys.readouterr()


def test_one_bad_goproxy_entry_fails_the_whole_list():
    """§1.11: proxyList() checks every entry up to direct/off with newProxyRepo once, and its first
    error is returned for every lookup (proxy.go, proxyOnce.err), so an earlier good entry is never
    tried. Entries after direct/off are not checked."""
    from gplint.semantics import goenv

    assert goenv.goproxy_unusable("file:///good,fallback://x")
    assert goenv.goproxy_unusable("https://a.example|Direct")
    assert goenv.goproxy_unusable(" , ")  # no entries at all (§1.10)
    assert not goenv.goproxy_unusable("https://a.example,direct,fallback://never-read")
    assert not goenv.goproxy_unusable("https://a.example,direct")
    assert not goenv.goproxy_unusable("")  # empty is the default (§2)
    assert not goenv.goproxy_unusable("${GOPROXY}")  # not ours to judge
    from gplint.rulekit.list_findings import WHOLE_LIST_FAILS, goproxy_problems

    (bad,) = [p for p in goproxy_problems("file:///good,fallback://x") if p.code == "GP203"]
    assert bad.message.endswith(WHOLE_LIST_FAILS)
    (alone,) = goproxy_problems("fallback://x")
    assert not alone.message.endswith(WHOLE_LIST_FAILS)  # nothing else to say when alone


def test_patternmatcher_escape_table_and_walker():
    """§10.4: moby's escape bitmap is 8 bytes indexed by b%8 with bit b/8, so '|', '{', '}' (>= 64)
    are not escaped; `[*]` becomes the class `[[^/]`. §10.8: fsutil's Walk decides with
    MatchesUsingParentResults (filter.go:224, 259), which GP401 follows."""
    from gplint.semantics.ignorematch import IgnoreMatcher, read_ignore_file

    def matcher(text):
        patterns, errors = read_ignore_file(text)
        assert not errors
        return IgnoreMatcher(patterns)

    alternation = matcher("a|b*\n")
    assert alternation.excluded_by_walker("a") and alternation.excluded_by_walker("bzz")
    # the regexp is `^a|b[^/]*$`, searched unanchored: `^a` alone matches anything starting with a
    assert alternation.excluded_by_walker("a|b") and alternation.excluded_by_walker("abc")
    assert not alternation.excluded_by_walker("ca")
    repeat = matcher("x{2}*\n")
    assert repeat.excluded_by_walker("xx") and not repeat.excluded_by_walker("x{2}")
    klass = matcher("[*]\n")
    assert klass.excluded_by_walker("]") and not klass.excluded_by_walker("*")
    parent = matcher("a/b/c\n!a/b\n")
    assert parent.excluded_by_walker("a/b/c/d")  # the walker carries a/b/c's result down
    assert not parent.excluded("a/b/c/d")  # MatchesOrParentMatches would send it


def test_gp501_is_silent_where_gotoolchain_names_the_toolchain_that_builds(tmp_path, monkeypatch, capsys):
    """§15.1: with GOTOOLCHAIN=go1.24.0 in a golang:1.22 stage, go1.24.0 builds (downloaded
    through GOPROXY), so the image's older Go is not a problem; without it GP501 fires."""
    from gplint.cli import main

    (tmp_path / ".git").mkdir()
    (tmp_path / "go.mod").write_text("module example.com/app\n\ngo 1.24.0\n")
    monkeypatch.chdir(tmp_path)
    base = "FROM golang:1.22 AS build\nARG GOPROXY\n{env}RUN go build ./...\n"
    (tmp_path / "Dockerfile").write_text(base.format(env=""))
    main(["--no-cache", "--select", "GP501", "--format", "concise", "Dockerfile"])
    assert "GP501" in capsys.readouterr().out
    (tmp_path / "Dockerfile").write_text(base.format(env="ENV GOTOOLCHAIN=go1.24.0\n"))
    main(["--no-cache", "--select", "GP501", "--format", "concise", "Dockerfile"])
    assert "GP501" not in capsys.readouterr().out
    (tmp_path / "Dockerfile").write_text(base.format(env="ENV GOTOOLCHAIN=go1.24.0+auto\n"))
    main(["--no-cache", "--select", "GP501", "--format", "concise", "Dockerfile"])
    assert "GP501" in capsys.readouterr().out  # a minimum: the image's go still starts, then switches
