"""``extract_article``: an article page -> main text, readable HTML and metadata.

Runs in worker subprocesses: everything here is a pure function of its arguments (the
trafilatura engine and the language model are per-process caches only).
"""

from __future__ import annotations

import contextlib
import gc
import html as html_lib
import re
import unicodedata
from collections.abc import Iterable
from copy import deepcopy
from datetime import UTC, datetime
from html import escape
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from trafilatura import bare_extraction
from trafilatura.htmlprocessing import convert_to_html
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt

from mimir.errors import ExtractionCrashed, ExtractionError, MimirError
from mimir.model import ExtractedArticle, Selectors
from mimir.parse.charset import decode_html
from mimir.parse.dates import has_publication_label, has_time, labelled_date, parse_date, sane
from mimir.parse.enginefix import install as _install_enginefix
from mimir.parse.enginefix import known_rends
from mimir.parse.figures import Figure, page_figures, refigure
from mimir.parse.htmltree import (
    document_base,
    drop_keeping_tail,
    flow_text,
    parse_html,
    select,
    select_one,
    text_of,
)
from mimir.parse.language import checked_language, detect_language, language_code
from mimir.parse.leftovers import (
    closing_byline,
    drop_inline_teasers,
    leading_byline,
    trim_head,
    trim_tail,
)
from mimir.parse.metadata import (
    PageMeta,
    byline,
    headline_byline,
    is_slug,
    page_meta,
    tag_like,
    word_salad,
)
from mimir.parse.relink import prose_links, relink
from mimir.parse.sanitize import sanitize_html
from mimir.parse.speedups import engine_comment_names
from mimir.parse.speedups import install as _install_speedups
from mimir.parse.tidy import (
    DENSE_SCRIPT,
    clean_authors,
    clean_tags,
    clean_title,
    is_a_desk,
    is_headline,
    is_the_site,
    needs_cleaning,
    site_from_copyright,
)
from mimir.parse.urls import absolute_http_url

#: trafilatura's costliest XPath expressions replaced by identical Python selections (a third
#: of an extraction; mimir.parse.speedups), when its installed version has the known ones
SPEEDUPS = _install_speedups()
#: trafilatura keeps the text that follows an empty element in precision mode too
#: (mimir.parse.enginefix: it lost the first words of every paragraph of a real CNBC page)
ENGINE_FIX = _install_enginefix()

#: below this many characters of main text a page is no article (teaser, paywall, app shell)
MIN_TEXT_CHARS = 250
_BLOCKS = ("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "td")
#: markup in a JSON-LD articleBody (some sites write the body's HTML there)
_BODY_MARKUP = re.compile(r"<(?:p|br|div|h[1-6]|ul|ol|li|blockquote|a|strong|em|b|i|span)\b", re.I)
#: how many of the page text's first words must open the articleBody for it to replace a teaser
_OPENING_WORDS = 8
#: what separates a list's items on a page and is no part of them
_LIST_PUNCTUATION = " \t\n,;|\u00b7\u2022"
#: a heading's permalink: a link in it with no text (anchorjs' icon), or only a mark for one
#: (Sphinx's "\u00b6", "#", "\u00a7"), and no image
_HEADING_ANCHORS = etree.XPath(
    "(//h1|//h2|//h3|//h4|//h5|//h6)//a[not(.//img)]"
    "[not(translate(normalize-space(), '#\u00b6\u00a7', ''))]"
)

#: the blocks that may hold readers' comments, and the spans that may hold a note for screen
#: readers
_COMMENT_TAGS = ("div", "section", "aside", "ol", "ul", "span")
#: trafilatura's own tests of an id and a class: the blocks it prunes itself are left to it
_ENGINE_COMMENTS_ID, _ENGINE_COMMENTS_CLASS = engine_comment_names()
#: what only the article holds: its headline, its element, its body's microdata
_HOLDS_ARTICLE = etree.XPath(
    "boolean(.//h1 or .//article or .//main or .//*[@itemprop='articleBody'])"
)
#: the words of a class or id that name readers' comments: a plural, or "comment" beside the
#: readers (a singular alone may name the article: Horizont's opinion pieces are
#: "ArticleHeaderComment_author", "PageArticle_commentLead")
_COMMENTS_PLURAL = frozenset({"comments", "kommentare", "commentaires", "comentarios"})
_COMMENTERS = frozenset({"visitor", "visitors", "reader", "readers", "user", "users"})
#: a class of a post's taxonomy: "post_tag-kommentar", "category-comments"
_TAXONOMY = re.compile(r"^(?:post_)?(?:tag|category|cat)[-_]", re.I)
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])")
#: how many blocks named for comments a page's text is measured for
_COMMENT_BLOCKS = 64
#: comments never hold most of a page's text: a block that does is the article, whatever
#: its name says (a wrapper around the article and its comments)
_COMMENTS_SHARE = 0.5
#: less text than this is a counter or an empty form ("August 30, 2017 / 0" on a blog's
#: front page), not comments, and may date the page
_COMMENTS_MIN_CHARS = 200


