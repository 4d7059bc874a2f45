"""Every rule's documentation is executed: Bad fires exactly its code, Good fires nothing, and
`--fix` turns Bad into Fixed (and a second --fix changes nothing)."""
from __future__ import annotations

import json

import pytest

from gplint.cli import main
from gplint.registry import rules

from ruledocs import all_docs, examples, front_matter

DOCS = all_docs()
CASES = [(doc.stem, ex) for doc in DOCS for ex in examples(doc)]


def _write(root, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content, encoding="utf-8")


def _run(capsys, *args) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def _codes_on(out: str, path: str) -> list[str]:
    return sorted(d["code"] for d in json.loads(out) if d["path"] == path)


def test_every_rule_has_a_doc_with_examples():
    documented = {doc.stem for doc in DOCS}
    assert documented == set(rules()), "rules/ and the registry disagree"
    for doc in DOCS:
        kinds = {ex.kind for ex in examples(doc)}
        meta = front_matter(doc)
        assert {"Bad", "Good"} <= kinds, f"{doc.name} needs Bad and Good examples"
        if meta.get("fix", "none") != "none":
            assert "Fixed" in kinds, f"{doc.name} has a fix but no Fixed example"
        for key in ("code", "name", "severity", "fix", "summary"):
            assert meta.get(key), f"{doc.name}: front matter lacks {key}"


@pytest.mark.parametrize("code,example", [c for c in CASES if c[1].kind in ("Bad", "Good")],
                         ids=lambda v: v.title if hasattr(v, "title") else v)
def test_example_verdict(code, example, tmp_path, monkeypatch, capsys):
    _write(tmp_path, example.files)
    monkeypatch.chdir(tmp_path)
    status, out = _run(capsys, "--format", "json", "--extend-select", code, ".")
    found = _codes_on(out, example.main)
    if example.kind == "Bad":
        assert found and set(found) == {code}, f"{example.title}: expected only {code}, got {found}"
        assert status == (2 if code == "GP001" else 1)
    else:
        assert found == [], f"{example.title}: expected nothing, got {found}"


def _pairs():
    for doc in DOCS:
        exs = examples(doc)
        for i, ex in enumerate(exs):
            if ex.kind == "Fixed":
                bad = next(e for e in reversed(exs[:i]) if e.kind == "Bad")
                yield doc.stem, bad, ex


@pytest.mark.parametrize("code,bad,fixed", list(_pairs()), ids=lambda v: v.title if hasattr(v, "title") else v)
def test_fix_turns_bad_into_fixed(code, bad, fixed, tmp_path, monkeypatch, capsys):
    _write(tmp_path, bad.files)
    monkeypatch.chdir(tmp_path)
    unsafe = ["--unsafe-fixes"] if "unsafe" in rules()[code].fix else []
    _run(capsys, "--fix", "--select", code, *unsafe, ".")
    for name, expected in fixed.files.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == expected, f"{fixed.title}: {name}"
    # the fixed files lint clean of the rule, and fixing again changes no byte
    status, out = _run(capsys, "--format", "json", "--select", code, ".")
    assert json.loads(out) == []
    before = {name: (tmp_path / name).read_bytes() for name in bad.files}
    _run(capsys, "--fix", "--select", code, *unsafe, ".")
    assert {name: (tmp_path / name).read_bytes() for name in bad.files} == before
