"""Facts of docs/semantics.md that were corrected after checking them against upstream source
(the "Where this reference departs from earlier notes" box): each test pins the real behaviour."""
from __future__ import annotations

from gplint.formats import glci
from gplint.model import walk
from gplint.project import Project
from gplint.source import Source


def _gitlab_env(tmp_path, text: str, job: str) -> dict:
    doc = glci.lower(Source(".gitlab-ci.yml", str(tmp_path / ".gitlab-ci.yml"), "gitlab", text),
                     Project(str(tmp_path)))
    scope, = [s for s in doc.scopes if s.name == job]
    env = next(e for ev, e in walk(scope) if type(ev).__name__ == "GoCommand")
    return {k: (env.get(k).value if env.get(k) else None) for k in ("GOPROXY", "GOFLAGS", "GOPRIVATE")}


def test_psych_merge_key_overrides_the_keys_before_it(tmp_path):
    """§13.5: Psych's revive_hash applies `<<` where it stands (hash.merge!), so keys written
    before it lose to the merge and keys after it win; within `<<: [*a, *b]` the earlier wins."""
    text = """.a: &a
  variables: {GOPROXY: https://from-a}
  image: golang
.b: &b
  variables: {GOPROXY: https://from-b, GOPRIVATE: b.example}
  script: [go vet]

before:
  variables: {GOPROXY: https://local}
  <<: *a
  script: [go build]

after:
  <<: *a
  variables: {GOPROXY: https://local}
  script: [go build]

listed:
  <<: [*a, *b]
"""
    assert _gitlab_env(tmp_path, text, "before")["GOPROXY"] == "https://from-a"
    assert _gitlab_env(tmp_path, text, "after")["GOPROXY"] == "https://local"
    # the merge is shallow: `variables` comes whole from .a, so b's GOPRIVATE is not there
    assert _gitlab_env(tmp_path, text, "listed") == {"GOPROXY": "https://from-a", "GOFLAGS": None,
                                                     "GOPRIVATE": None}