#: words that make a name a state of the page, not the block of comments: "has-comments",
#: "comments-open" (a wrapper around the article), "comments-link", "no-comments"
_COMMENTS_STATE = frozenset(
    {"has", "with", "open", "opened", "enabled", "disabled", "closed", "allowed", "on", "off",
     "show", "hide", "no", "count", "counter", "number", "num", "link", "links", "button",
     "btn", "icon", "toggle"}
)  # fmt: skip


def _names_comments(value: str | None) -> bool:
    for token in (value or "").split():
        if _TAXONOMY.match(token):
            continue
        parts = {part.lower() for part in _NAME_PARTS.findall(token)}
        if parts & _COMMENTS_STATE:
            continue
        if parts & _COMMENTS_PLURAL or ("comment" in parts and parts & _COMMENTERS):
            return True
    return False


def _unseen(tree: HtmlElement) -> list[HtmlElement]:
    """What a reader of the page does not see as its text, in one pass over the blocks' and
    spans' attributes (an XPath of the same tests cost 1.2 ms a bench page, this 0.25):

    * the blocks of readers' comments that trafilatura's own test misses, for it only checks
      how a class or id starts: "visitors_comment_block" (a real Accountancy Age page, its
      fourteen comments and their "Posted by:" lines in the text), El Mundo's id
      "comentarios". A block that holds the headline, an <article>, <main> or the
      articleBody, or most of the page's text is the article, and so is one whose name says a
      state ("has-comments", "comments-open"): it stays;
    * a note for screen readers only, about a link: Drupal's "(link is external)" after
      every outside link (a real page of creativecommons.at), "Opens in a new window"."""
    found, unread = [], []
    for block in tree.iter(_COMMENT_TAGS):
        cls, idv = block.get("class"), block.get("id")
        if block.tag == "span":
            if cls and _SCREEN_READER_HINT.search(cls) and _for_screen_readers(block, cls):
                unread.append(block)
            continue
        if not (cls and ("omment" in cls or "omentario" in cls)) and not (
            idv and ("omment" in idv or "omentario" in idv)
        ):
            continue
        if (cls and _ENGINE_COMMENTS_CLASS.search(cls)) or (
            idv and _ENGINE_COMMENTS_ID.search(idv)
        ):
            continue
        if (_names_comments(cls) or _names_comments(idv)) and not _HOLDS_ARTICLE(block):
            found.append(block)
    if not found:
        return unread
    # the outermost that qualify: a nested block goes with them (and at most _COMMENT_BLOCKS
    # are measured: a hostile page's hundreds of nested blocks would read its text each time)
    whole = len(text_of(tree))
    chosen: set[HtmlElement] = set()
    for block in found[:_COMMENT_BLOCKS]:  # in document order: an ancestor comes first
        if any(a in chosen for a in block.iterancestors()):
            continue
        if _COMMENTS_MIN_CHARS <= len(text_of(block)) <= _COMMENTS_SHARE * whole:
            chosen.add(block)
    return [block for block in found if block in chosen] + unread


#: the classes that hide a text from the eye but not from a screen reader (Bootstrap's,
#: WordPress's, Drupal 7's and 8's, HTML5 Boilerplate's)
_SCREEN_READER = frozenset(
    {"sr-only", "visually-hidden", "visuallyhidden", "screen-reader-text", "element-invisible",
     "u-visually-hidden", "a11y-hidden", "assistive-text"}
)  # fmt: skip
_SCREEN_READER_HINT = re.compile(r"sr-only|isually-?hidden|screen-reader|invisible|a11y|assistive")
#: what such a text says about a link, not about the article: Drupal's extlink module, in its
#: languages, and the "new window" notes. Only these go: WordPress labels its meta line so
#: too ("Veröffentlicht am ", "Autor ", "Tags "), and the labels date pages and mark bylines.
_LINK_NOTE = re.compile(
    r"\(?\s*(?:link\s+is\s+external|external\s+link|link\s+ist\s+extern|externer\s+link"
    r"|(?:le\s+)?lien\s+(?:est\s+)?externe|enlace\s+externo|sends?\s+e-?mail"
    r"|opens?\s+in\s+(?:a\s+)?new\s+(?:window|tab)|\u00f6ffnet\s+in\s+(?:einem\s+)?neuen"
    r"\s+(?:fenster|tab)|s.ouvre\s+dans\s+(?:une\s+)?nouvel(?:le)?\s+(?:fen\u00eatre|onglet))"
    r"\s*\)?",
    re.I,
)


def _for_screen_readers(span: HtmlElement, cls: str) -> bool:
    return (
        not _SCREEN_READER.isdisjoint(cls.split())
        and len(span) == 0
        and _LINK_NOTE.fullmatch((span.text or "").strip()) is not None
    )


