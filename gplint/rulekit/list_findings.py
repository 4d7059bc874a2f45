"""The verdicts of GP203-GP206 on what go does with a GOPROXY or GOPRIVATE-style list: which rule
reports each fact of semantics.goenv, in what words, and whether its fix is safe. The rules and
`copy_refusal` (which quotes the same words) format them here, so the messages live in one place."""
from __future__ import annotations

import functools

from ..records import dataclass
from ..semantics import goenv
from ..semantics.goenv import ListFact


@dataclass(frozen=True, slots=True)
class Problem:
    code: str
    message: str
    start: int  # offsets into the value
    end: int
    replacement: str | None = None
    safe: bool = False


WHOLE_LIST_FAILS = ("; go checks the whole GOPROXY list at the first download, so every download fails, "
                    "even those another entry could serve")


def _missing_scheme(text: str) -> str:
    return f"`invalid proxy URL missing scheme: {text}`"


# kind -> (code, safe fix, message)
_VERDICTS = {
    "no-entries": ("GP203", False, lambda f: "GOPROXY list is not the empty string, but contains no entries"),
    "after-stop": ("GP203", False, lambda f: f"`{f.text}` comes after `{f.detail}` and is never tried: go stops "
                                             f"reading GOPROXY at `{f.detail}`"),
    "keyword-case": ("GP203", True, lambda f: f"keywords are case-sensitive: go reads `{f.text}` as a URL and "
                                              f"fails with {_missing_scheme(f.text)}"),
    "absolute-path": ("GP203", False, lambda f: f"an absolute path is not a proxy URL ({_missing_scheme(f.text)}); "
                                                f"write `file://{f.text}`"),
    "not-url": ("GP203", False, lambda f: f"`{f.text}` is neither a keyword (direct, off) nor a URL: go fails "
                                          f"with {_missing_scheme(f.text)}"),
    "bad-scheme": ("GP203", False, lambda f: f"`{f.detail}://` is not a proxy scheme: go fails with `invalid "
                                             "proxy URL scheme (must be https, http, file)`"),
    "file-host": ("GP203", False, lambda f: f"`{f.text}` names a host: go fails with `invalid file:// proxy URL "
                                            "with non-path elements`; use `file:///absolute/path`"),
    "implicit-https-port": ("GP204", False, lambda f: f"`{f.text}` has no scheme, so go uses `{f.detail}` (TLS); "
                                                      "a proxy on a port is nearly always plain HTTP: write "
                                                      f"`http://{f.text}`"),
    "comma-fallback": ("GP205", False, lambda f: f"`{f.text}` is followed by `,`: go falls back to the next entry "
                                                 "only when this proxy answers 404 or 410, not on network errors "
                                                 "or 5xx; `|` falls back on any error"),
    "glob-blanks": ("GP206", True, lambda f: f"`{f.text}` has blanks around it; go does not trim them, so the "
                                             f"pattern `{f.text}` never matches a module path"),
    "glob-empty": ("GP206", True, lambda f: "empty item in the list"),
    "glob-empty-end": ("GP206", True, lambda f: "empty item at the end of the list"),
}
assert set(_VERDICTS) == goenv.LIST_FACT_KINDS


def problem(fact: ListFact) -> Problem:
    code, safe, say = _VERDICTS[fact.kind]
    message = say(fact) + (WHOLE_LIST_FAILS if fact.rejects_list else "")
    return Problem(code, message, fact.start, fact.end, fact.replacement, safe)


@functools.lru_cache(maxsize=1024)
def goproxy_problems(value: str) -> tuple[Problem, ...]:
    """What GP203, GP204 and GP205 report in one GOPROXY value. Cached like parse_goproxy."""
    return tuple(problem(f) for f in goenv.parse_goproxy(value)[1])


def module_glob_problems(value: str) -> list[Problem]:
    """What GP206 reports in one GOPRIVATE-style value."""
    return [problem(f) for f in goenv.module_glob_facts(value)]
