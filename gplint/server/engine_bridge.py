"""Every call the editor front ends (the language server, --watch) make into gplint's core.

The core is being restructured; this module is the one place that knows its shape, so the
server and the watcher depend only on these functions:

- lint_files(root, overrides, paths) -> {abspath: [Diagnostic]}
- fixed_texts(root, overrides, paths, unsafe) -> {abspath: fixed text}  (what `--fix` would write)
- effective_value(root, overrides, path, offset, name) -> Effective | None
- kind_for, root_for, rule_info, rule_doc_uri, is_config_file

`overrides` maps absolute paths to unsaved buffer texts: they replace the files on disk for the
linted files and for every file cross-file rules read (a workflow's build args, an ignore file).
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from ..errors import GplintError

CONFIG_NAMES = ("pyproject.toml", "gplint.toml")


class ConfigProblem(GplintError):
    """The repository's gplint configuration is invalid (the message says where and why)."""


@dataclass(frozen=True)
class Effective:
    """A Go variable's value at a point, and the setting it came from."""

    name: str
    value: str | None  # None: not set here (Go's default applies) or declared without a value
    how: str | None  # the setting's kind (env, arg, build-arg, variables, …); None when unset
    path: str | None  # the file that sets it (as shown to the user)
    abspath: str | None
    line: int | None  # 1-based line of the setting
    dynamic: bool = False  # the value holds references gplint cannot resolve
    # a Dockerfile ARG: what the repository's CI builds of this Dockerfile pass for it, as
    # (value or None for a bare NAME that takes the job's environment, file, line)
    passed: tuple = ()


def root_for(path: str) -> str:
    from ..discover import find_root

    return find_root(path)


def kind_for(root: str, path: str) -> str | None:
    """The kind gplint lints `path` as (by the same names as the CLI's discovery), or None."""
    from ..discover import kind_of

    rel = os.path.relpath(path, root).replace(os.sep, "/")
    return kind_of(rel) if not rel.startswith("..") else kind_of(path.replace(os.sep, "/"))


def is_config_file(path: str) -> bool:
    return os.path.basename(path) in CONFIG_NAMES


def _selection(root: str):
    from ..config import ConfigError, build_selection

    try:
        return build_selection(root)
    except ConfigError as exc:
        from ..redact import redact

        raise ConfigProblem(redact(str(exc))) from None


def _project(root: str, overrides: dict[str, str], selection):
    from ..project import Project

    return Project(root, cwd=root, overrides=dict(overrides), options=selection.options)


def _targets(project, paths: list[str]):
    """The targets for these paths, in one call so that a pipeline and a file it includes make
    one target (the CLI's dedupe), plus unsaved new buffers by their names."""
    from ..runner import Target, UsageError, collect_targets

    on_disk = [p for p in paths if os.path.lexists(p)]
    try:
        targets = collect_targets(on_disk, None, None, project) if on_disk else []
    except UsageError:  # one path vanished meanwhile: take the others one by one
        targets = []
        for path in on_disk:
            try:
                targets.extend(collect_targets([path], None, None, project))
            except UsageError:
                continue
    for path in paths:
        if path not in on_disk and path in project.overrides:  # a new buffer not yet saved
            kind = kind_for(project.root, path)
            if kind is not None:
                targets.append(Target(path, kind, project.display(path)))
    return targets


def lint_files(root: str, overrides: dict[str, str], paths: list[str]) -> dict[str, list]:
    """The findings of each path (abspath -> Diagnostics, every asked path present) with the
    unsaved texts in `overrides` in place of their files. A finding a file's lint places in
    another file (a GitLab include) is returned under that file."""
    from ..runner import lint

    selection = _selection(root)
    project = _project(root, overrides, selection)
    targets = _targets(project, paths)
    result = lint(targets, project, selection, overrides=dict(overrides), originals=None)
    out: dict[str, list] = {p: [] for p in paths}
    for diag in result.diagnostics:
        out.setdefault(diag.source.abspath, []).append(diag)
    return out


def fixed_texts(root: str, overrides: dict[str, str], paths: list[str], unsafe: bool = False) -> dict[str, str]:
    """What `gplint --fix PATHS` would write, as abspath -> text (changed files only), made on
    the buffer texts. Fixes that would leave a file our parser rejects are dropped, as --fix does."""
    from ..fix import fix_all
    from ..runner import lint

    selection = _selection(root)
    project = _project(root, overrides, selection)
    targets = _targets(project, paths)
    result = lint(targets, project, selection, overrides=dict(overrides), originals=None)

    def relint(texts: dict[str, str]):
        merged = {**overrides, **texts}
        fresh = _project(root, merged, selection)
        return lint(targets, fresh, selection, overrides=merged, originals=result.sources).diagnostics

    def parses(abspath: str, text: str) -> str | None:
        from ..fix_session import parse_problem

        source = result.sources.get(abspath)
        kind = source.kind if source is not None else (kind_for(root, abspath) or "dockerfile")
        return parse_problem(kind, text)

    outcome = fix_all(result.diagnostics, unsafe, relint, parses)
    return dict(outcome.texts)


