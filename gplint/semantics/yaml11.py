"""How GitLab's YAML loader (Ruby's Psych, YAML 1.1) reads a plain scalar as a boolean (§13.13).

Psych's ScalarScanner#tokenize turns an untagged, unquoted scalar of at most five characters into
`true` when it matches /^(yes|true|on)$/i and into `false` for /^(no|false|off)$/i: any mix of
case (`On`, `oN`, `TRUE`), while `y` and `n` stay strings. GitLab then stores a boolean variable
value as `value.to_s`, the string "true" or "false" (§13.11)."""
from __future__ import annotations

_TRUE = frozenset({"yes", "true", "on"})
_FALSE = frozenset({"no", "false", "off"})


def psych_boolean(text: str, style: str | None = None, tag: str | None = None) -> bool | None:
    """The boolean Psych reads from a scalar, or None when it stays a string: only a plain
    (unquoted, untagged) scalar can be a boolean."""
    if style is not None or tag is not None:
        return None
    lowered = text.lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    return None


def gitlab_variable_text(text: str, style: str | None = None, tag: str | None = None) -> str:
    """The string a GitLab CI variable gets from a scalar value: a Psych boolean becomes
    "true"/"false" (`Entry::Variable` stores `@config.to_s`); anything else is its text."""
    found = psych_boolean(text, style, tag)
    return text if found is None else ("true" if found else "false")
