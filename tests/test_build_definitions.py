"""GoReleaser, Skaffold and Tiltfiles as sources of image builds (docs/semantics.md §22-§24):
what each passes into a Dockerfile, where findings stand, and fixes that re-parse and settle."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gplint.cli import main
from gplint.discover import hook_files_pattern, kind_of
from gplint.formats import goreleaser, skaffold
from gplint.formats.yamlpos import load_yaml
from gplint.model import ImageBuild
from gplint.source import Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of a fixture project as a repository of its own."""

    def make(name):
        root = tmp_path / "repo"
        shutil.copytree(FIXTURES / name, root)
        (root / ".git").mkdir()
        monkeypatch.chdir(root)
        return root

    return make


def lint(capsys, *args):
    status = main(["--no-cache", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


def found(diags):
    return sorted((d["code"], d["path"], d["line"]) for d in diags)


def builds_of(doc):
    return [e for s in doc.scopes for e in s.events if isinstance(e, ImageBuild)]


def source(path: str, text: str, kind: str) -> Source:
    return Source(path, path, kind, text)


# -- discovery -------------------------------------------------------------------------------
@pytest.mark.parametrize("path,kind", [
    (".goreleaser.yaml", "goreleaser"), (".goreleaser.yml", "goreleaser"), ("sub/goreleaser.yaml", "goreleaser"),
    ("skaffold.yaml", "skaffold"), ("deploy/skaffold.yml", "skaffold"),
    ("Tiltfile", "tilt"), ("dev/Tiltfile", "tilt"),
    ("Tiltfile.bak", None), ("skaffold-values.yaml", None),
])
def test_kind_by_name(path, kind):
    assert kind_of(path) == kind


def test_pre_commit_filter_passes_tiltfiles():
    import re

    pattern = re.compile(hook_files_pattern())
    assert pattern.search("Tiltfile") and pattern.search("dev/Tiltfile")
    assert pattern.search(".goreleaser.yaml") and pattern.search("skaffold.yaml")
    assert not pattern.search("Tiltfile.md")


# -- GoReleaser ---------------------------------------------------------------------------------
def test_goreleaser_loopback_flag_is_gp107_at_the_flag(project, capsys):
    project("goreleaser/loopback")
    status, diags = lint(capsys, ".goreleaser.yaml")
    assert status == 1
    assert found(diags) == [("GP107", ".goreleaser.yaml", 11)]
    assert diags[0]["column"] == 22  # at GOPROXY=…, inside the quotes and after `--build-arg=`


def test_goreleaser_one_item_flag_is_reported_and_fixed(project, capsys):
    root = project("goreleaser/one_item")
    status, diags = lint(capsys, ".")
    assert found(diags) == [("GP104", ".goreleaser.yaml", 7), ("GP105", ".goreleaser.yaml", 9)]
    gp104 = next(d for d in diags if d["code"] == "GP104")
    assert "one argument" in gp104["message"] and "--build-arg=GOPROXY" in gp104["message"]
    main(["--no-cache", "--fix", "--select", "GP104", "."])
    capsys.readouterr()
    text = (root / ".goreleaser.yaml").read_text()
    assert '- "--build-arg=GOPROXY=https://goproxy.example.com"  # one argument: docker rejects it' in text
    load_yaml(text)  # still YAML
    before = text
    main(["--no-cache", "--fix", "--select", "GP104", "."])
    capsys.readouterr()
    assert (root / ".goreleaser.yaml").read_text() == before  # a second --fix changes nothing
    _, diags = lint(capsys, "--select", "GP104", ".")
    assert diags == []


def test_goreleaser_one_item_with_a_reported_value_has_no_fix(tmp_path):
    text = "dockers:\n  - build_flag_templates:\n      - --build-arg GOSUMDB=off\n"
    doc = goreleaser.lower(source(str(tmp_path / ".goreleaser.yaml"), text, "goreleaser"))
    [build] = builds_of(doc)
    assert [a.name for a in build.unusable_args] == ["GOSUMDB"] and build.build_args == []


def test_goreleaser_reads_both_flag_forms_templates_and_dockers_v2(tmp_path):
    text = ("dockers:\n"
            "  - dockerfile: build/Dockerfile\n"
            "    build_flag_templates:\n"
            "      - --build-arg=GOPROXY={{ .Env.GOPROXY }}\n"
            "      - --build-arg\n"
            "      - GOFLAGS=-mod=mod\n"
            "      - --network=host\n"
            "dockers_v2:\n"
            "  - build_args:\n"
            "      GONOSUMDB: example.com/private\n")
    doc = goreleaser.lower(source(str(tmp_path / ".goreleaser.yaml"), text, "goreleaser"))
    first, second = builds_of(doc)
    assert first.dockerfile == "build/Dockerfile" and first.context is None  # a temporary context (§22.1)
    assert [(a.name, a.value, a.dynamic) for a in first.build_args] == [
        ("GOPROXY", "{{ .Env.GOPROXY }}", True), ("GOFLAGS", "-mod=mod", False)]
    assert first.network_host and not first.opaque_args
    assert [(a.name, a.value) for a in second.build_args] == [("GONOSUMDB", "example.com/private")]
    assert second.dockerfile == "Dockerfile"


@pytest.mark.parametrize("text,expected", [
    ("dockers:\n  - build_flag_templates:\n      - --pull\n",
     "dockers:\n  - build_flag_templates:\n      - --pull\n      - --build-arg=GOPROXY\n"),
    ("dockers:\n  - build_flag_templates: [--pull]\n",
     "dockers:\n  - build_flag_templates: [--pull, --build-arg=GOPROXY]\n"),
    ("dockers:\n  - image_templates: [a]\n    dockerfile: Dockerfile\n",
     "dockers:\n  - image_templates: [a]\n    dockerfile: Dockerfile\n"
     "    build_flag_templates:\n      - --build-arg=GOPROXY\n"),
])
def test_goreleaser_add_build_arg_passes_the_environment(tmp_path, text, expected):
    doc = goreleaser.lower(source(str(tmp_path / ".goreleaser.yaml"), text, "goreleaser"))
    [build] = builds_of(doc)
    edit = build.add_build_arg("GOPROXY")
    fixed = text[:edit.start] + edit.content + text[edit.end:]
    assert fixed == expected
    [again] = builds_of(goreleaser.lower(source(str(tmp_path / ".goreleaser.yaml"), fixed, "goreleaser")))
    assert again.passes("GOPROXY") is not None and again.passes("GOPROXY").value is None


# -- Skaffold -----------------------------------------------------------------------------------
def test_skaffold_clean_build_args_are_silent(project, capsys):
    project("skaffold/clean")
    status, diags = lint(capsys, ".")
    assert (status, diags) == (0, [])


def test_skaffold_reads_every_document_and_null_values(tmp_path):
    text = (FIXTURES / "skaffold/clean/skaffold.yaml").read_text()
    doc = skaffold.lower(source(str(tmp_path / "skaffold.yaml"), text, "skaffold"))
    [build] = builds_of(doc)  # the ko artifact of the second document builds no Dockerfile
    assert (build.context, build.dockerfile) == ("app", "app/Dockerfile")  # dockerfile: relative to the context
    assert [(a.name, a.value, a.dynamic) for a in build.build_args] == [
        ("GOPROXY", None, False), ("GOFLAGS", "{{.GOFLAGS}}", True)]


def test_skaffold_undeclared_arg_is_gp105_and_env_template_is_gp203(project, capsys):
    root = project("skaffold/undeclared")
    status, diags = lint(capsys, "skaffold.yaml")
    assert found(diags) == [("GP105", "skaffold.yaml", 9), ("GP105", "skaffold.yaml", 18),
                            ("GP203", "skaffold.yaml", 18)]
    gp203 = next(d for d in diags if d["code"] == "GP203")
    assert "<no value>" in gp203["message"]
    main(["--no-cache", "--fix", "--select", "GP105", "skaffold.yaml"])
    capsys.readouterr()
    assert (root / "app/Dockerfile").read_text() == "FROM golang:1.22\nARG GOPROXY\nRUN go mod download\n"


def test_skaffold_template_of_the_environment_is_unknown(tmp_path):
    text = ("build:\n  artifacts:\n    - image: a\n      docker:\n        buildArgs:\n"
            "          GOPROXY: '{{.GOPROXY}}'\n          GOSUMDB: '{{.Env.GOSUMDB}}-{{.X}}'\n")
    [build] = builds_of(skaffold.lower(source(str(tmp_path / "skaffold.yaml"), text, "skaffold")))
    assert all(a.dynamic for a in build.build_args)


def test_skaffold_positions_in_a_later_document(tmp_path):
    text = "apiVersion: v1\n---\n# two\nbuild:\n  artifacts:\n    - image: a\n      docker:\n" \
           "        buildArgs:\n          GOPROXY: direct\n"
    [build] = builds_of(skaffold.lower(source(str(tmp_path / "skaffold.yaml"), text, "skaffold")))
    arg = build.build_args[0]
    assert text[arg.span.start:arg.span.end] == "GOPROXY: direct"


@pytest.mark.parametrize("args,expected", [
    ("        buildArgs:\n          GOFLAGS: -mod=mod\n",
     "        buildArgs:\n          GOFLAGS: -mod=mod\n          GOPROXY:\n"),
    ("        dockerfile: Dockerfile\n",
     "        dockerfile: Dockerfile\n        buildArgs:\n          GOPROXY:\n"),
    ("        buildArgs: {GOFLAGS: -mod=mod}\n",
     "        buildArgs: {GOFLAGS: -mod=mod, GOPROXY: null}\n"),
])
def test_skaffold_add_build_arg_is_a_null_value(tmp_path, args, expected):
    head = "build:\n  artifacts:\n    - image: a\n      docker:\n"
    text = head + args
    [build] = builds_of(skaffold.lower(source(str(tmp_path / "skaffold.yaml"), text, "skaffold")))
    edit = build.add_build_arg("GOPROXY")
    fixed = text[:edit.start] + edit.content + text[edit.end:]
    assert fixed == head + expected
    [again] = builds_of(skaffold.lower(source(str(tmp_path / "skaffold.yaml"), fixed, "skaffold")))
    assert again.passes("GOPROXY") is not None and again.passes("GOPROXY").value is None


# -- Tiltfile ----------------------------------------------------------------------------------
def test_tiltfile_loopback_is_gp107_at_the_dict_entry(project, capsys):
    project("tilt/loopback")
    status, diags = lint(capsys, "Tiltfile")
    assert found(diags) == [("GP107", "Tiltfile", 8)]


def test_tiltfile_arg_from_getenv_reaches_gp105(project, capsys):
    root = project("tilt/getenv")
    status, diags = lint(capsys, "Tiltfile")
    assert found(diags) == [("GP105", "Tiltfile", 2)]
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    assert "ARG GOPROXY" in (root / "svc/Dockerfile").read_text()
    assert lint(capsys, ".")[1] == []


def test_tiltfile_getenv_loopback_default_is_judged(tmp_path):
    from gplint.formats import tiltfile

    text = "docker_build('a', '.', build_args={'GOPROXY': os.environ.get('GOPROXY', 'http://localhost:1')})\n" \
           "docker_build('b', '.', build_args={'GOPROXY': os.getenv('GOPROXY')})\n"
    first, second = builds_of(tiltfile.lower(source(str(tmp_path / "Tiltfile"), text, "tilt")))
    assert [(s.value, s.dynamic) for s in first.passed] == [("http://localhost:1", False)]
    assert text[first.passed[0].value_span.start:first.passed[0].value_span.end] == "http://localhost:1"
    assert [s.dynamic for s in second.passed] == [True]


def test_custom_build_is_silent(project, capsys):
    project("tilt/custom")
    assert lint(capsys, "Tiltfile") == (0, [])


def test_tiltfile_paths_are_relative_to_its_folder(tmp_path):
    from gplint.formats import tiltfile

    text = "docker_build('a', 'svc', dockerfile='build/Dockerfile.dev')\ndocker_build('b', 'svc')\n" \
           "docker_build('c', '.', dockerfile_contents='FROM x')\n"
    one, two, three = builds_of(tiltfile.lower(source(str(tmp_path / "Tiltfile"), text, "tilt")))
    assert (one.context, one.dockerfile) == ("svc", "build/Dockerfile.dev")
    assert (two.context, two.dockerfile) == ("svc", "svc/Dockerfile")
    assert three.dockerfile is None


@pytest.mark.parametrize("call,expected", [
    ("docker_build('a', '.', build_args={'GOFLAGS': '-mod=mod'})",
     "docker_build('a', '.', build_args={'GOFLAGS': '-mod=mod', 'GOPROXY': os.getenv('GOPROXY', '')})"),
    ("docker_build('a', '.', build_args={})",
     "docker_build('a', '.', build_args={'GOPROXY': os.getenv('GOPROXY', '')})"),
    ("docker_build('a', '.')",
     "docker_build('a', '.', build_args={'GOPROXY': os.getenv('GOPROXY', '')})"),
    ('docker_build("a", ".", build_args={\n    "GOFLAGS": "-mod=mod",  # why\n})',
     'docker_build("a", ".", build_args={\n    "GOFLAGS": "-mod=mod",\n    "GOPROXY": os.getenv("GOPROXY", ""),'
     '  # why\n})'),
    ("docker_build('a', '.', build_args={\n    'GOFLAGS': '-mod=mod'\n})",
     "docker_build('a', '.', build_args={\n    'GOFLAGS': '-mod=mod',\n    'GOPROXY': os.getenv('GOPROXY', '')\n})"),
])
def test_tiltfile_add_build_arg_edits_the_dict_in_place(tmp_path, call, expected):
    import libcst

    from gplint.formats import tiltfile

    text = "# dev\n" + call + "\n"
    [build] = builds_of(tiltfile.lower(source(str(tmp_path / "Tiltfile"), text, "tilt")))
    edit = build.add_build_arg("GOPROXY")
    fixed = text[:edit.start] + edit.content + text[edit.end:]
    assert fixed == "# dev\n" + expected + "\n"
    libcst.parse_module(fixed)
    [again] = builds_of(tiltfile.lower(source(str(tmp_path / "Tiltfile"), fixed, "tilt")))
    assert again.passes("GOPROXY") is not None


def test_broken_tiltfile_is_gp001_and_other_syntax_is_skipped(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    Path("Tiltfile").write_text("docker_build('a', '.',\n")
    status, diags = lint(capsys, "Tiltfile")
    assert status == 2 and [d["code"] for d in diags] == ["GP001"]
    Path("Tiltfile").write_text("x = = 1\ndocker_build('a', '.')\n")
    assert lint(capsys, "Tiltfile") == (0, [])


def test_no_libcst_import_without_a_tiltfile(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nRUN go build\n")
    (tmp_path / "skaffold.yaml").write_text("build:\n  artifacts:\n    - image: a\n")
    code = ("import sys; from gplint.cli import main; main(['--no-cache', '-q', '.']); "
            "print('libcst' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False)
    assert out.stdout.strip().splitlines()[-1] == "False", out.stderr


# -- hostile input ---------------------------------------------------------------------------
def test_skaffold_directive_and_comment_preambles_stay_with_their_document(tmp_path):
    text = "%YAML 1.2\n---\nbuild:\n  artifacts:\n    - image: a\n# next\n---\n" \
           "build:\n  artifacts:\n    - image: b\n"
    doc = skaffold.lower(source(str(tmp_path / "skaffold.yaml"), text, "skaffold"))
    assert doc.problems == [] and len(builds_of(doc)) == 2


def test_many_documents_and_deep_nesting_stay_cheap(tmp_path):
    from hangguard import hang_guard

    from gplint.formats import tiltfile

    many = "".join(f"---\nbuild:\n  artifacts:\n    - image: a{i}\n" for i in range(3000))
    deep = "x = " + "[" * 100_000 + "]" * 100_000 + "\ndocker_build('a', '.')\n"
    with hang_guard(30):  # each is well under a second of CPU
        assert len(builds_of(skaffold.lower(source(str(tmp_path / "skaffold.yaml"), many, "skaffold")))) == 3000
        doc = tiltfile.lower(source(str(tmp_path / "Tiltfile"), deep, "tilt"))
    assert builds_of(doc) == []  # too deep to be a Tiltfile: skipped, never a RecursionError


@pytest.mark.parametrize("kind,name", [("goreleaser", ".goreleaser.yaml"), ("skaffold", "skaffold.yaml"),
                                       ("tilt", "Tiltfile")])
def test_arbitrary_text_lowers_without_an_exception(tmp_path, kind, name):
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from gplint.formats.lowering import lower_by_kind

    pieces = st.sampled_from(["build:", "artifacts:", "- image: a", "docker:", "buildArgs:", "GOPROXY:",
                              "dockers:", "build_flag_templates:", "- --build-arg", "- '--build-arg A=b'",
                              "docker_build(", "'a'", ",", ")", "{", "}", ":", "os.getenv(", "build_args=",
                              "\n", "  ", "---", "{{.Env.X}}", "#", "\"", "\\"])

    @settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(pieces, max_size=40).map("".join))
    def check(text):
        doc = lower_by_kind(source(str(tmp_path / name), text, kind))
        for build in builds_of(doc):
            for edit in [build.add_build_arg("GOPROXY")] if build.add_build_arg else []:
                assert edit is None or 0 <= edit.start <= edit.end <= len(text)

    check()


def test_value_fixes_edit_the_written_value_in_each_format(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "app/Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go mod download\n")
    files = {
        "skaffold.yaml": ("build:\n  artifacts:\n    - image: a\n      context: app\n      docker:\n"
                          "        buildArgs:\n          GOPROXY: \"DIRECT\"   # keep\n"),
        "Tiltfile": "docker_build('a', 'app', build_args={'GOPROXY': \"DIRECT\"})  # keep\n",
        ".goreleaser.yaml": ("dockers:\n  - dockerfile: app/Dockerfile\n    build_flag_templates:\n"
                             "      - \"--build-arg=GOPROXY=DIRECT\"\n"),
    }
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    monkeypatch.chdir(tmp_path)
    _, diags = lint(capsys, ".")
    assert found(diags) == [("GP203", ".goreleaser.yaml", 4), ("GP203", "Tiltfile", 1), ("GP203", "skaffold.yaml", 7)]
    main(["--no-cache", "--fix", "."])
    capsys.readouterr()
    for name, text in files.items():
        assert (tmp_path / name).read_text() == text.replace("DIRECT", "direct")
    assert lint(capsys, ".") == (0, [])


def test_tiltfile_restart_wrapper_passes_keywords_to_docker_build(tmp_path):
    from gplint.formats import tiltfile

    text = ("load('ext://restart_process', 'docker_build_with_restart')\n"
            "docker_build_with_restart('a', '.', ['/app'], [], dockerfile='hack/Dockerfile',\n"
            "    build_args={'GOPROXY': os.environ.get('GOPROXY', '')})\n")
    [build] = builds_of(tiltfile.lower(source(str(tmp_path / "Tiltfile"), text, "tilt")))
    assert build.dockerfile == "hack/Dockerfile"
    assert [(a.name, a.value) for a in build.build_args] == [("GOPROXY", "")]


def test_cache_sees_a_build_definition_change(tmp_path, monkeypatch, capsys):
    """A Dockerfile's findings depend on the build definitions that build it (here: Skaffold's
    `network: host`), and a build definition's findings are cached like a CI file's."""
    monkeypatch.setenv("GPLINT_CACHE_DIR", str(tmp_path / "cache"))
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY=http://localhost:3000\nRUN go mod download\n")
    (repo / "skaffold.yaml").write_text("build:\n  artifacts:\n    - image: a\n      docker:\n"
                                        "        buildArgs:\n          GOFLAGS: -mod=mod\n")
    monkeypatch.chdir(repo)

    def run():
        main(["--format", "json", "."])
        return found(json.loads(capsys.readouterr().out))

    assert run() == [("GP105", "skaffold.yaml", 6), ("GP107", "Dockerfile", 2)]
    assert run() == [("GP105", "skaffold.yaml", 6), ("GP107", "Dockerfile", 2)]  # from the cache
    (repo / "skaffold.yaml").write_text("build:\n  artifacts:\n    - image: a\n      docker:\n"
                                        "        network: host\n")
    assert run() == []  # every build of the Dockerfile uses the host's network now (§11.4)


def test_invalid_yaml_in_a_later_document_is_gp001_where_it_is(tmp_path):
    text = "build:\n  artifacts: []\n---\nbuild:\n  artifacts: [\n"
    doc = skaffold.lower(source(str(tmp_path / "skaffold.yaml"), text, "skaffold"))
    [problem] = doc.problems
    assert problem.span.start >= text.index("---") and "invalid YAML" in problem.message


def test_crlf_files_get_crlf_edits(tmp_path):
    from gplint.formats import tiltfile

    text = "docker_build('a', '.', build_args={\r\n    'GOFLAGS': '-mod=mod',\r\n})\r\n"
    [build] = builds_of(tiltfile.lower(source(str(tmp_path / "Tiltfile"), text, "tilt")))
    edit = build.add_build_arg("GOPROXY")
    fixed = text[:edit.start] + edit.content + text[edit.end:]
    assert fixed == text.replace("'-mod=mod',\r\n", "'-mod=mod',\r\n    'GOPROXY': os.getenv('GOPROXY', ''),\r\n")
    yaml_text = "build:\r\n  artifacts:\r\n    - image: a\r\n      docker:\r\n        buildArgs:\r\n          A: b\r\n"
    [build] = builds_of(skaffold.lower(source(str(tmp_path / "skaffold.yaml"), yaml_text, "skaffold")))
    edit = build.add_build_arg("GOPROXY")
    assert yaml_text[:edit.start] + edit.content + yaml_text[edit.end:] == yaml_text + "          GOPROXY:\r\n"


def test_goreleaser_flag_made_by_a_template_may_pass_anything(tmp_path):
    text = "dockers:\n  - build_flag_templates:\n      - '{{ .Env.EXTRA_DOCKER_FLAGS }}'\n"
    [build] = builds_of(goreleaser.lower(source(str(tmp_path / ".goreleaser.yaml"), text, "goreleaser")))
    assert build.opaque_args  # GP104 then never says the variable is not passed
