"""GP202 modules-disabled: see GP202.md beside this module."""
from __future__ import annotations

from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic, Fix
from ..kinds import SETTING_KINDS
from ..model import Document
from ..rulekit.dockerfile_edits import delete_setting
from ..rulekit.value_settings import yaml11_boolean
from ..semantics import goenv

CODE = "GP202"
KINDS = SETTING_KINDS


NON_BUILDING = {"env", "version", "help"}


def check(doc: Document, project):
    seen: set[int] = set()
    for run in go_runs(doc, project):
        if run.subcommand in NON_BUILDING:
            continue
        setting = run.env.effective("GO111MODULE")
        value = setting_value(setting)
        if setting is None or value is None or id(setting) in seen or yaml11_boolean(setting):
            continue  # a YAML boolean: GP208 reports its cause
        verdict = goenv.go111module_problem(value)
        if verdict is None:
            continue
        seen.add(id(setting))
        if verdict == "off":
            message = (f"GO111MODULE=off is in scope of `{run.command.label}`: go runs in GOPATH "
                       "mode, ignores go.mod and never uses GOPROXY (module-only commands fail)")
        else:
            message = f"GO111MODULE={value!r} is not a value go accepts (on, off, auto or empty): `go: unknown environment setting`"
        deletion = delete_setting(doc, setting)
        yield Diagnostic("GP202", setting.source, setting.span, message,
                         fix=Fix("unsafe", "Remove the GO111MODULE setting (module mode is the default)",
                                 [deletion]) if deletion else None,
                         stmt=setting.stmt, key=f"{setting.how}:GO111MODULE")
