"""Read GNU Makefiles: the statements (§17.1), and an evaluator that runs a goal the way make
does as far as gplint needs it: which variables a recipe line's shell gets (§17.2, §17.3), what
the line says after make expands it (§17.4), and in which order prerequisites and recipes run
(§17.5). Nothing here reads files: `read(path)` is handed in by the caller (analysis).

Every value gplint cannot know (`$(shell …)`, most functions, an environment variable whose
value is unknown) expands to UNKNOWN, a shell parameter expansion, so the shell lexer marks
the word dynamic and a setting holding it is unknowable.
"""
from __future__ import annotations

import posixpath
import re

from ..model import Document, Setting
from ..records import dataclass, field
from ..source import Source, Span

UNKNOWN = "${GPLINT_UNKNOWN}"
MAX_DEPTH = 24  # nested variable references / includes (make itself would loop forever)
MAX_EXPANSION = 64 * 1024  # characters one expansion may produce

_CONTINUATION = re.compile(r"[ \t]*\\\r?\n[ \t]*")
_ASSIGN_OPS = (":::=", "::=", ":=", "?=", "+=", "!=", "=")
_NAME = re.compile(r"[^\s:#=$]+|\$[({][^)}]*[)}]")
_DIRECTIVES = ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif", "include", "-include", "sinclude",
               "define", "endef", "export", "unexport", "override", "undefine", "vpath", "private")


@dataclass(slots=True)
class Stmt:
    """One logical line of a Makefile (continuations joined), in file order."""

    kind: str  # assign | rule | recipe | include | export | unexport | if | else | endif | other
    text: str  # the logical line, comment removed (recipe: the line as written, prefix tab included)
    start: int
    end: int
    source: Source
    # assign
    name: str = ""
    op: str = ""
    value: str = ""
    value_start: int = 0
    override: bool = False
    export: bool | None = None
    target: str = ""  # a target-specific assignment's targets (raw)
    # rule
    prereqs: str = ""
    inline_recipe: tuple[str, int] | None = None  # `target: prereq ; recipe`
    # if
    cond: str = ""


def parse(source: Source) -> list[Stmt]:
    """The statements of a Makefile. Recipe lines are kept raw (make hands them to the shell
    after expanding); other lines lose their comments and join their continuations."""
    text = source.text
    out: list[Stmt] = []
    n = len(text)
    i = 0
    in_rule = False
    define: Stmt | None = None
    while i < n:
        line_end = _logical_end(text, i)
        raw = text[i:line_end]
        start = i
        i = line_end + 1
        if define is not None:
            if raw.strip() == "endef":
                out.append(define)
                define = None
            else:
                define.value += ("\n" if define.value else "") + raw
            continue
        if raw.startswith("\t") and in_rule:
            out.append(Stmt("recipe", raw, start, line_end, source))
            continue
        line = _strip_comment(raw)
        joined = _CONTINUATION.sub(" ", line)  # backslash-newline and the blanks around it: one space
        stripped = joined.strip()
        if not stripped:
            continue
        first = stripped.split(None, 1)[0]
        if first in ("ifeq", "ifneq", "ifdef", "ifndef"):
            out.append(Stmt("if", stripped, start, line_end, source, cond=stripped))
            continue
        if first == "else":
            out.append(Stmt("else", stripped, start, line_end, source, cond=stripped[4:].strip()))
            continue
        if first == "endif":
            out.append(Stmt("endif", stripped, start, line_end, source))
            continue
        if first in ("include", "-include", "sinclude"):
            out.append(Stmt("include", stripped, start, line_end, source, value=stripped[len(first):].strip(),
                            override=first != "include"))
            continue
        if first == "define" or (first in ("override", "export") and stripped.split()[1:2] == ["define"]):
            words = stripped.split()
            at = words.index("define")
            name = words[at + 1] if len(words) > at + 1 else ""
            op = words[at + 2] if len(words) > at + 2 else "="
            define = Stmt("assign", stripped, start, line_end, source, name=name, op=op if op in _ASSIGN_OPS else "=",
                          value="", value_start=line_end + 1, override="override" in words[:at],
                          export=True if "export" in words[:at] else None)
            continue
        stmt = _assignment_or_rule(joined, start, line_end, source, raw)
        if stmt is None:
            continue
        if stmt.kind == "rule":
            in_rule = True
        elif stmt.kind == "assign" and not stmt.target:
            pass  # an assignment between recipe lines does not end the rule's recipe in make
        out.append(stmt)
    return out


