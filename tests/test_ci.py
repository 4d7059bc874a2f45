"""CI files: GitHub Actions and GitLab CI lowered into the model, traced into `docker build`, and
fixed without disturbing a byte of formatting (validated with check-jsonschema and actionlint)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from gplint.cli import main
from gplint.formats import gha, glci
from gplint.model import walk
from gplint.project import Project
from gplint.source import Source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ci"
BIN = Path(sys.executable).parent


def _tool(name):
    found = BIN / name
    return str(found) if found.exists() else shutil.which(name)


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A copy of a fixture project as a repository of its own."""

    def make(name):
        root = tmp_path / name
        shutil.copytree(FIXTURES / name, root)
        (root / ".git").mkdir()
        monkeypatch.chdir(root)
        return root

    return make


@pytest.fixture
def workflow(tmp_path, monkeypatch):
    """A throw-away repository; returns the path of its .github/workflows/ci.yml."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    path = tmp_path / ".github" / "workflows" / "ci.yml"
    path.parent.mkdir(parents=True)
    return path


def lint(capsys, *args):
    status = main(["--no-cache", "--format", "json", *args])
    return status, json.loads(capsys.readouterr().out)


def found(diags):
    return sorted((d["code"], d["path"], d["line"]) for d in diags)


def test_github_findings(project, capsys):
    project("github-build")
    status, diags = lint(capsys)
    assert status == 1
    assert found(diags) == [
        ("GP104", ".github/workflows/image.yml", 25),  # docker buildx build without --build-arg GOPROXY
        ("GP104", ".github/workflows/image.yml", 29),  # build-push-action without a GOPROXY line
        ("GP105", ".github/workflows/image.yml", 37),  # GOFLAGS passed, never declared
        ("GP106", ".github/workflows/image.yml", 42),  # go env -w in job tools, go in other jobs
        ("GP107", ".github/workflows/image.yml", 14),  # loopback sumdb in a container job
    ]


def test_github_env_precedence(tmp_path):
    text = """on: push
env:
  GOPROXY: https://workflow
  GOFLAGS: -mod=mod
jobs:
  build:
    runs-on: ubuntu-latest
    env:
      GOPROXY: https://job
    steps:
      - run: |
          echo "GOPROXY=https://written" >> "$GITHUB_ENV"
          go build ./...
      - run: go test ./...
      - env:
          GOPROXY: https://step
        run: go vet ./...
