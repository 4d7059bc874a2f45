"""gplint's Dockerfile reader against dockerfile-parse, an independent implementation.

For every Dockerfile in fixtures/ and fuzz/seeds, for variants of them (continuations with and
without blanks before the escape, tabs, comment and blank lines inside continuations, CRLF,
`# escape=``) and for generated files, both must find the same instructions with the same
joined values, and the same ENV/ARG names with the same values as written.

Where dockerfile-parse and BuildKit differ, BuildKit wins; each such difference is listed in
EXCEPTIONS below with the BuildKit source line that shows BuildKit's behaviour (moby/buildkit
73ed6825c4b7569379ef89df0aedcdbe64473d31, frontend/dockerfile/parser/), and the comparison
either rewrites the input into one that BuildKit reads the same way but dockerfile-parse reads
as BuildKit does, or asserts the two readings separately.
"""
from __future__ import annotations

import io
import pathlib
import re

import pytest
from dockerfile_parse import DockerfileParser
from dockerfile_parse.util import WordSplitter
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint.formats import dockerfile_syntax as syntax
from gplint.formats.dockerfile import lower
from gplint.model import Setting
from gplint.source import Source

ROOT = pathlib.Path(__file__).resolve().parent.parent

EXCEPTIONS = {
    "blank-line-in-continuation":
        "A blank (white-space only) line inside a continuation: BuildKit skips it and the "
        "instruction goes on (parser.go:340-343, isEmptyContinuationLine at parser.go:528-530); "
        "dockerfile-parse ends the instruction there. Compared after deleting such lines, which "
        "BuildKit reads the same way.",
    "heredoc":
        "dockerfile-parse has no heredocs and reads their bodies as instructions; BuildKit reads "
        "the lines up to the terminator as the body (parser.go:365-397). Instructions that "
        "dockerfile-parse finds inside a heredoc body are left out.",
    "escaped-escape":
        "A line ending in two escapes does not continue in BuildKit: the continuation regex needs "
        "a character other than the escape before it (parser.go:168, and testfiles/"
        "trailing-backslash); dockerfile-parse continues any line ending in the escape. Asserted "
        "separately in test_escaped_escape_is_not_a_continuation.",
    "arg-words":
        "ARG takes every word as its own NAME or NAME=value (parseNameOrNameVal, "
        "line_parsers.go:218-240); dockerfile-parse reads `ARG A B=1` like the old `ENV A B=1` "
        "form. ARG pairs are taken from dockerfile-parse's own word splitter, one per word.",
    "byte-order-mark":
        "BuildKit drops a UTF-8 byte-order mark before the first line (parser.go:296-299); "
        "dockerfile-parse keeps it in the first keyword. It is removed before both read the file.",
    "continuation-at-eof":
        "A file that ends inside a continuation: BuildKit keeps the instruction read so far and "
        "drops the escape (the loop at parser.go:329 stops at the end of input; testfiles/"
        "continue-at-eof); dockerfile-parse drops the whole instruction. Compared after removing "
        "that last escape, which BuildKit reads the same way.",
    "env-before-from":
        "gplint keeps no ENV before the first FROM (BuildKit rejects it: only ARG may come first); "
        "such ENV pairs are left out of the comparison.",
}


# -- the two readings ---------------------------------------------------------------------------
def gplint_instructions(text: str) -> list[tuple[str, str, int]]:
    parsed = syntax.parse(text)
    return [(i.keyword, syntax.joined_args(parsed, i), i.line) for i in parsed.instructions]


def dfp_instructions(text: str, heredoc_lines: set[int]) -> list[tuple[str, str, int]]:
    parser = DockerfileParser(fileobj=io.BytesIO(text.encode("utf-8")))
    out = []
    for entry in parser.structure:
        if entry["instruction"] == "COMMENT" or entry["startline"] + 1 in heredoc_lines:
            continue
        out.append((entry["instruction"], entry["value"].strip(), entry["startline"] + 1))
    return out


def gplint_pairs(text: str) -> list[tuple[str, str, str]]:
    source = Source.from_bytes("Dockerfile", "/repo/Dockerfile", "dockerfile", text.encode("utf-8"))
    doc = lower(source)
    settings_ = list(doc.global_settings) + [e for scope in doc.scopes for e in scope.events
                                             if isinstance(e, Setting) and e.how in ("arg", "env")]
    settings_.sort(key=lambda s: s.span.start)
    return [("ENV" if s.how == "env" else "ARG", s.name, s.raw_value) for s in settings_]


def dfp_pairs(instructions: list[tuple[str, str, int]]) -> list[tuple[str, str, str]]:
    out = []
    seen_from = False
    for keyword, value, _ in instructions:
        seen_from = seen_from or keyword == "FROM"
        if keyword not in ("ENV", "ARG") or not value:
            continue
        words = list(WordSplitter(value).split(dequote=False))
        if keyword == "ARG":  # EXCEPTIONS["arg-words"]
            for word in words:
                name, _, raw = word.partition("=")
                out.append(("ARG", name, raw))
        elif seen_from:  # EXCEPTIONS["env-before-from"]
            if "=" not in words[0]:  # the old `ENV NAME value` form: the rest is the value
                parts = value.split(None, 1)
                out.append(("ENV", WordSplitter(parts[0]).dequote(), parts[1].strip() if len(parts) > 1 else ""))
            else:
                for word in words:
                    name, eq, raw = word.partition("=")
                    if eq:
                        out.append(("ENV", name, raw))
    return out


