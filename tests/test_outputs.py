"""What a run tells its user: configuration forms, suppressions of unknown codes, statistics,
runs that lint nothing, the summary after --fix, and secrets kept out of every output."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main

BAD = "FROM golang:1.22 AS build\nRUN go mod download\n"


def run(capsys, *args):
    status = main(list(args))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    return tmp_path


# ------------------------------------------------------------------------- configuration forms

@pytest.mark.parametrize("content", [
    'ignore = ["GP101"]\n',
    '[tool.gplint]\nignore = ["GP101"]\n',  # the pyproject.toml form, copied into gplint.toml
])
def test_gplint_toml_accepts_top_level_and_tool_gplint_forms(repo, capsys, content):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "gplint.toml").write_text(content)
    assert run(capsys, "--format", "json") == (0, "[]\n", "")
    assert run(capsys, "--format", "json", "--config", "gplint.toml") == (0, "[]\n", "")


@pytest.mark.parametrize("content,message", [
    ('select = ["GP1"]\n[tool.gplint]\nignore = ["GP101"]\n', "keep one form"),
    ('[tool.ruff]\nline-length = 1\n', "[tool.gplint]"),
    ('[tool.gplint]\nselekt = ["GP1"]\n', "selekt"),
])
def test_gplint_toml_mixed_or_foreign_forms_are_exit_2(repo, capsys, content, message):
    (repo / "Dockerfile").write_text(BAD)
    (repo / "gplint.toml").write_text(content)
    status, _, err = run(capsys)
    assert status == 2 and message in err and "gplint.toml" in err


# ----------------------------------------------------------------- suppressions of unknown codes

def _gp002(capsys):
    status, out, _ = run(capsys, "--format", "json")
    return [(d["line"], d["message"]) for d in json.loads(out) if d["code"] == "GP002"]


def test_suppression_with_an_unknown_code_is_reported(repo, capsys):
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\n# gplint: ignore[GP999]\nRUN go build\n")
    assert _gp002(capsys) == [(3, "unused suppression: unknown rule code GP999, which ignores nothing "
                                  "(`gplint rules` lists the rules)")]


def test_unknown_code_next_to_a_used_one_is_still_reported(repo, capsys):
    (repo / "Dockerfile").write_text(
        "FROM golang:1.22\n# gplint: ignore[GP101, goproxy-unset, GP9]\nRUN go build\n")
    (line, message), = _gp002(capsys)  # GP101 is used: only the unknown items are reported
    assert line == 2 and "unknown rule codes goproxy-unset, GP9," in message


def test_known_codes_names_and_prefixes_are_not_unknown(repo, capsys):
    (repo / "Dockerfile").write_text(
        "FROM golang:1.22\n# gplint: ignore[goproxy-unset-in-stage, GP1, all]\nRUN go build\n")
    assert _gp002(capsys) == []


# ------------------------------------------------------------------------------------ statistics

def test_statistics_replace_the_listing_on_stdout(repo, capsys):
    (repo / "Dockerfile").write_text(BAD + "ENV GOPROXY=DIRECT\n")
    status, out, err = run(capsys, "--statistics")
    assert status == 1 and err == ""
    assert out.splitlines() == ["1\tGP101\t[*] goproxy-unset-in-stage", "1\tGP203\t[*] invalid-goproxy",
                                "[*] fixable with --fix (or --unsafe-fixes)"]
    status, out, _ = run(capsys, "--statistics", "--format", "json")
    assert json.loads(out) == [
        {"code": "GP101", "name": "goproxy-unset-in-stage", "count": 1, "fixable": True},
        {"code": "GP203", "name": "invalid-goproxy", "count": 1, "fixable": True}]


# ------------------------------------------------------------------------ runs that lint nothing

NOTHING = "gplint: warning: no files were linted"


def test_a_run_that_lints_nothing_warns_and_claims_no_pass(repo, capsys):
    (repo / "README.md").write_text("no Dockerfile here\n")
    status, out, err = run(capsys)
    assert status == 0 and out == "" and err.startswith(NOTHING)
    status, out, err = run(capsys, "--format", "json")
    assert (status, out) == (0, "[]\n") and err.startswith(NOTHING)


WORKFLOW = """\
on: push
env:
  GOPROXY: https://proxy.golang.org,DIRECT
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go build ./...
"""


@pytest.mark.parametrize("where,arg", [
    (".", ".github/workflows"), (".", ".github"), (".", ".github/workflows/ci.yml"), (".", "."),
    (".github/workflows", "."), (".github", "workflows"),
])
def test_a_workflow_is_linted_by_its_path_without_git(tmp_path, monkeypatch, capsys, where, arg):
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    monkeypatch.chdir(tmp_path / where)
    status, out, err = run(capsys, "--format", "json", arg)
    assert status == 1 and NOTHING not in err
    assert [(d["code"], d["line"]) for d in json.loads(out)] == [("GP203", 3)]


# ------------------------------------------------------------------------------- what --fix did

def test_fix_says_what_it_changed_and_counts(repo, capsys):
    (repo / "Dockerfile").write_text(BAD)
    status, out, err = run(capsys, "--fix")
    assert status == 0 and err == ""
    assert out == "Fixed 1 finding in Dockerfile.\nFound 1 diagnostic (1 fixed, 0 remaining).\n"
    assert run(capsys, "--fix") == (0, "All checks passed.\n", "")  # nothing left: nothing written


def test_a_fix_that_cannot_be_written_is_counted_and_its_finding_remains(repo, capsys):
    (repo / "a").mkdir()
    (repo / "b").mkdir()
    (repo / "a" / "Dockerfile").write_text(BAD)
    (repo / "b" / "Dockerfile").write_text(BAD)
    (repo / "b" / "Dockerfile").chmod(0o444)
    status, out, err = run(capsys, "--fix", "--no-color")
    assert status == 2
    assert "b/Dockerfile: it is read-only; not overwritten" in err
    assert "All checks passed." not in out
    assert "b/Dockerfile:2:5: GP101" in out and "a/Dockerfile:2" not in out
    assert "Fixed 1 finding in a/Dockerfile.\n" in out
    assert out.endswith("Found 2 diagnostics (1 fixed, 1 remaining). 1 fix could not be written. "
                        "1 fixable with --fix.\n")
    assert (repo / "b" / "Dockerfile").read_text() == BAD
    status, out, err = run(capsys, "--fix", "--format", "json")  # machine output stays clean
    assert status == 2 and [d["path"] for d in json.loads(out)] == ["b/Dockerfile"]


def test_findings_fixed_by_one_shared_edit_are_all_counted(repo, capsys):
    # GP101 (the stage has no GOPROXY) and GP105 (the Makefile passes one the stage never
    # declares) are both fixed by the one `ARG GOPROXY` line: two findings fixed, not one
    (repo / "go.mod").write_text("module m\n\ngo 1.22\n")
    (repo / "Dockerfile").write_text("FROM golang:1.22\nCOPY . .\nRUN go build ./...\n")
    (repo / "Makefile").write_text("image:\n\tdocker build --build-arg GOPROXY=https://p.example -t app .\n")
    assert sorted(d["code"] for d in json.loads(run(capsys, "--format", "json")[1])) == ["GP101", "GP105"]
    status, out, err = run(capsys, "--fix", "--no-color")
    assert status == 0 and err == ""
    assert out == ("Fixed 1 finding in Dockerfile, and changed it for 1 fix of a finding in Makefile.\n"
                   "Found 2 diagnostics (2 fixed, 0 remaining).\n")
    assert (repo / "Dockerfile").read_text().count("ARG GOPROXY") == 1


@pytest.fixture
def github_build(tmp_path, monkeypatch):
    import shutil
    from pathlib import Path

    src = Path(__file__).resolve().parent.parent / "fixtures" / "ci" / "github-build"
    shutil.copytree(src, tmp_path / "p")
    (tmp_path / "p" / ".git").mkdir()
    monkeypatch.chdir(tmp_path / "p")
    return tmp_path / "p"


def test_fix_announces_files_changed_by_fixes_of_other_files(github_build, capsys):
    before = (github_build / "build" / "Dockerfile").read_text()
    status, out, err = run(capsys, "--fix", "--no-color")
    assert (github_build / "build" / "Dockerfile").read_text() != before  # GP105 gave it an ARG
    assert "Fixed 3 findings in .github/workflows/image.yml.\n" in out
    assert "Changed build/Dockerfile for 1 fix of a finding in .github/workflows/image.yml.\n" in out
    assert out.endswith("Found 5 diagnostics (3 fixed, 2 remaining).\n")


def test_show_fixes_lists_the_rules_behind_every_changed_file(github_build, capsys):
    status, out, err = run(capsys, "--fix", "--show-fixes", "--format", "json")
    json.loads(out)  # the report alone on stdout; what --fix did on stderr
    assert err == (
        "Fixed 3 findings in .github/workflows/image.yml.\n"
        "    2 × GP104 (build-arg-not-passed)\n"
        "    1 × GP105 (build-arg-not-declared)\n"
        "Changed build/Dockerfile for 1 fix of a finding in .github/workflows/image.yml.\n"
        "    1 × GP105 (build-arg-not-declared) in .github/workflows/image.yml\n")


# ------------------------------------------------------------------------------------- secrets

SECRET_DOCKERFILE = """\
FROM golang:1.22 AS build
ENV GOPROXY=https://ci:PASSWORD@goproxy.corp.example/,DIRECT
RUN GOPROXY=https://bot:PASSWORD%40x@proxy.corp.example go mod download
"""
SECRET_WORKFLOW = """\
on: push
env:
  GOPROXY: https://ci:PASSWORD@goproxy.corp.example/,DIRECT
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: go build ./...
"""
SECRET_GITLAB = """\
variables:
  GOPROXY: "ci:PASSWORD@goproxy.corp.example,Direct"
