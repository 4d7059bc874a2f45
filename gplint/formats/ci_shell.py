"""Shell scripts inside CI YAML (GitHub Actions `run:`, GitLab CI `script:`), shared by both formats.

Two steps, kept apart so each format decides *when* a script runs and in which directory:

``script_commands(source, node) -> list[shell.Command]``
    Parse a YAML scalar holding a shell script. The script is the scalar's *value* (a literal
    block loses its indentation, a quoted scalar its quotes and escapes, a folded or multi-line
    plain scalar its line folding), and every offset of the returned commands (Command,
    Word, Assignment, Redirect targets and heredoc bodies) is mapped back to the exact
    character of the FILE it came from. Where the written text does not map one to one onto
    the value (an escape sequence), offsets point at the escape's first character; where the
    value cannot be aligned with the text at all, every offset is the node's start. Never
    raises: unusable input gives [].

``lower_commands(scope, source, commands, stmt, cwd, root_rel, shell_env_file="GITHUB_ENV") -> list[Setting]``
    Append the model events of those commands to ``scope.events`` in script order:

    * ``export X=v`` -> Setting(how='export'); a plain ``X=v`` -> Setting(how='shell');
    * ``X=v go …`` / ``env X=v go …`` -> Setting(how='inline') for each, then GoCommand;
    * ``go env -w X=v`` / ``go env -u X`` -> Setting(how='go-env-w' / 'go-env-u');
    * ``docker build``, ``docker buildx build|b``, ``docker image build``, ``docker builder build``,
      ``buildx build``, ``podman [image|buildx] build``, ``buildah bud|build``, ``nerdctl build``
      -> Setting(how='inline') for prefix assignments, then ImageBuild (see `image_build`);
    * prefix assignments of any other command -> Setting(how='inline') (values are judged by the
      value rules; the env walk ignores inline settings outside their one command);
    * ``cd`` / ``pushd`` / ``popd`` change the directory later builds resolve against (a ``cd``
      inside ``( … )`` or ``$( … )`` lasts until the next command outside it; a dynamic or
      conditional ``cd`` makes the directory unknown, and builds after it unresolvable).

    ``stmt`` is the statement every event gets (the step / job span). ``cwd`` is the
    repository-relative folder the script starts in ('' = repository root; None = unknown).
    ``root_rel`` is the repository-relative folder the CI workspace variable points at
    (``$GITHUB_WORKSPACE``, ``${{ github.workspace }}``, ``$CI_PROJECT_DIR``): '' for both GitHub
    Actions and GitLab CI.

    RETURNS the NAME=VALUE lines the script appends to ``$<shell_env_file>`` as
    Setting(how='github-env', stmt=stmt), WITHOUT appending them: the caller appends them after
    every other event of the step, because the writing step does not see them (semantics.md
    §12.2). ``shell_env_file=None`` returns [] (GitLab has no such file).

Paths: ``resolve_path(base, raw, root_rel)`` is the one place a written path becomes a
repository-relative one; anything that leaves the repository, is absolute, starts with ``~`` or
holds an unresolved ``$``/``${{ }}``/glob gives None, and cross-file rules then say nothing.
"""
from __future__ import annotations

import posixpath
import re

from ..diagnostic import Edit
from ..model import BuildArg, ImageBuild, Scope, Setting
from ..source import Source, Span
from . import shell
from .script_events import command_events, setting_from

__all__ = ["script_commands", "lower_commands", "image_build", "resolve_path", "build_tool",
           "scalar_value_map"]

# -- YAML scalar -> shell script, with file offsets ---------------------------------------------


def script_commands(source: Source, node) -> list:
    """The commands of the shell script a YAML scalar holds, with offsets into the file."""
    try:
        if node is None or node.kind != "scalar" or not (node.value or "").strip():
            return []
        value, starts, ends = scalar_value_map(source.text, node)
        commands = shell.parse_script(value)
        if not commands:
            return []
        ms, me = _mappers(value, starts, ends, node.start)
        return [_remap_command(c, ms, me) for c in commands]
    except Exception:  # never raise: a script we cannot read has no events
        return []


