"""GP102 global-arg-not-redeclared: see GP102.md beside this module."""
from __future__ import annotations

from ..diagnostic import Diagnostic, Fix
from ..kinds import DOCKERFILE
from ..model import Document
from ..rulekit.dockerfile_edits import arg_line, insert_after_from
from ..rulekit.stage_reach import passed_refusal, uncovered_runs
from ..rulekit.value_verdicts import copy_refusal, options_of
from ..semantics.goenv import GO_VARIABLES

CODE = "GP102"
KINDS = (DOCKERFILE,)


def check(doc: Document, project):
    for setting in doc.global_settings:
        if setting.name not in GO_VARIABLES:
            continue
        # re-declaring the ARG brings the global default into the stage: never a value a rule reports
        refusal = (copy_refusal(setting.name, None if setting.dynamic else setting.value, options_of(project))
                   or passed_refusal(doc, project, setting.name))
        for index, run in uncovered_runs(doc, project, setting.name).items():
            scope = doc.scopes[index]
            message = (f"ARG {setting.name} is declared before the first FROM (line "
                       f"{doc.source.line_col(setting.span.start)[0]}), which makes it visible only to FROM lines; "
                       f"stage `{scope.name}` never re-declares it, so `{run.command.label}` runs without it")
            if refusal:
                message += f"; no fix: re-declaring it would let that value into the stage ({refusal})"
            yield Diagnostic(
                "GP102", doc.source, run.command.span, message,
                fix=None if refusal else Fix("safe", f"Insert `{arg_line(doc, setting.name)}` in stage `{scope.name}`",
                                             [insert_after_from(doc, scope, arg_line(doc, setting.name))]),
                stmt=run.command.stmt, key=f"stage:{scope.name}:{setting.name}",
                related=[(doc.source, setting.span, "declared here, outside every stage")],
            )
