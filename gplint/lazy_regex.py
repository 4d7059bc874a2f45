"""Regular expressions compiled when first used, not when their module is imported.

Compiling a pattern costs 0.05-0.8 ms (a Unicode character class the most), and a run on one
Dockerfile imports ~35 module-level patterns of which it uses a handful: compiling the others
was a fifth of gplint's start-up. `lazy(pattern)` stands for `re.compile(pattern)`: the first
attribute asked of it compiles the pattern and puts the compiled pattern's methods and
attributes on the instance, so every later `.match(…)` finds a bound method in the instance
dict: ~30 ns more per call than a compiled pattern (measured: 0.19 µs against 0.22 µs for a
short `match`), which a patterns-heavy run of thousands of files does not notice.

Only the pattern's methods and attributes are offered: a lazy pattern is not a `re.Pattern`,
so it cannot be handed to `re.sub(pattern, …)`: call its methods instead."""
from __future__ import annotations

import re

_OFFERED = ("match", "fullmatch", "search", "finditer", "findall", "sub", "subn", "split",
            "pattern", "flags", "groups", "groupindex")


class _LazyPattern:
    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)

    def __getattr__(self, name: str):
        # called only for names not yet in the instance dict: the first use, or a name not offered
        if name.startswith("_"):
            raise AttributeError(name)  # copy and pickle probing for hooks; _source on a copy
        compiled = re.compile(*self._source)
        for offered in _OFFERED:
            setattr(self, offered, getattr(compiled, offered))
        # no __getattr__ hook from now on: later lookups are plain instance-dict hits
        self.__class__ = _Compiled  # type: ignore[assignment]
        if name not in _OFFERED:
            raise AttributeError(f"a lazy pattern offers only {', '.join(_OFFERED)}, not {name!r}")
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"lazy({self._source[0]!r})"


class _Compiled:
    """What a lazy pattern becomes once compiled: its attributes are all in the instance dict."""

    def __repr__(self) -> str:
        return f"lazy({self.pattern!r})"  # type: ignore[attr-defined]


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, done at the first use (typed as the pattern it stands for)."""
    return _LazyPattern(pattern, flags)  # type: ignore[return-value]
