"""Every `§N` / `§N.M` citation in the project resolves to a heading of docs/semantics.md, and every
test that docs/semantics.md names as pinning a fact exists.

The reference numbers its sections `## N. Title` and its facts `### N.M Title`. Citations are read
from the code, the rule pages, the README and other docs, the tests, fuzz/ and bench/. A `§` right
after the name of another specification (SARIF's own section numbers, say) is not ours.
"""
import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = ROOT / "docs" / "semantics.md"

SECTION = re.compile(r"^## (\d+)\. \S", re.M)
ITEM = re.compile(r"^### (\d+)\.(\d+) \S", re.M)
# §N or §N.M, optionally a range to a second number written with or without its own §
CITATION = re.compile(r"§ ?(\d+(?:\.\d+)?)(?:\s*[-–]\s*§? ?(\d+(?:\.\d+)?))?")
FOREIGN_SPEC = re.compile(r"\b(?:SARIF|RFC ?\d+|POSIX|ECMA-?\d*)[\w .,-]{0,12}$")
PINNED_TEST = re.compile(r"(tests/[\w/]+\.py)?::(test_\w+)")


def anchors(reference_text: str) -> set[str]:
    """The citable numbers of a reference text: `N` for each section, `N.M` for each fact."""
    found = set(SECTION.findall(reference_text))
    found.update(f"{s}.{i}" for s, i in ITEM.findall(reference_text))
    return found


def citations(text: str) -> list[tuple[int, str]]:
    """(line number, cited number) for each of our `§` citations in a text; both ends of a range."""
    out = []
    for m in CITATION.finditer(text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if FOREIGN_SPEC.search(text[line_start:m.start()]):
            continue
        line = text.count("\n", 0, m.start()) + 1
        out.extend((line, number) for number in m.groups() if number)
    return out


def unresolved(text: str, known: set[str]) -> list[tuple[int, str]]:
    return [(line, number) for line, number in citations(text) if number not in known]


def citing_files() -> list[Path]:
    files = [p for p in (ROOT / "gplint").rglob("*") if p.suffix in (".py", ".md")]
    files += [p for p in (ROOT / "tests").rglob("*.py")]
    for folder in ("fuzz", "bench"):
        files += [p for p in (ROOT / folder).rglob("*") if p.suffix in (".py", ".md")]
    files += [p for p in ROOT.glob("*.md")]
    files += [p for p in (ROOT / "docs").glob("*.md")]  # the reference's own cross-references too
    return sorted({p for p in files if p.is_file() and ".venv" not in p.parts})


def pinned_tests(reference_text: str) -> list[tuple[str, str]]:
    """(test file, test name) for each test the reference names; `::name` alone continues the
    file named last."""
    out, current = [], None
    for m in PINNED_TEST.finditer(reference_text):
        current = m.group(1) or current
        if current is not None:
            out.append((current, m.group(2)))
    return out


def missing_tests(pins: list[tuple[str, str]], root: Path) -> list[tuple[str, str]]:
    names: dict[str, set[str]] = {}
    missing = []
    for path, name in pins:
        if path not in names:
            file = root / path
            tree = ast.parse(file.read_text(encoding="utf-8")) if file.is_file() else ast.Module([], [])
            names[path] = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if name not in names[path]:
            missing.append((path, name))
    return missing


# -- the repository -------------------------------------------------------------------------------

def test_the_reference_is_numbered_consistently():
    text = REFERENCE.read_text(encoding="utf-8")
    sections = [int(n) for n in SECTION.findall(text)]
    # in order, from 1; a gap is allowed: section numbers are assigned to parallel work
    # (a later section may land before an earlier one)
    assert sections[:16] == list(range(1, 17)), "sections must start ## 1. … ## 16. in order"
    assert all(a < b for a, b in zip(sections, sections[1:])), "sections must be in increasing order"
    current = None
    seen = set()
    for line in text.splitlines():
        if m := SECTION.match(line):
            current = m.group(1)
        elif m := ITEM.match(line):
            assert m.group(1) == current, f"### {m.group(1)}.{m.group(2)} sits under ## {current}."
            assert (m.group(1), m.group(2)) not in seen, f"§{m.group(1)}.{m.group(2)} is used twice"
            seen.add((m.group(1), m.group(2)))


def test_every_citation_resolves():
    known = anchors(REFERENCE.read_text(encoding="utf-8"))
    problems = []
    checked = 0
    for path in citing_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        checked += len(citations(text))
        problems += [f"{path.relative_to(ROOT)}:{line}: §{number}" for line, number in unresolved(text, known)]
    assert checked > 100, "the citations were not found at all"
    assert problems == [], "citations with no heading in docs/semantics.md:\n" + "\n".join(problems)


def test_every_pinning_test_exists():
    pins = pinned_tests(REFERENCE.read_text(encoding="utf-8"))
    assert len(pins) > 50
    assert missing_tests(pins, ROOT) == []


# -- the checker can fail -------------------------------------------------------------------------

SAMPLE = "## 1. One\n### 1.1 First\n### 1.2 Second\n## 2. Two\n### 2.1 Only\n"
MARK = "\u00a7"  # built at run time, so this file holds no bogus citation of its own


def test_anchors_of_a_sample():
    assert anchors(SAMPLE) == {"1", "1.1", "1.2", "2", "2.1"}
    assert anchors("### 3.1 no section\n## 4.x not a section\n") == {"3.1"}


@pytest.mark.parametrize("text,expected", [
    (f"see {MARK}1.2 and {MARK}2", []),
    (f"see {MARK}1.3", [(1, "1.3")]),
    (f"x\n({MARK}1.1, {MARK}9.9)", [(2, "9.9")]),
    (f"{MARK}1.1-1.7", [(1, "1.7")]),  # a range: both ends must exist
    (f"{MARK}1.1–{MARK}3.1", [(1, "3.1")]),
    (f"{MARK} 3", [(1, "3")]),
    (f"as SARIF {MARK}3.30 defines", []),  # another specification's numbering
    (f"RFC 3986 {MARK}3.2.2", []),
    (f"SARIF 2.1.0, {MARK}3.30", []),
    (f"SARIF output, see {MARK}7.7 of ours", [(1, "7.7")]),
])
def test_unresolved_citations_are_found(text, expected):
    assert unresolved(text, anchors(SAMPLE)) == expected


def test_missing_pinning_test_is_found(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_a.py").write_text("def test_real():\n    pass\n")
    text = "Pinned by: `tests/test_a.py::test_real`, `::test_gone`, `tests/test_b.py::test_x`."
    pins = pinned_tests(text)
    assert pins == [("tests/test_a.py", "test_real"), ("tests/test_a.py", "test_gone"),
                    ("tests/test_b.py", "test_x")]
    assert missing_tests(pins, tmp_path) == [("tests/test_a.py", "test_gone"), ("tests/test_b.py", "test_x")]