def _logical_end(text: str, i: int) -> int:
    """The end of the logical line starting at i (a backslash before the newline continues it)."""
    while True:
        j = text.find("\n", i)
        if j == -1:
            return len(text)
        k = j - 1
        if k >= i and text[k] == "\r":
            k -= 1
        backslashes = 0
        while k >= i and text[k] == "\\":
            backslashes += 1
            k -= 1
        if backslashes % 2 == 0:
            return j
        i = j + 1


def _strip_comment(line: str) -> str:
    """Drop a `#` comment (not escaped `\\#`) from a non-recipe line."""
    i = line.find("#")
    while i != -1:
        if i == 0 or line[i - 1] != "\\":
            return line[:i]
        i = line.find("#", i + 1)
    return line


def _assignment_or_rule(line: str, start: int, end: int, source: Source, raw: str) -> Stmt | None:
    words = line.split()
    override = export = False
    unexport = False
    rest = line.lstrip()
    offset = len(line) - len(rest)
    while words and words[0] in ("override", "export", "unexport", "private"):
        word = words.pop(0)
        override |= word == "override"
        export |= word == "export"
        unexport |= word == "unexport"
        cut = rest.index(word) + len(word)
        offset += cut
        rest = rest[cut:]
        offset += len(rest) - len(rest.lstrip())
        rest = rest.lstrip()
    colon, op, at = _first_operator(rest)
    if op:
        name = rest[:at].strip()
        value = rest[at + len(op):]
        lead = len(value) - len(value.lstrip())
        return Stmt("assign", line, start, end, source, name=name, op=op, value=value.strip(),
                    value_start=start + offset + at + len(op) + lead, override=override,
                    export=True if export else (False if unexport else None))
    if (export or unexport) and colon is None:
        return Stmt("unexport" if unexport else "export", line, start, end, source, value=rest.strip())
    if colon is None:
        return None  # vpath, undefine, a bare word: nothing gplint follows
    targets = rest[:colon].strip()
    after = rest[colon + 1:]
    if after.startswith(":"):
        after = after[1:]  # a double-colon rule
    recipe = None
    semi = after.find(";")
    prereq_part = after if semi == -1 else after[:semi]
    _, tvar_op, _ = _first_operator(prereq_part)
    if tvar_op:  # `target: VAR = value`: a target-specific variable
        inner = _assignment_or_rule(after, start, end, source, raw)
        if inner is not None and inner.kind == "assign":
            inner.target = targets
            inner.value_start = start + offset + colon + 1 + (inner.value_start - start)
            return inner
    if semi != -1:
        recipe = (after[semi + 1:], start + offset + colon + 1 + semi + 1)
    return Stmt("rule", line, start, end, source, name=targets, prereqs=prereq_part.strip(), inline_recipe=recipe)


def _first_operator(text: str) -> tuple[int | None, str, int]:
    """(index of the first rule colon, assignment operator, its index), outside `$(…)`."""
    depth = 0
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "$" and i + 1 < n and text[i + 1] in "({":
            depth += 1
            i += 2
            continue
        if c in ")}" and depth:
            depth -= 1
        elif depth == 0:
            if c == "=":
                prev = text[i - 1] if i else ""
                if prev in "?+!":
                    return None, prev + "=", i - 1
                return None, "=", i
            if c == ":":
                for op in (":::=", "::=", ":="):
                    if text.startswith(op, i):
                        return None, op, i
                return i, "", -1
        i += 1
    return None, "", -1


# -- evaluation -------------------------------------------------------------------------------
@dataclass(slots=True)
class Var:
    value: str  # recursive: as written; simple: expanded
    recursive: bool
    origin: str  # environment | file | command line | override | default
    export: bool | None = None  # None: make's default (exported if it came from the environment or command line)
    stmt: Stmt | None = None  # where the makefile set it
    env: object = None  # the caller's setting (environment / command line)


@dataclass(slots=True)
class Rule:
    targets: list[str]
    prereqs: list[str]
    recipe: list[Stmt] = field(default_factory=list)
    tvars: list[Stmt] = field(default_factory=list)