_WORD = re.compile(r"\w+")
#: how many elements after the headline the standfirst may stand in
_LEAD_REACH = 400
#: what a standfirst stands in: the block around its first words
_LEAD_BLOCKS = frozenset({"p", "h2", "h3", "div", "span", "strong", "section", "header"})
#: how much of the description finds the standfirst's text, how much identifies it, and the
#: least it must hold
_LEAD_FIND, _LEAD_KEY, _LEAD_MIN = 20, 50, 60


def _headline(tree: HtmlElement, title: str | None) -> HtmlElement | None:
    """The ``<h1>`` that is the article's headline (it holds half the title's words or more),
    not a theme's site name above a tagline that the description may repeat."""
    wanted = set(_WORD.findall((title or "").casefold()))
    if not wanted:
        return None
    for heading in tree.iter("h1"):
        if 2 * len(wanted & set(_WORD.findall(flow_text(heading).casefold()))) >= len(wanted):
            return heading
    return None


def _standfirst(tree: HtmlElement, description: str | None, title: str | None, text: str) -> str:
    """The article's standfirst where the extraction left it out: the paragraph under the
    headline that the page's own description repeats (Le Figaro's "fig-chapo", heise's
    "article-header__lead", the Guardian's "standfirst", Vice's "dek"), which trafilatura
    takes for the header's part. Empty where the text holds it or the page shows none."""
    wanted = " ".join((description or "").split())
    if len(wanted) < _LEAD_MIN:
        return ""
    key, flat = wanted[:_LEAD_KEY], " ".join(text.split())
    if key in flat or (title and key in " ".join(title.split())):
        return ""
    headline = _headline(tree, title)
    if headline is None:
        return ""
    find, seen, after = wanted[:_LEAD_FIND], 0, False
    for element in tree.iter():
        if element is headline:
            after = True
            continue
        if not after or not isinstance(element.tag, str):
            continue
        seen += 1
        if seen > _LEAD_REACH:
            break
        opening = " ".join((element.text or "").split())
        if not (opening and opening[: len(find)] == find[: len(opening)]):
            continue
        block = element
        while block is not None and block.tag not in _LEAD_BLOCKS:
            block = block.getparent()
        lead = flow_text(block) if block is not None else ""
        if lead.startswith(key) and len(lead) <= max(2 * len(wanted), 600):
            return "" if lead[:_LEAD_KEY] in flat else lead
    return ""


#: attributes of a page's frame that declare vocabularies by their addresses, which carry dates
#: of their own ("rdfs: http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/1999/02/22-
#: rdf-syntax-ns#")
_VOCABULARY_ATTRIBUTES = frozenset({"prefix", "vocab", "profile"})


def _drop_vocabularies(tree: HtmlElement) -> None:
    """Namespace and RDFa vocabulary declarations off ``<html>``, ``<head>`` and ``<body>``:
    htmldate's search of the markup reads a date in their addresses, and deutschland.de's home
    page (htmldate's own test page) came out published on 2000-01-01 from its ``prefix``
    attribute. Nothing else reads them once the page's metadata is taken."""
    for element in (tree, tree.find("head"), tree.find("body")):
        if element is None:
            continue
        for name in [
            k for k in element.attrib if k in _VOCABULARY_ATTRIBUTES or k.startswith("xmlns")
        ]:
            del element.attrib[name]


def _run_trafilatura(tree: HtmlElement, url: str, with_metadata: bool) -> Document | None:
    """trafilatura's main content of ``tree``. Without links and images: on real pages
    (python-goose's news fixtures), keeping links glued words to the next ("transfixedon the
    Fed", "Guadalcanalin") and let boilerplate in, and keeping images changed which block is
    the article, losing leads (engadget, businessinsider) or adding navigation. The lead image
    is the page's own (og:image, JSON-LD), kept apart from the text."""
    result = bare_extraction(
        tree,  # our parsed tree: trafilatura copies it, no second parse
        url=url,
        with_metadata=with_metadata,
        include_comments=False,
        include_tables=True,
        include_images=False,
        include_links=False,
        include_formatting=True,
        favor_precision=True,
    )
    return result if isinstance(result, Document) else None


#: one line break between two words (not two: a blank line parts paragraphs where a page keeps
#: its text as plain text, as the Guardian's page in python-goose's fixtures does)
_WRAP = re.compile(r"(?<=\S)[ \t\r\f\v]*\n[ \t\r\f\v]*(?=\S)")


#: what keeps its line breaks: trafilatura's ``code``, and its ``quote``, which a ``<pre>`` it
#: does not take for code becomes (Caktus' Python listing)
_PREFORMATTED = frozenset({"code", "quote"})


