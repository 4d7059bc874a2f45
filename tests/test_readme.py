"""The README's rule table says what the registry (the rules' front matter) says."""
from __future__ import annotations

import re
from pathlib import Path

from gplint.registry import rules

README = Path(__file__).resolve().parent.parent / "README.md"
_ROW = re.compile(r"^\| (GP\d{3}) \| ([^|]+) \| ([^|]+) \| ([^|]+) \|$", re.M)


def readme_rows() -> dict[str, tuple[str, str, str]]:
    section = README.read_text(encoding="utf-8").split("## Rules", 1)[1].split("\n## ", 1)[0]
    return {code: (name.strip(), severity.strip(), fix.strip())
            for code, name, severity, fix in _ROW.findall(section)}


def _bare(cell: str) -> str:
    """A cell without its trailing note: `unsafe (with \\`private-modules\\`)` -> `unsafe`."""
    return cell.split(" (", 1)[0]


def test_readme_lists_every_rule_once_and_no_other():
    assert sorted(readme_rows()) == sorted(rules())


def test_readme_rule_table_agrees_with_the_registry():
    rows = readme_rows()
    wrong = []
    for code, info in sorted(rules().items()):
        name, severity, fix = rows[code]
        if (_bare(name), severity, _bare(fix)) != (info.name, info.severity, info.fix):
            wrong.append(f"{code}: README says {(_bare(name), severity, _bare(fix))}, "
                         f"the registry {(info.name, info.severity, info.fix)}")
        if ("(opt-in)" in name) == info.default:
            wrong.append(f"{code}: README's opt-in mark disagrees with default={info.default}")
    assert not wrong, "\n".join(wrong)
