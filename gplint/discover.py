"""Which files to lint and what kind each is; `.git` and what `.gitignore` ignores are skipped."""
from __future__ import annotations

import fnmatch
import os
import re

from . import confined
from .confined import find_root  # noqa: F401  (callers ask discover for the root)
from .kinds import ALL_KINDS, BAKE_NAMES, COMPOSE_NAMES
from .records import dataclass

# The names gplint reads, as data: kind_of() decides by them, and hook_files_pattern() turns them
# into the pre-commit `files:` filter, so the hook passes exactly what gplint lints (names are
# compared case-insensitively).
DOCKERFILE_NAMES = ("dockerfile", "containerfile")
# Dockerfile.prod, Dockerfile-builder, Dockerfile_multiarch: all common in real repositories
DOCKERFILE_SEPARATORS = "._-"
DOCKERFILE_EXTENSIONS = (".dockerfile", ".containerfile")  # api.Dockerfile
# `Dockerfile.*` names that are documentation, templates or scripts about a Dockerfile, not Dockerfiles.
NOT_DOCKERFILE_SUFFIXES = (".md", ".txt", ".rst", ".sh", ".py", ".json", ".yml", ".yaml", ".orig",
                           ".bak", ".swp", ".tmpl", ".j2", ".tpl", ".erb", ".dockerignore")
DOCKERIGNORE_SUFFIX = ".dockerignore"  # .dockerignore and <Dockerfile name>.dockerignore
GITLAB_NAMES = (".gitlab-ci.yml", ".gitlab-ci.yaml")
ACTION_NAMES = ("action.yml", "action.yaml")
GORELEASER_NAMES = (".goreleaser.yml", ".goreleaser.yaml", "goreleaser.yml", "goreleaser.yaml")
SKAFFOLD_NAMES = ("skaffold.yaml", "skaffold.yml")
TILT_NAMES = ("tiltfile",)  # Tiltfile: Starlark, no extension
YAML_SUFFIXES = (".yml", ".yaml")  # workflows; and any YAML file may be a GitLab include
MAKEFILE_NAMES = ("makefile", "gnumakefile")
MAKEFILE_SUFFIXES = (".mk",)
TASKFILE_NAMES = ("taskfile.yml", "taskfile.yaml", "taskfile.dist.yml", "taskfile.dist.yaml")
SCRIPT_SUFFIXES = (".sh", ".bash")  # linted when named on the command line, never found by a walk
AUX_NAMES = ("go.mod", "go.work")
# vendor manifests, and every YAML file: a GitLab CI file may include any of them (`local:`)
AUX_SUFFIXES = ("vendor/modules.txt",) + YAML_SUFFIXES
INVENTORY_KINDS = ALL_KINDS  # files other files' rules may need


# built once: kind_of runs twice for every file of the repository (walk, cache salts)
_DOCKERFILE_PREFIXES = tuple(n + sep for n in DOCKERFILE_NAMES for sep in DOCKERFILE_SEPARATORS)


def kind_of(relpath: str) -> str | None:
    """The kind of a repository-relative path, or None when gplint does not read it by its name
    (a YAML file may still be a GitLab file that .gitlab-ci.yml includes: Project.gitlab_included)."""
    name = relpath.rsplit("/", 1)[-1]
    lower = name.lower()
    if lower.endswith(DOCKERIGNORE_SUFFIX):
        return "dockerignore"
    if lower in DOCKERFILE_NAMES:
        return "dockerfile"
    if lower.startswith(_DOCKERFILE_PREFIXES) \
            and not lower.endswith(NOT_DOCKERFILE_SUFFIXES):
        return "dockerfile"
    if lower.endswith(DOCKERFILE_EXTENSIONS):
        return "dockerfile"
    if lower in GITLAB_NAMES:
        return "gitlab"
    parts = relpath.split("/")
    if len(parts) >= 3 and parts[-3] == ".github" and parts[-2] == "workflows" and lower.endswith(YAML_SUFFIXES):
        return "github"
    if lower in ACTION_NAMES:
        return "action"
    if lower in GORELEASER_NAMES:
        return "goreleaser"
    if lower in SKAFFOLD_NAMES:
        return "skaffold"
    if lower in TILT_NAMES:
        return "tilt"
    if lower in COMPOSE_NAMES:  # §20.1 (compared like every other name: case-insensitively)
        return "compose"
    if lower in BAKE_NAMES:  # §21.1
        return "bake"
    if lower in MAKEFILE_NAMES or lower.endswith(MAKEFILE_SUFFIXES):
        return "makefile"
    if lower in TASKFILE_NAMES:
        return "taskfile"
    return None


