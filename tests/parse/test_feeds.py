from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mimir.errors import NotAFeed, ParseError
from mimir.parse import parse_feed
from tests.parse.conftest import NOW, sample

FEED_URL = "https://feeds.example.com/x/feed.xml"


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "fmt", "title", "link", "language", "count"),
    [
        (
            "rss20_wordpress.xml",
            "rss20",
            "Broadcast Tech Ledger",
            "https://broadcastledger.example.com",
            "en",
            2,
        ),
        (
            "rss20_feedburner_origlink.xml",
            "rss20",
            "StreamWire",
            "https://streamwire.example.net/",
            "en",
            2,
        ),
        (
            "atom10_blogger.xml",
            "atom10",
            "The Transmitter Room",
            "https://transmitterroom.blogspot.com/",
            None,
            2,
        ),
        ("atom03_old.xml", "atom03", "Satellite Desk", "http://satdesk.example.org/", "en", 1),
        (
            "rss10_rdf_drupal.xml",
            "rss10",
            "Rundfunk-Technik aktuell",
            "https://www.rundfunk-technik.example.de/",
            "de",
            2,
        ),
        ("rss091.xml", "rss09x", "Teletext Revival", "http://teletext.example.com/", "en", 1),
        (
            "jsonfeed10.json",
            "jsonfeed10",
            "Playout Notes",
            "https://playoutnotes.example.io/",
            None,
            3,  # the draft with no URL is kept at the home page (see test_items_without_links)
        ),
        (
            "jsonfeed11.json",
            "jsonfeed11",
            "Radiodienst",
            "https://radiodienst.example.de/",
            "de",
            2,
        ),
        (
            "rss20_windows1251_no_prolog.xml",
            "rss20",
            "Телерадиовещание сегодня",
            "https://teleradio.example.ru/",
            "ru",
            2,
        ),
        (
            "rss20_latin1_declared_utf8.xml",
            "rss20",
            "Télé Câble Actualités",
            "https://telecable.example.fr/",
            "fr",
            1,
        ),
        (
            "atom10_xml_base_relative.xml",
            "atom10",
            "Media Tech Notes",
            "https://mediatech.example.org/blog/",
            "en",
            2,
        ),
        ("sitemap_news.xml", "newssitemap", "TV Tech Wire", None, "en", 3),
        ("sitemap_urlset.xml.gz", "sitemap", None, None, None, 20),
    ],
)
def test_feed_overview(
    name: str, fmt: str, title: str | None, link: str | None, language: str | None, count: int
) -> None:
    feed = parse_feed(sample(name), FEED_URL, now=NOW)
    assert (feed.format, feed.title, feed.link, feed.language) == (fmt, title, link, language)
    assert len(feed.entries) == count
    for entry in feed.entries:
        assert entry.url.startswith(("http://", "https://"))
        for value in (entry.published_at, entry.updated_at):
            assert value is None or value.tzinfo is UTC


