"""GP204 implicit-https-proxy: see GP204.md beside this module."""
from __future__ import annotations

from ..rulekit.value_settings import VALUE_KINDS, goproxy_rule

CODE = "GP204"
KINDS = VALUE_KINDS


check = goproxy_rule("GP204")
