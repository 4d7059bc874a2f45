"""GP206 module-glob-whitespace: see GP206.md beside this module."""
from __future__ import annotations

from ..model import Document
from ..rulekit.list_findings import module_glob_problems
from ..rulekit.value_settings import VALUE_KINDS, literal_settings, problem_diagnostics
from ..rulekit.value_verdicts import MODULE_GLOB_VARIABLES

CODE = "GP206"
KINDS = VALUE_KINDS


def check(doc: Document, project):
    for setting in literal_settings(doc, MODULE_GLOB_VARIABLES):
        yield from problem_diagnostics(doc, setting, module_glob_problems(setting.value or ""), "GP206")