def rule_info(code: str):
    """The rule's catalogue entry (name, severity, summary, fix), or None."""
    from ..registry import rules

    return rules().get(code)


def rule_doc_uri(code: str) -> str | None:
    """A file URI of the installed rule page (gplint/rules/GPxxx.md): it is the documentation of
    exactly the installed version and opens without a network."""
    import pathlib

    page = pathlib.Path(__file__).resolve().parent.parent / "rules" / f"{code}.md"
    return page.as_uri() if page.is_file() else None


def go_variables() -> frozenset[str]:
    from ..semantics.goenv import GO_VARIABLES, PROXY_URL_VARIABLES

    return GO_VARIABLES | PROXY_URL_VARIABLES


def effective_value(root: str, overrides: dict[str, str], path: str, offset: int, name: str) -> Effective | None:
    """The value `name` has at character `offset` of the file, by the scope walk: the setting on
    that spot when the offset is on one, else what the environment holds there (a stage's or a
    job's settings so far, its parents', the CI env and build args that reach it). None when the
    file does not lower or the offset is in no scope."""
    selection = _selection(root)
    project = _project(root, overrides, selection)
    targets = _targets(project, [path])
    if not targets:
        return None
    from ..runner import lint

    # lint first: CI files register the builds (and build args) that reach a Dockerfile
    lint(targets, project, selection, overrides=dict(overrides))
    doc = project.document(project.rel(path), targets[0].kind)
    if doc is None:
        return None
    found = _at(doc, path, offset, name)
    if found is not None and found.how in ("arg", "global-arg") and targets[0].kind == "dockerfile":
        from dataclasses import replace

        found = replace(found, passed=tuple(_passed_by_ci(project, project.rel(path), name)))
    return found


def _passed_by_ci(project, dockerfile_rel: str, name: str):
    """(value, file, line) of each CI image build of this Dockerfile that passes build arg NAME."""
    from ..discover import kind_of
    from ..kinds import CI_KINDS
    from ..model import ImageBuild
    from ..redact import redact

    for rel in project.inventory():
        kind = kind_of(rel)
        if kind not in CI_KINDS:  # every source of builds: CI files and build definitions
            continue
        ci = project.document(rel, kind)
        for scope in ci.scopes if ci is not None else ():
            for event in scope.events:
                if isinstance(event, ImageBuild) and event.dockerfile == dockerfile_rel:
                    arg = event.passes(name)
                    if arg is not None:
                        value = None if arg.value is None else redact(arg.value)
                        yield value, arg.source.path, arg.source.line_col(arg.span.start)[0]


def _at(doc, path: str, offset: int, name: str) -> Effective | None:
    from ..model import GoCommand, Setting, apply_setting, command_env, walk

    for setting in doc.settings():
        if setting.name == name and setting.source.abspath == path and \
                setting.span.start <= offset <= setting.span.end:
            return _effective(name, setting)
    scopes = [s for s in doc.scopes if s.source.abspath == path and s.span.start <= offset]
    if not scopes:
        return Effective(name, None, None, None, None, None)
    scope = max(scopes, key=lambda s: s.span.start)
    env = None
    last = None
    for event, before in walk(scope):
        stmt = getattr(event, "stmt", None) or getattr(event, "span", None)
        if stmt is not None and stmt.start > offset:
            env = before
            break
        if isinstance(event, GoCommand) and event.span.start <= offset <= event.span.end:
            env = command_env(before, event)
            break
        last = (event, before)
    if env is None:
        if last is None:
            return Effective(name, None, None, None, None, None)
        event, before = last
        env = before.copy()
        if isinstance(event, Setting) and event.how != "inline":
            apply_setting(env, event)
    setting = env.effective(name)
    return _effective(name, setting) if setting is not None else Effective(name, None, None, None, None, None)


def _effective(name: str, setting) -> Effective:
    from ..redact import redact

    line = setting.source.line_col(setting.span.start)[0]
    value = None if setting.value is None else redact(setting.value)
    if setting.value is None and setting.raw_value:
        value = redact(setting.raw_value)
    return Effective(name, value, setting.how, setting.source.path, setting.source.abspath, line,
                     setting.dynamic)
