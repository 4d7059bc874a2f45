"""The build graph: how each Dockerfile of the repository is built. Every source of builds (a
workflow, an action, a GitLab pipeline) is lowered into a Document whose ImageBuild events say
which Dockerfile, which context, which network and which build args; this graph collects them,
and the Dockerfile rules read it (GP107 with --network host, GP401's context, GP103/GP105's
values passed). Files themselves (reads, inventory, go.mod lookups) are the Project's job."""
from __future__ import annotations

from .records import dataclass, field

TYPE_CHECKING = False  # true for type checkers only: start-up does not import typing
if TYPE_CHECKING:
    from collections.abc import Callable

# (doc, project) -> the image builds a document's hand-offs reach (`make image` → a recipe's
# `docker build`). Following them is analysis, a floor above this one: analysis sets it when
# imported, which every path to a registration goes through (engine.lower_source imports it).
REACHED_BUILDS: "Callable | None" = None


@dataclass(slots=True)
class BuildContext:
    """One way a Dockerfile is built: its context folder (repository-relative) and its origin."""

    dockerfile: str  # repository-relative path
    context: str  # repository-relative folder ('' is the root)
    origin: object = None  # the CI invocation that builds it, or None for the default
    network_host: bool = False  # that invocation builds with --network host


@dataclass(eq=False)
class BuildGraph:
    contexts: dict[str, list[BuildContext]] = field(default_factory=dict)  # Dockerfile -> its builds
    _keys: set = field(default_factory=set)
    # build arg NAME -> {Dockerfile: the values CI builds pass for it}, filled by analysis on demand
    passed_values: dict = field(default_factory=dict)
    # (file, span start, end) of the image builds CI files reach through make or a script
    # (rulekit.ci_builds.reached_from_ci), filled on demand
    ci_reached: set | None = None

    def register(self, doc, project=None) -> list[tuple[str, str, bool]]:
        """Record the image builds a CI document makes, so Dockerfile rules know their contexts;
        returns them as (Dockerfile, context, network_host), in order. With the project, also
        the builds its hand-offs reach (`make image` → a recipe's `docker build`)."""
        from .model import HandOff, ImageBuild

        found = []
        for scope in doc.scopes:
            for event in scope.events:
                if isinstance(event, ImageBuild) and event.dockerfile and event.context is not None:
                    self.add(event.dockerfile, event.context, event.network_host, event)
                    found.append((event.dockerfile, event.context, bool(event.network_host)))
        if project is not None and doc.source.kind != "dockerfile" and REACHED_BUILDS is not None and \
                any(isinstance(e, HandOff) for scope in doc.scopes for e in scope.events):
            for build in REACHED_BUILDS(doc, project):
                if build.dockerfile and build.context is not None:
                    self.add(build.dockerfile, build.context, build.network_host, build)
                    found.append((build.dockerfile, build.context, bool(build.network_host)))
        return found

    def add(self, dockerfile: str, context: str, network_host: bool, origin=None) -> None:
        """Record one way a Dockerfile is built; the same (context, network) twice counts once
        (a set, not a scan: a corpus can hold thousands of builds of one Dockerfile)."""
        key = (dockerfile, context, network_host)
        if key not in self._keys:
            self._keys.add(key)
            self.contexts.setdefault(dockerfile, []).append(BuildContext(dockerfile, context, origin, network_host))
