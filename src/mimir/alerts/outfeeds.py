"""Every watch is an output feed: Atom 1.0, RSS 2.0 and JSON Feed 1.1 (pure functions).

The documents are built as trees (lxml) or JSON values, never by pasting strings, so titles
with ``<``, ``&`` or quotes stay text; characters XML cannot carry (control characters) are
dropped. Each entry is one story: its lead article's title and link, the snippet with the
matched terms highlighted, and the other sources. The entry id is the lead article's URL, so
pass the article that raised the alert as the lead to keep ids stable when a story grows.

A feed is reached at an unguessable per-watch URL: :func:`mint_feed_token` makes the token;
storing it (and rotating it) is the watch's business.
"""

from __future__ import annotations

import json
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any

from lxml import etree

from mimir import __version__
from mimir.alerts.digest import oneline, render_template, safe_url, when_in
from mimir.alerts.payloads import iso
from mimir.model.alerts import DigestItem

ATOM_NS = "http://www.w3.org/2005/Atom"
DC_NS = "http://purl.org/dc/elements/1.1/"
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
CONTENT_TYPES = {
    "atom": "application/atom+xml; charset=utf-8",
    "rss": "application/rss+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
GENERATOR = "Mimir"
GENERATOR_URL = "https://github.com/mimir-news/mimir"
FEED_TOKEN_BYTES = 32
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


@dataclass(frozen=True, slots=True)
class FeedMeta:
    """What a feed says about itself.

    ``feed_url`` is this document's own URL (the self link; one per format); ``home_url`` a web
    page for the watch, if there is one; ``updated`` the time of the newest change (for
    example the watch's latest alert).
    """

    title: str
    feed_url: str
    updated: datetime
    home_url: str | None = None
    description: str | None = None


def mint_feed_token() -> str:
    """A new unguessable feed token (256 random bits, URL-safe)."""
    return secrets.token_urlsafe(FEED_TOKEN_BYTES)


def xml_text(value: str | None) -> str:
    """``value`` without the characters XML 1.0 cannot carry."""
    return _NOT_XML.sub("", value or "")


def entry_id(item: DigestItem) -> str:
    """The entry's stable id: the lead article's URL (or a URN when it has no usable URL)."""
    return safe_url(item.lead.url) or f"urn:mimir:article:{item.lead.id}"


def entry_html(item: DigestItem) -> str:
    """The entry's HTML content: snippet with highlights, source and date, other sources."""
    return render_template("feed_item.html", item=item, when=when_in(UTC)).strip()


def _date(item: DigestItem, meta: FeedMeta) -> datetime:
    return item.lead.published_at or meta.updated


def _description(meta: FeedMeta) -> str:
    return meta.description or f"Stories matching the Mimir watch {oneline(meta.title)}"


def _serialize(root: Any) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True))


