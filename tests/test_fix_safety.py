"""No fix weakens a build: it never spreads a value a rule reports (value_verdicts.copy_refusal),
never adds a GP301/GP302 finding, and values passed into a build are judged where they are written.

The property test runs `--fix --unsafe-fixes` over every fixture project, every rule doc example
and every fuzz seed, in the default configuration and with every rule and policy option on.
"""
from __future__ import annotations

import contextlib
import difflib
import io
import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from gplint.rulekit.value_verdicts import VALUE_RULES, copy_refusal
from gplint.cli import main

from ruledocs import all_docs, examples

ROOT = Path(__file__).resolve().parent.parent
FUZZ = ROOT / "fuzz"
sys.path.insert(0, str(FUZZ))
import fuzz_gplint  # noqa: E402

ALL_RULES = fuzz_gplint.ALL_RULES_CONFIG.decode()


def _write(root: Path, files: dict[str, str]) -> None:
    (root / ".git").mkdir(exist_ok=True)
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def _lint(root: Path) -> list:
    """Diagnostics (with their sources and spans) of the whole repository, as the CLI finds them."""
    return fuzz_gplint._lint(str(root))[3].diagnostics


def _fix(root: Path, *extra: str) -> None:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        main(["--no-cache", "--jobs", "1", "--fix", "--unsafe-fixes", *extra, str(root)])


def _json(root: Path, capsys, *args: str) -> list[dict]:
    main(["--no-cache", "--format", "json", *args, str(root)])
    return json.loads(capsys.readouterr().out)


# -- the one shared decision ----------------------------------------------------------------------
@pytest.mark.parametrize("name,value,code", [
    ("GOSUMDB", "off", "GP301"),
    ("GONOSUMDB", "*", "GP301"),
    ("GOPRIVATE", "corp.example/*,*", "GP301"),
    ("GOINSECURE", "*", "GP301"),
    ("GOFLAGS", "-mod=mod -insecure", "GP301"),
    ("GOPROXY", "http://127.0.0.1:3000", "GP107"),
    ("HTTPS_PROXY", "http://localhost:8080", "GP107"),
    ("GOSUMDB", "sum.golang.org http://localhost:3000", "GP107"),
    ("GOPROXY", "https://ci:secret@goproxy.example.com", "GP302"),
    ("GOPROXY", "DIRECT", "GP203"),
    ("GOPROXY", "athens:3000", "GP204"),
    ("GOPRIVATE", "a.example, b.example", "GP206"),
    ("GO111MODULE", "off", "GP202"),
])
def test_copy_refusal_names_the_rule_that_reports_the_value(name, value, code):
    why = copy_refusal(name, value)
    assert why is not None and why.startswith(code), why


def test_copy_refusal_knows_the_allowed_proxies():
    options = {"allowed_proxies": ["https://goproxy.corp.example", "direct"]}
    assert copy_refusal("GOPROXY", "https://goproxy.corp.example,direct", options) is None
    assert copy_refusal("GOPROXY", "https://proxy.golang.org,direct", options).startswith("GP303")


@pytest.mark.parametrize("name,value", [
    ("GOPROXY", "https://goproxy.example.com,direct"), ("GOPRIVATE", "corp.example/*"),
    ("GONOSUMDB", "corp.example"), ("GOSUMDB", "sum.golang.org"), ("GOFLAGS", "-mod=mod"),
    ("GO111MODULE", "on"), ("GOPROXY", None),
])
def test_copy_refusal_lets_plain_values_through(name, value):
    assert copy_refusal(name, value) is None


# -- GP103 -----------------------------------------------------------------------------------------
WEAK_STAGE = """\
FROM golang:1.22 AS tools
ENV GOPROXY=http://127.0.0.1:3000 GONOSUMDB=* GOFLAGS=-insecure
RUN go install golang.org/x/tools/cmd/stringer@v0.20.0

FROM golang:1.22 AS build
ARG GOPROXY
RUN go build ./...
"""


def test_gp103_never_copies_a_weakening_value(tmp_path, capsys):
    _write(tmp_path, {"Dockerfile": WEAK_STAGE})
    before = _json(tmp_path, capsys)
    gp103 = [d for d in before if d["code"] == "GP103"]
    assert len(gp103) == 1
    assert "GONOSUMDB=* (GP301" in gp103[0]["message"] and gp103[0]["fix"] is None
    _fix(tmp_path)
    text = (tmp_path / "Dockerfile").read_text()
    assert text.count("GONOSUMDB") == 1 and text.count("-insecure") == 1
    after = _json(tmp_path, capsys)
    assert sum(d["code"] == "GP301" for d in after) == sum(d["code"] == "GP301" for d in before)


