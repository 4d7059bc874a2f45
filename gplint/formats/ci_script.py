"""Shell scripts inside CI YAML: parse a scalar with file positions, and lower its commands,
including image builds (`docker build`, `docker buildx build`, `podman build`, `buildah bud`)."""
from __future__ import annotations

import posixpath

from ..diagnostic import Edit
from ..model import BuildArg, ImageBuild
from ..source import Source, Span
from . import shell
from .script_events import command_events, hand_off

# Flags of docker/buildx/podman/buildah build that take a separate value (the rest are switches).
VALUE_FLAGS = {
    "-f", "--file", "-t", "--tag", "--build-arg", "--build-context", "--builder", "--cache-from", "--cache-to",
    "--call", "--cgroup-parent", "--iidfile", "--label", "--metadata-file", "--network", "--no-cache-filter",
    "-o", "--output", "--platform", "--progress", "--provenance", "--sbom", "--secret", "--shm-size", "--ssh",
    "--target", "--ulimit", "--add-host", "--allow", "--annotation", "--attest", "-m", "--memory",
    "--memory-swap", "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--cpu-period", "--cpu-quota",
    "--isolation", "--security-opt", "--build-arg-file", "--env", "--format", "--authfile", "--creds",
    "--jobs", "--volume", "-v", "--userns", "--arch", "--os", "--variant", "--cert-dir",
    "--manifest", "--retry", "--retry-delay", "--timestamp", "--ignorefile",
}


def scalar_script(source: Source, node) -> tuple[list, int]:
    """The commands of a YAML scalar holding a script, with offsets into the file."""
    text = source.text
    start, end = node.start, node.end
    if node.style in ("|", ">"):
        body_start = text.find("\n", start, end)
        if body_start == -1:
            return [], 0
        body_start += 1
        body = text[body_start:end]
        lines = [line for line in body.split("\n") if line.strip()]
        indent = min((len(line) - len(line.lstrip(" ")) for line in lines), default=0)
        if node.style == ">":
            body = _fold(body)
        return shell.parse_script(body, body_start, indent=indent), indent
    if node.style in ("'", '"'):
        return shell.parse_script(_fold(text[start + 1:end - 1]), start + 1), 0
    return shell.parse_script(_fold(text[start:end]) if "\n" in text[start:end] else text[start:end], start), 0


def image_name(node, key: str) -> str | None:
    """A job's image: a string, or a mapping with the name under `key` (GitHub `image`, GitLab `name`)."""
    if node is None:
        return None
    if node.kind == "scalar":
        return node.value or None
    if node.kind == "map":
        found = node.get(key)
        return found.value if found is not None and found.kind == "scalar" else None
    return None


def _fold(body: str) -> str:
    """Folded and multi-line flow scalars join their lines with spaces (same length, same offsets)."""
    return body.replace("\r", " ").replace("\n", " ")


# the last ones: a line that makes the shell read a start-up file (GP108, §25), or hands off
# to make, a script or task (which may run go)
_MATTERS = ("go", "proxy", "docker", "podman", "buildah", "profile", "bashrc", "environment", "source", "bash",
            "su ", "make", "task", ".sh", "./")


def lower_script(source: Source, node, stmt: Span, cwd: str | None, env_file: str | None,
                 session: dict | None = None, project=None) -> tuple[list, list]:
    """(events of the script, $GITHUB_ENV writes to apply after the step).

    `session`: state shared with the next script of the same shell (a GitLab job's lines), whose
    working folder then follows `cd` from one line to the next."""
    lowered = source.text[node.start:node.end].lower()
    if not any(word in lowered for word in _MATTERS) and (session is None or "cd" not in lowered):
        return [], []  # a cheap pre-scan: no go command, Go variable, proxy or image build here
    commands, _ = scalar_script(source, node)
    state = session if session is not None else {"cwd": cwd}

    def other(cmd, assignments, argv):
        program = argv[0].value.rpartition("/")[2]
        if program == "cd" and not cmd.in_subshell:
            target = argv[1] if len(argv) > 1 else None
            state["cwd"] = _join(state["cwd"], target.value) if target is not None and not target.dynamic else None
            return []
        build = image_build(source, argv, stmt, state["cwd"])
        if build is not None:
            return [build]
        if program in ("docker", "docker-compose") and project is not None:
            from .compose_run import compose_builds

            return compose_builds(source, argv, stmt, state["cwd"], project)
        return hand_off(source, cmd, assignments, argv, stmt, state["cwd"])

    events = command_events(source, commands, stmt, on_other=other)
    writes = []
    if env_file:
        for cmd in commands:
            writes.extend(shell.env_file_writes(cmd, env_file))
    return events, writes


