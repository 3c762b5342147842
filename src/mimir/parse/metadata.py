"""Article metadata from the page itself: JSON-LD first, then OpenGraph and <meta> tags."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from mimir.parse.htmltree import text_of
from mimir.parse.language import language_code
from mimir.parse.urls import absolute_http_url, is_http_url

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "blogposting",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "techarticle",
        "scholarlyarticle",
        "socialmediaposting",
        "liveblogposting",
        "pressrelease",
        "report",
    }
)
_DATE_META = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "date",
    "pubdate",
    "publish-date",
    "publishdate",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    # the same, as other CMSs and standards name it (htmldate's list, its loose names left out)
    "og:article:published_time",
    "article:published",
    "article.published",
    "dc.date.created",
    "dc.date.publication",
    "dcterms.issued",
    "dcterms.date",
    "citation_publication_date",
    "publish_date",
    "published_time",
    "date_published",
)
_MODIFIED_META = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "og:article:modified_time",
    "article:modified",
    "modified_time",
)
_MAX_LD_BYTES = 2_000_000
_ELLIPSES = ("...", "\u2026")
#: a URL path's last segment for a title: lowercase words joined by hyphens
_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+){2,}")
#: the words of titles compared: three letters or more, in alphabetic scripts
_TITLE_WORD = re.compile(r"[^\W\d_]{3,}")
_ORGANIZATION_TYPES = frozenset(
    {"organization", "newsmediaorganization", "corporation", "ngo", "governmentorganization"}
)
#: elements that may hold the byline, by trafilatura's markers (its AUTHOR_XPATHS) in one
#: XPath of cheap tests; ranked in Python (``byline``)
_BYLINE_CANDIDATES = etree.XPath(
    "//*[@rel='author' or contains(@itemprop, 'author') or contains(@class, 'uthor')"
    " or contains(@class, 'yline') or contains(@class, 'writer') or contains(@id, 'uthor')"
    " or contains(@class, 'journalist')]"
)
#: the markers of the surest bylines: rel="author", class "author" or "byline", an author's name
_BYLINE_FIRST = re.compile(r"^(?:author|byline)$|author-?name|authorname|byline[-_]+name", re.I)
#: words of a class or id that mark no byline of this article: readers' comments, sidebars,
#: related stories, an author's box
_BYLINE_AWAY = frozenset({"sidebar", "related", "widget", "footer", "recommended", "teaser",
                          "promo", "popular", "newsletter", "nav", "menu", "share", "social",
                          "avatar", "bio", "about"})  # fmt: skip
_TOKEN = re.compile(r"[a-z0-9]+")
_NO_BYLINE_TAGS = frozenset({"html", "body", "main", "article", "script", "style", "meta",
                             "link", "img", "picture", "svg", "noscript"})  # fmt: skip


@dataclass(slots=True)
class PageMeta:
    """What a page says about itself, each field from the best source that had it."""

    title: str | None = None
    authors: tuple[str, ...] = ()
    published: str | None = None
    modified: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    language: str | None = None
    url: str | None = None
    description: str | None = None
    site_name: str | None = None
    canonical: str | None = None
    #: the JSON-LD ``articleBody`` as written (plain text, or HTML on some sites): the text
    #: where the page's markup holds less of the article (``article._structured_body``)
    body: str | None = None
    title_chosen: bool = False  # by the source's own selector: kept as it is
    authors_chosen: bool = False  # by the source's own selector: no byline search replaces it
    #: the JSON-LD names organizations alone as the authors: a person's byline on the page wins
    organization_authors: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def _clean(value: Any) -> str | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    if "&" in value:  # JSON-LD written with HTML character references (seen on real sites)
        value = html.unescape(value)
    return " ".join(value.split()) or None


def _resolved(value: Any, ids: Mapping[str, Mapping[str, Any]]) -> list[Any]:
    """The items of a JSON-LD value, a reference to an object elsewhere in the JSON-LD
    replaced by that object (Yoast writes ``"author": {"@id": ".../person/..."}`` and the
    Person in the ``@graph``)."""
    items = value if isinstance(value, list) else [value]
    return [ids.get(str(i.get("@id")), i) if isinstance(i, Mapping) and "name" not in i else i
            for i in items]  # fmt: skip


def _names(value: Any) -> list[str]:
    """The names in an author value: strings, or objects with a name."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        name = _clean(item.get("name")) if isinstance(item, Mapping) else _clean(item)
        if name and not is_http_url(name):
            names.append(name)
    return names