def test_gp103_copies_the_safe_values_and_says_which_it_leaves(tmp_path, capsys):
    _write(tmp_path, {"Dockerfile": WEAK_STAGE.replace("ARG GOPROXY\n", "").replace(
        "GOFLAGS=-insecure", "GOPRIVATE=corp.example/*").replace("http://127.0.0.1:3000", "https://goproxy.example.com")})
    [finding] = [d for d in _json(tmp_path, capsys) if d["code"] == "GP103"]
    assert "GOPROXY, GOPRIVATE and GONOSUMDB" in finding["message"]
    assert "not copied by the fix: GONOSUMDB=*" in finding["message"]
    _fix(tmp_path)
    build = (tmp_path / "Dockerfile").read_text().split("AS build\n")[1]
    assert build.startswith("ENV GOPROXY=https://goproxy.example.com\nENV GOPRIVATE=corp.example/*\nRUN")
    # the stage still lacks GONOSUMDB and is still reported, without a fix
    [left] = [d for d in _json(tmp_path, capsys) if d["code"] == "GP103"]
    assert left["fix"] is None and "runs without GONOSUMDB" in left["message"]


def test_gp103_one_finding_per_stage(tmp_path, capsys):
    _write(tmp_path, {"Dockerfile": """\
FROM golang:1.22 AS tools
ENV GOPROXY=https://goproxy.example.com GOPRIVATE=corp.example/* GONOPROXY=corp.example/*
RUN go install golang.org/x/tools/cmd/stringer@v0.20.0

FROM golang:1.22 AS build
RUN go build ./...

FROM golang:1.22 AS test
RUN go test ./...
"""})
    found = [d for d in _json(tmp_path, capsys) if d["code"] == "GP103"]
    assert [d["line"] for d in found] == [6, 9]
    assert all("GOPROXY, GOPRIVATE and GONOPROXY" in d["message"] for d in found)
    assert all(d["fix"] is not None and len(d["fix"]["edits"]) == 1 for d in found)


RUNTIME = """\
FROM golang:1.22 AS build
ARG GOPROXY
RUN go build -o /app ./...

FROM golang:1.22 AS final
COPY --from=build /app /app
RUN go version
ARG GOPRIVATE
ENV GOPRIVATE=$GOPRIVATE
"""


@pytest.mark.parametrize("last_go", ["RUN go version\n", "ARG GOPROXY\nRUN go build -o /tool ./cmd/tool\n"])
def test_gp103_ignores_settings_after_the_last_go_command(tmp_path, capsys, last_go):
    _write(tmp_path, {"Dockerfile": RUNTIME.replace("RUN go version\n", last_go)})
    assert [d["code"] for d in _json(tmp_path, capsys)] == []


def test_gp103_counts_a_setting_some_later_go_command_uses(tmp_path, capsys):
    # the same ENV before the final stage's go build: a build setting, so the builder lacks it
    _write(tmp_path, {"Dockerfile": RUNTIME.replace("RUN go version\n", "") + "RUN go build ./cmd/tool\n"})
    found = [(d["code"], d["line"]) for d in _json(tmp_path, capsys)]
    assert ("GP103", 3) in found  # the builder lacks GOPRIVATE


def test_gp101_still_fires_when_the_only_goproxy_is_a_runtime_setting(tmp_path, capsys):
    _write(tmp_path, {"Dockerfile": RUNTIME.replace("ARG GOPROXY\n", "").replace("GOPRIVATE", "GOPROXY")})
    assert [d["code"] for d in _json(tmp_path, capsys)] == ["GP101"]


# -- values passed into a build ----------------------------------------------------------------------
DOCKERFILE = "FROM golang:1.22\nARG GOPROXY\nRUN go mod download\n"
WORKFLOW = """\
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build {args} -t app .
"""
BUILD_PUSH = """\
on: push
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: docker/build-push-action@v6
        with:
          context: .
          build-args: |
            {arg}
"""
GITLAB = """\
image-build:
  image: docker:27
  script:
    - docker build {args} -t app .
"""


