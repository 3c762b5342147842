"""Sitemaps (sitemaps.org), Google news and image sitemaps, and sitemap indexes."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from lxml import etree

from mimir.errors import ParseError
from mimir.model import Entry, ParsedFeed
from mimir.parse.dates import parse_date, sane
from mimir.parse.language import language_code
from mimir.parse.urls import absolute_http_url
from mimir.parse.xmlsniff import safe_parser

SITEMAP_ROOTS = frozenset({"urlset", "sitemapindex"})
#: a text sitemap's line (sitemaps.org: "one URL per line"), and the share of its non-blank
#: lines that must be such URLs (a stray comment or a relative path is dropped with a warning)
_URL_LINE = re.compile(r"\s*https?://\S+\s*", re.I)
_TEXT_SITEMAP_SHARE = 0.9
_SNIFF_LINES = 20
_OLDEST = datetime.min.replace(tzinfo=UTC)


def _local(element: etree._Element) -> str:
    tag = element.tag
    # by hand, not etree.QName: a recovered document may carry names QName rejects
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower() if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [c for c in element if _local(c) == name]


def _text(element: etree._Element | None, *path: str) -> str | None:
    node: etree._Element | None = element
    for name in path:
        if node is None:
            return None
        found = _children(node, name)
        node = found[0] if found else None
    if node is None or node.text is None:
        return None
    return " ".join(node.text.split()) or None


def _url_entry(node: etree._Element, base: str, now: datetime) -> tuple[Entry | None, bool]:
    url = absolute_http_url(_text(node, "loc"), base)
    if url is None:
        return None, False
    news = (_children(node, "news") or [None])[0]
    image = absolute_http_url(_text(node, "image", "loc"), url)
    lastmod = sane(parse_date(_text(node, "lastmod")), now)
    if news is None:
        return Entry(url=url, updated_at=lastmod, image=image), False
    keywords = _text(news, "keywords") or ""
    language = _text(news, "publication", "language")
    entry = Entry(
        url=url,
        title=_text(news, "title"),
        published_at=sane(parse_date(_text(news, "publication_date")), now),
        updated_at=lastmod,
        tags=tuple(dict.fromkeys(k.strip() for k in keywords.split(",") if k.strip())),
        image=image,
        language=language_code(language),
    )
    return entry, True


_NUMBER = re.compile(r"\d+")


def _series(url: str) -> tuple[str, tuple[int, ...]]:
    """A child sitemap's series (its URL with the numbers masked) and its numbers in order:
    ``wp-sitemap-posts-post-12.xml`` is page 12 of ``wp-sitemap-posts-post-#.xml``,
    ``sitemap-2026-11.xml`` is (2026, 11) of ``sitemap-#-#.xml``."""
    return _NUMBER.sub("#", url), tuple(int(n) for n in _NUMBER.findall(url))


def _undated_order(urls: list[str]) -> list[str]:
    """Child sitemaps without a lastmod, most likely newest first.

    Numbered pages of one series usually grow at the end (WordPress lists posts by id, oldest on
    page 1; date-named sitemaps count up), but some sites put the newest on page 1. So: the
    first child, then the rest of its series from the highest number down, then everything
    else in document order.
    """
    if not urls:
        return []
    first, rest = urls[0], urls[1:]
    stem = _series(first)[0]
    same = [u for u in rest if _series(u)[0] == stem]
    same.sort(key=lambda u: _series(u)[1], reverse=True)  # stable: document order among equals
    others = [u for u in rest if _series(u)[0] != stem]
    return [first, *same, *others]


def _index(root: etree._Element, base: str, now: datetime, max_entries: int) -> ParsedFeed:
    dated: list[tuple[datetime, int, str]] = []
    undated: list[str] = []
    for position, node in enumerate(_children(root, "sitemap")):
        url = absolute_http_url(_text(node, "loc"), base)
        if url:
            modified = sane(parse_date(_text(node, "lastmod")), now)
            if modified is None:
                undated.append(url)
            else:
                dated.append((modified, -position, url))
    dated.sort(reverse=True)  # newest first; document order among equals
    ordered = [url for _, _, url in dated] + _undated_order(list(dict.fromkeys(undated)))
    urls = list(dict.fromkeys(ordered))
    warnings = []
    if len(urls) > max_entries:
        warnings.append(f"sitemap index lists {len(urls)} sitemaps; kept the newest {max_entries}")
        urls = urls[:max_entries]
    return ParsedFeed(format="sitemapindex", next_urls=urls, warnings=warnings)


