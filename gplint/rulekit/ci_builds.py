"""Shared by the rules that follow a setting from a CI job into the image it builds (GP104, GP105, GP107)."""
from __future__ import annotations

from ..analysis import go_runs, handed_off_builds
from ..kinds import CI_KINDS  # noqa: F401  (the rules import it from here)
from ..model import Document, HandOff, ImageBuild, Scope, Setting, walk


def builds(doc: Document, project=None) -> list:
    """(scope, build, env before it) for every image build of the document, and for the builds
    its `make …` / `./x.sh` steps reach. Computed once per document (three rules ask), replaying
    only the scopes that build an image or hand off: the replay of every job's environment was
    most of what these rules cost."""
    if doc.image_builds is not None:
        return doc.image_builds
    found = []
    for scope in doc.scopes:
        if not any(isinstance(e, (ImageBuild, HandOff)) for e in scope.events):
            continue
        for event, env in walk(scope):
            if isinstance(event, ImageBuild):
                found.append((scope, event, env))
            elif isinstance(event, HandOff) and project is not None:
                found += [(scope, build, benv) for build, benv in handed_off_builds(doc, project, scope, event, env)]
    if project is not None:
        doc.image_builds = found
    return found


def built(doc: Document, project):
    """(scope, build, env, the Dockerfile's document, its stages that may reach the proxy) for
    every build whose Dockerfile is in the repository (otherwise: say nothing, never guess)."""
    for scope, build, env in builds(doc, project):
        if project is None or not build.dockerfile:
            continue
        target = project.document(build.dockerfile)
        if target is None:
            continue
        stages = sorted({id(r.scope): r.scope for r in go_runs(target, project) if r.reaches_proxy}.values(),
                        key=lambda s: s.index)
        yield scope, build, env, target, stages


def declares(scope: Scope, name: str) -> bool:
    return any(isinstance(e, Setting) and e.name == name and e.how == "arg"
               for s in scope.lineage() for e in s.events)
