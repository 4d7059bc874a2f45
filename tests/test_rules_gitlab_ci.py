"""GP208 gitlab-boolean-variable: Psych's YAML 1.1 booleans in GitLab `variables:`, the value the
model gives them (what go sees), the quoting fix, and that the other rules follow that value."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gplint.cli import main
from gplint.formats import glci
from gplint.semantics.yaml11 import gitlab_variable_text, psych_boolean
from gplint.source import Source

BIN = Path(sys.executable).parent


def _tool(name):
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


def lint(capsys, *args):
    status = main(["--no-cache", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    def make(files: dict[str, str]) -> Path:
        (tmp_path / ".git").mkdir(exist_ok=True)
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        monkeypatch.chdir(tmp_path)
        return tmp_path
    return make


@pytest.mark.parametrize("text,expected", [
    ("on", True), ("On", True), ("ON", True), ("oN", True), ("yes", True), ("YES", True), ("true", True),
    ("TRUE", True), ("tRuE", True), ("off", False), ("Off", False), ("OFF", False), ("no", False),
    ("No", False), ("false", False), ("False", False),
    ("y", None), ("n", None), ("Y", None), ("N", None), ("onn", None), ("", None), ("1", None),
    ("enabled", None), ("off,direct", None),
])
def test_psych_booleans(text, expected):
    # Psych ScalarScanner#tokenize: /^(yes|true|on)$/i and /^(no|false|off)$/i, nothing else (§13.13)
    assert psych_boolean(text) is expected
    assert psych_boolean(text, style='"') is None  # quoted: never tokenized
    assert psych_boolean(text, tag="tag:yaml.org,2002:str") is None  # !!str
    if expected is not None:
        assert gitlab_variable_text(text) == ("true" if expected else "false")
    else:
        assert gitlab_variable_text(text) == text


def test_gitlab_passes_a_boolean_on_as_the_string_true(tmp_path):
    # Entry::Variable stores @config.to_s: the job sees "true"/"false", never the word written (§13.11)
    text = ("variables:\n  GO111MODULE: on\n  GOSUMDB: 'off'\n  GOPROXY: !!str off\n"
            "j:\n  variables:\n    GOFLAGS: {value: No}\n  script:\n    - go build\n")
    doc = glci.lower(Source(".gitlab-ci.yml", str(tmp_path / ".gitlab-ci.yml"), "gitlab", text))
    initial = doc.scopes[0].initial
    assert (initial["GO111MODULE"].value, initial["GO111MODULE"].raw_value) == ("true", "on")
    assert initial["GOSUMDB"].value == "off"
    assert initial["GOPROXY"].value == "off"
    assert (initial["GOFLAGS"].value, initial["GOFLAGS"].raw_value) == ("false", "No")


BAD = """\
variables:
  GO111MODULE: on
  GOSUMDB: off   # no checksum database
  GOENV: Off
  DEBUG: yes
build:
  image: golang:1.22
  variables:
    GOPRIVATE: {value: no, expand: false}
    GOPROXY:
      value: off
  script:
    - go build ./...
"""

# GOSUMDB: "off" would switch verification off (GP301) and `Off` is no keyword go knows even
# quoted: those two are reported, never rewritten
FIXED = """\
variables:
  GO111MODULE: "on"
  GOSUMDB: off   # no checksum database
  GOENV: Off
  DEBUG: yes
build:
  image: golang:1.22
  variables:
    GOPRIVATE: {value: "no", expand: false}
    GOPROXY:
      value: "off"
  script:
    - go build ./...
