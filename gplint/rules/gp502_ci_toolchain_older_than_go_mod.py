"""GP502 ci-toolchain-older-than-go-mod: see GP502.md beside this module."""
from __future__ import annotations

import posixpath
import re

from ..analysis import GoRun, go_runs, setting_value
from ..diagnostic import Diagnostic, Edit, Fix
from ..kinds import GITHUB, GITLAB
from ..lazy_regex import lazy
from ..model import Document, Scope
from ..rulekit.toolchain_gate import consequence, refuses, satisfies
from ..semantics import goenv
from ..source import Span

CODE = "GP502"
KINDS = (GITHUB, GITLAB)

SETUP_GO = "actions/setup-go"
_CD = lazy(r"(?:^|[\s;&|(`])(?:cd|pushd)(?:\s|$)")
_MATRIX = lazy(r"\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}")
_ENV = lazy(r"\$\{\{\s*env\.([A-Za-z_][A-Za-z0-9_]*)\s*\}\}")
_LITERAL = lazy(r"v?(\d+\.\d+)(\.\d+|\.x)?")
NOT_LOADING = {"", "env", "version", "help"}


def check(doc: Document, project):
    if project is None or not project.go_files():
        return  # no go.mod or go.work: no version for a toolchain to be older than
    runs: dict[int, list[GoRun]] = {}
    for run in go_runs(doc, project):
        if _loads_main_module(run):
            runs.setdefault(id(run.scope), []).append(run)
    if not runs:
        return
    if doc.source.kind == GITHUB:
        yield from _github(doc, project, runs)
    else:
        for scope in doc.scopes:
            if id(scope) in runs:
                yield from _image_job(doc, project, scope, runs[id(scope)], None)


def _loads_main_module(run: GoRun) -> bool:
    """A go command that reads the main module's go.mod: not `go version`/`go env`, not
    `go install pkg@version` / `go run pkg@version` (they ignore the current module), not `-C dir`."""
    words = run.command.words
    sub = run.subcommand
    if sub in NOT_LOADING or "-C" in words or any(w.startswith("-C=") for w in words):
        return False
    if sub in ("install", "run") and any("@" in w for w in words[1:] if not w.startswith("-")):
        return False
    return True


def _toolchain_local(runs: list[GoRun], overridden: tuple = ()) -> bool:
    """Whether every go command of the job runs with switching off: GOTOOLCHAIN unset (the image's
    or setup-go's `local` then holds) or `local`. An `auto`/`path`/named value, or one we cannot
    read, keeps the rule silent (§15.1), unless it is set the `overridden` way: setup-go v6's
    $GITHUB_ENV export beats workflow and job `env:` (§12.2, §15.8)."""
    for run in runs:
        setting = run.env.effective("GOTOOLCHAIN")
        if setting is None or setting.how in overridden:
            continue
        value = setting_value(setting)
        if value is None or value.strip() != "local":
            return False
    return True


def _module_file(project, folder: str, runs: list[GoRun]) -> str | None:
    """The go.work (unless GOWORK=off) or go.mod that go finds from `folder` upward (§15.10)."""
    files = set(project.go_files())
    gowork = {setting_value(r.env.effective("GOWORK")) for r in runs}
    use_work = gowork <= {None, "", "auto"}
    if not (use_work or gowork == {"off"}):
        return None  # a GOWORK path (or mixed values) we do not follow
    for name in (("go.work", "go.mod") if use_work else ("go.mod",)):
        d = folder
        while True:
            candidate = posixpath.join(d, name) if d else name
            if candidate in files:
                return candidate
            if not d:
                break
            d = posixpath.dirname(d)
    return None


def _single_module(project) -> bool:
    """One go.mod at the root and no go.work: every folder of the checkout builds that module."""
    return project.go_files() == ["go.mod"]


def _requirement(project, path: str):
    source = project.source(path, "gomod")
    if source is None:
        return None
    found = goenv.go_mod_requirement(source.text, switching=False)  # GOTOOLCHAIN=local: the go line only
    if found is None:
        return None
    needed, start, end = found
    return needed, source.text[start:end].removeprefix("go"), source


# -- GitHub Actions ----------------------------------------------------------------------------