def named_kind(relpath: str) -> str | None:
    """The kind of a file named on the command line: kind_of(), or a shell script by its suffix
    (a walk never lints scripts on their own; hand-offs reach the ones that matter)."""
    return kind_of(relpath) or ("script" if relpath.lower().endswith(SCRIPT_SUFFIXES) else None)


def is_yaml(relpath: str) -> bool:
    return relpath.lower().endswith(YAML_SUFFIXES)


def hook_files_pattern() -> str:
    """The pre-commit `files:` regex (matched with re.search on repository-relative paths):
    exactly the names kind_of() recognises, plus every YAML file (a GitLab file included by
    .gitlab-ci.yml may have any name; gplint skips YAML that is not a CI file, quietly)."""
    def alternatives(words) -> str:
        return "|".join(re.escape(w) for w in words)

    name = "[^/]*"
    # Dockerfile, or Dockerfile<separator><anything> unless the name ends in a non-Dockerfile suffix
    not_a_dockerfile = f"(?!{name}(?:{alternatives(NOT_DOCKERFILE_SUFFIXES)})$)"
    dockerfile = (f"(?:{alternatives(DOCKERFILE_NAMES)})"
                  f"(?:{not_a_dockerfile}[{re.escape(DOCKERFILE_SEPARATORS)}]{name})?")
    branches = [
        f"{name}(?:{alternatives((DOCKERIGNORE_SUFFIX,))})",
        dockerfile,
        f"{name}(?:{alternatives(DOCKERFILE_EXTENSIONS)})",
        f"{name}(?:{alternatives(YAML_SUFFIXES)})",
        f"(?:{alternatives(TILT_NAMES)})",
        f"(?:{alternatives(BAKE_NAMES)})",
        f"(?:{alternatives(MAKEFILE_NAMES)})",
        f"{name}(?:{alternatives(MAKEFILE_SUFFIXES)})",
    ]
    return f"(?i)(?:^|/)(?:{'|'.join(branches)})$"


@dataclass(slots=True)
class Found:
    abspath: str
    kind: str


class GitIgnore:
    """The .gitignore files of a tree (git's rules: last match wins, `/` anchors, `dir/` only
    matches directories, `**` spans folders, an excluded folder is never entered)."""

    def __init__(self, root: str | None = None):
        self.rules: list[tuple[str, re.Pattern, bool, bool]] = []  # (base, pattern with .fullmatch, negated, dir_only)
        self.root = root  # .gitignore files are read only inside it (confined.py)

    def add_file(self, base: str, path: str) -> None:
        from .confined import read_bytes
        from .source import SourceError

        try:  # a regular file inside the repository only: a FIFO named .gitignore must not block
            lines = read_bytes(path, self.root or os.path.dirname(path)).decode("utf-8", "replace").splitlines()
        except SourceError:
            return
        for line in lines:
            if not line.strip() or line.startswith("#"):
                continue
            line = line.rstrip() if not line.endswith("\\ ") else line
            negated = line.startswith("!")
            if negated:
                line = line[1:]
            if line.startswith("\\"):
                line = line[1:]
            dir_only = line.endswith("/")
            line = line.strip("/") if dir_only else line
            anchored = "/" in line.rstrip("/")
            line = line.lstrip("/")
            if not line:
                continue
            regex = _glob_regex(line, anchored)
            if regex is not None:
                self.rules.append((base, regex, negated, dir_only))

    def ignored(self, rel: str, is_dir: bool) -> bool:
        verdict = False
        for base, regex, negated, dir_only in self.rules:
            if base and not rel.startswith(base + "/"):
                continue
            if dir_only and not is_dir:
                continue
            sub = rel[len(base) + 1:] if base else rel
            if regex.fullmatch(sub):
                verdict = not negated
        return verdict


