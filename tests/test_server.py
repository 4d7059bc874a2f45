"""End-to-end: the real `python -m gplint server` over stdio, driven by pygls's LanguageClient.

No timing asserts: each wait is for a notification with the expected content, with a generous
bound only so that a broken server fails the test instead of hanging it."""
from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import sys

import pytest

pytest.importorskip("pygls")
pytest.importorskip("lsprotocol")

from lsprotocol import types as t  # noqa: E402
from pygls.lsp.client import LanguageClient  # noqa: E402
from pygls.uris import from_fs_path  # noqa: E402

from gplint.server.positions import to_offset, to_position  # noqa: E402

WAIT = 60.0  # seconds: a bound against hangs, not a latency requirement

DOCKERFILE = """FROM golang:1.22 AS build
WORKDIR /src
COPY . .
RUN go build ./...
"""
WORKFLOW = """on: push
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build --build-arg GOPROXY=https://proxy.example.com,direct .
"""


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    (root / ".git").mkdir(parents=True)
    (root / ".github" / "workflows").mkdir(parents=True)
    (root / "Dockerfile").write_text(DOCKERFILE)
    (root / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW)
    (root / "go.mod").write_text("module example.com/x\n\ngo 1.22\n")
    return root


class Session:
    """A client talking to one server process; collects published diagnostics by URI."""

    def __init__(self, root, encodings=None):
        self.root = root
        self.encodings = encodings
        self.client = LanguageClient("gplint-test", "1")
        self.diagnostics: dict[str, list[t.Diagnostic]] = {}
        self.changed = asyncio.Condition()
        self.versions: dict[str, int] = {}

        @self.client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        async def publish(params: t.PublishDiagnosticsParams):
            async with self.changed:
                self.diagnostics[params.uri] = params.diagnostics
                self.changed.notify_all()

        @self.client.feature(t.WINDOW_LOG_MESSAGE)
        def log_message(params):
            pass

    async def start(self):
        await self.client.start_io(sys.executable, "-m", "gplint", "server", cwd=str(self.root))
        await self.client.initialize_async(t.InitializeParams(
            capabilities=t.ClientCapabilities(general=t.GeneralClientCapabilities(
                position_encodings=self.encodings) if self.encodings else None), root_uri=from_fs_path(str(self.root)),
            workspace_folders=[t.WorkspaceFolder(uri=from_fs_path(str(self.root)), name="repo")]))
        self.client.initialized(t.InitializedParams())

    async def stop(self):
        await self.client.shutdown_async(None)
        self.client.exit(None)
        await self.client.stop()

    def uri(self, rel: str) -> str:
        return from_fs_path(str(self.root / rel))

    def open(self, rel: str, language: str = "dockerfile", text: str | None = None):
        text = (self.root / rel).read_text() if text is None else text
        self.versions[self.uri(rel)] = 1
        self.client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(uri=self.uri(rel), language_id=language, version=1, text=text)))

    def change(self, rel: str, text: str):
        uri = self.uri(rel)
        self.versions[uri] += 1
        self.client.text_document_did_change(t.DidChangeTextDocumentParams(
            t.VersionedTextDocumentIdentifier(uri=uri, version=self.versions[uri]),
            [t.TextDocumentContentChangeWholeDocument(text=text)]))

    async def wait_for(self, rel: str, check) -> list[t.Diagnostic]:
        uri = self.uri(rel)

        async def ready():
            async with self.changed:
                await self.changed.wait_for(lambda: uri in self.diagnostics and check(self.diagnostics[uri]))
                return self.diagnostics[uri]

        return await asyncio.wait_for(ready(), WAIT)


def run(root, body, encodings=None):
    async def main():
        session = Session(root, encodings)
        await session.start()
        try:
            await body(session)
        finally:
            await session.stop()

    asyncio.run(main())


def codes(diags) -> list[str]:
    return sorted(str(d.code) for d in diags)


def apply(text: str, edits: list[t.TextEdit]) -> str:
    """Apply LSP text edits (non-overlapping) to a text, as an editor does."""
    spans = sorted(((to_offset(text, e.range.start.line, e.range.start.character),
                     to_offset(text, e.range.end.line, e.range.end.character), e.new_text) for e in edits),
                   key=lambda s: (s[0], s[1]))
    out, pos = [], 0
    for start, end, new in spans:
        out.append(text[pos:start])
        out.append(new)
        pos = end
    out.append(text[pos:])
    return "".join(out)


