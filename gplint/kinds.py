"""The kinds of file gplint reads, named once. A Source's `kind` is one of these strings (they
appear in the cache and in --kind, so they stay plain strings rather than an Enum)."""
from __future__ import annotations

DOCKERFILE = "dockerfile"
DOCKERIGNORE = "dockerignore"
GITHUB = "github"  # a GitHub Actions workflow
ACTION = "action"  # a composite action (action.yml)
GITLAB = "gitlab"  # .gitlab-ci.yml and the files it includes
GORELEASER = "goreleaser"  # .goreleaser.yml: `dockers` / `dockers_v2` image builds
SKAFFOLD = "skaffold"  # skaffold.yaml: `build.artifacts` image builds
TILT = "tilt"  # a Tiltfile (Starlark): docker_build calls
COMPOSE = "compose"  # compose.yaml, docker-compose.yml (§20)
BAKE = "bake"  # docker-bake.hcl / .json (§21)
MAKEFILE = "makefile"  # Makefile, GNUmakefile, *.mk
SCRIPT = "script"  # a shell script: linted when named, followed when a hand-off reaches it
TASKFILE = "taskfile"  # go-task's Taskfile.yml

ALL_KINDS = (DOCKERFILE, DOCKERIGNORE, GITHUB, ACTION, GITLAB, COMPOSE, BAKE, GORELEASER, SKAFFOLD, TILT, MAKEFILE,
             SCRIPT, TASKFILE)
# they start image builds (and CI sets a job's environment)
CI_KINDS = (GITHUB, ACTION, GITLAB, COMPOSE, BAKE, GORELEASER, SKAFFOLD, TILT)
# every kind whose documents start image builds: CI files, and Makefiles on their own (§17.7)
BUILD_KINDS = (*CI_KINDS, MAKEFILE)
# where Go settings are written
SETTING_KINDS = (DOCKERFILE, GITHUB, ACTION, GITLAB, COMPOSE, BAKE, GORELEASER, SKAFFOLD, TILT, MAKEFILE, SCRIPT,
                 TASKFILE)

# compose-go's DefaultFileNames and DefaultOverrideFileNames (§20.1)
COMPOSE_NAMES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml", "compose.override.yaml",
                 "compose.override.yml", "docker-compose.override.yaml", "docker-compose.override.yml")
BAKE_NAMES = ("docker-bake.hcl", "docker-bake.json", "docker-bake.override.hcl", "docker-bake.override.json")  # §21.1
