"""Variable interpolation as docker compose does it (compose-go's template package, §20.3):
`$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR-default}`, `${VAR:?err}`, `${VAR?err}`,
`${VAR:+alt}`, `${VAR+alt}`, and `$$` for a literal `$`. Also the `.env` file format (§20.4).

The real environment of a `docker compose` run is unknown to a linter: a name the `.env` file
does not set is unknown, and a value that depends on one is dynamic (None)."""
from __future__ import annotations

import re

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def interpolate(text: str, env: dict[str, str]) -> str | None:
    """The value of `text` with `env` (the .env file) as the environment; None when it depends
    on a variable that env does not set and that has no default to fall back on."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c != "$":
            out.append(c)
            i += 1
            continue
        if text.startswith("$$", i):
            out.append("$")
            i += 2
            continue
        if i + 1 < n and text[i + 1] == "{":
            close = _closing_brace(text, i + 2)
            if close < 0:
                return None  # compose rejects it: invalid interpolation format
            value = _braced(text[i + 2:close], env)
            if value is None:
                return None
            out.append(value)
            i = close + 1
            continue
        m = _NAME.match(text, i + 1)
        if m is None:
            out.append(c)  # a lone `$` stays as it is
            i += 1
            continue
        if m.group() not in env:
            return None
        out.append(env[m.group()])
        i = m.end()
    return "".join(out)


def _closing_brace(text: str, start: int) -> int:
    depth = 1
    i = start
    while i < len(text):
        if text[i] == "{":
            depth += 1
        elif text[i] == "}":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _braced(inner: str, env: dict[str, str]) -> str | None:
    m = _NAME.match(inner)
    if m is None:
        return None
    name, rest = m.group(), inner[m.end():]
    if not rest:
        return env.get(name)
    for op in (":-", "-", ":?", "?", ":+", "+"):
        if rest.startswith(op):
            word = rest[len(op):]
            break
    else:
        return None
    is_set = name in env
    non_empty = is_set and env[name] != ""
    if op in (":-", "-"):
        if non_empty or (op == "-" and is_set):
            return env[name]
        return interpolate(word, env)  # the real environment might still set it: the usual value
    if op in (":?", "?"):
        return env[name] if (non_empty or (op == "?" and is_set)) else None
    if non_empty or (op == "+" and is_set):
        return interpolate(word, env)
    return None  # `${X:+alt}` with X unknown: empty unless the environment sets it


def parse_dotenv(text: str) -> dict[str, str]:
    """`KEY=VALUE` lines (compose's dotenv: `export ` prefix, `#` comments, single quotes
    literal, double quotes with escapes, unquoted values end at ` #`)."""
    out: dict[str, str] = {}
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("export "):
            line = line[7:].lstrip()
        name, eq, value = line.partition("=")
        name = name.strip()
        if not eq or not _NAME.fullmatch(name):
            continue
        value = value.strip()
        if value[:1] == "'" and value.find("'", 1) > 0:
            value = value[1:value.index("'", 1)]
        elif value[:1] == '"' and (closing := _closing_quote(value)) > 0:
            value = re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), value[1:closing])
        else:
            hash_at = value.find(" #")
            if hash_at >= 0:
                value = value[:hash_at].rstrip()
        out[name] = value
    return out


def _closing_quote(value: str) -> int:
    i = 1
    while i < len(value):
        if value[i] == "\\":
            i += 2
            continue
        if value[i] == '"':
            return i
        i += 1
    return -1
