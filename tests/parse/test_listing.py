from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mimir.errors import ParseError
from mimir.model import Selectors
from mimir.parse import parse_listing
from tests.parse.conftest import NOW, sample

PAGE = "https://press.examplecast.com/releases"
FULL = Selectors(
    article_list="li.release-card",
    article_link="h3 a",
    title=".release-title",
    date="time, .date",
    summary=".teaser",
    next_page="a.next",
    date_format="%d/%m/%Y",
)


def test_listing_with_containers() -> None:
    feed = parse_listing(sample("pressroom_listing.html"), PAGE, FULL, now=NOW)
    assert feed.format == "listing"
    assert feed.title == "Press releases | ExampleCast Networks Newsroom"
    assert [(e.url, e.title, e.published_at) for e in feed.entries] == [
        (
            "https://press.examplecast.com/releases/2026/examplecast-launches-atsc-3-0-in-denver",
            "ExampleCast launches ATSC 3.0 in Denver",
            datetime(2026, 3, 3, 20, 0, tzinfo=UTC),
        ),
        (
            # <base href> applies, the fragment is dropped
            "https://press.examplecast.com/releases/2026/q4-results",
            "ExampleCast reports fourth-quarter results",
            datetime(2026, 2, 25, tzinfo=UTC),
        ),
        (
            "https://press.examplecast.com/releases/2026/fast-channels-expand",
            "ExampleCast expands FAST channel line-up",
            datetime(2026, 2, 18, tzinfo=UTC),
        ),
    ]
    assert (
        feed.entries[0].summary
        == "Four stations now broadcast NextGen TV signals from the Lookout Mountain site."
    )
    assert feed.entries[0].language == "en"
    assert feed.next_urls == ["https://press.examplecast.com/releases?page=2"]


def test_listing_page_two_has_no_next() -> None:
    feed = parse_listing(sample("pressroom_listing_page2.html"), PAGE + "?page=2", FULL, now=NOW)
    assert [e.title for e in feed.entries] == [
        "ExampleCast opens new centralised master control",
        "ExampleCast weather teams win regional awards",
    ]
    assert feed.entries[1].published_at == datetime(2026, 1, 12, tzinfo=UTC)
    assert feed.next_urls == []


@pytest.mark.parametrize(
    "link_selector", ["h3.release-title", "h3.release-title a", ".release-card"]
)
def test_article_link_alone(link_selector: str) -> None:
    feed = parse_listing(
        sample("pressroom_listing.html"), PAGE, Selectors(article_link=link_selector), now=NOW
    )
    assert [e.url.rsplit("/", 1)[-1] for e in feed.entries] == [
        "examplecast-launches-atsc-3-0-in-denver",
        "q4-results",
        "fast-channels-expand",
    ]
    assert feed.entries[0].published_at == datetime(
        2026, 3, 3, 20, 0, tzinfo=UTC
    )  # <time> in the card


def test_heuristic_without_selectors() -> None:
    feed = parse_listing(
        sample("pressroom_bare.html"),
        "https://www.sendernetz-nord.example.de/presse/",
        Selectors(),
        now=NOW,
    )
    assert [(e.url, e.title) for e in feed.entries] == [
        (
            "https://www.sendernetz-nord.example.de/presse/2026/dab-ausbau-schleswig-holstein.html",
            "DAB+-Ausbau in Schleswig-Holstein abgeschlossen",
        ),
        (
            "https://www.sendernetz-nord.example.de/presse/2026/ukw-restlaufzeit.html",
            "UKW-Restlaufzeit: Sendernetz Nord begrüßt Klarheit",
        ),
    ]
    assert feed.language == "de"
    # no <time>: the date written in the card, day first as German pages write it
    assert [e.published_at for e in feed.entries] == [
        datetime(2026, 3, 3, tzinfo=UTC),
        datetime(2026, 2, 24, tzinfo=UTC),
    ]


def test_heuristic_finds_releases_listed_without_headings() -> None:
    """A corporate press room: one <article> around the whole page, releases as list items
    with a date and a link, a header menu and a footer heading with long link texts."""
    page = "https://corp.example.com/press/"
    feed = parse_listing(sample("pressroom_list_items.html"), page, Selectors(), now=NOW)
    base = "https://corp.example.com/press/2026/"
    assert [(e.url, e.published_at) for e in feed.entries] == [
        (f"{base}nextgen-tv-four-markets", datetime(2026, 2, 28, tzinfo=UTC)),
        (f"{base}dvb-i-pilot", datetime(2026, 2, 21, tzinfo=UTC)),
        (f"{base}q4-results", datetime(2026, 2, 14, tzinfo=UTC)),
        (f"{base}no-date", None),
    ]
    assert feed.entries[0].title == "NextGen TV reaches four more markets"


