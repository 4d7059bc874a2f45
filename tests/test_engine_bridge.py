"""The editor front ends' one adapter into the core (gplint/server/engine_bridge.py), and the
LSP position arithmetic. These need no pygls: they run in every test environment."""
from __future__ import annotations

import subprocess
import sys

import pytest

import gplint
from gplint.server import engine_bridge as bridge
from gplint.server.positions import to_offset, to_position

DOCKERFILE = """FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build ./...
"""
WORKFLOW = """on: push
env:
  GOPROXY: https://wf.example.com,direct
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: go build ./...
      - run: docker build --build-arg GOPROXY=https://proxy.example.com,direct .
"""


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (root / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    return root


def paths(repo):
    return str(repo), str(repo / "Dockerfile"), str(repo / ".github" / "workflows" / "ci.yml")


def by_code(found, path):
    return sorted(d.code for d in found[path])


def test_lint_files_uses_disk_then_overrides(repo):
    root, dockerfile, workflow = paths(repo)
    found = bridge.lint_files(root, {}, [dockerfile, workflow])
    assert by_code(found, dockerfile) == ["GP101"]
    assert by_code(found, workflow) == ["GP105"]
    fixed = DOCKERFILE.replace("WORKDIR", "ARG GOPROXY\nWORKDIR")
    found = bridge.lint_files(root, {dockerfile: fixed}, [dockerfile, workflow])
    assert found == {dockerfile: [], workflow: []}  # both: the workflow's GP105 reads the buffer too
    assert (repo / "Dockerfile").read_text() == DOCKERFILE


def test_an_unsaved_workflow_changes_the_dockerfile_findings(repo):
    root, dockerfile, workflow = paths(repo)
    secret = WORKFLOW.replace("GOPROXY=https://proxy.example.com,direct", "GOPROXY=http://u:hunter2@proxy.example.com")
    plain = bridge.lint_files(root, {}, [dockerfile])[dockerfile]
    changed = bridge.lint_files(root, {workflow: secret}, [dockerfile])[dockerfile]
    assert plain[0].fix is not None and "no fix" not in plain[0].message
    assert changed[0].fix is None and "no fix" in changed[0].message


def test_an_unsaved_new_file_is_linted_by_its_name(repo):
    root = str(repo)
    new = str(repo / "build" / "Dockerfile")
    found = bridge.lint_files(root, {new: DOCKERFILE}, [new])
    assert by_code(found, new) == ["GP101"]


def test_garbage_is_one_gp001(repo):
    root, dockerfile, workflow = paths(repo)
    found = bridge.lint_files(root, {workflow: "jobs: [\n  : : {{\n\t- -"}, [workflow])
    assert by_code(found, workflow) == ["GP001"]


def test_fixed_texts_match_gplint_fix(repo, tmp_path):
    root, dockerfile, workflow = paths(repo)
    texts = bridge.fixed_texts(root, {}, [workflow])
    assert list(texts) == [dockerfile]
    subprocess.run([sys.executable, "-m", "gplint", "--fix", "--no-cache", ".github/workflows/ci.yml"],
                   cwd=repo, capture_output=True, check=False)
    assert texts[dockerfile] == (repo / "Dockerfile").read_text() != DOCKERFILE


def test_fixed_texts_work_on_the_buffer_not_the_disk(repo):
    root, dockerfile, _ = paths(repo)
    buffer = DOCKERFILE.replace("COPY . .", "COPY . .\nENV GOFLAGS=-insecure")
    texts = bridge.fixed_texts(root, {dockerfile: buffer}, [dockerfile])
    assert "ENV GOFLAGS=-insecure" in texts[dockerfile]  # made on the buffer's text
    assert "ARG GOPROXY" in texts[dockerfile]  # GP101's safe fix


def test_config_applies_and_a_bad_config_is_a_problem(repo):
    root, dockerfile, _ = paths(repo)
    (repo / "gplint.toml").write_text('ignore = ["GP101"]\n')
    assert bridge.lint_files(root, {}, [dockerfile])[dockerfile] == []
    (repo / "gplint.toml").write_text('select = ["NOPE999"]\n')
    with pytest.raises(bridge.ConfigProblem):
        bridge.lint_files(root, {}, [dockerfile])


def test_effective_value_in_a_dockerfile(repo):
    root, dockerfile, _ = paths(repo)
    text = DOCKERFILE.replace("WORKDIR /src", "ENV GOPROXY=https://a.example.com\nWORKDIR /src")
    at_run = text.index("go build")
    found = bridge.effective_value(root, {dockerfile: text}, dockerfile, at_run, "GOPROXY")
    assert (found.value, found.how, found.line) == ("https://a.example.com", "env", 2)
    before = bridge.effective_value(root, {dockerfile: text}, dockerfile, text.index("ENV") - 1, "GOPROXY")
    assert before.how is None  # above the ENV it is not set yet
    on_it = bridge.effective_value(root, {dockerfile: text}, dockerfile, text.index("GOPROXY") + 2, "GOPROXY")
    assert on_it.line == 2


def test_effective_value_follows_inline_and_masks_passwords(repo):
    root, dockerfile, _ = paths(repo)
    text = DOCKERFILE.replace("RUN go build", "RUN GOPROXY=https://u:hunter2@b.example.com go build")
    found = bridge.effective_value(root, {dockerfile: text}, dockerfile, text.index("go build") + 1, "GOPROXY")
    assert found.how == "inline" and "hunter2" not in found.value and "b.example.com" in found.value


def test_effective_value_in_a_workflow_comes_from_its_env(repo):
    root, _, workflow = paths(repo)
    found = bridge.effective_value(root, {}, workflow, WORKFLOW.index("go build"), "GOPROXY")
    assert (found.value, found.line) == ("https://wf.example.com,direct", 3)


def test_kinds_follow_discovery(repo):
    root = str(repo)
    assert bridge.kind_for(root, str(repo / "Dockerfile")) == "dockerfile"
    assert bridge.kind_for(root, str(repo / "web.Dockerfile")) == "dockerfile"
    assert bridge.kind_for(root, str(repo / ".github" / "workflows" / "ci.yml")) == "github"
    assert bridge.kind_for(root, str(repo / ".gitlab-ci.yml")) == "gitlab"
    assert bridge.kind_for(root, str(repo / "README.md")) is None
    assert bridge.root_for(str(repo / "sub" / "Dockerfile")) == root


def test_rule_docs():
    assert bridge.rule_info("GP101").name == "goproxy-unset-in-stage"
    assert bridge.rule_doc_uri("GP101").startswith("file://") and bridge.rule_doc_uri("GP101").endswith("GP101.md")
    assert bridge.rule_doc_uri("GP999") is None


@pytest.mark.parametrize("text", ["", "a\nb", "é😀x\r\ny", "😀😀\n\n"])
def test_positions_round_trip(text):
    for offset in range(len(text) + 1):
        line, col = to_position(text, offset)
        if offset < len(text) and text[offset - 1:offset] == "\r":
            continue  # inside a \r\n pair: not a position an editor can name
        assert to_offset(text, line, col) == offset


def test_positions_count_utf16_units():
    text = "😀x\nab"
    assert to_position(text, 1) == (0, 2)  # the emoji is two UTF-16 units
    assert to_offset(text, 0, 2) == 1
    assert to_offset(text, 9, 0) == len(text)


def test_server_without_its_extra_says_how_to_install_it():
    code = ("import sys; sys.modules['pygls'] = None; sys.modules['lsprotocol'] = None\n"
            "from gplint.cli import main; sys.exit(main(['server']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "pip install 'gplint[server]'" in done.stderr and "Traceback" not in done.stderr


def test_plain_cli_start_up_does_not_import_the_server():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gplint", "--help"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "gplint.cli" in imported
    assert not {"pygls", "lsprotocol", "watchfiles", "gplint.server", "gplint.watch"} & imported


def test_version_answers_before_the_cli_is_imported():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "gplint", "--version"],
                          capture_output=True, text=True, timeout=120)
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert (done.returncode, done.stdout) == (0, f"gplint {gplint.__version__}\n")
    assert not {"argparse", "gplint.cli"} & imported
    # with other arguments argparse answers, with the same line
    done = subprocess.run([sys.executable, "-m", "gplint", "--quiet", "--version"], capture_output=True, text=True,
                          timeout=120)
    assert (done.returncode, done.stdout) == (0, f"gplint {gplint.__version__}\n")


