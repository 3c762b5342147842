"""parse_opml and export_opml."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from lxml import etree

from mimir.errors import InputError
from mimir.importers.defaults import default_sources
from mimir.importers.legacy import parse_legacy
from mimir.importers.opml import MIMIR_NS, export_opml, parse_opml
from mimir.model import SourceKind, SourceSpec
from tests.importers.samples import sample


def test_reader_export() -> None:
    report = parse_opml(sample("feedly_export.opml"))
    got = [(s.name, s.url, s.category) for s in report.sources]
    assert got == [
        ("BroadbandTV News", "https://www.broadbandtvnews.com/feed/", "Broadcast"),
        ("TV Tech", "https://www.tvtechnology.com/feeds/all", "Broadcast"),
        ("DVB", "https://dvb.org/feed/", "Standards"),
        ("ATSC", "https://www.atsc.org/feed/?utm_source=feedly", "Standards"),
        ("The Verge - All Posts", "https://www.theverge.com/rss/index.xml", "Tech"),
        ("Ars Technica", "http://feeds.arstechnica.com/arstechnica/index", "Tech"),
        ("TechCrunch", "https://techcrunch.com/feed/", "Tech"),
        ("BBC Tech", "http://feeds.bbci.co.uk/news/technology/rss.xml", "Tech"),
        ("Variety", "https://variety.com/feed/", "Trade press"),
    ]
    assert all(s.kind is SourceKind.FEED and s.enabled for s in report.sources)
    assert report.sources[0].settings == {"homepage": "https://www.broadbandtvnews.com"}
    assert report.sources[3].settings == {}
    assert report.skipped == [
        ("TechCrunch", "same URL as source 'TechCrunch'"),
        ("A saved link", "no xmlUrl: not a feed"),
        ("Broken", "invalid feed URL 'javascript:alert(1)': not an absolute http(s) URL"),
    ]
    assert report.unknown_keys == {} and report.warnings == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        (sample("malformed.opml"), "not well-formed XML at line 6, column"),
        (b"", "empty"),
        (b"<opml><body><outline text='x'></body></opml>", "not well-formed XML at line 1"),
        (b"<rss version='2.0'><channel/></rss>", "not an OPML document: the root element is <rss>"),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b'<opml version="2.0"><body><outline text="&b;" xmlUrl="https://e.com/f"/></body></opml>',
            "entities are refused",
        ),
        (
            b'<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<opml version="2.0"><head><title>&x;</title></head><body/></opml>',
            "entities are refused",
        ),
    ],
)
def test_refused_documents(document: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_opml(document)
    assert message in caught.value.message


def test_a_document_not_well_formed_is_read_with_a_warning() -> None:
    """Hand-edited and older exports write raw ampersands ("AT&T", "?a=1&b=2"), or end early:
    what can be read is imported, and the report says the document was not well-formed."""
    report = parse_opml(sample("raw-ampersand.opml"))
    assert [s.url for s in report.sources] == ["https://example.com/feed?a=1&b=2"]
    assert report.sources[0].category == "News"
    assert len(report.warnings) == 1
    assert "not well-formed XML at line 6" in report.warnings[0]
    assert "check what was imported" in report.warnings[0]
    cut = parse_opml(
        b'<?xml version="1.0"?><opml version="2.0"><body>'
        b'<outline text="A" xmlUrl="https://a.example/feed"/>'
        b'<outline text="B" xmlUrl="https://b.example/feed"/>'
    )
    assert [s.name for s in cut.sources] == ["A", "B"]
    assert "Premature end of data" in cut.warnings[0]


def test_html_named_references_read_as_their_characters() -> None:
    """XML defines five named references; hand-written and older exports use HTML's too
    (listparser's test documents: "arch&aelig;ology"): read as the characters they name,
    an undefined one as written, with the not-well-formed warning."""
    report = parse_opml(
        b'<opml version="2.0"><body>'
        b'<outline text="T&eacute;l&eacute;&nbsp;Nord &amp; Sud" xmlUrl="https://a.example/rss"/>'
        b'<outline text="arch&aelig;ology &bogus;" xmlUrl="https://b.example/rss?a=1&amp;b=2"/>'
        b"</body></opml>"
    )
    assert [(s.name, s.url) for s in report.sources] == [
        ("T\u00e9l\u00e9 Nord & Sud", "https://a.example/rss"),
        ("arch\u00e6ology &bogus;", "https://b.example/rss?a=1&b=2"),
    ]
    assert "Entity 'eacute' not defined" in report.warnings[0]


def test_external_dtd_is_not_fetched() -> None:
    document = (
        b'<?xml version="1.0"?><!DOCTYPE opml SYSTEM "http://192.0.2.1/opml.dtd">'
        b'<opml version="1.0"><body><outline text="A" xmlUrl="https://a.example/feed"/>'
        b"</body></opml>"
    )
    assert [s.name for s in parse_opml(document).sources] == ["A"]


def test_opml_details() -> None:
    document = f"""\ufeff
    <opml version="2.0" xmlns:m="{MIMIR_NS}">
      <head><title>x</title></head>
      <body>
        <outline text="Text only" xmlURL="feed:https://a.example/rss"
                 category="/News/World,/Other"/>
        <outline text="T" title="Title wins" xmlUrl="https://b.example/rss" description="Notes"
                 m:enabled="false" m:kind="listing" m:settings="[1, 2]"/>
        <outline xmlUrl="https://c.example/rss" m:kind="weird"/>
        <outline text="Reading list" type="include" url="https://e.com/list.opml"/>
        <outline text="Folder"><outline text="Inner" xmlUrl="https://d.example/rss">
          <outline text="Nested in a feed" xmlUrl="https://e.example/rss"/></outline></outline>
      </body>
    </opml>""".encode()
    report = parse_opml(document)
    a, b, c, d, e = report.sources
    assert (a.name, a.url, a.category) == ("Text only", "https://a.example/rss", "News/World")
    # listparser's test documents: empty entries and parts, spaces around them
    for attr, category in (
        (" / , root2// /node2 , / / root3 // node 3 ", "root2/node2"),
        (",, , tag1 , tag2 ,", "tag1"),
        (" , / ,", None),
    ):
        one = (
            '<opml version="2.0"><body><outline text="F" xmlUrl="https://f.example/rss" '
            f'category="{attr}"/></body></opml>'
        )
        assert parse_opml(one.encode()).sources[0].category == category
    assert (b.name, b.note, b.enabled, b.kind) == ("Title wins", "Notes", False, SourceKind.LISTING)
    assert (c.name, c.kind) == ("c.example", SourceKind.FEED)
    assert (d.category, e.category) == ("Folder", "Folder")
    assert report.skipped == [
        ("Reading list", "OPML include (a link to another OPML file) is not followed")
    ]
    assert report.warnings == [
        "'Title wins': mimir:settings is not a JSON object, ignored",
        "'https://c.example/rss': unknown mimir:kind 'weird', imported as a feed",
    ]


def test_no_body() -> None:
    report = parse_opml(b'<opml version="1.0"><head/></opml>')
    assert report.sources == []
    assert report.warnings == ["OPML: the document has no <body>, nothing to import"]


def _sorted(specs: list[SourceSpec]) -> list[SourceSpec]:
    return sorted(specs, key=lambda s: s.name)


def test_round_trip_of_the_defaults() -> None:
    sources = default_sources()
    report = parse_opml(export_opml(sources))
    assert report.skipped == [] and report.warnings == []
    assert _sorted(report.sources) == _sorted(sources)


def test_round_trip_of_a_legacy_import() -> None:
    imported = parse_legacy(sample("sites_to_scrape.json")).sources
    imported.append(
        SourceSpec(
            name='Ünïcode & <markup> "quotes"',
            url="https://e.example/feed?a=1&b=2",
            note="two\nlines",
            settings={"selectors": {"detail_content": "div[data-x='1'] > p"}, "n": [1, None]},
        )
    )
    assert _sorted(parse_opml(export_opml(imported)).sources) == _sorted(imported)


def test_export_structure() -> None:
    created = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    sources = [
        SourceSpec("Feed", "https://a.example/feed", category="tech"),
        SourceSpec("Page", "https://b.example/news", kind=SourceKind.LISTING, enabled=False),
    ]
    root = etree.fromstring(export_opml(sources, title="Mine", created=created))
    assert root.get("version") == "2.0"
    assert root.findtext("head/title") == "Mine"
    assert root.findtext("head/dateCreated") == "Fri, 02 Jan 2026 03:04:05 +0000"
    page, folder = root.find("body")
    assert page.get("type") == "link" and page.get("url") == "https://b.example/news"
    assert page.get(f"{{{MIMIR_NS}}}kind") == "listing"
    assert page.get(f"{{{MIMIR_NS}}}enabled") == "false"
    assert page.get("xmlUrl") is None and page.get(f"{{{MIMIR_NS}}}settings") is None
    assert folder.get("text") == "tech"
    (feed,) = folder
    assert (feed.get("type"), feed.get("xmlUrl"), feed.get("text")) == (
        "rss",
        "https://a.example/feed",
        "Feed",
    )


def test_export_without_date_is_deterministic() -> None:
    sources = default_sources()
    assert export_opml(sources) == export_opml(default_sources())
    assert b"dateCreated" not in export_opml(sources)


def test_freshrss_scraped_pages_are_listings() -> None:
    """FreshRSS exports its web-scraping sources (type "HTML+XPath") with the page's address
    as xmlUrl: a listing page, not a feed; its JSON scraping sources have no page to read."""
    report = parse_opml(
        b'<?xml version="1.0"?><opml xmlns:frss="https://freshrss.org/opml" version="2.0">'
        b"<body><outline text='Uncategorized'>"
        b'<outline text="EBU Tech" type="rss" xmlUrl="https://tech.ebu.ch/feed"/>'
        b'<outline text="Press room" type="HTML+XPath" xmlUrl="https://www.example.com/press"'
        b' frss:xPathItem="//article" frss:xPathItemTitle="./h2"/>'
        b'<outline text="API" type="JSON+DotNotation" xmlUrl="https://api.example.com/news"/>'
        b"</outline></body></opml>"
    )
    kinds = {s.name: s.kind for s in report.sources}
    assert kinds == {"EBU Tech": SourceKind.FEED, "Press room": SourceKind.LISTING}
    assert any("FreshRSS scraped page" in w for w in report.warnings)
    assert [label for label, _ in report.skipped] == ["API"]
