"""docker compose and buildx bake files as sources of builds (issue 11, §20, §21): their args
reach GP104/GP105/GP107/GP301 where they are written, their contexts reach GP401, and the fixes
keep the files valid (compose: the compose-spec schema; bake: python-hcl2 re-parses them)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gplint.cli import main
from gplint.formats import bake, compose
from gplint.formats.interpolation import interpolate, parse_dotenv
from gplint.model import ImageBuild
from gplint.source import Source

BIN = Path(sys.executable).parent
GO_DOCKERFILE = "FROM golang:1.22\n{args}RUN go build ./...\n"


def dockerfile(*args: str) -> str:
    return GO_DOCKERFILE.format(args="".join(f"ARG {a}\n" for a in args))


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str]) -> Path:
        for rel, text in files.items():
            path = tmp_path / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, newline="")
        return tmp_path

    return write


def lint(capsys, *args):
    status = main(["--no-cache", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


def found(diags, *codes):
    return sorted((d["code"], d["path"], d["line"]) for d in diags if not codes or d["code"] in codes)


def builds(doc) -> list[ImageBuild]:
    return [e for s in doc.scopes for e in s.events if isinstance(e, ImageBuild)]


# -- compose ------------------------------------------------------------------------------------
def test_compose_mapping_arg_not_declared_is_gp105_and_the_fix_declares_it(repo, capsys):
    repo({"compose.yaml": "services:\n  app:\n    build:\n      context: .\n      args:\n        GOPROXY: https://proxy.example.com\n",
          "Dockerfile": dockerfile()})
    status, diags = lint(capsys, "compose.yaml")
    assert status == 1 and found(diags) == [("GP105", "compose.yaml", 6)]
    main(["--no-cache", "--fix", "--select", "GP105", "compose.yaml"])
    capsys.readouterr()
    assert "ARG GOPROXY" in Path("Dockerfile").read_text()
    assert lint(capsys, "compose.yaml") == (0, [])


def test_compose_list_form_args_point_at_each_item(repo, capsys):
    repo({"docker-compose.yml": "services:\n  app:\n    build:\n      context: ./app\n      args:\n"
                                "        - GOFLAGS=-mod=mod\n        - GOPRIVATE\n        - GOPROXY=https://p.example\n",
          "app/Dockerfile": dockerfile("GOPROXY")})
    status, diags = lint(capsys, "docker-compose.yml")
    assert found(diags) == [("GP105", "docker-compose.yml", 6), ("GP105", "docker-compose.yml", 7)]
    assert {d["column"] for d in diags} == {11}


def test_compose_gosumdb_off_is_gp301_on_the_value(repo, capsys):
    repo({"compose.yml": "services:\n  app:\n    build:\n      context: .\n      args:\n        - GOSUMDB=off\n",
          "Dockerfile": dockerfile("GOSUMDB")})
    _, diags = lint(capsys, "compose.yml")
    [diag] = [d for d in diags if d["code"] == "GP301"]
    assert (diag["line"], diag["column"], diag["end_column"]) == (6, 19, 22)


def test_compose_mapping_value_is_judged_where_written(repo, capsys):
    repo({"compose.yml": "services:\n  app:\n    build:\n      context: .\n      args:\n        GOSUMDB: 'off'\n",
          "Dockerfile": dockerfile("GOSUMDB")})
    _, diags = lint(capsys, "compose.yml")
    [diag] = [d for d in diags if d["code"] == "GP301"]
    assert (diag["line"], diag["column"]) == (6, 19)  # inside the quotes


def test_clean_compose_is_silent(repo, capsys):
    repo({"compose.yaml": "services:\n  app:\n    build: .\n  db:\n    image: postgres\n  tool:\n    build:\n      context: .\n"
          "      args:\n        GOPROXY:\n        GOFLAGS: -mod=mod\n",
          "Dockerfile": dockerfile("GOPROXY", "GOFLAGS")})
    assert lint(capsys, ".") == (0, [])


def test_compose_interpolates_from_dotenv_only_what_it_knows(repo, capsys):
    files = {"compose.yaml": "services:\n  app:\n    build:\n      context: .\n      args:\n"
                             "        GOPROXY: ${PROXY}\n",
             "Dockerfile": dockerfile("GOPROXY")}
    repo(files)
    assert lint(capsys, "compose.yaml") == (0, [])  # PROXY unknown: nothing to judge
    repo({".env": "# local proxy\nPROXY=http://localhost:3000\n"})
    _, diags = lint(capsys, "compose.yaml")
    assert found(diags) == [("GP107", "compose.yaml", 6)]


def test_compose_extends_and_merge_keys(repo, capsys):
    repo({"compose.yaml": "x-args: &args\n  GOSUMDB: 'off'\nservices:\n  base:\n    build:\n      context: ./svc\n"
                          "      args:\n        <<: *args\n  app:\n    extends: base\n",
          "svc/Dockerfile": dockerfile("GOSUMDB")})
    doc = compose.lower(Source("compose.yaml", str(Path("compose.yaml").resolve()), "compose",
                               Path("compose.yaml").read_text()))
    assert [(b.context, b.dockerfile, [a.name for a in b.build_args]) for b in builds(doc)] == \
        [("svc", "svc/Dockerfile", ["GOSUMDB"])] * 2
    _, diags = lint(capsys, "compose.yaml")
    assert found(diags) == [("GP301", "compose.yaml", 2)]  # the anchor, once


def test_compose_inline_dockerfile_and_urls_say_nothing(repo, capsys):
    repo({"compose.yaml": "services:\n  a:\n    build:\n      dockerfile_inline: |\n        FROM golang\n"
                          "      args: [GOPROXY=x]\n  b:\n    build: https://github.com/a/b.git\n"})
    assert lint(capsys, "compose.yaml") == (0, [])


def test_compose_context_gives_the_dockerfile_its_dockerignore(repo, capsys):
    files = {"go.mod": "module x\n\ngo 1.22\n", "app/go.mod": "module y\n\ngo 1.22\n",
             "app/Dockerfile": "FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n",
             ".dockerignore": "go.mod\n"}
    repo(files)
    _, diags = lint(capsys, ".")
    assert not found(diags, "GP401")  # by default app/Dockerfile is built in app/ (its go.mod)
    repo({"compose.yaml": "services:\n  app:\n    build:\n      context: .\n      dockerfile: app/Dockerfile\n"})
    _, diags = lint(capsys, ".")
    assert found(diags, "GP401") == [("GP401", ".dockerignore", 1)]


def test_bad_compose_yaml_is_gp001_with_a_line(repo, capsys):
    repo({"compose.yaml": "services:\n  app: [unclosed\n"})
    status, diags = lint(capsys, "compose.yaml")
    assert status == 2 and [d["code"] for d in diags] == ["GP001"] and diags[0]["line"] >= 2


@pytest.mark.parametrize("args_text, added", [
    ("      args:\n        - GOFLAGS=-mod=mod\n", "        - GOPROXY\n"),
    ("      args:\n        GOFLAGS: -mod=mod\n", "        GOPROXY:\n"),
    ("", "      args:\n        - GOPROXY\n"),
])
def test_compose_add_build_arg_is_schema_valid_and_takes_the_environment(tmp_path, args_text, added):
    text = f"services:\n  app:\n    build:\n      context: .\n{args_text}    image: app # keep\n"
    path = tmp_path / "compose.yaml"
    path.write_text(text)
    [build] = builds(compose.lower(Source("compose.yaml", str(path), "compose", text)))
    edit = build.add_build_arg("GOPROXY")
    fixed = text[:edit.start] + edit.content + text[edit.end:]
    assert fixed == text.replace("    image:", added + "    image:", 1)
    [again] = builds(compose.lower(Source("compose.yaml", str(path), "compose", fixed)))
    assert [(a.name, a.value) for a in again.build_args if a.name == "GOPROXY"] == [("GOPROXY", None)]
    path.write_text(fixed)
    checker = BIN / "check-jsonschema"
    tool = str(checker) if checker.exists() else shutil.which("check-jsonschema")
    if tool is None:
        pytest.skip("check-jsonschema is not installed")
    done = subprocess.run([tool, "--builtin-schema", "vendor.compose-spec", str(path)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_compose_add_build_arg_refuses_flow_style_and_string_builds(tmp_path):
    for text in ("services:\n  app:\n    build: {context: ., args: [A=1]}\n", "services:\n  app:\n    build: .\n"):
        [build] = builds(compose.lower(Source("compose.yaml", str(tmp_path / "compose.yaml"), "compose", text)))
        assert build.add_build_arg("GOPROXY") is None


# -- interpolation ------------------------------------------------------------------------------
@pytest.mark.parametrize("text, env, value", [
    ("${A}", {"A": "x"}, "x"),
    ("$A/b", {"A": "x"}, "x/b"),
    ("${A:-d}", {}, "d"),
    ("${A:-d}", {"A": ""}, "d"),
    ("${A-d}", {"A": ""}, ""),
    ("${A}", {}, None),
    ("$$A", {}, "$A"),
    ("${A:?need}", {}, None),
    ("${A:+alt}", {"A": "1"}, "alt"),
    ("${A:-${B:-z}}", {}, "z"),
    ("${", {}, None),
])
def test_interpolation(text, env, value):
    assert interpolate(text, env) == value


def test_dotenv():
    assert parse_dotenv("# c\nexport A=1\nB='x y' \nC=\"q\\\"\"\nD=v # note\nnot a line\n") == \
        {"A": "1", "B": "x y", "C": 'q"', "D": "v"}


# -- bake ---------------------------------------------------------------------------------------
BAKE = """\
# build everything
variable "GOPROXY" {
  default = null
}
variable "SUMDB" { default = "off" }

