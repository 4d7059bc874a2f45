"""parse_script parses each distinct text once; callers get shifted copies they may change."""
import pytest

from gplint.formats import shell

SCRIPTS = [
    "go mod download\n",
    "export GOPROXY=https://proxy.example,direct && go build ./... > out.log 2>&1",
    "( cd app && GOFLAGS=-mod=mod go test ./... ) > /dev/null\n{ go vet ./...; } 2>err",
    "echo \"$(go env GOPROXY)\" >> \"$GITHUB_ENV\"\ncat <<EOF > f\nGOPROXY=off\nEOF\n",
    "sh -c 'GOPROXY=direct go get x' || true\nfor m in a b; do go list -m $m; done",
    "if [ -n \"$X\" ]; then go install a@v1; fi; bash -euxc \"go build\"",
]


def _fresh(text, base, escape="\\", indent=0):
    return shell._parse(text, base, escape, 0, indent)


@pytest.mark.parametrize("text", SCRIPTS)
@pytest.mark.parametrize("base", [0, 7, 1234])
def test_memoised_result_equals_a_fresh_parse_at_that_offset(text, base):
    shell._MEMO.clear()
    first = shell.parse_script(text, 3)
    again = shell.parse_script(text, base)  # from the memo, shifted
    assert first == _fresh(text, 3)
    assert again == _fresh(text, base)


def test_each_distinct_text_is_parsed_once():
    shell._MEMO.clear()
    before = shell.memo_misses
    for base in range(50):
        shell.parse_script(SCRIPTS[1], base)
        shell.parse_script(SCRIPTS[2], base, indent=2)
    assert shell.memo_misses - before == 2
    shell.parse_script(SCRIPTS[2], 0, indent=4)  # the indentation changes heredoc bodies: own entry
    shell.parse_script(SCRIPTS[2], 0, escape="`")
    assert shell.memo_misses - before == 4


def test_a_caller_changing_its_result_does_not_change_the_memo():
    shell._MEMO.clear()
    text = SCRIPTS[2]
    got = shell.parse_script(text, 10)
    for cmd in got:
        cmd.argv.clear()
        cmd.group_redirects.append(None)
        cmd.in_subshell = not cmd.in_subshell
        cmd.start = -1
    got.clear()
    assert shell.parse_script(text, 10) == _fresh(text, 10)


def test_the_memo_is_bounded(monkeypatch):
    shell._MEMO.clear()
    monkeypatch.setattr(shell, "_MEMO_MAX_ENTRIES", 8)
    for i in range(100):
        shell.parse_script(f"go build ./cmd/{i}", 0)
    assert len(shell._MEMO) == 8
    big = "go build " + "x" * (shell._MEMO_MAX_TEXT + 1)
    before = shell.memo_misses
    shell.parse_script(big, 0)
    shell.parse_script(big, 0)
    assert shell.memo_misses - before == 2 and (big, "\\", 0) not in shell._MEMO


def test_shifted_words_are_complete_frozen_records():
    word = shell.Word("a b", 3, 8, True, True)
    copy = shell._shifted_word(word, 10)
    assert copy == shell.Word("a b", 13, 18, True, True) and hash(copy) == hash(shell.Word("a b", 13, 18, True, True))
    with pytest.raises(AttributeError):
        copy.start = 0
