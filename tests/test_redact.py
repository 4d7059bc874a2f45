"""Which text counts as a password, and how masking keeps positions usable."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gplint.redact import excerpt, redact, redact_line, secret_spans


@pytest.mark.parametrize("text,shown", [
    ("ENV GOPROXY=https://ci:PASSWORD@goproxy.corp.example/,DIRECT",
     "ENV GOPROXY=https://ci:****@goproxy.corp.example/,DIRECT"),
    ("https://a:PW1@h1,https://c:PW2@h2|direct", "https://a:****@h1,https://c:****@h2|direct"),
    ("https://u:p@ss@host/x", "https://u:****@host/x"),  # Go splits at the last @ of the authority
    ("https://u:p%40ss@host", "https://u:****@host"),
    ("GOPROXY=ci:PW@goproxy.corp.example", "GOPROXY=ci:****@goproxy.corp.example"),  # implicit https
    ('"https://a:PW@h"', '"https://a:****@h"'),
    ("http_proxy: 'http://u:PW@squid:3128'", "http_proxy: 'http://u:****@squid:3128'"),
    # not a password
    ("FROM golang:1.22@sha256:0123abcd", "FROM golang:1.22@sha256:0123abcd"),
    ("https://u:${TOKEN}@h https://u:$TOKEN@h https://u:${{secrets.T}}@h",
     "https://u:${TOKEN}@h https://u:$TOKEN@h https://u:${{secrets.T}}@h"),
    ("https://host:8080/path a@b git@github.com:org/repo.git http://u:@h",
     "https://host:8080/path a@b git@github.com:org/repo.git http://u:@h"),
])
def test_redact(text, shown):
    assert redact(text) == shown


def test_a_partial_reference_is_still_a_secret():
    assert redact("https://u:pre${X}@h") == "https://u:****@h"


def test_redact_line_maps_columns_to_the_masked_line():
    text = "ENV GOPROXY=https://ci:PASSWORD@goproxy.corp.example/,DIRECT"
    shown, moved = redact_line(text)
    assert shown[moved(text.index("DIRECT")):].startswith("DIRECT")
    assert moved(text.index("ci:")) == text.index("ci:")  # before the password: unchanged
    assert moved(text.index("SSW")) == text.index("PASSWORD")  # inside: the start of the mask
    assert shown[moved(text.index("@")):].startswith("@goproxy")


def test_excerpt_judges_a_span_by_its_line():
    text = "FROM x\nENV GOPROXY=https://ci:PASSWORD@goproxy.corp.example/\n"
    start = text.index("ci:")
    assert excerpt(text, start, text.index("@") + 1) == "ci:****@"
    assert excerpt(text, text.index("SSW"), text.index("@")) == "****"
    assert excerpt(text, 0, 4) == "FROM"


@given(st.lists(st.sampled_from(list("ab:@/,|$ {}\n'\"") + ["https://", "sha256:"]), max_size=30).map("".join))
def test_masking_never_keeps_a_password_and_maps_every_offset_in_bounds(text):
    shown, moved = redact_line(text)
    for start, end in secret_spans(text):
        assert 0 <= start < end <= len(text)
    assert secret_spans(shown) == [] or all(shown[s:e] == "****" for s, e in secret_spans(shown))
    previous = 0
    for offset in range(len(text) + 1):
        assert previous <= moved(offset) <= len(shown)
        previous = moved(offset)
