"""How long after an edit the language server publishes diagnostics.

Starts `python -m gplint server` over stdio, opens the largest Dockerfile and the largest
workflow of a corpus (or the files given), sends whole-document edits (a comment line
toggled at the end, so the findings stay the same size) and times each didChange until the
publishDiagnostics for that document. The files are read in place and never written.

The server waits DEBOUNCE (100 ms) after the last keystroke before it lints; the table shows
the time with that wait and without it (the lint itself, what a user waits after pausing).

    python bench/server_latency.py --corpus /path/to/corpus [--rounds 20]
    python bench/server_latency.py FILE [FILE...]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time

from lsprotocol import types as t
from pygls.lsp.client import LanguageClient
from pygls.uris import from_fs_path

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
from gplint.server.lsp import DEBOUNCE  # noqa: E402


def largest(corpus: str) -> list[str]:
    from gplint.discover import kind_of

    best: dict[str, tuple[int, str]] = {}
    for folder, dirs, files in os.walk(corpus):
        dirs[:] = [d for d in dirs if d != ".git"]
        for name in files:
            path = os.path.join(folder, name)
            kind = kind_of(os.path.relpath(path, corpus).replace(os.sep, "/"))
            if kind not in ("dockerfile", "github"):
                continue
            size = os.path.getsize(path)
            if size > best.get(kind, (-1, ""))[0]:
                best[kind] = (size, path)
    return [path for _size, path in best.values()]


async def measure(paths: list[str], rounds: int, together: bool = False) -> dict[str, list[float]]:
    client = LanguageClient("gplint-bench", "1")
    arrived: dict[str, asyncio.Event] = {}
    counts: dict[str, int] = {}

    @client.feature(t.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def publish(params: t.PublishDiagnosticsParams):
        counts[params.uri] = len(params.diagnostics)
        if params.uri in arrived:
            arrived[params.uri].set()

    @client.feature(t.WINDOW_LOG_MESSAGE)
    def log_message(params):
        pass

    await client.start_io(sys.executable, "-m", "gplint", "server")
    await client.initialize_async(t.InitializeParams(capabilities=t.ClientCapabilities()))
    client.initialized(t.InitializedParams())
    times: dict[str, list[float]] = {}
    for path in paths:
        uri = from_fs_path(path)
        with open(path, encoding="utf-8") as f:
            text = f.read()
        arrived[uri] = asyncio.Event()
        client.text_document_did_open(t.DidOpenTextDocumentParams(
            t.TextDocumentItem(uri=uri, language_id="dockerfile", version=1, text=text)))
        await asyncio.wait_for(arrived[uri].wait(), 60)
        times[path] = []
        for version in range(2, rounds + 2):
            arrived[uri].clear()
            edited = text + ("# edited\n" if version % 2 else "")
            start = time.perf_counter()
            client.text_document_did_change(t.DidChangeTextDocumentParams(
                t.VersionedTextDocumentIdentifier(uri=uri, version=version),
                [t.TextDocumentContentChangeWholeDocument(text=edited)]))
            await asyncio.wait_for(arrived[uri].wait(), 60)
            times[path].append(time.perf_counter() - start)
        if not together:  # else every file stays open: an edit re-lints all of them
            client.text_document_did_close(t.DidCloseTextDocumentParams(t.TextDocumentIdentifier(uri=uri)))
        print(f"{path}: {len(text)} chars, {counts.get(uri, 0)} diagnostics", file=sys.stderr)
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*")
    parser.add_argument("--corpus", help="take the largest Dockerfile and workflow under this folder")
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--together", action="store_true",
                        help="keep the files open together (each edit re-lints every open file of the repository)")
    args = parser.parse_args()
    paths = [os.path.abspath(p) for p in args.files] or (largest(args.corpus) if args.corpus else [])
    if not paths:
        parser.error("give files or --corpus")
    times = asyncio.run(measure(paths, args.rounds, args.together))
    print(f"{'file':60}  {'median ms':>9}  {'p90 ms':>7}  {'median - debounce':>17}")
    for path, samples in times.items():
        samples = sorted(samples)
        med = statistics.median(samples) * 1000
        p90 = samples[int(len(samples) * 0.9) - 1] * 1000
        name = path if len(path) <= 60 else "…" + path[-59:]
        print(f"{name:60}  {med:9.1f}  {p90:7.1f}  {med - DEBOUNCE * 1000:17.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