def scalar_value_map(text: str, node) -> tuple[str, list[int], list[int]]:
    """(value, starts, ends): for character i of the scalar's value, the file offset where its
    written form starts and just after where it ends. Gap characters (line folds, the line
    breaks of a block scalar, chomped lines) take the end of the text before them."""
    value = node.value or ""
    try:
        segments = _segments(text, node)
    except Exception:
        segments = None
    if segments is not None:
        aligned = _align(value, segments, node.start)
        if aligned is not None:
            return value, aligned[0], aligned[1]
    flat = [node.start] * len(value)
    return value, flat, list(flat)


def _mappers(value: str, starts: list[int], ends: list[int], fallback: int):
    n = len(value)
    last = ends[-1] if n else fallback

    def map_start(k: int) -> int:
        if k < 0:
            return starts[0] if n else fallback
        return starts[k] if k < n else last

    def map_end(k: int) -> int:
        if k <= 0:
            return map_start(0)
        return ends[k - 1] if k <= n else last

    return map_start, map_end


def _segments(text: str, node):
    """The written pieces of a scalar: [(decoded text, start offsets, end offsets)], in order."""
    start, end, style = node.start, node.end, node.style
    if style in ("|", ">"):
        nl = text.find("\n", start, end)
        if nl == -1:
            return []
        lines = []
        pos = nl + 1
        while pos < end:
            j = text.find("\n", pos, end)
            line_end = end if j == -1 else j
            line = text[pos:line_end]
            if line.endswith("\r"):
                line = line[:-1]
            lines.append((pos, line))
            pos = line_end + 1
        indent = min((len(line) - len(line.lstrip(" ")) for _, line in lines if line.strip()), default=0)
        return [_raw_segment(line[indent:], at + indent) for at, line in lines if line[indent:].strip()]
    if style in ("'", '"'):
        inner_start, inner_end = start + 1, end - 1
        if inner_end < inner_start:
            return None
        pieces = _split_lines(text, inner_start, inner_end)
        out = []
        for index, (at, line) in enumerate(pieces):
            if len(pieces) > 1:
                lead = 0 if index == 0 else len(line) - len(line.lstrip(" \t"))
                body = line[lead:]
                if index < len(pieces) - 1:
                    body = body.rstrip(" \t") if style == "'" or not body.endswith("\\") else body
                at, line = at + lead, body
            decoded = _decode_single(line, at) if style == "'" else _decode_double(line, at)
            if decoded is None:
                return None
            if decoded[0].strip() or len(pieces) == 1:
                out.append(decoded)
        return out
    # plain
    pieces = _split_lines(text, start, end)
    out = []
    for at, line in pieces:
        lead = len(line) - len(line.lstrip(" \t"))
        body = line[lead:].rstrip(" \t")
        if body:
            out.append(_raw_segment(body, at + lead))
    return out


def _split_lines(text: str, start: int, end: int) -> list[tuple[int, str]]:
    out = []
    pos = start
    while True:
        j = text.find("\n", pos, end)
        line_end = end if j == -1 else j
        line = text[pos:line_end]
        if line.endswith("\r"):
            line = line[:-1]
        out.append((pos, line))
        if j == -1:
            return out
        pos = j + 1


def _raw_segment(body: str, at: int):
    starts = list(range(at, at + len(body)))
    return body, starts, [s + 1 for s in starts]


def _decode_single(line: str, at: int):
    chars, starts, ends = [], [], []
    i = 0
    n = len(line)
    while i < n:
        if line[i] == "'" and i + 1 < n and line[i + 1] == "'":
            chars.append("'")
            starts.append(at + i)
            ends.append(at + i + 2)
            i += 2
            continue
        chars.append(line[i])
        starts.append(at + i)
        ends.append(at + i + 1)
        i += 1
    return "".join(chars), starts, ends


_SIMPLE_ESCAPES = {"0": "\0", "a": "\a", "b": "\b", "t": "\t", "\t": "\t", "n": "\n", "v": "\v", "f": "\f",
                   "r": "\r", "e": "\x1b", " ": " ", '"': '"', "/": "/", "\\": "\\", "N": "\x85",
                   "_": "\xa0", "L": "\u2028", "P": "\u2029"}
_HEX_ESCAPES = {"x": 2, "u": 4, "U": 8}