def _organizations_only(items: list[Any]) -> bool:
    """Whether every author is an organization (National Geographic names itself where the
    page's byline names the writer)."""
    return bool(items) and all(
        isinstance(i, Mapping) and bool(_types(i) & _ORGANIZATION_TYPES) for i in items
    )


def _first_url(value: Any) -> str | None:
    if isinstance(value, list):
        return next((u for u in (_first_url(v) for v in value) if u), None)
    if isinstance(value, Mapping):
        return _clean(value.get("url") or value.get("contentUrl"))  # an @id is no address
    return _clean(value)


#: a keyword longer than this (words) is a sentence, not a tag: autoindustriya.com writes its
#: two headlines into ``<meta name="keywords">`` with no comma between them
_TAG_WORDS = 8


def tag_like(values: Iterable[str]) -> tuple[str, ...]:
    """``values`` without repeats and without the ones too long to be tags."""
    return tuple(dict.fromkeys(v for v in values if len(v.split()) <= _TAG_WORDS))


#: short words no tag is, in the languages whose sites write word lists for keywords
_NO_TAG_WORDS = (
    "a an as at be by do in is it of on or so to the and for with was are says said takes "
    "der die das und ist sehr dort auch wie was wer ein eine den dem von zu mit "
    "le la les un une et de du des en el los las y una por con año día il che di per"
)
_NO_TAGS = frozenset(_NO_TAG_WORDS.split())
#: the fewest single-word tags a list must have to be judged a list of words
_SALAD_MIN = 3


def _stray(tag: str) -> bool:
    """A lower-case Latin fragment of a word or two letters: "a", "'", "is" (not "EU", nor a
    word of two Chinese characters)."""
    bare = tag.strip("'\"")
    return len(bare) <= 2 and bare.isascii() and not bare.isupper()


def word_salad(tags: Sequence[str], title: str | None) -> bool:
    """Whether ``tags`` are a page's words rather than its subjects: a keywords tag that
    splits the headline ("federal; reserve's; low; rate; policy; is; a; ...", HuffPost) or
    lists the text's words ("año; día; 180", El País; "Die; sehr; dort", a shop)."""
    single = [t for t in tags if len(t.split()) == 1]
    if len(single) < _SALAD_MIN:
        return False
    junk = sum(t.casefold() in _NO_TAGS or _stray(t) or t.isdigit() for t in single)
    if junk >= 2:
        return True
    words = {w.strip("'\",.:;!?").casefold() for w in (title or "").split()}
    in_title = sum(t.strip("'\",.:;!?").casefold() in words for t in single)
    return in_title >= _SALAD_MIN and in_title >= 0.7 * len(tags)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [s.strip() for s in value.split(",") if s.strip()]
    if isinstance(value, list):
        return [c for v in value for c in _strings(v)]
    return []


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return {k.lower().rsplit("/", 1)[-1] for k in kinds if isinstance(k, str)}