@pytest.mark.parametrize(
    ("name", "index", "expected"),
    [
        (
            "rss20_wordpress.xml",
            0,
            {
                "url": "https://broadcastledger.example.com/2026/03/03/sinclair-atsc-3-0-rollout/",
                "guid": "https://broadcastledger.example.com/?p=48211",
                "title": "Sinclair expands ATSC 3.0 rollout to 12 more markets",
                "authors": ("Dana Whitfield",),
                "published_at": utc(2026, 3, 3, 14, 5),
                "tags": ("ATSC 3.0", "NextGen TV", "Stations"),
                "image": "https://broadcastledger.example.com/wp-content/uploads/2026/03/tower.jpg",
                "summary": (
                    "The group says the new lighthouse stations will go live before the summer "
                    "sports season, bringing NextGen TV to roughly 9 million more homes."
                ),
            },
        ),
        (
            "rss20_wordpress.xml",
            1,
            {
                "title": "DVB-I pilot goes live in Germany & Italy",
                "published_at": utc(2026, 3, 2, 8, 30),
                "image": "https://broadcastledger.example.com/wp-content/uploads/2026/03/dvbi.png",
            },
        ),
        (
            "rss20_feedburner_origlink.xml",
            0,
            {
                "url": "https://streamwire.example.net/news/paramount-plus-ad-tier-nordics",
                "guid": "streamwire-2026-0412",
                "authors": ("Liv Andersen",),
            },
        ),
        (
            "rss20_feedburner_origlink.xml",
            1,
            {
                "summary": "Half of the operators surveyed run LL-HLS in production.",
            },
        ),
        (
            "atom10_blogger.xml",
            0,
            {
                "url": "https://transmitterroom.blogspot.com/2026/03/norway-dab-coverage.html",
                "title": "Norway's DAB+ network hits 99.7% coverage",
                "authors": ("Erik Nyström",),
                "published_at": utc(2026, 3, 2, 18, 58),
                "updated_at": utc(2026, 3, 2, 19, 4, 51, 95000),
                "tags": ("DAB+", "radio"),
                "image": "https://blogger.googleusercontent.com/img/b/R29v/s72-c/dab-map.png",
            },
        ),
        (
            "atom03_old.xml",
            0,
            {
                "published_at": utc(2026, 3, 1, 9, 0),
                "updated_at": utc(2026, 3, 1, 12, 0),
                "authors": ("Hana Okafor",),
            },
        ),
        (
            "rss10_rdf_drupal.xml",
            0,
            {
                "title": "5G Broadcast: Feldversuch in Bayern verlängert",
                "authors": ("Jonas Weber",),
                "published_at": utc(2026, 2, 27, 15, 20),
                "tags": ("5G Broadcast",),
                "language": "de",
            },
        ),
        ("rss091.xml", 0, {"summary": "Café owners still ask for the teletext racing pages."}),
        (
            "rss20_windows1251_no_prolog.xml",
            0,
            {
                "title": "Цифровое эфирное телевидение: новые мультиплексы в регионах",
                "published_at": utc(2026, 3, 3, 7, 0),
            },
        ),
        (
            "rss20_latin1_declared_utf8.xml",
            0,
            {
                "title": "La TNT passe à l'UHD : les chaînes françaises se préparent",
            },
        ),
        (
            "atom10_xml_base_relative.xml",
            0,
            {
                "url": "https://mediatech.example.org/blog/2026/dvb-i-service-lists",
                "title": "DVB-I service lists explained",
                "authors": ("Sophie Lambert", "Ahmed Saleh"),
                "tags": ("DVB-I", "hybrid TV"),
            },
        ),
        (
            "atom10_xml_base_relative.xml",
            1,
            {
                "url": "https://mediatech.example.org/archive/old-post.html",
            },
        ),
        (
            "jsonfeed10.json",
            0,
            {
                "url": "https://playoutnotes.example.io/posts/cloud-playout-costs",
                "guid": "2026-03-01-cloud-playout",
                "authors": ("Priya Raman",),
                "published_at": utc(2026, 3, 1, 3, 45),
                "image": "https://playoutnotes.example.io/images/playout.jpg",
                "tags": ("playout", "cloud"),
            },
        ),
        (
            "jsonfeed10.json",
            1,
            {
                "url": "https://playoutnotes.example.io/posts/scte-35-primer",
                "summary": "Splice points, segmentation descriptors and why ad insertion breaks.",
            },
        ),
        (
            "jsonfeed11.json",
            0,
            {
                "authors": ("Katrin Vogel", "Tim Berger"),
                "updated_at": utc(2026, 3, 2, 7, 30),
                "image": "https://radiodienst.example.de/img/mux.jpg",
                "language": "de",
            },
        ),
        (
            "jsonfeed11.json",
            1,
            {
                "url": "https://www.example.org/pressemitteilung/ukw",
                "guid": "4710",
                "authors": ("Redaktion Radiodienst",),
            },
        ),
        (
            "sitemap_news.xml",
            0,
            {
                "url": "https://www.tvtechwire.example.com/news/atsc-3-0-host-station-deal",
                "title": "Four broadcasters sign ATSC 3.0 host-station deal",
                "published_at": utc(2026, 3, 3, 16, 20),
                "updated_at": utc(2026, 3, 3, 16, 40),
                "tags": ("ATSC 3.0", "NextGen TV", "spectrum sharing"),
                "image": "https://cdn.tvtechwire.example.com/img/host-station.jpg",
                "language": "en",
            },
        ),
        ("sitemap_news.xml", 2, {"url": "https://feeds.example.com/news/relative-loc-is-resolved"}),
        (
            "sitemap_urlset.xml.gz",
            0,
            {
                "url": "https://press.examplecast.com/releases/1",
                "updated_at": utc(2026, 2, 1, 12, 0),
                "image": "https://press.examplecast.com/img/1.jpg",
            },
        ),
    ],
)
def test_entry_fields(name: str, index: int, expected: dict[str, object]) -> None:
    entry = parse_feed(sample(name), FEED_URL, now=NOW).entries[index]
    for field, value in expected.items():
        assert getattr(entry, field) == value, field


