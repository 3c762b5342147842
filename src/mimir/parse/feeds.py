"""``parse_feed``: a feed-like body -> :class:`ParsedFeed` (RSS, Atom, RDF, JSON Feed, sitemaps)."""

from __future__ import annotations

from datetime import datetime

from mimir.errors import NotAFeed, ParseError
from mimir.model import Entry, ParsedFeed
from mimir.parse.charset import wide_encoding
from mimir.parse.discovery import find_feed_links
from mimir.parse.jsonfeed import JSON_FEED_TYPES, load_json, parse_json_feed
from mimir.parse.rss import parse_rss, utf8_xml
from mimir.parse.sitemaps import (
    SITEMAP_ROOTS,
    looks_like_text_sitemap,
    parse_sitemap,
    parse_text_sitemap,
)
from mimir.parse.xmlsniff import (
    GZIP_MAGIC,
    check_depth,
    gunzip,
    looks_like_html,
    looks_like_json,
    root_name,
)

DEFAULT_MAX_ENTRIES = 2000


def _media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def _html_error(body: bytes, url: str) -> NotAFeed:
    links = find_feed_links(body, url)
    if links:
        listed = ", ".join(link.url for link in links[:5])
        return NotAFeed(
            f"this looks like an HTML page, not a feed; the page links to feeds: {listed}"
        )
    return NotAFeed("this looks like an HTML page, not a feed, and it advertises no feed links")


def _dedupe(feed: ParsedFeed) -> None:
    """Keep the first of entries sharing a GUID (or, lacking one, a URL and a title: items
    without links of their own share the site's address, told apart by their titles)."""
    seen: set[str] = set()
    kept: list[Entry] = []
    duplicates = 0
    for entry in feed.entries:
        key = f"guid:{entry.guid}" if entry.guid else f"url:{entry.url}\x00{entry.title or ''}"
        if key in seen:
            duplicates += 1
            continue
        seen.add(key)
        kept.append(entry)
    if duplicates:
        feed.warnings.append(f"dropped {duplicates} entries repeating an earlier GUID or URL")
    feed.entries = kept


def parse_feed(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    now: datetime,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> ParsedFeed:
    """Read a feed, a sitemap (XML or text: one URL per line) or a sitemap index.

    Raises :class:`NotAFeed` for HTML pages and other documents that are no feed, and
    :class:`ParseError` when nothing usable could be read. Recoverable problems (malformed XML,
    dropped entries, duplicate GUIDs, a capped entry count) are listed in ``warnings``.
    """
    if body.startswith(GZIP_MAGIC):
        body = gunzip(body)
    if wide_encoding(body) is not None:
        # UTF-16, UTF-32 or EBCDIC: the sniffing below reads bytes as ASCII, so the body is
        # UTF-8 from here on, and the header's charset, which named the old bytes, is dropped
        body = utf8_xml(body, content_type)
        content_type = _media_type(content_type) or None
    if not body.strip():
        raise ParseError("empty document")
    media = _media_type(content_type)
    if media in JSON_FEED_TYPES or looks_like_json(body):
        parsed = parse_json_feed(load_json(body), url, now=now, max_entries=max_entries)
    else:
        root = root_name(body)
        if looks_like_html(body, root):
            raise _html_error(body, url)
        if root is None and looks_like_text_sitemap(body):
            parsed = parse_text_sitemap(body, url, max_entries=max_entries)
        else:
            check_depth(body)
            if root in SITEMAP_ROOTS:
                parsed = parse_sitemap(body, url, now=now, max_entries=max_entries)
            else:
                parsed = parse_rss(
                    body, url, content_type=content_type, now=now, max_entries=max_entries,
                    root=root,
                )  # fmt: skip
    _dedupe(parsed)
    return parsed


__all__ = ["DEFAULT_MAX_ENTRIES", "NotAFeed", "ParseError", "parse_feed"]