def test_heuristic_headings_leave_out_page_furniture() -> None:
    body = b"""<html><body>
    <nav><h2><a href="/topics/all-of-our-topics">All of our topics here</a></h2></nav>
    <div class="teaser"><h2><a href="/n/1">First story</a></h2></div>
    <div class="teaser"><h3><a href="/n/2">Second story</a></h3></div>
    <aside><h3><a href="/n/popular">Most popular this week on the site</a></h3></aside>
    <footer><h2><a href="/imprint">Imprint</a></h2></footer></body></html>"""
    feed = parse_listing(body, "https://ex.com/news/", Selectors(), now=NOW)
    assert [e.url for e in feed.entries] == ["https://ex.com/n/1", "https://ex.com/n/2"]


def test_heuristic_leaves_out_site_home_pages() -> None:
    """Yahoo's home page lists its other sites beside its stories ("Yahoo Screen", "Flickr"):
    a site's home page is no article. A listing's own selectors are taken at their word."""
    body = b"""<html><body>
    <div class="teaser"><h3><a href="http://uk.screen.yahoo.com/">Yahoo Screen</a></h3></div>
    <div class="teaser"><h3><a href="http://flickr.com">Flickr</a></h3></div>
    <div class="teaser"><h3><a href="/news/plane-lost-093510948.html">Plane lost</a></h3></div>
    <div class="teaser"><h3><a href="/?p=123">A post by its number</a></h3></div>
    </body></html>"""
    feed = parse_listing(body, "https://uk.yahoo.com/", Selectors(), now=NOW)
    assert [e.url for e in feed.entries] == [
        "https://uk.yahoo.com/news/plane-lost-093510948.html",
        "https://uk.yahoo.com/?p=123",
    ]
    chosen = parse_listing(body, "https://uk.yahoo.com/", Selectors(article_link="h3 a"), now=NOW)
    assert len(chosen.entries) == 4


def test_heuristic_prefers_articles() -> None:
    body = b"""<html><body><h2><a href="/nav">Menu</a></h2>
    <article><span>Tag</span><h2><a href="/a/1">First story</a></h2>
    <time datetime="2026-03-01">x</time></article>
    <article><a href="/a/2">Second story</a></article></body></html>"""
    feed = parse_listing(body, "https://ex.com/news/", Selectors(), now=NOW)
    assert [(e.url, e.title) for e in feed.entries] == [
        ("https://ex.com/a/1", "First story"),
        ("https://ex.com/a/2", "Second story"),
    ]
    assert feed.entries[0].published_at == datetime(2026, 3, 1, tzinfo=UTC)


@pytest.mark.parametrize("field", ["article_list", "article_link", "title", "date", "next_page"])
def test_invalid_selector_is_named(field: str) -> None:
    fields = {"article_list": "li.release-card", "article_link": "a", field: "li[[["}
    selectors = Selectors(**fields)
    with pytest.raises(ParseError, match=r"invalid CSS selector 'li\[\[\['"):
        parse_listing(sample("pressroom_listing.html"), PAGE, selectors, now=NOW)


def test_page_without_links_warns() -> None:
    feed = parse_listing(b"<html><body><p>Nothing</p></body></html>", PAGE, Selectors(), now=NOW)
    assert feed.entries == [] and feed.warnings == ["no article links found on the page"]


def test_empty_listing_says_why() -> None:
    """A press room built in the browser (a Next.js shell) and selectors that match nothing:
    the warning names the cause, so the operator knows what to change."""
    shell = (
        b'<html><head><title>Newsroom</title><script src="/_next/static/chunks/main.js" defer>'
        b'</script></head><body><div id="__next"></div><script id="__NEXT_DATA__" '
        b'type="application/json">{"props":{"pageProps":{}}}</script></body></html>'
    )
    feed = parse_listing(shell, PAGE, Selectors(), now=NOW)
    assert feed.entries == [] and "built by JavaScript in the browser" in feed.warnings[0]
    feed = parse_listing(
        sample("pressroom_listing.html"), PAGE, Selectors(article_list="li.nope"), now=NOW
    )
    assert feed.warnings == [
        "the selectors matched no article links on the page (article_list='li.nope')"
    ]


def test_a_home_page_is_named_by_its_site() -> None:
    """A site's home page read as a listing is the site: its og:site_name names the source
    ("WIRED", not its <title> of 70 characters); a section page keeps its <title>."""
    page = (
        b"<html><head><title>WIRED - The Latest in Technology, Science, Culture and Business"
        b' | WIRED</title><meta property="og:site_name" content="WIRED"></head><body>'
        b"<article><h2><a href='/story/a'>A story about tuners</a></h2></article></body></html>"
    )
    home = parse_listing(page, "https://www.wired.com/", Selectors(), now=NOW)
    assert home.title == "WIRED"
    section = parse_listing(page, "https://www.wired.com/category/gear/", Selectors(), now=NOW)
    assert section.title is not None and section.title.startswith("WIRED - The Latest")