def heredoc_lines(text: str) -> set[int]:
    """Lines that BuildKit reads as heredoc bodies and terminators (EXCEPTIONS["heredoc"])."""
    parsed = syntax.parse(text)
    lines = set()
    for inst in parsed.instructions:
        if inst.heredocs:
            first = text.count("\n", 0, inst.heredocs[0].body.start) + 1
            last = text.count("\n", 0, inst.end) + 1
            lines.update(range(first, last + 1))
    return lines


def escape_of(text: str) -> str:
    """The `# escape=` directive (a syntax directive may come first)."""
    directive = re.match(r"(?:[ \t]*#[ \t]*syntax[ \t]*=.*\n)?[ \t]*#[ \t]*escape[ \t]*=[ \t]*`[ \t]*\r?$",
                         text, re.M | re.I)
    return "`" if directive else "\\"


def without_blank_continuation_lines(text: str) -> str:
    """Delete the blank lines BuildKit drops inside continuations (EXCEPTIONS["blank-line-in-continuation"])
    and an escape that continues into the end of the file (EXCEPTIONS["continuation-at-eof"]).

    Found without gplint: a line continues when it ends in the escape, then blanks and tabs,
    with no escape before it (parser.go:168); comment lines inside a continuation neither end
    nor continue it (parser.go:336-338)."""
    escape = escape_of(text)
    continues = re.compile(r"(?:^|[^" + re.escape(escape) + r"])" + re.escape(escape) + r"[ \t]*$")
    out = []
    continuing = False
    heredoc = heredoc_lines(text)
    for number, line in enumerate(text.split("\n"), 1):
        body = line.rstrip("\r")
        blank = not body.strip(" \t\v\f")
        comment = body.lstrip().startswith("#")
        if number in heredoc:
            continuing = False
        elif continuing and blank:
            continue
        elif not (blank or comment):
            continuing = bool(continues.search(body))
            last = len(out)
        out.append(line)
    if continuing:  # EXCEPTIONS["continuation-at-eof"]: BuildKit drops that escape
        body = out[last].rstrip("\r")
        out[last] = continues.sub(lambda m: m.group(0)[0].replace(escape, ""), body) + out[last][len(body):]
    return "\n".join(out)


def assert_same_reading(text: str) -> None:
    text = text.lstrip("\ufeff")  # EXCEPTIONS["byte-order-mark"]
    ours = gplint_instructions(text)
    comparable = without_blank_continuation_lines(text)
    theirs = dfp_instructions(comparable, heredoc_lines(comparable))
    assert [(k, v) for k, v, _ in ours] == [(k, v) for k, v, _ in theirs]
    assert gplint_pairs(text) == dfp_pairs(theirs)


# -- inputs -------------------------------------------------------------------------------------
def _files() -> list[tuple[str, str]]:
    out = []
    for path in sorted((ROOT / "fixtures").rglob("*Dockerfile*")):
        out.append((str(path.relative_to(ROOT)), path.read_text(encoding="utf-8")))
    for path in sorted((ROOT / "fuzz" / "seeds").iterdir()):
        data = path.read_bytes()
        if data and data[0] % 5 == 0:  # the harness's Dockerfile kinds (fuzz/README.md)
            out.append((str(path.relative_to(ROOT)), data[1:].decode("utf-8")))
    return out


FILES = _files()

# How one blank between two words of an instruction may be written across lines.
SEPARATORS = {
    "space-escape": " \\\n    ",
    "escape-tab": "\\\n\t",  # no blank before the escape: the tab separates the words
    "blank-after-escape": " \\  \n  ",
    "comment-line": " \\\n  # a comment \\\n  ",
    "blank-line": " \\\n\n  ",
    "tab-line": " \\\n\t\n\t",
    "only-escape-line": " \\\n\\\n  ",
}


def continued(text: str, separator: str) -> str:
    """Every single-line instruction with two or more words, continued between its words."""
    escape = escape_of(text)
    separator = separator.replace("\\", escape)
    out = []
    for line in text.split("\n"):
        body = line.rstrip("\r")
        m = re.match(r"(\s*[A-Za-z]+\s+)(\S.*)$", body)
        if (m and not body.lstrip().startswith("#") and not body.rstrip().endswith(escape)
                and "<<" not in body and '"' not in m.group(2) and "'" not in m.group(2)):
            body = m.group(1) + re.sub(r"[ \t]+", lambda _: separator, m.group(2).rstrip())
        out.append(body + line[len(line.rstrip("\r")):])
    return "\n".join(out)