def gplint_fix(root, *paths) -> None:
    subprocess.run([sys.executable, "-m", "gplint", "--fix", "--no-cache", *paths], cwd=root,
                   capture_output=True, check=False)


# -- the tests ----------------------------------------------------------------------------------
def test_open_dockerfile_gives_diagnostics_with_code_link_and_severity(repo):
    async def body(s: Session):
        s.open("Dockerfile")
        diags = await s.wait_for("Dockerfile", lambda d: len(d) > 0)
        assert codes(diags) == ["GP101"]
        d = diags[0]
        assert d.source == "gplint"
        assert d.severity == t.DiagnosticSeverity.Warning
        assert d.code_description.href.endswith("/rules/GP101.md")
        assert os.path.isfile(d.code_description.href.removeprefix("file://"))
        assert (d.range.start.line, d.range.start.character) == (3, 4)  # `go build` on line 4

    run(repo, body)


def test_editing_the_buffer_changes_the_diagnostics(repo):
    async def body(s: Session):
        s.open("Dockerfile")
        await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])
        s.change("Dockerfile", DOCKERFILE.replace("WORKDIR /src", "ARG GOPROXY\nWORKDIR /src"))
        await s.wait_for("Dockerfile", lambda d: not d)
        s.change("Dockerfile", DOCKERFILE.replace("WORKDIR /src", "ENV GOSUMDB=off\nWORKDIR /src"))
        diags = await s.wait_for("Dockerfile", lambda d: "GP301" in codes(d))
        assert "GP101" in codes(diags)

    run(repo, body)
    assert (repo / "Dockerfile").read_text() == DOCKERFILE  # nothing was saved


def test_unsaved_workflow_edit_updates_the_open_dockerfile(repo):
    """The workflow's build arg becomes a value with a password: the Dockerfile's GP101 must no
    longer offer to declare ARG GOPROXY (that would let the value in), without saving."""
    secret = WORKFLOW.replace("https://proxy.example.com,direct", "http://user:hunter2@proxy.example.com")

    async def body(s: Session):
        s.open("Dockerfile")
        s.open(".github/workflows/ci.yml", "yaml")
        before = await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])
        assert "no fix" not in before[0].message
        wf = await s.wait_for(".github/workflows/ci.yml", lambda d: "GP105" in codes(d))
        related = wf[0].related_information
        assert related and related[0].location.uri == s.uri("Dockerfile")
        s.change(".github/workflows/ci.yml", secret)
        after = await s.wait_for("Dockerfile", lambda d: d and "no fix" in d[0].message)
        assert "hunter2" not in after[0].message
        # closing the workflow falls back to the file on disk
        s.client.text_document_did_close(t.DidCloseTextDocumentParams(
            t.TextDocumentIdentifier(uri=s.uri(".github/workflows/ci.yml"))))
        await s.wait_for("Dockerfile", lambda d: d and "no fix" not in d[0].message)

    run(repo, body)


def _copy(repo, tmp_path):
    twin = tmp_path / "twin"
    shutil.copytree(repo, twin)
    return twin


def test_quick_fix_across_files_equals_gplint_fix(repo, tmp_path):
    """GP105's fix in the workflow declares the ARG in the Dockerfile: one WorkspaceEdit over both."""
    twin = _copy(repo, tmp_path)

    async def body(s: Session):
        s.open(".github/workflows/ci.yml", "yaml")
        wf = await s.wait_for(".github/workflows/ci.yml", lambda d: "GP105" in codes(d))
        actions = await s.client.text_document_code_action_async(t.CodeActionParams(
            t.TextDocumentIdentifier(uri=s.uri(".github/workflows/ci.yml")), wf[0].range,
            t.CodeActionContext(diagnostics=wf, only=[t.CodeActionKind.QuickFix])))
        fixes = [a for a in actions if a.title.startswith("GP105")]
        assert len(fixes) == 1 and fixes[0].is_preferred and "(unsafe)" not in fixes[0].title
        changes = fixes[0].edit.changes
        assert list(changes) == [s.uri("Dockerfile")]
        return apply(DOCKERFILE, changes[s.uri("Dockerfile")])

    result = {}

    async def capture(s):
        result["dockerfile"] = await body(s)

    run(repo, capture)
    gplint_fix(twin, ".github/workflows/ci.yml")
    assert result["dockerfile"] == (twin / "Dockerfile").read_text() != DOCKERFILE


