"""The Dockerfile lexer: instructions, continuations, directives, heredocs, flags, substitution."""
from __future__ import annotations

import re

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


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(list("ab- \t\r\n=\"'`\\") + ["--mount=type=cache", "\\\n", "`\r\n", "\u00a0"]),
                max_size=25).map("".join), st.sampled_from(["\\", "`"]))
def test_first_word_shortcut_equals_full_splitter(text, escape):
    """A flag is read as one word: its run of non-blanks, unless that run holds a quote or the
    escape, whatever follows it (quotes, escapes and continuations later in the line)."""
    view = syntax.parse("RUN " + text).view[4:] if "\n" in text else text
    first = syntax.split_words(view, 0, len(view), escape, 1)
    assert first == syntax._split_words_full(view, 0, len(view), escape, 1)


# -- line joining as BuildKit's parser does it ------------------------------------------------
# Read at moby/buildkit 73ed6825c4b7569379ef89df0aedcdbe64473d31, frontend/dockerfile/parser/.
# Cases marked "testfiles/X" restate the input and the expected dump of that BuildKit test.
def _joined(text):
    parsed = syntax.parse(text)
    return [(i.keyword, syntax.joined_args(parsed, i)) for i in parsed.instructions]


def _env_words(text):
    parsed = syntax.parse(text)
    inst = [i for i in parsed.instructions if i.keyword in ("ENV", "ARG")][-1]
    return [w.raw for w in syntax.split_words(parsed.view, inst.args_start, inst.args_end, parsed.escape)]


@pytest.mark.parametrize("text,expected", [
    # testfiles/continueIndent: the next line is appended as written (parser.go:345-346), only
    # the escape and the line break go (parser.go:168, 534)
    ("RUN echo hello\\\n  world\\\n  goodnight  \\\n  moon\\\n  light\\\nning\n",
     "echo hello  world  goodnight    moon  lightning"),
    ("RUN echo hello  \\\nworld\n", "echo hello  world"),
    ("RUN echo hello \\\ngoodbye\\\nfrog\n", "echo hello goodbyefrog"),
    # blanks and tabs after the escape still continue the line (parser.go:168 `[ \t]*$`)
    ("RUN echo hello  \\  \nworld\n", "echo hello  world"),
    ("RUN echo hello  \\\t\r\nworld\r\n", "echo hello  world"),
    # a line holding only blanks and the escape continues too, adding its blanks
    ("RUN echo hi \\\n \\\n world \\\n\\\n good\\\n\\\nnight\n", "echo hi   world  goodnight"),
    # comment lines and blank lines inside a continuation are dropped (parser.go:336-343)
    ("RUN echo hello \\\n# a comment\n\n   # indented comment \\\n\t\nthis is more\n",
     "echo hello this is more"),
    # testfiles/escapes: blank lines between continued lines
    ("RUN foo \\\n\nbar \\\n\nbaz\n", "foo bar baz"),
    # testfiles/continue-at-eof: the file may end inside a continuation; the escape is dropped
    ("RUN something \\", "something"),
    ("RUN something \\\n# trailing comment\n\n", "something"),
    # testfiles/trailing-backslash: an escape after an escape does not continue the line
    ("ENV C trailing\\\\backslash\\\\\nENV D x\n", "C trailing\\\\backslash\\\\"),
    # ... nor does a third one: the regex only looks one character back (parser.go:165-168)
    ("RUN a \\\\\\\nRUN b\n", "a \\\\\\"),
    # the keyword may be followed directly by the escape
    ("RUN\\\n  go build\n", "go build"),
])
def test_lines_join_as_buildkit(text, expected):
    assert _joined(text)[0][1] == expected


def test_escaped_escape_ends_the_instruction():
    assert [k for k, _ in _joined("ENV C a\\\\\nENV D b\n")] == ["ENV", "ENV"]
    assert [k for k, _ in _joined("RUN a \\\\\\\nRUN b\n")] == ["RUN", "RUN"]


def test_the_reported_false_gp202_case_splits_at_the_indentation():
    """BuildKit appends `\tGO111MODULE=on` to `GOPROXY=direct ` and `\tCGO_ENABLED=0` to it:
    the tab separates the words, so GO111MODULE is `on` (the issue's reproduction)."""
    text = "FROM golang\nENV GOPROXY=direct \\\n\tGO111MODULE=on\\\n\tCGO_ENABLED=0\n"
    assert _env_words(text) == ["GOPROXY=direct", "GO111MODULE=on", "CGO_ENABLED=0"]
    words = syntax.split_words(syntax.parse(text).view, 0, len(text))
    on = [w for w in words if w.raw == "GO111MODULE=on"][0]
    assert text[on.start:on.end] == "GO111MODULE=on"