@dataclass(slots=True)
class ShellCall:
    """`$(shell …)`: a command make runs while expanding (at read time for `:=`, §17.4)."""

    text: str  # the command, expanded
    offsets: list[int]  # where each character came from in `source`
    source: Source
    stmt: Stmt


@dataclass(slots=True)
class Expanded:
    text: str
    offsets: list[int]  # offsets[i]: the file offset character i came from

    @property
    def unknown(self) -> bool:
        return UNKNOWN in self.text


class Makefile:
    """One make invocation's view of its makefiles: variables, rules, and what expanding costs."""

    def __init__(self, read, env: dict, cmdline: dict,
                 cwd: str, budget: int = 20_000):
        self.read = read  # repository-relative path -> list[Stmt] | None
        self.vars: dict[str, Var] = {}
        for name, (value, setting) in env.items():
            self.vars[name] = Var(UNKNOWN if value is None else value, False, "environment", env=setting)
        for name, (value, setting) in cmdline.items():
            self.vars[name] = Var(value, True, "command line", env=setting)
        self.vars.setdefault("MAKE", Var("make", False, "default"))
        self.vars.setdefault("SHELL", Var("/bin/sh", False, "default"))
        self.rules: dict[str, Rule] = {}
        self.patterns: list[Rule] = []
        self.first_target: str | None = None
        self.export_all = False
        self.one_shell = False
        self.env_overrides = False  # `make -e`: the environment beats the makefiles' assignments
        self.cwd = cwd
        self.shell_calls: list[ShellCall] = []
        self.budget = budget  # expansion steps left: a hostile makefile ends, it never hangs
        self.included: list[str] = []

    # -- reading --------------------------------------------------------------------------
    def load(self, path: str, depth: int = 0) -> bool:
        stmts = self.read(path)
        if stmts is None:
            return False
        self.included.append(path)
        self._run_stmts(stmts, depth)
        return True

    def _run_stmts(self, stmts: list[Stmt], depth: int) -> None:
        # conditionals: (is any enclosing branch off, was a branch taken: yes/no/maybe, active)
        stack: list[list] = []
        active = True
        rule: list[Rule] = []
        for stmt in stmts:
            kind = stmt.kind
            if kind == "if":
                verdict = self._condition(stmt) if active else "no"
                stack.append([active, verdict, verdict != "no" and active])
                active = stack[-1][2]
                continue
            if kind == "else":
                if not stack:
                    continue
                outer, taken, _ = stack[-1]
                if taken == "yes":
                    verdict = "no"
                elif stmt.cond:
                    verdict = self._condition(Stmt("if", stmt.cond, stmt.start, stmt.end, stmt.source,
                                                   cond=stmt.cond)) if outer else "no"
                    if taken == "maybe" and verdict == "yes":
                        verdict = "maybe"
                else:
                    verdict = "yes" if taken == "no" else "maybe"
                stack[-1][1] = "yes" if verdict == "yes" else ("maybe" if "maybe" in (verdict, taken) else "no")
                stack[-1][2] = outer and verdict != "no"
                active = stack[-1][2]
                continue
            if kind == "endif":
                if stack:
                    active = stack.pop()[0]
                continue
            if not active:
                continue
            if kind == "recipe":
                for r in rule:
                    r.recipe.append(stmt)
            elif kind == "rule":
                rule = self._rule(stmt)
            elif kind == "assign":
                if stmt.target:
                    for r in self._rule(Stmt("rule", stmt.text, stmt.start, stmt.end, stmt.source, name=stmt.target),
                                        define=False):
                        r.tvars.append(stmt)
                else:
                    self.assign(stmt)
            elif kind == "include":
                if depth < MAX_DEPTH:
                    included = self.expand(stmt.value, stmt.start, stmt)
                    for name in included.text.split():
                        if UNKNOWN not in name:
                            self.load(_join(self.cwd, name), depth + 1)
            elif kind in ("export", "unexport"):
                exported = self.expand(stmt.value, stmt.start, stmt).text.split()
                if not exported and kind == "export":
                    self.export_all = True
                for name in exported:
                    var = self.vars.get(name)
                    if var is None:
                        var = self.vars[name] = Var("", True, "file")  # exported once it gets a value
                    var.export = kind == "export"

    def _rule(self, stmt: Stmt, define: bool = True) -> list[Rule]:
        targets = self.expand(stmt.name, stmt.start, stmt).text.split()
        prereqs = [p for p in self.expand(stmt.prereqs, stmt.start, stmt).text.split() if p != "|"] \
            if define else []
        out = []
        for target in targets:
            if target == ".ONESHELL":
                self.one_shell = True
            elif target == ".EXPORT_ALL_VARIABLES":
                self.export_all = True
            if "%" in target:
                r = Rule([target], prereqs)
                self.patterns.append(r)
            else:
                known = self.rules.get(target)
                r = known if known is not None else Rule([target], [])
                self.rules[target] = r
                r.prereqs.extend(p for p in prereqs if p not in r.prereqs)
                if define and self.first_target is None and not target.startswith("."):
                    self.first_target = target
            out.append(r)
        if define and stmt.inline_recipe is not None:
            text, at = stmt.inline_recipe
            line = Stmt("recipe", "\t" + text, at - 1, stmt.end, stmt.source)
            for r in out:
                r.recipe.append(line)
        return out

    def assign(self, stmt: Stmt, into: dict[str, Var] | None = None) -> None:
        table = self.vars if into is None else into
        name = self.expand(stmt.name, stmt.start, stmt).text.strip()
        if not name or UNKNOWN in name:
            return
        old = table.get(name) if into is None else (table.get(name) or self.vars.get(name))
        if old is not None and old.origin == "command line" and not stmt.override:
            return  # a command-line value beats the makefile's (§17.2), unless `override`
        if old is not None and old.origin == "environment" and self.env_overrides and not stmt.override:
            return  # `make -e`
        op = stmt.op
        if op == "?=" and old is not None and old.origin != "default" and not (old.stmt is None and
                                                                                old.origin == "file" and not old.value):
            if old.export is None and stmt.export is not None:
                old.export = stmt.export
            return
        export = stmt.export if stmt.export is not None else (old.export if old is not None else None)
        origin = "override" if stmt.override else "file"
        if op == "+=" and old is not None and (old.value or old.stmt is not None or old.origin == "environment"):
            if old.recursive:
                new = Var(old.value + " " + stmt.value, True, origin, export, stmt, old.env)
            else:
                new = Var(old.value + " " + self.expand(stmt.value, stmt.value_start, stmt).text, False, origin,
                          export, stmt, old.env)
        elif op in (":=", "::=", ":::="):
            new = Var(self.expand(stmt.value, stmt.value_start, stmt).text.replace("$", "$$")
                      if op == ":::=" else self.expand(stmt.value, stmt.value_start, stmt).text,
                      op == ":::=", origin, export, stmt, old.env if old is not None else None)
        elif op == "!=":
            self._record_shell(stmt.value, stmt.value_start, stmt)
            new = Var(UNKNOWN, False, origin, export, stmt, old.env if old is not None else None)
        else:
            new = Var(stmt.value, True, origin, export, stmt, old.env if old is not None else None)
        if old is not None and old.origin == "environment":
            new.env = old.env  # still exported: it came from the environment (§17.3)
            if new.export is None:
                new.export = True
        table[name] = new

    def _condition(self, stmt: Stmt) -> str:
        """yes / no / maybe: a condition gplint cannot decide keeps every branch possible (§17.6)."""
        words = stmt.cond.split(None, 1)
        kind = words[0]
        rest = words[1] if len(words) > 1 else ""
        if kind in ("ifdef", "ifndef"):
            name = self.expand(rest.strip(), stmt.start, stmt).text.strip()
            var = self.vars.get(name)
            if var is None:
                known = False
            else:
                value = self.expand(var.value, stmt.start, stmt).text if var.recursive else var.value
                if UNKNOWN in value or var.value == UNKNOWN:
                    return "maybe"
                known = bool(var.value)
            return "yes" if known == (kind == "ifdef") else "no"
        pair = _condition_args(rest)
        if pair is None:
            return "maybe"
        left = self.expand(pair[0], stmt.start, stmt).text
        right = self.expand(pair[1], stmt.start, stmt).text
        if UNKNOWN in left or UNKNOWN in right:
            return "maybe"
        return "yes" if (left == right) == (kind == "ifeq") else "no"

    # -- expanding --------------------------------------------------------------------------
    def expand(self, text: str, at: int, stmt: Stmt, local: dict[str, Var] | None = None,
               auto: dict[str, str] | None = None, depth: int = 0) -> Expanded:
        """Expand make references in `text` (written at offset `at` of stmt's file)."""
        out: list[str] = []
        offsets: list[int] = []
        i = 0
        n = len(text)
        while i < n:
            self.budget -= 1
            if self.budget < 0 or len(out) > MAX_EXPANSION:
                out.append(UNKNOWN)
                offsets.extend([at + i] * len(UNKNOWN))
                break
            c = text[i]
            if c != "$" or i + 1 >= n:
                out.append(c)
                offsets.append(at + i)
                i += 1
                continue
            nxt = text[i + 1]
            if nxt == "$":
                out.append("$")
                offsets.append(at + i)
                i += 2
                continue
            if nxt in "({":
                close = _matching(text, i + 1)
                inner = text[i + 2:close if close != -1 else n]
                end = close + 1 if close != -1 else n
                value = self._reference(inner, at + i + 2, stmt, local, auto, depth)
            else:
                end = i + 2
                value = self._variable(nxt, stmt, local, auto, depth)
            for piece in value:
                out.append(piece)
            offsets.extend([at + i] * sum(len(p) for p in value))
            i = end
        return Expanded("".join(out), offsets)

    def _reference(self, inner: str, at: int, stmt: Stmt, local, auto, depth: int) -> list[str]:
        if depth >= MAX_DEPTH:
            return [UNKNOWN]
        head, _, args = inner.partition(" ")
        if head == "shell" and args:
            self._record_shell(args, at + len("shell") + 1, stmt, local, auto, depth)
            return [UNKNOWN]
        if head == "strip":
            return [" ".join(self.expand(args, at, stmt, local, auto, depth + 1).text.split())]
        if head in _FUNCTIONS:
            # still expand the arguments: a `$(shell …)` inside runs
            self.expand(args, at, stmt, local, auto, depth + 1)
            return [UNKNOWN]
        name = self.expand(inner, at, stmt, local, auto, depth + 1).text if "$" in inner else inner
        if ":" in name and "=" in name:  # $(VAR:a=b), a substitution reference
            base, _, pattern = name.partition(":")
            old, _, new = pattern.partition("=")
            value = "".join(self._variable(base, stmt, local, auto, depth))
            if UNKNOWN in value:
                return [UNKNOWN]
            if "%" not in old:
                old, new = "%" + old, "%" + new
            return [" ".join(_patsubst(old, new, w) for w in value.split())]
        return self._variable(name, stmt, local, auto, depth)

    def _variable(self, name: str, stmt: Stmt, local, auto, depth: int) -> list[str]:
        if auto is not None and name in auto:
            return [auto[name]]
        if name in ("@", "<", "^", "*", "?", "+", "|", "%") or name[:1] in "@<^*?+|%" and name[1:] in ("D", "F"):
            return [UNKNOWN]
        var = (local or {}).get(name) or self.vars.get(name)
        if var is None:
            return [""]
        if not var.recursive:
            return [var.value]
        return [self.expand(var.value, var.stmt.value_start if var.stmt else 0, var.stmt or stmt, local, auto,
                            depth + 1).text]

    def _record_shell(self, text: str, at: int, stmt: Stmt, local=None, auto=None, depth: int = 0) -> None:
        expanded = self.expand(text, at, stmt, local, auto, depth + 1)
        self.shell_calls.append(ShellCall(expanded.text, expanded.offsets, stmt.source, stmt))

    # -- running a goal ---------------------------------------------------------------------
    def rule_for(self, target: str) -> tuple[Rule | None, str]:
        """The rule that makes `target` and the stem of a pattern rule ('' for explicit rules)."""
        rule = self.rules.get(target)
        if rule is not None and rule.recipe:
            return rule, ""
        for pattern in self.patterns:
            stem = _stem(pattern.targets[0], target)
            if stem is not None and pattern.recipe:
                merged = Rule([target], (rule.prereqs if rule else []) + [p.replace("%", stem) for p in pattern.prereqs],
                              pattern.recipe, (rule.tvars if rule else []) + pattern.tvars)
                return merged, stem
        return rule, ""

    def goals(self, requested: list[str]) -> list[str]:
        if requested:
            return requested
        default = self.vars.get(".DEFAULT_GOAL")
        if default is not None and default.value and UNKNOWN not in default.value:
            return default.value.split()
        return [self.first_target] if self.first_target else []

    def exported(self, local: dict[str, Var]) -> dict[str, Var | None]:
        """The variables that reach a recipe's environment (§17.3)."""
        out: dict[str, Var | None] = {}
        for table in (self.vars, local):
            for name, var in table.items():
                if var.origin == "default" or not name.replace("_", "a").isalnum():
                    continue
                if var.export is True or (var.export is None and (self.export_all or var.origin in
                                                                  ("environment", "command line"))):
                    out[name] = var
                elif var.export is False:
                    out[name] = None
        return out

    def value_of(self, var: Var, local: dict[str, Var]) -> Expanded:
        stmt = var.stmt
        if stmt is None:
            return Expanded(var.value, [])
        if var.recursive:
            return self.expand(var.value, stmt.value_start, stmt, local)
        return Expanded(var.value, [])