def test_full_content_is_sanitized() -> None:
    entry = parse_feed(sample("rss20_wordpress.xml"), FEED_URL, now=NOW).entries[0]
    assert entry.content_html is not None
    assert "Sinclair will light up ATSC 3.0 signals" in entry.content_html
    assert "<script" not in entry.content_html and "trackView" not in entry.content_html
    json_entry = parse_feed(sample("jsonfeed10.json"), FEED_URL, now=NOW).entries[0]
    assert (
        json_entry.content_html
        == "<p>Egress fees still dominate.</p><p>Channel-in-a-box pricing has fallen.</p>"
    )


def test_xml_base_resolves_links_inside_content() -> None:
    entry = parse_feed(sample("atom10_xml_base_relative.xml"), FEED_URL, now=NOW).entries[0]
    assert 'href="https://mediatech.example.org/blog/2026/diagram.html"' in (
        entry.content_html or ""
    )
    assert 'src="https://mediatech.example.org/static/dvbi.png"' in (entry.content_html or "")


@pytest.mark.parametrize(
    ("name", "ttl", "period"),
    [
        ("rss20_wordpress.xml", None, 1800),  # hourly, twice
        ("rss10_rdf_drupal.xml", None, 21600),  # daily, four times
        ("rss20_feedburner_origlink.xml", 1800, None),  # <ttl>30</ttl>
        ("atom10_blogger.xml", None, None),
    ],
)
def test_hints(name: str, ttl: int | None, period: int | None) -> None:
    hints = parse_feed(sample(name), FEED_URL, now=NOW).hints
    assert (hints.ttl_seconds, hints.update_period_seconds) == (ttl, period)


def test_wordpress_footer_dropped_from_summary() -> None:
    entry = parse_feed(sample("rss20_wordpress.xml"), FEED_URL, now=NOW).entries[0]
    assert "appeared first on" not in (entry.summary or "")


def test_truncated_feed_keeps_recovered_entries() -> None:
    feed = parse_feed(sample("rss20_truncated.xml"), FEED_URL, now=NOW)
    assert [e.title for e in feed.entries] == [
        "Eutelsat signs new capacity deal for HD distribution",
        "SES retires an older satellite at 19.2 East",
    ]
    assert any("malformed XML" in w for w in feed.warnings)


def test_duplicate_guids_and_missing_urls() -> None:
    feed = parse_feed(sample("rss20_duplicate_guids.xml"), FEED_URL, now=NOW)
    assert [(e.guid, e.url) for e in feed.entries] == [
        ("rw-1001", "https://rwdigest.example.com/a/hd-radio-metadata"),
        (
            "https://rwdigest.example.com/a/podcast-ad-revenue",
            "https://rwdigest.example.com/a/podcast-ad-revenue",
        ),
        ("rw-0999", "https://rwdigest.example.com/"),  # no link: the home page's
    ]
    assert feed.entries[0].title == "HD Radio adds metadata features"  # the first one wins
    assert any("repeating an earlier GUID" in w for w in feed.warnings)


def test_items_without_links() -> None:
    """RSS 2.0 asks an item for a title or a description, not a link; JSON Feed asks for an
    id. Such items are kept at the feed's home page (told apart downstream by an anchor,
    mimir.monitor.entries); only an item that says nothing at all is dropped, with a warning."""
    feed = parse_feed(sample("rss20_duplicate_guids.xml"), FEED_URL, now=NOW)
    linkless = feed.entries[2]
    assert (linkless.url, linkless.guid, linkless.title, linkless.summary) == (
        "https://rwdigest.example.com/",
        "rw-0999",
        "An item with no link at all",
        "Nothing to point at.",
    )
    draft = parse_feed(sample("jsonfeed10.json"), FEED_URL, now=NOW).entries[2]
    assert (draft.url, draft.guid) == ("https://playoutnotes.example.io/", "draft-no-url")
    homeless = (
        b'<rss version="2.0"><channel><title>T</title><item><title>First</title></item>'
        b"<item><title>Second</title></item><item><pubDate>Mon, 02 Mar 2026 12:00:00 GMT"
        b"</pubDate></item></channel></rss>"
    )
    feed = parse_feed(homeless, FEED_URL, now=NOW)
    assert [(e.url, e.title) for e in feed.entries] == [(FEED_URL, "First"), (FEED_URL, "Second")]
    assert any("dropped an empty entry" in w for w in feed.warnings)