@pytest.mark.parametrize("text,expected", [
    # without indentation the next line glues onto the word (testfiles/continueIndent "goodbyefrog")
    ("ENV A=on\\\nB=1\n", ["A=onB=1"]),
    # testfiles/env: a quoted value continued keeps the next line's indentation inside the quotes
    ('ENV name2="value2a \\\n           value2b" \\\n\tname4=x \\\n',
     ['name2="value2a            value2b"', "name4=x"]),
    # a comment line between pairs is dropped, not read as words
    ("ARG A=1 \\\n  # B=2\n  C=3\n", ["A=1", "C=3"]),
    # blanks after the escape are removed with it (they do not become part of the value)
    ("ENV A=x\\  \n  B=y\n", ["A=x", "B=y"]),
])
def test_env_and_arg_words_after_joining(text, expected):
    assert _env_words(text) == expected


def test_legacy_env_value_is_the_joined_rest():
    """`ENV NAME value`: the value is the rest after the first run of blanks (line_parsers.go:153-158)."""
    from gplint.formats.dockerfile import lower
    from gplint.source import Source
    text = "FROM golang\nENV GOFLAGS \\\n    -mod=mod \\\n    -trimpath\n"
    doc = lower(Source.from_bytes("Dockerfile", "/x/Dockerfile", "dockerfile", text.encode()))
    setting = [e for e in doc.scopes[0].events if getattr(e, "name", "") == "GOFLAGS"][0]
    assert setting.raw_value == "-mod=mod     -trimpath"
    assert text[setting.value_span.start:setting.value_span.end].startswith("-mod=mod")


@pytest.mark.parametrize("text,escape,expected", [
    # testfiles/escape: `# escape=`` then a backtick continues the line, a backslash is literal
    ("#escape = `\n\nFROM image\nENV GOPATH `\n\\go", "`", "GOPATH \\go"),
    # testfiles/escape-nonewline: the directive needs no blank line after it
    ("# escape = `\n# a comment\nFROM image\nENV GOPATH `\n\\go\n", "`", "GOPATH \\go"),
    # testfiles/escape-after-comment: a directive after a comment is a comment
    ("# Comment\n# escape = `\n\nFROM image\nENV GOPATH \\\n\\go", "\\", "GOPATH \\go"),
    # testfiles/escape-with-syntax: syntax and escape together
    ("# syntax = docker/dockerfile\n# escape = `\n\nFROM `\n    image\n", "`", "image"),
    # an unknown directive ends the directives (directives.go:73-75)
    ("# foo=bar\n# escape=`\nFROM image\nENV A=1 \\\n  B=2\n", "\\", "A=1   B=2"),
    # directives may be indented (processLine trims before ParseLine, parser.go:309, 545)
    ("  # escape=`\nFROM image\nENV A=1 `\n  B=2\n", "`", "A=1   B=2"),
    # an empty value is no directive (directives.go:43 `(.+?)`)
    ("# escape=\n# escape=`\nFROM image\nENV A=1 \\\n  B=2\n", "\\", "A=1   B=2"),
])
def test_escape_directive(text, escape, expected):
    parsed = syntax.parse(text)
    assert parsed.escape == escape
    assert syntax.joined_args(parsed, parsed.instructions[-1]) == expected


