"""mypy over gplint/ (settings in pyproject.toml: check_untyped_defs, records.py seen through
records.pyi) reports nothing."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_mypy_is_clean():
    pytest.importorskip("mypy", reason="mypy is in the test extra")
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--config-file",
                           os.path.join(ROOT, "pyproject.toml"), os.path.join(ROOT, "gplint")],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
