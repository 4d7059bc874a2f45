"""GP501 base-image-older-than-go-mod: see GP501.md beside this module."""
from __future__ import annotations

import posixpath

from ..analysis import go_runs, setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import DOCKERFILE
from ..model import Document
from ..rulekit.toolchain_gate import consequence, satisfies
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
        if satisfies(version, needed):
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
            + consequence(version, needed, wanted, switching, "the official image"),
            fix=fix, stmt=scope.span, key=f"stage:{scope.name}:golang",
        )
