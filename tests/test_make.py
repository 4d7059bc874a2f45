"""Make, scripts and hand-offs (issue 10): a Dockerfile RUN that runs `make` or a script reaches
the go commands written there, with the environment GNU make and the shell give them
(docs/semantics.md §17, §18). Each test pins one fact."""
from __future__ import annotations

import json
import textwrap

import pytest

from gplint.cli import main
from gplint.formats import makefile as mk
from gplint.source import Source

GO_MOD = "module example.com/m\n\ngo 1.22\n"


@pytest.fixture
def repo(tmp_path, monkeypatch):
    """A throw-away repository: files(name=text, ...) writes them (dedented)."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)

    def files(**named):
        for name, text in named.items():
            path = tmp_path / name.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return tmp_path

    return files


def lint(capsys, *args):
    main(["--no-cache", "--format", "json", *(args or (".",))])
    return json.loads(capsys.readouterr().out)


def codes(diags, code=None):
    return [(d["path"], d["line"], d["code"]) for d in diags if code is None or d["code"] == code]


DOCKERFILE_MAKE = """\
FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN make build
"""


def test_run_make_reaches_the_recipe_go_build(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build:\n\tgo build ./...\n"})
    diags = lint(capsys)
    assert codes(diags) == [("Dockerfile", 4, "GP101")]
    message = diags[0]["message"]
    assert "`RUN make build` → Makefile:2 `go build ./...`" in message


def test_finding_stands_where_its_fix_goes_and_fix_is_idempotent(repo, capsys):
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE, "Makefile": "build:\n\tgo build ./...\n"})
    makefile_before = (root / "Makefile").read_bytes()
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert "ARG GOPROXY" in (root / "Dockerfile").read_text()
    assert (root / "Makefile").read_bytes() == makefile_before
    fixed = (root / "Dockerfile").read_bytes()
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert (root / "Dockerfile").read_bytes() == fixed
    assert codes(lint(capsys), "GP101") == []


def test_exported_goproxy_in_the_makefile_covers_the_recipe(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "export GOPROXY = https://proxy.example.com\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_unexported_make_variable_does_not_reach_the_recipe(repo, capsys):
    # §17.3: a makefile variable reaches a recipe's environment only when exported
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "GOPROXY = https://proxy.example.com\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_export_all_variables_exports_them(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": ".EXPORT_ALL_VARIABLES:\nGOPROXY = https://proxy.example.com\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_export_in_one_recipe_line_does_not_reach_the_next(repo, capsys):
    # §17.5: each recipe line runs in its own shell (no .ONESHELL)
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build:\n\texport GOPROXY=https://proxy.example.com\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_oneshell_keeps_the_export_for_the_next_line(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": ".ONESHELL:\nbuild:\n\texport GOPROXY=https://proxy.example.com\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_prerequisites_run_first_and_are_followed(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build: deps\n\t@echo done\ndeps:\n\t-go mod download\n"})
    diags = lint(capsys)
    assert codes(diags, "GP101") == [("Dockerfile", 4, "GP101")]
    assert "Makefile:4 `go mod download`" in diags[0]["message"]


def test_default_goal_is_the_first_target(repo, capsys):
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make\n",
            "Makefile": ".PHONY: all\nall:\n\t@echo nothing\nother:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_vendored_module_does_not_reach_the_proxy_through_make(repo, capsys):
    repo(**{"go.mod": GO_MOD, "vendor__modules.txt": "# example.com/x v1.0.0\n", "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_go_dash_c_names_the_module_whose_vendor_folder_counts(repo, capsys):
    # the containerd case: the root is vendored, api/ is its own module without vendor/
    repo(**{"go.mod": GO_MOD, "vendor__modules.txt": "# example.com/x v1.0.0\n", "api__go.mod": GO_MOD,
            "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "GO ?= go\nPKGS := $(shell $(GO) -C api list ./...)\nbuild:\n\t$(GO) build ./...\n"})
    diags = lint(capsys)
    assert codes(diags, "GP101") == [("Dockerfile", 4, "GP101")]
    assert "Makefile:2 `go -C api`" in diags[0]["message"]


def test_recursive_variable_shell_runs_only_when_expanded(repo, capsys):
    # §17.4: `=` keeps `$(shell …)` unexpanded until a recipe uses the variable
    repo(**{"go.mod": GO_MOD, "vendor__modules.txt": "# example.com/x v1.0.0\n", "api__go.mod": GO_MOD,
            "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "PKGS = $(shell go -C api list ./...)\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_command_line_variable_beats_the_makefile(repo, capsys):
    # §17.2: `make VAR=value` overrides a makefile assignment (no `override`)
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make GOFLAGS=-mod=mod build\n",
            "vendor__modules.txt": "# example.com/x v1.0.0\n",
            "Makefile": "export GOFLAGS = -mod=vendor\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_override_beats_the_command_line(repo, capsys):
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make GOFLAGS=-mod=mod build\n",
            "vendor__modules.txt": "# example.com/x v1.0.0\n",
            "Makefile": "override GOFLAGS = -mod=vendor\nexport GOFLAGS\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_conditional_assignment_keeps_the_environment_value(repo, capsys):
    # §17.2: `?=` assigns only when the variable is not already set (here by ENV)
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nENV GOPROXY=https://proxy.example.com\nWORKDIR /src\nCOPY . .\n"
                          "RUN make build\n",
            "Makefile": "GOPROXY ?= off\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys)) == []


def test_include_is_read(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "include proxy.mk\nbuild:\n\tgo build ./...\n",
            "proxy.mk": "export GOPROXY := https://proxy.example.com\n"})
    assert codes(lint(capsys), "GP101") == []


def test_target_specific_variable_reaches_the_target_and_its_prerequisites(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build: export GOPROXY = https://proxy.example.com\nbuild: deps\n\t@true\n"
                        "deps:\n\tgo mod download\n"})
    assert codes(lint(capsys), "GP101") == []


def test_sub_make_with_dash_c_is_followed(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build:\n\t$(MAKE) -C tools install\n",
            "tools__Makefile": "install:\n\tgo install example.com/tool@v1.2.3\n"})
    diags = lint(capsys)
    assert codes(diags, "GP101") == [("Dockerfile", 4, "GP101")]
    assert "tools/Makefile:2 `go install" in diags[0]["message"]


def test_recursion_cycle_ends(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build:\n\t$(MAKE) build\n\tgo build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_makefile_not_copied_into_the_image_is_not_followed(repo, capsys):
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod ./\nRUN make build\n",
            "Makefile": "build:\n\tgo build ./...\n"})
    assert codes(lint(capsys)) == []


def test_single_file_copy_and_workdir_map_the_script_back(repo, capsys):
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nCOPY hack/install.sh /usr/local/bin/inst\nRUN /usr/local/bin/inst\n",
            "hack__install.sh": "#!/bin/sh\nset -e\ngo install example.com/tool@v1.0.0\n"})
    diags = lint(capsys)
    assert codes(diags, "GP101") == [("Dockerfile", 3, "GP101")]
    assert "hack/install.sh:3 `go install" in diags[0]["message"]


def test_relative_copy_into_the_base_workdir(repo, capsys):
    # containerd's critools stage: `COPY script/setup/x ./` then `RUN ./x`, no WORKDIR
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nCOPY script/setup/install-tools ./\nRUN ./install-tools\n",
            "script__setup__install-tools": "#!/usr/bin/env bash\ncd \"$(go env GOPATH)\"\n"
                                            "go install example.com/tool@v1.0.0\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 3, "GP101")]


def test_script_exports_reach_its_go_commands(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN sh build.sh\n",
            "build.sh": "export GOPROXY=https://proxy.example.com\ngo build ./...\n"})
    assert codes(lint(capsys)) == []


def test_child_script_exports_do_not_come_back(repo, capsys):
    # §18.1: a child process's environment never returns to its parent
    repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN sh build.sh\n",
            "build.sh": "./env.sh\ngo build ./...\n", "env.sh": "export GOPROXY=https://proxy.example.com\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_sourced_script_settings_stay_in_the_shell(repo, capsys):
    # §18.2: `.` runs the file in the same shell
    repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN sh build.sh\n",
            "build.sh": ". ./env.sh\ngo build ./...\n", "env.sh": "export GOPROXY=https://proxy.example.com\n"})
    assert codes(lint(capsys), "GP101") == []


def test_cd_dirname_dollar0_moves_to_the_script_folder(repo, capsys):
    # §18.3: `cd "$(dirname "$0")/.."` in hack/build.sh works in the repository root
    repo(**{"go.mod": GO_MOD, "vendor__modules.txt": "# example.com/x v1.0.0\n", "sub__go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN cd sub && ../hack/build.sh\n",
            "hack__build.sh": "cd \"$(dirname \"$0\")/..\"\ngo build ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_setting_in_a_reached_script_is_reported_where_it_is_written(repo, capsys):
    # dell/csi-isilon: Makefile build -> check -> ./check.sh with GO111MODULE=off go get
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nARG GOPROXY\nWORKDIR /src\nCOPY . .\nRUN make build\n",
            "Makefile": "build: check\n\tgo build\ncheck:\n\t@./check.sh\n",
            "check.sh": "#!/bin/sh\n(command -v golint || GO111MODULE=off go get -u golang.org/x/lint/golint)\n"})
    diags = lint(capsys)
    assert codes(diags) == [("check.sh", 2, "GP202")]
    assert "Makefile:4 `./check.sh` → check.sh:2" in diags[0]["message"]


def test_suppression_comment_in_the_script_works(repo, capsys):
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nARG GOPROXY\nWORKDIR /src\nCOPY . .\nRUN ./check.sh\n",
            "check.sh": "#!/bin/sh\n# gplint: ignore[GP202]\nGO111MODULE=off go get -u golang.org/x/lint/golint\n"})
    assert codes(lint(capsys)) == []


def test_script_outside_the_repository_is_not_followed(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ../../etc/x.sh\n"})
    assert codes(lint(capsys)) == []


def test_binary_named_like_a_script_is_not_read(repo, capsys):
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ./tool\n"})
    (root / "tool").write_bytes(b"\x7fELF\x00\x00go build ./...\n")
    assert codes(lint(capsys)) == []


# -- the reader, fact by fact ------------------------------------------------------------------
def _make(text, env=None, cmdline=None, files=None):
    sources = {"Makefile": text, **(files or {})}

    def read(rel):
        return mk.parse(Source(rel, "/" + rel, "makefile", sources[rel])) if rel in sources else None

    m = mk.Makefile(read, env or {}, cmdline or {}, "")
    m.load("Makefile")
    return m


def _value(m, name):
    var = m.vars[name]
    return m.value_of(var, {}).text if var.recursive else var.value


def test_flavours_of_assignment():
    m = _make("A = $(B)\nB = late\nC := $(B)x\nB += more\nD ?= d\nD ?= e\nE != date\n")
    assert _value(m, "A") == "late more"  # recursive: expanded when used
    assert _value(m, "C") == "latex"  # simple: expanded at once
    assert _value(m, "D") == "d"
    assert mk.UNKNOWN in _value(m, "E")  # `!=` runs the shell: unknowable


def test_dollar_dollar_continuation_and_comment():
    m = _make("A := x$$y \\\n  z # comment\n")
    assert _value(m, "A") == "x$y z"


def test_conditionals_known_and_unknown():
    m = _make("X = 1\nifeq ($(X),1)\nA = yes\nelse\nA = no\nendif\nifeq ($(shell uname),Linux)\nB = one\nelse\nB = two\nendif\n")
    assert _value(m, "A") == "yes"
    assert _value(m, "B") == "two"  # undecidable: every branch is read, the last one stands


def test_environment_variable_overridden_in_the_makefile_stays_exported():
    m = _make("GOPROXY = https://p.example\n", env={"GOPROXY": ("off", None)})
    exported = m.exported({})
    assert "GOPROXY" in exported and _value(m, "GOPROXY") == "https://p.example"


def test_unexport_removes_an_environment_variable():
    m = _make("unexport GOPROXY\n", env={"GOPROXY": ("off", None)})
    assert m.exported({})["GOPROXY"] is None


def test_recipe_prefixes_are_stripped():
    stmt = mk.parse(Source("m", "/m", "makefile", "a:\n\t@-+ go build\n"))[1]
    body, at = mk.recipe_body(stmt)
    assert body == "go build" and at == stmt.start + 5


def test_expansion_is_bounded():
    m = _make("A = $(A)$(A)\nB := $(A)\n")
    assert mk.UNKNOWN in _value(m, "B")


def test_a_changed_makefile_relints_the_dockerfile_that_reaches_it(repo, capsys):
    # the result cache keys a Dockerfile's findings on the Makefiles it may reach (cache.DEPENDS)
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
                   "Makefile": "export GOPROXY = https://proxy.example.com\nbuild:\n\tgo build ./...\n"})
    main(["--format", "json", "."])
    assert json.loads(capsys.readouterr().out) == []
    (root / "Makefile").write_text("build:\n\tgo build ./...\n")
    main(["--format", "json", "."])
    assert codes(json.loads(capsys.readouterr().out)) == [("Dockerfile", 4, "GP101")]


def test_ci_job_make_docker_build_gets_the_build_arg_on_the_makefile_line(repo, capsys):
    root = repo(**{
        "go.mod": GO_MOD,
        ".github__workflows__ci.yml": "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    env:\n"
                                      "      GOPROXY: https://proxy.example.com\n    steps:\n"
                                      "      - uses: actions/checkout@v4\n      - run: make image\n",
        "Makefile": "IMAGE ?= x\nimage:\n\tdocker build -t $(IMAGE) .\n",
        "Dockerfile": "FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"})
    [finding] = lint(capsys)
    assert codes([finding]) == [("Makefile", 3, "GP104")]
    # the message names the chain, and the job's step is the related place
    assert "builds Dockerfile through `make image` → Makefile:3," in finding["message"]
    assert [(r["path"], r["line"]) for r in finding["related"]] == [(".github/workflows/ci.yml", 9)]
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert (root / "Makefile").read_text() == "IMAGE ?= x\nimage:\n\tdocker build -t $(IMAGE) --build-arg GOPROXY .\n"
    assert lint(capsys) == []


def test_ci_job_make_passing_the_build_arg_is_clean(repo, capsys):
    # NVIDIA/k8s-device-plugin: the job's GOPROXY goes through make into --build-arg
    repo(**{
        "go.mod": GO_MOD,
        ".gitlab-ci.yml": "build:\n  variables:\n    GOPROXY: https://proxy.example.com\n  script:\n"
                          "    - make image\n",
        "Makefile": "image:\n\tdocker build --build-arg GOPROXY=\"$(GOPROXY)\" .\n",
        "Dockerfile": "FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"})
    assert lint(capsys) == []


def test_makefile_exported_literal_value_is_judged_in_the_makefile(repo, capsys):
    # dell/csi-isilon overrides.mk: make keeps the quotes, so GOPROXY is `""""`
    repo(**{"overrides.mk": 'DEFAULT_GOPROXY=""\nifeq ($(GOPROXY),)\nexport GOPROXY="$(DEFAULT_GOPROXY)"\nendif\n'})
    assert codes(lint(capsys)) == [("overrides.mk", 3, "GP203")]


