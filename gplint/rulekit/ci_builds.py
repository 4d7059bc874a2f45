"""Shared by the rules that follow a setting from a CI job into the image it builds (GP104, GP105, GP107)."""
from __future__ import annotations

from ..analysis import go_runs
from ..kinds import CI_KINDS  # noqa: F401  (the rules import it from here)
from ..model import Document, ImageBuild, Scope, Setting, walk




def builds(doc: Document) -> list:
    """(scope, build, env before it) for every image build of the document. Computed once per
    document (three rules ask), replaying only the scopes that build an image: the replay of
    every job's environment was most of what these rules cost."""
    found = doc.image_builds
    if found is None:
        found = doc.image_builds = [
            (scope, event, env) for scope in doc.scopes if any(isinstance(e, ImageBuild) for e in scope.events)
            for event, env in walk(scope) if isinstance(event, ImageBuild)]
    return found


def built(doc: Document, project):
    """(scope, build, env, the Dockerfile's document, its stages that may reach the proxy) for
    every build whose Dockerfile is in the repository (otherwise: say nothing, never guess)."""
    for scope, build, env in builds(doc):
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