def _condition_args(rest: str) -> tuple[str, str] | None:
    rest = rest.strip()
    if rest.startswith("("):
        close = _matching(rest, 0)
        if close == -1:
            return None
        inner = rest[1:close]
        depth = 0
        for i, c in enumerate(inner):
            if c in "({":
                depth += 1
            elif c in ")}":
                depth -= 1
            elif c == "," and depth == 0:
                return inner[:i].strip(), inner[i + 1:].strip()
        return None
    m = re.fullmatch(r"""(["'])(.*?)\1\s+(["'])(.*?)\3""", rest)
    return (m.group(2), m.group(4)) if m else None


def _matching(text: str, i: int) -> int:
    """The index of the bracket closing text[i] ( `(` or `{` ), or -1."""
    open_c = text[i]
    close_c = ")" if open_c == "(" else "}"
    depth = 0
    for j in range(i, len(text)):
        c = text[j]
        if c == open_c:
            depth += 1
        elif c == close_c:
            depth -= 1
            if depth == 0:
                return j
    return -1


def _stem(pattern: str, target: str) -> str | None:
    before, _, after = pattern.partition("%")
    if target.startswith(before) and target.endswith(after) and len(target) >= len(before) + len(after):
        return target[len(before):len(target) - len(after)]
    return None


