"""One lowering per kind of file: the parser dispatch. Each format turns its file into a
Document (model.py): scopes, settings, go commands, and the image builds it starts. A new
source of builds (a Makefile, compose, bake, an editor buffer) adds a module here and a line
below; the build graph and the rules then see its builds like any other."""
from __future__ import annotations

from ..kinds import (ACTION, BAKE, BUILD_KINDS, COMPOSE, DOCKERFILE, DOCKERIGNORE, GITHUB, GITLAB, GORELEASER, MAKEFILE,
                     SCRIPT, SKAFFOLD, TASKFILE, TILT)
from ..model import Document
from ..source import Source

# The kinds whose documents start image builds: lowered before every other file of a run, and
# scanned for builds even when not linted, so that Dockerfile rules know how each is built.
BUILD_SOURCE_KINDS = BUILD_KINDS  # CI files, and Makefiles on their own (§17.7)


def lower_by_kind(source: Source, files=None) -> Document:
    """Lower a source into a Document by its kind (imports each format only when needed).
    `files`: the repository's file store, for formats that read other files (GitLab includes)."""
    if source.kind == DOCKERFILE:
        from . import dockerfile

        return dockerfile.lower(source)
    if source.kind == DOCKERIGNORE:
        from . import dockerignore

        return dockerignore.lower(source)
    if source.kind in (GITHUB, ACTION):
        from . import gha

        return gha.lower(source, files)
    if source.kind == GITLAB:
        from . import glci

        return glci.lower(source, files)
    if source.kind == GORELEASER:
        from . import goreleaser

        return goreleaser.lower(source, files)
    if source.kind == SKAFFOLD:
        from . import skaffold

        return skaffold.lower(source, files)
    if source.kind == TILT:
        from . import tiltfile

        return tiltfile.lower(source, files)
    if source.kind == COMPOSE:
        from . import compose

        return compose.lower(source, files)
    if source.kind == BAKE:
        from . import bake

        return bake.lower(source, files)
    if source.kind == MAKEFILE:
        from . import makefile

        return makefile.lower(source, files)
    if source.kind == TASKFILE:
        from . import taskfile

        return taskfile.lower(source)
    if source.kind == SCRIPT:
        from . import script

        return script.lower(source)
    raise ValueError(f"no lowering for {source.kind}")
