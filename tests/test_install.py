"""The installation routes the README documents work from this repository: from a checkout, the
composite action (from its own checkout, after setup-python, third-party actions pinned to commit
SHAs), and pre-commit pinned to a commit SHA (there are no tags)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parent.parent
ACTION = yaml.safe_load((REPO / "action.yml").read_text())
README = (REPO / "README.md").read_text()
SHA = re.compile(r"^[0-9a-f]{40}$")
PRE_COMMIT = shutil.which("pre-commit", path=os.path.dirname(sys.executable)) or shutil.which("pre-commit")


def test_action_matches_the_github_actions_schema():
    check = shutil.which("check-jsonschema", path=os.path.dirname(sys.executable)) or shutil.which("check-jsonschema")
    if check is None:
        pytest.skip("needs check-jsonschema")
    result = subprocess.run([check, "--builtin-schema", "vendor.github-actions", str(REPO / "action.yml")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def _uses(steps):
    return [step["uses"] for step in steps if "uses" in step]


def test_action_pins_every_third_party_action_to_a_commit():
    uses = _uses(ACTION["runs"]["steps"])
    assert uses, "the action uses setup-python at least"
    for ref in uses:
        _, _, rev = ref.partition("@")
        assert SHA.match(rev), f"{ref}: pin a full commit SHA"


def test_action_installs_gplint_from_its_own_checkout_after_setup_python():
    steps = ACTION["runs"]["steps"]
    setup = next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("actions/setup-python@"))
    install = next(i for i, s in enumerate(steps) if "pip install" in s.get("run", ""))
    assert setup < install
    assert steps[setup]["with"]["python-version"] == "${{ inputs.python-version }}"
    assert "3.1" in ACTION["inputs"]["python-version"]["default"]
    minor = int(ACTION["inputs"]["python-version"]["default"].split(".")[1])
    required = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["requires-python"]
    assert minor >= int(required.split(".")[1])  # the default Python satisfies requires-python
    script = steps[install]["run"]
    assert '"$GITHUB_ACTION_PATH"' in script
    assert "gplint==" not in script and not re.search(r"pip install[^\n]*\bgplint\b", script)
    assert "version" not in ACTION["inputs"]  # there is nothing on PyPI to choose a version of


def test_action_install_step_runs(tmp_path):
    """The install step's own script, run as the runner would (GITHUB_ACTION_PATH = this checkout)."""
    steps = ACTION["runs"]["steps"]
    script = next(s["run"] for s in steps if "pip install" in s.get("run", ""))
    github_path = tmp_path / "github_path"
    env = {**os.environ, "PYTHON": sys.executable, "GITHUB_ACTION_PATH": str(REPO),
           "RUNNER_TEMP": str(tmp_path), "GITHUB_PATH": str(github_path)}
    result = subprocess.run(["bash", "-e", "-c", script], env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout + result.stderr
    bin_dir = github_path.read_text().strip()
    version = subprocess.run([os.path.join(bin_dir, "gplint"), "--version"], capture_output=True, text=True)
    assert version.returncode == 0 and version.stdout.startswith("gplint ")


def test_readme_documents_only_routes_that_exist():
    code = "\n".join(re.findall(r"^```[^\n]*\n(.*?)^```", README, re.S | re.M))
    assert "pip install" in code
    assert not re.search(r"pip install (--\S+ )*gplint\b", code)  # not on PyPI
    assert not re.search(r"rev: v\d", code)  # no tags
    assert "@v0." not in README
    for ref in re.findall(r"uses: (\S+)", code):
        assert SHA.match(ref.partition("@")[2]), f"README: {ref} is not pinned to a commit"


def test_license_matches_pyproject():
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT"
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and "Copyright (c) the gplint authors" in text
    assert "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


def _git(cwd, *args):
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True,
                          env={**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t"}).stdout


@pytest.mark.skipif(PRE_COMMIT is None or shutil.which("git") is None or not (REPO / ".git").exists(),
                    reason="needs pre-commit, git and a git checkout")
def test_pre_commit_rev_head_is_pinned_by_autoupdate_and_runs(tmp_path):
    """The README's pre-commit route: `rev: HEAD`, then `pre-commit autoupdate` pins the commit."""
    upstream = tmp_path / "gplint"
    _git(tmp_path, "clone", "-q", "--no-hardlinks", str(REPO), str(upstream))
    head = _git(upstream, "rev-parse", "HEAD").strip()
    assert not _git(upstream, "tag", "--list").strip(), "with tags, autoupdate would pick a tag"
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q")
    (work / "Dockerfile").write_text("FROM golang:1.22\nRUN go mod download\n")
    config = work / ".pre-commit-config.yaml"
    config.write_text(f"repos:\n  - repo: {upstream}\n    rev: HEAD\n    hooks:\n      - id: gplint\n")
    _git(work, "add", ".")
    env = {**os.environ, "PRE_COMMIT_HOME": str(tmp_path / "cache"), "NO_COLOR": "1"}
    update = subprocess.run([PRE_COMMIT, "autoupdate"], cwd=work, env=env, capture_output=True, text=True,
                            timeout=600)
    assert update.returncode == 0, update.stdout + update.stderr
    pinned = yaml.safe_load(config.read_text())["repos"][0]["rev"]
    assert pinned == head and SHA.match(pinned)
    run = subprocess.run([PRE_COMMIT, "run", "--all-files"], cwd=work, env=env, capture_output=True, text=True,
                         timeout=900)
    assert run.returncode == 1, run.stdout + run.stderr
    assert "GP101" in run.stdout
