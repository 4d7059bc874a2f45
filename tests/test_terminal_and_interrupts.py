"""What reaches the terminal is safe. A hostile repository cannot drive the terminal of whoever
reads gplint's text reports: escape sequences and bidirectional overrides in linted lines, quoted
values and paths are shown as U+FFFD, one for one, so the carets still point at the right column.
A Ctrl-C at any moment exits 130."""
from __future__ import annotations

import pytest

from gplint.cli import main
from gplint.report.terminal import printable

ESC_LINK = "\x1b]8;;https://evil.example\x07"  # OSC 8 hyperlink
CLIPBOARD = "\x1b]52;c;Y3VybCBldmlsfHNo\x07"  # OSC 52: write the clipboard
RLO = "\u202e"  # right-to-left override


@pytest.mark.parametrize("text", [ESC_LINK, CLIPBOARD, RLO, "\x9b31m", "a\x00b", "\x7f"])
def test_control_characters_become_one_replacement_each(text):
    shown = printable(text)
    assert len(shown) == len(text)
    assert not any(c in shown for c in "\x1b\x07\x00\x7f\x9b\u202e")


def test_tabs_and_ordinary_text_are_kept():
    assert printable("GOPROXY=\thttps://proxy.golang.org,direct ünïcode") == \
        "GOPROXY=\thttps://proxy.golang.org,direct ünïcode"


@pytest.mark.parametrize("fmt", ["text", "concise"])
def test_reports_never_print_escape_sequences_from_the_repository(tmp_path, monkeypatch, capsys, fmt):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(
        f"FROM golang:1.22\nENV GOPROXY=https://proxy.corp.example/{ESC_LINK}{RLO},direct{CLIPBOARD}\n"
        "RUN go build ./...\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    status = main(["--no-cache", "--format", fmt, "Dockerfile"])
    out = capsys.readouterr().out
    assert status == 1 and "GP20" in out  # the malformed proxy list is still reported
    assert "\x1b" not in out and "\x07" not in out and RLO not in out
    assert "\ufffd" in out


def test_a_file_that_was_not_read_shows_no_empty_source_line(tmp_path, monkeypatch, capsys):
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").symlink_to("/etc/passwd")
    monkeypatch.chdir(tmp_path)
    assert main(["--no-cache", "Dockerfile"]) == 2
    out = capsys.readouterr().out
    assert "leads outside the repository" in out
    assert " | " not in out and "^" not in out  # no snippet of a line that was never read


def test_ctrl_c_while_the_cli_is_still_loading_exits_130(monkeypatch):
    """The entry point catches a KeyboardInterrupt raised before main()'s own handler runs."""
    import gplint.cli
    from gplint.__main__ import entry

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(gplint.cli, "main", interrupted)
    assert entry() == 130