def _unwrap(body: etree._Element) -> None:
    """A line break in the page's source is a space in what it shows, outside ``<pre>``: a
    Blogger post, zeit.de and an SEC filing wrap their sentences in the source, which broke
    them in two in the text ("won the" / "Africa Movie Academy Award"). A ``<br>`` is
    trafilatura's ``lb`` element and stays a line break, and so does a blank line."""
    kept = {inner for outer in body.iter(*_PREFORMATTED) for inner in outer.iter()}
    for element in body.iter():
        if element.text and "\n" in element.text and element not in kept:
            element.text = _WRAP.sub(" ", element.text)
        if element.tail and "\n" in element.tail and element.getparent() not in kept:
            element.tail = _WRAP.sub(" ", element.tail)


def _engine_text_and_html(
    document: Document | None,
    url: str,
    title: str | None,
    links: dict[str, str],
    figures: list[Figure] | None = None,
) -> tuple[str, str | None]:
    if document is None or document.body is None:
        return "", None
    trim_head(document.body, title)  # a skip link, a breadcrumb, a cookie banner (leftovers.py)
    trim_tail(document.body)  # a share bar's heading, a links box's label... (leftovers.py)
    drop_inline_teasers(document.body)  # "A lire aussi : <another article's headline>"
    _unwrap(document.body)
    # as trafilatura's own text output has it: each line's spaces one plain space (a no-break
    # space, ADAC's "bei&nbsp;Babyschalen", or a run of spaces is no phrase's part) and letters
    # composed (NFC: the page wrote "geprüft" as "u" and a combining diaeresis)
    body_text = unicodedata.normalize("NFC", xmltotxt(document.body, False))
    lines = [" ".join(line.split()) for line in body_text.splitlines()]
    while lines and not lines[0]:
        del lines[0]
    if lines and title and lines[0].strip().casefold() == title.strip().casefold():
        lines = lines[1:]  # the headline repeated as the first line of the body
    text = "\n".join(lines).strip()
    html_tree = convert_to_html(known_rends(deepcopy(document.body)))
    body = html_tree.find("body")
    root = body if body is not None else html_tree
    loose = (root.text or "").strip()
    lead = (
        ""
        if not loose or (title and loose.casefold() == title.strip().casefold())
        else (f"<p>{escape(loose)}</p>")
    )
    for heading in list(root.iter("h1")):
        if title and text_of(heading).casefold() == title.strip().casefold():
            drop_keeping_tail(heading, spaced=True)  # at any depth: trafilatura may nest it
        else:
            heading.tag = "h2"  # one h1 per page: the reader's own title
    relink(root, links)  # the links the prose carried, put back
    refigure(root, figures or [])  # and the figures between its paragraphs
    fragment = lead + "".join(
        etree.tostring(child, encoding="unicode", method="html") for child in root
    )
    return text, sanitize_html(fragment, url) or None


def _selected_content(tree: HtmlElement, selector: str, base: str) -> tuple[str, str | None]:
    """Text and HTML of what ``detail_content`` selects (all matches, in page order)."""
    elements = select(tree, selector)
    if not elements:
        return "", None
    blocks: list[str] = []
    for element in elements:
        found = [flow_text(b) for b in element.iter(*_BLOCKS)]
        blocks.extend(t for t in found if t) if any(found) else blocks.append(flow_text(element))
    html = "".join(lxml.html.tostring(e, encoding="unicode") for e in elements)
    return "\n".join(b for b in blocks if b), sanitize_html(html, base) or None


def _structured_body(body: str) -> tuple[str, str]:
    """Text and (unsanitized) reading HTML of a JSON-LD ``articleBody``: plain text, a
    paragraph a line (character references read), or the HTML some sites write there."""
    if _BODY_MARKUP.search(body):
        try:
            root = lxml.html.fragment_fromstring(body, create_parent="div")
        except (etree.ParserError, ValueError):
            return "", ""
        found = [flow_text(b) for b in root.iter(*_BLOCKS)]
        blocks = [t for t in found if t] or [flow_text(root)]
        text, fragment = "\n".join(blocks), body
    else:
        lines = [" ".join(line.split()) for line in html_lib.unescape(body).splitlines()]
        blocks = [line for line in lines if line]
        text, fragment = "\n".join(blocks), "".join(f"<p>{escape(b)}</p>" for b in blocks)
    return unicodedata.normalize("NFC", text), fragment


def _words(text: str) -> list[str]:
    return text.casefold().split()


def _with_structured_body(
    text: str, html: str | None, body: str, base: str
) -> tuple[str, str | None]:
    """The JSON-LD ``articleBody`` instead of what the markup gave, where the markup holds
    less of the article: a JavaScript app's shell (SCMP's page renders its text from a
    script; its HTML holds a photo caption) under ``MIN_TEXT_CHARS``, or a paywall's teaser
    when the articleBody opens with the teaser's words and is at least twice as long. Else
    the page's own text stays: it is what readers see, and its HTML keeps links and figures."""
    weight = text_weight(text)
    if weight >= MIN_TEXT_CHARS and len(body) < weight:
        return text, html  # it cannot be twice as long (most pages: the same text twice)
    body_text, fragment = _structured_body(body)
    body_weight = text_weight(body_text)
    if body_weight < MIN_TEXT_CHARS:
        return text, html
    if weight >= MIN_TEXT_CHARS:
        opening = _words(text)[:_OPENING_WORDS]
        if body_weight < 2 * weight or _words(body_text)[: len(opening)] != opening:
            return text, html
    return body_text, sanitize_html(fragment, base) or None