def _glob_regex(pattern: str, anchored: bool):
    # imported here: a run on named files reads no .gitignore (0.4 ms of start-up saved)
    from .semantics.linear_regex import Unsupported as LinearUnsupported
    from .semantics.linear_regex import compile_safe

    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("/**", i) and i + 3 == len(pattern):
            out.append("/.*")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        elif pattern[i] == "[":
            close = pattern.find("]", i + 1)
            if close == -1:
                out.append(re.escape("["))
                i += 1
            else:
                out.append(fnmatch.translate(pattern[i:close + 1])[4:-3])
                i = close + 1
        elif pattern[i] == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    body = "".join(out)
    if not anchored:
        body = "(?:.*/)?" + body
    try:
        # used with fullmatch on every path of the walk: a crafted pattern must not backtrack
        # exponentially (`*a*a*a*a*b` against a long name), so more than two repetitions run
        # on the linear-time engine
        return compile_safe(body, 0, max_repetitions=2)
    except (re.error, LinearUnsupported):
        return None


def walk(root: str, folder: str, unreadable: list | None = None) -> tuple[list[Found], list[str]]:
    """Lintable files under folder (absolute) and the repository inventory (root-relative
    go.mod, go.work, vendor/modules.txt, YAML files and the kinds gplint reads), honouring
    .gitignore files. Folders that cannot be listed are added to `unreadable` when given.

    Not `git ls-files`: on a 100,000-file tree it lists in 137 ms what this walk finds in 336 ms,
    but git runs the repository's own `core.fsmonitor` command (a checkout's .git/config would
    run code), needs git, and lists the index rather than the files on disk."""
    ignore = GitIgnore(root)
    # .gitignore files of the folders above the walked one still apply
    rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
    if rel_folder != "." and not rel_folder.startswith(".."):
        parts = rel_folder.split("/")
        for depth in range(len(parts)):
            base = "/".join(parts[:depth])
            ignore.add_file(base, os.path.join(root, *parts[:depth], ".gitignore"))
    found: list[Found] = []
    aux: list[str] = []
    top = folder if not rel_folder.startswith("..") else root
    top_rel = os.path.relpath(top, root).replace(os.sep, "/")
    stack = [(top, "" if top_rel == "." else top_rel)]  # (folder, its path relative to the root)
    confined.real_dir(top)  # resolved once: the folders listed below it inherit it (listed_folder)
    while stack:
        current, rel_current = stack.pop()
        try:
            entries = sorted(os.scandir(current), key=lambda e: e.name)
        except OSError as exc:
            ignore.add_file(rel_current, os.path.join(current, ".gitignore"))
            if unreadable is not None:  # (folder, why): the caller reports what it could not read
                unreadable.append((current, exc.strerror or str(exc)))
            continue
        if any(entry.name == ".gitignore" for entry in entries):
            # only where the listing has one: a confined read of a missing file costs a realpath
            # (0.14 s CPU of a warm run over the reference corpus's 2,500 folders)
            ignore.add_file(rel_current, os.path.join(current, ".gitignore"))
        for entry in entries:
            rel = f"{rel_current}/{entry.name}" if rel_current else entry.name
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name == ".git" or ignore.ignored(rel, True):
                    continue
                confined.listed_folder(current, entry.path)
                stack.append((entry.path, rel))
                continue
            kind = kind_of(rel)
            if entry.name in AUX_NAMES or kind in INVENTORY_KINDS or rel.endswith(AUX_SUFFIXES):
                aux.append(rel)
            if ignore.ignored(rel, False):
                continue
            if kind is not None:
                found.append(Found(entry.path, kind))
    found.sort(key=lambda f: f.abspath)
    return found, sorted(aux)


def walk_inventory(root: str) -> list[str]:
    return walk(root, root)[1]
