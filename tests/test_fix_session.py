"""The fix session builds every Project of a run from one RunContext, so a re-lint of fixed
texts sees the same options as the first lint (a re-lint that lost them silenced GP303/GP304
between fix passes)."""
from __future__ import annotations

import types

from gplint.fix_session import RunContext, parse_problem


def test_every_project_of_a_run_carries_the_options(tmp_path):
    options = {"allowed_proxies": ["https://proxy.corp.example"]}
    ctx = RunContext(str(tmp_path), [], types.SimpleNamespace(options=options))
    first, relint = ctx.project(), ctx.project({str(tmp_path / "Dockerfile"): "FROM golang\n"})
    assert first.options == options and relint.options == options
    assert relint.overrides == {str(tmp_path / "Dockerfile"): "FROM golang\n"} and first.overrides == {}


def test_a_fixed_text_that_no_longer_parses_is_refused():
    assert parse_problem("dockerfile", "FROM golang\nRUN go build ./...\n") is None
    assert parse_problem("github", "jobs: [unclosed\n") is not None