build:
  image: golang:1.22
  script:
    - go build ./...
"""


@pytest.fixture
def secrets(repo):
    (repo / "Dockerfile").write_text(SECRET_DOCKERFILE)
    (repo / ".github" / "workflows").mkdir(parents=True)
    (repo / ".github" / "workflows" / "ci.yml").write_text(SECRET_WORKFLOW)
    (repo / ".gitlab-ci.yml").write_text(SECRET_GITLAB)
    return repo


@pytest.fixture
def short_docs(monkeypatch):
    """SARIF carries every rule's page; a short stand-in keeps the snapshot about the findings."""
    from gplint.registry import rules
    from gplint.report import sarif

    monkeypatch.setattr(sarif, "doc_text", lambda code: f"---\ncode: {code}\n---\n# {code} {rules()[code].name}\n")


@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github", "gitlab"])
def test_no_format_prints_a_password(secrets, capsys, snapshot, short_docs, fmt):
    status, out, err = run(capsys, "--format", fmt, "--no-color", "--extend-select", "GP205")
    assert status == 1
    assert "PASSWORD" not in out and "PASSWORD" not in err
    assert "ci:****@goproxy.corp.example" in out  # the rest of the URL still says which proxy
    assert out == snapshot


def test_text_snippet_carets_follow_the_masked_line(secrets, capsys):
    _, out, _ = run(capsys, "--no-color", "Dockerfile")
    assert (" 2 | ENV GOPROXY=https://ci:****@goproxy.corp.example/,DIRECT\n"
            "   |                     ^^^^^^^^\n") in out  # GP302: the userinfo, masked
    assert (" 2 | ENV GOPROXY=https://ci:****@goproxy.corp.example/,DIRECT\n"
            "   |                                                   ^^^^^^\n") in out  # GP203: DIRECT


