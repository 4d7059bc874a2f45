"""Go toolchain semantics gplint relies on, each cited to docs/semantics.md. Pure functions, stdlib only."""
from __future__ import annotations

import functools
import re

from ..lazy_regex import lazy
from ..records import dataclass

GO_VARIABLES = frozenset({"GOPROXY", "GOSUMDB", "GOPRIVATE", "GONOPROXY", "GONOSUMDB", "GOINSECURE",
                          "GOFLAGS", "GOENV", "GO111MODULE", "GOTOOLCHAIN", "GOAUTH"})
PROXY_URL_VARIABLES = frozenset({"GOPROXY", "GOSUMDB", "HTTP_PROXY", "HTTPS_PROXY", "http_proxy",
                                 "https_proxy", "ALL_PROXY", "all_proxy"})


@dataclass(frozen=True, slots=True)
class ListFact:
    """What go does with one entry of a GOPROXY or GOPRIVATE-style list: a neutral fact; the value
    rules (gplint.rulekit.list_findings) decide which rule reports it and say it in words."""
    kind: str  # one of LIST_FACT_KINDS
    text: str  # the entry as written
    start: int  # offsets into the value
    end: int
    replacement: str | None = None  # the text that gives what the entry means to say
    detail: str = ""  # the keyword go stopped at, the URL go uses, or the scheme it rejects
    rejects_list: bool = False  # go rejects the whole list because of this entry (§1.11)


LIST_FACT_KINDS = frozenset({
    "no-entries",  # a non-empty GOPROXY with no entries (§1.10)
    "after-stop",  # entries after direct/off are never read (§1.3, §1.4)
    "keyword-case",  # `Direct`: keywords are case-sensitive, go reads a URL
    "absolute-path",  # `/srv/proxy`: no scheme
    "not-url",  # neither keyword nor URL
    "implicit-https-port",  # `host:3000`: go adds https:// (§1.6)
    "bad-scheme",  # a scheme other than http, https, file
    "file-host",  # file:// with a host or query
    "comma-fallback",  # `,` falls back on 404/410 only (§1.2)
    "glob-blanks",  # GOPRIVATE item with blanks, never trimmed (§5.2)
    "glob-empty",  # an empty item
    "glob-empty-end",  # an empty item at the end
})
INVALID_ENTRY_KINDS = frozenset({"keyword-case", "absolute-path", "not-url", "bad-scheme", "file-host"})


@dataclass(frozen=True, slots=True)
class ProxyEntry:
    text: str
    start: int
    end: int
    separator: str | None  # ',' or '|' after the entry
    kind: str  # 'direct' | 'off' | 'url' | 'invalid'
    url: str | None


_REFERENCE = lazy(r"\$\{\{|\$\{|\$\(|\$[A-Za-z_]|`")


def has_unresolved_reference(value: str) -> bool:
    """A shell, Dockerfile or CI variable reference we cannot evaluate."""
    return bool(_REFERENCE.search(value))


_SEPARATOR = lazy(r"[,|]")


def _split_entries(value: str):
    """(trimmed text, start, end, separator after) for each non-empty entry (§1.1, §1.2)."""
    pos = 0
    n = len(value)
    while pos <= n:
        m = _SEPARATOR.search(value, pos)
        end = m.start() if m else n
        raw = value[pos:end]
        stripped = raw.strip()
        if stripped:
            lead = len(raw) - len(raw.lstrip())
            start = pos + lead
            yield stripped, start, start + len(stripped), (m.group(0) if m else None), pos
        if not m:
            break
        pos = m.end()


@functools.lru_cache(maxsize=1024)
def parse_goproxy(value: str) -> tuple[tuple[ProxyEntry, ...], tuple[ListFact, ...]]:
    """proxyList() in cmd/go/internal/modfetch/proxy.go (§1.1–§1.10). Cached: several rules ask
    about the same few values in every file."""
    entries, facts = _parse_goproxy(value)
    return tuple(entries), tuple(facts)


