"""The one base class of gplint's own errors. Each says what is wrong in one line; the CLI
turns a configuration or usage error into exit code 2, and an error about a file into a GP001
diagnostic with its file and line (never a traceback)."""
from __future__ import annotations


class GplintError(Exception):
    """Something gplint refuses: bad input, a bad option, a write it will not make."""
