"""Report formats built from hand-made diagnostics (no CLI): sarif, github, gitlab, concise.

The snapshots (tests/__snapshots__/test_reports.ambr) are reviewed by eye.
"""
from __future__ import annotations

import json
import re
from gplint.records import replace
from pathlib import Path

import pytest

from gplint import __version__
from gplint.diagnostic import Diagnostic, Edit, Fix
from gplint.registry import doc_text, parse_front_matter, rules
from gplint.report import concise, github, gitlab, sarif
from gplint.source import Source, Span

SARIF_SCHEMA = Path("/work/shared/schemas/sarif-schema-2.1.0.json")

DOCKERFILE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download && \\
    go build -o /app ./...

FROM golang:1.22 AS test
ENV GOPROXY=http://localhost:3000
RUN go test ./...
"""

DOCKERIGNORE = """\
.git
go.sum
"""

WORKFLOW = """\
name: ci
on: push
env:
  GOPROXY: https://ci:s3cret@proxy.corp.example,,direct
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go build ./...
"""


def span_of(source: Source, needle: str, nth: int = 0) -> Span:
    start = -1
    for _ in range(nth + 1):
        start = source.text.index(needle, start + 1)
    return Span(start, start + len(needle))


def sources() -> dict[str, Source]:
    return {
        "Dockerfile": Source("Dockerfile", "/repo/Dockerfile", "dockerfile", DOCKERFILE),
        ".dockerignore": Source(".dockerignore", "/repo/.dockerignore", "dockerignore", DOCKERIGNORE),
        "ci": Source(".github/workflows/ci.yml", "/repo/.github/workflows/ci.yml", "github", WORKFLOW),
    }


def sample(src: dict[str, Source] | None = None) -> list[Diagnostic]:
    """A small fixed set: a multi-line span with a safe fix, a finding without a fix, a fix that
    edits another file, and an error and a warning in a workflow."""
    src = src or sources()
    df, ignore, ci = src["Dockerfile"], src[".dockerignore"], src["ci"]
    run = span_of(df, "RUN go mod download && \\\n    go build -o /app ./...")
    after_from = df.line_end(0)
    copy = span_of(df, "COPY go.mod go.sum ./")
    sum_line = span_of(ignore, "go.sum\n")
    creds = span_of(ci, "ci:s3cret@")
    value = span_of(ci, "https://ci:s3cret@proxy.corp.example,,direct")
    return [
        Diagnostic("GP101", df, run,
                   "`go mod download` may download modules, but no GOPROXY is in scope in stage `build`",
                   fix=Fix("safe", "Declare `ARG GOPROXY` in stage `build`",
                           [Edit.insert(df, after_from, "ARG GOPROXY\n")]),
                   key="stage:build:GOPROXY"),
        Diagnostic("GP107", df, span_of(df, "http://localhost:3000"),
                   "GOPROXY points at localhost, but `RUN` has its own network namespace",
                   key="stage:test:GOPROXY"),
        Diagnostic("GP401", df, copy,
                   "`.dockerignore` excludes go.sum, which this COPY needs",
                   fix=Fix("safe", "Stop excluding go.sum in `.dockerignore`", [Edit.delete(ignore, sum_line)]),
                   key="stage:build:copy:go.sum",
                   related=[(ignore, Span(sum_line.start, sum_line.end - 1), "excluded here")]),
        Diagnostic("GP302", ci, creds,
                   "GOPROXY holds a literal user:password",
                   fix=Fix("unsafe", "Remove the credentials from the URL", [Edit.delete(ci, creds)]),
                   key="workflow:env:GOPROXY"),
        Diagnostic("GP203", ci, value,
                   "GOPROXY has an empty entry between `,` separators",
                   key="workflow:env:GOPROXY"),
    ]


def shifted(diagnostics: list[Diagnostic], blank_lines: int = 10) -> list[Diagnostic]:
    """The same findings after `blank_lines` blank lines were inserted at the top of every file."""
    n = blank_lines
    moved: dict[int, Source] = {}

    def move_source(s: Source) -> Source:
        if id(s) not in moved:
            moved[id(s)] = Source(s.path, s.abspath, s.kind, "\n" * n + s.text)
        return moved[id(s)]

    def move(span: Span) -> Span:
        return Span(span.start + n, span.end + n)

    out = []
    for d in diagnostics:
        fix = None
        if d.fix is not None:
            fix = Fix(d.fix.applicability, d.fix.message,
                      [Edit(move_source(e.source), e.start + n, e.end + n, e.content) for e in d.fix.edits])
        out.append(replace(d, source=move_source(d.source), span=move(d.span), fix=fix,
                           related=[(move_source(s), move(sp), note) for s, sp, note in d.related]))
    return out


# -- sarif ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sarif_validator():
    if not SARIF_SCHEMA.is_file():
        pytest.skip(f"{SARIF_SCHEMA} is absent")
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def multi_file_fix() -> list[Diagnostic]:
    src = sources()
    df, ignore = src["Dockerfile"], src[".dockerignore"]
    return [Diagnostic(
        "GP401", df, span_of(df, "COPY go.mod go.sum ./"), "`.dockerignore` excludes go.sum",
        fix=Fix("unsafe", "Re-include go.sum and copy it explicitly", [
            Edit.replace(ignore, span_of(ignore, "go.sum"), "!go.sum"),
            Edit.insert(ignore, len(ignore.text), "!go.mod\n"),
            Edit.replace(df, span_of(df, "./\n"), "/src/\n"),
        ]))]


@pytest.mark.parametrize("case", ["sample", "without_fixes", "multi_file_fix", "empty"])
def test_sarif_is_valid(case, sarif_validator):
    diagnostics = {
        "sample": sample,
        "without_fixes": lambda: [replace(d, fix=None, related=[]) for d in sample()],
        "multi_file_fix": multi_file_fix,
        "empty": list,
    }[case]()
    log = json.loads(sarif.render(diagnostics))
    errors = sorted(sarif_validator.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "\n".join(f"{list(e.path)}: {e.message}" for e in errors)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0" and len(log["runs"]) == 1
    run = log["runs"][0]
    assert len(run["results"]) == len(diagnostics)
    assert run["tool"]["driver"]["name"] == "gplint"
    assert run["tool"]["driver"]["version"] == __version__
    if case == "empty":
        assert run["results"] == [] and run["tool"]["driver"]["rules"] == []
    if case == "without_fixes":
        assert all("fixes" not in r for r in run["results"])


def test_sarif_rules_results_and_fixes():
    diagnostics = sample()
    run = json.loads(sarif.render(diagnostics))["runs"][0]
    rules_out = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules_out] == sorted({d.code for d in diagnostics})
    for r in rules_out:
        info = rules()[r["id"]]
        _, body = parse_front_matter(doc_text(r["id"]))
        assert r["name"] == info.name
        assert r["shortDescription"]["text"] == info.summary
        assert r["fullDescription"]["text"]
        assert r["help"] == {"text": body.strip(), "markdown": body.strip()}
        assert "helpUri" not in r  # no canonical public page to point at; the page is in help
        assert r["defaultConfiguration"]["level"] == info.severity
    for d, res, fp in zip(diagnostics, run["results"], gitlab.fingerprints(diagnostics)):
        assert rules_out[res["ruleIndex"]]["id"] == res["ruleId"] == d.code
        assert res["level"] == rules()[d.code].severity
        assert res["message"]["text"] == d.message
        assert res["partialFingerprints"] == {sarif.FINGERPRINT_KEY: fp}

    gp101 = run["results"][0]
    assert gp101["locations"][0]["physicalLocation"] == {
        "artifactLocation": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
        # `RUN go mod download && \` (line 4) to the end of `    go build -o /app ./...` (line 5)
        "region": {"startLine": 4, "startColumn": 1, "endLine": 5, "endColumn": 27},
    }
    assert gp101["fixes"] == [{
        "description": {"text": "Declare `ARG GOPROXY` in stage `build`"},
        "artifactChanges": [{
            "artifactLocation": {"uri": "Dockerfile", "uriBaseId": "%SRCROOT%"},
            "replacements": [{"deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 1},
                              "insertedContent": {"text": "ARG GOPROXY\n"}}],
        }],
        "properties": {"applicability": "safe"},
    }]
    gp107 = run["results"][1]["locations"][0]["physicalLocation"]["region"]
    assert gp107 == {"startLine": 8, "startColumn": 13, "endLine": 8, "endColumn": 34}  # end exclusive

    gp401 = run["results"][2]
    change = gp401["fixes"][0]["artifactChanges"][0]
    assert change["artifactLocation"] == {"uri": ".dockerignore", "uriBaseId": "%SRCROOT%"}
    assert change["replacements"] == [  # a pure deletion has no insertedContent
        {"deletedRegion": {"startLine": 2, "startColumn": 1, "endLine": 3, "endColumn": 1}}]
    assert gp401["relatedLocations"][0]["message"]["text"] == "excluded here"

    uri = run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == ".github/workflows/ci.yml"


def test_sarif_multi_file_fix_groups_edits_by_file():
    res = json.loads(sarif.render(multi_file_fix()))["runs"][0]["results"][0]
    changes = res["fixes"][0]["artifactChanges"]
    assert [c["artifactLocation"]["uri"] for c in changes] == [".dockerignore", "Dockerfile"]
    assert [len(c["replacements"]) for c in changes] == [2, 1]
    assert changes[0]["replacements"][1] == {
        "deletedRegion": {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 1},
        "insertedContent": {"text": "!go.mod\n"}}


def test_sarif_uris_are_relative_forward_slash_and_encoded():
    assert sarif.artifact_location("sub dir/Dockerfile") == {"uri": "sub%20dir/Dockerfile", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("./a/b.yml") == {"uri": "a/b.yml", "uriBaseId": "%SRCROOT%"}
    assert sarif.artifact_location("/elsewhere/Dockerfile") == {"uri": "file:///elsewhere/Dockerfile"}


# -- github -----------------------------------------------------------------------------------

def test_github_lines():
    assert github.render(sample()).splitlines() == [
        # a multi-line span: the runner drops col/endColumn when line != endLine, so none are sent
        "::warning file=Dockerfile,line=4,endLine=5,title=GP101 goproxy-unset-in-stage::"
        "`go mod download` may download modules, but no GOPROXY is in scope in stage `build`",
        "::warning file=Dockerfile,line=8,col=13,endLine=8,endColumn=34,title=GP107 loopback-proxy::"
        "GOPROXY points at localhost, but `RUN` has its own network namespace",
        "::error file=Dockerfile,line=3,col=1,endLine=3,endColumn=22,title=GP401 dockerignore-drops-go-files::"
        "`.dockerignore` excludes go.sum, which this COPY needs",
        "::warning file=.github/workflows/ci.yml,line=4,col=20,endLine=4,endColumn=30,title=GP302 credentials-in-proxy-url::"
        "GOPROXY holds a literal user:password",
        "::error file=.github/workflows/ci.yml,line=4,col=12,endLine=4,endColumn=56,title=GP203 invalid-goproxy::"
        "GOPROXY has an empty entry between `,` separators",
    ]


def test_github_escaping():
    src = Source("odd:dir,x/Docker%file", "/repo/odd", "dockerfile", "FROM scratch\nRUN go build\n")
    d = Diagnostic("GP203", src, span_of(src, "RUN"), "100% sure\r\nnext: line, ok %0A")
    name = rules()["GP203"].name
    assert github.render([d]) == (
        f"::error file=odd%3Adir%2Cx/Docker%25file,line=2,col=1,endLine=2,endColumn=4,title=GP203 {name}::"
        "100%25 sure%0D%0Anext: line, ok %250A\n")


def test_github_escape_functions():
    assert github.escape_data("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad:e,f"
    assert github.escape_property("a%b\rc\nd:e,f") == "a%25b%0Dc%0Ad%3Ae%2Cf"
    assert github.escape_property("%3A") == "%253A"  # a literal escape stays literal


def test_github_span_ending_with_line_break_stays_on_its_line():
    src = Source("Dockerfile", "/repo/Dockerfile", "dockerfile", "FROM scratch\nRUN go build\n")
    d = Diagnostic("GP101", src, span_of(src, "RUN go build\n"), "m")
    assert github.render([d]).startswith("::warning file=Dockerfile,line=2,col=1,endLine=2,endColumn=13,")


def test_github_empty():
    assert github.render([]) == ""


# -- gitlab -----------------------------------------------------------------------------------

def test_gitlab_fields():
    diagnostics = sample()
    issues = json.loads(gitlab.render(diagnostics))
    assert len(issues) == len(diagnostics)
    for d, issue in zip(diagnostics, issues):
        assert set(issue) == {"description", "check_name", "fingerprint", "severity", "location"}
        assert issue["description"] == d.message
        assert issue["check_name"] == d.code
        assert re.fullmatch(r"[0-9a-f]{64}", issue["fingerprint"])
        assert issue["severity"] == {"error": "major", "warning": "minor"}[rules()[d.code].severity]
        assert issue["location"]["path"] == d.source.path
    assert [i["location"]["lines"] for i in issues] == [
        {"begin": 4, "end": 5}, {"begin": 8, "end": 8}, {"begin": 3, "end": 3},
        {"begin": 4, "end": 4}, {"begin": 4, "end": 4}]
    assert gitlab.render([]) == "[]\n"


def test_gitlab_fingerprints_survive_inserted_lines():
    before = sample()
    after = shifted(before, 10)
    old, new = json.loads(gitlab.render(before)), json.loads(gitlab.render(after))
    assert [i["location"]["lines"]["begin"] + 10 for i in old] == [i["location"]["lines"]["begin"] for i in new]
    assert [i["fingerprint"] for i in old] == [i["fingerprint"] for i in new]
    assert [gitlab.fingerprint(d) for d in before] == [gitlab.fingerprint(d) for d in after]
    # and SARIF's partialFingerprints, which share the function
    fps = lambda ds: [r["partialFingerprints"] for r in json.loads(sarif.render(ds))["runs"][0]["results"]]
    assert fps(before) == fps(after)


def test_gitlab_fingerprints_differ_between_findings():
    fps = [i["fingerprint"] for i in json.loads(gitlab.render(sample()))]
    assert len(set(fps)) == len(fps)
    # same file, same key, different code and span: GP302 and GP203 on one GOPROXY value
    assert fps[3] != fps[4]


def test_gitlab_fingerprint_ingredients():
    src = sources()
    d = sample(src)[1]
    base = gitlab.fingerprint(d)
    assert gitlab.fingerprint(replace(d, code="GP101")) != base
    assert gitlab.fingerprint(replace(d, key="stage:other:GOPROXY")) != base
    moved = Source("other/Dockerfile", "/repo/other/Dockerfile", "dockerfile", d.source.text)
    assert gitlab.fingerprint(replace(d, source=moved)) != base
    assert gitlab.fingerprint(replace(d, span=span_of(d.source, "http://localhost"))) != base
    assert gitlab.fingerprint(d, occurrence=1) != base
    # the message is not part of it: rewording a message does not reopen every finding
    assert gitlab.fingerprint(replace(d, message="reworded")) == base


def test_gitlab_fingerprint_ignores_whitespace_changes_in_the_span():
    a = Source("Dockerfile", "/r/Dockerfile", "dockerfile", "FROM x\nRUN go mod download && \\\n    go build\n")
    b = Source("Dockerfile", "/r/Dockerfile", "dockerfile", "FROM x\nRUN  go mod download && \\\n\tgo build\n")
    da = Diagnostic("GP101", a, span_of(a, "RUN go mod download && \\\n    go build"), "m", key="stage:0:GOPROXY")
    db = Diagnostic("GP101", b, span_of(b, "RUN  go mod download && \\\n\tgo build"), "m", key="stage:0:GOPROXY")
    assert gitlab.fingerprint(da) == gitlab.fingerprint(db)


def test_gitlab_identical_findings_get_an_occurrence_counter():
    text = "FROM golang AS a\nRUN go build\n\nFROM golang AS b\nRUN go build\n"
    src = Source("Dockerfile", "/r/Dockerfile", "dockerfile", text)
    first = Diagnostic("GP101", src, span_of(src, "RUN go build", 0), "m")
    second = Diagnostic("GP101", src, span_of(src, "RUN go build", 1), "m")
    fps = gitlab.fingerprints([first, second])
    assert fps[0] != fps[1]
    assert fps == [gitlab.fingerprint(first, 0), gitlab.fingerprint(second, 1)]
    # counted in file order, not list order
    assert gitlab.fingerprints([second, first]) == [fps[1], fps[0]]
    # and still stable when lines move
    assert gitlab.fingerprints(shifted([first, second])) == fps
    # the same finding in another file does not bump the counter
    other = Source("b/Dockerfile", "/r/b/Dockerfile", "dockerfile", text)
    third = Diagnostic("GP101", other, span_of(other, "RUN go build", 0), "m")
    assert gitlab.fingerprints([first, third, second])[2] == fps[1]


def test_gitlab_paths_have_no_leading_dot_slash():
    src = Source("./sub/Dockerfile", "/r/sub/Dockerfile", "dockerfile", "FROM x\n")
    issue = json.loads(gitlab.render([Diagnostic("GP101", src, Span(0, 6), "m")]))[0]
    assert issue["location"]["path"] == "sub/Dockerfile"


# -- concise ----------------------------------------------------------------------------------

def test_concise_lines():
    assert concise.render(sample()).splitlines() == [
        "Dockerfile:4:1: GP101 [warning] `go mod download` may download modules, but no GOPROXY is in scope in stage `build`",
        "Dockerfile:8:13: GP107 [warning] GOPROXY points at localhost, but `RUN` has its own network namespace",
        "Dockerfile:3:1: GP401 [error] `.dockerignore` excludes go.sum, which this COPY needs",
        ".github/workflows/ci.yml:4:20: GP302 [warning] GOPROXY holds a literal user:password",
        ".github/workflows/ci.yml:4:12: GP203 [error] GOPROXY has an empty entry between `,` separators",
    ]
    src = sources()["Dockerfile"]
    assert concise.render([Diagnostic("GP203", src, Span(0, 4), "a\nb")]) == "Dockerfile:1:1: GP203 [error] a\\nb\n"
    assert concise.render([]) == ""


# -- snapshots --------------------------------------------------------------------------------

@pytest.fixture
def short_docs(monkeypatch):
    """Rule docs change often; the SARIF snapshot uses a short stand-in (the tests above check
    that the real doc is carried through)."""
    def fake_doc(code: str) -> str:
        info = rules()[code]
        return (f"---\ncode: {code}\n---\n# {code} {info.name}\n\n## What it does\n{info.summary}\n\n"
                f"## Fix\nSee the rule page.\n")
    monkeypatch.setattr(sarif, "doc_text", fake_doc)


@pytest.mark.parametrize("fmt", ["sarif", "github", "gitlab", "concise"])
def test_snapshot(fmt, snapshot, short_docs):
    module = {"sarif": sarif, "github": github, "gitlab": gitlab, "concise": concise}[fmt]
    assert module.render(sample()) == snapshot
