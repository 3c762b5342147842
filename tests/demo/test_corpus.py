"""The benchmark corpus server: separate process, many loopback hosts, 304s, per-host stats."""

from __future__ import annotations

import gzip
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import pytest
from bench.corpus import MAX_PAGE_BYTES, MIN_PAGE_BYTES, BenchCorpus, host_ip

from tests.demo.conftest import fetch


@pytest.fixture(scope="module")
def corpus() -> Iterator[BenchCorpus]:
    with BenchCorpus(feeds=6, items=3, hosts=3, seed=2) as bench:
        yield bench


def test_host_addresses() -> None:
    assert host_ip(0) == "127.0.1.1" and host_ip(253) == "127.0.1.254"
    assert host_ip(254) == "127.0.2.1"


def test_feeds_spread_over_hosts_and_answer_304(corpus: BenchCorpus) -> None:
    urls = corpus.feed_urls()
    assert len(urls) == 6 and len({u.split("/")[2] for u in urls}) == 3
    first = fetch(urls[0])
    assert first.status == 200
    items = ET.fromstring(first.body).findall("channel/item")
    assert len(items) == 3
    assert fetch(urls[0], {"If-None-Match": first.headers["etag"]}).status == 304
    zipped = fetch(urls[0], {"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.body) == first.body
    assert fetch(urls[0].replace("127.0.1.1", "127.0.1.2")).status == 404  # wrong host


def test_article_pages_are_news_sized_and_match_page_bytes(corpus: BenchCorpus) -> None:
    urls = corpus.article_urls()
    assert len(urls) == 18
    pages = dict(corpus.page_bytes())
    assert set(pages) == set(urls)
    for url in urls[:4]:
        reply = fetch(url)
        assert reply.status == 200
        assert MIN_PAGE_BYTES <= len(reply.body) <= MAX_PAGE_BYTES
        assert reply.body == pages[url]
        assert b'<div class="article-body">' in reply.body
        assert fetch(url, {"If-None-Match": reply.headers["etag"]}).status == 304


def test_stats_per_host(corpus: BenchCorpus) -> None:
    corpus.reset_stats()
    assert corpus.stats() == {"requests": 0, "hosts": {}}
    for url in corpus.feed_urls():
        fetch(url)
    stats = corpus.stats()
    assert stats["requests"] == 6
    assert set(stats["hosts"]) == set(corpus.hosts())
    for host in stats["hosts"].values():
        assert host["requests"] == 2
        assert host["max_in_flight"] == 1 and host["max_connections"] >= 1
        assert host["min_interval_seconds"] > 0