def _decode_double(line: str, at: int):
    chars, starts, ends = [], [], []
    i = 0
    n = len(line)
    while i < n:
        c = line[i]
        if c != "\\":
            chars.append(c)
            starts.append(at + i)
            ends.append(at + i + 1)
            i += 1
            continue
        if i + 1 >= n:
            break  # an escaped line break: the lines join without a space
        e = line[i + 1]
        if e in _SIMPLE_ESCAPES:
            chars.append(_SIMPLE_ESCAPES[e])
            width = 2
        elif e in _HEX_ESCAPES:
            digits = line[i + 2:i + 2 + _HEX_ESCAPES[e]]
            try:
                chars.append(chr(int(digits, 16)))
            except ValueError:
                return None
            width = 2 + _HEX_ESCAPES[e]
        else:
            return None
        starts.append(at + i)
        ends.append(at + i + width)
        i += width
    return "".join(chars), starts, ends


def _align(value: str, segments, fallback: int):
    """Place each segment in the value in order; only whitespace may lie between them."""
    n = len(value)
    starts = [0] * n
    ends = [0] * n
    pos = 0
    last_end = segments[0][1][0] if segments and segments[0][1] else fallback
    for decoded, seg_starts, seg_ends in segments:
        if not decoded:
            continue
        k = value.find(decoded, pos)
        if k < 0 or value[pos:k].strip(" \t\n"):
            return None
        for j in range(pos, k):
            starts[j] = ends[j] = last_end
        starts[k:k + len(decoded)] = seg_starts
        ends[k:k + len(decoded)] = seg_ends
        pos = k + len(decoded)
        last_end = seg_ends[-1]
    if value[pos:].strip(" \t\n"):
        return None
    for j in range(pos, n):
        starts[j] = ends[j] = last_end
    return starts, ends


def _remap_word(word, ms, me):
    if word is None:
        return None
    return shell.Word(word.value, ms(word.start), me(word.end), word.quoted, word.dynamic)


def _remap_redirect(r, ms, me):
    return shell.Redirect(r.op, _remap_word(r.target, ms, me), _remap_word(r.heredoc_body, ms, me))


def _remap_command(cmd, ms, me):
    return shell.Command(
        [shell.Assignment(a.name, _remap_word(a.value, ms, me), ms(a.start), me(a.end)) for a in cmd.assignments],
        [_remap_word(w, ms, me) for w in cmd.argv],
        [_remap_redirect(r, ms, me) for r in cmd.redirects],
        ms(cmd.start), me(cmd.end),
        [_remap_redirect(r, ms, me) for r in cmd.group_redirects],
        cmd.in_subshell, cmd.conditional,
    )


# -- paths ----------------------------------------------------------------------------------
_WORKSPACE = re.compile(
    r"^(?:\$\{\{\s*github\.workspace\s*\}\}|\$GITHUB_WORKSPACE\b|\$\{GITHUB_WORKSPACE\}"
    r"|\$CI_PROJECT_DIR\b|\$\{CI_PROJECT_DIR\}|\$\{\{\s*env\.GITHUB_WORKSPACE\s*\}\})(?=/|$)")
_UNKNOWN_PATH = re.compile(r"[$`*?\[]")


def resolve_path(base: str | None, raw: str, root_rel: str = "") -> str | None:
    """The repository-relative, normalised form of path `raw` written in folder `base`.

    '' is the repository root. None when it cannot be known (base unknown, absolute, `~`, an
    unresolved reference or glob) or leaves the repository. A leading workspace reference
    ($GITHUB_WORKSPACE, ${{ github.workspace }}, $CI_PROJECT_DIR) stands for `root_rel`.
    """
    if raw is None:
        return None
    raw = raw.strip()
    m = _WORKSPACE.match(raw)
    if m:
        base = root_rel
        raw = raw[m.end():].lstrip("/")
    if base is None or raw.startswith(("/", "~")) or _UNKNOWN_PATH.search(raw) or "\n" in raw:
        return None
    joined = posixpath.normpath(posixpath.join(base, raw)) if raw else posixpath.normpath(base or ".")
    if joined == ".":
        return ""
    if joined == ".." or joined.startswith("../") or joined.startswith("/"):
        return None
    return joined


def _is_remote(raw: str) -> bool:
    lowered = raw.lower()
    return ("://" in raw or lowered.startswith(("git@", "github.com/")) or
            (lowered.endswith(".git") and ":" in raw))


