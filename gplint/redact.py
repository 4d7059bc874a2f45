"""Keeping secrets out of what gplint prints or stores: the password of a URL's userinfo
(`https://ci:PASSWORD@host` -> `https://ci:****@host`), as the go command does in its own
errors (`url.URL.Redacted`, docs/semantics.md §1.12).

Reports are pasted into pull requests, uploaded to code scanning and kept in CI logs, so every
report format, the text snippets, `--diff` and baseline files pass their text through here: the
command line applies `for_report` to the diagnostics it hands to a format, and the places that
show the file's own text (snippets, flagged text, diffs) call `redact_line` / `excerpt`.
Positions (line, column) always refer to the original file; only the text shown changes.

What is a password: in `scheme://user:password@`, everything between the first `:` of the
userinfo and its last `@` (Go's url.Parse splits at the last `@` of the authority). The authority
ends at `/ ? #`, whitespace, quotes and the GOPROXY list separators `,` `|`. Without a scheme,
`user:password@host` at the start of a word counts too (GOPROXY adds `https://` to such an entry,
§1.6), except an image digest (`golang:1.22@sha256:…`). A password that is only a
variable reference (`$TOKEN`, `${TOKEN}`, `${{ secrets.T }}` without spaces) is no secret and is
shown as written.
"""
from __future__ import annotations

from collections.abc import Callable

from .lazy_regex import lazy

MASK = "****"

_STOP = r"\s/?#,|'\"`"
_USERINFO = lazy(
    rf"(?:[A-Za-z][A-Za-z0-9+.\-]*://|(?<![^\s=,|'\"`(\[{{;]))"  # after a scheme, or where a word starts
    rf"[^{_STOP}@:]*:"  # the user name and its colon
    rf"(?P<password>[^{_STOP}]+)"  # the password, up to the last @ before the authority ends
    rf"@(?!sha\d{{3}}:)"
)
_REFERENCE = lazy(r"\$(?:[A-Za-z_][A-Za-z0-9_]*|\{[^{}]*\}|\{\{[^{}]*\}\})")


def secret_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every password in `text`, in order, not overlapping."""
    if "@" not in text:
        return []
    out = []
    for m in _USERINFO.finditer(text):
        if not _REFERENCE.fullmatch(m.group("password")):
            out.append(m.span("password"))
    return out


def redact(text: str) -> str:
    return redact_line(text)[0]


def redact_line(text: str) -> tuple[str, Callable[[int], int]]:
    """The text with its passwords masked, and a map from an offset (or a 1-based column)
    in the original to the same place in the masked text, for carets under a snippet."""
    spans = secret_spans(text)
    if not spans:
        return text, lambda offset: offset
    parts, pos = [], 0
    for start, end in spans:
        parts.append(text[pos:start])
        parts.append(MASK)
        pos = end
    parts.append(text[pos:])

    def moved(offset: int) -> int:
        shift = 0
        for start, end in spans:
            if offset <= start:
                break
            if offset < end:  # inside a password: the start of its mask
                return start + shift
            shift += len(MASK) - (end - start)
        return offset + shift

    return "".join(parts), moved


def excerpt(text: str, start: int, end: int) -> str:
    """text[start:end] with the passwords masked, judged on the whole lines around it (a span
    may hold only `user:password@`, without the scheme that marks it as a URL)."""
    piece = text[start:end]
    if "@" not in text[max(0, start - 1):end + 1] and "@" not in piece:
        return piece
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    out, pos = [], start
    for s, e in secret_spans(text[line_start:line_end]):
        s, e = s + line_start, e + line_start
        if e <= start or s >= end:
            continue
        s, e = max(s, start), min(e, end)
        out.append(text[pos:s])
        out.append(MASK)
        pos = e
    out.append(text[pos:end])
    return "".join(out)


def for_report(diagnostics: list) -> list:
    """The diagnostics as a report may show them: messages, notes and fixes without secrets.
    A fix whose inserted text held a secret no longer applies byte for byte; `--fix` applies
    the real edits, which never leave the process."""
    return [_redacted(d) for d in diagnostics]


def _redacted(diag):
    from .diagnostic import Diagnostic, Edit, Fix

    fix = diag.fix
    if fix is not None:
        edits = [e if not secret_spans(e.content) else Edit(e.source, e.start, e.end, redact(e.content))
                 for e in fix.edits]
        message = redact(fix.message)
        if message != fix.message or any(a is not b for a, b in zip(edits, fix.edits)):
            fix = Fix(fix.applicability, message, edits)
    related = [(source, span, redact(note)) for source, span, note in diag.related or []]
    message = redact(diag.message)
    if fix is diag.fix and message == diag.message and all(
            new[2] == old[2] for new, old in zip(related, diag.related or [])):
        return diag
    return Diagnostic(diag.code, diag.source, diag.span, message, fix, diag.stmt, redact(diag.key), related)