def _newest(entries: list[Entry], limit: int) -> tuple[list[Entry], str]:
    """The ``limit`` entries to keep of a sitemap too long to read whole: the newest by date
    (publication, else lastmod) when it gives dates, in document order; else the first."""
    if not any(e.published_at or e.updated_at for e in entries):
        return entries[:limit], "first"
    ranked = sorted(
        range(len(entries)),
        key=lambda i: entries[i].published_at or entries[i].updated_at or _OLDEST,
        reverse=True,
    )  # stable: document order among equal dates
    keep = sorted(ranked[:limit])
    return [entries[i] for i in keep], "newest"


def looks_like_text_sitemap(body: bytes) -> bool:
    """Whether ``body`` is a text sitemap: its first lines are absolute http(s) URLs."""
    head = body[:16384].decode("utf-8", "replace")
    lines = [line for line in head.splitlines()[:_SNIFF_LINES] if line.strip()]
    if len(lines) > 1 and len(body) > 16384:
        lines = lines[:-1]  # the sniffed piece may cut its last line short
    return bool(lines) and all(_URL_LINE.fullmatch(line) for line in lines)


def parse_text_sitemap(body: bytes, url: str, *, max_entries: int) -> ParsedFeed:
    """A text sitemap (sitemaps.org's third format: UTF-8, one URL per line) as a
    :class:`ParsedFeed` of undated entries, the first ``max_entries`` kept."""
    lines = [line.strip() for line in body.decode("utf-8", "replace").splitlines()]
    lines = [line for line in lines if line]
    entries: list[Entry] = []
    for line in lines:
        found = absolute_http_url(line, url) if _URL_LINE.fullmatch(line) else None
        if found is not None:
            entries.append(Entry(url=found))
    if len(entries) < _TEXT_SITEMAP_SHARE * len(lines):
        raise ParseError(
            f"not a text sitemap: {len(lines) - len(entries)} of its {len(lines)} lines are "
            "no absolute http(s) URL"
        )
    warnings: list[str] = []
    if len(entries) < len(lines):
        warnings.append(f"dropped {len(lines) - len(entries)} lines that are no URL")
    if len(entries) > max_entries:
        listed = len(entries)
        entries, kept = _newest(entries, max_entries)  # undated: the first
        warnings.append(f"sitemap lists {listed} URLs; kept the {kept} {max_entries}")
    return ParsedFeed(format="sitemap", entries=entries, warnings=warnings)


def parse_sitemap(body: bytes, url: str, *, now: datetime, max_entries: int) -> ParsedFeed:
    """A ``urlset`` or ``sitemapindex`` document as a :class:`ParsedFeed`."""
    try:
        root = etree.fromstring(body, safe_parser(recover=True))
    except etree.XMLSyntaxError as exc:
        raise ParseError(f"unreadable sitemap XML: {exc}") from exc
    if root is None or _local(root) not in SITEMAP_ROOTS:
        raise ParseError("unreadable sitemap XML: no urlset or sitemapindex root")
    if _local(root) == "sitemapindex":
        return _index(root, url, now, max_entries)
    nodes = _children(root, "url")
    warnings: list[str] = []
    entries: list[Entry] = []
    any_news = False
    title: str | None = None
    for node in nodes:
        entry, is_news = _url_entry(node, url, now)
        if entry is None:
            warnings.append("dropped a sitemap <url> without a usable <loc>")
            continue
        any_news = any_news or is_news
        if is_news and title is None:
            news = _children(node, "news")[0]
            title = _text(news, "publication", "name")
        entries.append(entry)
    if len(entries) > max_entries:
        entries, kept = _newest(entries, max_entries)
        warnings.append(f"sitemap lists {len(nodes)} URLs; kept the {kept} {max_entries}")
    languages = {e.language for e in entries if e.language}
    return ParsedFeed(
        format="newssitemap" if any_news else "sitemap",
        title=title,
        language=languages.pop() if len(languages) == 1 else None,
        entries=entries,
        warnings=warnings,
    )