# -- image builds ---------------------------------------------------------------------------
# Value-taking flags of the build commands, by their long name. Everything not listed is a
# switch (`--push`, `--load`, `--no-cache`, `--pull`, `--rm`, `--squash`, `--layers`, `-q`, …);
# a switch written `--flag=value` is read correctly either way.
BUILDX_VALUE_FLAGS = frozenset({
    # docker buildx build (docs/reference/buildx_build.md)
    "--add-host", "--allow", "--annotation", "--attest", "--build-arg", "--build-context", "--builder",
    "--cache-from", "--cache-to", "--call", "--cgroup-parent", "--file", "--iidfile", "--label",
    "--metadata-file", "--network", "--no-cache-filter", "--output", "--platform", "--progress",
    "--provenance", "--sbom", "--secret", "--shm-size", "--ssh", "--tag", "--target", "--ulimit",
    "--policy", "--invoke", "--root", "--server-config",
    # legacy docker build (and hidden in buildx)
    "--cpu-period", "--cpu-quota", "--cpu-shares", "--cpuset-cpus", "--cpuset-mems", "--isolation",
    "--memory", "--memory-swap", "--security-opt",
})
PODMAN_VALUE_FLAGS = frozenset({
    # podman build / buildah build (podman-build(1), buildah-build(1))
    "--annotation", "--arch", "--authfile", "--build-arg-file", "--cache-ttl", "--cap-add", "--cap-drop",
    "--cert-dir", "--cgroupns", "--cpp-flag", "--creds", "--cw", "--decryption-key", "--device", "--dns",
    "--dns-option", "--dns-search", "--env", "--format", "--from", "--group-add", "--hooks-dir", "--ipc",
    "--jobs", "--layer-label", "--logfile", "--manifest", "--net", "--os", "--os-feature", "--os-version",
    "--pid", "--retry", "--retry-delay", "--runtime", "--runtime-flag", "--sbom-image-output",
    "--sbom-image-purl-output", "--sbom-merge-strategy", "--sbom-output", "--sbom-purl-output",
    "--sbom-scanner-command", "--sbom-scanner-image", "--sign-by", "--signature-policy",
    "--source-date-epoch", "--timestamp", "--unsetenv", "--unsetlabel", "--unsetannotation", "--userns",
    "--userns-gid-map", "--userns-gid-map-group", "--userns-uid-map", "--userns-uid-map-user", "--uts",
    "--variant", "--volume", "--ignorefile", "--iidfile", "--secret", "--ssh", "--tag", "--target",
    "--file", "--output", "--platform", "--build-arg", "--build-context", "--cache-from", "--cache-to",
    "--label", "--network", "--add-host", "--shm-size", "--ulimit", "--security-opt", "--isolation",
    "--memory", "--memory-swap", "--cpu-period", "--cpu-quota", "--cpu-shares", "--cpuset-cpus",
    "--cpuset-mems", "--cgroup-parent", "--sbom", "--metadata-file", "--progress",
    # nerdctl build
    "--buildkit-host", "--iidfile",
})
VALUE_FLAGS = BUILDX_VALUE_FLAGS | PODMAN_VALUE_FLAGS
SHORT_FLAGS = {"f": "--file", "t": "--tag", "o": "--output", "m": "--memory", "c": "--cpu-shares",
               "v": "--volume", "q": "--quiet"}
_SHORT_VALUE = frozenset(k for k, v in SHORT_FLAGS.items() if v in VALUE_FLAGS)

# Options of the front-end command before its `build` subcommand.
_DOCKER_GLOBAL_VALUE = frozenset({"--config", "-c", "--context", "-H", "--host", "-l", "--log-level",
                                  "--tlscacert", "--tlscert", "--tlskey"})
_BUILDX_GLOBAL_VALUE = frozenset({"--builder"})
_PODMAN_GLOBAL_VALUE = frozenset({"--log-level", "--root", "--runroot", "--storage-driver", "--storage-opt",
                                  "--url", "--connection", "-c", "--identity", "--cgroup-manager",
                                  "--events-backend", "--tmpdir", "--module", "--runtime", "--conmon",
                                  "--network-cmd-path", "--registries-conf", "--short-name-alias-conf",
                                  "--userns-uid-map", "--userns-gid-map", "--cpu-profile", "--memory-profile"})
_NERDCTL_GLOBAL_VALUE = frozenset({"-n", "--namespace", "-a", "--address", "-H", "--host", "--snapshotter",
                                   "--storage-driver", "--cni-path", "--cni-netconfpath", "--data-root",
                                   "--cgroup-manager", "--host-gateway-ip"})