def test_diff_masks_every_line_and_says_it_will_not_apply(secrets, capsys):
    status, out, err = run(capsys, "--diff", "Dockerfile")
    assert status == 1 and "PASSWORD" not in out + err
    assert "-ENV GOPROXY=https://ci:****@goproxy.corp.example/,DIRECT\n" in out
    assert "+ENV GOPROXY=https://ci:****@goproxy.corp.example/,direct\n" in out
    assert " RUN GOPROXY=https://bot:****@proxy.corp.example go mod download\n" in out  # context line
    assert "does not apply as a patch; `gplint --fix` applies these fixes" in err
    assert (secrets / "Dockerfile").read_text() == SECRET_DOCKERFILE


def test_diff_without_secrets_in_changed_lines_has_no_note(repo, capsys):
    (repo / "Dockerfile").write_text(BAD + "ENV A=https://u:PASSWORD@h/x\n")
    status, out, err = run(capsys, "--diff")
    assert status == 1 and "PASSWORD" not in out and err == ""
    assert "+ARG GOPROXY\n" in out and " ENV A=https://u:****@h/x" in out


def test_fix_writes_the_real_bytes_and_prints_no_password(secrets, capsys):
    status, out, err = run(capsys, "--fix", "--show-fixes", "Dockerfile")
    assert "PASSWORD" not in out + err
    assert (secrets / "Dockerfile").read_text() == SECRET_DOCKERFILE.replace(",DIRECT", ",direct")


def test_baseline_stores_no_password_and_still_matches(secrets, capsys):
    status, _, err = run(capsys, "--write-baseline", "baseline.json")
    stored = (secrets / "baseline.json").read_text()
    assert status == 0 and "PASSWORD" not in stored and "****" in stored
    assert run(capsys, "--baseline", "baseline.json")[0] == 0
    # a baseline written before masking held the secret: it still matches
    old = json.loads(stored)
    for item in old["findings"]:
        item["text"] = item["text"].replace("****", "PASSWORD")
        item["key"] = item["key"].replace("****", "PASSWORD")
    (secrets / "old.json").write_text(json.dumps(old))
    assert run(capsys, "--baseline", "old.json")[0] == 0


