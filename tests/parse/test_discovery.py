from __future__ import annotations

import pytest

from mimir.parse import COMMON_FEED_PATHS, FeedLink, find_feed_links, sitemaps_from_robots
from mimir.parse.discovery import article_page
from tests.parse.conftest import sample


def test_alternate_links_first_then_guesses() -> None:
    links = find_feed_links(
        sample("html_served_as_feed.html"), "https://broadcastledger.example.com/missing"
    )
    assert links == [
        FeedLink(
            "https://broadcastledger.example.com/feed/", "rss", "Broadcast Tech Ledger » Feed"
        ),
        FeedLink(
            "https://broadcastledger.example.com/comments/feed/",
            "rss",
            "Broadcast Tech Ledger » Comments Feed",
        ),
    ]  # the <a href="/feed/"> is the same URL as the first: listed once


def test_types_and_anchor_guesses() -> None:
    html = """<html><head>
    <link rel="alternate" type="application/atom+xml" href="/atom.xml" title="Atom">
    <link rel="alternate" type="application/feed+json" href="feed.json">
    <link rel="alternate" hreflang="de" href="/de/">
    <link rel="stylesheet" type="text/css" href="/s.css">
    </head><body><a href="/news/rss.xml">RSS</a> <a href="/about">About</a>
    <a href="?feed=rss2">feed</a></body></html>"""
    links = find_feed_links(html, "https://ex.com/blog/")
    assert [(link.url, link.type) for link in links] == [
        ("https://ex.com/atom.xml", "atom"),
        ("https://ex.com/blog/feed.json", "json"),
        ("https://ex.com/news/rss.xml", "guess"),
        ("https://ex.com/blog/?feed=rss2", "guess"),
    ]


def test_nothing_on_empty_pages() -> None:
    assert find_feed_links(b"", "https://ex.com/") == []
    assert find_feed_links("   ", "https://ex.com/") == []


def test_common_paths() -> None:
    assert COMMON_FEED_PATHS[0] == "/feed"
    for path in (
        "/rss.xml",
        "/atom.xml",
        "/feeds/posts/default",
        "/?feed=rss2",
        "/feed.json",
        "/sitemap.xml",
        "/news-sitemap.xml",
        "/index.xml",
    ):
        assert path in COMMON_FEED_PATHS


def test_sitemaps_from_robots() -> None:
    robots = """User-agent: *
Disallow: /admin/
# Sitemap: https://ex.com/commented.xml
Sitemap: https://ex.com/sitemap_index.xml
sitemap:/news-sitemap.xml
SITEMAP: https://ex.com/sitemap_index.xml
Sitemap: ftp://ex.com/nope.xml
"""
    assert sitemaps_from_robots(robots, "https://ex.com/robots.txt") == [
        "https://ex.com/sitemap_index.xml",
        "https://ex.com/news-sitemap.xml",
    ]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (
            '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "X"}</script>',
            "its JSON-LD describes one NewsArticle",
        ),
        (
            '<script type="application/ld+json">{"@graph": [{"@type": "WebSite"}, '
            '{"@type": ["BlogPosting", "Thing"]}]}</script>',
            "its JSON-LD describes one BlogPosting",
        ),
        (
            '<meta property="og:type" content="article">'
            '<meta property="article:published_time" content="2026-11-27T09:00:00Z">',
            "its OpenGraph type is article, with a publication time",
        ),
        # a section page some CMSs also call "article", without an article's time
        ('<meta property="og:type" content="article">', None),
        # a news index: a list of articles is no article
        (
            '<script type="application/ld+json">[{"@type": "NewsArticle"}, '
            '{"@type": "NewsArticle"}]</script>',
            None,
        ),
        (
            '<script type="application/ld+json">{"@type": "ItemList", "itemListElement": '
            '[{"@type": "NewsArticle"}]}</script>',
            None,
        ),
        ("", None),
    ],
)
def test_article_page(head: str, expected: str | None) -> None:
    page = f"<html><head><title>T</title>{head}</head><body><p>text</p></body></html>"
    assert article_page(page) == expected