"""
    source = Source("ci.yml", str(tmp_path / "ci.yml"), "github", text)
    doc = gha.lower(source)
    seen = []
    for event, env in walk(doc.scopes[0]):
        if type(event).__name__ == "GoCommand":
            seen.append((event.words[0], env.get("GOPROXY").value, env.get("GOFLAGS").value))
    assert seen == [("build", "https://job", "-mod=mod"),  # the writing step does not see its write
                    ("test", "https://written", "-mod=mod"),
                    ("vet", "https://step", "-mod=mod")]


def test_fixed_workflow_changes_only_the_added_text_and_stays_valid(project, capsys):
    root = project("github-build")
    workflow = root / ".github" / "workflows" / "image.yml"
    before = workflow.read_text()
    main(["--no-cache", "--fix", "--select", "GP104"])
    capsys.readouterr()
    after = workflow.read_text()
    assert after.replace("--build-arg GOPROXY ", "").replace("            GOPROXY=${{ env.GOPROXY }}\n", "") == before
    assert lint(capsys, "--select", "GP104")[1] == []
    check = _tool("check-jsonschema")
    if check:
        result = subprocess.run([check, "--builtin-schema", "vendor.github-workflows", str(workflow)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    actionlint = _tool("actionlint")
    if actionlint:
        original = root / "original.yml"
        original.write_text(before)
        old = subprocess.run([actionlint, "-format", "{{range $err := .}}{{$err.Kind}}\n{{end}}", str(original)],
                             capture_output=True, text=True, cwd=root)
        new = subprocess.run([actionlint, "-format", "{{range $err := .}}{{$err.Kind}}\n{{end}}", str(workflow)],
                             capture_output=True, text=True, cwd=root)
        assert sorted(new.stdout.split()) == sorted(old.stdout.split())


def test_build_push_action_without_build_args_gets_the_key(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    wf = tmp_path / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("on: push\r\nenv:\r\n  GOPROXY: https://p.example.com\r\njobs:\r\n  b:\r\n    runs-on: ubuntu-latest\r\n"
                  "    steps:\r\n      - uses: docker/build-push-action@v6\r\n        with:\r\n          push: false\r\n")
    main(["--no-cache", "--fix"])
    capsys.readouterr()
    assert wf.read_bytes().decode().endswith(
        "        with:\r\n          push: false\r\n          build-args: |\r\n            GOPROXY=${{ env.GOPROXY }}\r\n")


def test_unresolvable_dockerfile_says_nothing(workflow, capsys):
    wf = workflow
    wf.write_text("on: push\nenv:\n  GOPROXY: https://p\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
                  "      - run: docker build -f $DOCKERFILE .\n      - run: docker build https://github.com/x/y.git\n"
                  "      - run: docker build -t x ../elsewhere\n")
    assert lint(capsys) == (0, [])


@pytest.mark.parametrize("command,context,dockerfile,args", [
    ("docker build .", "", "Dockerfile", []),
    ("docker buildx build -f build/Dockerfile --build-arg GOPROXY -t x:1 .", "", "build/Dockerfile", ["GOPROXY"]),
    ("docker image build --build-arg=GOFLAGS=-mod=mod --target prod app", "app", "app/Dockerfile", ["GOFLAGS"]),
    ("podman build --file Containerfile --network host .", "", "Containerfile", []),
    ("buildah bud -t x sub/dir", "sub/dir", "sub/dir/Dockerfile", []),
    ("cd app && docker build .", "app", "app/Dockerfile", []),
])
def test_image_build_parsing(tmp_path, command, context, dockerfile, args):
    text = f"on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - run: {command}\n"
    doc = gha.lower(Source("ci.yml", str(tmp_path / "ci.yml"), "github", text))
    (build,) = [e for e in doc.scopes[0].events if type(e).__name__ == "ImageBuild"]
    assert (build.context, build.dockerfile, [a.name for a in build.build_args]) == (context, dockerfile, args)


def test_gitlab_findings_point_where_values_are_written(project, capsys):
    project("gitlab-build")
    status, diags = lint(capsys)
    assert found(diags) == [
        ("GP104", ".gitlab-ci.yml", 10),
        ("GP104", ".gitlab-ci.yml", 11),
        ("GP105", ".gitlab-ci.yml", 11),
        ("GP202", "ci/templates.yml", 16),  # written in the included template, used by job unit
    ]


def test_gitlab_extends_variables_anchors_and_reference(tmp_path):
    text = """variables:
  GOPROXY: https://top
  GOFLAGS:
    value: -mod=mod
    description: flags

.base: &base
  variables:
    GOPRIVATE: example.com/a
    GONOSUMDB: example.com/a

.more:
  variables:
    GOPRIVATE: example.com/b

job:
  extends: [.base, .more]
  variables:
    GOPROXY: https://job
  script:
    - !reference [.snippets, script]
    - go build

.snippets:
  script:
    - go mod download

merged:
  <<: *base
  script: [go vet]

dropped:
  extends: .base
  variables: null
  script: [go test]