def _patsubst(old: str, new: str, word: str) -> str:
    stem = _stem(old, word)
    return word if stem is None else new.replace("%", stem, 1)


def _join(cwd: str, path: str) -> str:
    return posixpath.normpath(posixpath.join(cwd, path)) if cwd else posixpath.normpath(path)


_FUNCTIONS = {
    "subst", "patsubst", "findstring", "filter", "filter-out", "sort", "word", "words", "wordlist",
    "firstword", "lastword", "dir", "notdir", "suffix", "basename", "addsuffix", "addprefix", "join",
    "wildcard", "realpath", "abspath", "error", "warning", "info", "origin", "flavor", "foreach", "if",
    "or", "and", "call", "eval", "file", "value", "guile", "let", "intcmp",
}


def recipe_body(stmt: Stmt) -> tuple[str, int]:
    """A recipe line without its tab and its `@ - +` prefixes (§17.5), and where that starts."""
    text = stmt.text
    i = 1 if text.startswith("\t") else 0
    while i < len(text) and text[i] in "@-+ \t":
        i += 1
    return text[i:], stmt.start + i


# -- a Makefile on its own ----------------------------------------------------------------------
# a recipe line that may start an image build once make expands it (`$(DOCKER) build`), or that
# runs a script of the repository (`./hack/build.sh`, `bash scripts/x`), which may: the command
# word only (`go test ./...` names a path, it runs none)
_COMMAND_AT = r"(?:^[\t ]*[@+-]*[\t ]*|[;&|(][\t ]*)"
_BUILD_LINE = re.compile(
    r"(?:\b(?:docker|podman|nerdctl)|\$[({][^)}\s]*[)}])\s+(?:(?:buildx|image|builder)\s+)?build\b"
    r"|\bbuildah\s+bud\b"
    rf"|{_COMMAND_AT}(?:(?:ba)?sh[\t ]+(?:-\w+[\t ]+)*)?(?:\./[\w$(){{}}./-]|[\w$(){{}}./-]*\.(?:sh|bash)\b)"
    rf"|{_COMMAND_AT}(?:ba)?sh[\t ]+(?:-\w+[\t ]+)*[\w.-]+/[\w./-]",
    re.M)