def _nodes(data: Any, depth: int = 0) -> Iterator[Mapping[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, list):
        for item in data:
            yield from _nodes(item, depth + 1)
    elif isinstance(data, Mapping):
        yield data
        yield from _nodes(data.get("@graph"), depth + 1)


def json_ld_nodes(tree: HtmlElement) -> list[Mapping[str, Any]]:
    """Every JSON-LD object on the page (``@graph`` members flattened)."""
    nodes: list[Mapping[str, Any]] = []
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        raw = (script.text or "").strip()
        if not raw or len(raw) > _MAX_LD_BYTES:
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        nodes.extend(_nodes(data))
    return nodes


def _from_json_ld(nodes: list[Mapping[str, Any]], meta: PageMeta) -> None:
    article = next((n for n in nodes if _types(n) & ARTICLE_TYPES), None)
    site = next((n for n in nodes if "website" in _types(n)), None)
    if site is not None:
        meta.site_name = _clean(site.get("name"))
    if article is None:
        return
    page = article.get("mainEntityOfPage")
    meta.title = _clean(article.get("headline")) or _clean(article.get("name"))
    ids = {str(n["@id"]): n for n in nodes if isinstance(n.get("@id"), str)}
    authors = _resolved(article.get("author"), ids)
    meta.authors = tuple(dict.fromkeys(_names(authors)))
    meta.organization_authors = bool(meta.authors) and _organizations_only(authors)
    meta.published = _clean(article.get("datePublished")) or _clean(article.get("dateCreated"))
    meta.modified = _clean(article.get("dateModified"))
    meta.image = _first_url(article.get("image")) or _first_url(article.get("thumbnailUrl"))
    sections = _strings(article.get("articleSection"))
    meta.section = sections[0] if sections else None
    meta.tags = tag_like(_strings(article.get("keywords")))
    language = article.get("inLanguage")
    meta.language = language_code(
        _clean(language.get("name")) if isinstance(language, Mapping) else _clean(language)
    )
    meta.url = _clean(article.get("url")) or _first_url(page)
    meta.description = _clean(article.get("description"))
    body = article.get("articleBody")
    meta.body = body if isinstance(body, str) and body.strip() else None
    publisher = article.get("publisher")
    if isinstance(publisher, Mapping) and not meta.site_name:
        meta.site_name = _clean(publisher.get("name"))


def meta_tags(tree: HtmlElement) -> dict[str, list[str]]:
    """The page's ``<meta>`` values by lower-case property, name, itemprop or http-equiv."""
    found: dict[str, list[str]] = {}
    for tag in tree.iter("meta"):
        key = (
            (
                tag.get("property")
                or tag.get("name")
                or tag.get("itemprop")
                or tag.get("http-equiv")
                or ""
            )
            .strip()
            .lower()
        )
        value = _clean(tag.get("content"))
        if key and value:
            found.setdefault(key, []).append(value)
    return found


#: the tags that name a page's authors, all read together
_AUTHOR_META = ("author", "article:author", "dc.creator", "parsely-author", "sailthru.author")
#: rarer ones (trafilatura's list and others seen on news sites), read where those are missing:
#: the New York Times's "byl" ("By Jane Doe"), CNBC's "Search.Byline", Time's "byline"
_MORE_AUTHOR_META = (
    "byl",
    "byline",
    "search.byline",
    "og:author",
    "article:author_name",
    "dc:creator",
    "dc.creator.aut",
    "dcterms.creator",
    "dcterms.creator.aut",
    "citation_author",
    "cxenseparse:author",
    "shareaholic:article_author_name",
)
#: a person's name as Kinja writes it into twitter:creator: two to four words, no handle
_A_NAME = re.compile(r"[^\W\d_][\w.'-]*(?: [^\W\d_][\w.'-]*){1,3}").fullmatch


def _fill_from_meta(tree: HtmlElement, meta: PageMeta) -> None:
    tags = meta_tags(tree)

    def first(*keys: str) -> str | None:
        return next((tags[k][0] for k in keys if k in tags), None)

    if not meta.title:  # an address's slug for a title ("adac-kindersitztest-herbst-2018") is none
        titles = ((tags.get(k) or [""])[0] for k in ("og:title", "twitter:title", "dc.title"))
        meta.title = next((t for t in titles if t and not is_slug(t)), None)
    if meta.title and meta.title.endswith(_ELLIPSES):
        meta.title = _uncut(meta.title, tree, tags)
    if not meta.authors:
        meta.authors = tuple(
            dict.fromkeys(n for k in _AUTHOR_META for n in _names(tags.get(k, [])))
        )
    if not meta.authors:  # the rarer tags, the first that names someone
        meta.authors = next(
            (found for k in _MORE_AUTHOR_META if (found := tuple(_names(tags.get(k, []))))), ()
        )
    if not meta.authors:
        # twitter:creator is mostly a handle ("@malusbrutus", "griffinmcelroy"); Kinja's sites
        # write the writer's name there ("Andrew Tarantola")
        meta.authors = tuple(n for n in _names(tags.get("twitter:creator", [])) if _A_NAME(n))
    meta.published = meta.published or first(*_DATE_META)
    meta.modified = meta.modified or first(*_MODIFIED_META)
    meta.image = meta.image or first(
        "og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"
    )
    meta.section = meta.section or first("article:section", "parsely-section")
    if not meta.tags:
        listed = tags.get("article:tag", [])
        if len(listed) == 1:  # one article:tag holding the list: "europe, russia, ..." (CNN)
            listed = _strings(listed[0])
        meta.tags = tag_like(listed or _strings(first("news_keywords", "keywords") or ""))
    meta.url = meta.url or first("og:url")
    meta.description = meta.description or first(
        "og:description", "description", "twitter:description"
    )
    meta.site_name = meta.site_name or first("og:site_name", "application-name")
    meta.language = (
        meta.language
        or language_code(tree.get("lang") or tree.get("xml:lang"))
        or language_code(first("content-language", "og:locale", "language"))
    )


def _uncut(title: str, tree: HtmlElement, tags: Mapping[str, list[str]]) -> str:
    """A headline cut short with an ellipsis gives way to a longer title of the page that
    opens with the same words: SCMP's JSON-LD headline stops at 110 characters ("... for
    Hong Kong leader...") where its ``<h1>`` and ``<title>`` go on ("... leader Carrie
    Lam")."""
    stem = " ".join(title.rstrip(".\u2026 ").split()).casefold()
    if len(stem) < 20:
        return title
    candidates = [*tags.get("og:title", []), *tags.get("twitter:title", [])]
    candidates += [text_of(h) for _, h in zip(range(4), tree.iter("h1", "title"), strict=False)]
    for candidate in candidates:
        whole = " ".join(candidate.split())
        longer = len(whole) > len(stem) + 1 and not whole.endswith(_ELLIPSES)
        if longer and whole.casefold().startswith(stem):
            return whole
    return title


def _canonical(tree: HtmlElement, base: str, meta: PageMeta) -> str | None:
    for link in tree.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split():
            resolved = absolute_http_url(link.get("href"), base)
            if resolved:
                return resolved
    return absolute_http_url(meta.url, base)


def _away(element: HtmlElement) -> bool:
    marks = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
    if "comment" in marks:
        return True
    return not _BYLINE_AWAY.isdisjoint(_TOKEN.findall(marks))


def byline(tree: HtmlElement) -> str | None:
    """The page's byline as written ("By John Walk - January 10, 2020"), where its metadata
    names no author: the first element trafilatura's author markers pick (rel="author", an
    "author-name" or "byline" class...) that is no reader's comment, sidebar or author's box,
    the surest markers first. About 1 ms a page, against trafilatura's 2 to 25 ms (it copies
    the tree); ``tidy.clean_authors`` makes names of it."""
    found: str | None = None
    # what holds the headline is the page's frame, not a sidebar, whatever its class says: a
    # theme marks <body> "left-sidebar" or "better-responsive-menu", a wrapper "content-sidebar-
    # wrap" or "mainwrap single-default sidebar" (a layout with a sidebar, around the article)
    frame = {a for headline in tree.iter("h1") for a in headline.iterancestors()}
    for element in _BYLINE_CANDIDATES(tree):
        if not isinstance(element.tag, str) or element.tag in _NO_BYLINE_TAGS:
            continue
        if _away(element):
            continue
        if any(_away(a) for a in element.iterancestors() if a not in frame and a.tag != "body"):
            continue
        text = " ".join(" ".join(element.itertext()).split())
        if not text or len(text) > 120 or len(text.split()) > 12:
            continue
        marks = f"{element.get('class') or ''} {element.get('id') or ''}"
        if element.get("rel") == "author" or any(_BYLINE_FIRST.search(m) for m in marks.split()):
            return text
        found = found or text
    return found


#: a byline as it stands alone right under a headline: "By Urs Gassner", "Von Anna Schmidt",
#: two to four words that start with a capital (a heading "Von Wiener Walzer und
#: Mozartkugeln" is none: its fifth word)
_HEADLINE_BYLINE = re.compile(
    r"(?i:by|von|par|por|door)\s+((?:[A-Z\u00c0-\u00de][\w'\u2019.-]*\s+){1,3}"
    r"[A-Z\u00c0-\u00de][\w'\u2019.-]*)"
)
#: how many lines after the page's first headline the byline may stand in
_AFTER_HEADLINE = 6
_NO_TEXT = frozenset({"script", "style", "noscript", "template"})


def _following_texts(element: HtmlElement) -> Iterator[tuple[str, HtmlElement | None]]:
    """The text after ``element`` in document order, each piece with the element that holds
    it (XPath's following::text() builds the whole rest of the page first: 0.35 ms)."""
    node: HtmlElement | None = element
    while node is not None:
        if node.tail:
            yield node.tail, node.getparent()
        for sibling in node.itersiblings():
            if not isinstance(sibling.tag, str):  # a comment: its tail only
                if sibling.tail:
                    yield sibling.tail, sibling.getparent()
                continue
            for event, el in etree.iterwalk(sibling, events=("start", "end")):
                if event == "start":
                    if isinstance(el.tag, str) and el.tag not in _NO_TEXT and el.text:
                        yield el.text, el
                elif el is not sibling and el.tail:
                    yield el.tail, el.getparent()
            if sibling.tail:
                yield sibling.tail, sibling.getparent()
        node = node.getparent()


#: what holds no byline under a headline: a heading, a link
_NO_BYLINE_HOLDERS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "a"})