"""
    doc = glci.lower(Source(".gitlab-ci.yml", str(tmp_path / ".gitlab-ci.yml"), "gitlab", text),
                     Project(str(tmp_path)))
    scopes = {s.name: s for s in doc.scopes}
    assert set(scopes) == {"job", "merged", "dropped"}  # hidden jobs are templates only

    def env(name):
        (_, e), = [(ev, e) for ev, e in walk(scopes[name]) if type(ev).__name__ == "GoCommand"][:1]
        return {k: (e.get(k).value if e.get(k) else None) for k in ("GOPROXY", "GOFLAGS", "GOPRIVATE", "GONOSUMDB")}

    assert env("job") == {"GOPROXY": "https://job", "GOFLAGS": "-mod=mod", "GOPRIVATE": "example.com/b",
                          "GONOSUMDB": "example.com/a"}
    assert [e.words for e in scopes["job"].events if type(e).__name__ == "GoCommand"] == [["mod", "download"], ["build"]]
    assert env("merged")["GOPRIVATE"] == "example.com/a"
    assert env("dropped") == {"GOPROXY": "https://top", "GOFLAGS": "-mod=mod", "GOPRIVATE": None, "GONOSUMDB": None}
    setting = scopes["job"].initial["GONOSUMDB"]
    assert text[setting.span.start:setting.span.end] == "GONOSUMDB: example.com/a"


@pytest.mark.parametrize("kind,name", [("github", ".github/workflows/ci.yml"), ("gitlab", ".gitlab-ci.yml")])
@pytest.mark.parametrize("text,message", [
    ("jobs: [\n", "invalid YAML"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
     "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\ne: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
     "f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]\ng: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]\n", "invalid YAML"),
    ("a: " + "[" * 200 + "]" * 200 + "\n", "invalid YAML"),
    ("a: 1\na: 2\n", "invalid YAML"),
    ("- just\n- a list\n", "not a"),
])
def test_bad_yaml_is_a_diagnostic(tmp_path, monkeypatch, capsys, kind, name, text, message):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    status, diags = lint(capsys)
    assert status == 2
    assert diags and diags[0]["code"] == "GP001" and message in diags[0]["message"]


def test_parallel_run_agrees_with_serial(tmp_path, monkeypatch, capsys):
    """Worker processes register the builds they see once, and find what one process finds."""
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    (tmp_path / ".dockerignore").write_text("bin/\n")
    (tmp_path / "go.mod").write_text("module m\n\ngo 1.22\n")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for i in range(60):
        (workflows / f"wf{i}.yml").write_text(
            "on: push\nenv:\n  GOPROXY: https://p\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: docker build -t app{i} .\n")
    serial = lint(capsys, "--jobs", "1")
    parallel = lint(capsys, "--jobs", "2")
    assert serial == parallel and len(serial[1]) == 60
    from gplint import runner

    project = Project(str(tmp_path))
    targets = runner.collect_targets(["."], None, None, project)
    runner.lint(targets, project, lambda code, path: True, jobs=2)
    assert len(project.contexts["Dockerfile"]) == 1


def test_composite_action_steps_are_a_scope(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "action.yml").write_text(
        "name: build\ndescription: build it\nruns:\n  using: composite\n  steps:\n"
        "    - shell: bash\n      env:\n        GOPROXY: DIRECT\n      run: go build ./...\n")
    status, diags = lint(capsys)
    assert found(diags) == [("GP203", "action.yml", 8)]
    (tmp_path / "action.yml").write_text("name: js\ndescription: d\nruns:\n  using: node20\n  main: index.js\n")
    assert lint(capsys) == (0, [])


def test_fixed_gitlab_file_still_validates(project, capsys):
    root = project("gitlab-build")
    before = (root / ".gitlab-ci.yml").read_text()
    main(["--no-cache", "--fix", "--select", "GP104"])
    capsys.readouterr()
    after = (root / ".gitlab-ci.yml").read_text()
    assert after != before and after.replace("--build-arg GOPROXY ", "") == before
    check = _tool("check-jsonschema")
    if check is None:
        pytest.skip("check-jsonschema is not installed")
    for name in (".gitlab-ci.yml", "ci/templates.yml"):
        result = subprocess.run([check, "--builtin-schema", "vendor.gitlab-ci", str(root / name)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr


def test_colons_in_flow_lists_parse_as_github_and_gitlab_read_them(workflow, capsys):
    """libyaml before 0.2.5 rejected `[https://a]`; gplint reads the file like GitHub does."""
    wf = workflow
    wf.write_text("on: push\njobs:\n  t:\n    strategy:\n      matrix:\n        proxy: [https://a, https://b]\n"
                  "    runs-on: ubuntu-latest\n    container: golang\n    env:\n      GOPROXY: http://localhost:1\n"
                  "    services: [athens:latest]\n    steps:\n      - run: go test ./...\n")
    assert found(lint(capsys)[1]) == [("GP107", ".github/workflows/ci.yml", 10)]


@pytest.mark.parametrize("step", [
    "      - run: docker build --build-arg \"$EXTRA\" -t app .\n",
    "      - uses: docker/build-push-action@v6\n        with:\n          build-args: ${{ steps.args.outputs.list }}\n",
])
def test_unreadable_build_args_keep_gp104_silent(tmp_path, monkeypatch, capsys, step):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    wf = tmp_path / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("on: push\nenv:\n  GOPROXY: https://p\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n" + step)
    assert lint(capsys) == (0, [])


def test_two_missing_build_args_are_added_to_one_block(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    monkeypatch.chdir(tmp_path)
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nARG GOPRIVATE\nRUN go build ./...\n")
    wf = tmp_path / ".github" / "workflows" / "ci.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text("on: push\nenv:\n  GOPROXY: https://p\n  GOPRIVATE: example.com\njobs:\n  b:\n"
                  "    runs-on: ubuntu-latest\n    steps:\n      - uses: docker/build-push-action@v6\n"
                  "        with:\n          push: false\n")
    main(["--no-cache", "--fix"])
    capsys.readouterr()
    assert wf.read_text().endswith("          push: false\n          build-args: |\n"
                                   "            GOPRIVATE=${{ env.GOPRIVATE }}\n            GOPROXY=${{ env.GOPROXY }}\n")


def test_step_working_directory_replaces_the_default(tmp_path):
    text = ("on: push\ndefaults:\n  run:\n    working-directory: svc\njobs:\n  b:\n    runs-on: x\n    steps:\n"
            "      - run: docker build .\n      - working-directory: other\n        run: docker build .\n")
    doc = gha.lower(Source("ci.yml", str(tmp_path / "ci.yml"), "github", text))
    assert [e.context for e in doc.scopes[0].events] == ["svc", "other"]


def _gitlab_repo(tmp_path, monkeypatch, ci: str, files: dict[str, str] | None = None):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitlab-ci.yml").write_text(ci)
    for rel, text in (files or {}).items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    monkeypatch.chdir(tmp_path)


def test_gitlab_script_lines_share_one_shell(tmp_path, monkeypatch, capsys):
    """before_script and script run as one script in one shell: an export in one line holds in
    the next (GitLab docs, `before_script`)."""
    _gitlab_repo(tmp_path, monkeypatch, "build:\n  before_script:\n    - export GO111MODULE=off\n"
                                        "  script:\n    - echo start\n    - go build ./...\n")
    assert found(lint(capsys)[1]) == [("GP202", ".gitlab-ci.yml", 3)]


def test_gitlab_cd_in_one_line_sets_the_context_of_a_build_in_the_next(tmp_path, monkeypatch, capsys):
    _gitlab_repo(tmp_path, monkeypatch,
                 "build-api:\n  script:\n    - cd services/api\n    - docker build --build-arg GOPROXY -t api .\n",
                 {"services/api/Dockerfile": "FROM golang:1.22\nRUN go build ./...\n",
                  "services/api/go.mod": "module m\n\ngo 1.22\n"})
    assert ("GP105", ".gitlab-ci.yml", 4) in found(lint(capsys)[1])


def test_gitlab_go_env_w_before_go_in_the_same_job_across_files(tmp_path, monkeypatch, capsys):
    """The job's go command comes from an included template at a smaller offset than the
    go env -w line: order in the job decides, not offsets in different files."""
    _gitlab_repo(tmp_path, monkeypatch,
                 "# a long comment that pushes the go env -w line further down this file than the go\n"
                 "# command is in the short template it includes, which must not matter at all\n"
                 "include:\n  - local: ci/tpl.yml\nbuild:\n  extends: .tpl\n  before_script:\n"
                 "    - go env -w GOPROXY=https://proxy.example.com\n"
                 "other:\n  script:\n    - go test ./...\n",
                 {"ci/tpl.yml": ".tpl:\n  script:\n    - go build ./...\n"})
    assert found(lint(capsys)[1]) == []


@pytest.mark.parametrize("inherit,expected", [
    ("", [("GP202", ".gitlab-ci.yml", 2)]),
    ("  inherit:\n    variables: false\n", []),
    ("  inherit:\n    variables: [GOFLAGS]\n", []),
    ("  inherit:\n    variables: [GO111MODULE]\n", [("GP202", ".gitlab-ci.yml", 2)]),
])
def test_gitlab_inherit_variables(tmp_path, monkeypatch, capsys, inherit, expected):
    _gitlab_repo(tmp_path, monkeypatch, "variables:\n  GO111MODULE: \"off\"\nbuild:\n" + inherit +
                 "  script:\n    - go build ./...\n")
    assert found(lint(capsys)[1]) == expected


@pytest.mark.parametrize("inherit,expected", [
    ("", [("GP202", ".gitlab-ci.yml", 3)]),
    ("  inherit:\n    default: false\n", []),
    ("  inherit:\n    default: [image]\n", []),
    ("  inherit:\n    default: [before_script]\n", [("GP202", ".gitlab-ci.yml", 3)]),
])
def test_gitlab_inherit_default(tmp_path, monkeypatch, capsys, inherit, expected):
    _gitlab_repo(tmp_path, monkeypatch, "default:\n  before_script:\n    - export GO111MODULE=off\nbuild:\n"
                 + inherit + "  script:\n    - go build ./...\n")
    assert found(lint(capsys)[1]) == expected


def _fix_tree(root: Path, jobs: str) -> dict[str, bytes]:
    status = main(["--no-cache", "--fix", "--unsafe-fixes", "--jobs", jobs, str(root)])
    assert status in (0, 1)
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_parallel_fix_agrees_with_serial(tmp_path, monkeypatch, capsys):
    """--fix re-lints in worker processes too: the fixed files are byte-for-byte the same."""
    template = tmp_path / "template"
    (template / ".git").mkdir(parents=True)
    workflows = template / ".github" / "workflows"
    workflows.mkdir(parents=True)
    for i in range(12):
        svc = template / f"svc{i}"
        svc.mkdir()
        (svc / "go.mod").write_text("module m\n\ngo 1.22\n")
        (svc / "Dockerfile").write_text("ARG GOPROXY\nFROM golang:1.22 AS build\nENV GOPROXY=DIRECT\n"
                                        "RUN go build ./...\nFROM golang:1.22\nRUN go mod download\n")
        (svc / ".dockerignore").write_text("**/go.*\n")
        (workflows / f"wf{i}.yml").write_text(
            "on: push\nenv:\n  GOPROXY: https://p\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n"
            f"      - run: docker build -t app{i} svc{i}\n")
    serial_root, parallel_root = tmp_path / "serial", tmp_path / "parallel"
    shutil.copytree(template, serial_root)
    shutil.copytree(template, parallel_root)
    serial, parallel = _fix_tree(serial_root, "1"), _fix_tree(parallel_root, "2")
    capsys.readouterr()
    assert serial == parallel
    assert serial != {str(p.relative_to(template)): p.read_bytes() for p in sorted(template.rglob("*")) if p.is_file()}
    assert _fix_tree(parallel_root, "2") == parallel  # a second run changes nothing


def test_aliased_jobs_and_values_lower_without_error(tmp_path, monkeypatch, capsys):
    """An alias is the anchored node itself, written before the key that uses it: spans of such
    pairs end at the key (this raised 'span ends before it starts', found by fuzzing)."""
    _gitlab_repo(tmp_path, monkeypatch,
                 "variables:\n  P: &p \"off\"\n  GO111MODULE: *p\nbuild:\n  script:\n    - go build ./...\n")
    workflows = tmp_path / ".github" / "workflows"
    workflows.mkdir(parents=True)
    (workflows / "ci.yml").write_text(
        "on: push\njobs:\n  a: &job\n    runs-on: ubuntu-latest\n    container: golang:1.22\n"
        "    env: {GOPROXY: &v 'http://127.0.0.1:8080'}\n    steps: [{run: 'go build ./...'}]\n"
        "  b: *job\n  c:\n    runs-on: ubuntu-latest\n    container: golang:1.22\n    env:\n      GOPROXY: *v\n"
        "    steps: [{run: 'go build ./...'}]\n")
    status, diags = lint(capsys)
    assert not [d for d in diags if d["code"] == "GP001"]
    assert ("GP202", ".gitlab-ci.yml", 3) in found(diags)
    # the loopback value is written once, at the anchor, and reaches jobs a, b (an alias of a) and c
    assert [(d["line"], d["message"].split("job `")[1][0]) for d in diags if d["code"] == "GP107"] == \
        [(6, "a"), (6, "b"), (6, "c")]