def _override(tree: HtmlElement, selectors: Selectors | None, meta: PageMeta, base: str) -> None:
    if selectors is None:
        return
    title = text_of(select_one(tree, selectors.detail_title))
    if title:
        meta.title, meta.title_chosen = title, True
    author = text_of(select_one(tree, selectors.detail_author))
    if author:
        meta.authors, meta.authors_chosen = (author,), True
    summary = text_of(select_one(tree, selectors.detail_summary))
    meta.description = summary or meta.description
    date_el = select_one(tree, selectors.detail_date)
    if date_el is not None:
        raw = date_el.get("datetime") or date_el.get("content") or text_of(date_el)
        meta.extra["date"] = raw
        meta.extra["date_format"] = selectors.date_format or ""


def _published(meta: PageMeta, now: datetime) -> tuple[datetime | None, bool]:
    """The publication date the page states (the source's date selector, else JSON-LD or a
    date meta tag), and whether it gives the day alone, without a time of day. The date and
    the flag come from the same written value, read once."""
    chosen, fmt = meta.extra.get("date"), meta.extra.get("date_format") or None
    parsed = parse_date(chosen, fmt) if chosen else None
    if parsed is None:
        chosen, parsed = meta.published, parse_date(meta.published)
    published = sane(parsed, now)
    return published, published is not None and not has_time(chosen)


#: the page's text nodes a reader sees
_VISIBLE_TEXT = etree.XPath(
    "//body//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]"
)
#: a text node longer than this (characters) is prose, where "published on" may be a report's
_LABEL_NODE_CHARS = 100


def _labelled(tree: HtmlElement, now: datetime) -> datetime | None:
    """The date a short line of the page labels as its publication ("VERÖFFENTLICHT AM
    07.06.2019", "Veröffentlicht am <a>1. Mai 2019</a>"): the label's text node and the
    next two, the date in one of them (``dates.labelled_date``). Only short nodes count: in
    prose, "the report published on 3 March" dates a report."""
    nodes = [str(n) for n in _VISIBLE_TEXT(tree)]
    for i, node in enumerate(nodes):
        if len(node.strip()) > _LABEL_NODE_CHARS or not has_publication_label(node):
            continue
        found = sane(labelled_date(" ".join(" ".join(nodes[i : i + 3]).split())), now)
        if found is not None:
            return found
    return None


def _guessed(
    document: Document | None, labelled: datetime | None, now: datetime, page: str, url: str
) -> datetime | None:
    """A date the page does not state in its metadata: one a line of it labels as the
    publication's, else trafilatura's (htmldate's), found by heuristics in the page's text
    and markup. On real pages htmldate's can be a copyright year, the day's date in the
    header or a date in a sidebar (CNN's 2010 article in python-goose's fixtures comes out as
    2011-08-19; a Sonntag Sachsen article "VERÖFFENTLICHT AM 07.06.2019" as the day it was
    saved, 2019-12-09), so either ranks below the feed's date. Its first of January is kept
    only where the page or its address writes that day (``_written_new_year``)."""
    if labelled is not None:
        return labelled
    if document is None or not document.date:
        return None
    guess = sane(parse_date(document.date), now)
    if guess is not None and (guess.month, guess.day) == (1, 1):
        return guess if _written_new_year(guess.year, page, url) else None
    stamped = _URL_MONTH.search(urlsplit(url).path)
    if (
        guess is not None
        and stamped is not None
        and (guess.year, guess.month) < (int(stamped.group(1)), int(stamped.group(2)))
    ):
        return None  # before the month its address stamps it with (pbrunst.de's 2010-06)
    return guess


#: the year and month a CMS stamps into an article's address: "/news/2011/12/kein-...",
#: "/2016/03/08/einstieg-..."
_URL_MONTH = re.compile(r"/((?:19|20)\d\d)[/-](0[1-9]|1[0-2])(?=[/-])")


#: January's name, in the languages of the real pages (one in the page's own words)
_JANUARY = r"(?:jan(?:uary|uar|vier|eiro|uari)?|enero|gennaio|stycznia|ianuarie|tammikuu\w*)"