def _parse_goproxy(value: str) -> tuple[list[ProxyEntry], list[ListFact]]:
    entries: list[ProxyEntry] = []
    facts: list[ListFact] = []
    if has_unresolved_reference(value) or value == "":
        return entries, facts  # empty means "the default" (§2); references cannot be judged
    items = list(_split_entries(value))
    if not items:
        return entries, [ListFact("no-entries", value, 0, len(value))]
    stopped_at: ProxyEntry | None = None
    for index, (text, start, end, sep, _raw_start) in enumerate(items):
        if stopped_at is not None:
            # entries after direct/off are never read (§1.3, §1.4): drop them with the separator before
            facts.append(ListFact("after-stop", text, stopped_at.end, len(value.rstrip()), replacement="",
                                  detail=stopped_at.text))
            break
        lower = text.lower()
        if text in ("off", "direct"):
            entry = ProxyEntry(text, start, end, sep, text, None)
            entries.append(entry)
            stopped_at = entry
            continue
        if lower in ("off", "direct"):
            entries.append(ProxyEntry(text, start, end, sep, "invalid", None))
            facts.append(ListFact("keyword-case", text, start, end, replacement=lower))
            stopped_at = ProxyEntry(lower, start, end, sep, lower, None)
            continue
        entry, fact = _url_entry(text, start, end, sep)
        entries.append(entry)
        if fact:
            facts.append(fact)
        if sep == "," and index + 1 < len(items) and entry.kind == "url":
            facts.append(ListFact("comma-fallback", text, end, end + _sep_offset(value, end), replacement="|"))
    if len(items) > 1:
        # go checks every entry up to direct/off at the first download, and the first bad one
        # becomes the error of every lookup, also of those an earlier entry would serve (§1.11)
        for i, fact in enumerate(facts):
            if fact.kind in INVALID_ENTRY_KINDS:
                facts[i] = ListFact(fact.kind, fact.text, fact.start, fact.end, fact.replacement, fact.detail,
                                    rejects_list=True)
                break
    return entries, facts


def goproxy_unusable(value: str) -> bool:
    """Whether go rejects this GOPROXY value as a whole at the first download (§1.10, §1.11): a
    non-empty list with no entries, or any entry before `direct`/`off` that is not a valid proxy
    URL. Then no entry is tried at all, whatever its place in the list."""
    entries, facts = parse_goproxy(value)
    if not entries:
        return any(f.kind == "no-entries" for f in facts)
    return any(e.kind == "invalid" for e in entries)


def _sep_offset(value: str, end: int) -> int:
    """Length from an entry's end to just past its separator (whitespace may sit between)."""
    i = end
    while i < len(value) and value[i] in " \t":
        i += 1
    return i - end + 1


def _url_entry(text: str, start: int, end: int, sep: str | None) -> tuple[ProxyEntry, ListFact | None]:
    if ":/" not in text:
        if text.startswith("/"):
            return ProxyEntry(text, start, end, sep, "invalid", None), ListFact("absolute-path", text, start, end)
        if not any(c in text for c in ".:/"):
            return ProxyEntry(text, start, end, sep, "invalid", None), ListFact("not-url", text, start, end)
        url = "https://" + text  # implicit https (§1.6)
        host_port = text.split("/", 1)[0]
        if re.search(r":\d*$", host_port):
            return (ProxyEntry(text, start, end, sep, "url", url),
                    ListFact("implicit-https-port", text, start, end, replacement="http://" + text, detail=url))
        return ProxyEntry(text, start, end, sep, "url", url), None
    scheme = text.split(":", 1)[0].lower()
    if scheme not in ("http", "https", "file"):
        return (ProxyEntry(text, start, end, sep, "invalid", None),
                ListFact("bad-scheme", text, start, end, detail=scheme))
    if scheme == "file":
        rest = text.split(":", 1)[1]
        if not rest.startswith("///") or "?" in rest or "#" in rest:
            return ProxyEntry(text, start, end, sep, "invalid", None), ListFact("file-host", text, start, end)
    return ProxyEntry(text, start, end, sep, "url", text), None