@pytest.mark.parametrize("path,template,arg,code", [
    (".github/workflows/ci.yml", WORKFLOW, "--build-arg GOSUMDB=off", "GP301"),
    (".github/workflows/ci.yml", WORKFLOW, "--build-arg=GOPRIVATE=*", "GP301"),
    (".github/workflows/ci.yml", WORKFLOW, "--build-arg GOPROXY=https://ci:pw@goproxy.example.com", "GP302"),
    (".github/workflows/ci.yml", WORKFLOW, "--build-arg GOPROXY=DIRECT", "GP203"),
    (".github/workflows/ci.yml", WORKFLOW, "--build-arg GOPROXY=athens:3000", "GP204"),
    (".github/workflows/ci.yml", BUILD_PUSH, "GOFLAGS=-insecure", "GP301"),
    (".github/workflows/ci.yml", BUILD_PUSH, "GONOSUMDB=*", "GP301"),
    (".gitlab-ci.yml", GITLAB, "--build-arg GOINSECURE=*", "GP301"),
])
def test_a_value_passed_into_a_build_is_judged_where_it_is_written(tmp_path, capsys, path, template, arg, code):
    text = template.format(args=arg, arg=arg)
    dockerfile = DOCKERFILE.replace("ARG GOPROXY\n", "")  # GP105 for GOPROXY too, and GP101
    _write(tmp_path, {path: text, "Dockerfile": dockerfile})
    found = _json(tmp_path, capsys)
    line = next(i for i, row in enumerate(text.splitlines(), 1) if arg in row)
    assert any(d["code"] == code and d["line"] == line and d["path"].endswith(path) for d in found), found
    # GP105 (and GP101 for GOPROXY) report the undeclared ARG, but never open the path for that value
    name = arg.removeprefix("--build-arg").strip(" =").split("=")[0]
    declaring = [d for d in found if d["code"] == "GP105" or (d["code"] == "GP101" and name == "GOPROXY")]
    assert any(d["code"] == "GP105" for d in declaring)
    assert all(d["fix"] is None and "no fix" in d["message"] for d in declaring)
    _fix(tmp_path)
    if f"ARG {name}\n" in (tmp_path / "Dockerfile").read_text():
        # only once the value's own fix made it right (DIRECT -> direct), never before
        assert not [d for d in _json(tmp_path, capsys) if d["code"] == code], "ARG declared for a reported value"


def test_gp105_still_declares_a_plain_value(tmp_path):
    _write(tmp_path, {".github/workflows/ci.yml": WORKFLOW.format(args="--build-arg GONOSUMDB=corp.example"),
                      "Dockerfile": DOCKERFILE})
    _fix(tmp_path)
    assert "ARG GONOSUMDB\n" in (tmp_path / "Dockerfile").read_text()


def test_gp105_judges_the_job_value_of_a_bare_build_arg(tmp_path, capsys):
    workflow = WORKFLOW.format(args="--build-arg GOSUMDB").replace("    runs-on:", "    env:\n      GOSUMDB: \"off\"\n    runs-on:")
    _write(tmp_path, {".github/workflows/ci.yml": workflow, "Dockerfile": DOCKERFILE})
    [gp105] = [d for d in _json(tmp_path, capsys) if d["code"] == "GP105"]
    assert gp105["fix"] is None
    _fix(tmp_path)
    assert (tmp_path / "Dockerfile").read_text() == DOCKERFILE


def test_gp104_does_not_carry_a_reported_job_value_into_the_build(tmp_path, capsys):
    workflow = WORKFLOW.format(args="").replace("    runs-on:", "    env:\n      GOFLAGS: -insecure\n    runs-on:")
    _write(tmp_path, {".github/workflows/ci.yml": workflow,
                      "Dockerfile": DOCKERFILE.replace("ARG GOPROXY", "ARG GOPROXY\nARG GOFLAGS")})
    [gp104] = [d for d in _json(tmp_path, capsys) if d["code"] == "GP104"]
    assert gp104["fix"] is None and "GP301" in gp104["message"]
    # while a plain value is still passed
    _write(tmp_path, {".github/workflows/ci.yml": workflow.replace("-insecure", "-mod=mod")})
    [gp104] = [d for d in _json(tmp_path, capsys) if d["code"] == "GP104"]
    assert gp104["fix"] is not None


def test_gp106_does_not_copy_a_weakening_go_env_w_value(tmp_path, capsys):
    _write(tmp_path, {"Dockerfile": """\
FROM golang:1.22 AS base
RUN go env -w GOFLAGS=-insecure

FROM golang:1.22 AS build
ARG GOPROXY
RUN go build ./...
"""})
    gp106 = [d for d in _json(tmp_path, capsys) if d["code"] == "GP106"]
    assert gp106 and all(d["fix"] is None for d in gp106)