def _written_new_year(year: int, page: str, url: str) -> bool:
    """Whether ``page`` or ``url`` writes the first of January of ``year`` ("2016-01-01",
    "/2016/01/01/", "01.01.2016", "January 1, 2016", "1er janvier 2016"). htmldate's last
    resorts, a copyright line's year and a lone year anywhere in the markup, come out as that
    day: 13 of the 268 real pages of ``bench.realpages`` got one (python-goose's Guardian
    article "2005-01-01", MSN's "2011-01-01" from their footers, fairkom's about page
    "1995-01-01"), which would file a new article years back."""
    day = (
        rf"(?<!\d)(?:{year}(?P<a>[-/._])0?1(?P=a)0?1|{year}0101|0?1(?P<b>[-/.])0?1(?P=b){year})(?!\d)"
        rf"|\b{_JANUARY}\.?\s*0?1(?:st)?\b\W{{0,3}}{year}\b"
        rf"|(?<!\d)0?1(?:st|er|\.|º)?\s+(?:de\s+)?{_JANUARY}\.?,?\s+(?:de\s+)?{year}\b"
    )
    pattern = re.compile(day, re.IGNORECASE)
    return pattern.search(url) is not None or pattern.search(page) is not None


#: a lead image that is no picture of the article, by its file's name: the site's logo
#: ("logo-opengraph.png", "CNBC_Logo_PS.gif"), a placeholder ("social_placeholder.png",
#: "ogimagedefault.gif") or an empty image (Jetpack's "s0.wp.com/i/blank.jpg")
_NO_PICTURE = re.compile(
    r"logo|placeholder|default|^(?:blank|spacer|pixel|1x1|transparent|empty)\.\w+$", re.I
)


def _lead_image(url: str | None) -> str | None:
    """``url`` unless its file is a logo or a placeholder (``_NO_PICTURE``): 12 of the 257
    real articles of ``bench.realpages``' material had one for their lead image; or unless it
    names no file at all (Greenpeace's ``og:image`` is "http://www.greenpeace.org")."""
    if url is None:
        return None
    parts = urlsplit(url)
    if parts.path.strip("/") == "" and not parts.query:
        return None
    name = parts.path.rsplit("/", 1)[-1]
    return None if _NO_PICTURE.search(name) else url


#: what a template writes for a description where the page has none
_NO_DESCRIPTION = frozenset({"description", "beschreibung", "descripción", "undefined", "null"})


#: a description shares at least this much of its words with the article it describes
_DESCRIBED = 0.2
#: the fewest words (of five letters or more) a description needs for the test, and the
#: fewest characters an article needs
_DESCRIPTION_WORDS, _ARTICLE_CHARS = 3, 1000
_LONG_WORD = re.compile(r"[^\W\d_]{5,}")


def _description(
    text: str | None, site_name: str | None, url: str, article: str = ""
) -> str | None:
    """The page's description, unless it is only the site's name ("Engadget", "CARTA
    online"), a template's word ("Description", on MEDEF's page), or the site's motto that
    every page repeats, known by sharing next to none of its words (of five letters or more)
    with the ``article`` (title and text): "Neben Möbel Klassikern finden Sie bei uns auch
    aktuelle Designmöbel" on a blog post; such a line would stand for the summary of every
    article a sitemap lists."""
    if not text:
        return None
    bare = text.strip(" .:").casefold()
    if (
        bare in _NO_DESCRIPTION
        or is_the_site(text, site_name, url)
        or is_the_site(re.sub(r"\s+online$", "", bare), site_name, url)
    ):
        return None
    described = set(_LONG_WORD.findall(bare))
    if (
        len(described) >= _DESCRIPTION_WORDS
        and len(article) >= _ARTICLE_CHARS
        and not DENSE_SCRIPT.search(text)
    ):
        folded = article.casefold()
        if sum(word in folded for word in described) < _DESCRIBED * len(described):
            return None
    return text


def text_weight(text: str) -> int:
    """``text``'s length, Han, kana and Hangul counted twice (``tidy.DENSE_SCRIPT``): a short
    Chinese, Japanese or Korean news item (a 200-character Japanese report says what 500
    English characters say) is an article."""
    return len(text) + len(DENSE_SCRIPT.findall(text))


def _fill_from_engine(
    meta: PageMeta, document: Document | None, tree: HtmlElement, url: str
) -> None:
    if document is None:
        return
    if not meta.title and document.title:
        # trafilatura reads og:title too; a slug there ("adac-kindersitztest-herbst-2018") is
        # no title: the page's <title> is (tidied afterwards, its <h1> in view)
        page_title = text_of(next(tree.iter("title"), None)) or None
        if is_slug(document.title):
            meta.title = page_title
        elif (
            not is_headline(document.title)
            and page_title
            and is_headline(page_title)
            and (
                document.title.casefold() not in page_title.casefold()
                or is_the_site(document.title, meta.site_name, url)
            )
        ):
            # a section's or the site's name in the page's one <h1> ("Neuigkeiten", the
            # article's headline in an <h2>): the <title>, which _tidy rids of the site's name
            # (a short headline the <title> holds, "Gefällt mir - jovelblog", stays)
            meta.title = page_title
        else:
            meta.title = document.title
    if not meta.authors and document.author:
        found = [a.strip() for a in document.author.split(";") if a.strip()]
        meta.authors = tuple(a for a in found if not _only_in_comments(tree, a))
    meta.description = meta.description or document.description
    meta.site_name = meta.site_name or site_from_copyright(document.sitename)
    meta.image = meta.image or document.image
    if not meta.tags and document.tags:
        meta.tags = _listed(document.tags)
    if not meta.section and document.categories:
        meta.section = next(iter(_listed(document.categories)), None)


