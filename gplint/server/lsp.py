"""The language server: documents, diagnostics, code actions and hover over stdio (pygls).

Every call into gplint goes through engine_bridge. Linting runs on one worker thread, so the
event loop keeps answering while a large file is linted; open buffers replace their files on
disk, so an unsaved workflow edit changes what its Dockerfile's findings say.
"""
from __future__ import annotations

import asyncio
import logging
import os
import re
from concurrent.futures import ThreadPoolExecutor

from lsprotocol import types as t
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .. import __version__
from . import engine_bridge as bridge
from .positions import to_offset, to_position

DEBOUNCE = 0.1  # seconds after the last keystroke before a buffer is linted (bench/server_latency.py)
FIX_ALL = "source.fixAll.gplint"
CI_KINDS = ("dockerfile", "github", "action", "gitlab")
log = logging.getLogger("gplint.server")


class GplintServer(LanguageServer):
    def __init__(self):
        super().__init__("gplint", __version__)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="gplint-lint")
        self.pending: dict[str, asyncio.TimerHandle] = {}  # root -> scheduled lint
        self.published: dict[str, list] = {}  # abspath -> the gplint Diagnostics last published

    # -- documents ------------------------------------------------------------------------------
    def open_paths(self) -> dict[str, str]:
        """abspath -> uri of the open documents that are files."""
        out = {}
        for uri in list(self.workspace.text_documents):
            path = to_fs_path(uri)
            if path:
                out[os.path.abspath(path)] = uri
        return out

    def overrides(self, root: str) -> dict[str, str]:
        """The open buffers under `root`: they replace their files on disk."""
        prefix = root.rstrip(os.sep) + os.sep
        return {path: self.workspace.get_text_document(uri).source
                for path, uri in self.open_paths().items() if path.startswith(prefix)}

    def lintable(self, root: str) -> list[str]:
        """The open documents under `root` that gplint lints (by name; YAML may be a GitLab include)."""
        return [p for p in self.overrides(root)
                if bridge.kind_for(root, p) is not None or p.lower().endswith((".yml", ".yaml"))]

    def roots(self) -> set[str]:
        return {bridge.root_for(p) for p in self.open_paths()}

    # -- linting --------------------------------------------------------------------------------
    def schedule(self, root: str, delay: float = DEBOUNCE) -> None:
        handle = self.pending.pop(root, None)
        if handle is not None:
            handle.cancel()
        loop = asyncio.get_running_loop()
        self.pending[root] = loop.call_later(delay, lambda: asyncio.ensure_future(self.lint_root(root)))

    async def run(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self.executor, fn, *args)

    async def lint_root(self, root: str) -> None:
        """Lint every open document of the repository (an edit in one file can change what the
        others say: build args, ignore files, includes) and publish the results."""
        self.pending.pop(root, None)
        try:
            paths = self.lintable(root)
            if not paths:
                return
            overrides = self.overrides(root)
            try:
                found = await self.run(bridge.lint_files, root, overrides, paths)
            except bridge.ConfigProblem as exc:
                for path in paths:
                    self.publish_problem(path, f"configuration: {exc}")
                return
            open_now = self.open_paths()
            for path in paths:
                uri = open_now.get(path)
                if uri is None:
                    continue  # closed while we linted
                diags = found.get(path, [])
                self.published[path] = diags
                text = diags[0].source.text if diags else overrides.get(path, "")
                self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(
                    uri=uri, diagnostics=[to_lsp(d, text) for d in diags]))
        except Exception:  # a bug must cost one lint, never the server
            log.exception("lint of %s failed", root)
            for path in self.lintable(root):
                self.publish_problem(path, "internal error while linting; see the server log")

    def publish_problem(self, path: str, message: str) -> None:
        uri = self.open_paths().get(path)
        if uri is None:
            return
        self.published[path] = []
        self.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[
            t.Diagnostic(range=t.Range(t.Position(0, 0), t.Position(0, 0)), message=message, code="GP001",
                         severity=t.DiagnosticSeverity.Error, source="gplint")]))