def test_absurd_dates_dropped() -> None:
    feed = parse_feed(sample("rss20_absurd_dates.xml"), FEED_URL, now=NOW)
    assert [e.published_at for e in feed.entries] == [None, None, utc(2026, 3, 3, 14, 0), None]


def test_sitemap_index_newest_first() -> None:
    feed = parse_feed(sample("sitemap_index.xml"), FEED_URL, now=NOW)
    assert feed.format == "sitemapindex"
    assert feed.entries == []
    assert feed.next_urls == [
        "https://www.tvtechwire.example.com/post-sitemap3.xml",
        "https://www.tvtechwire.example.com/post-sitemap2.xml",
        "https://www.tvtechwire.example.com/post-sitemap1.xml",
        "https://www.tvtechwire.example.com/page-sitemap.xml",
    ]


def _sitemap_index(*children: str) -> bytes:
    body = "".join(children)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</sitemapindex>'
    ).encode()


def _child(url: str, lastmod: str | None = None) -> str:
    mod = f"<lastmod>{lastmod}</lastmod>" if lastmod else ""
    return f"<sitemap><loc>{url}</loc>{mod}</sitemap>"


def test_sitemap_index_without_dates_reads_the_newest_pages_of_the_first_series() -> None:
    """WordPress's own index (wp-sitemap.xml) gives no lastmod and lists posts by id, oldest on
    page 1: the last pages hold the news. Page 1 stays in front for sites that put it there."""
    site = "https://news.example.com/"
    body = _sitemap_index(
        *[_child(f"{site}wp-sitemap-posts-post-{n}.xml") for n in range(1, 13)],
        _child(f"{site}wp-sitemap-posts-page-1.xml"),
        _child(f"{site}wp-sitemap-taxonomies-category-1.xml"),
        *[_child(f"{site}wp-sitemap-taxonomies-post_tag-{n}.xml") for n in (1, 2)],
        _child(f"{site}wp-sitemap-users-1.xml"),
    )
    feed = parse_feed(body, f"{site}wp-sitemap.xml", now=NOW)
    assert feed.next_urls[:4] == [
        f"{site}wp-sitemap-posts-post-1.xml",
        f"{site}wp-sitemap-posts-post-12.xml",
        f"{site}wp-sitemap-posts-post-11.xml",
        f"{site}wp-sitemap-posts-post-10.xml",
    ]
    assert feed.next_urls[12:] == [
        f"{site}wp-sitemap-posts-page-1.xml",
        f"{site}wp-sitemap-taxonomies-category-1.xml",
        f"{site}wp-sitemap-taxonomies-post_tag-1.xml",
        f"{site}wp-sitemap-taxonomies-post_tag-2.xml",
        f"{site}wp-sitemap-users-1.xml",
    ]


def test_sitemap_index_by_month_and_with_some_dates() -> None:
    site = "https://wire.example.org/"
    months = [_child(f"{site}sitemap-2026-{m:02d}.xml") for m in (9, 10, 11)]
    feed = parse_feed(_sitemap_index(*months), f"{site}sitemap.xml", now=NOW)
    assert feed.next_urls == [
        f"{site}sitemap-2026-09.xml",
        f"{site}sitemap-2026-11.xml",
        f"{site}sitemap-2026-10.xml",
    ]
    # a lastmod outranks any guess: dated children first, newest first
    body = _sitemap_index(
        *months, _child(f"{site}news.xml", "2026-03-01T10:00:00Z"), _child(f"{site}old.xml", "2025")
    )
    feed = parse_feed(body, f"{site}sitemap.xml", now=NOW)
    assert feed.next_urls[:3] == [
        f"{site}news.xml",
        f"{site}old.xml",
        f"{site}sitemap-2026-09.xml",
    ]