def _listed(values: Iterable[str]) -> tuple[str, ...]:
    """Tags as written in a page's list, without the commas between them (trafilatura keeps a
    Drupal page's "Thomanerchor," "Thomaner," as they stand in the links)."""
    return tag_like(v for v in (v.strip(_LIST_PUNCTUATION) for v in values) if v)


def _take_byline(meta: PageMeta, tree: HtmlElement, base: str) -> None:
    """The byline written on the page, where the metadata names no author, or only an
    organization (National Geographic's JSON-LD names itself; the page says "By Michael
    Hingston"), the site (NDR's author tag says "NDR") or what is no name (a company by its
    legal form, "Super User"): when it yields a name, it is the author."""
    written = byline(tree) or headline_byline(tree)
    if written is None:
        return
    names = clean_authors((written,), site_name=meta.site_name, url=meta.canonical or base)
    if names:
        meta.authors = names


def _only_in_comments(tree: HtmlElement, name: str) -> bool:
    """Whether ``name`` stands on the page only inside its readers' comments (an element whose
    class or id says "comment"): trafilatura's author guess takes a commenter's name for the
    article's byline where a page has no author tag (a real UHmallorca page gave its first
    commenter, "Alcalino")."""
    seen = False
    for node in tree.xpath("//text()[contains(., $name)]", name=name):
        seen = True
        parent = node.getparent()
        while parent is not None:
            marks = f"{parent.get('class') or ''} {parent.get('id') or ''}".lower()
            if "comment" in marks:
                break
            parent = parent.getparent()
        else:
            return False  # shown outside the comments: a byline
    return seen


def _tidy(meta: PageMeta, tree: HtmlElement, base: str, site_name: str | None) -> None:
    """The title and bylines without the site's decorations (``mimir.parse.tidy``);
    ``site_name`` is the one the page states (JSON-LD, OpenGraph), if any."""
    if meta.authors:
        meta.authors = clean_authors(meta.authors, site_name=site_name, url=base)
    if not meta.title_chosen and needs_cleaning(meta.title, site_name, base):
        headings = [text_of(h) for _, h in zip(range(4), tree.iter("h1"), strict=False)]
        meta.title = clean_title(
            meta.title, site_name=site_name, url=base, authors=meta.authors,
            headings=headings,
        )  # fmt: skip


def extract_article(
    body: bytes,
    url: str,
    *,
    content_type: str | None = None,
    selectors: Selectors | None = None,
    now: datetime,
) -> ExtractedArticle:
    """Main text, sanitized HTML and metadata of an article page.

    Metadata comes from JSON-LD, then OpenGraph/``<meta>``, then trafilatura; ``selectors``'
    ``detail_*`` fields override all of them. Raises :class:`ExtractionError` when the page
    holds no article text (fewer than ``MIN_TEXT_CHARS`` characters) and no ``detail_content``
    selector found any.
    """
    try:
        return _extract_article(body, url, content_type, selectors, now)
    except MimirError:  # no article text, an invalid selector...: as they are
        raise
    except Exception as exc:  # a library's fault on this page: the page fails, not the job
        raise ExtractionCrashed(
            f"the extraction failed on this page ({type(exc).__name__}: {exc})"
        ) from exc