group "default" {
  targets = ["app"]
}

target "_common" {
  args = {
    GOFLAGS = "-mod=mod"
  }
}

target "app" {
  inherits = ["_common"]
  context = "app"
  args = {
    GOPROXY = GOPROXY
    GONOSUMDB = null
  }
}
"""


def test_bake_target_arg_not_declared_is_gp105_at_the_args_key(repo, capsys):
    repo({"docker-bake.hcl": BAKE, "app/Dockerfile": dockerfile("GOPROXY")})
    status, diags = lint(capsys, "docker-bake.hcl")
    assert status == 1 and found(diags) == [("GP105", "docker-bake.hcl", 13)]  # the inherited GOFLAGS
    assert diags[0]["column"] == 5


def test_bake_pass_through_and_null_args_are_clean(repo, capsys):
    repo({"docker-bake.hcl": BAKE, "app/Dockerfile": dockerfile("GOPROXY", "GOFLAGS")})
    assert lint(capsys, "docker-bake.hcl") == (0, [])
    doc = bake.lower(Source("docker-bake.hcl", str(Path("docker-bake.hcl").resolve()), "bake", BAKE))
    [build] = builds(doc)  # `_common` is only inherited: not a build of its own
    assert (build.context, build.dockerfile) == ("app", "app/Dockerfile")
    assert [(a.name, a.value) for a in build.build_args] == [("GOFLAGS", "-mod=mod"), ("GOPROXY", None)]


def test_bake_variable_default_reaches_value_rules(repo, capsys):
    text = BAKE.replace("    GONOSUMDB = null\n", '    GOSUMDB = "${SUMDB}"\n')
    repo({"docker-bake.hcl": text, "app/Dockerfile": dockerfile("GOPROXY", "GOFLAGS", "GOSUMDB")})
    _, diags = lint(capsys, "docker-bake.hcl")
    assert found(diags) == [("GP301", "docker-bake.hcl", 22)]


def test_bake_json(repo, capsys):
    repo({"docker-bake.json": json.dumps({"target": {"app": {"context": "app", "args": {
        "GOPROXY": "http://127.0.0.1:8080", "GOFLAGS": None}}}}, indent=2),
          "app/Dockerfile": dockerfile("GOPROXY")})
    _, diags = lint(capsys, "docker-bake.json")
    assert found(diags) == [("GP107", "docker-bake.json", 6)]


def test_bad_hcl_is_gp001(repo, capsys):
    repo({"docker-bake.hcl": 'target "app" {\n  args = {\n'})
    status, diags = lint(capsys, "docker-bake.hcl")
    assert status == 2 and [d["code"] for d in diags] == ["GP001"]


WORKFLOW = """\
on: push
env:
  GOFLAGS: -mod=mod
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: docker/bake-action@v6
        with:
          targets: tool
          set: |
            *.args.GOSUMDB=off