def _urlset(urls: list[tuple[str, str | None]]) -> bytes:
    body = "".join(
        f"<url><loc>{u}</loc>{f'<lastmod>{m}</lastmod>' if m else ''}</url>" for u, m in urls
    )
    return (f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{body}</urlset>').encode()


def test_long_sitemap_keeps_its_newest_urls() -> None:
    """A sitemap longer than the cap, oldest first (as CMSs list by id): the newest are kept,
    in document order, and the warning says so."""
    urls = [(f"https://ex.com/a/{i}", f"2026-02-{i + 1:02d}T08:00:00Z") for i in range(25)]
    feed = parse_feed(_urlset(urls), "https://ex.com/sitemap.xml", now=NOW, max_entries=10)
    assert [e.url for e in feed.entries] == [f"https://ex.com/a/{i}" for i in range(15, 25)]
    assert any("kept the newest 10" in w for w in feed.warnings)
    # without dates there is nothing to rank by: the first ones, as before
    undated = [(u, None) for u, _ in urls]
    feed = parse_feed(_urlset(undated), "https://ex.com/sitemap.xml", now=NOW, max_entries=10)
    assert [e.url for e in feed.entries] == [f"https://ex.com/a/{i}" for i in range(10)]
    assert any("kept the first 10" in w for w in feed.warnings)


def test_html_page_is_not_a_feed() -> None:
    with pytest.raises(NotAFeed, match="looks like an HTML page") as caught:
        parse_feed(sample("html_served_as_feed.html"), FEED_URL, content_type="text/html", now=NOW)
    assert "https://broadcastledger.example.com/feed/" in caught.value.message


def test_html_page_without_feed_links() -> None:
    with pytest.raises(NotAFeed, match="advertises no feed links"):
        parse_feed(b"<!doctype html><html><body><p>Hi</p></body></html>", FEED_URL, now=NOW)


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (b"", ParseError),
        (b"   \n", ParseError),
        (b'<?xml version="1.0"?><catalog><book>x</book></catalog>', NotAFeed),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": 3}', ParseError),
        (b'{"hello": "world"}', NotAFeed),
        (b"{not json", ParseError),
        (b"[" * 100_000, ParseError),
        (b"\x1f\x8b\x08\x00garbage", ParseError),
    ],
)
def test_unusable_documents(body: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        parse_feed(body, FEED_URL, now=NOW)


def test_empty_but_valid_feed() -> None:
    feed = parse_feed(
        b'<rss version="2.0"><channel><title>Quiet</title></channel></rss>', FEED_URL, now=NOW
    )
    assert (feed.format, feed.title, feed.entries) == ("rss20", "Quiet", [])


def test_max_entries_cap() -> None:
    items = "".join(f"<item><link>https://ex.com/{i}</link></item>" for i in range(50))
    body = f'<rss version="2.0"><channel><title>Big</title>{items}</channel></rss>'.encode()
    feed = parse_feed(body, FEED_URL, now=NOW, max_entries=10)
    assert len(feed.entries) == 10
    assert feed.entries[-1].url == "https://ex.com/9"
    assert any("kept the first 10" in w for w in feed.warnings)


def test_gzip_bomb_refused() -> None:
    import gzip

    from mimir.parse import xmlsniff

    bomb = gzip.compress(b"<urlset>" + b" " * (2 * 1024 * 1024) + b"</urlset>")
    with pytest.raises(ParseError, match="expands beyond"):
        xmlsniff.gunzip(bomb, limit=1024 * 1024)


@pytest.mark.parametrize("name", ["billion_laughs.xml", "billion_laughs_sitemap.xml"])
def test_billion_laughs_not_expanded(name: str) -> None:
    import time

    started = time.perf_counter()
    feed = parse_feed(sample(name), FEED_URL, now=NOW)
    assert time.perf_counter() - started < 2
    assert all("lollollol" not in (e.title or "") + e.url for e in feed.entries)
    assert all("root:" not in (e.summary or "") for e in feed.entries)  # no XXE file read


def test_feed_body_is_never_opened_as_a_path(tmp_path: object) -> None:
    with pytest.raises(ParseError):
        parse_feed(b"/etc/passwd", FEED_URL, now=NOW)


def test_atom_text_titles_keep_angle_brackets_html_titles_lose_tags() -> None:
    body = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title type="text">Deals &lt;weekly&gt;</title>
<id>urn:x</id><updated>2026-01-01T00:00:00Z</updated>
<entry><title type="text">Watch: "M&amp;A" &lt;deals&gt;</title><id>urn:1</id>
<link href="https://example.org/1"/><updated>2026-01-01T00:00:00Z</updated></entry>
<entry><title type="html">&lt;b&gt;Bold&lt;/b&gt; move</title><id>urn:2</id>
<link href="https://example.org/2"/><updated>2026-01-01T00:00:00Z</updated></entry>
</feed>"""
    parsed = parse_feed(body, "https://example.org/feed", now=NOW)
    assert parsed.title == "Deals <weekly>"
    assert [e.title for e in parsed.entries] == ['Watch: "M&A" <deals>', "Bold move"]


RSS_UTF16 = (
    '<?xml version="1.0" encoding="utf-16"?>\n<rss version="2.0"><channel>'
    "<title>Télé Nord \u2013 nouvelles</title><link>https://tele.example/</link>"
    "<item><title>Le câble à Lille</title><link>https://tele.example/cable</link>"
    '<guid isPermaLink="false">tag:tele.example,2026:cable-1</guid></item></channel></rss>'
)
SITEMAP_UTF16 = (
    '<?xml version="1.0" encoding="UTF-16"?>'
    '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
    "<url><loc>https://tele.example/émission</loc><lastmod>2026-01-19</lastmod></url></urlset>"
)


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-16"])
def test_a_wide_feed_without_or_with_a_bom_is_read(encoding: str) -> None:
    """UTF-16 and UTF-32 bodies, with a byte-order mark ("utf-16") or without one (XML 1.0,
    appendix F): the root element and the HTML hint are sniffed in bytes, which read these as
    noise; under a header that still names UTF-16 after the body was read."""
    body = RSS_UTF16.encode(encoding)
    feed = parse_feed(
        body, "https://tele.example/feed", content_type="text/xml; charset=utf-16", now=NOW
    )
    assert (feed.format, feed.title, feed.warnings) == ("rss20", "Télé Nord \u2013 nouvelles", [])
    assert [(e.title, e.url, e.guid) for e in feed.entries] == [
        ("Le câble à Lille", "https://tele.example/cable", "tag:tele.example,2026:cable-1")
    ]


def test_a_wide_sitemap_is_read_as_a_sitemap() -> None:
    feed = parse_feed(
        SITEMAP_UTF16.encode("utf-16-le"), "https://tele.example/sitemap.xml", now=NOW
    )
    assert feed.format == "sitemap"
    assert [e.url for e in feed.entries] == ["https://tele.example/émission"]


def test_an_ebcdic_feed_is_read() -> None:
    """XML 1.0's appendix F also names EBCDIC: "<?xm" in code page 037, then the prolog's
    code page (feedparser reads these; so does Mimir)."""
    body = RSS_UTF16.replace("utf-16", "cp500").replace("\u2013", "-").encode("cp500")
    feed = parse_feed(body, "https://tele.example/feed", now=NOW)
    assert feed.title == "Télé Nord - nouvelles"
    assert feed.entries[0].title == "Le câble à Lille"


def test_a_text_sitemap_is_read() -> None:
    """sitemaps.org's text format: one URL per line, UTF-8, under any content type."""
    body = (
        "https://news.example/2026/01/a\r\n\nhttps://news.example/2026/01/b\n"
        "  https://news.example/2026/01/a  \nhttps://news.example/2026/01/caf\u00e9\n"
    ).encode()
    feed = parse_feed(body, "https://news.example/sitemap.txt", content_type="text/plain", now=NOW)
    assert feed.format == "sitemap"
    assert [e.url for e in feed.entries] == [
        "https://news.example/2026/01/a",
        "https://news.example/2026/01/b",
        "https://news.example/2026/01/caf\u00e9",
    ]
    assert feed.warnings == ["dropped 1 entries repeating an earlier GUID or URL"]


def test_a_text_sitemap_with_a_stray_line_and_a_long_one() -> None:
    urls = [f"https://news.example/p/{i}" for i in range(30)]
    body = "\n".join([*urls[:25], "# generated nightly", *urls[25:]]).encode()
    feed = parse_feed(body, "https://news.example/s.txt", now=NOW, max_entries=10)
    assert [e.url for e in feed.entries] == urls[:10]
    assert feed.warnings == [
        "dropped 1 lines that are no URL",
        "sitemap lists 30 URLs; kept the first 10",
    ]


@pytest.mark.parametrize(
    "body", [b"hello world\n", b"https://news.example/a\nsee the list above\n", b"Not Found"]
)
def test_plain_text_that_is_no_url_list_is_no_feed(body: bytes) -> None:
    with pytest.raises(ParseError):
        parse_feed(body, "https://news.example/s.txt", content_type="text/plain", now=NOW)