def lower(source: Source, files=None) -> Document:
    """A Makefile as a document: the values it exports (what reaches every recipe's
    environment, §17.3) are its settings, for the value rules. Its go commands are followed
    from the Dockerfile or CI job that runs make (analysis), where their environment is known.
    Its image builds are its own too: each target whose recipe runs `docker build` is one scope
    holding `make <target>` run in the Makefile's folder with an empty environment (§17.7), so
    a Makefile no CI calls is still a source of builds."""
    doc = Document(source)
    stmts = parse(source)
    if files is not None and _BUILD_WORDS.search(source.text):
        doc.scopes = _build_targets(source, stmts, files)
    make = Makefile(lambda rel: stmts if rel == "" else None, {}, {}, "", budget=50_000)
    make.load("")
    exported = make.exported({})
    for stmt in stmts:
        if stmt.kind != "assign" or stmt.target or "\n" in stmt.value:
            continue
        name = stmt.name.strip()
        if name not in exported and stmt.export is not True:
            continue
        if stmt.op == "+=":
            continue  # a piece of a value: the value rules judge whole values
        expanded = make.expand(stmt.value, stmt.value_start, stmt).text if stmt.op != "!=" else UNKNOWN
        unknown = UNKNOWN in expanded
        end = stmt.value_start + len(stmt.value)
        doc.global_settings.append(Setting(
            name, None if unknown else expanded, Span(stmt.start, stmt.end), Span(stmt.value_start, end),
            "export", source, Span(stmt.start, stmt.end), dynamic=unknown,
            raw_value=source.text[stmt.value_start:end]))
    return doc