"""

TOOL_BAKE = """\
target "tool" {
  dockerfile = "tool.Dockerfile"
  args = {
    GOPRIVATE = "example.com/*"
  }
}
"""


def test_bake_action_builds_its_targets_and_gp104_fixes_the_bake_file(repo, capsys):
    repo({".github/workflows/ci.yml": WORKFLOW, "docker-bake.hcl": TOOL_BAKE,
          "tool.Dockerfile": dockerfile("GOFLAGS", "GOPRIVATE")})
    _, diags = lint(capsys, ".")
    assert found(diags, "GP104", "GP105", "GP301") == [
        ("GP104", ".github/workflows/ci.yml", 8),
        ("GP105", ".github/workflows/ci.yml", 12),  # the `set` line: judged where written
        ("GP301", ".github/workflows/ci.yml", 12),
    ]
    main(["--no-cache", "--fix", "--select", "GP104", "."])
    capsys.readouterr()
    fixed = Path("docker-bake.hcl").read_text()
    assert fixed == 'variable "GOFLAGS" {\n  default = null\n}\n\n' + TOOL_BAKE.replace(
        '"example.com/*"\n', '"example.com/*"\n    GOFLAGS = GOFLAGS\n')
    import hcl2

    assert hcl2.loads(fixed)["target"][0]['"tool"']["args"]["GOFLAGS"] == "GOFLAGS"
    main(["--no-cache", "--fix", "--select", "GP104", "."])
    capsys.readouterr()
    assert Path("docker-bake.hcl").read_text() == fixed  # a second --fix changes nothing
    _, diags = lint(capsys, "--select", "GP104", ".")
    assert diags == []


@pytest.mark.parametrize("body, expected", [
    ('target "t" {\n  context = "."\n}\n', 'target "t" {\n  context = "."\n  args = {\n    GOPROXY = GOPROXY\n  }\n}\n'),
    ('target "t" {\n  args = { A = "1" }\n}\n', None),
])
def test_bake_add_build_arg_layouts(body, expected):
    text = 'variable "GOPROXY" {}\n' + body
    [build] = builds(bake.lower(Source("docker-bake.hcl", "/nonexistent/docker-bake.hcl", "bake", text)))
    edit = build.add_build_arg("GOPROXY")
    if expected is None:
        assert edit is None
        return
    assert text[:edit.start] + edit.content + text[edit.end:] == 'variable "GOPROXY" {}\n' + expected


def test_bake_add_build_arg_never_passes_a_variable_default():
    text = 'variable "GOPROXY" { default = "http://localhost:1" }\ntarget "t" {\n  context = "."\n}\n'
    [build] = builds(bake.lower(Source("docker-bake.hcl", "/nonexistent/docker-bake.hcl", "bake", text)))
    assert build.add_build_arg("GOPROXY") is None


# -- cost ---------------------------------------------------------------------------------------
def _imported(tmp_path, target: str) -> set[str]:
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gplint", "--no-cache", target],
                          cwd=tmp_path, capture_output=True, text=True)
    return {line.split("|")[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}


def test_hcl2_is_imported_only_when_a_bake_hcl_file_is_present(repo, tmp_path):
    repo({"Dockerfile": dockerfile("GOPROXY"), "compose.yaml": "services:\n  a:\n    build: .\n"})
    for target in ("Dockerfile", "compose.yaml", "."):
        assert not {"hcl2", "lark"} & _imported(tmp_path, target), target
    repo({"docker-bake.hcl": 'target "a" {}\n'})  # read for its builds whatever is linted
    assert {"hcl2", "lark"} <= _imported(tmp_path, "docker-bake.hcl")


def test_bake_null_arg_keeps_an_inherited_value_as_buildx_merges():
    text = ('target "base" {\n  args = { GOSUMDB = "off" }\n}\n'
            'target "app" {\n  inherits = ["base"]\n  args = {\n    GOSUMDB = null\n    GOFLAGS = null\n  }\n}\n')
    [build] = builds(bake.lower(Source("docker-bake.hcl", "/nonexistent/docker-bake.hcl", "bake", text)))
    assert [(a.name, a.value) for a in build.build_args] == [("GOSUMDB", "off")]


def test_compose_override_file_is_a_compose_file():
    from gplint.discover import kind_of

    assert kind_of("svc/docker-compose.override.yml") == "compose"
    assert kind_of("docker-compose.ci.yml") is None  # named only by -f: not found by its name
    assert kind_of("docker-bake.override.hcl") == "bake"


def test_compose_include_reads_a_local_file_in_its_own_folder(repo, capsys):
    repo({"compose.yaml": "include:\n  - svc/services.yaml\n  - path: other/compose.yaml\n",
          "svc/services.yaml": "services:\n  api:\n    build:\n      context: .\n      args:\n        - GOPROXY=${P}\n",
          "svc/.env": "P=http://localhost:3000\n", "svc/Dockerfile": dockerfile("GOPROXY"),
          "other/compose.yaml": "services:\n  b:\n    build:\n      context: .\n      args:\n        - GOFLAGS=-x\n",
          "other/Dockerfile": dockerfile()})
    _, diags = lint(capsys, ".")
    # the included file's builds, judged where written; other/compose.yaml on its own, once
    assert found(diags, "GP105", "GP107") == [("GP105", "other/compose.yaml", 6), ("GP107", "svc/services.yaml", 6)]


COMPOSE_WORKFLOW = """\
on: push
env:
  GOPROXY: https://goproxy.example.com
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: docker compose -f ci/compose.ci.yml build --pull --build-arg GONOSUMDB=x api
      - run: docker compose up -d --build
