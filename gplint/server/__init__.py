"""`gplint server`: a language server over stdio (needs the `server` extra: pygls, lsprotocol)."""
from __future__ import annotations

import sys


def main(argv: list[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: gplint server\n\nA language server for gplint, speaking LSP over standard input and output.")
        return 0
    try:
        from .lsp import serve
    except ImportError as exc:
        print(f"gplint: the language server needs the `server` extra ({exc.name} is missing): "
              "pip install 'gplint[server]'", file=sys.stderr)
        return 2
    serve()
    return 0