def _github(doc: Document, project, runs: dict[int, list[GoRun]]):
    if SETUP_GO not in doc.source.text and not any("golang" in (s.container or "") for s in doc.scopes):
        return  # neither a setup-go step nor a golang container: no toolchain this rule can name
    from ..formats.yamlpos import YNode

    # the tree the workflow was lowered from: setup-go's inputs are read there
    root = doc.yaml_root if isinstance(doc.yaml_root, YNode) else None
    jobs = root.get("jobs") if root is not None and root.kind == "map" else None
    if jobs is None or jobs.kind != "map":
        return
    scopes = {scope.name: scope for scope in doc.scopes}
    default_wd = _wd_default(root)
    for key, job in jobs.items:
        scope = scopes.get(key.value or "")
        if job.kind != "map" or scope is None or id(scope) not in runs:
            continue
        job_runs = runs[id(scope)]
        steps = job.get("steps")
        steps = steps.items if steps is not None and steps.kind == "seq" else []
        setup = [s for s in steps if s.kind == "map" and _uses(s).startswith(SETUP_GO + "@")]
        folder = _job_folder(doc, project, job, steps, job_runs, default_wd)
        if folder is None:
            continue
        if not setup:
            yield from _image_job(doc, project, scope, job_runs, job.get("container"), folder)
            continue
        if len(setup) > 1:
            continue
        yield from _setup_go(doc, project, scope, job, setup[0], job_runs, folder)


def _uses(step) -> str:
    uses = step.get("uses")
    return (uses.value or "") if uses is not None and uses.kind == "scalar" else ""


def _wd_default(node) -> str | None:
    defaults = node.get("defaults")
    run = defaults.get("run") if defaults is not None and defaults.kind == "map" else None
    wd = run.get("working-directory") if run is not None and run.kind == "map" else None
    return wd.value if wd is not None and wd.kind == "scalar" else None


def _job_folder(doc: Document, project, job, steps, job_runs, default_wd) -> str | None:
    """The one folder the job's go commands run in, relative to the checkout; None when they run
    in several, in one we cannot tell, or a `cd` may move them to another module."""
    job_wd = _wd_default(job) or default_wd
    text = doc.source.text
    starts = {r.command.stmt.start for r in job_runs}
    folders = set()
    for step in steps:
        if step.kind != "map" or step.start not in starts:
            continue
        wd_node = step.get("working-directory")
        wd = wd_node.value if wd_node is not None and wd_node.kind == "scalar" else job_wd
        folders.add(_relative(wd or "."))
    moved = any(_CD.search(text[s.start:s.end]) for s in steps if s.kind == "map" and s.get("run") is not None)
    if len(folders) != 1 or None in folders:
        return None
    folder = folders.pop()
    if moved and not _single_module(project):
        return None
    return folder


def _relative(path: str) -> str | None:
    if "${{" in path or path.startswith(("/", "~", "$")):
        return None
    normal = posixpath.normpath(path)
    return None if normal.startswith("..") else ("" if normal == "." else normal)


