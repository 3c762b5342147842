"""The demo site over real HTTP: valid documents, conditional GET, gzip, charsets, new items."""

from __future__ import annotations

import gzip
import http.client
import json
import time
import xml.etree.ElementTree as ET
from datetime import datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import lxml.html
import pytest

from mimir.demo import DemoSite
from mimir.demo.site import accepts_gzip, etag_matches
from mimir.model import Selectors, SourceKind
from tests.demo.conftest import fetch

NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "dc": "http://purl.org/dc/elements/1.1/",
    "sy": "http://purl.org/rss/1.0/modules/syndication/",
    "content": "http://purl.org/rss/1.0/modules/content/",
    "sm": "http://www.sitemaps.org/schemas/sitemap/0.9",
    "news": "http://www.google.com/schemas/sitemap-news/0.9",
}


def _rss_links(site: DemoSite) -> list[str]:
    root = ET.fromstring(fetch(site.url + "/wire/feed.rss").body)
    return [item.findtext("link") or "" for item in root.iter("item")]


def test_rss_is_wordpress_like(site: DemoSite) -> None:
    reply = fetch(site.url + "/wire/feed.rss")
    assert reply.status == 200
    assert reply.headers["content-type"] == "application/rss+xml; charset=utf-8"
    root = ET.fromstring(reply.body)
    assert root.tag == "rss" and root.get("version") == "2.0"
    channel = root.find("channel")
    assert channel is not None
    for name in ("title", "link", "description", "lastBuildDate", "ttl"):
        assert channel.findtext(name), name
    assert channel.findtext("sy:updatePeriod", namespaces=NS) == "hourly"
    items = channel.findall("item")
    assert len(items) == 12
    for item in items:
        assert item.findtext("title") and item.findtext("description")
        assert item.findtext("dc:creator", namespaces=NS)
        assert item.findall("category")
        assert item.find("content:encoded", NS) is None
        guid = item.find("guid")
        assert guid is not None and guid.get("isPermaLink") == "false"
        assert parsedate_to_datetime(item.findtext("pubDate") or "").tzinfo is not None
    assert any("utm_source=rss" in (i.findtext("link") or "") for i in items)


def test_atom_feed_is_valid(site: DemoSite) -> None:
    reply = fetch(site.url + "/techdaily/atom.xml")
    assert reply.headers["content-type"].startswith("application/atom+xml")
    root = ET.fromstring(reply.body)
    assert root.tag == "{http://www.w3.org/2005/Atom}feed"
    for name in ("atom:id", "atom:title", "atom:updated"):
        assert root.findtext(name, namespaces=NS), name
    entries = root.findall("atom:entry", NS)
    assert len(entries) == 12
    for entry in entries:
        assert entry.findtext("atom:id", namespaces=NS)
        assert entry.findtext("atom:author/atom:name", namespaces=NS)
        link = entry.find("atom:link[@rel='alternate']", NS)
        assert link is not None and link.get("href", "").startswith(site.url + "/techdaily/")
        datetime.fromisoformat(entry.findtext("atom:updated", namespaces=NS) or "")


def test_json_feed_is_valid(site: DemoSite) -> None:
    reply = fetch(site.url + "/streamwatch/feed.json")
    assert reply.headers["content-type"].startswith("application/feed+json")
    feed = json.loads(reply.body)
    assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert feed["title"] and feed["feed_url"].endswith("/streamwatch/feed.json")
    assert len(feed["items"]) == 12
    for item in feed["items"]:
        assert item["id"] and item["url"] and item["content_html"].startswith("<p>")
        assert datetime.fromisoformat(item["date_modified"]) >= datetime.fromisoformat(
            item["date_published"]
        )


def test_news_sitemap_is_valid(site: DemoSite) -> None:
    reply = fetch(site.url + "/standards/news-sitemap.xml")
    root = ET.fromstring(reply.body)
    assert root.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    urls = root.findall("sm:url", NS)
    assert len(urls) == 12
    for url in urls:
        assert (url.findtext("sm:loc", namespaces=NS) or "").startswith(site.url + "/standards/")
        news = url.find("news:news", NS)
        assert news is not None
        assert news.findtext("news:publication/news:name", namespaces=NS)
        assert news.findtext("news:publication/news:language", namespaces=NS) in ("en", "de", "fr")
        assert news.findtext("news:title", namespaces=NS)
        datetime.fromisoformat(news.findtext("news:publication_date", namespaces=NS) or "")