def test_effective_value_of_a_dockerfile_arg_names_the_ci_builds_that_pass_it(repo):
    root, dockerfile, workflow = paths(repo)
    text = DOCKERFILE.replace("WORKDIR /src", "ARG GOPROXY\nWORKDIR /src")
    found = bridge.effective_value(root, {dockerfile: text}, dockerfile, text.index("go build"), "GOPROXY")
    assert (found.how, found.value, found.line) == ("arg", None, 2)
    assert found.passed == (("https://proxy.example.com,direct", ".github/workflows/ci.yml", 10),)
    secret = WORKFLOW.replace("GOPROXY=https://proxy.example.com,direct", "GOPROXY=http://u:hunter2@p.example.com")
    found = bridge.effective_value(root, {dockerfile: text, workflow: secret}, dockerfile,
                                   text.index("go build"), "GOPROXY")
    assert "hunter2" not in found.passed[0][0] and "p.example.com" in found.passed[0][0]


@pytest.mark.parametrize("encoding, column", [("utf-16", 3), ("utf-8", 6), ("utf-32", 2)])
def test_positions_follow_the_negotiated_encoding(encoding, column):
    from gplint.server import positions

    text = "é😀x"
    positions.set_encoding(encoding)
    try:
        assert to_position(text, 2) == (0, column)
        assert to_offset(text, 0, column) == 2
    finally:
        positions.set_encoding("utf-16")


def test_a_pipeline_and_the_file_it_includes_report_each_finding_once(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / "ci").mkdir()
    (tmp_path / ".gitlab-ci.yml").write_text("include:\n  - local: ci/go.yml\n")
    (tmp_path / "ci" / "go.yml").write_text(
        'build:\n  image: golang:1.22\n  variables:\n    GOSUMDB: "off"\n  script:\n    - go build ./...\n')
    root, pipeline, included = str(tmp_path), str(tmp_path / ".gitlab-ci.yml"), str(tmp_path / "ci" / "go.yml")
    assert by_code(bridge.lint_files(root, {}, [included]), included) == ["GP301"]
    both = bridge.lint_files(root, {}, [pipeline, included])
    assert by_code(both, included) == ["GP301"] and both[pipeline] == []
