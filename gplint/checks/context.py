"""Rules that look at what surrounds a Dockerfile: its build context's ignore file (GP401) and
the go.mod it builds (GP501)."""
from __future__ import annotations

import posixpath

from .. import goenv
from ..analysis import copied, go_runs, setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..model import CopyFrom, Document
from ..registry import rule
from ..source import Span

GO_FILES = ("go.mod", "go.sum", "go.work", "go.work.sum")


def _context_files(project, context: str) -> list[str]:
    """Context-relative go.mod / go.sum / go.work / go.work.sum the build may need."""
    prefix = context + "/" if context else ""
    found = []
    for path in project.go_files():
        if not path.startswith(prefix):
            continue
        rel = path[len(prefix):]
        name = posixpath.basename(rel)
        folder = posixpath.dirname(rel)
        if name == "go.mod":
            found.append(rel)
            source = project.source(path, "gomod")
            # go.sum is absent from partial checkouts; a go.mod with requirements needs one
            if project.exists(posixpath.join(posixpath.dirname(path), "go.sum")) or (
                    source is not None and "require" in source.text):
                found.append(posixpath.join(folder, "go.sum") if folder else "go.sum")
        elif name == "go.work":
            found.append(rel)
            if project.exists(path + ".sum"):
                found.append(rel + ".sum")
    return found


def _workspace_files(project, context: str, candidates: list[str]) -> list[str]:
    """What a whole-context build needs: the root module, or the go.work and the modules it uses
    (nested modules that the build never uses may well be excluded on purpose)."""
    prefix = context + "/" if context else ""
    needed = [c for c in candidates if "/" not in c]
    if "go.work" in needed:
        work = project.source(prefix + "go.work", "gomod")
        for use in _work_uses(work.text if work else ""):
            folder = posixpath.normpath(use)
            needed += [c for c in candidates if posixpath.dirname(c) == folder]
    return needed


def _work_uses(text: str) -> list[str]:
    import re

    uses = []
    for block in re.findall(r"(?m)^use\s*\((.*?)\)", text, re.S):
        uses += [line.split("//")[0].strip() for line in block.splitlines() if line.split("//")[0].strip()]
    uses += [m.strip() for m in re.findall(r"(?m)^use\s+([^(\s][^\n]*)$", text)]
    return uses


def _needed(doc: Document, project, context: str) -> dict[str, CopyFrom]:
    """Files the Dockerfile needs from the context, each with the copy that brings it."""
    candidates = _context_files(project, context)
    whole = _workspace_files(project, context, candidates)
    runs = [r for r in go_runs(doc, project) if r.subcommand not in ("env", "version", "help")]
    vendor_runs = [r for r in runs if "-mod=vendor" in r.command.words or goenv.goflags_mod(
        (r.env.effective("GOFLAGS").value or "") if r.env.effective("GOFLAGS") else "") == "vendor"]
    needed: dict[str, CopyFrom] = {}
    for scope in doc.scopes:
        for copy in (e for e in scope.events if isinstance(e, CopyFrom)):
            named = [c for c in candidates if not copy.whole_context and _names(copy, c)]
            for path in named:
                needed.setdefault(path, copy)
            used_by_go = [r for r in runs if copy in r.copies_before]
            if not used_by_go:
                continue
            for path in (whole if copy.whole_context else candidates):
                if copied([copy], path):
                    needed.setdefault(path, copy)
            if any(copy in r.copies_before for r in vendor_runs):
                for aux in project.vendor_manifests():
                    prefix = context + "/" if context else ""
                    if aux.startswith(prefix) and copied([copy], aux[len(prefix):]):
                        needed.setdefault(aux[len(prefix):], copy)
    return needed


def _names(copy: CopyFrom, path: str) -> bool:
    """The COPY names this file itself (not a folder holding it)."""
    from fnmatch import fnmatchcase

    for src in copy.sources:
        src = posixpath.normpath(src.lstrip("/"))
        if src == path or (any(c in src for c in "*?[") and src.count("/") == path.count("/") and fnmatchcase(path, src)):
            return True
    return False


@rule("GP401", kinds=("dockerignore",))
def dockerignore_drops_go_files(doc: Document, project):
    ignore_rel = project.rel(doc.source.abspath)
    matcher = doc.extra["matcher"]
    reported: set[str] = set()
    for ctx in project.governed_by(ignore_rel):
        dfdoc = project.document(ctx.dockerfile)
        if dfdoc is None:
            continue
        for path, copy in sorted(_needed(dfdoc, project, ctx.context).items()):
            if path in reported or not matcher.excluded_by_walker(path):  # what BuildKit sends (fsutil)
                continue
            reported.add(path)
            if path.endswith("vendor/modules.txt"):
                path = posixpath.dirname(path)  # re-including the manifest alone leaves the sources out
            pattern = matcher.walker_deciding_pattern(path) or matcher.walker_deciding_pattern(path + "/modules.txt")
            span = Span(pattern.start, pattern.end) if pattern else Span(0, 0)
            line = dfdoc.source.line_col(copy.stmt.start)[0]
            yield Diagnostic(
                "GP401", doc.source, span,
                f"`{doc.source.text[span.start:span.end]}` excludes {path} from the build context of "
                f"{dfdoc.source.path}, which copies it (line {line}) to build Go: the build fails or runs "
                "without it",
                fix=Fix("safe", f"Append `!{path}` to re-include it", [_append_line(doc, f"!{path}")]),
                stmt=span, key=f"{ignore_rel}:{path}",
                related=[(dfdoc.source, copy.span, "copied here")],
            )


def _append_line(doc: Document, line: str) -> Edit:
    text = doc.source.text
    newline = doc.source.newline
    prefix = "" if not text or text.endswith("\n") else newline
    return Edit.insert(doc.source, len(text), prefix + line + newline)


@rule("GP501", kinds=("dockerfile",))
def base_image_older_than_go_mod(doc: Document, project):
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
    for run in go_runs(doc, project):
        if run.subcommand in ("env", "version", "help"):
            continue
        root = list(run.scope.lineage())[-1].index
        gotoolchain = setting_value(run.env.effective("GOTOOLCHAIN"))
        running[root] = running.get(root, False) or goenv.toolchain_switching(gotoolchain)
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