@pytest.mark.parametrize("text,bodies", [
    ("RUN <<EOF\ngo build\nEOF\nENV A=1\n", ["go build\n"]),
    # the opening line may be continued; the body starts after the joined line (parser.go:365)
    ("RUN <<EOF \\\n  bash\ngo build\nEOF\n", ["go build\n"]),
    # `cat<<EOF` is not a heredoc word: the regex is anchored at the word's start (parser.go:121)
    ("RUN cat<<EOF\nRUN go build\n", []),
    # `<< EOF` is: the lexer keeps blanks after `<<` in the word (shell/lex.go:516-533)
    ("RUN cat << EOF\ngo build\nEOF\nRUN go build\n", ["go build\n"]),
    # but `<<- EOF` is not: the blank after `-` ends the word, and `<<-` alone names nothing
    # (parser.go:424-426)
    ("RUN cat <<- EOF\nRUN go build\n", []),
    # everything up to the next blank is the name (parser.go:121 `([^<]*)`)
    ("RUN cat <<EOF>/x\ngo build\nEOF>/x\nRUN go build\n", ["go build\n"]),
    # exec form has no heredocs (parser.go:93-95)
    ('RUN ["sh", "-c", "cat <<EOF"]\nRUN go build\n', []),
    # ONBUILD RUN may have one (parser.go:84-88)
    ("ONBUILD RUN <<EOF\ngo build\nEOF\nRUN x\n", ["go build\n"]),
    # the terminator is compared after removing the line ending (parser.go:380): CRLF works
    ("RUN <<EOF\r\ngo build\r\nEOF\r\nRUN x\r\n", ["go build\r\n"]),
    # quotes are removed from the name; `<<-` strips leading tabs from the terminator only
    ("RUN <<-'E O'\n\tgo build\n\tE O\nRUN x\n", ["\tgo build\n"]),
    # flags come before the heredoc
    ("RUN --mount=type=cache,target=/x <<EOF\ngo build\nEOF\n", ["go build\n"]),
])
def test_heredocs_follow_buildkit(text, bodies):
    parsed = syntax.parse(text)
    first = parsed.instructions[0]
    assert [text[h.body.start:h.body.end] for h in first.heredocs] == bodies
    if not bodies:
        assert [i.keyword for i in parsed.instructions] == ["RUN", "RUN"]


def test_continuation_spans_stay_on_the_original_bytes():
    text = "FROM x\r\nENV A=1 \\  \r\n  # c\r\n\r\n  GOPROXY=direct\r\nRUN go build\r\n"
    parsed = syntax.parse(text)
    env = parsed.instructions[1]
    assert text[env.start:env.end] == "ENV A=1 \\  \r\n  # c\r\n\r\n  GOPROXY=direct"
    words = syntax.split_words(parsed.view, env.args_start, env.args_end, parsed.escape)
    assert [text[w.start:w.end] for w in words] == ["A=1", "GOPROXY=direct"]
    assert len(parsed.view) == len(text)
    assert parsed.instructions[2].line == 6


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["A=1", "B", "=", " ", "\t", "\\", "`", "\n", "\r\n", "# c\n", '"', "'",
                                 "\\\n", "\\ \n", "`\n", "x"]), max_size=30).map("".join),
       st.sampled_from(["\\", "`"]))
def test_view_words_equal_words_of_the_joined_line(body, escape):
    """Splitting the view gives the words BuildKit splits from the joined line (fillers skipped)."""
    text = f"# escape={escape}\nFROM x\nENV {body}\n"
    parsed = syntax.parse(text)
    for inst in parsed.instructions:
        assert len(parsed.view) == len(text)
        joined = syntax.without_fillers(parsed.view[inst.args_start:inst.args_end], escape)
        from_view = syntax.split_words(parsed.view, inst.args_start, inst.args_end, escape)
        from_joined = syntax.split_words(joined, 0, len(joined), escape)
        assert [(w.value, w.raw) for w in from_view] == [(w.value, w.raw) for w in from_joined]
        for w in from_view:
            assert inst.start <= w.start <= w.end <= inst.end


def _run_settings(text):
    from gplint.formats.dockerfile import lower
    from gplint.model import Setting
    from gplint.source import Source
    doc = lower(Source.from_bytes("Dockerfile", "/x/Dockerfile", "dockerfile", text.encode()))
    return [(e.name, e.how, e.value, text[e.span.start:e.span.end]) for e in doc.scopes[0].events
            if isinstance(e, Setting)]


@pytest.mark.parametrize("text,expected", [
    # the shell gets the joined line (parser.go:349, 360): a blank or comment line inside the
    # continuation does not end the command, so the assignment is go's environment
    ("FROM golang\nRUN GOPROXY=off \\\n\n  go build\n", ("GOPROXY", "inline", "off", "GOPROXY=off")),
    ("FROM golang\nRUN GOPROXY=off \\\n  # note \\\n  go build\n", ("GOPROXY", "inline", "off", "GOPROXY=off")),
    # inside double quotes the continuation is gone too (CRLF and a backtick escape alike)
    ('FROM golang\r\nRUN GOPROXY="a,\\\r\n b" go build\r\n', ("GOPROXY", "inline", "a, b", 'GOPROXY="a,\\\r\n b"')),
    ('# escape=`\nFROM golang\nRUN GOPROXY="a,`\n b" go build\n', ("GOPROXY", "inline", "a, b", 'GOPROXY="a,`\n b"')),
    ("FROM golang\nRUN GOPROXY='a,\\\n b' go build\n", ("GOPROXY", "inline", "a, b", "GOPROXY='a,\\\n b'")),
])
def test_run_reads_the_joined_line(text, expected):
    assert _run_settings(text) == [expected]


