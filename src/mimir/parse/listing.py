"""HTML listing pages (press rooms, news indexes) read through per-source CSS selectors."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urldefrag, urlsplit

from lxml import html as lxml_html
from lxml.html import HtmlElement

from mimir.model import Entry, ParsedFeed, Selectors
from mimir.parse.charset import decode_html
from mimir.parse.dates import date_in_text, parse_date, sane
from mimir.parse.htmltree import document_base, first_link, parse_html, select, select_one, text_of
from mimir.parse.language import language_code
from mimir.parse.metadata import meta_tags
from mimir.parse.urls import absolute_http_url

_HEADINGS = ("h1", "h2", "h3", "h4")
_INLINE_OR_HEADING = frozenset(
    {"a", "h1", "h2", "h3", "h4", "h5", "h6", "span", "strong", "em", "b"}
)
_MAX_TITLE = 500


@dataclass(slots=True)
class _Item:
    link: HtmlElement
    container: HtmlElement


def _items_by_selectors(tree: HtmlElement, selectors: Selectors) -> list[_Item]:
    items: list[_Item] = []
    if selectors.article_list:
        for container in select(tree, selectors.article_list):
            target = (
                select_one(container, selectors.article_link)
                if selectors.article_link
                else container
            )
            link = first_link(target) if target is not None else None
            if link is not None:
                items.append(_Item(link, container))
        return items
    for element in select(tree, selectors.article_link or "a[href]"):
        link = first_link(element)
        if link is None:
            continue
        items.append(_Item(link, _card(element)))
    return items


def _card(element: HtmlElement) -> HtmlElement:
    """A matched link or heading sits in its card: title/date/summary are read from there."""
    container = element
    while container.tag in _INLINE_OR_HEADING:
        parent = container.getparent()
        if parent is None:
            break
        container = parent
    return container


#: page furniture: links in these are menus, breadcrumbs and footers, not a listing's items
_FURNITURE = frozenset({"nav", "header", "footer", "aside", "form"})
#: a link's text long enough to be a headline (menus and "more" links are shorter)
_MIN_TITLE_CHARS = 20


def _in_furniture(element: HtmlElement) -> bool:
    return any(a.tag in _FURNITURE for a in element.iterancestors())


def _from_articles(tree: HtmlElement) -> list[_Item]:
    items: list[_Item] = []
    for article in tree.iter("article"):
        heading_links = [
            a
            for h in _HEADINGS
            for el in article.iter(h)
            for a in [first_link(el)]
            if a is not None
        ]
        link = heading_links[0] if heading_links else first_link(article)
        if link is not None:
            items.append(_Item(link, article))
    return items


def _from_headings(tree: HtmlElement) -> list[_Item]:
    items: list[_Item] = []
    for heading in tree.iter("h2", "h3"):
        link = first_link(heading)
        if link is not None and not _in_furniture(heading):
            parent = heading.getparent()
            items.append(_Item(link, parent if parent is not None else heading))
    return items


def _shape(element: HtmlElement) -> tuple[tuple[str, str], ...]:
    """The tags and classes from ``element`` up to the body: repeated cards share it."""
    path = []
    for node in (element, *element.iterancestors()):
        if node.tag in ("body", "html"):
            break
        path.append((str(node.tag), " ".join(sorted((node.get("class") or "").split()))))
    return tuple(path)


def _from_repeats(tree: HtmlElement) -> list[_Item]:
    """Headline links in repeated cards: the largest group of links with headline-long text
    that sit in the same structure (``ul.releases > li > a``, ``div.item > div.title > a``),
    as press rooms list releases without headings or ``<article>``."""
    groups: dict[tuple[tuple[str, str], ...], list[_Item]] = {}
    for anchor in tree.iter("a"):
        href = anchor.get("href") or ""
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        if len(text_of(anchor)) < _MIN_TITLE_CHARS or _in_furniture(anchor):
            continue
        groups.setdefault(_shape(anchor), []).append(_Item(anchor, _card(anchor)))
    return max(groups.values(), key=len, default=[])


def _items_by_heuristic(tree: HtmlElement) -> list[_Item]:
    """No selectors: links inside ``<article>`` elements; where fewer than three, whichever
    finds most of: links in ``<h2>``/``<h3>`` headings, and headline links in repeated cards
    (menus, headers, footers and asides left out of both)."""
    articles = _from_articles(tree)
    if len(articles) >= 3:
        return articles
    found = [articles, _from_headings(tree), _from_repeats(tree)]
    return max(found, key=len)  # the first of equals: articles, then headings


def _date(container: HtmlElement, selectors: Selectors, now: datetime) -> datetime | None:
    element = select_one(container, selectors.date) if selectors.date else None
    if element is None:
        element = next(container.iter("time"), None)
    if element is None:
        return None if selectors.date else sane(date_in_text(text_of(container)[:400]), now)
    candidates = [element.get("datetime"), element.get("content")]
    candidates += [t.get("datetime") for t in element.iter("time")]
    for raw in candidates:
        parsed = parse_date(raw, selectors.date_format) if raw else None
        if parsed:
            return sane(parsed, now)
    return sane(parse_date(text_of(element), selectors.date_format), now)


def _entry(
    item: _Item, base: str, selectors: Selectors, now: datetime, language: str | None
) -> Entry | None:
    url = absolute_http_url(item.link.get("href"), base)
    if url is None:
        return None
    url = urldefrag(url).url
    title_el = select_one(item.container, selectors.title) if selectors.title else None
    title = text_of(title_el) or text_of(item.link) or (item.link.get("title") or "").strip()
    summary_el = select_one(item.container, selectors.summary) if selectors.summary else None
    return Entry(
        url=url,
        title=title[:_MAX_TITLE] or None,
        summary=text_of(summary_el) or None,
        published_at=_date(item.container, selectors, now),
        language=language,
    )


def _next_url(tree: HtmlElement, base: str, selectors: Selectors, page_url: str) -> list[str]:
    element = select_one(tree, selectors.next_page)
    link = first_link(element) if element is not None else None
    url = absolute_http_url(link.get("href"), base) if link is not None else None
    return [url] if url and url != page_url else []


#: the mount points and state blobs of pages built in the browser (React, Next.js, Nuxt,
#: Angular, Vue, Gatsby, Svelte)
_APP_MARKERS = ("__NEXT_DATA__", "__NUXT__", "ng-version", "data-reactroot", "data-server-rendered",
                "___gatsby", "data-svelte", 'id="root"', 'id="app"')  # fmt: skip
_THIN_TEXT = 600  # characters of visible text below which a page shows next to nothing


def _why_empty(tree: HtmlElement, selectors: Selectors, custom: bool) -> str:
    """The warning for a listing page that gave no links, with the likely cause."""
    if custom:
        chosen = ", ".join(
            f"{name}={value!r}"
            for name, value in (("article_list", selectors.article_list),
                                ("article_link", selectors.article_link))
            if value
        )  # fmt: skip
        return f"the selectors matched no article links on the page ({chosen})"
    scripts = sum(1 for _ in tree.iter("script"))
    visible = sum(
        len(t.strip())
        for t in tree.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]")
    )
    if scripts and visible < _THIN_TEXT:
        html = lxml_html.tostring(tree, encoding="unicode")
        if any(marker in html for marker in _APP_MARKERS) or visible < 100:
            return (
                "no article links found on the page as served: it is built by JavaScript in "
                "the browser, which Mimir does not run; use the site's feed or sitemap "
                "(`mimir sources add` on the site's address finds them)"
            )
    return "no article links found on the page"


def parse_listing(
    body: bytes, url: str, selectors: Selectors, *, content_type: str | None = None, now: datetime
) -> ParsedFeed:
    """The article links of an HTML listing page (format ``"listing"``).

    With ``selectors.article_list`` each container yields one entry (its ``article_link``, or
    its first link); with only ``article_link`` every match does. Without selectors, links in
    ``<article>`` elements or ``<h2>``/``<h3>`` headings are used. Raises
    :class:`~mimir.errors.ParseError` naming an invalid selector.
    """
    text, _ = decode_html(body, content_type)
    tree = parse_html(text)
    base = document_base(tree, url)
    custom = bool(selectors.article_list or selectors.article_link)
    items = _items_by_selectors(tree, selectors) if custom else _items_by_heuristic(tree)
    language = language_code(tree.get("lang"))
    entries: list[Entry] = []
    seen: set[str] = set()
    page = urldefrag(url).url
    for item in items:
        entry = _entry(item, base, selectors, now, language)
        if entry is None or entry.url in seen or entry.url == page:
            continue
        if not custom and _is_site_root(entry.url):
            continue  # a site's home page is no article: "Yahoo Screen", "Flickr" on Yahoo's
        seen.add(entry.url)
        entries.append(entry)
    warnings = [] if entries else [_why_empty(tree, selectors, custom)]
    return ParsedFeed(
        format="listing",
        title=_listing_title(tree, url),
        link=url,
        language=language,
        entries=entries,
        next_urls=_next_url(tree, base, selectors, page) if selectors.next_page else [],
        warnings=warnings,
    )


def _is_site_root(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


def _listing_title(tree: HtmlElement, url: str) -> str | None:
    """What the listing page calls itself: a site's home page by the site's name (its
    og:site_name: "WIRED", not "WIRED - The Latest in Technology, Science, Culture and
    Business | WIRED"), any other page by its ``<title>`` ("Press releases | Sony" says more
    than "Sony")."""
    title = text_of(select_one(tree, "title")) or None
    if urlsplit(url).path.strip("/") == "":
        tags = meta_tags(tree)
        names = tags.get("og:site_name") or tags.get("application-name")
        if names:
            return names[0]
    return title

