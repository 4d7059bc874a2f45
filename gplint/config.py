"""Settings from `[tool.gplint]` in pyproject.toml or a gplint.toml, found upward from the linted
path, merged with the command line. pydantic validates them, imported only when a file has
settings, so a plain run pays nothing for it."""
from __future__ import annotations

import fnmatch
import os

from .errors import GplintError
from .records import dataclass, field
from .registry import resolve_selector, rules

ALWAYS = {"GP001"}  # unusable input is always reported


class ConfigError(GplintError):
    """The configuration is not valid; the message names the file and the key."""


@dataclass
class Selection:
    enabled: set[str]
    per_file_ignores: list[tuple[str, set[str]]] = field(default_factory=list)
    base: str = "."  # folder the per-file patterns are relative to
    options: dict = field(default_factory=dict)

    def __call__(self, code: str, path: str) -> bool:
        if code in ALWAYS:
            return True
        if code not in self.enabled:
            return False
        if self.per_file_ignores:
            rel = os.path.relpath(os.path.abspath(path), self.base).replace(os.sep, "/")
            for pattern, codes in self.per_file_ignores:
                if code in codes and (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(os.path.basename(rel), pattern)):
                    return False
        return True


def find_config(start: str) -> tuple[str, dict] | None:
    """(path, raw settings) of the nearest gplint.toml or pyproject.toml with [tool.gplint]."""
    probe = os.path.abspath(start if os.path.isdir(start) else os.path.dirname(start) or ".")
    while True:
        for name in ("gplint.toml", ".gplint.toml", "pyproject.toml"):
            path = os.path.join(probe, name)
            if not os.path.isfile(path):
                continue
            if name == "pyproject.toml":
                data = _read_toml(path)
                if "gplint" in data.get("tool", {}):
                    return path, data["tool"]["gplint"]
                continue
            return path, _own_file_table(_read_toml(path), path)
        parent = os.path.dirname(probe)
        if parent == probe:
            return None
        probe = parent


def _own_file_table(data: dict, path: str) -> dict:
    """A gplint.toml holds the settings at its top level, or under `[tool.gplint]` as in
    pyproject.toml (a table copied from there keeps working); not both."""
    if "tool" not in data:
        return data
    if not isinstance(data["tool"], dict) or set(data["tool"]) != {"gplint"}:
        raise ConfigError(f"{path}: the only `tool` table gplint reads is [tool.gplint]")
    if len(data) > 1:
        others = ", ".join(sorted(k for k in data if k != "tool"))
        raise ConfigError(f"{path}: settings both at the top level ({others}) and under [tool.gplint]; "
                          "keep one form")
    table = data["tool"]["gplint"]
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.gplint] must be a table")
    return table


def _read_toml(path: str) -> dict:
    import tomllib

    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: {exc}") from None


def _codes(selectors, where: str) -> set[str]:
    out: set[str] = set()
    for selector in selectors:
        found = resolve_selector(selector)
        if not found:
            raise ConfigError(f"{where}: unknown rule selector {selector!r} (use a code such as GP101, a prefix "
                              "such as GP1, a rule name, or ALL)")
        out |= found
    return out


def validate(raw: dict, path: str) -> dict:
    """Check a [tool.gplint] table with pydantic; returns the normalised settings."""
    from pydantic import BaseModel, ConfigDict, Field, ValidationError

    class Settings(BaseModel):
        model_config = ConfigDict(extra="forbid", populate_by_name=True)
        select: list[str] | None = None
        extend_select: list[str] = Field(default_factory=list, alias="extend-select")
        ignore: list[str] = Field(default_factory=list)
        per_file_ignores: dict[str, list[str]] = Field(default_factory=dict, alias="per-file-ignores")
        allowed_proxies: list[str] | None = Field(default=None, alias="allowed-proxies")
        private_modules: list[str] | None = Field(default=None, alias="private-modules")
        required_proxy: str | None = Field(default=None, alias="required-proxy")
        # image reference glob -> the Go variables that image's own ENV sets (baseimage.py)
        base_image_env: dict[str, list[str]] | None = Field(default=None, alias="base-image-env")
        preview: bool = False

    try:
        settings = Settings.model_validate(raw).model_dump()
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"{path}: invalid [tool.gplint] settings: {problems}") from None
    _check_base_image_env(settings.get("base_image_env") or {}, path)
    return settings


def _check_base_image_env(table: dict[str, list[str]], path: str) -> None:
    from .semantics.goenv import GO_VARIABLES

    for pattern, names in table.items():
        if not pattern.strip():
            raise ConfigError(f"{path}: base-image-env: an empty image pattern matches nothing")
        unknown = [n for n in names if n not in GO_VARIABLES]
        if unknown:
            raise ConfigError(f"{path}: base-image-env[{pattern!r}]: {', '.join(unknown)} "
                              f"{'is not a Go variable' if len(unknown) == 1 else 'are not Go variables'} "
                              f"gplint follows ({', '.join(sorted(GO_VARIABLES))})")


def build_selection(start: str, cli_select=None, cli_extend=None, cli_ignore=None, config_path=None,
                    preview: bool = False) -> Selection:
    settings: dict = {}
    base = os.getcwd()
    found = (config_path, _load_explicit(config_path)) if config_path else find_config(start)
    if found is not None:
        path, raw = found
        base = os.path.dirname(os.path.abspath(path))
        settings = validate(raw, path) if raw else {}
    table = rules()
    select = cli_select if cli_select else settings.get("select")
    enabled = _codes(select, "select") if select else {c for c, info in table.items() if info.default}
    enabled |= _codes(settings.get("extend_select") or [], "extend-select")
    enabled |= _codes(cli_extend or [], "--extend-select")
    enabled -= _codes(settings.get("ignore") or [], "ignore")
    enabled -= _codes(cli_ignore or [], "--ignore")
    if not (preview or settings.get("preview")):
        enabled -= {c for c, info in table.items() if info.preview}  # preview rules need opting in
    per_file = [(pattern, _codes(codes, f"per-file-ignores[{pattern!r}]"))
                for pattern, codes in (settings.get("per_file_ignores") or {}).items()]
    options = {k: settings.get(k) for k in ("allowed_proxies", "private_modules", "required_proxy", "base_image_env")}
    return Selection(enabled, per_file, base, options)


def _load_explicit(path: str) -> dict:
    if not os.path.isfile(path):
        raise ConfigError(f"{path}: no such configuration file")
    data = _read_toml(path)
    if os.path.basename(path) == "pyproject.toml":
        return data.get("tool", {}).get("gplint", {})
    return _own_file_table(data, path)