def render_atom(meta: FeedMeta, items: Sequence[DigestItem]) -> bytes:
    """An Atom 1.0 document (RFC 4287) with a self link."""

    def sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        element = etree.SubElement(parent, f"{{{ATOM_NS}}}{tag}", attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    feed = etree.Element(f"{{{ATOM_NS}}}feed", nsmap={None: ATOM_NS})
    sub(feed, "id", meta.feed_url)
    sub(feed, "title", oneline(meta.title))
    sub(feed, "subtitle", _description(meta))
    sub(feed, "updated", iso(meta.updated))
    sub(feed, "link", rel="self", type=CONTENT_TYPES["atom"].split(";")[0], href=meta.feed_url)
    if home := safe_url(meta.home_url):
        sub(feed, "link", rel="alternate", type="text/html", href=home)
    sub(feed, "generator", GENERATOR, uri=GENERATOR_URL, version=__version__)
    author = sub(feed, "author")
    sub(author, "name", "Mimir")
    for item in items:
        entry = sub(feed, "entry")
        sub(entry, "id", entry_id(item))
        sub(entry, "title", oneline(item.lead.title), type="text")
        if link := safe_url(item.lead.url):
            sub(entry, "link", rel="alternate", type="text/html", href=link)
        date = iso(_date(item, meta))
        sub(entry, "updated", date)
        sub(entry, "published", date)
        if item.lead.source:
            sub(sub(entry, "author"), "name", oneline(item.lead.source))
        for term in item.matched_terms:
            sub(entry, "category", term=xml_text(oneline(term)))
        if item.lead.snippet:
            sub(entry, "summary", oneline(item.lead.snippet), type="text")
        sub(entry, "content", entry_html(item), type="html")
    return _serialize(feed)


def render_rss(meta: FeedMeta, items: Sequence[DigestItem]) -> bytes:
    """An RSS 2.0 document with an ``atom:link rel="self"``."""

    def sub(parent: Any, tag: str, text: str | None = None, **attrs: str) -> Any:
        element = etree.SubElement(parent, tag, attrs)
        if text is not None:
            element.text = xml_text(text)
        return element

    rss = etree.Element("rss", {"version": "2.0"}, nsmap={"atom": ATOM_NS, "dc": DC_NS})
    channel = sub(rss, "channel")
    sub(channel, "title", oneline(meta.title))
    sub(channel, "link", safe_url(meta.home_url) or meta.feed_url)
    sub(channel, "description", _description(meta))
    etree.SubElement(
        channel,
        f"{{{ATOM_NS}}}link",
        {"rel": "self", "type": CONTENT_TYPES["rss"].split(";")[0], "href": meta.feed_url},
    )
    sub(channel, "lastBuildDate", format_datetime(meta.updated.astimezone(UTC), usegmt=True))
    sub(channel, "generator", f"{GENERATOR} {__version__}")
    sub(channel, "docs", "https://www.rssboard.org/rss-specification")
    for item in items:
        entry = sub(channel, "item")
        sub(entry, "title", oneline(item.lead.title))
        link = safe_url(item.lead.url)
        if link:
            sub(entry, "link", link)
        sub(entry, "guid", entry_id(item), isPermaLink="true" if link else "false")
        sub(entry, "pubDate", format_datetime(_date(item, meta).astimezone(UTC), usegmt=True))
        if item.lead.source:
            creator = etree.SubElement(entry, f"{{{DC_NS}}}creator")
            creator.text = xml_text(oneline(item.lead.source))
        for term in item.matched_terms:
            sub(entry, "category", oneline(term))
        sub(entry, "description", entry_html(item))
    return _serialize(rss)


def render_json_feed(meta: FeedMeta, items: Sequence[DigestItem]) -> bytes:
    """A JSON Feed 1.1 document; Mimir's own fields live under ``_mimir``."""
    feed: dict[str, Any] = {
        "version": JSON_FEED_VERSION,
        "title": oneline(meta.title),
        "feed_url": meta.feed_url,
        "description": _description(meta),
    }
    if home := safe_url(meta.home_url):
        feed["home_page_url"] = home
    feed["items"] = [_json_item(item, meta) for item in items]
    return json.dumps(feed, ensure_ascii=False, indent=1).encode("utf-8", "replace")


def _json_item(item: DigestItem, meta: FeedMeta) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": entry_id(item), "title": oneline(item.lead.title)}
    if link := safe_url(item.lead.url):
        entry["url"] = link
    entry["content_html"] = entry_html(item)
    if item.lead.snippet:
        entry["summary"] = oneline(item.lead.snippet)
    entry["date_published"] = iso(_date(item, meta))
    if item.lead.source:
        entry["authors"] = [{"name": oneline(item.lead.source)}]
    if item.matched_terms:
        entry["tags"] = [oneline(t) for t in item.matched_terms]
    entry["_mimir"] = {
        "alert_id": item.alert_id,
        "story_id": item.story_id,
        "article_id": item.lead.id,
        "source": item.lead.source,
        "other_sources": list(item.other_sources),
        "matched_terms": list(item.matched_terms),
    }
    return entry