def _skip_options(words: list[str], i: int, value_flags) -> int:
    while i < len(words) and words[i].startswith("-") and words[i] != "-":
        word = words[i]
        i += 2 if ("=" not in word and word in value_flags) else 1
    return i


def build_tool(words: list[str]) -> tuple[str, int] | None:
    """(tool, index of its first option) when argv is an image build command."""
    if not words:
        return None
    program = posixpath.basename(words[0])
    if program == "docker":
        i = _skip_options(words, 1, _DOCKER_GLOBAL_VALUE)
        sub = words[i] if i < len(words) else ""
        if sub == "build":
            return "docker build", i + 1
        if sub in ("image", "builder") and words[i + 1:i + 2] == ["build"]:
            return f"docker {sub} build", i + 2
        if sub == "buildx":
            j = _skip_options(words, i + 1, _BUILDX_GLOBAL_VALUE)
            if words[j:j + 1] in (["build"], ["b"]):
                return "docker buildx build", j + 1
        return None
    if program in ("buildx", "docker-buildx"):
        j = _skip_options(words, 1, _BUILDX_GLOBAL_VALUE)
        if words[j:j + 1] in (["build"], ["b"]):
            return "docker buildx build", j + 1
        return None
    if program == "podman":
        i = _skip_options(words, 1, _PODMAN_GLOBAL_VALUE)
        if words[i:i + 1] == ["build"]:
            return "podman build", i + 1
        if words[i:i + 2] in (["image", "build"], ["buildx", "build"]):
            return "podman build", i + 2
        return None
    if program == "buildah":
        i = _skip_options(words, 1, _PODMAN_GLOBAL_VALUE)
        if i < len(words) and words[i] in ("bud", "build", "build-using-dockerfile"):
            return f"buildah {words[i]}", i + 1
        return None
    if program == "nerdctl":
        i = _skip_options(words, 1, _NERDCTL_GLOBAL_VALUE)
        if words[i:i + 1] == ["build"]:
            return "nerdctl build", i + 1
        if words[i:i + 2] in (["image", "build"], ["builder", "build"]):
            return "nerdctl build", i + 2
        return None
    return None


class _Flag:
    __slots__ = ("name", "value", "word", "start", "end", "dynamic")

    def __init__(self, name, value, word, start, end, dynamic):
        self.name = name  # the long name
        self.value = value  # None for a switch
        self.word = word  # the word the flag starts in
        self.start = start  # where the value is written (file offsets)
        self.end = end
        self.dynamic = dynamic


def _value_span(source: Source, word, prefix_len: int, value: str) -> tuple[int, int]:
    """Where `value` is written in `word` after `prefix_len` characters of flag: exact when the
    text holds it plainly or simply quoted, else the rest of the word."""
    text = source.text
    start = word.start + prefix_len
    raw = text[start:word.end]
    if raw == value:
        return start, word.end
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "'\"" and raw[1:-1] == value:
        return start + 1, word.end - 1
    return start, word.end


def _parse_flags(source: Source, argv: list, first: int):
    """pflag-style parsing: (flags, positional words, index of `--` or None)."""
    text = source.text
    flags: list[_Flag] = []
    positionals: list = []
    dashdash = None
    i = first
    n = len(argv)
    while i < n:
        word = argv[i]
        v = word.value
        if dashdash is not None or not v.startswith("-") or v == "-":
            positionals.append(word)
            i += 1
            continue
        if v == "--":
            dashdash = i
            i += 1
            continue
        if v.startswith("--"):
            name, eq, inline = v.partition("=")
            if eq:
                prefix = len(name) + 1 if text.startswith(name + "=", word.start) else 0
                start, end = _value_span(source, word, prefix, inline)
                flags.append(_Flag(name, inline, word, start, end, word.dynamic))
                i += 1
            elif name in VALUE_FLAGS and i + 1 < n:
                operand = argv[i + 1]
                start, end = _value_span(source, operand, 0, operand.value)
                flags.append(_Flag(name, operand.value, word, start, end, operand.dynamic))
                i += 2
            else:
                flags.append(_Flag(name, None, word, word.start, word.end, False))
                i += 1
            continue
        # a cluster of short flags: -qt name, -fDockerfile, -f=Dockerfile
        j = 1
        i += 1
        while j < len(v):
            letter = v[j]
            long = SHORT_FLAGS.get(letter, "-" + letter)
            if letter in _SHORT_VALUE:
                rest = v[j + 1:]
                if rest:
                    value = rest[1:] if rest.startswith("=") else rest
                    flags.append(_Flag(long, value, word, word.start, word.end, word.dynamic))
                elif i < n:
                    operand = argv[i]
                    start, end = _value_span(source, operand, 0, operand.value)
                    flags.append(_Flag(long, operand.value, word, start, end, operand.dynamic))
                    i += 1
                break
            flags.append(_Flag(long, None, word, word.start, word.end, False))
            j += 1
    return flags, positionals, dashdash


