"""gplint's own errors share one base class, so the boundary that turns them into a diagnostic
or an exit code can name them all. Private control-flow exceptions (`_Name`) and the
semantics package (which stands apart from gplint's policy) are exempt."""
from __future__ import annotations

import ast
import os

import gplint
from gplint.errors import GplintError

PACKAGE = os.path.dirname(os.path.abspath(gplint.__file__))


def error_classes_outside_the_base(root: str) -> list[str]:
    out = []
    for folder, _dirs, names in os.walk(root):
        if os.path.basename(folder) == "semantics":
            continue
        for name in names:
            if not name.endswith(".py"):
                continue
            path = os.path.join(folder, name)
            with open(path, encoding="utf-8") as f:
                tree = ast.parse(f.read())
            for node in ast.walk(tree):
                if isinstance(node, ast.ClassDef) and not node.name.startswith("_") and node.name != "GplintError":
                    bases = {getattr(b, "id", getattr(b, "attr", "")) for b in node.bases}
                    if bases & {"Exception", "ValueError", "RuntimeError", "OSError"}:
                        out.append(f"{os.path.relpath(path, root)}: {node.name}")
    return out


def test_public_errors_derive_from_gplint_error():
    assert error_classes_outside_the_base(PACKAGE) == []


def test_the_scan_finds_a_stray_error(tmp_path):
    (tmp_path / "m.py").write_text("class Oops(Exception):\n    pass\n\nclass _Private(Exception):\n    pass\n")
    assert error_classes_outside_the_base(str(tmp_path)) == ["m.py: Oops"]


def test_the_known_errors_are_gplint_errors():
    from gplint.baseline import BaselineError
    from gplint.config import ConfigError
    from gplint.formats.yamlpos import YamlError
    from gplint.runner import UsageError
    from gplint.source import SourceError, Unreadable
    from gplint.writer import WriteRefused

    for cls in (BaselineError, ConfigError, YamlError, UsageError, SourceError, Unreadable, WriteRefused):
        assert issubclass(cls, GplintError), cls