def test_fix_all_source_action_equals_gplint_fix(repo, tmp_path):
    text = DOCKERFILE.replace("WORKDIR /src", "ENV GOFLAGS=-insecure\nWORKDIR /src")
    (repo / "Dockerfile").write_text(text)
    twin = _copy(repo, tmp_path)
    result = {}

    async def body(s: Session):
        s.open("Dockerfile")
        await s.wait_for("Dockerfile", lambda d: len(d) > 0)
        actions = await s.client.text_document_code_action_async(t.CodeActionParams(
            t.TextDocumentIdentifier(uri=s.uri("Dockerfile")), t.Range(t.Position(0, 0), t.Position(0, 0)),
            t.CodeActionContext(diagnostics=[], only=["source.fixAll.gplint"])))
        assert [a.kind for a in actions] == ["source.fixAll.gplint"]
        edits = actions[0].edit.changes
        result["texts"] = {uri: apply(text, e) for uri, e in edits.items()}

    run(repo, body)
    gplint_fix(twin, "Dockerfile")
    assert result["texts"] == {from_fs_path(str(repo / "Dockerfile")): (twin / "Dockerfile").read_text()}
    assert (twin / "Dockerfile").read_text() != text


def test_suppress_action_silences_the_finding(repo):
    async def body(s: Session):
        s.open("Dockerfile")
        diags = await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])
        actions = await s.client.text_document_code_action_async(t.CodeActionParams(
            t.TextDocumentIdentifier(uri=s.uri("Dockerfile")), diags[0].range,
            t.CodeActionContext(diagnostics=diags, only=[t.CodeActionKind.QuickFix])))
        suppress = next(a for a in actions if a.title == "Suppress GP101 on this line")
        fixed = apply(DOCKERFILE, suppress.edit.changes[s.uri("Dockerfile")])
        assert fixed == DOCKERFILE.replace("RUN go build", "# gplint: ignore[GP101]\nRUN go build")
        s.change("Dockerfile", fixed)
        await s.wait_for("Dockerfile", lambda d: not d)

    run(repo, body)


def test_hover_go_variable_shows_effective_value_and_origin(repo):
    text = DOCKERFILE.replace("WORKDIR /src", "ENV GOPROXY=https://goproxy.example.com,direct\nWORKDIR /src")
    text = text.replace("RUN go build ./...", "RUN echo $GOPROXY && go build ./...")
    (repo / "Dockerfile").write_text(text)

    async def body(s: Session):
        s.open("Dockerfile")
        await s.wait_for("Dockerfile", lambda d: True)
        at = text.index("$GOPROXY") + 3
        hover = await s.client.text_document_hover_async(t.HoverParams(
            t.TextDocumentIdentifier(uri=s.uri("Dockerfile")), t.Position(*to_position(text, at))))
        value = hover.contents.value
        assert "`https://goproxy.example.com,direct`" in value
        assert "`env` at Dockerfile:2" in value

    run(repo, body)


def test_hover_on_a_diagnostic_shows_the_rule_summary(repo):
    async def body(s: Session):
        s.open("Dockerfile")
        diags = await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])
        hover = await s.client.text_document_hover_async(t.HoverParams(
            t.TextDocumentIdentifier(uri=s.uri("Dockerfile")), diags[0].range.start))
        assert "**GP101**" in hover.contents.value and "goproxy-unset-in-stage" in hover.contents.value

    run(repo, body)


def test_garbage_text_gives_gp001_and_the_server_survives(repo):
    async def body(s: Session):
        s.open(".github/workflows/ci.yml", "yaml", text="jobs: [\n  : : {{\n\x7f\t- -")
        diags = await s.wait_for(".github/workflows/ci.yml", lambda d: len(d) > 0)
        assert codes(diags) == ["GP001"]
        s.open("Dockerfile", text="RUN \\\n")
        await s.wait_for("Dockerfile", lambda d: "GP001" in codes(d))
        s.change("Dockerfile", DOCKERFILE)  # still alive and answering
        await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])

    run(repo, body)


