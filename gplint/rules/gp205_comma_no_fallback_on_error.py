"""GP205 comma-no-fallback-on-error: see GP205.md beside this module."""
from __future__ import annotations

from ..rulekit.value_settings import VALUE_KINDS, goproxy_rule

CODE = "GP205"
KINDS = VALUE_KINDS


check = goproxy_rule("GP205")