def _word_is_exact(source: Source, word) -> bool:
    """The file text at the word's span lexes to the very same word (edits can go there)."""
    if word.end <= word.start:
        return False
    raw = source.text[word.start:word.end]
    commands = shell.parse_script(raw)
    return len(commands) == 1 and len(commands[0].argv) == 1 and commands[0].argv[0].value == word.value \
        and not commands[0].assignments


def image_build(source: Source, argv: list, stmt: Span, cwd: str | None, root_rel: str = "") -> ImageBuild | None:
    """An ImageBuild for an image build command line (argv already unwrapped from env/sudo/…)."""
    found = build_tool([w.value for w in argv])
    if found is None:
        return None
    tool, first = found
    flags, positionals, dashdash = _parse_flags(source, argv, first)
    build_args: list[BuildArg] = []
    file_flag = None
    network_host = False
    add_hosts: list[str] = []
    for flag in flags:
        if flag.value is None:
            continue
        if flag.name == "--build-arg":
            name, eq, value = flag.value.partition("=")
            build_args.append(BuildArg(name, value if eq else None, Span(flag.start, flag.end), source,
                                       dynamic=flag.dynamic or "$" in flag.value))
        elif flag.name == "--file" and file_flag is None:
            file_flag = flag
        elif flag.name in ("--network", "--net"):
            network_host = flag.value == "host" and not flag.dynamic
        elif flag.name == "--add-host":
            add_hosts.extend(h for h in flag.value.split(",") if h)
    context_word = positionals[0] if positionals else None
    podman_like = tool.startswith(("podman", "buildah"))
    context = dockerfile = None
    file_path = None
    if file_flag is not None and not file_flag.dynamic and file_flag.value not in ("", "-") \
            and not _is_remote(file_flag.value):
        file_path = resolve_path(cwd, file_flag.value, root_rel)
    if context_word is not None:
        raw = context_word.value
        if not context_word.dynamic and raw not in ("", "-") and not _is_remote(raw):
            context = resolve_path(cwd, raw, root_rel)
    elif podman_like:
        # podman/buildah: no context argument -> the folder of a local Containerfile, else cwd
        if file_flag is not None:
            context = posixpath.dirname(file_path) if file_path is not None else None
        else:
            context = cwd
    if context is not None:
        if file_flag is None:
            dockerfile = posixpath.join(context, "Dockerfile") if context else "Dockerfile"
        else:
            dockerfile = file_path
    start = argv[0].start
    span = Span(start, max(start, argv[-1].end))
    anchor = argv[dashdash] if dashdash is not None else context_word

    def add_build_arg(name: str):
        """Insert `--build-arg NAME` before the context argument, in the command's own style."""
        text = source.text
        if anchor is None:
            last = argv[-1]
            if not _word_is_exact(source, last):
                return None
            return Edit.insert(source, last.end, f" --build-arg {name}")
        if not _word_is_exact(source, anchor):
            return None
        line_start = text.rfind("\n", 0, anchor.start) + 1
        before = text[line_start:anchor.start]
        k = line_start - 1  # the line break ending the previous line
        if k > 0 and text[k - 1] == "\r":
            k -= 1
        continued = k > 0 and text[k - 1] == "\\"
        if line_start > start and not before.strip(" \t") and continued:
            # one flag a line, joined with ` \`: add a line of the same shape
            return Edit.insert(source, line_start, f"{before}--build-arg {name} \\{source.newline}")
        return Edit.insert(source, anchor.start, f"--build-arg {name} ")

    return ImageBuild(tool, context, dockerfile, build_args, span, source, stmt, network_host, add_hosts,
                      add_build_arg)