"""


def test_docker_compose_in_a_workflow_builds_its_services_and_gp104_fixes_the_compose_file(repo, capsys):
    base = "services:\n  app:\n    build:\n      context: .\n      args:\n        GOFLAGS: -mod=mod\n"
    ci = "services:\n  api:\n    build:\n      context: ..\n      args:\n        - GOFLAGS=-mod=mod\n  web:\n    build: ..\n"
    repo({".github/workflows/ci.yml": COMPOSE_WORKFLOW, "compose.yaml": base, "ci/compose.ci.yml": ci,
          "Dockerfile": dockerfile("GOPROXY", "GOFLAGS")})
    _, diags = lint(capsys, ".")
    assert found(diags) == [("GP104", ".github/workflows/ci.yml", 8),  # api only: `web` is not named
                            ("GP104", ".github/workflows/ci.yml", 9),
                            ("GP105", ".github/workflows/ci.yml", 8)]  # the command line's --build-arg
    main(["--no-cache", "--fix", "--select", "GP104", "."])
    capsys.readouterr()
    assert Path("compose.yaml").read_text() == base + "        GOPROXY:\n"
    assert Path("ci/compose.ci.yml").read_text() == ci.replace("-mod=mod\n", "-mod=mod\n        - GOPROXY\n")
    _, diags = lint(capsys, ".")
    assert found(diags, "GP104") == []


def test_an_override_file_passing_the_arg_counts(repo, capsys):
    repo({".github/workflows/ci.yml": COMPOSE_WORKFLOW.replace(
              "docker compose -f ci/compose.ci.yml build --pull --build-arg GONOSUMDB=x api", "true"),
          "compose.yaml": "services:\n  app:\n    build: .\n",
          "compose.override.yml": "services:\n  app:\n    build:\n      args:\n        - GOPROXY\n",
          "Dockerfile": dockerfile("GOPROXY")})
    _, diags = lint(capsys, ".")
    assert found(diags, "GP104") == []


@pytest.mark.parametrize("command", [
    "docker compose --project-directory x build",  # paths elsewhere: not followed
    "docker compose build $SERVICES",
    "docker compose -f $FILE build",
    "docker compose ps",
])
def test_compose_commands_we_cannot_read_build_nothing(repo, capsys, command):
    repo({".github/workflows/ci.yml": COMPOSE_WORKFLOW.replace(
              "docker compose -f ci/compose.ci.yml build --pull --build-arg GONOSUMDB=x api", command)
          .replace("docker compose up -d --build", "true"),
          "compose.yaml": "services:\n  app:\n    build: .\n", "Dockerfile": dockerfile("GOPROXY")})
    _, diags = lint(capsys, ".")
    assert found(diags, "GP104") == []


def test_compose_paths_that_need_the_environment_resolve_to_nothing(tmp_path):
    text = ("services:\n  a:\n    build:\n      context: .\n      dockerfile: ${DF}\n"
            "  b:\n    build:\n      context: ${CTX}\n  c:\n    build:\n      context: ${CTX:-sub}\n")
    doc = compose.lower(Source("compose.yaml", str(tmp_path / "compose.yaml"), "compose", text))
    assert [(b.context, b.dockerfile) for b in builds(doc)] == [("", None), (None, None), ("sub", "sub/Dockerfile")]


def test_a_well_formed_bake_file_hcl2_refuses_is_skipped_not_gp001(repo, capsys):
    repo({"docker-bake.hcl": 'function "f" {\n  params = [a, ...b]\n  result = a\n}\ntarget "x" {}\n'})
    assert lint(capsys, "docker-bake.hcl") == (0, [])


@pytest.mark.parametrize("text, broken", [
    ('target "a" {\n', True),
    ('target "a" {\n  context = "x\n}\n', True),
    ('target "a" { /* open\n}\n', True),
    ('target "a" {\n  x = <<EOT\nbody\n}\n', True),
    ('target "a" {\n  x = [1, 2}\n}\n', True),
    ('target "a" {\n  x = "${f("}")}" # }\n  y = <<-EOT\n  {\n  EOT\n}\n', False),
    ('// {\ntarget "a" {}\n', False),
])
def test_clearly_broken_hcl(text, broken):
    from gplint.formats.bake_syntax import clearly_broken

    assert clearly_broken(text) is broken


# -- hostile input: fan-out stays linear (work bounded by CPU time, never the wall clock) ---------
def test_compose_extends_chain_is_linear(tmp_path):
    from hangguard import hang_guard

    services = "".join(f"  s{i}:\n    extends: s{i - 1}\n" for i in range(1, 3000))
    text = "services:\n  s0:\n    build:\n      context: .\n      args: [GOPROXY=x]\n" + services
    with hang_guard(20):
        doc = compose.lower(Source("compose.yaml", str(tmp_path / "compose.yaml"), "compose", text))
    # extends is followed 16 levels deep: the first 17 services build, the rest are too deep
    assert 17 <= len(builds(doc)) <= 3000


def test_bake_inherits_groups_and_variables_fan_out_once_each():
    from hangguard import hang_guard

    n = 40
    parts = ['variable "V0" { default = "ab" }\n', 'target "t0" {\n  args = { GOPROXY = "${V30}" }\n}\n',
             'target "t1" {}\n', 'group "g0" { targets = ["t0"] }\n']
    for i in range(1, n):
        parts.append(f'variable "V{i}" {{ default = "${{V{i - 1}}}${{V{i - 1}}}" }}\n')
        parts.append(f'group "g{i}" {{ targets = ["g{i - 1}", "g{i - 1}", "t{i}"] }}\n')
    for i in range(2, n):
        parts.append(f'target "t{i}" {{ inherits = ["t{i - 1}", "t{i - 2}"] }}\n')
    text = "".join(parts)
    with hang_guard(20):
        parsed = bake.load(Source("docker-bake.hcl", "/nonexistent/docker-bake.hcl", "bake", text))
        assert 0 < len(parsed.expand([f"g{n - 1}"])) <= n  # groups nest 32 deep at most
        doc = bake.lower(Source("docker-bake.hcl", "/nonexistent/docker-bake.hcl", "bake", text))
    by_name = {s.name: e for s in doc.scopes for e in s.events}
    assert by_name[f"t{n - 1}"].build_args[0].dynamic  # 2^31 characters: not evaluated


def test_bake_override_file_completes_the_base_target(repo, capsys):
    repo({"docker-bake.hcl": 'target "app" {\n  context = "app"\n}\n',
          "docker-bake.override.hcl": 'target "app" {\n  args = {\n    GOPROXY = GOPROXY\n  }\n}\n',
          "app/Dockerfile": dockerfile("GOPROXY"), "Dockerfile": dockerfile(),
          ".github/workflows/ci.yml": WORKFLOW.replace("targets: tool", "targets: app").replace(
              "          set: |\n            *.args.GOSUMDB=off\n", "").replace("GOFLAGS: -mod=mod", "GOPROXY: https://p.example")})
    _, diags = lint(capsys, ".")
    # the override's target builds app/Dockerfile (not the root one); bake-action's default files
    # include the override, whose arg passes the job's GOPROXY: no GP104, no GP105
    assert found(diags, "GP104", "GP105") == []
    Path("docker-bake.override.hcl").unlink()
    _, diags = lint(capsys, ".")
    assert found(diags, "GP104", "GP105") == [("GP104", ".github/workflows/ci.yml", 8)]
    repo({"docker-bake.override.hcl": 'target "app" {\n  args = {\n    GOPROXY = GOPROXY\n  }\n}\n'})
    doc = bake.lower(Source("docker-bake.override.hcl", str(Path("docker-bake.override.hcl").resolve()), "bake",
                            Path("docker-bake.override.hcl").read_text()), None)
    assert [(b.context, b.dockerfile) for b in builds(doc)] == [("", "Dockerfile")]  # without the project: alone
