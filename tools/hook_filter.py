"""Write the pre-commit `files:` filter of .pre-commit-hooks.yaml from gplint's discovery patterns.

    python tools/hook_filter.py           # rewrite the filter in place
    python tools/hook_filter.py --check   # exit 1 when the file is out of date

The hook must pass exactly the files gplint lints (gplint.discover.hook_files_pattern); a test
keeps the YAML equal to it.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HOOKS = REPO / ".pre-commit-hooks.yaml"
sys.path.insert(0, str(REPO))

from gplint.discover import hook_files_pattern  # noqa: E402

_FILES_LINE = re.compile(r"^(\s*files:\s*).*$", re.MULTILINE)


def render(text: str) -> str:
    # single-quoted YAML scalar: a quote is doubled, nothing else is special
    quoted = "'" + hook_files_pattern().replace("'", "''") + "'"
    return _FILES_LINE.sub(lambda m: m.group(1) + quoted, text)


def main(argv: list[str]) -> int:
    text = HOOKS.read_text(encoding="utf-8")
    new = render(text)
    if "--check" in argv:
        if new != text:
            print(f"{HOOKS.name} is out of date: run python tools/hook_filter.py", file=sys.stderr)
            return 1
        return 0
    if new != text:
        HOOKS.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
