"""Hostile and broken input: only ParseError (or its subclasses) may escape, and quickly."""

from __future__ import annotations

import contextlib
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mimir.errors import ParseError
from mimir.model import Selectors
from mimir.parse import decode_html, extract_article, find_feed_links, parse_feed, parse_listing
from tests.parse.conftest import NOW, sample

FEEDS = [
    "rss20_wordpress.xml",
    "atom10_blogger.xml",
    "rss10_rdf_drupal.xml",
    "jsonfeed11.json",
    "sitemap_news.xml",
    "sitemap_index.xml",
    "rss20_windows1251_no_prolog.xml",
    "billion_laughs.xml",
    "atom10_xml_base_relative.xml",
    "sitemap_urlset.xml.gz",
]
SAMPLES = {name: sample(name) for name in FEEDS}
FUZZ = settings(max_examples=60, deadline=2000, suppress_health_check=[HealthCheck.too_slow])


def _feed(body: bytes) -> None:
    started = time.perf_counter()
    with contextlib.suppress(ParseError):
        parse_feed(body, "https://ex.com/feed", now=NOW)
    assert time.perf_counter() - started < 2


@FUZZ
@given(st.binary(max_size=4096))
def test_random_bytes(body: bytes) -> None:
    _feed(body)


@FUZZ
@given(st.sampled_from(FEEDS), st.floats(min_value=0, max_value=1))
def test_truncated_samples(name: str, fraction: float) -> None:
    body = SAMPLES[name]
    _feed(body[: int(len(body) * fraction)])


@FUZZ
@given(st.sampled_from(FEEDS), st.integers(min_value=0), st.binary(min_size=1, max_size=8))
def test_corrupted_samples(name: str, position: int, junk: bytes) -> None:
    body = SAMPLES[name]
    at = position % max(len(body), 1)
    _feed(body[:at] + junk + body[at + len(junk) :])


@FUZZ
@given(st.text(max_size=2000))
def test_random_text_as_html(text: str) -> None:
    body = text.encode("utf-8", "surrogatepass")
    decode_html(body, None)
    find_feed_links(body, "https://ex.com/")
    parse_listing(body, "https://ex.com/", Selectors(), now=NOW)
    with contextlib.suppress(ParseError):
        extract_article(body, "https://ex.com/a", now=NOW)


@pytest.mark.parametrize("prefix", [b"<rss>", b"<feed>", b"<urlset>", b"<html>"])
def test_deep_nesting(prefix: str) -> None:
    body = prefix + b"<a>" * 50_000
    _feed(body)


def test_a_parser_crash_on_broken_markup_is_a_parse_error() -> None:
    """Found by test_corrupted_samples: seven junk bytes in a WordPress feed's <height> send
    feedparser's SGML fallback into its own TypeError. It is a ParseError, like any feed
    nothing can be read from, so the source records it and the others carry on."""
    body = SAMPLES["rss20_wordpress.xml"]
    at = body.index(b"<height>") + 2
    broken = body[:at] + b"\xbc\x9d>\xcd\x03\x9b\x8b" + body[at + 7 :]
    with pytest.raises(ParseError, match="the parser failed on malformed markup"):
        parse_feed(broken, "https://ex.com/feed", now=NOW)