def _extract_article(
    body: bytes,
    url: str,
    content_type: str | None,
    selectors: Selectors | None,
    now: datetime,
) -> ExtractedArticle:
    text_in, _ = decode_html(body, content_type)
    tree = parse_html(text_in)
    base = document_base(tree, url)
    meta = page_meta(tree, base)
    _override(tree, selectors, meta, base)
    home = meta.canonical or base
    if not meta.authors_chosen and (
        meta.organization_authors
        or all(is_the_site(a, meta.site_name, home) for a in meta.authors)
        or not clean_authors(meta.authors, site_name=meta.site_name, url=home)
    ):
        _take_byline(meta, tree, base)  # also where there is no author (all() of none)
    # trafilatura's own metadata (htmldate et al.) costs time: only when the page lacks it
    stated = bool(meta.published or "date" in meta.extra)
    need_meta = not (meta.title and stated)
    for unseen in _unseen(tree):
        if unseen.getparent() is not None:
            unseen.drop_tree()  # its tail stays
    # a date a line of the page labels, read before trafilatura prunes the tree
    labelled = None if stated else _labelled(tree, now)
    for anchor in _HEADING_ANCHORS(tree):
        # trafilatura's precision mode drops a heading whose links have no text as all link:
        # the GitHub blog's interview questions went, each with its anchorjs icon
        drop_keeping_tail(anchor)
    if need_meta:
        _drop_vocabularies(tree)
    document = _run_trafilatura(tree, base, with_metadata=need_meta)
    guess = _guessed(document, labelled, now, text_in, base)  # used where no date is stated
    site_name = meta.site_name  # the page's own: trafilatura guesses one from the title
    if need_meta:
        _fill_from_engine(meta, document, tree, home)
    _tidy(meta, tree, meta.canonical or base, site_name)  # the canonical host names the site
    if (
        not meta.authors_chosen
        and document is not None
        and document.body is not None
        and all(is_the_site(a, meta.site_name, home) or is_a_desk(a) for a in meta.authors)
    ):
        # "Von Gregory Lipinski" atop the text, which trim_head takes out of it, or "-- By
        # Michael Russell" closing it, where the page names no writer: no author, only itself
        # ("By The Planetary Press" / "Written by: ...") or its newsroom ("National Desk")
        written = leading_byline(document.body) or closing_byline(document.body)
        if written:
            meta.authors = clean_authors((written,), site_name=site_name, url=home) or meta.authors
    text, html = _engine_text_and_html(
        document, base, meta.title, prose_links(tree, base), page_figures(tree, base)
    )
    if selectors is not None and selectors.detail_content:
        chosen_text, chosen_html = _selected_content(tree, selectors.detail_content, base)
        if chosen_text:
            text, html = chosen_text, chosen_html
            return _result(text, html, meta, document, now, base, guess)
    if meta.body:
        text, html = _with_structured_body(text, html, meta.body, base)
    # the headline counts (the text loses it, and a kicker above it, as a line of its own):
    # die-partei.net's post of 248 characters under "Das Ministerium für Club-Kultur informiert"
    headline = text_weight(meta.title) if meta.title else 0
    if len(text) + headline < MIN_TEXT_CHARS and text_weight(text) + headline < MIN_TEXT_CHARS:
        raise ExtractionError(
            f"no article text on the page: {len(text)} characters of main text "
            f"(under {MIN_TEXT_CHARS}); it may be a paywall or teaser, a JavaScript app "
            "shell or a listing page"
        )
    lead = _standfirst(tree, meta.description, meta.title, text)
    if lead:
        text, html = f"{lead}\n{text}", f"<p>{escape(lead)}</p>{html or ''}"
    return _result(text, html, meta, document, now, base, guess)


def _result(
    text: str,
    html: str | None,
    meta: PageMeta,
    document: Document | None,
    now: datetime,
    base: str,
    guess: datetime | None,
) -> ExtractedArticle:
    published, day_only = _published(meta, now)
    language = (
        checked_language(meta.language, text)
        or detect_language(text)
        or (language_code(document.language) if document is not None else None)
    )
    return ExtractedArticle(
        text=text,
        html=html,
        title=unicodedata.normalize("NFC", meta.title) if meta.title else None,
        authors=meta.authors,
        published_at=published,
        updated_at=sane(parse_date(meta.modified), now),
        language=language,
        image=_lead_image(absolute_http_url(meta.image, base)),
        section=meta.section,
        tags=() if word_salad(meta.tags, meta.title) else clean_tags(
            meta.tags, title=meta.title, authors=meta.authors, site_name=meta.site_name, url=base
        ),
        canonical_url=meta.canonical or None,
        description=_description(
            meta.description, meta.site_name, meta.canonical or base, f"{meta.title or ''} {text}"
        ),
        site_name=meta.site_name,
        published_guess=None if published else guess,
        published_day_only=day_only,
    )


_WARM_UP_PAGE = (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">'
    '<title>Warm-up | Mimir</title><meta property="og:title" content="Warm-up">'
    '</head><body><header><nav><a href="/">Home</a></nav></header><main><article>'
    "<h1>Warm-up</h1>"
    + "".join(
        f"<p>Paragraph {i} of a page that readies the extractor: the parser, the text "
        "engine and the language detector load what they need on their first page.</p>"
        for i in range(8)
    )
    + "</article></main><footer>Mimir</footer></body></html>"
).encode()


def warm_up() -> None:
    """Ready this process for a long run of extractions (a pool process, once, at start).

    Extract one small built-in page, so the libraries load their data on first use now
    rather than on the first real page, then collect and freeze (``gc.freeze``) everything
    that exists: the modules, tables and caches the process keeps for its whole life. The
    cyclic collector then scans only what pages allocate. Its full collections walked the
    whole heap (about 140,000 objects after the imports) every few dozen pages: measured
    1.2 ms per page of extraction before, 0.13 ms after (docs/benchmarks.md).
    """
    # best effort: a failure here is no page's, and a pool process must start regardless
    with contextlib.suppress(Exception):
        extract_article(_WARM_UP_PAGE, "https://warm-up.invalid/page", now=datetime.now(UTC))
    gc.collect()
    gc.freeze()
