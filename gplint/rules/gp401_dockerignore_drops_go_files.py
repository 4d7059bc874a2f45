"""GP401 dockerignore-drops-go-files: see GP401.md beside this module."""
from __future__ import annotations

import posixpath

from ..analysis import copied, go_runs
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import DOCKERIGNORE
from ..model import CopyFrom, Document
from ..semantics import goenv
from ..source import Span

CODE = "GP401"
KINDS = (DOCKERIGNORE,)


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
        (flags.value or "") if (flags := r.env.effective("GOFLAGS")) else "") == "vendor"]
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


def check(doc: Document, project):
    ignore_rel = project.rel(doc.source.abspath)
    matcher = doc.ignore_matcher
    if matcher is None:
        return
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