def with_backtick_escape(text: str) -> str | None:
    """The same file with `# escape=``: each continuation escape becomes a backtick."""
    if "`" in text or re.search(r"^\s*#\s*escape", text, re.M | re.I):
        return None
    parsed = syntax.parse(text)
    chars = list(text)
    for inst in parsed.instructions:
        for i in range(inst.start, inst.args_end):
            if parsed.view[i] == "\\" and parsed.view[i + 1:i + 2] in ("\n", "\r") and text[i] == "\\":
                chars[i] = "`"
    body = "".join(chars)
    if "\\" in body:
        return None  # a literal backslash would mean something else under a backtick escape
    newline = "\r\n" if "\r\n" in text else "\n"
    if body.startswith("# syntax"):
        first, _, rest = body.partition("\n")
        return first + "\n# escape=`" + newline + rest
    return "# escape=`" + newline + body


def variants():
    for name, text in FILES:
        yield name, text
        yield name + " [CRLF]", text.replace("\r\n", "\n").replace("\n", "\r\n")
        for label, separator in SEPARATORS.items():
            yield f"{name} [{label}]", continued(text, separator)
            yield f"{name} [{label}, CRLF]", continued(text, separator).replace("\n", "\r\n")
        backtick = with_backtick_escape(continued(text, SEPARATORS["space-escape"]))
        if backtick is not None:
            yield name + " [escape=`]", backtick


VARIANTS = list(variants())


def test_inputs_are_there():
    assert len([n for n, _ in FILES if n.startswith("fixtures")]) >= 4
    assert len([n for n, _ in FILES if n.startswith("fuzz")]) >= 5
    assert any("escape=`" in n for n, _ in VARIANTS)
    # the variants really continue lines, and really put comment and blank lines inside them
    continued_text = dict(VARIANTS)[FILES[0][0] + " [blank-line]"]
    assert "\\\n\n" in continued_text


@pytest.mark.parametrize("name,text", VARIANTS, ids=[n for n, _ in VARIANTS])
def test_same_reading_as_dockerfile_parse(name, text):
    assert_same_reading(text)


def test_the_issue_case_against_dockerfile_parse():
    text = "FROM golang:1.22\nENV GOPROXY=direct \\\n\tGO111MODULE=on\\\n\tCGO_ENABLED=0\n"
    assert_same_reading(text)
    assert ("ENV", "GO111MODULE", "on") in gplint_pairs(text)


def test_escaped_escape_is_not_a_continuation():
    """EXCEPTIONS["escaped-escape"]: BuildKit (parser.go:168) ends the instruction; dockerfile-parse does not."""
    text = "FROM x\nENV A=b\\\\\nENV C=d\n"
    assert [(k, v) for k, v, _ in gplint_instructions(text)] == [("FROM", "x"), ("ENV", "A=b\\\\"), ("ENV", "C=d")]
    theirs = [(k, v) for k, v, _ in dfp_instructions(text, set())]
    assert theirs == [("FROM", "x"), ("ENV", "A=b\\ENV C=d")]  # fails when dockerfile-parse changes


def test_blank_line_exception_is_needed():
    """EXCEPTIONS["blank-line-in-continuation"] is real: dockerfile-parse ends the instruction."""
    text = "FROM x\nRUN a \\\n\n  b\n"
    assert [(k, v) for k, v, _ in gplint_instructions(text)] == [("FROM", "x"), ("RUN", "a   b")]
    assert [(k, v) for k, v, _ in dfp_instructions(text, set())] != [("FROM", "x"), ("RUN", "a   b")]
    assert_same_reading(text)


# -- generated files ----------------------------------------------------------------------------
_WORDS = st.sampled_from(["GOPROXY=direct", "GO111MODULE=on", "GOFLAGS=-mod=mod", "A=", "CGO_ENABLED=0",
                          "GOPRIVATE=corp.example/*", "B=x,y", "go", "build", "./...", "-o", "/out"])
_SEPARATORS = st.sampled_from([" ", "\t", "  ", *SEPARATORS.values(), " \\\n", "\\\n  ", " \\\t\n\t"])


@st.composite
def dockerfiles(draw):
    escape = draw(st.sampled_from(["\\", "`"]))
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    lines = [f"# escape={escape}"] if escape == "`" else []
    lines.append("FROM golang:1.22 AS build")
    for _ in range(draw(st.integers(1, 4))):
        keyword = draw(st.sampled_from(["ENV", "ARG", "RUN", "env"]))
        words = draw(st.lists(_WORDS, min_size=1, max_size=5))
        if keyword.upper() in ("ENV", "ARG"):
            words = [w if "=" in w else w + "=1" for w in words]
        body = words[0]
        for word in words[1:]:
            body += draw(_SEPARATORS).replace("\\", escape) + word
        if draw(st.booleans()):
            body += draw(st.sampled_from([" \\", "\\"])).replace("\\", escape) + newline + "  # trailing comment"
            body += newline + "  " + draw(_WORDS) if keyword.upper() == "RUN" else ""
        lines.append(f"{keyword} {body}")
    return newline.join(line.replace("\n", newline) for line in lines) + newline


@settings(max_examples=150, deadline=None, derandomize=True)
@given(dockerfiles())
def test_generated_files_read_the_same(text):
    assert_same_reading(text)