# -- GP202's removal ------------------------------------------------------------------------------
@pytest.mark.parametrize("written,expected", [
    ("ENV GOPROXY=off GO111MODULE=off", "ENV GOPROXY=off"),
    ("ENV GO111MODULE=off GOPROXY=off", "ENV GOPROXY=off"),
    ("ENV A=1\tGO111MODULE=off\tB=2", "ENV A=1\tB=2"),
    ("ENV GOPROXY=off \\\n    GO111MODULE=off", "ENV GOPROXY=off"),
    ("ENV GO111MODULE=off \\\n    GOPROXY=off", "ENV GOPROXY=off"),
    ("ENV A=1 \\\n    GO111MODULE=off \\\n    B=2", "ENV A=1 \\\n    B=2"),
    ("RUN GO111MODULE=off go build ./...", "RUN go build ./..."),
    # a comment line separates it from its neighbour: the ENV ends after that neighbour and the
    # comment stays, outside it (deleting the pair alone would let the RUN join the ENV, §16.5)
    ("ENV A=1 \\\n# why\n    GO111MODULE=off", "ENV A=1\n# why"),
])
def test_gp202_removes_a_pair_with_its_gap(tmp_path, written, expected):
    head = "FROM golang:1.22\nARG GOPROXY\n"
    _write(tmp_path, {"Dockerfile": head + written + "\nRUN go build ./...\n"})
    _fix(tmp_path, "--select", "GP202")
    assert (tmp_path / "Dockerfile").read_text() == head + expected + "\nRUN go build ./...\n"


def test_gp202_removal_keeps_crlf(tmp_path):
    _write(tmp_path, {})
    (tmp_path / "Dockerfile").write_bytes(b"FROM golang:1.22\r\nARG GOPROXY\r\nENV A=1 \\\r\n  GO111MODULE=off\r\n"
                                          b"RUN go build ./...\r\n")
    _fix(tmp_path, "--select", "GP202")
    assert (tmp_path / "Dockerfile").read_bytes() == b"FROM golang:1.22\r\nARG GOPROXY\r\nENV A=1\r\nRUN go build ./...\r\n"


# -- GP501: what each Go version does --------------------------------------------------------------
@pytest.mark.parametrize("image,go_line,says", [
    ("1.21-alpine", "1.22.4", "GOTOOLCHAIN=local"),
    ("1.20-alpine", "1.21.4", "invalid go version '1.21.4': must match format 1.23"),
    ("1.19", "1.22.0", "invalid go version '1.22.0'"),
    ("1.20", "1.22", "cannot compile Go 1.22 code"),
    ("1.20.8", "1.23", "cannot compile Go 1.23 code"),
    ("1.19.13", "1.22", "cannot compile Go 1.22 code"),
    ("1.20.7", "1.22", "note: module requires Go 1.22"),
    ("1.19.12", "1.22", "note: module requires Go 1.22"),
    ("1.18", "1.21", "note: module requires Go 1.21"),
    ("1.20", "1.21", "note: module requires Go 1.21"),
])
def test_gp501_says_what_the_image_go_does(tmp_path, capsys, image, go_line, says):
    _write(tmp_path, {"Dockerfile": f"FROM golang:{image}\nARG GOPROXY\nRUN go build ./...\n",
                      "go.mod": f"module example.com/app\n\ngo {go_line}\n"})
    [finding] = [d for d in _json(tmp_path, capsys) if d["code"] == "GP501"]
    assert says in finding["message"]
    assert ("GOTOOLCHAIN" in finding["message"]) == image.startswith("1.21")


def test_gp501_before_1_21_nothing_switches(tmp_path, capsys):
    # GOTOOLCHAIN=auto means nothing to Go 1.20, and its toolchain line is not judged
    _write(tmp_path, {"Dockerfile": "FROM golang:1.20.14\nARG GOPROXY\nENV GOTOOLCHAIN=auto\nRUN go build ./...\n",
                      "go.mod": "module example.com/app\n\ngo 1.20\n\ntoolchain go1.23.2\n"})
    assert [d for d in _json(tmp_path, capsys) if d["code"] == "GP501"] == []


# -- the property: no fix adds a GP301/GP302 finding or inserts a value a rule reports ----------------
def _inserted_ranges(before: str, after: str) -> list[tuple[int, int]]:
    matcher = difflib.SequenceMatcher(None, before, after, autojunk=False)
    return [(j1, j2) for op, _i1, _i2, j1, j2 in matcher.get_opcodes() if op in ("insert", "replace")]


def _text_files(root: Path) -> dict[str, str]:
    out = {}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in names:
            try:
                out[os.path.join(folder, name)] = Path(folder, name).read_text(encoding="utf-8")
            except (UnicodeDecodeError, OSError):
                pass
    return out


