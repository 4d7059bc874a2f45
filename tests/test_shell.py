"""The shell lexer: commands, assignments, quoting, heredocs, substitutions and GITHUB_ENV writes,
each with exact offsets into the original text."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hangguard import hang_guard

from gplint.formats.shell import env_file_writes, parse_script, unwrap


def argvs(text):
    return [[w.value for w in c.argv] for c in parse_script(text)]


def test_chains_assignments_and_exact_offsets():
    text = 'GOPROXY="https://x" go mod download && export A=1; env B=2 go build ./... || true'
    cmds = parse_script(text)
    assert [[w.value for w in c.argv] for c in cmds] == [
        ["go", "mod", "download"], ["export", "A=1"], ["env", "B=2", "go", "build", "./..."], ["true"]]
    (a,) = cmds[0].assignments
    assert (a.name, a.value.value, text[a.value.start:a.value.end]) == ("GOPROXY", "https://x", '"https://x"')
    assert cmds[3].conditional and not cmds[0].conditional
    assignments, argv = unwrap(cmds[2])
    assert [(x.name, x.value.value) for x in assignments] == [("B", "2")]
    assert [w.value for w in argv] == ["go", "build", "./..."]


def test_continuations_crlf_and_comments():
    text = "go build \\\r\n  -o app . # trailing comment\r\ngo test"
    assert argvs(text) == [["go", "build", "-o", "app", "."], ["go", "test"]]


def test_quoting_and_dynamic_words():
    cmd, = [c for c in parse_script("""echo 'a b' "c $HOME" $'d\\ne' ${X:-y} $(date)""") if not c.in_subshell]
    assert [w.value for w in cmd.argv][:3] == ["echo", "a b", "c $HOME"]
    assert [w.dynamic for w in cmd.argv] == [False, False, True, False, True, True]


def test_heredoc_bodies_are_data_not_commands():
    text = "cat <<EOF > f\ngo build\nEOF\ncat <<-'X'\n\tgo vet\n\tX\ngo test\n"
    assert argvs(text) == [["cat"], ["cat"], ["go", "test"]]
    body = parse_script(text)[0].redirects[0].heredoc_body
    assert text[body.start:body.end] == "go build\n"


def test_yaml_indented_heredoc_delimiter():
    text = "  cat <<EOF\n  go build\n  EOF\n  go test\n"
    assert [[w.value for w in c.argv] for c in parse_script(text, indent=2)] == [["cat"], ["go", "test"]]


def test_substitutions_subshells_and_sh_c():
    text = "X=$(go env GOPATH) && (cd app && go build) && sh -c 'go vet ./...'"
    cmds = parse_script(text)
    names = [[w.value for w in c.argv] for c in cmds]
    assert names[0] == ["go", "env", "GOPATH"] and cmds[0].in_subshell  # runs before the assignment
    vet = cmds[-1]
    assert [w.value for w in vet.argv] == ["go", "vet", "./..."] and vet.in_subshell
    assert text[vet.argv[0].start:vet.argv[-1].end] == "go vet ./..."


def test_control_flow_keywords_are_not_commands():
    text = "if [ -f go.mod ]; then\n  go build\nfi\nfor d in a b; do go test ./$d; done\nwhile read x; do go vet; done < list"
    assert argvs(text) == [["[", "-f", "go.mod", "]"], ["go", "build"], ["go", "test", "./$d"], ["read", "x"],
                           ["go", "vet"]]


def test_github_env_writes():
    text = ('{ echo "GOPROXY=https://p"; echo B=2; } >> $GITHUB_ENV\n'
            'echo "GOFLAGS=-mod=mod" >> "$GITHUB_ENV"\n'
            "cat <<EOF >> $GITHUB_ENV\nGOSUMDB=off\nEOF\n"
            "echo 'GOPRIVATE=x' > out.txt\n")
    found = [(a.name, a.value.value, text[a.start:a.end]) for c in parse_script(text) for a in env_file_writes(c)]
    assert found == [("GOPROXY", "https://p", "GOPROXY=https://p"), ("B", "2", "B=2"),
                     ("GOFLAGS", "-mod=mod", "GOFLAGS=-mod=mod"), ("GOSUMDB", "off", "GOSUMDB=off")]


def test_unterminated_input_and_deep_nesting_do_not_raise():
    for text in ["echo 'open", 'echo "open', "cat <<EOF\nno end", "$(" * 5000, "`" * 999, "((((", "}}}}"]:
        parse_script(text)


def test_one_megabyte_line_is_linear():
    text = "go build " + "x" * 1_000_000
    with hang_guard(cpu_seconds=20):  # linear: well under a second; quadratic: hours
        (cmd,) = parse_script(text)
    assert len(cmd.argv[-1].value) == 1_000_000


@settings(max_examples=400, deadline=None)
@given(text=st.text(alphabet=st.sampled_from(list("go bd;&|()<>{}$`'\"\\\n#=EOFx-")), max_size=120))
def test_never_raises_and_words_stay_in_bounds(text):
    for cmd in parse_script(text):
        previous = -1
        for word in cmd.argv:
            assert 0 <= word.start <= word.end <= len(text)
            assert word.start >= previous
            previous = word.end


import pytest  # noqa: E402


@pytest.mark.parametrize("text,program,names", [
    ("sudo -E -u builder go build", "go", []),
    ("timeout -s KILL 10m go test ./...", "go", []),
    ("nice -n 5 env -u HOME GOPROXY=off go vet", "go", ["GOPROXY"]),
    ("time exec nohup command go run .", "go", []),
])
def test_unwrap_reaches_the_program(text, program, names):
    (cmd,) = parse_script(text)
    assignments, argv = unwrap(cmd)
    assert argv[0].value == program and [a.name for a in assignments] == names


def test_printf_format_values_are_not_literals():
    text = "printf 'GONOSUMDB=%s\\n' \"$X\" >> $GITHUB_ENV"
    (write,) = [a for c in parse_script(text) for a in env_file_writes(c)]
    assert write.name == "GONOSUMDB" and write.value.dynamic


# -- the plain-script fast path gives exactly the full lexer's tokens ----------------------------
from gplint.formats import shell as _shell  # noqa: E402

_PLAIN_ALPHABET = st.sampled_from(list("ab2 \t\r\n;&|()>-=./:,") + ["go", "&&", "||", "2>", "&>>", ">|", "|&", ";;",
                                                                     "\u00e9", "x1"])


def _tokens(text: str, full: bool, base: int = 7):
    lexer = _shell._Lexer(text, base, "\\", 0, [])
    toks = lexer._full_tokens() if full else lexer._plain_tokens()
    return [(t.kind, t.text, t.start, t.end, t.word, t.raw) for t in toks]


@settings(max_examples=400, deadline=None)
@given(st.lists(_PLAIN_ALPHABET, max_size=30).map("".join))
def test_plain_tokens_equal_full_tokens(text):
    assert _shell._NEEDS_FULL_LEXER.search(text) is None
    assert _tokens(text, full=False) == _tokens(text, full=True)


@pytest.mark.parametrize("text", [
    "go mod download && go mod verify",
    "CGO_ENABLED=0 GOOS=linux go build -o /out/app ./cmd/app 2>&1 | tee log",
    "set -eux; go install ./...\n  apk add git &>> /dev/null || true",
    "(cd sub && go build) ; echo done >| out",
])
def test_plain_tokens_on_typical_scripts(text):
    assert _shell._NEEDS_FULL_LEXER.search(text) is None
    assert _tokens(text, full=False) == _tokens(text, full=True)


@pytest.mark.parametrize("text", ["echo '$x'", 'echo "a"', "a \\\n b", "cat <<EOF\nx\nEOF", "a # c", "echo `x`",
                                  "a\u00a0b", "a\fb"])
def test_scripts_the_fast_path_must_leave_to_the_full_lexer(text):
    assert _shell._NEEDS_FULL_LEXER.search(text) is not None


def test_dockerfile_escape_backtick_changes_only_continuations():
    """With `# escape=`` a backtick-newline continues the line; in the script a backslash still
    escapes and a backtick is still command substitution (found by fuzzing)."""
    commands = parse_script("go env -w A=1 `\n  B=2 && echo `go version` a\\ b", 0, "`")
    assert [[w.value for w in c.argv] for c in commands] == [
        ["go", "env", "-w", "A=1", "B=2"], ["go", "version"], ["echo", "`go version`", "a b"]]


def test_the_ascii_test_for_the_full_lexer_agrees_with_the_full_test_on_every_ascii_character():
    from gplint.formats import shell

    ascii_chars = "".join(map(chr, range(128)))
    assert shell._NEEDS_FULL_LEXER_ASCII.findall(ascii_chars) == shell._NEEDS_FULL_LEXER.findall(ascii_chars)
    # and the non-ASCII characters it leaves to the full test are the non-ASCII white space
    every = "".join(map(chr, range(0x110000)))
    assert "".join(shell._NEEDS_FULL_LEXER.findall(every[128:])) == \
        "".join(c for c in every[128:] if c.isspace())
    assert [w.value for c in parse_script("a\u00a0b c") for w in c.argv] == ["a\u00a0b", "c"]
