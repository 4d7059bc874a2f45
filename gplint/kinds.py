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

ALL_KINDS = (DOCKERFILE, DOCKERIGNORE, GITHUB, ACTION, GITLAB, GORELEASER, SKAFFOLD, TILT)
CI_KINDS = (GITHUB, ACTION, GITLAB, GORELEASER, SKAFFOLD, TILT)  # they start image builds and set a job's environment
SETTING_KINDS = (DOCKERFILE, GITHUB, ACTION, GITLAB, GORELEASER, SKAFFOLD, TILT)  # where Go settings are written
