"""JSON Feed 1.0 and 1.1 (https://www.jsonfeed.org/version/1.1/)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from mimir.errors import NotAFeed, ParseError
from mimir.model import Entry, ParsedFeed
from mimir.parse.dates import parse_date, sane
from mimir.parse.language import language_code
from mimir.parse.sanitize import html_to_text, sanitize_html
from mimir.parse.urls import absolute_http_url, is_http_url

_VERSION_PREFIX = "https://jsonfeed.org/version/"
JSON_FEED_TYPES = frozenset({"application/feed+json", "application/json"})


def is_json_feed(document: Any) -> bool:
    return isinstance(document, Mapping) and str(document.get("version", "")).startswith(
        (_VERSION_PREFIX, "http://jsonfeed.org/version/")
    )


def load_json(body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig", "replace"))
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"invalid JSON: {str(exc)[:200]}") from exc


def _text(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _authors(item: Mapping[str, Any], feed: Mapping[str, Any]) -> tuple[str, ...]:
    people: list[Any] = []
    for source in (item, feed):
        found = source.get("authors")
        if isinstance(found, list):
            people = found
        elif isinstance(source.get("author"), Mapping):
            people = [source["author"]]
        if people:
            break
    names = [_text(p.get("name")) for p in people if isinstance(p, Mapping)]
    return tuple(dict.fromkeys(n for n in names if n))


def _item(
    item: Mapping[str, Any], feed: Mapping[str, Any], base: str, now: datetime, language: str | None
) -> Entry | None:
    guid = item.get("id")
    guid_text = str(guid).strip() if isinstance(guid, str | int | float) else None
    url = absolute_http_url(_text(item.get("url")), base) or absolute_http_url(
        _text(item.get("external_url")), base
    )
    if url is None and guid_text and is_http_url(guid_text):
        url = guid_text
    if url is None:  # an item with no address of its own: the site's, told apart downstream
        if not (guid_text or any(item.get(k) for k in ("title", "content_html", "content_text"))):
            return None
        url = absolute_http_url(_text(feed.get("home_page_url")), base) or base
    content_html = _text(item.get("content_html"))
    summary = (
        _text(item.get("summary"))
        or html_to_text(content_html)[:500]
        or _text(item.get("content_text"))
    )
    raw_tags = item.get("tags")
    tags: list[Any] = raw_tags if isinstance(raw_tags, list) else []
    published = sane(parse_date(_text(item.get("date_published"))), now)
    updated = sane(parse_date(_text(item.get("date_modified"))), now)
    return Entry(
        url=url,
        guid=guid_text or None,
        title=html_to_text(_text(item.get("title"))) or None,
        summary=html_to_text(summary) or None,
        content_html=sanitize_html(content_html, url) or None if content_html else None,
        authors=_authors(item, feed),
        published_at=published or updated,
        updated_at=updated,
        tags=tuple(dict.fromkeys(t.strip() for t in tags if isinstance(t, str) and t.strip())),
        image=absolute_http_url(_text(item.get("image")) or _text(item.get("banner_image")), url),
        language=language_code(_text(item.get("language"))) or language,
    )


def parse_json_feed(document: Any, url: str, *, now: datetime, max_entries: int) -> ParsedFeed:
    """A decoded JSON Feed document as a :class:`ParsedFeed`."""
    if not is_json_feed(document):
        raise NotAFeed("JSON document without a https://jsonfeed.org/version/ marker")
    version = str(document["version"])
    items = document.get("items")
    if not isinstance(items, list):
        raise ParseError("JSON Feed without an items list")
    warnings: list[str] = []
    if len(items) > max_entries:
        warnings.append(f"feed lists {len(items)} entries; kept the first {max_entries}")
        items = items[:max_entries]
    language = language_code(_text(document.get("language")))
    entries: list[Entry] = []
    for item in items:
        built = _item(item, document, url, now, language) if isinstance(item, Mapping) else None
        if built is None:
            warnings.append("dropped an empty JSON Feed item (no URL, id, title or content)")
            continue
        entries.append(built)
    return ParsedFeed(
        format="jsonfeed11" if version.rstrip("/").endswith("1.1") else "jsonfeed10",
        title=html_to_text(_text(document.get("title"))) or None,
        link=absolute_http_url(_text(document.get("home_page_url")), url),
        language=language,
        entries=entries,
        warnings=warnings,
    )
