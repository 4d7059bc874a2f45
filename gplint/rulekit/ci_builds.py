"""Shared by the rules that follow a setting from a CI job into the image it builds (GP104, GP105, GP107)."""
from __future__ import annotations

from ..analysis import go_runs, image_builds, reached_from_ci
from ..kinds import BUILD_KINDS, CI_KINDS, MAKEFILE  # noqa: F401  (the rules import them from here)
from ..model import Document, Scope, Setting


def builds(doc: Document, project=None) -> list:
    """(scope, build, env before it) for every image build of the document, and for the builds
    its `make …` / `./x.sh` steps reach (analysis.image_builds). A Makefile's own builds leave
    out those a CI job reaches."""
    found = image_builds(doc, project)
    if doc.source.kind == MAKEFILE and project is not None:
        return _own_builds(found, project)
    return found


def _own_builds(found: list, project) -> list:
    """A Makefile's builds that it alone reports: each once (`all: image` reaches the recipe
    of `image` too), and none a CI job reaches (the job reports it, with its environment on top
    of what make exports: one finding, not two)."""
    reached = reached_from_ci(project)
    seen: set = set()
    out = []
    for scope, build, env in found:
        key = (build.source.abspath, build.span.start, build.span.end)
        if key in seen or key in reached:
            continue
        seen.add(key)
        out.append((scope, build, env))
    return out


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
