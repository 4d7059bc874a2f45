"""Reading the examples out of rules/<CODE>.md, so the test suite can execute every one.

An example section is a `### Bad…`, `### Good…` or `### Fixed…` heading followed by fenced code
blocks. A block's info string is its kind and an optional `file=PATH`: the first block of a
section is the file under judgement, further blocks are the files around it (go.mod, a
.dockerignore, a Dockerfile a workflow builds). A `Fixed` section is what `--fix` makes of the
`Bad` section before it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

RULES = Path(__file__).resolve().parent.parent / "gplint" / "rules"
DEFAULT_NAMES = {
    "dockerfile": "Dockerfile",
    "dockerignore": ".dockerignore",
    "github": ".github/workflows/ci.yml",
    "gitlab": ".gitlab-ci.yml",
    "compose": "compose.yaml",
    "bake": "docker-bake.hcl",
}
_FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.S | re.M)


@dataclass
class Example:
    code: str
    kind: str  # 'Bad' | 'Good' | 'Fixed'
    title: str
    files: dict[str, str] = field(default_factory=dict)  # path -> content, first is judged

    @property
    def main(self) -> str:
        return next(iter(self.files))


def examples(path: Path) -> list[Example]:
    text = path.read_text(encoding="utf-8")
    code = path.stem
    out: list[Example] = []
    for section in re.split(r"^### ", text, flags=re.M)[1:]:
        title, _, body = section.partition("\n")
        kind = title.split()[0].rstrip(":") if title.split() else ""
        if kind not in ("Bad", "Good", "Fixed"):
            continue
        example = Example(code, kind, title.strip())
        for m in _FENCE.finditer(body):
            info = m.group(1).split()
            lang = info[0] if info else "text"
            name = next((i[5:] for i in info[1:] if i.startswith("file=")), DEFAULT_NAMES.get(lang))
            if name is None:
                raise ValueError(f"{path.name}: a `{lang}` block needs file=PATH")
            example.files[name] = m.group(2)
        if example.files:
            out.append(example)
    return out


def front_matter(path: Path) -> dict[str, str]:
    text = path.read_text(encoding="utf-8")
    head = text.split("\n---", 1)[0].lstrip("-\n")
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in head.splitlines()) if k.strip()}


def all_docs() -> list[Path]:
    return sorted(RULES.glob("GP*.md"))