def test_press_room_listing_paginates_in_windows_1252(site: DemoSite) -> None:
    spec = next(s for s in site.source_specs() if s.kind is SourceKind.LISTING)
    selectors = Selectors.from_dict(spec.settings["selectors"])
    reply = fetch(spec.url)
    assert reply.headers["content-type"] == "text/html; charset=windows-1252"
    page = lxml.html.fromstring(reply.body.decode("windows-1252"))
    items = page.cssselect(selectors.article_list or "")
    assert len(items) == 10
    for item in items:
        assert item.cssselect("h2 a")[0].get("href").startswith(site.url + "/pressroom/")
        assert item.cssselect("time")[0].get("datetime")
    next_href = page.cssselect(selectors.next_page or "")[0].get("href")
    assert next_href == "/pressroom/?page=2"
    second = fetch(site.url + next_href)
    assert second.status == 200
    older = lxml.html.fromstring(second.body.decode("windows-1252")).cssselect("article.press-item")
    assert len(older) == 2 and not lxml.html.fromstring(second.body).cssselect("a.next")
    assert fetch(site.url + "/pressroom/?page=9").status == 404


def test_windows_1252_article_decodes_with_its_charset(site: DemoSite) -> None:
    page = lxml.html.fromstring(fetch(site.url + "/pressroom/").body.decode("windows-1252"))
    hrefs = [a.get("href") for a in page.cssselect("article.press-item h2 a")]
    bodies = [fetch(h) for h in hrefs]
    assert all(b.headers["content-type"] == "text/html; charset=windows-1252" for b in bodies)
    raw = b"".join(b.body for b in bodies)
    assert b'<meta charset="windows-1252">' in raw
    assert b"\x93" in raw and b"\x94" in raw  # curly quotes as single windows-1252 bytes
    text = raw.decode("windows-1252")
    assert "“" in text and "â€œ" not in text
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")


def test_article_pages_carry_metadata(site: DemoSite) -> None:
    for link in _rss_links(site):
        reply = fetch(link)
        assert reply.status == 200, link
        page = lxml.html.fromstring(reply.body)
        canonical = page.cssselect("link[rel=canonical]")[0].get("href")
        assert canonical == link.split("?")[0]
        assert page.cssselect("meta[property='og:url']")[0].get("content") == canonical
        data = json.loads(page.cssselect("script[type='application/ld+json']")[0].text)
        assert data["@type"] == "NewsArticle"
        for key in (
            "headline",
            "author",
            "datePublished",
            "dateModified",
            "articleSection",
            "keywords",
            "inLanguage",
            "image",
        ):
            assert data[key], key
        assert page.get("lang") == data["inLanguage"]
        paragraphs = page.cssselect("div.article-body p")
        assert len(paragraphs) >= 4
        assert page.cssselect("#cookie-banner") and page.cssselect("footer")
        assert page.cssselect("aside.related")


def test_some_articles_are_in_german_or_french(site: DemoSite) -> None:
    languages = set()
    for path in ("/wire/", "/techdaily/", "/streamwatch/", "/standards/", "/pressroom/"):
        for page_no in (1, 2):
            reply = fetch(f"{site.url}{path}?page={page_no}")
            if reply.status != 200:
                continue
            charset = reply.headers["content-type"].split("charset=")[1]
            page = lxml.html.fromstring(reply.body.decode(charset))
            for href in [a.get("href") for a in page.cssselect("article h2 a")]:
                doc = lxml.html.fromstring(fetch(href).body)
                languages.add(doc.get("lang"))
    assert languages >= {"en"} and languages & {"de", "fr"}


