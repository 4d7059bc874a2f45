"""Lower a GitHub Actions workflow (or a composite action) into the model: one scope per job.

Environment precedence (docs/semantics.md §12.1, §12.2): workflow `env` < job `env` < values written
to $GITHUB_ENV by earlier steps < step `env`. Step env is modelled as settings local to the step
(the env walk drops them when the statement changes); $GITHUB_ENV writes come after the step
that makes them, which does not see them. `${{ … }}` values are opaque.
"""
from __future__ import annotations

import posixpath

from ..diagnostic import Edit
from ..model import BuildArg, Document, ImageBuild, Scope, Setting
from ..source import Source, Span
from .ci_script import image_name, lower_script
from .yaml_document import load_root
from .yamlpos import pair_end

BUILD_PUSH = "docker/build-push-action"
BAKE_ACTION = "docker/bake-action"


def lower(source: Source, project=None) -> Document:
    doc = Document(source)
    root = load_root(doc, what="not a workflow")
    if root is None:
        return doc
    doc.yaml_root = root
    if source.kind == "action":
        runs = root.get("runs")
        using = runs.get("using") if runs is not None and runs.kind == "map" else None
        if runs is None or using is None or using.value != "composite":
            return doc
        scope = Scope("job", posixpath.basename(posixpath.dirname(source.path)) or "action", 0, source,
                      Span(runs.start, runs.end))
        _steps(doc, scope, runs.get("steps"), "", project)
        doc.scopes.append(scope)
        return doc
    workflow_env = _env_settings(source, root, "ci-env")
    workflow_wd = _working_directory(root)
    jobs = root.get("jobs")
    if jobs is None or jobs.kind != "map":
        return doc
    for index, (key, job) in enumerate(jobs.items):
        if job.kind != "map":
            continue
        scope = Scope("job", key.value or str(index), index, source, Span(key.start, pair_end(key, job)))
        scope.initial = {s.name: s for s in workflow_env + _env_settings(source, job, "ci-env")}
        scope.container = _image(job.get("container"))
        services = job.get("services")
        if services is not None and services.kind == "map":
            scope.services = [img for _, svc in services.items if (img := _image(svc))]
        wd = _working_directory(job)
        _steps(doc, scope, job.get("steps"), wd if wd is not None else (workflow_wd or ""), project)
        doc.scopes.append(scope)
    return doc


def _image(node) -> str | None:
    return image_name(node, "image")


def _working_directory(node) -> str | None:
    defaults = node.get("defaults")
    run = defaults.get("run") if defaults is not None and defaults.kind == "map" else None
    wd = run.get("working-directory") if run is not None and run.kind == "map" else None
    return _relative(wd.value) if wd is not None and wd.kind == "scalar" and wd.value else None


def _relative(path: str) -> str | None:
    if "${{" in path or path.startswith(("/", "~", "$")):
        return None
    normal = posixpath.normpath(path)
    return None if normal.startswith("..") else ("" if normal == "." else normal)


def _env_settings(source: Source, owner, how: str, stmt: Span | None = None) -> list[Setting]:
    env = owner.get("env") if owner is not None and owner.kind == "map" else None
    if env is None or env.kind != "map":
        return []
    key_node = owner.key_node("env")
    statement = stmt or Span(key_node.start, pair_end(key_node, env))
    out: list = []
    for key, value in env.items:
        if key.kind != "scalar" or value.kind != "scalar" or not key.value:
            continue
        raw = source.text[value.start:value.end]
        dynamic = "${{" in (value.value or "")
        out.append(Setting(key.value, None if dynamic else (value.value or ""), Span(key.start, pair_end(key, value)),
                           Span(value.start, value.end), how, source, statement, dynamic=dynamic, raw_value=raw))
    return out


