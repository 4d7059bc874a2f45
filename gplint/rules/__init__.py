"""The rules: one module per code (gpNNN_<name>.py) beside its documentation (GPNNN.md).

Each module has CODE, KINDS (the document kinds it reads) and check(doc, project), which yields
diagnostics. Adding a rule: write the module, write its GPNNN.md, add one line to the imports.
GP001 (unusable input) and GP002 (unused suppression) are raised by the engine itself."""
from __future__ import annotations

from . import (
    gp101_goproxy_unset_in_stage,
    gp102_global_arg_not_redeclared,
    gp103_env_not_inherited,
    gp104_build_arg_not_passed,
    gp105_build_arg_not_declared,
    gp106_go_env_w_not_persisted,
    gp107_loopback_proxy,
    gp108_goproxy_in_shell_profile,
    gp109_go_variable_from_undeclared,
    gp201_goenv_off_drops_config,
    gp202_modules_disabled,
    gp203_invalid_goproxy,
    gp204_implicit_https_proxy,
    gp205_comma_no_fallback_on_error,
    gp206_module_glob_whitespace,
    gp207_empty_goproxy_written,
    gp208_gitlab_boolean_variable,
    gp301_checksum_db_disabled,
    gp302_credentials_in_proxy_url,
    gp303_proxy_not_allowed,
    gp304_private_modules_not_covered,
    gp305_module_credentials_in_layer,
    gp401_dockerignore_drops_go_files,
    gp501_base_image_older_than_go_mod,
    gp502_ci_toolchain_older_than_go_mod,
)

# Every rule module imported above, in code order: the import list is the one list to extend.
RULES = tuple(module for name, module in sorted(globals().items()) if name.startswith("gp"))

ENGINE_CODES = ("GP001", "GP002")