def test_named_script_is_linted_on_its_own(repo, capsys):
    repo(**{"hack__build.sh": "#!/bin/sh\nexport GO111MODULE=off\ngo build ./...\n"})
    assert codes(lint(capsys, "hack/build.sh")) == [("hack/build.sh", 2, "GP202")]
    assert lint(capsys) == []  # a walk does not lint scripts on their own


def test_hops_are_related_locations_in_json_and_sarif(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build: check\n\tgo build ./...\ncheck:\n\t./check.sh\n", "check.sh": "go vet ./...\n"})
    diags = lint(capsys)
    assert codes(diags) == [("Dockerfile", 4, "GP101")]
    assert [(r["path"], r["line"]) for r in diags[0]["related"]] == [("Makefile", 4), ("check.sh", 1)]
    main(["--no-cache", "--format", "sarif", "."])
    result = json.loads(capsys.readouterr().out)["runs"][0]["results"][0]
    assert [loc["physicalLocation"]["artifactLocation"]["uri"] for loc in result["relatedLocations"]] == \
        ["Makefile", "check.sh"]


def test_sub_make_fan_out_is_bounded(repo, capsys):
    # every target calls make on four others, forever: the walk stops at its bounds (a work
    # counter, not a clock: MAX_MAKES evaluations of the makefile at most)
    from gplint import handoffs

    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "build:\n\t$(MAKE) a b c d\n\tgo build ./...\n"
                        "a b c d:\n\t$(MAKE) a b c d build\n"})
    calls = []
    original = handoffs._make

    def counting(*args, **kwargs):
        calls.append(1)
        return original(*args, **kwargs)

    handoffs._make = counting
    try:
        assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]
    finally:
        handoffs._make = original
    assert len(calls) <= 10 * handoffs.MAX_MAKES


