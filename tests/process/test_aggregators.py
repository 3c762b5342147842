"""Aggregator links: the article's own address when the link carries it."""

from __future__ import annotations

import pytest

from mimir.model import Entry, Source, SourceKind
from mimir.monitor.entries import candidates
from mimir.process.aggregators import feed_only, google_news_id_url, publisher_url

GN = "https://news.google.com"
# pre-2024 IDs as they appear in public bug reports (the address inside, then the AMP one)
T_ONLINE = (
    "CBMihQFodHRwczovL3d3dy50LW9ubGluZS5kZS9uYWNocmljaHRlbi91a3JhaW5lL2lkXzEwMDMxMDYxNi91a3JhaW5l"
    "LWtyaWVnLXJ1c3NsYW5kLXdlbGNoZXMtemllbC12ZXJmb2xndC1wdXRpbi1taXQtZGVtLWx1ZnRhbmdyaWZmLS5odG1s"
    "0gEA"
)
BBC = (
    "CBMiLmh0dHBzOi8vd3d3LmJiYy5jb20vbmV3cy9hcnRpY2xlcy9jampqbnhkdjE4OG_SATJodHRwczovL3d3dy5iYmMu"
    "Y29tL25ld3MvYXJ0aWNsZXMvY2pqam54ZHYxODhvLmFtcA"
)
# the post-2024 kind: an opaque token, resolved only by Google's own script
OPAQUE = (
    "CBMijAFBVV95cUxPX2gtRFd3ZXdiZGhueDVwWDJNUkg3eXhoRmloeE9kekpMaEJLckJENlBHYllvQ0JweGpQRDFKU3c0"
    "OFJ0Rno1eWxyM3NkblBKXzc2ZFpJWmYtSDdlSHNhUGVNSTdDcW1sR25fVEl4cGlhQW9xaWRWSmUxNFRLN1U2Rzc2RVFV"
    "SldLZFpncg"
)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            f"{GN}/articles/{T_ONLINE}?hl=de&gl=DE&ceid=DE%3Ade",
            "https://www.t-online.de/nachrichten/ukraine/id_100310616/"
            "ukraine-krieg-russland-welches-ziel-verfolgt-putin-mit-dem-luftangriff-.html",
        ),
        (f"{GN}/rss/articles/{BBC}?oc=5", "https://www.bbc.com/news/articles/cjjjnxdv188o"),
        (f"{GN}/read/{BBC}", "https://www.bbc.com/news/articles/cjjjnxdv188o"),
        (f"{GN}/rss/articles/{OPAQUE}?oc=5", None),
        (
            "https://www.google.com/url?rct=j&sa=t&url=https://www.tvtechnology.com/news/atsc-3"
            "&ct=ga&cd=CAIyGjE3&usg=AOvVaw2",
            "https://www.tvtechnology.com/news/atsc-3",
        ),
        (
            "https://www.google.co.uk/url?q=https://example.org/a%3Fb%3D1&sa=U",
            "https://example.org/a?b=1",
        ),
        (
            "http://www.bing.com/news/apiclick.aspx?ref=FexRss&aid=&tid=6B2&url=https%3a%2f%2f"
            "www.broadbandtvnews.com%2f2026%2f11%2f29%2fdvb-i%2f&c=4&mkt=en-gb",
            "https://www.broadbandtvnews.com/2026/11/29/dvb-i/",
        ),
        # not the article's address: nothing to follow
        ("https://www.google.com/url?url=javascript:alert(1)", None),
        ("https://www.google.com/search?q=atsc", None),
        (f"{GN}/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB", None),
        ("https://example.com/url?url=https://elsewhere.example/", None),
        ("not a url", None),
    ],
)
def test_publisher_url(url: str, expected: str | None) -> None:
    assert publisher_url(url) == expected


@pytest.mark.parametrize("bad", ["", "!!!", "CBMi", "CAASBggBEgIIAQ", "CBMi____", "A" * 3])
def test_google_news_ids_that_hold_no_address(bad: str) -> None:
    assert google_news_id_url(bad) is None


def test_only_google_news_links_without_an_address_are_feed_only() -> None:
    assert feed_only(f"{GN}/rss/articles/{OPAQUE}?oc=5")
    assert not feed_only(f"{GN}/rss/articles/{BBC}?oc=5")  # followed to the BBC instead
    assert not feed_only(f"{GN}/topics/CAAqJggKIiBDQkFTRWdvSUwyMHZNRGx6TVdZU0FtVnVHZ0pWVXlnQVAB")
    assert not feed_only("https://www.bbc.com/news/articles/cjjjnxdv188o")


def test_candidates_follow_the_address_and_keep_the_entry() -> None:
    source = Source(7, "GN", f"{GN}/rss/search?q=x", SourceKind.FEED, True, "news.google.com")
    entries = [
        Entry(url=f"{GN}/rss/articles/{BBC}?oc=5", guid=BBC, title="A - BBC"),
        Entry(url=f"{GN}/rss/articles/{OPAQUE}?oc=5", guid=OPAQUE, title="B - TV Tech"),
        Entry(url="https://www.bbc.com/news/articles/cjjjnxdv188o", title="A again"),
    ]
    got = candidates(source, entries)
    assert [(c.url, c.entry.title, c.feed_only) for c in got] == [
        ("https://www.bbc.com/news/articles/cjjjnxdv188o", "A - BBC", False),
        (f"{GN}/rss/articles/{OPAQUE}?oc=5", "B - TV Tech", True),
    ]
    assert got[0].entry.guid == BBC  # the entry's own identity in the feed is kept
