"""A Makefile is a source of builds on its own (issue 10, §17.7): its `docker build` recipes are
judged with no CI job calling them, the Dockerfiles they build get that build's context, a build
a CI job also reaches is reported once, and the result cache sees the files hand-offs read."""
from __future__ import annotations

import json
import textwrap

import pytest

from gplint.cli import main

GO_MOD = "module example.com/m\n\ngo 1.22\n"
UNDECLARED = "FROM golang:1.22\nCOPY . .\nRUN go build ./...\n"
DECLARED = "FROM golang:1.22\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"
WORKFLOW = ("on: push\njobs:\n  image:\n    runs-on: ubuntu-latest\n    env:\n      GOPROXY: https://proxy.example.com\n"
            "    steps:\n      - uses: actions/checkout@v4\n      - run: make image\n")


@pytest.fixture
def repo(tmp_path, monkeypatch):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path.parent / "cache"))

    def files(**named):
        for name, text in named.items():
            path = tmp_path / name.replace("__", "/")
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return tmp_path

    return files


def lint(capsys, *args, cache=False):
    main([*([] if cache else ["--no-cache"]), "--format", "json", *(args or (".",))])
    return json.loads(capsys.readouterr().out)


def codes(diags, code=None):
    return [(d["path"], d["line"], d["code"]) for d in diags if code is None or d["code"] == code]


def test_makefile_passing_an_undeclared_build_arg_gets_gp105_with_no_ci(repo, capsys):
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED,
                   "Makefile": "IMAGE ?= app\nimage:\n\tdocker build --build-arg GOPROXY=$(GOPROXY) -t $(IMAGE) .\n"})
    assert ("Makefile", 3, "GP105") in codes(lint(capsys))
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    fixed = (root / "Dockerfile").read_text()
    assert fixed == DECLARED
    main(["--no-cache", "--fix", "."])  # a second --fix changes nothing
    capsys.readouterr()
    assert (root / "Dockerfile").read_text() == fixed
    assert lint(capsys) == []


def test_declared_arg_is_clean_and_a_recipe_without_docker_build_makes_no_scope(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DECLARED,
            "Makefile": "image:\n\tdocker build --build-arg GOPROXY=$(GOPROXY) .\ntest:\n\tgo test ./...\n"})
    assert lint(capsys) == []


def test_variable_docker_program_is_followed(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED,
            "Makefile": "DOCKER ?= docker\nimage:\n\t$(DOCKER) build --build-arg GOPROXY .\n"})
    assert codes(lint(capsys), "GP105") == [("Makefile", 3, "GP105")]


def test_gnumakefile_is_run_as_itself(repo, capsys):
    # `make -f GNUmakefile image` and `make -f Makefile release`: each file its own goals
    repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED, "Makefile": "release:\n\tdocker build --build-arg GOSUMDB=x .\n",
            "GNUmakefile": "image:\n\tdocker build --build-arg GOPROXY=x .\n"})
    assert codes(lint(capsys), "GP105") == [("GNUmakefile", 2, "GP105"), ("Makefile", 2, "GP105")]


def test_included_mk_file_is_not_run_on_its_own(repo, capsys):
    # it runs in the folder of the Makefile that includes it, which it does not name
    repo(**{"go.mod": GO_MOD, "build__Dockerfile": UNDECLARED,
            "build__docker.mk": "image:\n\tdocker build --build-arg GOPROXY=x .\n"})
    assert codes(lint(capsys), "GP105") == []


def test_ci_reaching_the_makefile_reports_once(repo, capsys):
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED, ".github__workflows__ci.yml": WORKFLOW,
                   "Makefile": "image:\n\tdocker build --build-arg GOPROXY=$(GOPROXY) .\n"})
    assert codes(lint(capsys), "GP105") == [("Makefile", 2, "GP105")]
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert (root / "Dockerfile").read_text() == DECLARED  # one ARG, not two
    assert lint(capsys) == []


def test_prerequisite_build_is_reported_once(repo, capsys):
    # `all: image` reaches the recipe of `image` too
    repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED,
            "Makefile": "push: image\n\tdocker push app\nimage:\n\tdocker build --build-arg GOPROXY -t app .\n"
                        "release: image\n\tdocker build --build-arg GOPROXY -t app .\n"})
    assert codes(lint(capsys), "GP105") == [("Makefile", 4, "GP105"), ("Makefile", 6, "GP105")]


def test_gp104_needs_the_variable_exported_by_the_makefile(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DECLARED, "Makefile": "image:\n\tdocker build -t app .\n"})
    assert lint(capsys) == []  # nothing in scope: nothing to pass
    root = repo(**{"Makefile": "export GOPROXY = https://proxy.example.com\nimage:\n\tdocker build -t app .\n"})
    assert codes(lint(capsys)) == [("Makefile", 3, "GP104")]
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert (root / "Makefile").read_text().endswith("\tdocker build -t app --build-arg GOPROXY .\n")
    assert lint(capsys) == []


def test_loopback_build_arg_in_a_makefile_is_gp107(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": DECLARED,
            "Makefile": "image:\n\tdocker build --build-arg GOPROXY=http://localhost:3000 .\n"})
    assert codes(lint(capsys), "GP107") == [("Makefile", 2, "GP107")]