def _setup_go(doc: Document, project, scope: Scope, job, step, job_runs, folder: str):
    major = _setup_go_major(doc, step)
    if major is None or major < 6:
        return  # v3-v5 leave GOTOOLCHAIN alone: go >= 1.21 switches through GOPROXY (§12.7, §15.8)
    inputs = step.get("with")
    node = inputs.get("go-version") if inputs is not None and inputs.kind == "map" else None
    if node is None or node.kind != "scalar" or not _toolchain_local(job_runs, ("ci-env",)):
        return
    # a workflow or job `env: GOTOOLCHAIN: auto` does not survive setup-go's export (§15.8)
    masked = any((s := r.env.effective("GOTOOLCHAIN")) is not None and s.how == "ci-env"
                 and (setting_value(s) or "").strip() != "local" for r in job_runs)
    masked_note = (" (the job's `env: GOTOOLCHAIN` does not help: setup-go's export to $GITHUB_ENV "
                   "overrides workflow and job env)") if masked else ""
    path = _module_file(project, folder, job_runs)
    found = _requirement(project, path) if path else None
    if found is None:
        return
    needed, wanted, _ = found
    matrix_name = _MATRIX.fullmatch((node.value or "").strip())
    if matrix_name:
        values = _matrix_values(job, matrix_name.group(1))
        older = [(text, v) for text, v, _ in (_literal(n) for n in values) if v is not None
                 and not satisfies(v, needed) and refuses(v, needed)]
        if not older:
            return
        listed = ", ".join(f"`{t}`" for t, _ in older)
        yield Diagnostic(
            CODE, doc.source, Span(node.start, node.end),
            f"job `{scope.name}` runs go with actions/setup-go@v{major} and matrix value {listed}, but "
            f"{path} needs Go {wanted}: " + consequence(older[0][1], needed, wanted, False, "setup-go v6")
            + masked_note,
            stmt=Span(step.start, step.end), key=f"job:{scope.name}:setup-go",
        )
        return
    env_name = _ENV.fullmatch((node.value or "").strip())
    if env_name:
        # `${{ env.GO_VERSION }}`: the workflow's or job's literal value, unless a step writes it
        # to $GITHUB_ENV or the step's own env sets it (§12.1, §12.2); reported where it is written
        node = _env_node(scope, step, env_name.group(1))
        if node is None:
            return
    text, version, numeric = _literal(node)
    written = node.source_text if hasattr(node, "source_text") else doc.source.text[node.start:node.end]
    mangled = numeric and text != written  # `1.20` read as 1.2: never what was meant
    if version is None or satisfies(version, needed) or not (mangled or refuses(version, needed)):
        return
    pitfall = (f" (`go-version: {written}` is the YAML number {text}, so setup-go resolves Go {text}.x, "
               f"not {written}: quote versions)") if mangled else ""
    new = f"'{wanted}'" if node.style is None and _is_float_pitfall(wanted) else wanted
    if node.style in ("'", '"'):
        new = node.style + wanted + node.style
    fix = Fix("unsafe", f"Set go-version to {wanted}, the version {path} needs",
              [Edit.replace(doc.source, Span(node.start, node.end), new)])
    yield Diagnostic(
        CODE, doc.source, Span(node.start, node.end),
        f"job `{scope.name}` sets up Go {text} with actions/setup-go@v{major}, but {path} needs Go {wanted}{pitfall}: "
        + (f"Go {text} is not the release line that was meant" if mangled and not refuses(version, needed)
           else consequence(version, needed, wanted, False, "setup-go v6")) + masked_note,
        fix=fix, stmt=Span(step.start, step.end), key=f"job:{scope.name}:setup-go",
    )


class _EnvValue:
    """A workflow or job `env:` value standing in for the go-version node it feeds."""

    def __init__(self, setting):
        self.value = setting.value
        self.start, self.end = setting.value_span.start, setting.value_span.end
        self.source_text = setting.raw_value
        raw = setting.raw_value
        self.style = raw[0] if raw[:1] in ("'", '"') else None
        self.tag = None


def _env_node(scope: Scope, step, name: str):
    own = step.get("env")
    if own is not None and own.kind == "map" and own.get(name) is not None:
        return None
    if any(getattr(e, "name", None) == name for e in scope.events):
        return None  # written by a step ($GITHUB_ENV) or a step env: not one literal
    setting = scope.initial.get(name)
    if setting is None or setting.dynamic or setting.value is None or setting.value_span is None:
        return None
    return _EnvValue(setting)


def _setup_go_major(doc: Document, step) -> int | None:
    """The major version of `actions/setup-go@v6…`, or of a commit pinned with a `# v6…` comment."""
    ref = _uses(step).partition("@")[2]
    m = re.fullmatch(r"v(\d+)(?:\.\d+){0,2}", ref)
    if m:
        return int(m.group(1))
    if re.fullmatch(r"[0-9a-f]{40}", ref):
        uses = step.get("uses")
        text = doc.source.text
        comment = text[uses.end:doc.source.line_end(uses.end)]
        m = re.match(r"\s+#\s*v?(\d+)(?:\.\d+){0,2}\b", comment)
        if m:
            return int(m.group(1))
    return None


def _literal(node) -> tuple[str, tuple | None, bool]:
    """(the version setup-go is given, parsed or None, whether YAML read it as a number). A plain
    `1.20` is the number 1.2 to the workflow parser (§15.9); `1.21.x` and `1.21` mean
    the newest 1.21 release; ranges, aliases (`stable`) and pre-releases are not judged."""
    text = (node.value or "").strip()
    numeric = node.style is None and node.tag is None and re.fullmatch(r"\d+\.\d+", text) is not None
    if numeric:
        text = repr(float(text))
    m = _LITERAL.fullmatch(text)
    if not m:
        return text, None, numeric
    version = goenv.parse_go_version(m.group(1) + (m.group(2) if m.group(2) and m.group(2) != ".x" else ""))
    return text, version, numeric


