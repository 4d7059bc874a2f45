"""A go-task Taskfile on its own: the `env:` values it exports (the top level's and each
task's, §19.2) are its settings, for the value rules. Its commands are followed from the
Dockerfile or CI job that runs `task` (handoffs.py), where their environment is known."""
from __future__ import annotations

from ..model import Document, InputProblem, Setting
from ..source import Source, Span
from .yamlpos import YamlError, load_yaml


def lower(source: Source) -> Document:
    doc = Document(source)
    try:
        root = load_yaml(source.text)
    except YamlError as exc:
        at = exc.offset if exc.offset is not None else 0
        doc.problems.append(InputProblem(Span(at, at), f"not a Taskfile go-task can read: {exc}"))
        return doc
    if root is None or root.kind != "map":
        return doc
    envs = [root.get("env")]
    tasks = root.get("tasks")
    if tasks is not None and tasks.kind == "map":
        envs += [task.get("env") for _, task in tasks.items if task.kind == "map"]
    for env in envs:
        if env is None or env.kind != "map":
            continue
        for key, value in env.items:
            if key.kind != "scalar" or not key.value:
                continue
            text = value.value if value.kind == "scalar" else None
            unknown = text is None or "{{" in text  # `sh:` and templates: values we cannot know
            exact = not unknown and value.style is None
            doc.global_settings.append(Setting(
                key.value, None if unknown else text, Span(key.start, value.end),
                Span(value.start, value.end) if exact else None, "export", source, Span(key.start, value.end),
                dynamic=unknown, raw_value=source.text[value.start:value.end]))
    return doc
