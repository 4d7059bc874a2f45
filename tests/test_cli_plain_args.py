"""The command lines cli reads without argparse must read exactly as argparse reads them, and
every other command line must go to argparse."""
import itertools
import subprocess
import sys

import pytest

from gplint import cli

FLAGS = ["--quiet", "-q", "--no-cache", "--fix", "--unsafe-fixes", "--diff", "--exit-zero", "--no-color",
         "--statistics", "--show-fixes", "--preview"]


def _argparse(argv):
    return vars(cli._parser().parse_args(argv))


def test_the_defaults_are_argparses():
    assert dict(cli.DEFAULTS) == _argparse([])


def test_every_plain_flag_is_a_store_true_option_of_the_parser():
    for flag in FLAGS:
        assert _argparse([flag]) != _argparse([]), flag
    assert set(cli._PLAIN_FLAGS) == set(FLAGS)


@pytest.mark.parametrize("argv", [
    [], ["Dockerfile"], ["-"], ["a", "b/c", "-"], ["--quiet", "Dockerfile"], ["Dockerfile", "--quiet"],
    ["--fix", "--quiet", "a", "b"], ["a", "b", "--fix", "-q"], ["--quiet", "--quiet"], [""],
    ["--no-cache", "--exit-zero", "--no-color", "--statistics", "--show-fixes", "--preview", "--diff",
     "--unsafe-fixes", "."],
])
def test_a_plain_command_line_reads_as_argparse_reads_it(argv):
    plain = cli._plain_args(argv)
    assert plain is not None
    assert vars(plain) == _argparse(argv)


def test_pairs_and_triples_of_flags_and_paths_agree_with_argparse():
    words = ["--quiet", "--fix", "a", "b"]
    for n in (1, 2, 3):
        for argv in itertools.permutations(words, n):
            plain = cli._plain_args(list(argv))
            if plain is not None:
                assert vars(plain) == _argparse(list(argv)), argv


@pytest.mark.parametrize("argv", [
    ["--format", "json", "a"], ["--format=json"], ["-j", "2"], ["--no-c", "a"], ["--", "-a"], ["-qq"],
    ["-h"], ["--help"], ["--watch"], ["--version"], ["-x"], ["a", "--quiet", "b"], ["--select", "GP101"],
])
def test_anything_else_goes_to_argparse(argv):
    assert cli._plain_args(argv) is None


def test_a_plain_run_does_not_import_argparse(tmp_path):
    (tmp_path / "Dockerfile").write_text("FROM golang:1.22\nARG GOPROXY\nRUN go build ./...\n")
    code = ("import sys\nfrom gplint.cli import main\nmain(['--no-cache', '--quiet', 'Dockerfile'])\n"
            "print(sorted(m for m in ('argparse', 'gettext', 'locale') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "[]", proc.stdout + proc.stderr
