"""The Dockerfile lexer: instructions, continuations, directives, heredocs, flags, substitution."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gplint.formats import dockerfile_syntax as syntax
from gplint.formats.dockerfile_syntax import UNKNOWN, substitute


def _keywords(text):
    return [i.keyword for i in syntax.parse(text).instructions]


def test_instructions_and_spans():
    text = "FROM golang:1.22 AS build\nRUN go build ./...\n"
    parsed = syntax.parse(text)
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN"]
    run = parsed.instructions[1]
    assert text[run.start:run.end] == "RUN go build ./..."
    assert text[run.rest_start:run.args_end] == "go build ./..."
    assert run.line == 2


def test_continuations_skip_comment_and_blank_lines():
    text = "RUN a && \\\n    # a comment\n\n    b\nENV X=1\n"
    parsed = syntax.parse(text)
    assert [i.keyword for i in parsed.instructions] == ["RUN", "ENV"]
    assert parsed.instructions[0].end == text.index("b") + 1


def test_escape_directive_and_syntax_directive():
    text = "# syntax=docker/dockerfile:1\n# escape=`\nFROM x\nRUN a `\n  b\n"
    parsed = syntax.parse(text)
    assert parsed.escape == "`"
    assert parsed.directives["syntax"] == "docker/dockerfile:1"
    assert text[parsed.instructions[1].rest_start:parsed.instructions[1].args_end] == "a `\n  b"


def test_directive_after_instruction_is_a_comment():
    parsed = syntax.parse("FROM x\n# escape=`\n")
    assert parsed.escape == "\\"


def test_lowercase_and_crlf():
    text = "from x as y\r\nrun go build\r\n"
    parsed = syntax.parse(text)
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN"]
    assert [i.keyword_raw for i in parsed.instructions] == ["from", "run"]
    assert text[parsed.instructions[1].start:parsed.instructions[1].end] == "run go build"


def test_heredoc_body_belongs_to_the_instruction():
    text = "FROM x\nRUN <<EOF\ngo build\nEOF\nENV A=1\n"
    parsed = syntax.parse(text)
    assert _keywords(text) == ["FROM", "RUN", "ENV"]
    run = parsed.instructions[1]
    assert text[run.heredocs[0].body.start:run.heredocs[0].body.end] == "go build\n"


def test_two_heredocs_and_dash_form():
    text = "COPY <<A <<-\"B\" /x\na\nA\n\tb\n\tB\nRUN true\n"
    parsed = syntax.parse(text)
    copy = parsed.instructions[0]
    assert [h.delimiter for h in copy.heredocs] == ["A", "B"]
    assert copy.heredocs[1].strip_tabs and copy.heredocs[1].quoted
    assert _keywords(text) == ["COPY", "RUN"]


def test_flags_and_mounts():
    text = "RUN --mount=type=cache,target=/go/pkg/mod --network=host go build\n"
    run = syntax.parse(text).instructions[0]
    assert run.flags["network"].value == "host"
    assert syntax.parse_mount(run.mounts[0].value) == {"type": "cache", "target": "/go/pkg/mod"}
    assert text[run.rest_start:run.args_end] == "go build"


def test_split_words_quotes_and_escapes():
    text = 'A="a b" B=\'c\' C=d\\ e'
    words = syntax.split_words(text, 0, len(text))
    assert [w.value for w in words] == ["A=a b", "B=c", "C=d e"]
    assert [text[w.start:w.end] for w in words] == ['A="a b"', "B='c'", "C=d\\ e"]


def test_json_array_exec_form():
    text = '["go", "build", "-o", "/out"]'
    words = syntax.json_array(text, 0, len(text))
    assert [w.value for w in words] == ["go", "build", "-o", "/out"]
    assert text[words[1].start:words[1].end] == '"build"'
    assert syntax.json_array("go build", 0, 8) is None


@pytest.mark.parametrize("raw,env,expected", [
    ("https://${HOST},direct", {"HOST": "goproxy.cn"}, ("https://goproxy.cn,direct", False)),
    ("${GOPROXY:-https://proxy.golang.org}", {"GOPROXY": None}, ("https://proxy.golang.org", False)),
    ("${GOPROXY:-https://proxy.golang.org}", {"GOPROXY": ""}, ("https://proxy.golang.org", False)),
    ("${GOPROXY-https://p}", {"GOPROXY": ""}, ("", False)),
    ("${X:+set}", {"X": "1"}, ("set", False)),
    ("$GOPROXY", {}, (None, True)),
    ("'$GOPROXY'", {}, ("$GOPROXY", False)),
    ('"a b"', {}, ("a b", False)),
    ("\\$X", {}, ("$X", False)),
])
def test_substitute(raw, env, expected):
    assert substitute(raw, lambda n: env.get(n, UNKNOWN)) == expected


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("FROMRUNENVARG \t\n\\`#<EOF=-\"'[]{}$x")), max_size=300))
def test_parse_never_raises_and_spans_stay_inside(text):
    parsed = syntax.parse(text)
    for inst in parsed.instructions:
        assert 0 <= inst.start <= inst.args_start <= inst.args_end <= len(text)
        assert inst.args_end <= inst.end or inst.heredocs == []
    for raw in (text, text[:50]):
        substitute(raw, lambda n: UNKNOWN)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(list("ab- \t\r\n=$/{}") + ["--mount=type=cache", "\u00e9", "\u00a0"]), max_size=25)
       .map("".join), st.sampled_from([None, 1, 2]))
def test_split_words_fast_path_equals_full_splitter(text, limit):
    """Text without quotes or the escape character takes a regular-expression path."""
    fast = syntax.split_words(text, 0, len(text), "\\", limit)
    assert fast == syntax._split_words_full(text, 0, len(text), "\\", limit)