def headline_byline(tree: HtmlElement) -> str | None:
    """A byline alone in one of the first lines under the headline, where no marker says it
    is one: ESPN's <cite class="source">By Jemele Hill</cite>, a shop's blog's <span>By Urs
    Gassner</span> over the post's date. The word that leads it must too start the line; a
    heading or a link is no byline."""
    headline = next(tree.iter("h1"), None)
    if headline is None:
        return None
    lines = 0
    for piece, holder in _following_texts(headline):
        text = " ".join(piece.split())
        if not text:
            continue
        lines += 1
        if lines > _AFTER_HEADLINE:
            break
        if holder is None or holder.tag in _NO_BYLINE_HOLDERS or len(text) > 60:
            continue
        found = _HEADLINE_BYLINE.fullmatch(text)
        if found is not None and found.group(0)[:1].isupper():
            return found.group(1)
    return None


def is_slug(title: str) -> bool:
    """Whether ``title`` is an address's slug ("adac-kindersitztest-herbst-2018"), no title."""
    return _SLUG.fullmatch(title.strip()) is not None


def _title_words(text: str) -> set[str]:
    return set(_TITLE_WORD.findall(text.casefold()))


def _headline_on_page(title: str, tree: HtmlElement) -> str:
    """The page's ``<h1>``, where it agrees with the ``<title>`` (its words are all there),
    instead of a title that shares no word with either (Wikipedia's JSON-LD headline is the
    article's description, "technique for dimensionality reduction", where both say
    "t-distributed stochastic neighbor embedding") or that is the ``<h1>`` without its
    kicker."""
    words = _title_words(title)
    h1 = next(tree.iter("h1"), None)
    head = next(tree.iter("title"), None)
    if len(words) < 2 or h1 is None or head is None:
        return title
    heading, page_title = text_of(h1), text_of(head)
    heading_words, title_words = _title_words(heading), _title_words(page_title)
    if len(heading_words) < 2 or not heading_words <= title_words:
        return title
    if not words & (heading_words | title_words):
        return heading
    # the headline without the kicker the page puts before it (FAZ's JSON-LD: "Musik-Stars
    # fordern ...", its <h1> and <title>: "Nutzerbasierte Abrechnung: Musik-Stars fordern ...")
    kicker = heading[: len(heading) - len(title)]
    if heading.casefold().endswith(title.casefold()) and kicker.rstrip().endswith(":"):
        return heading
    return title


def page_meta(tree: HtmlElement, base: str) -> PageMeta:
    """Metadata of an article page: JSON-LD wins, OpenGraph and ``<meta>`` fill the gaps."""
    meta = PageMeta()
    _from_json_ld(json_ld_nodes(tree), meta)
    _fill_from_meta(tree, meta)
    if meta.title:
        meta.title = _headline_on_page(meta.title, tree)
    meta.image = absolute_http_url(meta.image, base)
    meta.canonical = _canonical(tree, base, meta)
    return meta