# -- go-task Taskfiles (§19) ---------------------------------------------------------------------
def test_run_task_reaches_the_task_commands_and_its_deps(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN task build\n",
            "Taskfile.yml": "version: '3'\ntasks:\n  build:\n    deps: [tools]\n    cmds:\n      - echo hi\n"
                            "  tools:\n    cmds:\n      - go install example.com/tool@v1.0.0\n"})
    diags = lint(capsys)
    assert codes(diags) == [("Dockerfile", 4, "GP101")]
    assert "Taskfile.yml:9 `go install" in diags[0]["message"]


def test_task_env_reaches_its_commands_but_vars_do_not(repo, capsys):
    base = {"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN task\n"}
    repo(**base, **{"Taskfile.yml": "version: '3'\nenv:\n  GOPROXY: https://proxy.example.com\ntasks:\n"
                                    "  default:\n    cmds:\n      - go build ./...\n"})
    assert codes(lint(capsys)) == []
    repo(**{"Taskfile.yml": "version: '3'\nvars:\n  GOPROXY: https://proxy.example.com\ntasks:\n"
                            "  default:\n    cmds:\n      - go build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_process_environment_beats_the_taskfile_env(repo, capsys):
    # §19: by default a variable already in task's environment wins over `env:`
    repo(**{"go.mod": GO_MOD,
            "Dockerfile": "FROM golang:1.22\nENV GOFLAGS=-mod=mod\nWORKDIR /src\nCOPY . .\nRUN task\n",
            "vendor__modules.txt": "# example.com/x v1.0.0\n",
            "Taskfile.yml": "version: '3'\nenv:\n  GOFLAGS: -mod=vendor\ntasks:\n  default:\n    cmds:\n"
                            "      - go build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 5, "GP101")]


def test_task_templates_and_task_calls(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN task ci GO=go\n",
            "Taskfile.yml": "version: '3'\ntasks:\n  ci:\n    cmds:\n      - task: tools\n"
                            "  tools:\n    cmds:\n      - '{{.GO}} install example.com/tool@v1.0.0'\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_taskfile_env_values_are_judged_in_the_taskfile(repo, capsys):
    repo(**{"Taskfile.yml": "version: '3'\nenv:\n  GOPROXY: '\"\"'\ntasks:\n  default:\n"
                            "    env:\n      GONOSUMDB: '*'\n    cmds:\n      - go build ./...\n"})
    found = codes(lint(capsys))
    assert ("Taskfile.yml", 3, "GP203") in found
    assert ("Taskfile.yml", 7, "GP301") in found


def test_go_env_w_before_make_reaches_the_recipe(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Makefile": "build:\n\tgo build ./...\n",
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n"
                          "RUN go env -w GOPROXY=https://proxy.example.com && make build\n"})
    assert codes(lint(capsys), "GP101") == []


def test_mod_vendor_recipe_does_not_reach_the_proxy(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
            "Makefile": "GOFLAGS_BUILD := -mod=vendor\nbuild:\n\tgo build $(GOFLAGS_BUILD) ./...\n"})
    assert codes(lint(capsys), "GP101") == []


def test_ci_make_passing_an_undeclared_build_arg_is_reported_at_the_makefile(repo, capsys):
    repo(**{
        "go.mod": GO_MOD,
        ".github__workflows__ci.yml": "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    env:\n"
                                      "      GOPROXY: https://proxy.example.com\n    steps:\n"
                                      "      - uses: actions/checkout@v4\n      - run: make image\n",
        "Makefile": "image:\n\tdocker build --build-arg GOPROXY=$(GOPROXY) .\n",
        "Dockerfile": "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n"})
    assert ("Makefile", 2, "GP105") in codes(lint(capsys))


def test_script_called_from_ci_builds_without_the_build_arg(repo, capsys):
    repo(**{
        "go.mod": GO_MOD,
        ".gitlab-ci.yml": "build:\n  variables:\n    GOPROXY: https://proxy.example.com\n  script:\n"
                          "    - ./hack/docker-build.sh\n",
        "hack__docker-build.sh": "#!/bin/sh\ncd \"$(dirname \"$0\")/..\"\ndocker build -t app .\n",
        "Dockerfile": "FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"})
    assert codes(lint(capsys)) == [("hack/docker-build.sh", 3, "GP104")]


def test_build_arg_flag_without_a_value_is_no_crash(repo, capsys):
    # found by the fuzzer: `--build-arg(` splits into `--build-arg` and `(`; nothing follows it
    repo(**{".github__workflows__ci.yml": "on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
                                          "      - run: docker build --build-arg(GOPROXY=x .\n"})
    assert [d["code"] for d in lint(capsys)] in ([], ["GP001"]) and "internal error" not in json.dumps(lint(capsys))


def test_loopback_goproxy_exported_by_the_makefile_is_reported_there(repo, capsys):
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE,
                   "Makefile": "export GOPROXY = http://localhost:3000\nbuild:\n\tgo build ./...\n"})
    assert codes(lint(capsys)) == [("Makefile", 1, "GP107")]
    main(["--no-cache", "--fix", "--unsafe-fixes", "."])
    capsys.readouterr()
    assert (root / "Makefile").read_text().startswith("export GOPROXY = http://host.docker.internal:3000\n")
    assert lint(capsys) == []


def test_make_dry_run_runs_no_recipe(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Makefile": "build:\n\tgo build ./...\n",
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN make -n build\n"})
    assert codes(lint(capsys), "GP101") == []


def test_make_dash_e_lets_the_environment_beat_the_makefile(repo, capsys):
    repo(**{"go.mod": GO_MOD, "vendor__modules.txt": "# example.com/x v1.0.0\n",
            "Makefile": "export GOFLAGS = -mod=vendor\nbuild:\n\tgo build ./...\n",
            "Dockerfile": "FROM golang:1.22\nENV GOFLAGS=-mod=mod\nWORKDIR /src\nCOPY . .\nRUN make -e build\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 5, "GP101")]


def test_go_env_w_read_through_make_in_the_same_stage_is_no_gp106(repo, capsys):
    # the `make build` after `go env -w` reads the go env file: nothing is lost
    repo(**{"go.mod": GO_MOD, "Makefile": "build:\n\tgo build ./...\n",
            "Dockerfile": "FROM golang:1.22 AS a\nRUN go env -w GOPROXY=https://proxy.example.com\nWORKDIR /src\n"
                          "COPY . .\nRUN make build\nFROM golang:1.22 AS b\nRUN go version\n"})
    assert codes(lint(capsys)) == []


def test_a_loopback_job_value_passed_through_make_names_the_chain(repo, capsys):
    # the job's GOPROXY reaches the build through the Makefile's bare --build-arg: GP107 stands
    # where the value is written (the workflow) and says which build it reaches, and how
    repo(**{"go.mod": GO_MOD,
            ".github__workflows__ci.yml": "on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    env:\n"
                                          "      GOPROXY: http://localhost:3000\n    steps:\n      - run: make image\n",
            "Makefile": "image:\n\tdocker build --build-arg GOPROXY -t app .\n",
            "Dockerfile": "FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"})
    [finding] = lint(capsys)
    assert codes([finding]) == [(".github/workflows/ci.yml", 6, "GP107")]
    assert "passed into `docker build` (through `make image` → Makefile:2)" in finding["message"]


def test_a_passed_makefile_reports_the_dockerfile_that_runs_it(repo, capsys):
    # pre-commit passes only the changed Makefile: dropping its `export GOPROXY` makes the
    # untouched Dockerfile's `RUN make build` wrong, so that finding is reported, saying why
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": DOCKERFILE_MAKE, "Makefile": "build:\n\tgo build ./...\n",
                   "other__Dockerfile": "FROM golang:1.22\nRUN go build ./...\n"})
    [finding] = lint(capsys, "Makefile")
    assert codes([finding]) == [("Dockerfile", 4, "GP101")]
    assert finding["message"].endswith("(reported because Makefile, which was passed, is run from here)")
    (root / "Makefile").write_text("export GOPROXY = https://proxy.example.com\nbuild:\n\tgo build ./...\n")
    assert lint(capsys, "Makefile") == []  # other/Dockerfile's own GP101 does not go through it
    (root / "Taskfile.yml").write_text("version: '3'\ntasks: {}\n")
    (root / "Makefile").write_text("build:\n\tgo build ./...\n")
    assert lint(capsys, "Taskfile.yml") == []  # a Taskfile nothing runs makes nothing wrong