# -- lowering -------------------------------------------------------------------------------
class _Dirs:
    """The directory a script is in: `cd`, `pushd`, `popd`, subshells (best effort)."""

    def __init__(self, cwd: str | None, root_rel: str):
        self.outer = cwd
        self.sub = cwd
        self.in_sub = False
        self.root_rel = root_rel
        self.old_outer = None
        self.stack: list = []

    def current(self, cmd) -> str | None:
        if cmd.in_subshell:
            if not self.in_sub:
                self.in_sub = True
                self.sub = self.outer
            return self.sub
        self.in_sub = False
        return self.outer

    def set(self, cmd, value: str | None) -> None:
        if cmd.in_subshell:
            self.sub = value
        else:
            self.old_outer = self.outer
            self.outer = value

    def change(self, cmd, program: str, args: list) -> None:
        here = self.current(cmd)
        operands = [w for w in args if not (w.value.startswith("-") and w.value != "-")]
        if program == "popd":
            self.set(cmd, self.stack.pop() if self.stack else None)
            return
        if program == "pushd":
            self.stack.append(here)
        if cmd.conditional:
            self.set(cmd, None)
            return
        if not operands:
            self.set(cmd, None)  # home
            return
        target = operands[0]
        if target.value == "-" and program == "cd":
            self.set(cmd, self.old_outer if not cmd.in_subshell else None)
            return
        if target.dynamic and not _WORKSPACE.match(target.value):
            self.set(cmd, None)
            return
        self.set(cmd, resolve_path(here, target.value, self.root_rel))


def lower_commands(scope: Scope, source: Source, commands: list, stmt: Span, cwd: str | None, root_rel: str,
                   shell_env_file: str | None = "GITHUB_ENV") -> list[Setting]:
    """Append the events of `commands` to scope.events; return the env-file writes (see module doc)."""
    dirs = _Dirs(cwd, root_rel)

    def other(cmd, assignments, argv):
        program = posixpath.basename(argv[0].value)
        if program in ("cd", "pushd", "popd"):
            dirs.change(cmd, program, argv[1:])
            return []
        events: list = [setting_from(source, a, "inline", stmt) for a in assignments]
        build = image_build(source, argv, stmt, dirs.current(cmd), root_rel)
        if build is not None:
            events.append(build)
        return events

    scope.events.extend(command_events(source, commands, stmt, on_other=other))
    if not shell_env_file:
        return []
    writes: list[Setting] = []
    for cmd in commands:
        found = shell.env_file_writes(cmd, shell_env_file)
        if not found:
            continue
        region_end = max([cmd.end] + [r.heredoc_body.end for r in cmd.redirects if r.heredoc_body is not None])
        cursor = cmd.start
        for a in found:
            a, cursor = _locate(source, a, cmd.start, region_end, cursor)
            value = a.value
            writes.append(Setting(a.name, None if value.dynamic else value.value, Span(a.start, a.end),
                                  Span(value.start, value.end), "github-env", source, stmt,
                                  dynamic=value.dynamic, raw_value=source.text[value.start:value.end]))
    return writes


def _locate(source: Source, a, region_start: int, region_end: int, cursor: int):
    """An env-file line's exact place in the file. shell.env_file_writes counts offsets inside a
    word's value, which drift where the value is not written one to one (a heredoc in an
    indented block scalar); find `NAME=` / `NAME<<` in the command's text instead."""
    text = source.text
    value = a.value
    if text.startswith(a.name, a.start) and text[a.start + len(a.name):a.start + len(a.name) + 1] in ("=", "<") \
            and text[value.start:value.end] == value.value:
        return a, max(cursor, a.end)
    pattern = re.compile(r"(?<![A-Za-z0-9_])" + re.escape(a.name) + r"(=|<<)")
    m = pattern.search(text, cursor, region_end) or pattern.search(text, region_start, region_end)
    if m is None:
        return a, cursor
    vstart = m.end()
    line_end = text.find("\n", vstart, region_end)
    line_end = region_end if line_end == -1 else line_end
    if m.group(1) == "=" and text.startswith(value.value, vstart) and "\n" not in value.value:
        vend = vstart + len(value.value)
    elif m.group(1) == "=":
        vend = line_end
        while vend > vstart and text[vend - 1] in "\r\"'":
            vend -= 1
    else:
        vend = region_end
    word = shell.Word(value.value, vstart, vend, value.quoted, value.dynamic)
    return shell.Assignment(a.name, word, m.start(), vend), vend
