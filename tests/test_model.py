"""The execution model: what is in scope at each go command of a Dockerfile (docs/semantics.md §8, §9)."""
from __future__ import annotations

from gplint.analysis import go_runs
from gplint.formats import dockerfile
from gplint.source import Source


def runs(text: str):
    doc = dockerfile.lower(Source("Dockerfile", "/nonexistent/Dockerfile", "dockerfile", text))
    return doc, go_runs(doc, None)


def value(run, name):
    setting = run.env.effective(name)
    return None if setting is None else (setting.value, setting.how)


def test_the_later_of_env_and_arg_wins():
    """BuildKit's dispatchArg writes an ARG with a value into the stage environment over an
    earlier ENV (§8.4); this test used to pin "ENV wins whatever the order", which was wrong."""
    _, (run,) = runs("FROM golang\nENV GOPROXY=direct\nARG GOPROXY=https://a\nRUN go build\n")
    assert value(run, "GOPROXY") == ("https://a", "arg")
    _, (run,) = runs("FROM golang\nARG GOPROXY=https://a\nENV GOPROXY=direct\nRUN go build\n")
    assert value(run, "GOPROXY") == ("direct", "env")
    # a global default re-declared after the ENV is a value too
    _, (run,) = runs("ARG GOPROXY=https://g\nFROM golang\nENV GOPROXY=direct\nARG GOPROXY\nRUN go build\n")
    assert value(run, "GOPROXY") == ("https://g", "arg")
    # an ARG with no value changes nothing unless a --build-arg is passed, which gplint cannot see
    _, (run,) = runs("FROM golang\nENV GOPROXY=direct\nARG GOPROXY\nRUN go build\n")
    assert value(run, "GOPROXY") == ("direct", "env")
    # the ARG's value lasts into a stage built FROM this one, and a later ENV there wins again
    _, (child, after) = runs("FROM golang AS base\nENV GOPROXY=direct\nARG GOPROXY=https://a\n"
                             "FROM base\nRUN go build\nENV GOPROXY=off\nRUN go build\n")
    assert value(child, "GOPROXY") == ("https://a", "arg")
    assert value(after, "GOPROXY") == ("off", "env")


def test_global_arg_needs_redeclaring_and_takes_its_value():
    _, (a, b) = runs("ARG GOPROXY=https://g\nFROM golang AS a\nRUN go build\nFROM golang AS b\nARG GOPROXY\nRUN go build\n")
    assert value(a, "GOPROXY") is None
    assert value(b, "GOPROXY") == ("https://g", "arg")


def test_arg_and_env_are_inherited_by_derived_stages_only():
    _, (child, other) = runs("FROM golang AS base\nARG GOPRIVATE=x\nENV GOPROXY=https://p\n"
                             "FROM base AS child\nRUN go build\nFROM golang AS other\nRUN go build\n")
    assert value(child, "GOPROXY") == ("https://p", "env")
    assert value(child, "GOPRIVATE") == ("x", "arg")  # BuildKit: ARGs are inherited too (§8.3)
    assert value(other, "GOPROXY") is None


def test_export_lasts_for_its_run_only_and_inline_for_its_command():
    _, (first, second, third) = runs(
        "FROM golang\nRUN export GOPROXY=https://e && GOFLAGS=-mod=mod go build && go test\nRUN go vet\n")
    assert value(first, "GOPROXY") == ("https://e", "export")
    assert value(first, "GOFLAGS") == ("-mod=mod", "inline")
    assert value(second, "GOFLAGS") is None
    assert value(second, "GOPROXY") == ("https://e", "export")
    assert value(third, "GOPROXY") is None  # a new RUN is a new shell
    # the environment kept for the first command was not changed by the later RUN
    assert value(first, "GOPROXY") == ("https://e", "export")


def test_plain_shell_assignment_is_not_exported_unless_already_in_the_environment():
    _, (a, b) = runs("FROM golang\nRUN GOPROXY=https://s; go build\nARG GOFLAGS\nRUN GOFLAGS=-mod=mod; go build\n")
    assert value(a, "GOPROXY") is None
    assert value(b, "GOFLAGS") == ("-mod=mod", "shell")


def test_go_env_w_persists_down_the_lineage_and_env_var_wins():
    _, (a, b) = runs("FROM golang AS a\nRUN go env -w GOPROXY=https://w\nRUN go build\n"
                     "FROM a AS b\nENV GOPROXY=https://env\nRUN go build\n")
    assert value(a, "GOPROXY") == ("https://w", "go-env-w")
    assert value(b, "GOPROXY") == ("https://env", "env")


def test_substitution_uses_values_from_before_the_instruction():
    _, (run,) = runs("FROM golang\nARG HOST=goproxy.cn\nENV GOPROXY=https://${HOST},direct HOST=other\nRUN go build\n")
    assert value(run, "GOPROXY") == ("https://goproxy.cn,direct", "env")


def test_heredoc_exec_form_and_sh_c_commands_are_seen():
    _, found = runs('FROM golang\nRUN <<EOF\nset -e\ngo mod download\nEOF\nRUN ["go", "build"]\n'
                    "RUN sh -c 'go vet ./...'\nRUN cat <<EOF > /x\ngo test\nEOF\n")
    assert [r.command.words[0] for r in found] == ["mod", "build", "vet"]


def test_vendored_and_non_fetching_commands_do_not_reach_the_proxy():
    _, found = runs("FROM golang\nRUN go build -mod=vendor ./... && go env GOPATH && go version "
                    "&& GOFLAGS=-mod=vendor go mod download\n")
    assert [(r.command.words[0], r.reaches_proxy) for r in found] == [
        ("build", False), ("env", False), ("version", False), ("mod", True)]