"""


def test_gp208_reports_go_variables_with_the_value_go_sees(repo, capsys):
    repo({".gitlab-ci.yml": BAD})
    status, diags = lint(capsys, "--select", "GP208")
    assert status == 1
    got = sorted((d["line"], d["message"].split("`")[1]) for d in diags)
    assert got == [(2, "GO111MODULE: on"), (3, "GOSUMDB: off"), (4, "GOENV: Off"), (9, "GOPRIVATE: no"),
                   (11, "GOPROXY: off")]
    by_line = {d["line"]: d for d in diags}
    assert "GO111MODULE=true" in by_line[2]["message"]
    assert "GOSUMDB=false" in by_line[3]["message"] and "checksum database named `false`" in by_line[3]["message"]
    assert "invalid proxy URL missing scheme: false" in by_line[11]["message"]
    # never a fix that turns verification off, nor one that keeps a word go does not know
    assert "GP301" in by_line[3]["message"] and not by_line[3].get("fix")
    assert 'write `"off"`' in by_line[4]["message"] and not by_line[4].get("fix")


def test_gp208_fix_quotes_only_the_value_is_idempotent_and_schema_valid(repo, capsys):
    root = repo({".gitlab-ci.yml": BAD})
    main(["--no-cache", "--fix", "--select", "GP208"])
    capsys.readouterr()
    path = root / ".gitlab-ci.yml"
    assert path.read_text() == FIXED
    before = path.stat().st_mtime_ns
    main(["--no-cache", "--fix", "--select", "GP208"])
    capsys.readouterr()
    assert path.read_text() == FIXED and path.stat().st_mtime_ns == before  # nothing to fix: not written
    assert [d["line"] for d in lint(capsys, "--select", "GP208")[1]] == [3, 4]  # reported, not fixable
    check = _tool("check-jsonschema")
    if check is None:
        pytest.skip("check-jsonschema is not installed")
    result = subprocess.run([check, "--builtin-schema", "vendor.gitlab-ci", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_gp208_keeps_crlf_and_reports_in_included_files(repo, capsys):
    root = repo({
        ".gitlab-ci.yml": "include:\n  - local: ci/go.yml\nbuild:\n  extends: .go\n  script:\n    - go build\n",
        "ci/go.yml": ".go:\n  variables:\r\n    GOENV: off\r\n",
    })
    status, diags = lint(capsys, "--select", "GP208", ".gitlab-ci.yml")
    assert [(d["path"], d["line"]) for d in diags] == [("ci/go.yml", 3)]
    main(["--no-cache", "--fix", "--select", "GP208", ".gitlab-ci.yml"])
    capsys.readouterr()
    assert (root / "ci/go.yml").read_bytes() == b'.go:\n  variables:\r\n    GOENV: "off"\r\n'


@pytest.mark.parametrize("files", [
    {".gitlab-ci.yml": "variables:\n  GO111MODULE: \"on\"\n  GOSUMDB: 'off'\nb:\n  script: [go build]\n"},
    {".gitlab-ci.yml": "variables:\n  GOPROXY: !!str off\nb:\n  script: [go build]\n"},
    {".gitlab-ci.yml": "variables:\n  GOFLAGS: y\n  GOPRIVATE: n\nb:\n  script: [go build]\n"},
    {".gitlab-ci.yml": "variables:\n  CI_DEBUG_TRACE: on\n  FEATURE: off\nb:\n  script: [go build]\n"},
    # GitHub Actions' parser reads `on` as a string: never reported there
    {".github/workflows/ci.yml": "on: push\nenv:\n  GO111MODULE: on\njobs:\n  b:\n    runs-on: x\n"
                                 "    steps:\n      - run: go build\n"},
])
def test_gp208_silent(repo, capsys, files):
    repo(files)
    assert lint(capsys, "--select", "GP208") == (0, [])


def test_other_rules_judge_the_value_go_sees(repo, capsys):
    # a plain `off` is "false": not a disabled checksum database (GP301), and a quoted one is
    repo({".gitlab-ci.yml": "variables:\n  GOSUMDB: off\nb:\n  script: [go build]\n"})
    assert lint(capsys, "--select", "GP301") == (0, [])
    repo({".gitlab-ci.yml": "variables:\n  GOSUMDB: \"off\"\nb:\n  script: [go build]\n"})
    assert [d["code"] for d in lint(capsys, "--select", "GP301")[1]] == ["GP301"]
    # GO111MODULE: on is GO111MODULE=true, which go rejects: GP208 reports the cause once, and
    # GP202 / GP203 leave a YAML boolean to it (one cause, one finding)
    repo({".gitlab-ci.yml": "variables:\n  GO111MODULE: on\n  GOPROXY: off\nb:\n  script: [go build]\n"})
    found = lint(capsys)[1]
    assert [(d["code"], d["line"]) for d in found] == [("GP208", 2), ("GP208", 3)]
    assert "GO111MODULE=true" in found[0]["message"] and "missing scheme: false" in found[1]["message"]
    # an invalid value GitLab passes as written is still GP202's
    repo({".gitlab-ci.yml": "variables:\n  GO111MODULE: \"true\"\nb:\n  script: [go build]\n"})
    messages = [d["message"] for d in lint(capsys, "--select", "GP202")[1]]
    assert len(messages) == 1 and "'true'" in messages[0]
