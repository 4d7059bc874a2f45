"""Base images and the Go variables they set (`[tool.gplint.base-image-env]`).

gplint cannot look inside `FROM registry.corp.example/go-builder:1.23`; an organisation that
builds on such an image declares which variables the image's ENV sets, and the scope walk then
treats those variables as set, with an unknown value, from FROM on (for a CI job: from the start
of a job that runs in that image; the job's own variables still win, as they do at run time).

Matching: each pattern is a glob (`*` and `?` also match `/`, `:` and `@`) compared, case
sensitively, with the image reference as FROM resolves it (ARG defaults applied), with the same
reference without its tag and digest, and with both in Docker's normalised form
(`golang:1.22` is `docker.io/library/golang:1.22`; a pattern is normalised too). So
`registry.corp.example/go-builder` matches every tag and digest of that repository,
`registry.corp.example/go-builder:1.23` only that tag, and `registry.corp.example/*` everything
under that registry. A FROM whose reference is not
known (an ARG without a default) matches nothing.
"""
from __future__ import annotations

from fnmatch import fnmatchcase

from .model import Document, Setting

SETTING = "base-image-env"


def _split_domain(reference: str) -> tuple[str, str]:
    """(registry domain or '', the rest): the first component is a domain when it holds a dot or
    a colon or is `localhost` (distribution/reference's rule)."""
    first, slash, rest = reference.partition("/")
    if slash and ("." in first or ":" in first or first == "localhost"):
        return first, rest
    return "", reference


def repository(reference: str) -> str:
    """The reference without its tag and digest."""
    name = reference.split("@", 1)[0]
    colon = name.rfind(":")
    if colon > name.rfind("/"):
        name = name[:colon]
    return name


def normalised(reference: str) -> str:
    """Docker's full form: docker.io/library/golang:1.22 for golang:1.22."""
    domain, rest = _split_domain(reference)
    if domain in ("", "docker.io", "index.docker.io"):
        if "/" not in repository(rest):
            rest = "library/" + rest
        return "docker.io/" + rest
    return reference


def reference_forms(reference: str) -> list[str]:
    forms = [reference, repository(reference), normalised(reference), repository(normalised(reference))]
    return list(dict.fromkeys(forms))


def is_official(reference: str) -> bool:
    """A Docker Hub library image (golang, alpine, debian…), which sets no proxy settings."""
    return repository(normalised(reference)).startswith("docker.io/library/")


def declared(reference: str, table: dict[str, list[str]]) -> list[str]:
    """The variables the configuration says this image sets (every matching pattern counts)."""
    forms = reference_forms(reference)
    names: list[str] = []
    for pattern, variables in table.items():
        patterns = {pattern, normalised(pattern)}  # `golang` also stands for docker.io/library/golang
        if any(fnmatchcase(form, p) for form in forms for p in patterns):
            names.extend(v for v in variables if v not in names)
    return names


def seed(doc: Document, table: dict[str, list[str]]) -> None:
    """Mark the variables each scope's image sets, for the walk (model.walk) to start from."""
    for scope in doc.scopes:
        if scope.kind == "stage":
            if scope.parent is not None or scope.base_image is None:
                continue  # a stage of this file hands down its own environment
            image, span = scope.base_image, scope.base_image_span or scope.span
        else:
            if not scope.container:
                continue
            image, span = scope.container, scope.span
        for name in declared(image, table):
            scope.image_env[name] = Setting(name, None, span, None, "image", scope.source, scope.span,
                                            dynamic=True, raw_value="")


def hint(scope, names: str) -> str:
    """The message tail for a finding that a base image's own ENV could explain: `scope`'s root
    image is neither a Docker Hub official image nor a stage of the same file."""
    root = list(scope.lineage())[-1]
    image = root.base_image
    if image is None or image.lower() == "scratch" or is_official(image):
        return ""
    return (f"; if `{image}` sets {names} in its own ENV, declare that in the configuration's "
            f"[tool.gplint.{SETTING}]")
