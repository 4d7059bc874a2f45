"""GP502 ci-toolchain-older-than-go-mod: setup-go v6+ (GOTOOLCHAIN=local) and golang images in CI
jobs against the go line of the go.mod / go.work the job's go commands use."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gplint.cli import main
from gplint.rulekit.toolchain_gate import refuses, satisfies

WF = ".github/workflows/ci.yml"


def lint(capsys, *args):
    status = main(["--no-cache", "--format", "json", "--select", "GP502", *args])
    return status, json.loads(capsys.readouterr().out)


@pytest.fixture
def repo(tmp_path, monkeypatch):
    def make(files: dict[str, str]):
        (tmp_path / ".git").mkdir(exist_ok=True)
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
        monkeypatch.chdir(tmp_path)
        return tmp_path
    return make


def gomod(version: str) -> str:
    return f"module example.com/m\n\ngo {version}\n"


def workflow(uses="actions/setup-go@v6", version="'1.21'", env="", job_extra="", step_extra="", run="go test ./..."):
    return (f"on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n{env}{job_extra}    steps:\n"
            f"      - uses: {uses}\n        with:\n          go-version: {version}\n"
            f"      - run: {run}\n{step_extra}")


def test_version_gates():
    # a two-part version is the newest release of that line (§15.3); the old go lines (§15.5, §15.6)
    assert satisfies((1, 22), (1, 22, 4)) and not satisfies((1, 22, 3), (1, 22, 4))
    assert refuses((1, 21, 0), (1, 22)) and refuses((1, 20), (1, 21, 4))
    assert refuses((1, 20, 8), (1, 22)) and not refuses((1, 20, 7), (1, 22))
    assert not refuses((1, 20), (1, 21))  # advisory: go 1.20 builds a `go 1.21` module


@pytest.mark.parametrize("uses,version,mod,fires", [
    ("actions/setup-go@v6", "'1.21'", "1.22.4", True),
    ("actions/setup-go@v6.0.0", "1.21.x", "1.22.4", True),
    ("actions/setup-go@v7", '"1.22.3"', "1.22.4", True),
    ("actions/setup-go@0123456789abcdef0123456789abcdef01234567 # v6.1.0", "'1.21'", "1.22.4", True),
    ("actions/setup-go@0123456789abcdef0123456789abcdef01234567", "'1.21'", "1.22.4", False),  # unknown version
    ("actions/setup-go@v5", "'1.21'", "1.22.4", False),  # GOTOOLCHAIN stays auto: switches via GOPROXY
    ("actions/setup-go@v4", "'1.21'", "1.22.4", False),
    ("actions/setup-go@v3", "'1.21'", "1.22.4", False),
    ("actions/setup-go@main", "'1.21'", "1.22.4", False),
    ("actions/setup-go@v6", "'1.22'", "1.22.4", False),  # newest 1.22 release
    ("actions/setup-go@v6", "1.22.x", "1.22.4", False),
    ("actions/setup-go@v6", "'1.22.4'", "1.22.4", False),
    ("actions/setup-go@v6", "stable", "1.22.4", False),
    ("actions/setup-go@v6", "oldstable", "1.22.4", False),
    ("actions/setup-go@v6", "'>=1.21'", "1.22.4", False),
    ("actions/setup-go@v6", "'^1.21'", "1.22.4", False),
    ("actions/setup-go@v6", "${{ env.GO }}", "1.22.4", False),
    ("actions/setup-go@v6", "'1.20'", "1.21", False),  # before 1.21 a two-part go line is advisory
    ("actions/setup-go@v6", "'1.20'", "1.21.4", True),  # ... a three-part one does not parse
    ("actions/setup-go@v6", "'1.20'", "1.22", True),  # 1.20.8+ refuses go >= 1.22
])
def test_setup_go(repo, capsys, uses, version, mod, fires):
    repo({WF: workflow(uses=uses, version=version), "go.mod": gomod(mod)})
    status, diags = lint(capsys)
    assert (len(diags) == 1) is fires, diags
    if fires:
        assert diags[0]["line"] == 8 and f"go.mod needs Go {mod}" in diags[0]["message"]


@pytest.mark.parametrize("version,fixed", [("'1.21'", "'1.22.4'"), ('"1.21"', '"1.22.4"'), ("1.21.x", "1.22.4")])
def test_setup_go_fix_keeps_quoting_and_is_idempotent(repo, capsys, version, fixed):
    root = repo({WF: workflow(version=version), "go.mod": gomod("1.22.4")})
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    text = (root / WF).read_text()
    assert text == workflow(version=fixed)
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert (root / WF).read_text() == text
    assert lint(capsys) == (0, [])
    check = Path(sys.executable).parent / "check-jsonschema"
    check_cmd = str(check) if check.exists() else shutil.which("check-jsonschema")
    if check_cmd:
        result = subprocess.run([check_cmd, "--builtin-schema", "vendor.github-workflows", str(root / WF)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_unquoted_two_part_version_is_a_yaml_number(repo, capsys):
    # `1.20` is the number 1.2 (setup-go README): reported even where 1.20 would build, and the fix
    # quotes a version YAML would read as another number
    root = repo({WF: workflow(version="1.20"), "go.mod": gomod("1.20")})
    diags = lint(capsys)[1]
    assert len(diags) == 1 and "YAML number 1.2" in diags[0]["message"]
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert "go-version: '1.20'\n" in (root / WF).read_text()
    repo({WF: workflow(version="1.22"), "go.mod": gomod("1.22.4")})
    assert lint(capsys) == (0, [])  # 1.22 stays 1.22


def test_matrix_values(repo, capsys):
    matrix = "    strategy:\n      matrix:\n        go: ['1.21', '1.22', stable]\n"
    repo({WF: workflow(version="${{ matrix.go }}", job_extra=matrix), "go.mod": gomod("1.22.0")})
    diags = lint(capsys)[1]
    assert len(diags) == 1 and "`1.21`" in diags[0]["message"] and "`1.22`" not in diags[0]["message"]
    assert "fix" not in diags[0] or not diags[0]["fix"]
    include = "    strategy:\n      matrix:\n        os: [a]\n        include:\n          - go: '1.20'\n"
    repo({WF: workflow(version="${{ matrix.go }}", job_extra=include), "go.mod": gomod("1.22.0")})
    assert "`1.20`" in lint(capsys)[1][0]["message"]
    for unresolvable in ("    strategy:\n      matrix: ${{ fromJSON(needs.a.outputs.m) }}\n",
                         "    strategy:\n      matrix:\n        go: ['1.21']\n        exclude:\n          - go: '1.21'\n"):
        repo({WF: workflow(version="${{ matrix.go }}", job_extra=unresolvable), "go.mod": gomod("1.22.0")})
        assert lint(capsys) == (0, [])


def test_job_env_gotoolchain_does_not_survive_setup_go_v6(repo, capsys):
    # setup-go v6 writes GOTOOLCHAIN=local to $GITHUB_ENV, which beats workflow and job env (§12.2, §15.8)
    repo({WF: workflow(env="    env:\n      GOTOOLCHAIN: auto\n"), "go.mod": gomod("1.22.4")})
    diags = lint(capsys)[1]
    assert len(diags) == 1 and "overrides workflow and job env" in diags[0]["message"]
    # with setup-go v5 nothing overrides it: go switches through GOPROXY
    repo({WF: workflow(uses="actions/setup-go@v5", env="    env:\n      GOTOOLCHAIN: auto\n"),
          "go.mod": gomod("1.22.4")})
    assert lint(capsys) == (0, [])


@pytest.mark.parametrize("env,step_extra,run", [
    ("", "        env:\n          GOTOOLCHAIN: go1.22.4+auto\n", "go test ./..."),
    ("", "        env:\n          GOTOOLCHAIN: ${{ vars.TC }}\n", "go test ./..."),
    ("", "", "GOTOOLCHAIN=auto go test ./..."),
    ("", "", "go install golang.org/x/tools/cmd/stringer@latest"),
    ("", "", "go version"),
    ("", "", "go -C tools build ./..."),
])
def test_switching_or_no_main_module_is_silent(repo, capsys, env, step_extra, run):
    repo({WF: workflow(env=env, step_extra=step_extra, run=run), "go.mod": gomod("1.22.4")})
    assert lint(capsys) == (0, [])


def test_the_module_of_the_working_directory(repo, capsys):
    wd = "    defaults:\n      run:\n        working-directory: svc\n"
    repo({WF: workflow(job_extra=wd), "go.mod": gomod("1.20"), "svc/go.mod": gomod("1.22.4")})
    assert "svc/go.mod needs Go 1.22.4" in lint(capsys)[1][0]["message"]
    repo({WF: workflow(job_extra=wd), "go.mod": gomod("1.22.4"), "svc/go.mod": gomod("1.21")})
    assert lint(capsys) == (0, [])
    # no go.mod in svc/: go finds the one above it
    repo({WF: workflow(step_extra="        working-directory: docs\n"), "go.mod": gomod("1.22.4")})
    assert "go.mod needs Go 1.22.4" in lint(capsys)[1][0]["message"]


def test_go_work_and_cd(repo, capsys):
    root = repo({WF: workflow(), "go.work": "go 1.23.1\n\nuse ./a\n", "a/go.mod": gomod("1.21")})
    assert "go.work needs Go 1.23.1" in lint(capsys)[1][0]["message"]
    (root / "go.work").unlink()
    repo({WF: workflow(run="cd a && go test ./..."), "go.mod": gomod("1.21"), "a/go.mod": gomod("1.23.1")})
    assert lint(capsys) == (0, [])  # a cd between modules: not judged
    (root / "a" / "go.mod").unlink()
    repo({WF: workflow(run="cd a && go test ./..."), "go.mod": gomod("1.23.1")})
    assert len(lint(capsys)[1]) == 1  # one module: every folder builds it


def test_container_job(repo, capsys):
    text = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    container: golang:1.21-bookworm\n"
            "    steps:\n      - uses: actions/checkout@v5\n      - run: go build ./...\n")
    root = repo({WF: text, "go.mod": gomod("1.22.4")})
    diags = lint(capsys)[1]
    assert len(diags) == 1 and diags[0]["line"] == 5 and "GOTOOLCHAIN=local" in diags[0]["message"]
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert "container: golang:1.22.4-bookworm\n" in (root / WF).read_text()
    # no container and no setup-go: the runner's own Go, GOTOOLCHAIN=auto
    repo({WF: text.replace("    container: golang:1.21-bookworm\n", ""), "go.mod": gomod("1.22.4")})
    assert lint(capsys) == (0, [])


@pytest.mark.parametrize("ci,mod,fires", [
    ("t:\n  image: golang:1.21\n  script:\n    - go build ./...\n", "1.22.4", True),
    ("t:\n  image:\n    name: golang:1.21-alpine\n  script:\n    - go build ./...\n", "1.22.4", True),
    ("default:\n  image: golang:1.21\nt:\n  script:\n    - go build ./...\n", "1.22.4", True),
    ("t:\n  image: golang:1.20\n  script:\n    - go build ./...\n", "1.21.4", True),
    ("t:\n  image: golang:1.20\n  script:\n    - go build ./...\n", "1.21", False),
    ("t:\n  image: golang:1.22\n  script:\n    - go build ./...\n", "1.22.4", False),
    ("t:\n  image: golang:latest\n  script:\n    - go build ./...\n", "1.22.4", False),
    ("t:\n  image: golang:1.21\n  variables:\n    GOTOOLCHAIN: auto\n  script:\n    - go build ./...\n",
     "1.22.4", False),
    ("t:\n  image: golang:1.21\n  script:\n    - go version\n", "1.22.4", False),
    ("t:\n  image: node:20\n  script:\n    - go build ./...\n", "1.22.4", False),
])
def test_gitlab_image(repo, capsys, ci, mod, fires):
    repo({".gitlab-ci.yml": ci, "go.mod": gomod(mod)})
    assert (len(lint(capsys)[1]) == 1) is fires


def test_gitlab_fix_raises_the_tag_where_it_is_written(repo, capsys):
    root = repo({".gitlab-ci.yml": "t:\n  image: golang:1.21-alpine  # pinned\n  script:\n    - go build ./...\n",
                 "go.mod": gomod("1.22.4")})
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert (root / ".gitlab-ci.yml").read_text() == \
        "t:\n  image: golang:1.22.4-alpine  # pinned\n  script:\n    - go build ./...\n"
    # written once in `default:` or a template: reported and raised there
    root = repo({".gitlab-ci.yml": "default:\n  image: golang:1.21\nt:\n  script:\n    - go build ./...\n",
                 "go.mod": gomod("1.22.4")})
    diags = lint(capsys)[1]
    assert diags[0]["line"] == 2
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert (root / ".gitlab-ci.yml").read_text().startswith("default:\n  image: golang:1.22.4\n")
    # written twice, neither in the job: reported at the job's keys, not rewritten
    twice = ".a:\n  image: golang:1.21\n.b:\n  image: golang:1.21\nt:\n  extends: .b\n  script:\n    - go build\n"
    repo({".gitlab-ci.yml": twice, "go.mod": gomod("1.22.4")})
    diags = lint(capsys)[1]
    assert diags[0]["line"] == 6 and not diags[0].get("fix")


def test_go_version_from_a_literal_env_value(repo, capsys):
    env = "    env:\n      GO_VERSION: '1.21'\n"
    root = repo({WF: workflow(version="${{ env.GO_VERSION }}", env=env), "go.mod": gomod("1.22.4")})
    diags = lint(capsys)[1]
    assert len(diags) == 1 and diags[0]["line"] == 6  # where the value is written
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert "      GO_VERSION: '1.22.4'\n" in (root / WF).read_text()
    # a step may write it to $GITHUB_ENV: not one literal
    repo({WF: workflow(version="${{ env.GO_VERSION }}", env=env).replace(
        "    steps:\n", "    steps:\n      - run: echo GO_VERSION=1.23 >> $GITHUB_ENV\n"), "go.mod": gomod("1.22.4")})
    assert lint(capsys) == (0, [])
    repo({WF: workflow(version="${{ env.GO_VERSION }}", env="    env:\n      GO_VERSION: '1.22'\n"),
          "go.mod": gomod("1.22.4")})
    assert lint(capsys) == (0, [])


def test_gitlab_fix_never_edits_another_image_that_starts_alike(repo, capsys):
    # the job's golang:1.21 comes from an include; this file only has golang:1.21-alpine
    root = repo({".gitlab-ci.yml": "include: ci/base.yml\n.x:\n  image: golang:1.21-alpine\n"
                                   "t:\n  extends: .base\n  script:\n    - go build\n",
                 "ci/base.yml": ".base:\n  image: golang:1.21\n", "go.mod": gomod("1.22.4")})
    diags = lint(capsys)[1]
    assert len(diags) == 1 and diags[0]["line"] == 5 and not diags[0].get("fix")
    main(["--no-cache", "--fix", "--unsafe-fixes", "--select", "GP502"])
    capsys.readouterr()
    assert "golang:1.21-alpine" in (root / ".gitlab-ci.yml").read_text()