def module_glob_facts(value: str) -> list[ListFact]:
    """GOPRIVATE-style lists are split on ',' and NOT trimmed (§5.2): ' b.com' never matches."""
    facts: list[ListFact] = []
    if has_unresolved_reference(value):
        return facts
    pos = 0
    parts = value.split(",")
    for i, item in enumerate(parts):
        start, end = pos, pos + len(item)
        pos = end + 1
        if item != item.strip() and item.strip():
            facts.append(ListFact("glob-blanks", item, start, end, replacement=item.strip()))
        elif not item.strip() and len(parts) > 1:
            # an empty item: remove it together with one comma
            if i + 1 < len(parts):
                facts.append(ListFact("glob-empty", item, start, end + 1, replacement=""))
            else:
                facts.append(ListFact("glob-empty-end", item, start - 1, end, replacement=""))
    return facts


def path_match(pattern: str, name: str) -> bool:
    """Go's path.Match: '*' and '?' never match '/', classes with ranges and '^' negation."""
    try:
        return _compile_path_pattern(pattern).fullmatch(name) is not None
    except (ValueError, re.error):
        return False


@functools.lru_cache(maxsize=512)
def _compile_path_pattern(pattern: str) -> re.Pattern:
    out = []
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "\\":
            i += 1
            if i >= len(pattern):
                raise ValueError("bad escape")
            out.append(re.escape(pattern[i]))
        elif c == "[":
            j = i + 1
            negate = j < len(pattern) and pattern[j] == "^"
            if negate:
                j += 1
            chars = []
            while j < len(pattern) and pattern[j] != "]":
                if pattern[j] == "\\":
                    j += 1
                if j >= len(pattern):
                    raise ValueError("bad class")
                chars.append(re.escape(pattern[j]) if pattern[j] != "-" else "-")
                j += 1
            if j >= len(pattern) or not chars:
                raise ValueError("bad class")
            out.append("[" + ("^/" if negate else "") + "".join(chars) + "]" if negate else "[" + "".join(chars) + "]")
            i = j
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out))


def match_prefix_patterns(globs: str, module_path: str) -> bool:
    """golang.org/x/mod/module.MatchPrefixPatterns (§5.2)."""
    for glob in globs.split(","):
        glob = glob.rstrip("/") if glob.endswith("/") else glob
        if not glob:
            continue
        n = glob.count("/") + 1
        prefix = module_path
        parts = module_path.split("/")
        if len(parts) < n:
            continue
        prefix = "/".join(parts[:n])
        if path_match(glob, prefix):
            return True
    return False


_PUBLIC_MODULES = ("github.com/a/b", "golang.org/x/net", "gopkg.in/yaml.v3", "google.golang.org/grpc", "k8s.io/api")


@functools.lru_cache(maxsize=512)
def is_catch_all_pattern(pattern: str) -> bool:
    """A GOPRIVATE/GONOSUMDB/GOINSECURE item matching every public module (GP301, §5.3–§5.4)."""
    pattern = pattern.strip()
    if not pattern:
        return False
    return all(match_prefix_patterns(pattern, m) for m in _PUBLIC_MODULES)


def sumdb_disabled(value: str) -> bool:
    """useSumDB compares with "off" exactly (§5.3)."""
    return value == "off"


def goflags_insecure(value: str) -> tuple[int, int] | None:
    m = re.search(r"(?<!\S)--?insecure(?:=\S*)?(?!\S)", value)
    if m and not m.group(0).endswith("=false"):
        return m.start(), m.end()
    return None


def goflags_mod(value: str) -> str | None:
    m = re.search(r"(?<!\S)--?mod=(\S+)", value or "")
    return m.group(1) if m else None


