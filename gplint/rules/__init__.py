"""The rules: one module per code (gpNNN_<name>.py) beside its documentation (GPNNN.md).

Each module has CODE, KINDS (the document kinds it reads) and check(doc, project), which yields
diagnostics. Adding a rule: write the module, write its GPNNN.md, add one line to KINDS_OF below.
GP001 (unusable input) and GP002 (unused suppression) are raised by the engine itself."""
from __future__ import annotations

import sys

from ..kinds import ACTION, BUILD_KINDS, CI_KINDS, DOCKERFILE, DOCKERIGNORE, GITHUB, GITLAB, SETTING_KINDS

# Every rule module, in code order, with the kinds it reads (its KINDS: tests/test_rule_registry.py
# checks that they agree). A run imports only the rules of the kinds it lints: importing all 25
# cost ~6 ms, most of a run on one .dockerignore, which needs one of them.
KINDS_OF = {
    "gp101_goproxy_unset_in_stage": (DOCKERFILE,),
    "gp102_global_arg_not_redeclared": (DOCKERFILE,),
    "gp103_env_not_inherited": (DOCKERFILE,),
    "gp104_build_arg_not_passed": BUILD_KINDS,
    "gp105_build_arg_not_declared": BUILD_KINDS,
    "gp106_go_env_w_not_persisted": (DOCKERFILE, *CI_KINDS),
    "gp107_loopback_proxy": (DOCKERFILE, *BUILD_KINDS),
    "gp108_goproxy_in_shell_profile": (DOCKERFILE, GITHUB, ACTION, GITLAB),
    "gp109_go_variable_from_undeclared": (DOCKERFILE,),
    "gp201_goenv_off_drops_config": SETTING_KINDS,
    "gp202_modules_disabled": SETTING_KINDS,
    "gp203_invalid_goproxy": SETTING_KINDS,
    "gp204_implicit_https_proxy": SETTING_KINDS,
    "gp205_comma_no_fallback_on_error": SETTING_KINDS,
    "gp206_module_glob_whitespace": SETTING_KINDS,
    "gp207_empty_goproxy_written": SETTING_KINDS,
    "gp208_gitlab_boolean_variable": (GITLAB,),
    "gp301_checksum_db_disabled": SETTING_KINDS,
    "gp302_credentials_in_proxy_url": SETTING_KINDS,
    "gp303_proxy_not_allowed": SETTING_KINDS,
    "gp304_private_modules_not_covered": SETTING_KINDS,
    "gp305_module_credentials_in_layer": (DOCKERFILE, GITHUB, ACTION, GITLAB),
    "gp401_dockerignore_drops_go_files": (DOCKERIGNORE,),
    "gp501_base_image_older_than_go_mod": (DOCKERFILE,),
    "gp502_ci_toolchain_older_than_go_mod": (GITHUB, GITLAB),
}

ENGINE_CODES = ("GP001", "GP002")

_FOR_KIND: dict[str, tuple] = {}


def for_kind(kind: str) -> tuple:
    """The rule modules that read documents of `kind`, in code order (imported at the first ask)."""
    found = _FOR_KIND.get(kind)
    if found is None:
        found = _FOR_KIND[kind] = tuple(_module(name) for name, kinds in KINDS_OF.items() if kind in kinds)
    return found


def _module(name: str):
    # __import__ rather than importlib.import_module: the same import, and `python -X importtime`
    # still lists it (import_module goes around the interpreter's import timing)
    __import__(f"{__name__}.{name}")
    return sys.modules[f"{__name__}.{name}"]


def __getattr__(name: str):
    if name == "RULES":  # every rule module, in code order (the registry's tests and tools)
        return tuple(_module(module) for module in KINDS_OF)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