def _join(cwd: str | None, path: str) -> str | None:
    if cwd is None or path.startswith(("/", "~", "$")) or not path:
        return None
    joined = posixpath.normpath(posixpath.join(cwd or ".", path))
    if joined.startswith(".."):
        return None
    return "" if joined == "." else joined


def image_build(source: Source, argv: list, stmt: Span, cwd: str | None) -> ImageBuild | None:
    """An ImageBuild for `docker [buildx|image|builder] build`, `podman [image] build`, `buildah bud`."""
    words = [w.value for w in argv]
    program = words[0].rpartition("/")[2]
    rest_at = None
    if program == "docker":
        if words[1:2] == ["build"]:
            rest_at = 2
        elif words[1:3] in (["buildx", "build"], ["image", "build"], ["builder", "build"]):
            rest_at = 3
        elif words[1:3] == ["buildx", "b"]:
            rest_at = 3
    elif program == "podman":
        rest_at = 2 if words[1:2] == ["build"] else 3 if words[1:3] == ["image", "build"] else None
    elif program == "buildah":
        rest_at = 2 if words[1:2] and words[1] in ("bud", "build", "build-using-dockerfile") else None
    if rest_at is None:
        return None
    tool = " ".join(words[:rest_at])
    build_args: list[BuildArg] = []
    opaque = False
    file_word = context_word = None
    network_host = False
    add_hosts: list[str] = []
    i = rest_at
    while i < len(argv):
        word = argv[i]
        value = word.value
        if value.startswith("-") and value != "-":
            name, eq, inline = value.partition("=")
            if not eq and name in VALUE_FLAGS and i + 1 < len(argv):
                operand = argv[i + 1]
                i += 2
            else:
                operand = None
                i += 1
            flag_value = inline if eq else (operand.value if operand is not None else "")
            span_word = operand if operand is not None else word
            if name == "--build-arg":
                if operand is None and not eq:
                    continue  # `--build-arg` as the last word: docker refuses it, nothing is passed
                start = span_word.start if operand is not None else word.start + len(name) + 1
                build_args.append(_build_arg(source, flag_value, Span(start, span_word.end), span_word.dynamic))
            elif name in ("-f", "--file"):
                file_word = (flag_value, span_word.dynamic)
            elif name == "--network":
                network_host = flag_value == "host"
            elif name == "--add-host":
                add_hosts.append(flag_value)
            continue
        if context_word is None:
            context_word = word
        elif word.dynamic:
            opaque = True  # `docker build . $EXTRA`: arguments we cannot read
        i += 1
    context = dockerfile = None
    if context_word is not None and not context_word.dynamic and cwd is not None:
        raw = context_word.value
        if raw != "-" and "://" not in raw and not raw.startswith("git@"):
            context = _join(cwd, raw)
    if context is not None:
        if file_word is None:
            dockerfile = posixpath.join(context, "Dockerfile") if context else "Dockerfile"
        elif not file_word[1] and file_word[0] != "-":
            dockerfile = _join(cwd, file_word[0])
    span = Span(argv[0].start, argv[-1].end)

    def add_build_arg(name: str):
        if context_word is None:
            return None
        return Edit.insert(source, context_word.start, f"--build-arg {name} ")

    build = ImageBuild(tool, context, dockerfile, build_args, span, source, stmt, network_host, add_hosts,
                       add_build_arg)
    build.opaque_args |= opaque
    return build


def _build_arg(source: Source, text: str, span: Span, dynamic: bool) -> BuildArg:
    name, eq, value = text.partition("=")
    return BuildArg(name.strip(), value if eq else None, span, source, dynamic=dynamic or "$" in value)
