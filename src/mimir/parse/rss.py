"""RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and RDF through feedparser, mapped to domain values."""

from __future__ import annotations

import io
import re
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser

from mimir.errors import NotAFeed, ParseError
from mimir.model import Entry, FeedHints, ParsedFeed
from mimir.parse import fastfeed
from mimir.parse.charset import decode_html
from mimir.parse.dates import parse_date, sane
from mimir.parse.language import language_code
from mimir.parse.sanitize import html_to_text, sanitize_html
from mimir.parse.urls import absolute_http_url, is_http_url

_VERSIONS = {
    "rss20": "rss20",
    "rss10": "rss10",
    "rss090": "rss090",
    "rss091n": "rss09x",
    "rss091u": "rss09x",
    "rss092": "rss09x",
    "rss093": "rss09x",
    "rss094": "rss09x",
    "rss": "rss",
    "atom10": "atom10",
    "atom03": "atom03",
    "atom02": "atom03",
    "atom01": "atom03",
    "atom": "atom",
    "cdf": "cdf",
}
_PERIODS = {
    "hourly": 3600,
    "daily": 86400,
    "weekly": 604800,
    "monthly": 2592000,
    "yearly": 31536000,
}
_PROLOG_ENCODING = re.compile(r"""^(\s*<\?xml[^>]*?encoding\s*=\s*)["'][^"']*["']""", re.I)
_IMAGE_EXT = re.compile(r"\.(jpe?g|png|gif|webp|avif)(\?|$)", re.I)
# "The post <title> appeared first on <site>." appended by WordPress (Yoast and core)
_WORDPRESS_FOOTER = re.compile(r"\s*The post .{1,400}? appeared first on .{1,200}?\.?\s*$")
_HTML_TYPES = {"text/html", "application/xhtml+xml", "html", "xhtml"}


def utf8_xml(body: bytes, content_type: str | None) -> bytes:
    """Decode once with our charset rules, re-encode as UTF-8 and say so in the prolog."""
    text, _ = decode_html(body, content_type)
    return _PROLOG_ENCODING.sub(r'\1"utf-8"', text, count=1).encode("utf-8", "replace")


def run_feedparser(body: bytes, url: str, content_type: str | None, *, fast: bool = True) -> Any:
    """feedparser's result for a body: from ``mimir.parse.fastfeed`` when it reads the
    document (well-formed RSS 2.0 and Atom 1.0 of the usual shape; the whole parse is about
    4 times faster, ``python -m bench.feeds``), else from feedparser itself (never given a
    path or URL: a BytesIO, so it cannot open anything). ``fast=False`` always runs
    feedparser (the tests compare the two)."""
    data = utf8_xml(body, content_type)
    if fast:
        result = fastfeed.parse(data, url)
        if result is not None:
            return result
    try:
        return feedparser.parse(
            io.BytesIO(data),
            response_headers={
                "content-type": "application/xml; charset=utf-8",
                "content-location": url,
            },
            # markup is kept as the feed wrote it: our own nh3 policy reads it (sanitize_html,
            # html_to_text) and makes its links absolute against the content's base (xml:base
            # or the feed's address); feedparser's resolver would re-serialise it first through
            # an SGML parser, which costs more than the rest of the parse and mangles what it
            # does not understand ("</br>", "&bogus;")
            resolve_relative_uris=False,
            sanitize_html=False,
        )
    except Exception as exc:  # its SGML fallback and handlers crash on some broken markup
        raise ParseError(
            f"unreadable feed: the parser failed on malformed markup ({type(exc).__name__}: {exc})"
        ) from None


def _struct_time(value: Any) -> datetime | None:
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime(*value[:6], tzinfo=UTC)
    except (ValueError, OverflowError):
        return None


def _date(entry: Mapping[str, Any], key: str, now: datetime) -> datetime | None:
    # dict.get: feedparser's own get() maps "updated" to "published" (with a warning)
    raw = dict.get(entry, key)  # type: ignore[call-overload]
    parsed = parse_date(raw) if isinstance(raw, str) else None
    return sane(parsed or _struct_time(dict.get(entry, f"{key}_parsed")), now)  # type: ignore[call-overload]


