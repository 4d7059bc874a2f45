"""Text a terminal shows as text. Repository lines, paths and quoted values reach the text and
concise reports as they are written, and a hostile repository can hide terminal escape
sequences (cursor moves, OSC 8 links, OSC 52 clipboard writes) or bidirectional overrides
(CVE-2021-42574, "Trojan Source") in them. Each such character is shown as U+FFFD, one
character for one, so columns and carets stay where they were."""
from __future__ import annotations

from ..lazy_regex import lazy

# C0 controls but tab, DEL, C1 controls, and the Unicode bidirectional embedding, override and
# isolate characters.
_UNSAFE = lazy("[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def printable(text: str) -> str:
    return _UNSAFE.sub("\ufffd", text) if _UNSAFE.search(text) else text
