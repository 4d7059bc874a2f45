"""GP203 invalid-goproxy: see GP203.md beside this module."""
from __future__ import annotations

from ..rulekit.value_settings import VALUE_KINDS, goproxy_rule

CODE = "GP203"
KINDS = VALUE_KINDS


check = goproxy_rule("GP203")
