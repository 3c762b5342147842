"""Finding a site's feeds: <link rel=alternate>, feed-looking links, common paths, robots.txt."""

from __future__ import annotations

import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from mimir.parse.charset import decode_html
from mimir.parse.metadata import ARTICLE_TYPES, json_ld_nodes, meta_tags
from mimir.parse.urls import absolute_http_url

FEED_TYPES = {
    "application/rss+xml": "rss",
    "application/atom+xml": "atom",
    "application/feed+json": "json",
    "application/json": "json",
    "application/rdf+xml": "rss",
    "application/xml": "xml",
    "text/xml": "xml",
}

#: Paths worth trying on a site that advertises no feed, most likely first.
COMMON_FEED_PATHS: tuple[str, ...] = (
    "/feed",
    "/rss",
    "/feed/",
    "/rss.xml",
    "/atom.xml",
    "/feed.xml",
    "/index.xml",
    "/index.rss",
    "/feeds/posts/default",
    "/?feed=rss2",
    "/feed.json",
    "/news/rss.xml",
    "/press/rss.xml",
    "/sitemap.xml",
    "/news-sitemap.xml",
    "/sitemap_news.xml",
    "/sitemap_index.xml",
)

_FEEDISH_HREF = re.compile(
    r"(/feeds?/?$|/rss/?$|/atom/?$|\.rss$|\.atom$|[./_-]rss\.xml$"
    r"|/atom\.xml$|/feed\.xml$|/index\.xml$|\?feed=(rss2?|atom)$"
    r"|/feed\.json$)",
    re.I,
)
_XML_HREF = re.compile(r"\.xml$", re.I)
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.I | re.M)


@dataclass(frozen=True, slots=True)
class FeedLink:
    """A feed a page points to."""

    url: str
    type: str  # "rss", "atom", "json", "xml" (unknown XML) or "guess" (an <a> that looks like one)
    title: str | None = None


def _tree(html: bytes | str) -> etree._Element | None:
    text = decode_html(html, None)[0] if isinstance(html, bytes) else html
    if not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def _base(tree: etree._Element, base_url: str) -> str:
    base = tree.xpath("//head/base/@href")
    return absolute_http_url(str(base[0]), base_url) or base_url if base else base_url


def find_feed_links(html: bytes | str, base_url: str) -> list[FeedLink]:
    """Feeds a page names: ``<link rel=alternate>`` first (in page order), then ``<a>`` links
    that look like feeds. URLs are absolute and unique."""
    tree = _tree(html)
    if tree is None:
        return []
    base = _base(tree, base_url)
    found: dict[str, FeedLink] = {}
    for link in tree.iter("link"):
        rel = {r.lower() for r in (link.get("rel") or "").split()}
        kind = FEED_TYPES.get((link.get("type") or "").split(";")[0].strip().lower())
        if "alternate" not in rel or kind is None:
            continue
        url = absolute_http_url(link.get("href"), base)
        if url and url not in found:
            found[url] = FeedLink(
                url=url, type=kind, title=(link.get("title") or "").strip() or None
            )
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        if not (_FEEDISH_HREF.search(href) or _XML_HREF.search(href)):
            continue
        url = absolute_http_url(href, base)
        if url and url not in found:
            title = " ".join(anchor.text_content().split()) or None
            found[url] = FeedLink(url=url, type="guess", title=title)
    return list(found.values())


def article_page(html: bytes | str) -> str | None:
    """Why this page is one article rather than a list of them, or None: one JSON-LD article
    object (NewsArticle, BlogPosting...), or ``og:type`` "article" with the article's own
    ``article:published_time``. Its links are then related stories and site navigation, not
    the site's news as it comes."""
    tree = _tree(html)
    if tree is None:
        return None
    kinds: list[str] = []
    for node in json_ld_nodes(tree):  # type: ignore[arg-type]
        types = node.get("@type")
        for kind in types if isinstance(types, list) else [types]:
            if isinstance(kind, str) and kind.lower().rsplit("/", 1)[-1] in ARTICLE_TYPES:
                kinds.append(kind)
                break
    if len(kinds) == 1:
        return f"its JSON-LD describes one {kinds[0]}"
    meta = meta_tags(tree)  # type: ignore[arg-type]
    if meta.get("og:type", [""])[0].lower() == "article" and "article:published_time" in meta:
        return "its OpenGraph type is article, with a publication time"
    return None


def sitemaps_from_robots(robots_txt: str, base_url: str) -> list[str]:
    """The ``Sitemap:`` lines of a robots.txt, absolute and unique, in file order."""
    urls = (absolute_http_url(m, base_url) for m in _SITEMAP_LINE.findall(robots_txt))
    return list(dict.fromkeys(u for u in urls if u))