def to_lsp(diag, text: str) -> t.Diagnostic:
    """A gplint Diagnostic as an LSP one (positions in its own source's text; password masked)."""
    from ..redact import redact

    info = bridge.rule_info(diag.code)
    href = bridge.rule_doc_uri(diag.code)
    related = []
    for source, span, note in diag.related or []:
        if source.abspath and source.abspath != "-":
            related.append(t.DiagnosticRelatedInformation(
                location=t.Location(uri=from_fs_path(source.abspath), range=_range(source.text, span.start, span.end)),
                message=redact(note)))
    severity = t.DiagnosticSeverity.Warning if info and info.severity == "warning" else t.DiagnosticSeverity.Error
    return t.Diagnostic(
        range=_range(diag.source.text or text, diag.span.start, diag.span.end),
        message=redact(diag.message), severity=severity, code=diag.code, source="gplint",
        code_description=t.CodeDescription(href=href) if href else None,
        related_information=related or None,
    )


def _range(text: str, start: int, end: int) -> t.Range:
    return t.Range(t.Position(*to_position(text, start)), t.Position(*to_position(text, end)))


server = GplintServer()


def _guarded(fn):
    """Log a handler's exception instead of letting it reach the client as a crash."""
    import functools

    @functools.wraps(fn)
    async def wrapper(ls, params):
        try:
            result = fn(ls, params)
            if asyncio.iscoroutine(result):
                result = await result
            return result
        except Exception:
            log.exception("%s failed", fn.__name__)
            return None

    return wrapper


def _path(uri: str) -> str | None:
    path = to_fs_path(uri)
    return os.path.abspath(path) if path else None


@server.feature(t.TEXT_DOCUMENT_DID_OPEN)
@_guarded
def did_open(ls: GplintServer, params: t.DidOpenTextDocumentParams):
    path = _path(params.text_document.uri)
    if path:
        ls.schedule(bridge.root_for(path), 0)


@server.feature(t.TEXT_DOCUMENT_DID_CHANGE)
@_guarded
def did_change(ls: GplintServer, params: t.DidChangeTextDocumentParams):
    path = _path(params.text_document.uri)
    if path:
        ls.schedule(bridge.root_for(path))


@server.feature(t.TEXT_DOCUMENT_DID_SAVE)
@_guarded
def did_save(ls: GplintServer, params: t.DidSaveTextDocumentParams):
    path = _path(params.text_document.uri)
    if path is None:
        return
    if bridge.is_config_file(path):
        for root in ls.roots():
            ls.schedule(root, 0)
    else:
        ls.schedule(bridge.root_for(path), 0)


