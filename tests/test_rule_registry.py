"""The rules the engine runs (gplint.rules.RULES) are exactly the documented rules (one
gplint/rules/GPNNN.md each), and each module is named after its doc's code and name."""
from __future__ import annotations

import os
import re

import pytest

import gplint.rules as rules_pkg
from gplint.kinds import ALL_KINDS
from gplint.registry import RULES_DIR, parse_front_matter
from gplint.rules import ENGINE_CODES, RULES

KNOWN_KINDS = set(ALL_KINDS)


def documented(folder: str) -> dict[str, str]:
    """Code -> rule name, from the file names and front matter of the GPNNN.md files."""
    out = {}
    for name in os.listdir(folder):
        if re.fullmatch(r"GP\d{3}\.md", name):
            with open(os.path.join(folder, name), encoding="utf-8") as f:
                meta, _ = parse_front_matter(f.read())
            out[name[:-3]] = meta.get("name", "")
    return out


def disagreements(modules, engine_codes, docs: dict[str, str]) -> list[str]:
    problems = []
    codes = [m.CODE for m in modules]
    if len(set(codes)) != len(codes):
        problems.append(f"a code is registered twice: {sorted(codes)}")
    registered = set(codes) | set(engine_codes)
    for code in sorted(set(docs) - registered):
        problems.append(f"{code} is documented but no module in RULES checks it")
    for code in sorted(registered - set(docs)):
        problems.append(f"{code} is registered but has no {code}.md")
    for m in modules:
        expected = f"{m.CODE.lower()}_{docs.get(m.CODE, '?').replace('-', '_')}"
        if m.__name__.rpartition(".")[2] != expected:
            problems.append(f"{m.__name__} checks {m.CODE}; its module should be named {expected}")
        if not m.KINDS or not set(m.KINDS) <= KNOWN_KINDS:
            problems.append(f"{m.__name__}: KINDS {m.KINDS!r} are not document kinds")
        if not callable(getattr(m, "check", None)):
            problems.append(f"{m.__name__} has no check()")
    return problems


def test_registered_codes_are_the_documented_codes():
    assert disagreements(RULES, ENGINE_CODES, documented(RULES_DIR)) == []


def test_every_rule_module_is_in_the_list():
    """A gpNNN_*.py file that RULES forgets would never run."""
    files = {f[:-3] for f in os.listdir(os.path.dirname(rules_pkg.__file__)) if re.fullmatch(r"gp\d{3}_\w+\.py", f)}
    assert files == {m.__name__.rpartition(".")[2] for m in RULES}


@pytest.mark.parametrize("drop", ["GP101", "GP401"])
def test_the_comparison_fails_when_a_rule_is_not_registered(drop):
    modules = [m for m in RULES if m.CODE != drop]
    assert disagreements(modules, ENGINE_CODES, documented(RULES_DIR)) == [
        f"{drop} is documented but no module in RULES checks it"]


def test_the_comparison_fails_when_a_doc_is_missing():
    docs = documented(RULES_DIR)
    del docs["GP203"]
    assert "GP203 is registered but has no GP203.md" in disagreements(RULES, ENGINE_CODES, docs)


def test_the_front_matter_read_alone_is_the_front_matter_of_the_whole_file(tmp_path):
    from gplint.registry import _front_matter

    for name in sorted(os.listdir(RULES_DIR)):
        if name.endswith(".md"):
            with open(os.path.join(RULES_DIR, name), encoding="utf-8") as f:
                whole = f.read()
            assert parse_front_matter(_front_matter(os.path.join(RULES_DIR, name)))[0] == \
                parse_front_matter(whole)[0], name
    long = tmp_path / "GP999.md"  # a front matter longer than the first read is read whole
    long.write_text("---\ncode: GP999\nsummary: " + "é" * 1500 + "\n---\nbody\n", encoding="utf-8")
    assert parse_front_matter(_front_matter(str(long)))[0]["summary"] == "é" * 1500


def test_the_kinds_table_says_what_each_module_reads():
    """rules.KINDS_OF lets a run import only the rules of the kinds it lints: it must agree with
    every module's own KINDS, or a rule would silently not run on a kind it reads."""
    assert list(rules_pkg.KINDS_OF) == sorted(rules_pkg.KINDS_OF)  # code order
    for module in RULES:
        name = module.__name__.rpartition(".")[2]
        assert set(rules_pkg.KINDS_OF[name]) == set(module.KINDS), name
    for kind in ALL_KINDS:
        assert [m.CODE for m in rules_pkg.for_kind(kind)] == [m.CODE for m in RULES if kind in m.KINDS], kind


def test_a_run_imports_only_the_rules_of_the_kinds_it_lints(tmp_path):
    import subprocess
    import sys

    (tmp_path / ".dockerignore").write_text("*.md\n")
    code = ("import sys\nfrom gplint.cli import main\ncode = main(['--no-cache', '.dockerignore'])\n"
            "print(sorted(m.rpartition('.')[2] for m in sys.modules if m.startswith('gplint.rules.')))\n"
            "sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == "['gp401_dockerignore_drops_go_files']"