def test_conditional_get_and_gzip(site: DemoSite) -> None:
    for path in (
        "/wire/feed.rss",
        "/techdaily/atom.xml",
        "/streamwatch/feed.json",
        "/standards/news-sitemap.xml",
        "/pressroom/",
        "/",
        "/robots.txt",
    ):
        first = fetch(site.url + path)
        assert first.status == 200
        etag, modified = first.headers["etag"], first.headers["last-modified"]
        assert fetch(site.url + path, {"If-None-Match": etag}).status == 304
        assert fetch(site.url + path, {"If-Modified-Since": modified}).status == 304
        assert fetch(site.url + path, {"If-None-Match": '"other"'}).status == 200
        zipped = fetch(site.url + path, {"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert gzip.decompress(zipped.body) == first.body
        assert fetch(site.url + path, {"If-None-Match": zipped.headers["etag"]}).status == 304


def test_keep_alive_and_head() -> None:
    with DemoSite(new_item_every_seconds=3600) as demo:
        parts = urlsplit(demo.url)
        conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
        try:
            conn.request("GET", "/wire/feed.rss")
            first = conn.getresponse()
            body = first.read()
            sock = conn.sock
            conn.request("HEAD", "/wire/feed.rss")
            head = conn.getresponse()
            assert head.read() == b""
            assert int(head.headers["Content-Length"]) == len(body)
            assert conn.sock is sock  # the same connection served both requests
        finally:
            conn.close()


def test_home_robots_and_not_found(site: DemoSite) -> None:
    home = lxml.html.fromstring(fetch(site.url + "/").body)
    alternates = {link.get("type") for link in home.cssselect("link[rel=alternate]")}
    assert alternates == {"application/rss+xml", "application/atom+xml", "application/feed+json"}
    robots = fetch(site.url + "/robots.txt").body.decode()
    assert "Allow: /" in robots and f"Sitemap: {site.url}/standards/news-sitemap.xml" in robots
    assert fetch(site.url + "/nope").status == 404
    future = site.articles_published() + 5
    assert fetch(f"{site.url}/wire/2026/01/some-story-{future}/").status == 404
    image = fetch(site.url + "/media/3.svg")
    assert image.headers["content-type"] == "image/svg+xml"


def test_source_specs(site: DemoSite) -> None:
    specs = site.source_specs()
    kinds = [s.kind for s in specs]
    assert kinds.count(SourceKind.FEED) == 3
    assert SourceKind.SITEMAP in kinds and SourceKind.LISTING in kinds
    for spec in specs:
        assert spec.enabled and spec.category
        assert spec.settings["min_interval_seconds"] == 5
        assert spec.settings["max_interval_seconds"] == 60
        assert fetch(spec.url).status == 200
    listing = next(s for s in specs if s.kind is SourceKind.LISTING)
    assert listing.settings["selectors"]["max_pages"] == 2
    with pytest.raises(RuntimeError):
        DemoSite().source_specs()


def test_new_items_appear_and_validators_change() -> None:
    with DemoSite(new_item_every_seconds=0.2, initial_items=2) as demo:
        before = demo.articles_published()
        first = fetch(demo.url + "/wire/feed.rss")
        time.sleep(0.25 * 6)  # more than a full round-robin cycle of five outlets
        assert demo.articles_published() >= before + 5
        again = fetch(demo.url + "/wire/feed.rss", {"If-None-Match": first.headers["etag"]})
        assert again.status == 200
        old = ET.fromstring(first.body).findall("channel/item")
        new = ET.fromstring(again.body).findall("channel/item")
        assert len(new) > len(old)


def test_header_helpers() -> None:
    assert accepts_gzip("gzip, deflate, br") and accepts_gzip("*")
    assert not accepts_gzip("gzip;q=0") and not accepts_gzip(None) and not accepts_gzip("br")
    assert etag_matches('W/"abc", "x"', '"abc"') and etag_matches('"abc-gzip"', '"abc"')
    assert etag_matches("*", '"abc"') and not etag_matches('"abd"', '"abc"')


def test_stop_is_idempotent_and_closes_idle_connections() -> None:
    demo = DemoSite()
    demo.start()
    parts = urlsplit(demo.url)
    conn = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        conn.request("GET", "/")
        conn.getresponse().read()
        demo.stop()  # an open keep-alive connection must not keep the server alive
        demo.stop()
    finally:
        conn.close()


def test_updated_articles_show_revisions(site: DemoSite) -> None:
    updated = []
    for path in ("/streamwatch/feed.json",):
        for item in json.loads(fetch(site.url + path).body)["items"]:
            if item["date_modified"] != item["date_published"]:
                updated.append(item)
    assert updated, "seed 1 has updated articles in the initial backlog"
    item = updated[0]
    page = lxml.html.fromstring(fetch(item["url"]).body)
    data = json.loads(page.cssselect("script[type='application/ld+json']")[0].text)
    assert data["dateModified"] == item["date_modified"] != data["datePublished"]
    last = page.cssselect("div.article-body p")[-1].text_content()
    assert last.startswith(("Update", "Aktualisierung", "Mise à jour"))
    assert page.cssselect("time.updated")