def test_build_only_through_make_gives_the_dockerfile_its_context(repo, capsys):
    # build/ and the root hold no go.mod: without the Makefile, build/ would be the context
    repo(**{"svc__go.mod": GO_MOD, "svc__go.sum": "", "svc__.dockerignore": "*\n",
            "build__Dockerfile": "FROM golang:1.22\nARG GOPROXY\nCOPY go.mod go.sum ./\nRUN go mod download\n",
            "Makefile": "image:\n\tdocker build -f build/Dockerfile svc\n"})
    assert codes(lint(capsys), "GP401") == [("svc/.dockerignore", 1, "GP401")] * 2


def test_values_a_makefile_passes_refuse_the_declaring_fix(repo, capsys):
    # declaring ARG GOPROXY would let the Makefile's loopback value into the build (values_passed_to)
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED,
                   "Makefile": "image:\n\tdocker build --build-arg GOPROXY=http://localhost:3000 .\n"})
    diags = lint(capsys)
    gp101 = [d for d in diags if d["code"] == "GP101"]
    assert gp101 and all(d.get("fix") is None for d in gp101)
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert (root / "Dockerfile").read_text() == UNDECLARED


def test_suppression_in_the_makefile(repo, capsys):
    repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED,
            "Makefile": "image:\n\t# gplint: ignore[GP105]\n\tdocker build --build-arg GOPROXY=x .\n"})
    assert codes(lint(capsys), "GP105") == []


def test_editing_a_script_a_makefile_reaches_relints(repo, capsys):
    # the script is in no inventory: the cache keys on the files hand-offs read (Project.reached)
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": UNDECLARED, "Makefile": "image:\n\t./hack/build\n",
                   "hack__build": "#!/bin/sh\ndocker build --build-arg GOPROXY=x .\n"})
    (root / "hack" / "build").chmod(0o755)
    for _ in range(2):  # cold, then warm
        diags = lint(capsys, cache=True)
        assert codes(diags, "GP105") == [("hack/build", 2, "GP105")]
        # GP101's fix would let the script's `x` into the build (values_passed_to): refused
        assert [d["fix"] for d in diags if d["code"] == "GP101"] == [None]
    (root / "hack" / "build").write_text("#!/bin/sh\ndocker build .\n")
    diags = lint(capsys, cache=True)
    assert codes(diags, "GP105") == []
    assert [d["fix"] is not None for d in diags if d["code"] == "GP101"] == [True]  # not the stale refusal


def test_editing_a_script_a_dockerfile_runs_relints_it(repo, capsys):
    root = repo(**{"go.mod": GO_MOD, "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\nRUN ./hack/build.sh\n",
                   "hack__build.sh": "#!/bin/sh\nexport GOPROXY=https://proxy.example.com\ngo build ./...\n"})
    assert codes(lint(capsys, cache=True), "GP101") == []
    assert codes(lint(capsys, cache=True), "GP101") == []
    (root / "hack" / "build.sh").write_text("#!/bin/sh\ngo build ./...\n")
    assert codes(lint(capsys, cache=True), "GP101") == [("Dockerfile", 4, "GP101")]


# -- `. ./env.sh` in a Dockerfile RUN (§18.2) ------------------------------------------------------
def _sourcing(repo, env_sh, run="RUN . ./env.sh && go build ./...\n"):
    return repo(**{"go.mod": GO_MOD, "env.sh": env_sh,
                   "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n" + run})


def test_sourced_script_exports_reach_the_rest_of_the_run(repo, capsys):
    _sourcing(repo, "export GOPROXY=https://proxy.example.com\n")
    assert codes(lint(capsys), "GP101") == []


def test_sourced_script_without_export_leaves_go_without_it(repo, capsys):
    _sourcing(repo, "GOPROXY=https://proxy.example.com\n")
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_sourced_settings_end_with_the_run(repo, capsys):
    _sourcing(repo, "export GOPROXY=https://proxy.example.com\n", run="RUN . ./env.sh\nRUN go build ./...\n")
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 5, "GP101")]


def test_sourced_loopback_value_is_reported_in_the_script(repo, capsys):
    _sourcing(repo, "export GOPROXY=http://localhost:3000\n", run="RUN source ./env.sh; go mod download\n")
    assert codes(lint(capsys), "GP107") == [("env.sh", 1, "GP107")]


def test_sourced_script_not_copied_is_not_followed(repo, capsys):
    repo(**{"go.mod": GO_MOD, "env.sh": "export GOPROXY=https://proxy.example.com\n",
            "Dockerfile": "FROM golang:1.22\nWORKDIR /src\nCOPY go.mod ./\nRUN . ./env.sh && go build ./...\n"})
    assert codes(lint(capsys), "GP101") == [("Dockerfile", 4, "GP101")]


def test_a_makefile_alone_evaluates_one_make_run(repo, capsys):
    # its sub-makes are sources of builds themselves: a fan-out costs one evaluation, not MAX_MAKES
    from gplint.formats import makefile as mk

    repo(**{"go.mod": GO_MOD, "Dockerfile": DECLARED,
            "Makefile": "image:\n\tdocker build .\n\t$(MAKE) a b c d\na b c d:\n\t$(MAKE) a b c d image\n"})
    evaluated = []

    real_load = mk.Makefile.load

    def counting(self, path, depth=0):
        if depth == 0:
            evaluated.append(path)
        return real_load(self, path, depth)

    mk.Makefile.load = counting
    try:
        assert lint(capsys, "Makefile") == []
    finally:
        mk.Makefile.load = real_load
    assert 1 <= len(evaluated) <= 2  # the document's own reading, and the one make run