def test_a_configuration_change_relints(repo):
    async def body(s: Session):
        s.open("Dockerfile")
        await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])
        (repo / "gplint.toml").write_text('ignore = ["GP101"]\n')
        s.client.workspace_did_change_watched_files(t.DidChangeWatchedFilesParams(changes=[
            t.FileEvent(uri=s.uri("gplint.toml"), type=t.FileChangeType.Created)]))
        await s.wait_for("Dockerfile", lambda d: not d)
        (repo / "gplint.toml").write_text('select = ["NOPE999"]\n')  # invalid: said, not crashed
        s.client.text_document_did_save(t.DidSaveTextDocumentParams(t.TextDocumentIdentifier(uri=s.uri("gplint.toml"))))
        diags = await s.wait_for("Dockerfile", lambda d: d and "configuration" in d[0].message)
        assert codes(diags) == ["GP001"] and "NOPE999" in diags[0].message

    run(repo, body)


def test_hover_in_a_workflow_shows_the_workflow_env(repo):
    text = WORKFLOW.replace("on: push\n", "on: push\nenv:\n  GOPROXY: https://wf.example.com\n")
    text = text.replace("      - uses: actions/checkout@v4\n", "      - uses: actions/checkout@v4\n"
                                                               "      - run: echo $GOPROXY; go build ./...\n")
    (repo / ".github" / "workflows" / "ci.yml").write_text(text)

    async def body(s: Session):
        s.open(".github/workflows/ci.yml", "yaml")
        await s.wait_for(".github/workflows/ci.yml", lambda d: True)
        at = text.index("$GOPROXY") + 2
        hover = await s.client.text_document_hover_async(t.HoverParams(
            t.TextDocumentIdentifier(uri=s.uri(".github/workflows/ci.yml")), t.Position(*to_position(text, at))))
        assert "`https://wf.example.com`" in hover.contents.value
        assert ".github/workflows/ci.yml:3" in hover.contents.value

    run(repo, body)


def test_hover_a_dockerfile_arg_shows_what_the_unsaved_workflow_passes(repo):
    text = DOCKERFILE.replace("WORKDIR /src", "ARG GOPROXY\nWORKDIR /src")
    (repo / "Dockerfile").write_text(text)
    edited = WORKFLOW.replace("https://proxy.example.com,direct", "https://edited.example.com")

    async def body(s: Session):
        s.open("Dockerfile")
        s.open(".github/workflows/ci.yml", "yaml")
        s.change(".github/workflows/ci.yml", edited)
        await s.wait_for("Dockerfile", lambda d: True)
        hover = await s.client.text_document_hover_async(t.HoverParams(
            t.TextDocumentIdentifier(uri=s.uri("Dockerfile")), t.Position(*to_position(text, text.index("ARG GOPROXY") + 5))))
        assert "declared without a value" in hover.contents.value
        assert "passed as a build arg by .github/workflows/ci.yml:7: `https://edited.example.com`" in hover.contents.value

    run(repo, body)


@pytest.mark.parametrize("encoding, column", [("utf-16", 19), ("utf-8", 22)])
def test_ranges_use_the_negotiated_position_encoding(repo, encoding, column):
    text = DOCKERFILE.replace("RUN go build", 'RUN echo "hé😀" && go build')
    (repo / "Dockerfile").write_text(text)

    async def body(s: Session):
        s.open("Dockerfile")
        diags = await s.wait_for("Dockerfile", lambda d: codes(d) == ["GP101"])
        assert (diags[0].range.start.line, diags[0].range.start.character) == (3, column)

    run(repo, body, [encoding])


def test_a_handler_exception_is_logged_not_raised(caplog):
    from gplint.server import lsp

    with caplog.at_level("ERROR", logger="gplint.server"):
        assert asyncio.run(lsp.hover(lsp.server, None)) is None  # params without a document
        assert asyncio.run(lsp.code_action(lsp.server, object())) is None
    assert [r.message for r in caplog.records] == ["hover failed", "code_action failed"]
