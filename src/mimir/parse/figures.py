"""The article's own figures, put back into its reading HTML.

trafilatura extracts the text without images (``parse/article.py`` says why: its image mode
changed which block was taken for the article on real pages). A reader still wants the chart
or the product photo a story shows between two of its paragraphs. ``page_figures`` takes, from
the page as it came, each ``<figure>`` with an image that stands between two paragraphs of
prose, with its caption; ``refigure`` puts it back after the first of those paragraphs in the
extracted HTML, when both paragraphs are there, one after the other. So a figure that heads
the page (the lead image, stored apart), the thumbnails of related stories after the article
and images in navigation or sidebars, which stand between no two of the article's paragraphs,
are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from mimir.parse.htmltree import text_of
from mimir.parse.urls import absolute_http_url

#: a paragraph this long is prose, and its opening names it
_MIN_PARAGRAPH = 40
_KEY_CHARS = 80
MAX_FIGURES = 20
#: where lazy-loading pages keep the real address while ``src`` holds a placeholder
_LAZY_SRC = ("data-src", "data-original", "data-lazy-src", "data-url", "data-hi-res-src")
_SRCSETS = ("srcset", "data-srcset", "data-lazy-srcset")
#: an image declared this small (pixels) is an icon or a tracking pixel
_MIN_SIDE = 60
_PLACEHOLDER = re.compile(
    r"preload|placeholder|spacer|blank|loading|loader|spinner|pixel|transparent|1x1|lazy", re.I
)
_MAX_CAPTION = 400


@dataclass(frozen=True, slots=True)
class Figure:
    after: str  # the key (``_key``) of the paragraph the figure follows
    before: str  # ... and of the one it precedes
    src: str
    alt: str
    caption: str


def _key(text: str) -> str:
    return " ".join(text.split())[:_KEY_CHARS].casefold()


def _largest(srcset: str) -> str | None:
    """The widest candidate of a ``srcset`` ("a.jpg 480w, b.jpg 1024w"), else its first."""
    best, best_width = None, -1.0
    for candidate in srcset.split(","):
        parts = candidate.split()
        if not parts:
            continue
        width = 0.0
        if len(parts) > 1 and parts[1][-1:] in ("w", "x"):
            try:
                width = float(parts[1][:-1])
            except ValueError:
                width = 0.0
        if width > best_width:
            best, best_width = parts[0], width
    return best


def _small(img: HtmlElement) -> bool:
    for side in ("width", "height"):
        value = (img.get(side) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


def _placeholder(img: HtmlElement) -> bool:
    """A loading spinner or a blank standing in for the image until a script swaps it."""
    name = (img.get("src") or "").rsplit("/", 1)[-1]
    return bool(_PLACEHOLDER.search(name) or _PLACEHOLDER.fullmatch(img.get("alt") or "x"))


def _image(figure: HtmlElement, base: str) -> tuple[str, str] | None:
    """The figure's image address (absolute http(s), lazy-loading undone) and alt text."""
    for img in figure.iter("img"):
        if _small(img):
            continue
        # a lazy-loading page keeps the real address aside and a placeholder in src
        candidates = [img.get(a) for a in _LAZY_SRC]
        src = img.get("src")
        if src and not src.startswith("data:") and not _placeholder(img):
            candidates.append(src)
        for attr in _SRCSETS:
            if img.get(attr):
                candidates.append(_largest(img.get(attr) or ""))
        for source in figure.iter("source"):
            if source.get("srcset"):
                candidates.append(_largest(source.get("srcset") or ""))
        for candidate in candidates:
            url = absolute_http_url(candidate, base) if candidate else None
            if url:
                return url, " ".join((img.get("alt") or "").split())
    return None


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def page_figures(tree: HtmlElement, base: str) -> list[Figure]:
    """The figures of the page that stand between two paragraphs of prose, in page order."""
    if next(tree.iter("figure"), None) is None:
        return []  # most pages of old and most of small sites: one pass in C, and done
    found: list[Figure] = []
    previous: str | None = None  # the key of the last paragraph of prose so far
    waiting: list[tuple[str, str, str, str]] = []  # figures seen since it
    for element in tree.iter("p", "figure"):
        if element.tag == "figure":
            if previous is None or len(waiting) >= 3:
                continue  # before the first paragraph: the lead image, stored apart
            image = _image(element, base)
            if image is not None:
                caption_el = next(element.iter("figcaption"), None)
                caption = text_of(caption_el)[:_MAX_CAPTION] if caption_el is not None else ""
                waiting.append((previous, image[0], image[1], caption))
            continue
        if _inside_figure(element):
            continue  # a caption's paragraph is no prose of the article's
        text = _text(element)
        if len(text) < _MIN_PARAGRAPH:
            continue
        key = _key(text)
        found.extend(Figure(after, key, src, alt, cap) for after, src, alt, cap in waiting)
        waiting.clear()
        previous = key
        if len(found) >= MAX_FIGURES:
            break
    return found[:MAX_FIGURES]


def _inside_figure(element: HtmlElement) -> bool:
    return any(a.tag == "figure" for a in element.iterancestors())


def refigure(root: Any, figures: list[Figure]) -> int:
    """Put each figure back after the paragraph it followed on the page, when that paragraph
    and the one it preceded are both in ``root`` (the extracted HTML), the second right after
    the first; returns how many were put back."""
    if not figures:
        return 0
    prose = [(p, text) for p in root.iter("p") if len(text := _text(p)) >= _MIN_PARAGRAPH]
    paragraphs = [p for p, _ in prose]
    order = {_key(text): i for i, (_, text) in enumerate(prose)}
    placed = 0
    seen: set[str] = set()
    for figure in figures:
        at, nxt = order.get(figure.after), order.get(figure.before)
        if at is None or nxt != at + 1 or figure.src in seen:
            continue
        seen.add(figure.src)
        element = etree.Element("figure")
        etree.SubElement(element, "img", src=figure.src, alt=figure.alt)
        if figure.caption:
            etree.SubElement(element, "figcaption").text = figure.caption
        anchor = paragraphs[at]
        # after the paragraph and any figure already put there, in page order
        while (following := anchor.getnext()) is not None and following.tag == "figure":
            anchor = following
        element.tail, anchor.tail = anchor.tail, None
        anchor.addnext(element)
        placed += 1
    return placed
