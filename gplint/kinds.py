"""The kinds of file gplint reads, named once. A Source's `kind` is one of these strings (they
appear in the cache and in --kind, so they stay plain strings rather than an Enum)."""
from __future__ import annotations

DOCKERFILE = "dockerfile"
DOCKERIGNORE = "dockerignore"
GITHUB = "github"  # a GitHub Actions workflow
ACTION = "action"  # a composite action (action.yml)
GITLAB = "gitlab"  # .gitlab-ci.yml and the files it includes
MAKEFILE = "makefile"  # Makefile, GNUmakefile, *.mk
SCRIPT = "script"  # a shell script: linted when named, followed when a hand-off reaches it
TASKFILE = "taskfile"  # go-task's Taskfile.yml

ALL_KINDS = (DOCKERFILE, DOCKERIGNORE, GITHUB, ACTION, GITLAB, MAKEFILE, SCRIPT, TASKFILE)
CI_KINDS = (GITHUB, ACTION, GITLAB)  # they start image builds and set a job's environment
SETTING_KINDS = (DOCKERFILE, GITHUB, ACTION, GITLAB, MAKEFILE, SCRIPT, TASKFILE)  # where Go settings are written