# A transliteration of BuildKit's line loop (parser.go:294-347 with processLine :542-549,
# trimContinuationCharacter :532-538, isComment :523-526, isEmptyContinuationLine :528-530, the
# continuation regex :168 and scanLines :552-563), without directives and heredocs, to pin the
# reader to the source rather than to our reading of it.
_GO_SPACE = syntax._GO_SPACE


def _buildkit_lines(text: str, escape: str) -> list[str]:
    e = re.escape(escape)
    continuation = re.compile(f"([^{e}]){e}[ \t]*\\Z|^{e}[ \t]*\\Z")
    lines = iter(re.findall(r"[^\n]*\n|[^\n]+\Z", text))

    def trim(line):  # trimContinuationCharacter
        if continuation.search(line):
            return continuation.sub(lambda m: m.group(1) or "", line, count=1), False
        return line, True

    def is_comment(line):
        return line.lstrip(_GO_SPACE).startswith("#")

    out = []
    for raw in lines:
        line = raw.rstrip("\r\n").lstrip(_GO_SPACE)
        if is_comment(line):
            line = ""
        line, end_of_line = trim(line)
        if end_of_line and not line:
            continue
        buf = line
        while not end_of_line:
            raw = next(lines, None)
            if raw is None:
                break
            if is_comment(raw):
                continue
            line = raw.rstrip("\r\n")
            if not line.lstrip(_GO_SPACE):
                continue
            line, end_of_line = trim(line)
            buf += line
        out.append(buf)
    return out


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(["RUN ", "ENV ", "A=1", "x", " ", "\t", "\\", "`", "\n", "\r\n", "\r", "#",
                                 "\x0b", "\u00a0", "\\\n", " \\ \n", "\n\n", "\n  # c\n"]), max_size=40)
       .map("".join), st.sampled_from(["\\", "`"]))
def test_joined_lines_equal_buildkit_transliteration(body, escape):
    text = f"# escape={escape}\n" + body if escape == "`" else body
    parsed = syntax.parse(text)
    ours = [syntax.without_fillers(parsed.view[i.start:i.args_end], escape).strip(_GO_SPACE)
            for i in parsed.instructions]
    theirs = [line.strip(_GO_SPACE) for line in _buildkit_lines(text, escape)]
    # a line that joins to nothing but white space has no keyword; BuildKit fails on it later
    assert ours == [line for line in theirs if line]


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=" \t\\`ab\r", max_size=12), st.sampled_from(["\\", "`"]))
def test_continuation_test_is_buildkits_regex(line, escape):
    e = re.escape(escape)
    regex = re.compile(f"([^{e}]){e}[ \t]*\\Z|^{e}[ \t]*\\Z")  # parser.go:168
    line = line.rstrip("\r")
    assert (syntax._continuation(line, 0, len(line), escape) != -1) == bool(regex.search(line))


@pytest.mark.parametrize("text,expected", [
    # the whole rest must be the array (json.Unmarshal, line_parsers.go:285): else shell form
    ('RUN ["go", "build"] && true\n', None),
    ('RUN ["go", 1]\n', None),
    ('RUN ["go", "b\\u0075ild"]  \n', ["go", "build"]),
    # continued inside and between the strings: joined first (parser.go:345-349)
    ('RUN ["go", \\\n  # c\n  "bu\\\nild"]\n', ["go", "build"]),
])
def test_exec_form_is_json_of_the_joined_line(text, expected):
    parsed = syntax.parse(text)
    run = parsed.instructions[0]
    words = syntax.json_array(parsed.view, run.rest_start, run.args_end, parsed.escape)
    assert (None if words is None else [w.value for w in words]) == expected


def test_the_blank_classes_are_go_unicode_isspace_at_every_code_point():
    """_NON_BLANK and _BLANK_RUN spell "[^_GO_SPACE]" and "[_GO_SPACE]" with Python's \\s (a
    category, cheap to compile): checked over every code point, surrogates included."""
    every = "".join(map(chr, range(0x110000)))
    assert syntax._NON_BLANK.sub("", every) == "".join(sorted(syntax._GO_SPACE))
    assert "".join(syntax._BLANK_RUN.findall(every)) == "".join(sorted(syntax._GO_SPACE))