@server.feature(t.TEXT_DOCUMENT_DID_CLOSE)
@_guarded
def did_close(ls: GplintServer, params: t.DidCloseTextDocumentParams):
    # pygls has removed the document by now: the other files fall back to the disk file
    uri = params.text_document.uri
    path = _path(uri)
    ls.text_document_publish_diagnostics(t.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
    if path:
        ls.published.pop(path, None)
        ls.schedule(bridge.root_for(path), 0)


@server.feature(t.WORKSPACE_DID_CHANGE_WATCHED_FILES)
@_guarded
def did_change_watched(ls: GplintServer, params: t.DidChangeWatchedFilesParams):
    """A configuration change re-lints everything; another file on disk, its repository."""
    paths = [p for p in (_path(c.uri) for c in params.changes) if p]
    roots = ls.roots() if any(bridge.is_config_file(p) for p in paths) else {bridge.root_for(p) for p in paths}
    for root in roots & ls.roots():
        ls.schedule(root, 0)


@server.feature(t.INITIALIZED)
@_guarded
async def initialized(ls: GplintServer, params: t.InitializedParams):
    """Use the position encoding negotiated at initialisation; ask to hear about configuration
    files changing on disk, when the client can."""
    from .positions import set_encoding

    set_encoding(str(getattr(ls.workspace.position_encoding, "value", ls.workspace.position_encoding)))
    caps = ls.client_capabilities.workspace
    watched = caps and caps.did_change_watched_files
    if not (watched and watched.dynamic_registration):
        return
    options = t.DidChangeWatchedFilesRegistrationOptions(watchers=[
        t.FileSystemWatcher(glob_pattern="**/{pyproject.toml,gplint.toml}"),
        t.FileSystemWatcher(glob_pattern="**/{Dockerfile*,*.Dockerfile,*.dockerfile,*.dockerignore,.dockerignore}"),
        t.FileSystemWatcher(glob_pattern="**/*.{yml,yaml}"),
    ])
    await ls.client_register_capability_async(t.RegistrationParams(registrations=[
        t.Registration(id="gplint-watch", method=t.WORKSPACE_DID_CHANGE_WATCHED_FILES, register_options=options)]))


# -- code actions -------------------------------------------------------------------------------
@server.feature(t.TEXT_DOCUMENT_CODE_ACTION, t.CodeActionOptions(
    code_action_kinds=[t.CodeActionKind.QuickFix, FIX_ALL], resolve_provider=False))
@_guarded
async def code_action(ls: GplintServer, params: t.CodeActionParams):
    uri = params.text_document.uri
    path = _path(uri)
    if path is None:
        return None
    root = bridge.root_for(path)
    if bridge.kind_for(root, path) is None and not path.lower().endswith((".yml", ".yaml")):
        return None
    only = params.context.only
    want_quick = not only or any(t.CodeActionKind.QuickFix.value.startswith(k) or k.startswith("quickfix")
                                 for k in only)
    want_all = not only or any(FIX_ALL.startswith(k) for k in only)
    overrides = ls.overrides(root)
    actions: list[t.CodeAction] = []
    found = (await ls.run(bridge.lint_files, root, overrides, [path])).get(path, [])
    if want_quick:
        text = overrides.get(path, "")
        first, last = params.range.start.line, params.range.end.line
        for diag in found:
            if diag.code == "GP001":
                continue
            line = to_position(diag.source.text, diag.span.start)[0]
            end_line = to_position(diag.source.text, diag.span.end)[0]
            if end_line < first or line > last:
                continue
            lsp_diag = to_lsp(diag, text)
            if diag.fix is not None and diag.fix.edits:
                safe = diag.fix.applicability == "safe"
                actions.append(t.CodeAction(
                    title=f"{diag.code}: {diag.fix.message}" + ("" if safe else " (unsafe)"),
                    kind=t.CodeActionKind.QuickFix, is_preferred=safe, diagnostics=[lsp_diag],
                    edit=_edits_of(diag.fix.edits)))
            actions.append(_suppress(diag, uri, lsp_diag))
    # asked for by kind (on save, from a menu), or offered when a safe fix exists: the fixing
    # loop re-lints, so it does not run for every cursor move in a file with nothing to fix
    if want_all and (only or any(d.fix and d.fix.edits and d.fix.applicability == "safe" for d in found)):
        fixed = await ls.run(bridge.fixed_texts, root, overrides, [path])
        if fixed:
            actions.append(t.CodeAction(title="gplint: fix all safe fixes in this file",
                                        kind=FIX_ALL, edit=_whole_texts(fixed, overrides, root)))
    return actions


def _edits_of(edits) -> t.WorkspaceEdit:
    """A fix's edits as one WorkspaceEdit (a fix may edit another file: GP105 declares the ARG
    in the Dockerfile a workflow builds)."""
    changes: dict[str, list[t.TextEdit]] = {}
    for edit in edits:
        text = edit.source.text
        changes.setdefault(from_fs_path(edit.source.abspath), []).append(
            t.TextEdit(range=_range(text, edit.start, edit.end), new_text=edit.content))
    return t.WorkspaceEdit(changes=changes)


def _whole_texts(fixed: dict[str, str], overrides: dict[str, str], root: str) -> t.WorkspaceEdit:
    """Each changed file's new text, as one edit spanning what changed (common ends kept)."""
    changes = {}
    for path, new in fixed.items():
        old = overrides.get(path)
        if old is None:
            old = _read(path)
        start = 0
        limit = min(len(old), len(new))
        while start < limit and old[start] == new[start]:
            start += 1
        end = 0
        while end < limit - start and old[len(old) - 1 - end] == new[len(new) - 1 - end]:
            end += 1
        changes[from_fs_path(path)] = [t.TextEdit(range=_range(old, start, len(old) - end),
                                                  new_text=new[start:len(new) - end])]
    return t.WorkspaceEdit(changes=changes)


def _read(path: str) -> str:
    from ..source import Source

    with open(path, "rb") as f:
        return Source.from_bytes(path, path, "dockerfile", f.read()).text


def _suppress(diag, uri: str, lsp_diag: t.Diagnostic) -> t.CodeAction:
    """Insert `# gplint: ignore[CODE]` on its own line above the finding's statement (or the
    finding's line), indented like it: every format gplint reads comments with `#`."""
    source = diag.source
    anchor = diag.stmt.start if diag.stmt is not None else diag.span.start
    line = source.line_col(anchor)[0]
    line_text = source.line_text(line)
    indent = line_text[:len(line_text) - len(line_text.lstrip(" \t"))]
    at = source.offset(line, 1)
    comment = f"{indent}# gplint: ignore[{diag.code}]{source.newline}"
    edit = t.TextEdit(range=_range(source.text, at, at), new_text=comment)
    target = from_fs_path(source.abspath) if source.abspath != "-" else uri
    return t.CodeAction(title=f"Suppress {diag.code} on this line", kind=t.CodeActionKind.QuickFix,
                        diagnostics=[lsp_diag], edit=t.WorkspaceEdit(changes={target: [edit]}))


# -- hover --------------------------------------------------------------------------------------
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@server.feature(t.TEXT_DOCUMENT_HOVER)
@_guarded
async def hover(ls: GplintServer, params: t.HoverParams):
    uri = params.text_document.uri
    path = _path(uri)
    if path is None:
        return None
    text = ls.workspace.get_text_document(uri).source
    offset = to_offset(text, params.position.line, params.position.character)
    parts = []
    for diag in ls.published.get(path, []):
        if diag.source.text == text and diag.span.start <= offset <= max(diag.span.end, diag.span.start + 1):
            info = bridge.rule_info(diag.code)
            if info is not None:
                href = bridge.rule_doc_uri(diag.code)
                parts.append(f"**{diag.code}** `{info.name}`: {info.summary}" + (f" ([docs]({href}))" if href else ""))
    root = bridge.root_for(path)
    word = _word_at(text, offset)
    if word and word[0] in bridge.go_variables() and bridge.kind_for(root, path) in CI_KINDS:
        found = await ls.run(bridge.effective_value, root, ls.overrides(root), path, word[1], word[0])
        if found is not None:
            parts.append(describe(found))
    if not parts:
        return None
    return t.Hover(contents=t.MarkupContent(kind=t.MarkupKind.Markdown, value="\n\n---\n\n".join(parts)))


def _word_at(text: str, offset: int) -> tuple[str, int] | None:
    start = offset
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
        start -= 1
    m = _WORD.match(text, start)
    return (m.group(0), start) if m and m.end() >= offset else None


def describe(found: bridge.Effective) -> str:
    if found.how is None:
        return f"`{found.name}` is not set here: Go uses its default."
    where = f"{found.path}:{found.line}" if found.path else "?"
    if found.value is None:
        value = "declared without a value (unset unless the build passes it)"
    elif found.value == "":
        value = "empty (Go uses its default)"
    else:
        value = f"`{found.value}`" + (" (holds references gplint cannot resolve)" if found.dynamic else "")
    text = f"`{found.name}` here: {value}\n\nset by `{found.how}` at {where}"
    for passed, path, line in found.passed[:10]:
        shown = "the job's own value" if passed is None else f"`{passed}`"
        text += f"\n\npassed as a build arg by {path}:{line}: {shown}"
    return text


def serve() -> None:
    logging.basicConfig(level=logging.INFO, format="gplint-server: %(levelname)s %(message)s")
    server.start_io()
