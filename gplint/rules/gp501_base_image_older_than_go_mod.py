"""GP501 base-image-older-than-go-mod: see GP501.md beside this module."""
from __future__ import annotations

import posixpath

from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import DOCKERFILE
from ..model import Document
from ..semantics import goenv
from ..source import Span

CODE = "GP501"
KINDS = (DOCKERFILE,)


def check(doc: Document, project):
    if project is None:
        return
    rel = project.rel(doc.source.abspath)
    context = project.build_contexts(rel)[0].context
    gomods = project.go_mods_under(context)
    root_mod = posixpath.join(context, "go.mod") if context else "go.mod"
    gomod = root_mod if root_mod in gomods else (gomods[0] if len(gomods) == 1 else None)
    source = project.source(gomod, "gomod") if gomod else None
    if source is None:
        return
    # the toolchain of a stage is the image at the root of its lineage (FROM base AS build);
    # root stage index -> whether some go command built on it may switch toolchains
    running: dict[int, bool] = {}
    named: set[int] = set()  # roots where a go command runs a toolchain GOTOOLCHAIN names exactly
    for run in go_runs(doc, project):
        if run.subcommand in ("env", "version", "help"):
            continue
        root = list(run.scope.lineage())[-1].index
        gotoolchain = setting_value(run.env.effective("GOTOOLCHAIN"))
        running[root] = running.get(root, False) or goenv.toolchain_switching(gotoolchain)
        exact = goenv.named_toolchain(gotoolchain)
        if exact is not None and exact[1]:
            named.add(root)
    for scope in doc.scopes:
        if scope.index not in running or scope.base_image is None or scope.base_image_span is None:
            continue
        image, _, tag = scope.base_image.partition("@")[0].rpartition(":")
        if image.rsplit("/", 1)[-1] != "golang" or image.count("/") > 2:
            continue
        parsed = goenv.golang_image_version(tag)
        if parsed is None:
            continue
        version, suffix = parsed
        if scope.index in named and version[:2] >= (1, 21):
            continue  # GOTOOLCHAIN=go1.X.Y: that toolchain builds, not the image's (§15.1)
        # GOTOOLCHAIN exists from Go 1.21 on: before, nothing switches and the toolchain line is moot
        switching = running[scope.index] and version[:2] >= (1, 21)
        required = goenv.go_mod_requirement(source.text, switching=switching)
        if required is None:
            continue
        needed, vstart, vend = required
        if _satisfies(version, needed):
            continue
        wanted = source.text[vstart:vend].removeprefix("go")
        raw = doc.source.text[scope.base_image_span.start:scope.base_image_span.end]
        fix = None
        at = raw.rfind(":" + tag)
        if at != -1 and "$" not in raw:
            start = scope.base_image_span.start + at + 1
            ver_text = tag[: len(tag) - len(suffix)] if suffix else tag
            fix = Fix("unsafe", f"Use golang:{wanted}{suffix}",
                      [Edit.replace(doc.source, Span(start, start + len(ver_text)), wanted)])
        yield Diagnostic(
            "GP501", doc.source, scope.base_image_span,
            f"stage `{scope.name}` builds with golang:{tag}, but {source.path} needs Go {wanted}: "
            + _consequence(version, needed, wanted, switching),
            fix=fix, stmt=scope.span, key=f"stage:{scope.name}:golang",
        )


def _consequence(image: tuple, needed: tuple, wanted: str, switching: bool) -> str:
    """What the image's go does with a main module that needs a newer Go (§5.10)."""
    if image[:2] >= (1, 21):
        if switching:
            return ("GOTOOLCHAIN lets go switch toolchains here, so every uncached build downloads "
                    f"Go {wanted} through GOPROXY first")
        return ("the official image sets GOTOOLCHAIN=local, so the build fails (with GOTOOLCHAIN=auto "
                "it downloads a toolchain through GOPROXY instead)")
    # before Go 1.21 there is no GOTOOLCHAIN, and the go line is read by the old rules
    if len(needed) > 2:
        return (f"before Go 1.21, go reads only a `1.N` go line in the main module's go.mod, so every go "
                f"command there fails with `invalid go version '{wanted}': must match format 1.23`")
    if needed >= (1, 22) and _refuses_go122(image):
        return (f"Go 1.19.13+ and 1.20.8+ refuse modules that declare go 1.22 or later, so the build fails "
                f"with `cannot compile Go {wanted} code`")
    return ("before Go 1.21 the go line is advisory: go builds anyway, and only when compilation fails "
            f"does it add `note: module requires Go {wanted}`")


def _refuses_go122(image: tuple) -> bool:
    """Go 1.19.13+ and 1.20.8+ carry the backport that refuses go >= 1.22 modules; a `1.19` or
    `1.20` tag is that line's newest release, which has it."""
    if len(image) == 2:
        return image in ((1, 19), (1, 20))
    return (image[:2] == (1, 19) and image[2] >= 13) or (image[:2] == (1, 20) and image[2] >= 8)


def _satisfies(image: tuple, needed: tuple) -> bool:
    """A `1.21` tag is the newest 1.21.x, so it satisfies any 1.21.x requirement."""
    if len(image) <= 2:
        return image >= needed[: len(image)]
    return image >= needed