def _with_credentials(data: bytes) -> bytes:
    """Every http(s) URL given a user and the password PASSWORD."""
    import re

    return re.sub(rb"(https?://)(?![^/\s@]*@)", rb"\1u:PASSWORD@", data)


def test_no_output_of_any_seed_prints_a_password(tmp_path, monkeypatch, capsys):
    """Every fuzz seed and fixture, its URLs given credentials, every rule on, linted in every
    format, diffed and fixed: no rule's message, snippet or fix may carry the password out."""
    import sys
    from pathlib import Path

    top = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(top / "fuzz"))
    import fuzz_gplint

    cases = []
    for seed in sorted((top / "fuzz" / "seeds").iterdir()):
        name, _, body = fuzz_gplint.describe(seed.read_bytes())
        cases.append({name: body})
    for project in sorted(p for p in (top / "fixtures").glob("*/*") if p.is_dir()):
        cases.append({str(f.relative_to(project)): f.read_bytes() for f in project.rglob("*") if f.is_file()})
    injected = 0
    for i, files in enumerate(cases):
        root = tmp_path / str(i)
        (root / ".git").mkdir(parents=True)
        (root / "gplint.toml").write_text('select = ["ALL"]\npreview = true\n')
        for name, body in files.items():
            (root / name).parent.mkdir(parents=True, exist_ok=True)
            (root / name).write_bytes(_with_credentials(body))
            injected += b"PASSWORD" in (root / name).read_bytes()
        monkeypatch.chdir(root)
        for args in [("--format", f) for f in ("text", "concise", "json", "sarif", "github", "gitlab")] + [
                ("--diff", "--unsafe-fixes"), ("--statistics",), ("--write-baseline", "b.json"),
                ("--fix", "--unsafe-fixes", "--show-fixes")]:
            status, out, err = run(capsys, *args, "--no-cache")
            assert "PASSWORD" not in out + err, (files, args)
        assert "PASSWORD" not in (root / "b.json").read_text()
    assert injected >= 10  # the test really had secrets to leak


def _diff_of(before: str, after: str, capsys):
    from types import SimpleNamespace

    from gplint.fix_session import unified_diff as _diff
    from gplint.source import Source

    source = Source("Dockerfile", "/r/Dockerfile", "dockerfile", before)
    out = _diff(SimpleNamespace(texts={"/r/Dockerfile": after}), {"/r/Dockerfile": source}, None)
    return out, capsys.readouterr().err


def test_a_diff_that_would_write_a_masked_password_is_left_out(capsys):
    before = "FROM x\nRUN a\n"
    out, err = _diff_of(before, "FROM x\nENV P=https://u:PASSWORD@h\nRUN a\n", capsys)
    assert out == "" and "its diff is left out" in err and "PASSWORD" not in err
    # removing the masked line too makes the hunk fail to match: shown, with the note
    before = "FROM x\nENV P=https://u:PASSWORD@h,DIRECT\n"
    out, err = _diff_of(before, "FROM x\nENV P=https://u:PASSWORD@h,direct\n", capsys)
    assert "+ENV P=https://u:****@h,direct\n" in out and "does not apply as a patch" in err


def test_without_git_a_workflow_folder_is_linted_against_the_repository_around_it(tmp_path, monkeypatch, capsys):
    """The Dockerfiles a workflow builds (`context: .`) are found next to `.github`, so the
    cross-file rules (GP104, GP105) still see them."""
    import shutil
    from pathlib import Path

    shutil.copytree(Path(__file__).resolve().parent.parent / "fixtures" / "ci" / "github-build", tmp_path / "p")
    monkeypatch.chdir(tmp_path / "p")
    status, out, _ = run(capsys, "--format", "json", ".github/workflows")
    assert {"GP104", "GP105"} <= {d["code"] for d in json.loads(out)}


def test_ignore_file_with_an_unknown_code_is_reported(repo, capsys):
    (repo / "Dockerfile").write_text("# gplint: ignore-file[GP101,GP1O1]\nFROM golang:1.22\nRUN go build\n")
    assert [m for _, m in _gp002(capsys)] == [
        "unused suppression: unknown rule code GP1O1, which ignores nothing (`gplint rules` lists the rules)"]
