"""GP201 goenv-off-drops-config: see GP201.md beside this module."""
from __future__ import annotations

from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic
from ..kinds import SETTING_KINDS
from ..model import Document, Setting
from ..rulekit.go_env_w import env_instead_of_go_env_w

CODE = "GP201"
KINDS = SETTING_KINDS


def check(doc: Document, project):
    reported: set[int] = set()
    for run in go_runs(doc, project):
        goenv_setting = run.env.get("GOENV")
        if goenv_setting is None or setting_value(goenv_setting) != "off" or id(goenv_setting) in reported:
            continue
        written = [s for s in run.env.goenv_file.values() if s.how == "go-env-w"
                   and _unset(run.env.get(s.name))]
        if not written:
            continue
        reported.add(id(goenv_setting))
        names = ", ".join(sorted(s.name for s in written))
        yield Diagnostic(
            "GP201", goenv_setting.source, goenv_setting.span,
            f"GOENV=off makes go skip the user go env file, so the values written there with `go env -w` "
            f"({names}) never reach `{run.command.label}`; environment variables still apply, "
            "so set them with ENV instead",
            fix=env_instead_of_go_env_w(doc, written, project),
            stmt=goenv_setting.stmt, key=f"{goenv_setting.how}:GOENV",
        )


def _unset(setting: Setting | None) -> bool:
    """Not set in the environment: absent, or an ARG declared without a value and not passed."""
    return setting is None or setting.declared_only