def go111module_problem(value: str) -> str | None:
    """None for on/auto/empty; 'off'; 'invalid' for anything else (§4.1)."""
    if value in ("", "on", "auto"):
        return None
    return "off" if value == "off" else "invalid"


def url_host(url: str) -> str | None:
    if "://" not in url:
        url = "https://" + url
    rest = url.split("://", 1)[1]
    authority = rest.split("/", 1)[0]
    authority = authority.rsplit("@", 1)[-1]
    if authority.startswith("["):
        host = authority[1:].split("]", 1)[0]
    else:
        host = authority.split(":", 1)[0]
    return host.lower() or None


def is_loopback_host(host: str) -> bool:
    """localhost, 127.0.0.0/8, ::1, 0.0.0.0 (§11.1)."""
    host = host.strip("[]").lower().rstrip(".")
    if host == "localhost":
        return True
    import ipaddress  # only here: most runs never meet a proxy host (~1 ms of start-up)

    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        return False
    return ip.is_loopback or ip.is_unspecified


# `scheme://userinfo@` anywhere, or `userinfo@` at the start of a list entry (not an image
# digest such as `golang:1.22@sha256:…`)
_USERINFO = lazy(r"(?:://|(?:^|(?<=[,|])))(?P<userinfo>[^\s/@,|]+)@(?!sha\d{3}:)")


def credentials_span(value: str) -> list[tuple[int, int]]:
    """Spans of literal `user:password@` in the URLs of a value (§1.12); references don't count.
    A list entry without a scheme counts too: go adds `https://` to `user:pw@host` (§1.6), and
    Go's HTTP proxy settings read `user:pw@host:3128` as `http://user:pw@host:3128`."""
    out = []
    for m in _USERINFO.finditer(value):
        userinfo = m.group("userinfo")
        if ":" not in userinfo:
            continue
        if has_unresolved_reference(userinfo):
            continue
        out.append((m.start("userinfo"), m.end("userinfo") + 1))
    return out


# which go subcommands may reach the module proxy (§6)
_LOADING = {"build", "test", "vet", "run", "list", "get", "install", "generate", "fmt", "doc", "fix"}
_MOD_FETCHING = {"download", "tidy", "graph", "why", "verify", "vendor"}
_STILL_FETCH_UNDER_VENDOR_MOD = {"download", "tidy", "graph", "why", "verify"}
# go flags that take a separate value before the subcommand
_GLOBAL_VALUE_FLAGS = {"-C"}


def go_command_reaches_proxy(args: list[str], goflags: str | None, vendor_mode: bool) -> bool:
    """Whether `go <args>` may contact the module proxy (§6; §6.2 vendor; §6.3 still fetching)."""
    i = 0
    while i < len(args) and args[i].startswith("-"):
        i += 2 if args[i] in _GLOBAL_VALUE_FLAGS else 1
    if i >= len(args):
        return False
    sub, rest = args[i], args[i + 1:]
    flags = [a for a in rest if a.startswith("-")]
    positional = [a for a in rest if not a.startswith("-")]
    mod_flag = next((a.split("=", 1)[1] for a in flags if a.startswith(("-mod=", "--mod="))), None)
    mod = mod_flag or goflags_mod(goflags or "")
    vendored = mod == "vendor" or (vendor_mode and mod not in ("mod", "readonly"))
    if sub == "mod":
        action = positional[0] if positional else ""
        if action in _STILL_FETCH_UNDER_VENDOR_MOD:
            return True
        return action == "vendor"
    if sub == "work":
        return bool(positional) and positional[0] == "sync"
    if sub in ("install", "run") and any("@" in p for p in positional):
        return True  # pkg@version ignores the main module and its vendor folder (§6.3)
    if sub == "get":
        return True
    if sub in _LOADING:
        return not vendored
    return False


_VERSION = lazy(r"(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?")


