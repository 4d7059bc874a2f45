"""Coverage-guided fuzzing of gplint with atheris (https://github.com/google/atheris).

    pip install atheris && python fuzz/fuzz_gplint.py fuzz/seeds -max_total_time=300

One input is one file: its first byte picks the kind (see TARGETS), the rest is the file's bytes.
Each input is written into a fresh repository (with a go.mod, and a Dockerfile that a CI file or
an ignore file can refer to), linted and fixed in-process, and these must hold, or the input is a
crash:
  - nothing raises, and no diagnostic is an "internal error" (gplint turns a bug into one);
  - the exit status is 0, 1 or 2, and the JSON output parses;
  - one input takes at most a few seconds (an alarm turns a hang into a crash);
  - the fixed file is still UTF-8 when the input was, keeps its BOM and its line-ending style;
  - a second `--fix` changes no byte.
`check_one` runs without atheris too: tests/test_fuzz.py feeds it the seeds and random inputs.
"""
from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import sys
import tempfile

TARGETS = ("Dockerfile", ".dockerignore", ".github/workflows/ci.yml", "action.yml", ".gitlab-ci.yml")
SECONDS_PER_INPUT = 10
_HELPER_DOCKERFILE = b"FROM golang:1.22 AS build\nARG GOPROXY\nCOPY . .\nRUN go build ./...\n"


class Hung(Exception):
    pass


def _gplint(args: list[str]) -> tuple[int, str]:
    from gplint.cli import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = main(args)
    return status, out.getvalue()


def _line_endings(data: bytes) -> str:
    crlf, lf = data.count(b"\r\n"), data.count(b"\n")
    return "none" if lf == 0 else "crlf" if crlf == lf else "lf" if crlf == 0 else "mixed"


def check_one(data: bytes) -> None:
    """Lint and fix one input; raise AssertionError (or Hung) when an invariant breaks."""
    if not data:
        return
    name, body = TARGETS[data[0] % len(TARGETS)], data[1:]
    with tempfile.TemporaryDirectory() as root:
        os.mkdir(os.path.join(root, ".git"))
        with open(os.path.join(root, "go.mod"), "wb") as f:
            f.write(b"module example.com/fuzz\n\ngo 1.22\n")
        if name != "Dockerfile":
            with open(os.path.join(root, "Dockerfile"), "wb") as f:
                f.write(_HELPER_DOCKERFILE)
        path = os.path.join(root, *name.split("/"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        previous = signal.signal(signal.SIGALRM, _expire)
        signal.alarm(SECONDS_PER_INPUT)
        try:
            _check_repository(root, path, body)
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)


def _expire(*_):
    raise Hung(f"one input ran longer than {SECONDS_PER_INPUT} s")


def _check_repository(root: str, path: str, original: bytes) -> None:
    status, out = _gplint(["--no-cache", "--jobs", "1", "--format", "json", root])
    assert status in (0, 1, 2), f"exit status {status}"
    diagnostics = json.loads(out)
    internal = [d["message"] for d in diagnostics if "internal error" in d["message"]]
    assert not internal, internal

    status, _ = _gplint(["--no-cache", "--jobs", "1", "--fix", "--unsafe-fixes", "--quiet", root])
    assert status in (0, 1, 2), f"exit status {status} after --fix"
    with open(path, "rb") as f:
        fixed = f.read()
    if fixed != original:
        try:
            original.decode("utf-8")
        except UnicodeDecodeError:
            raise AssertionError("a file that is not UTF-8 was rewritten") from None
        fixed.decode("utf-8")  # raises if a fix broke the encoding
        assert fixed.startswith(b"\xef\xbb\xbf") == original.startswith(b"\xef\xbb\xbf"), "BOM changed"
        before, after = _line_endings(original), _line_endings(fixed)
        assert before in ("none", "mixed") or after == before, f"line endings {before} -> {after}"
    snapshot = _tree(root)
    _gplint(["--no-cache", "--jobs", "1", "--fix", "--unsafe-fixes", "--quiet", root])
    assert _tree(root) == snapshot, "a second --fix changed the files"


def _tree(root: str) -> dict[str, bytes]:
    files = {}
    for folder, _dirs, names in os.walk(root):
        for name in names:
            full = os.path.join(folder, name)
            with open(full, "rb") as f:
                files[os.path.relpath(full, root)] = f.read()
    return files


def main() -> None:
    import atheris

    with atheris.instrument_imports():
        import gplint.cli  # noqa: F401 - instrument gplint's modules for coverage
        import gplint.fix  # noqa: F401
        import gplint.formats.dockerfile  # noqa: F401
        import gplint.formats.dockerignore  # noqa: F401
        import gplint.formats.gha  # noqa: F401
        import gplint.formats.glci  # noqa: F401
        import gplint.formats.yamlpos  # noqa: F401
        import gplint.ignorematch  # noqa: F401
    atheris.Setup(sys.argv, check_one)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