def _is_float_pitfall(version: str) -> bool:
    return re.fullmatch(r"\d+\.\d+", version) is not None and repr(float(version)) != version


def _matrix_values(job, name: str) -> list:
    strategy = job.get("strategy")
    matrix = strategy.get("matrix") if strategy is not None and strategy.kind == "map" else None
    if matrix is None or matrix.kind != "map" or matrix.get("exclude") is not None:
        return []
    out: list = []
    entry = matrix.get(name)
    if entry is not None:
        if entry.kind != "seq":
            return []
        out.extend(i for i in entry.items if i.kind == "scalar")
    include = matrix.get("include")
    if include is not None and include.kind == "seq":
        for item in include.items:
            value = item.get(name) if item.kind == "map" else None
            if value is not None and value.kind == "scalar":
                out.append(value)
    return out


# -- a job in a golang container (GitHub `container:`, GitLab `image:`) -------------------------

def _image_job(doc: Document, project, scope: Scope, job_runs, node, folder: str = ""):
    image = scope.container
    if not image or not _toolchain_local(job_runs):
        return
    name, _, tag = image.partition("@")[0].rpartition(":")
    if name.rsplit("/", 1)[-1] != "golang" or name.count("/") > 2:
        return
    parsed = goenv.golang_image_version(tag)
    if parsed is None:
        return
    version, suffix = parsed
    if doc.source.kind == GITLAB:
        if _moves(doc, scope) and not _single_module(project):
            return
    path = _module_file(project, folder, job_runs)
    found = _requirement(project, path) if path else None
    if found is None:
        return
    needed, wanted, _ = found
    if satisfies(version, needed) or not refuses(version, needed):
        return
    span, fix = _image_place(doc, scope, node, image, tag, suffix, wanted)
    yield Diagnostic(
        CODE, doc.source, span,
        f"job `{scope.name}` runs go in {image}, but {path} needs Go {wanted}: "
        + consequence(version, needed, wanted, False, "the official golang image"),
        fix=fix, stmt=scope.span, key=f"job:{scope.name}:image",
    )


def _moves(doc: Document, scope: Scope) -> bool:
    """A `cd` (or pushd) anywhere in the job's own text or in a script line it runs."""
    text = doc.source.text
    if _CD.search(text[scope.span.start:scope.span.end]):
        return True
    return any(_CD.search(e.source.text[e.stmt.start:e.stmt.end]) for e in scope.events
               if hasattr(e, "stmt") and hasattr(e, "source"))


def _image_place(doc: Document, scope: Scope, node, image: str, tag: str, suffix: str, wanted: str):
    """Where the image is written (with a fix raising its tag): in the job, else the one place
    in this file that names it (a template, `default:`); the job itself when it is written
    several times or in another file (an include)."""
    text = doc.source.text
    if node is not None and node.kind == "map":
        node = node.get("image")
    if node is not None and node.kind == "scalar":
        start, end = node.start, node.end
    else:
        # in the job, else (a template, `default:`) the one place in this file that names it
        start = _only(text, image, scope.span.start, scope.span.end)
        if start is None and image not in text[scope.span.start:scope.span.end]:
            start = _only(text, image, 0, len(text))
        if start is None:
            return scope.span, None
        end = start + len(image)
    raw = text[start:end]
    at = raw.rfind(":" + tag)
    if at == -1 or "$" in raw:
        return Span(start, end), None
    begin = start + at + 1
    ver_text = tag[: len(tag) - len(suffix)] if suffix else tag
    return Span(start, end), Fix("unsafe", f"Use golang:{wanted}{suffix}",
                                 [Edit.replace(doc.source, Span(begin, begin + len(ver_text)), wanted)])


def _only(text: str, word: str, start: int, end: int) -> int | None:
    """Where the image reference `word` is written, as a whole reference (not the front of
    `golang:1.21-alpine`), when it is written exactly once between start and end."""
    pattern = re.compile(r"(?<![\w./:@-])" + re.escape(word) + r"(?![\w./:@-])")
    found = [m.start() for m in pattern.finditer(text, start, end)]
    return found[0] if len(found) == 1 else None