def parse_go_version(text: str) -> tuple[int, ...] | None:
    """'1.21', '1.21.3', '1.21rc1' → comparable tuples; a pre-release sorts before its release."""
    m = _VERSION.fullmatch(text.strip())
    if not m:
        return None
    major, minor, patch, pre, pre_n = m.groups()
    version: tuple[int, ...] = (int(major), int(minor))
    if patch is not None:
        version += (int(patch),)
    if pre:
        version = version[:2] + (-1, int(pre_n))
    return version


def golang_image_version(tag: str) -> tuple[tuple[int, ...], str] | None:
    """'1.21-alpine' → ((1, 21), '-alpine'); 'latest', 'alpine', '' → None."""
    m = re.match(r"(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)(.*)$", tag)
    if not m:
        return None
    version = parse_go_version(m.group(1))
    return (version, m.group(2)) if version else None


def go_mod_requirement(go_mod_text: str, switching: bool = False) -> tuple[tuple[int, ...], int, int] | None:
    """The Go version a go.mod makes go insist on, with the span of that version.

    With GOTOOLCHAIN=local (what the official images set) only the `go` line is enforced; the
    `toolchain` line is read only when go may switch toolchains (`auto`, `path`, `…+auto`,
    `…+path`), and then the higher of the two wins. Checked with Go 1.27.3: `go 1.21` with
    `toolchain go1.99.0` builds under GOTOOLCHAIN=local, `go 1.99.0` does not."""
    best = None
    for m in re.finditer(r"(?m)^[ \t]*(go|toolchain)[ \t]+(go)?(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)[ \t]*(?://.*)?$",
                         go_mod_text):
        if m.group(1) == "toolchain" and not switching:
            continue
        version = parse_go_version(m.group(3))
        if version is None:
            continue
        start = m.start(3) if m.group(1) == "go" or not m.group(2) else m.start(2)
        if best is None or version > best[0]:
            best = (version, start, m.end(3))
    return best


def toolchain_switching(gotoolchain: str | None) -> bool:
    """Whether a GOTOOLCHAIN value makes go read go.mod's `go` and `toolchain` lines to switch to
    a newer toolchain (§15.1): `auto`, `path`, `<name>+auto`, `<name>+path`. None is the official
    images' `local`. A plain name such as `go1.22.0` does not read go.mod, but it does run that
    toolchain rather than the bundled one: see named_toolchain()."""
    if not gotoolchain:
        return False
    value = gotoolchain.strip()
    return value in ("auto", "path") or value.endswith(("+auto", "+path"))


def named_toolchain(gotoolchain: str | None) -> tuple[tuple[int, ...], bool] | None:
    """The Go version a GOTOOLCHAIN value names, and whether go runs exactly that one (§15.1).

    `go1.22.0` (no suffix): go always runs go1.22.0, found on PATH or downloaded through GOPROXY
    as golang.org/toolchain, whatever Go the image bundles (select.go: mode "" skips go.mod, then
    `Exec(gotoolchain)` unless it is the local toolchain). `go1.22.0+auto` / `+path`: go1.22.0 is
    the minimum, and go.mod may ask for more (exact False). None for `auto`, `path`, `local`,
    a value we cannot read, or no value."""
    if not gotoolchain:
        return None
    name, plus, suffix = gotoolchain.strip().partition("+")
    if name in ("auto", "path", "local") or (plus and suffix not in ("auto", "path")):
        return None
    m = re.fullmatch(r"(?:.*-)?go(\d+\.\d+(?:\.\d+)?(?:(?:rc|beta)\d+)?)", name)
    version = parse_go_version(m.group(1)) if m else None
    return (version, not plus) if version else None


def go_mod_directive_version(go_mod_text: str) -> tuple[int, ...] | None:
    """The version of the go.mod `go` line alone (vendor mode keys on it, §5.7)."""
    m = re.search(r"(?m)^[ \t]*go[ \t]+(\d+\.\d+(?:\.\d+)?)", go_mod_text)
    return parse_go_version(m.group(1)) if m else None