def _unique(values: Iterable[str | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for value in values:
        cleaned = " ".join(value.split()) if value else ""
        if cleaned and cleaned.lower() not in {k.lower() for k in seen}:
            seen[cleaned] = None
    return tuple(seen)


def _authors(entry: Mapping[str, Any], feed: Mapping[str, Any]) -> tuple[str, ...]:
    people = entry.get("authors") or feed.get("authors") or []
    names = [p.get("name") or p.get("email") for p in people if isinstance(p, Mapping)]
    if not any(names) and isinstance(entry.get("author"), str):
        names = [entry["author"]]
    return _unique(html_to_text(n) for n in names if n)


def _image(entry: Mapping[str, Any], base: str) -> str | None:
    candidates: list[str] = []
    for media in entry.get("media_content") or []:
        kind = f"{media.get('medium', '')} {media.get('type', '')}"
        if "image" in kind or _IMAGE_EXT.search(media.get("url", "")):
            candidates.append(media.get("url", ""))
    candidates += [t.get("url", "") for t in entry.get("media_thumbnail") or []]
    for link in entry.get("links") or []:
        if link.get("rel") == "enclosure" and str(link.get("type", "")).startswith("image/"):
            candidates.append(link.get("href", ""))
    itunes = entry.get("image")
    if isinstance(itunes, Mapping):
        candidates.append(itunes.get("href", ""))
    for candidate in candidates:
        absolute = absolute_http_url(candidate, base)
        if absolute:
            return absolute
    return None


def _content(entry: Mapping[str, Any], base: str) -> str | None:
    """The longest HTML content, sanitised, its links made absolute against the content's own
    base (feedparser's ``base``: the xml:base in force, else the feed's address)."""
    bodies = [
        c
        for c in entry.get("content") or []
        if c.get("type", "text/html") in _HTML_TYPES or "html" in c.get("type", "")
    ]
    best = max(bodies, key=lambda c: len(c.get("value", "")), default=None)
    if best is None or not best.get("value", "").strip():
        return None
    return sanitize_html(best["value"], best.get("base") or base) or None


def _entry_url(entry: Mapping[str, Any], base: str) -> str | None:
    for key in ("feedburner_origlink", "link"):
        value = entry.get(key)
        if isinstance(value, str) and value.strip():
            resolved = absolute_http_url(value, base)
            if resolved:
                return resolved
    guid = entry.get("id")
    if isinstance(guid, str) and is_http_url(guid.strip()):
        return guid.strip()
    return None


def title_text(item: Mapping[str, Any], *, atom: bool) -> str:
    """A title as plain text. An Atom ``type="text"`` title is text already (``<deals>`` in it
    is words, not a tag); RSS titles and Atom html/xhtml titles may carry markup."""
    title = item.get("title")
    detail = item.get("title_detail") or {}
    if atom and isinstance(title, str) and detail.get("type") == "text/plain":
        return " ".join(title.split())
    return html_to_text(title)


def build_entry(
    entry: Mapping[str, Any],
    feed: Mapping[str, Any],
    base: str,
    now: datetime,
    language: str | None,
    *,
    atom: bool = False,
) -> Entry | None:
    """One feedparser entry as an :class:`Entry`; None when it says nothing at all.

    An entry with no link of its own (RSS 2.0 asks only for a title or a description) takes
    the feed's home page, else the feed's address: ``mimir.monitor.entries`` then tells such
    items apart by an anchor and stores them from the feed."""
    url = _entry_url(entry, base)
    if url is None:
        if not any(entry.get(k) for k in ("id", "title", "summary", "content")):
            return None
        url = absolute_http_url(str(feed.get("link") or ""), base) or base
    published = _date(entry, "published", now)
    updated = _date(entry, "updated", now)
    summary = _WORDPRESS_FOOTER.sub("", html_to_text(entry.get("summary"))) or None
    guid = entry.get("id")
    return Entry(
        url=url,
        guid=guid.strip() if isinstance(guid, str) and guid.strip() else None,
        title=title_text(entry, atom=atom) or None,
        summary=summary,
        content_html=_content(entry, url),
        authors=_authors(entry, feed),
        published_at=published or updated,
        updated_at=updated,
        tags=_unique(t.get("term") or t.get("label") for t in entry.get("tags") or []),
        image=_image(entry, url),
        language=language,
    )


def _hints(feed: Mapping[str, Any]) -> FeedHints:
    ttl: int | None = None
    raw_ttl = str(feed.get("ttl", "")).strip()
    if raw_ttl.isdigit() and int(raw_ttl) > 0:
        ttl = int(raw_ttl) * 60
    period: int | None = None
    name = str(feed.get("sy_updateperiod", "")).strip().lower()
    if name in _PERIODS:
        frequency = str(feed.get("sy_updatefrequency", "1")).strip()
        times = int(frequency) if frequency.isdigit() and int(frequency) > 0 else 1
        period = max(_PERIODS[name] // times, 60)
    return FeedHints(ttl_seconds=ttl, update_period_seconds=period)


def _language(feed: Mapping[str, Any]) -> str | None:
    value = feed.get("language")
    return language_code(value) if isinstance(value, str) else None


def parse_rss(
    body: bytes,
    url: str,
    *,
    content_type: str | None,
    now: datetime,
    max_entries: int,
    root: str | None,
    fast: bool = True,
) -> ParsedFeed:
    """An RSS/Atom/RDF body as a :class:`ParsedFeed` (entries not yet de-duplicated)."""
    result = run_feedparser(body, url, content_type, fast=fast)
    feed = result.get("feed") or {}
    version = str(result.get("version") or "")
    atom = version.startswith("atom")
    raw_entries = list(result.get("entries") or [])
    warnings: list[str] = []
    if result.get("bozo"):
        warnings.append(f"malformed XML, kept what could be read: {result.get('bozo_exception')}")
    if not version and not raw_entries:
        if result.get("bozo"):
            raise ParseError(f"unreadable feed: {result.get('bozo_exception')}")
        raise NotAFeed(f"not a feed: the root element is <{root or '?'}>, not rss, feed or RDF")
    if len(raw_entries) > max_entries:
        warnings.append(f"feed lists {len(raw_entries)} entries; kept the first {max_entries}")
        raw_entries = raw_entries[:max_entries]
    language = _language(feed)
    home = absolute_http_url(str(feed.get("link") or ""), url)
    entries: list[Entry] = []
    for raw in raw_entries:
        built = build_entry(raw, feed, url, now, language, atom=atom)
        if built is None:
            warnings.append("dropped an empty entry (no link, GUID, title or text)")
            continue
        entries.append(built)
    return ParsedFeed(
        format=_VERSIONS.get(version, version or "unknown"),
        title=title_text(feed, atom=atom) or None,
        link=home,
        language=language,
        entries=entries,
        hints=_hints(feed),
        warnings=warnings,
    )