_BUILD_WORDS = re.compile(r"\bbuild\b|\bbud\b|buildx")


def _build_targets(source: Source, stmts: list[Stmt], files) -> list:
    """One scope running `make -f <this file> <goals>` in its folder, the goals being the literal
    targets whose own recipe may run an image build or a script (a cheap scan of the recipe
    text; handoffs follows them for what they really run). One make run for all of them: the
    makefile is read once and each target made once, as make does. A `$(MAKE) -C dir` recipe
    is no goal: that Makefile is a source of builds itself."""
    from ..model import HandOff, Scope
    from .shell import Word

    if source.abspath == "-":
        return []
    rel = files.rel(source.abspath)
    if rel.startswith(".."):
        return []
    folder, name = posixpath.dirname(rel), posixpath.basename(rel)
    if name.lower() not in ("makefile", "gnumakefile"):
        return []  # a `*.mk` is included, and runs in its includer's folder: not known from here
    goals: list = []
    seen: set[str] = set()
    rule: Stmt | None = None
    builds = False

    def close() -> None:
        if rule is None or not builds:
            return
        at = rule.start
        for target in rule.name.split():
            start = source.text.find(target, at, rule.end)
            span = Span(start, start + len(target)) if start != -1 else Span(rule.start, rule.end)
            at = span.end if start != -1 else at
            if target in seen or target.startswith(".") or any(c in target for c in "$%()"):
                continue
            seen.add(target)
            goals.append(Word(target, span.start, span.end))

    for stmt in stmts:
        if stmt.kind == "rule":
            close()
            rule, builds = stmt, stmt.inline_recipe is not None and bool(_BUILD_LINE.search(stmt.inline_recipe[0]))
        elif stmt.kind == "recipe" and rule is not None and not builds:
            builds = bool(_BUILD_LINE.search(stmt.text))
    close()
    if not goals:
        return []
    span = Span(goals[0].start, goals[0].end)
    # `make -f <this file>`: this file even where a GNUmakefile beside it would shadow it
    args = [Word("-f", span.start, span.start), Word(name, span.start, span.start), *goals]
    handoff = HandOff("make", args, span, source, span, [], folder)
    return [Scope("job", "make", 0, source, span, [handoff])]