def check_fix_safety(root: Path) -> None:
    before_files = _text_files(root)
    before = _lint(root)
    _fix(root)
    after_files = _text_files(root)
    if after_files == before_files:
        return
    after = _lint(root)
    for code in ("GP301", "GP302"):
        was = sum(d.code == code for d in before)
        now = sum(d.code == code for d in after)
        assert now <= was, f"--fix raised {code} findings {was} -> {now}"
    counts = {}
    for d in before:
        counts[d.code, d.source.abspath] = counts.get((d.code, d.source.abspath), 0) + 1
    for d in after:
        if d.code not in VALUE_RULES:
            continue
        path = d.source.abspath
        if before_files.get(path) == after_files.get(path):
            continue
        if sum(e.code == d.code and e.source.abspath == path for e in after) <= counts.get((d.code, path), 0):
            continue  # a value rewritten in place that the rule still reports (GP204's http://) spreads nothing
        for start, end in _inserted_ranges(before_files.get(path, ""), after_files.get(path, "")):
            assert not (start < d.span.end and d.span.start < end), (
                f"a fix inserted a value {d.code} reports in {d.source.path}: {d.message}")


def _example_cases():
    for doc in all_docs():
        for ex in examples(doc):
            yield pytest.param(ex.files, id=f"{doc.stem}-{ex.kind}-{ex.title}")


def _fixture_dirs():
    for path in sorted((ROOT / "fixtures").glob("*/*")):
        if path.is_dir():
            yield pytest.param(path, id=str(path.relative_to(ROOT)))


@pytest.mark.parametrize("all_rules", [False, True], ids=["defaults", "all-rules"])
@pytest.mark.parametrize("files", list(_example_cases()))
def test_fixing_a_rule_doc_example_never_weakens_it(tmp_path, files, all_rules):
    files = dict(files)
    if all_rules and "gplint.toml" not in files:
        files["gplint.toml"] = ALL_RULES
    _write(tmp_path, files)
    check_fix_safety(tmp_path)


@pytest.mark.parametrize("all_rules", [False, True], ids=["defaults", "all-rules"])
@pytest.mark.parametrize("fixture", list(_fixture_dirs()))
def test_fixing_a_fixture_never_weakens_it(tmp_path, fixture, all_rules):
    root = tmp_path / "repo"
    shutil.copytree(fixture, root)
    (root / ".git").mkdir(exist_ok=True)
    if all_rules:
        (root / "gplint.toml").write_text(ALL_RULES)
    check_fix_safety(root)


@pytest.mark.parametrize("all_rules", [False, True], ids=["defaults", "all-rules"])
@pytest.mark.parametrize("seed", sorted((FUZZ / "seeds").iterdir()), ids=lambda p: p.name)
def test_fixing_a_fuzz_seed_never_weakens_it(tmp_path, seed, all_rules):
    data = seed.read_bytes()
    name, _, body = fuzz_gplint.describe(data)
    fuzz_gplint._make_repository(str(tmp_path), name, all_rules, body)
    check_fix_safety(tmp_path)


def test_the_property_catches_a_spreading_fix(tmp_path, monkeypatch):
    """The check above can fail: with the shared decision switched off, GP103 spreads GONOSUMDB=*."""
    from gplint.rules import gp103_env_not_inherited

    monkeypatch.setattr(gp103_env_not_inherited, "copy_refusal", lambda *a, **k: None)
    _write(tmp_path, {"Dockerfile": WEAK_STAGE})
    with pytest.raises(AssertionError, match="GP301"):
        check_fix_safety(tmp_path)


@pytest.mark.parametrize("files", [c for c in _example_cases() if "Bad" in c.id])
def test_every_reported_value_is_refused_for_copying(tmp_path, files):
    """The rules and copy_refusal agree: a value a value rule reports where it is written is a
    value no fix may copy (the one shared decision cannot drift from the rules)."""
    from gplint.project import Project, lower

    files = dict(files)
    files.setdefault("gplint.toml", ALL_RULES)
    _write(tmp_path, files)
    selection, _root, _targets, result = fuzz_gplint._lint(str(tmp_path))
    written = ("GP203", "GP204", "GP206", "GP301", "GP302", "GP303")  # judged where written, not in context
    for source in result.sources.values():
        if source.kind == "dockerignore":
            continue
        doc = lower(source, Project(str(tmp_path)))
        for setting in doc.settings():
            if setting.value is None or setting.dynamic:
                continue
            hits = [d for d in result.diagnostics if d.code in written and d.source.abspath == source.abspath
                    and setting.span.start <= d.span.start and d.span.end <= max(setting.span.end, setting.stmt.end)
                    and d.key.split(":")[1:2] == [setting.name]]
            if hits:
                assert copy_refusal(setting.name, setting.value, selection.options), (
                    f"{hits[0].code} reports {setting.name}={setting.value!r}, but copy_refusal lets it through")
