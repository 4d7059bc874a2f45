"""What is wrong with one NAME=value, judged alone: the facts the value rules report, and the one
question every fix that writes a value somewhere new must ask first (`copy_refusal`).

A fix that copies a value (GP103's ENV, GP105's ARG, GP104's build arg, GP106's and GP201's ENV,
GP101's and GP304's configured values) would spread whatever is wrong with it: `GONOSUMDB=*`
copied into a second stage doubles the stages without checksum verification. So no fix may
write a value that a value rule reports or that weakens verification; it asks here, and the
rules judge values with the same functions.
"""
from __future__ import annotations

from functools import lru_cache

from ..records import dataclass
from ..semantics import goenv
from .list_findings import goproxy_problems, module_glob_problems

MODULE_GLOB_VARIABLES = ("GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE")
CHECKSUM_GLOB_VARIABLES = ("GOPRIVATE", "GONOSUMDB", "GOINSECURE")
# every variable whose value is a proxy URL may point at loopback (one list: semantics.goenv);
# sorted, so rules that walk it do so in the same order in every process
LOOPBACK_VARIABLES = tuple(sorted(goenv.PROXY_URL_VARIABLES))
# the codes of the value rules whose findings a fix must never spread (GP205 is a style choice)
VALUE_RULES = ("GP107", "GP202", "GP203", "GP204", "GP206", "GP301", "GP302", "GP303")


@dataclass(slots=True, frozen=True)
class Weakness:
    start: int  # where in the value
    end: int
    message: str  # the rule's message
    short: str  # why, in a few words, for other rules' messages


@lru_cache(maxsize=4096)  # a pure function of its words, asked again for every go command a value reaches
def loopback(value: str, name: str) -> tuple[str, int] | None:
    """(host, offset of host in value) of the first loopback URL in the value (GP107, §11.1)."""
    if name == "GOPROXY":
        entries, _ = goenv.parse_goproxy(value)
        candidates = [(e.url or "", e.start, e.text) for e in entries if e.kind == "url"]
    elif name == "GOSUMDB":
        parts = value.split()
        candidates = [(parts[1], value.find(parts[1]), parts[1])] if len(parts) == 2 else []
    elif name in LOOPBACK_VARIABLES:
        candidates = [(value, 0, value)]
    else:
        return None
    for url, start, text in candidates:
        host = goenv.url_host(url)
        if host and goenv.is_loopback_host(host):
            at = text.lower().find(host.lower())
            return host, start + max(at, 0)
    return None


def checksum_weakness(name: str, value: str) -> Weakness | None:
    """GP301: the value turns checksum verification (or TLS) off for every module (§5.3–§5.5)."""
    if name == "GOSUMDB" and goenv.sumdb_disabled(value):
        return Weakness(0, len(value), "GOSUMDB=off turns off checksum verification for every module: a "
                                       "compromised proxy or mirror can serve altered code unnoticed",
                        "it turns off checksum verification")
    if name == "GOFLAGS":
        found = goenv.goflags_insecure(value)
        if found is not None:
            return Weakness(*found, "GOFLAGS=-insecure was removed in Go 1.17: `go get` now fails with "
                                    "`-insecure flag is no longer supported` and other commands silently ignore "
                                    "it; use GOINSECURE for specific hosts, and keep the checksum database on",
                            "-insecure asks go to skip verification")
    if name in CHECKSUM_GLOB_VARIABLES:
        pos = 0
        for item in value.split(","):
            if goenv.is_catch_all_pattern(item):
                what = ("fetched over plain HTTP without TLS checks" if name == "GOINSECURE"
                        else "excluded from checksum verification")
                return Weakness(pos, pos + len(item),
                                f"{name}={value!r}: `{item}` matches every public module, so all of them are {what}",
                                f"`{item}` matches every public module")
            pos += len(item) + 1
    return None


def not_allowed_proxy(value: str, options: dict) -> str | None:
    """GP303: the first GOPROXY entry outside the configured allowed-proxies."""
    allowed = options.get("allowed_proxies")
    if not allowed:
        return None
    allowed_set = {normalise_proxy(a) for a in allowed}
    entries, _ = goenv.parse_goproxy(value)
    return next((e.text for e in entries if not proxy_entry_allowed(e, allowed_set)), None)


def proxy_entry_allowed(entry, allowed_set: set[str]) -> bool:
    return entry.kind == "off" or normalise_proxy(entry.text) in allowed_set or bool(
        entry.url and normalise_proxy(entry.url) in allowed_set)


def normalise_proxy(url: str) -> str:
    return url.strip().rstrip("/").lower()


def options_of(project) -> dict:
    return (getattr(project, "options", None) or {}) if project is not None else {}


def copy_refusal(name: str, value: str | None, options: dict | None = None) -> str | None:
    """Why a fix must not write NAME=value into another place (the rule that reports the value,
    and what it finds), or None when nothing is wrong with it. A value we cannot read (None) is
    not judged: it comes from elsewhere (a build arg, a CI secret) and is judged there."""
    if value is None:
        return None
    options = options or {}
    weak = checksum_weakness(name, value)
    if weak is not None:
        return f"GP301 reports it: {weak.short}"
    if name in LOOPBACK_VARIABLES and (found := loopback(value, name)):
        return f"GP107 reports it: `{found[0]}` is loopback, which inside a build container is the container itself"
    if name in goenv.PROXY_URL_VARIABLES and goenv.credentials_span(value):
        return "GP302 reports it: it holds a literal user:password"
    if name == "GOPROXY":
        for problem in goproxy_problems(value):
            if problem.code in ("GP203", "GP204"):
                return f"{problem.code} reports it: {problem.message}"
        entry = not_allowed_proxy(value, options)
        if entry is not None:
            return f"GP303 reports it: `{entry}` is not in the organisation's allowed-proxies"
    if name in MODULE_GLOB_VARIABLES:
        for problem in module_glob_problems(value):
            return f"{problem.code} reports it: {problem.message}"
    if name == "GO111MODULE" and goenv.go111module_problem(value) is not None:
        return "GP202 reports it: it turns module mode off, or go rejects it"
    return None
