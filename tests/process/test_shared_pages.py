"""Feed items that share one page: told apart, never folded into one article."""

from __future__ import annotations

from mimir.model import Entry, Source, SourceKind
from mimir.monitor.entries import Candidate, candidates
from mimir.process.urls import anchored, url_hash

FEED = "https://press.example.com/feed.xml"
SOURCE = Source(3, "Press", FEED, SourceKind.FEED, True, "press.example.com")


def got(entries: list[Entry], home: str | None = None) -> list[Candidate]:
    return candidates(SOURCE, entries, home)


def test_anchors_on_one_page_are_items() -> None:
    """A press room whose feed links every release to one page with its own anchor."""
    page = "https://press.example.com/news"
    cs = got(
        [
            Entry(url=f"{page}?utm_source=rss#release-12", title="Arclight ships DVB-NIP"),
            Entry(url=f"{page}#release-11", title="Arclight names a new CFO"),
        ]
    )
    assert [(c.url, c.feed_only, c.anchored) for c in cs] == [
        (f"{page}#release-12", True, True),
        (f"{page}#release-11", True, True),
    ]
    assert cs[0].url_hash == anchored(page, "release-12")[1]
    assert len({c.url_hash for c in cs} | {url_hash(page)}) == 3  # neither is the page itself
    assert cs[0].entry.url == cs[0].url


def test_same_page_same_title_is_one_article() -> None:
    """The same article listed twice (a comments anchor, a second GUID): one candidate, the
    page fetched as usual."""
    page = "https://press.example.com/a/arclight-dvb-nip"
    cs = got(
        [
            Entry(url=page, title="Arclight ships DVB-NIP", guid="a1"),
            Entry(url=f"{page}#comments", title="Arclight ships DVB-NIP", guid="a2"),
        ]
    )
    assert [(c.url, c.feed_only, c.anchored, c.entry.guid) for c in cs] == [
        (page, False, False, "a1")
    ]


def test_a_story_listed_again_after_an_edit_is_one_article() -> None:
    """Some CMSs list an edited story again, with a new GUID and a marked title: the page is
    still that one article, fetched as usual."""
    page = "https://news.example.com/2026/11/arclight-dvb-nip"
    cs = got(
        [
            Entry(url=page, title="UPDATE: Arclight ships DVB-NIP gateways", guid="n2"),
            Entry(url=page, title="Arclight ships DVB-NIP gateways", guid="n1"),
        ]
    )
    assert [(c.url, c.anchored, c.entry.guid) for c in cs] == [(page, False, "n2")]
    # but quarterly results on one investor page are different releases
    ir = "https://ir.example.com/results"
    cs = got([Entry(url=ir, title="Q3 2026 results"), Entry(url=ir, title="Q2 2026 results")])
    assert [c.anchored for c in cs] == [True, True]


def test_sitemap_urls_differing_by_fragment_are_one_page() -> None:
    page = "https://press.example.com/a/one"
    cs = got([Entry(url=page), Entry(url=f"{page}#top")])
    assert [(c.url, c.anchored) for c in cs] == [(page, False)]


def test_items_whose_guids_are_their_pages_are_fetched_there() -> None:
    """Every item links to the news index, but each GUID is the release's own address."""
    index = "https://press.example.com/news/"
    cs = got(
        [
            Entry(url=index, title="One", guid="https://press.example.com/news/one"),
            Entry(url=index, title="Two", guid="https://press.example.com/news/two"),
        ]
    )
    assert [(c.url, c.feed_only, c.anchored) for c in cs] == [
        ("https://press.example.com/news/one", False, False),
        ("https://press.example.com/news/two", False, False),
    ]
    assert cs[1].entry.url == "https://press.example.com/news/two"


def test_opaque_guids_give_stable_anchors() -> None:
    """Live-blog updates on one page with opaque GUIDs: one anchor per GUID, the same on the
    next poll, even after the title was edited and the order changed."""
    page = "https://news.example.com/live/ibc-2026"
    first = got(
        [
            Entry(url=page, title="Keynote starts", guid="u-1", summary="The keynote began."),
            Entry(url=page, title="Keynote ends", guid="u-2", summary="The keynote ended."),
        ]
    )
    again = got(
        [
            Entry(url=page, title="Keynote ends (corrected)", guid="u-2"),
            Entry(url=page, title="Keynote starts", guid="u-1"),
        ]
    )
    assert all(c.anchored and c.feed_only and c.url.startswith(page + "#item-") for c in first)
    assert len({c.url_hash for c in first}) == 2
    assert {c.entry.guid: c.url_hash for c in first} == {c.entry.guid: c.url_hash for c in again}


def test_items_linking_home_or_without_links() -> None:
    """A titled item whose link is the home page, the site's root or the feed itself is not
    an article page: it is stored from the feed, under its own anchor."""
    home = "https://press.example.com/en/"
    for link in (home, "https://press.example.com/", FEED):
        (c,) = got([Entry(url=link, title="Q3 results", guid="q3")], home)
        assert (c.anchored, c.feed_only) == (True, True) and c.url.startswith(link + "#item-")
    # an untitled sitemap URL of the home page stays a page to fetch
    (c,) = got([Entry(url=home)], home)
    assert (c.url, c.anchored) == (home, False)


def test_tracking_fragments_do_not_count_as_anchors() -> None:
    """Le Monde-style ``#xtor=RSS-...`` is the same on every item: not an item's anchor."""
    page = "https://news.example.com/flash"
    cs = got(
        [
            Entry(url=f"{page}#xtor=RSS-3208", title="First flash", guid="f1"),
            Entry(url=f"{page}#xtor=RSS-3208", title="Second flash", guid="f2"),
        ]
    )
    assert len(cs) == 2 and all("#item-" in c.url for c in cs)


def test_order_is_the_feeds() -> None:
    page = "https://press.example.com/news"
    cs = got(
        [
            Entry(url=f"{page}#r3", title="Three"),
            Entry(url="https://press.example.com/a/other", title="Other"),
            Entry(url=f"{page}#r2", title="Two"),
        ]
    )
    assert [c.entry.title for c in cs] == ["Three", "Other", "Two"]
