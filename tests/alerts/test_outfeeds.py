"""Output feeds: Atom, RSS 2.0 and JSON Feed documents parsed back by feedparser and json."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.etree
import pytest

from mimir.alerts.outfeeds import (
    CONTENT_TYPES,
    FeedMeta,
    mint_feed_token,
    render_atom,
    render_json_feed,
    render_rss,
)
from mimir.model.alerts import AlertArticle, DigestItem
from mimir.parse.feeds import parse_feed

TOKEN = "q7W0xq1s0lWc7kqv2y1RzB2q8n0ZJ1v7s0p6tA9m3cE"
META = FeedMeta(
    title='Watch: "M&A" <deals>',
    feed_url=f"https://mimir.example/feeds/{TOKEN}.atom",
    updated=datetime(2026, 3, 14, 9, 30, tzinfo=UTC),
    home_url="https://mimir.example/watches/4",
)
ITEMS = [
    DigestItem(
        AlertArticle(
            10,
            'Acme & Co to buy <Widget> "Inc"\x0b for $1bn',
            "https://news.example/acme?id=1&x=2",
            "Reuters",
            datetime(2026, 3, 14, 8, 15, tzinfo=UTC),
            "Acme agreed a merger with Widget Inc.\x00",
        ),
        matched_terms=("merger", "acme"),
        story_id=3,
        alert_id=70,
        also=(AlertArticle(11, "Acme buys Widget", "https://ap.example/a", "AP"),),
    ),
    DigestItem(
        AlertArticle(12, "Undated story", "javascript:alert(1)", None, None, None),
        matched_terms=(),
        story_id=4,
    ),
]


def meta_for(fmt: str) -> FeedMeta:
    return FeedMeta(
        META.title, META.feed_url.replace(".atom", f".{fmt}"), META.updated, META.home_url
    )


def test_atom_parses_back() -> None:
    body = render_atom(META, ITEMS)
    lxml.etree.fromstring(body)  # well-formed XML (control characters dropped)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "atom10"
    assert parsed.feed.title == 'Watch: "M&A" <deals>'
    links = {link.rel: link.href for link in parsed.feed.links}
    assert links == {"self": META.feed_url, "alternate": "https://mimir.example/watches/4"}
    assert parsed.feed.updated_parsed[:6] == (2026, 3, 14, 9, 30, 0)
    first, second = parsed.entries
    assert first.title == 'Acme & Co to buy <Widget> "Inc" for $1bn'
    assert first.link == "https://news.example/acme?id=1&x=2"
    assert first.id == "https://news.example/acme?id=1&x=2"
    assert first.published_parsed[:6] == (2026, 3, 14, 8, 15, 0)
    assert first.author == "Reuters"
    assert [t.term for t in first.tags] == ["merger", "acme"]
    # feed readers (feedparser among them) drop <mark>; the <strong> inside keeps the highlight
    assert "<strong>merger</strong>" in first.content[0].value
    assert b"&lt;mark&gt;&lt;strong&gt;merger&lt;/strong&gt;&lt;/mark&gt;" in body
    assert "Also in 1 other source" in first.content[0].value
    # an entry without a usable link or date still has an id and the feed's date
    assert second.id == "urn:mimir:article:12"
    assert "link" not in second or "javascript" not in second.link
    assert second.updated_parsed[:6] == (2026, 3, 14, 9, 30, 0)


def test_rss_parses_back() -> None:
    meta = meta_for("rss")
    body = render_rss(meta, ITEMS)
    lxml.etree.fromstring(body)
    parsed = feedparser.parse(body)
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert parsed.version == "rss20"
    assert parsed.feed.title == 'Watch: "M&A" <deals>'
    assert parsed.feed.link == "https://mimir.example/watches/4"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [meta.feed_url]
    first, second = parsed.entries
    assert first.title == 'Acme & Co to buy <Widget> "Inc" for $1bn'
    assert first.link == "https://news.example/acme?id=1&x=2"
    assert first.id == "https://news.example/acme?id=1&x=2"
    assert b'<guid isPermaLink="true">https://news.example/acme?id=1&amp;x=2</guid>' in body
    assert first.published_parsed[:6] == (2026, 3, 14, 8, 15, 0)
    assert first.author == "Reuters"
    assert "<strong>merger</strong>" in first.summary
    assert second.id == "urn:mimir:article:12"
    assert b'<guid isPermaLink="false">urn:mimir:article:12</guid>' in body
    assert b"<pubDate>Sat, 14 Mar 2026 08:15:00 GMT</pubDate>" in body


def test_json_feed_parses_back() -> None:
    meta = meta_for("json")
    feed = json.loads(render_json_feed(meta, ITEMS))
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] == 'Watch: "M&A" <deals>'
    assert feed["feed_url"] == meta.feed_url
    assert feed["home_page_url"] == "https://mimir.example/watches/4"
    first, second = feed["items"]
    assert first["id"] == first["url"] == "https://news.example/acme?id=1&x=2"
    assert first["title"] == 'Acme & Co to buy <Widget> "Inc" for $1bn'
    assert first["date_published"] == "2026-03-14T08:15:00Z"
    assert first["authors"] == [{"name": "Reuters"}]
    assert first["tags"] == ["merger", "acme"]
    assert "<mark><strong>merger</strong></mark>" in first["content_html"]
    assert first["_mimir"] == {
        "alert_id": 70,
        "story_id": 3,
        "article_id": 10,
        "source": "Reuters",
        "other_sources": ["AP"],
        "matched_terms": ["merger", "acme"],
    }
    assert "url" not in second and second["id"] == "urn:mimir:article:12"



@pytest.mark.parametrize(
    ("render", "fmt"), [(render_atom, "atom10"), (render_rss, "rss20"), (render_json_feed, "json")]
)
def test_mimir_reads_its_own_feeds(render: Any, fmt: str) -> None:
    """Mimir itself can subscribe to a watch's feed (its own ingest parser reads all three).

    (Mimir's parser reads titles as HTML, so these titles carry no angle brackets.)
    """
    meta = FeedMeta('Watch: "M&A"', META.feed_url, META.updated)
    lead = ITEMS[0].lead
    items = [DigestItem(AlertArticle(10, 'Acme & Co to buy "Widget"', lead.url, "Reuters",
                                     lead.published_at, "Acme agreed a merger."), ("merger",))]
    parsed = parse_feed(render(meta, items), META.feed_url, now=datetime(2026, 3, 15, tzinfo=UTC))
    assert parsed.format.startswith(fmt)
    assert parsed.title == 'Watch: "M&A"'
    (first,) = parsed.entries
    assert first.url == "https://news.example/acme?id=1&x=2"
    assert first.title == 'Acme & Co to buy "Widget"'
    assert first.published_at == datetime(2026, 3, 14, 8, 15, tzinfo=UTC)
    assert first.authors == ("Reuters",)


@pytest.mark.parametrize("render", [render_atom, render_rss])
def test_an_empty_feed_is_valid(render: Any) -> None:
    parsed = feedparser.parse(render(META, []))
    assert not parsed.bozo and parsed.entries == []
    assert parsed.feed.title == 'Watch: "M&A" <deals>'
    assert json.loads(render_json_feed(META, []))["items"] == []


def test_feed_tokens_are_unguessable_and_url_safe() -> None:
    tokens = {mint_feed_token() for _ in range(200)}
    assert len(tokens) == 200
    assert all(len(t) >= 43 and t.replace("-", "").replace("_", "").isalnum() for t in tokens)
    assert CONTENT_TYPES["json"].startswith("application/feed+json")