def _steps(doc: Document, scope: Scope, steps, job_wd: str | None, project=None) -> None:
    if steps is None or steps.kind != "seq":
        return
    source = doc.source
    for step in steps.items:
        if step.kind != "map":
            continue
        # the step's scalar keys, read in one pass (the last one wins, as YNode.get)
        keys = {k.value: v for k, v in step.items if k.kind == "scalar"}
        stmt = Span(step.start, step.end)
        # step env: local to this step (§12.2: it beats everything else)
        if "env" in keys:
            scope.events.extend(_env_settings(source, step, "export", stmt))
        wd_node = keys.get("working-directory")
        if wd_node is not None and wd_node.kind == "scalar":
            cwd = _relative(wd_node.value or ".")  # replaces the defaults, relative to the workspace
        else:
            cwd = job_wd
        run = keys.get("run")
        writes: list = []
        if run is not None and run.kind == "scalar":
            events, writes = lower_script(source, run, stmt, cwd, "GITHUB_ENV", project=project)
            scope.events.extend(events)
        uses = keys.get("uses")
        action = (uses.value or "").split("@")[0] if uses is not None and uses.kind == "scalar" else None
        if action == BUILD_PUSH:
            build = _build_push(source, step, stmt)
            if build is not None:
                scope.events.append(build)
        if action == BAKE_ACTION:
            from .bake_action import bake_action_builds

            inputs = step.get("with")
            sets = inputs.get("set") if inputs is not None and inputs.kind == "map" else None
            lines = _build_args(source, sets) if sets is not None and sets.kind == "scalar" else []
            scope.events.extend(bake_action_builds(source, step, stmt, project, lines))
        # what the step wrote to $GITHUB_ENV applies from the next step on (§12.2)
        after = Span(step.end, step.end)
        for a in writes:
            scope.events.append(Setting(a.name, None if a.value.dynamic else a.value.value, Span(a.start, a.end),
                                        Span(a.value.start, a.value.end), "github-env", source, after,
                                        dynamic=a.value.dynamic, raw_value=source.text[a.value.start:a.value.end]))


def _build_push(source: Source, step, stmt: Span) -> ImageBuild | None:
    """docker/build-push-action: `context`, `file`, `build-args` (one per line, §12.5), `network`."""
    text = source.text
    inputs = step.get("with")
    if inputs is not None and inputs.kind != "map":
        return None

    def scalar(name):
        node = inputs.get(name) if inputs is not None else None
        return node if node is not None and node.kind == "scalar" else None

    context_node, file_node = scalar("context"), scalar("file")
    context = "" if context_node is None else (_relative(context_node.value) if context_node.value else "")
    if file_node is not None and file_node.value:
        dockerfile = _relative(file_node.value)
    else:
        dockerfile = posixpath.join(context, "Dockerfile") if context else ("Dockerfile" if context is not None else None)
    args_node = scalar("build-args")
    build_args = _build_args(source, args_node) if args_node is not None else []
    network = scalar("network")

    def add_build_arg(name: str):
        line = f"{name}=${{{{ env.{name} }}}}"
        if args_node is not None:
            if args_node.style not in ("|", ">"):
                return None
            body = [ln for ln in text[args_node.start:args_node.end].split("\n")[1:] if ln.strip()]
            indent = (len(body[0]) - len(body[0].lstrip(" "))) if body else _child_indent(text, inputs) + 2
            at = _line_end(text, args_node.end)
            return Edit.insert(source, at, _newline_before(text, at, source) + " " * indent + line + source.newline)
        if inputs is None or inputs.style is not None or not inputs.items:
            return None
        indent = _child_indent(text, inputs)
        at = _line_end(text, inputs.end)
        nl = source.newline
        block = " " * indent + "build-args: |" + nl + " " * (indent + 2) + line + nl
        if at >= len(nl) and text[at - len(nl):at] == nl:
            # replace the line break before it: a second variable's fix then overlaps this one and
            # waits for the next pass, which appends to the block instead of adding a second key
            return Edit.replace(source, Span(at - len(nl), at), nl + block)
        return Edit.insert(source, at, _newline_before(text, at, source) + block)

    return ImageBuild(BUILD_PUSH, context, dockerfile, build_args, Span(step.start, step.end), source, stmt,
                      network_host=network is not None and network.value == "host", add_build_arg=add_build_arg)


def _build_args(source: Source, node) -> list[BuildArg]:
    text = source.text
    out: list = []
    if node.style in ("|", ">"):
        pos = text.find("\n", node.start, node.end)
        if pos == -1:
            return out
        pos += 1
        for line in text[pos:node.end].split("\n"):
            stripped = line.strip()
            if stripped:  # no comment syntax: a `#` line is an argument too
                start = pos + len(line) - len(line.lstrip())
                out.append(_arg(source, stripped.rstrip("\r"), Span(start, start + len(stripped.rstrip("\r")))))
            pos += len(line) + 1
    elif node.value:
        for item in node.value.split("\n"):
            if item.strip():
                out.append(_arg(source, item.strip(), Span(node.start, node.end)))
    return out


def _arg(source: Source, text: str, span: Span) -> BuildArg:
    name, eq, value = text.partition("=")
    return BuildArg(name.strip(), value if eq else None, span, source, dynamic="${{" in value or "$" in value)


def _child_indent(text: str, mapping) -> int:
    """The column of a block mapping's keys."""
    line_start = text.rfind("\n", 0, mapping.start) + 1
    return mapping.start - line_start


def _line_end(text: str, offset: int) -> int:
    i = text.find("\n", offset)
    return len(text) if i == -1 else i + 1


def _newline_before(text: str, at: int, source: Source) -> str:
    return "" if at == 0 or text[at - 1] == "\n" else source.newline
