"""Two corrections to trafilatura: text after an empty element, and prose standing loose beside
paragraphs, are kept.

Before extracting, trafilatura deletes empty elements (``prune_html``: a ``<span>``, ``<b>``,
``<div>``... with no text and no children). In its precision mode, the one Mimir runs, it
deletes them *with their tail*, the text that follows them up to the next element. Real pages
are full of such elements, and of elements that trafilatura's own cleaning has just emptied
(``<span class="icon"><svg/></span>``, ``<span><img></span>`` once images are stripped): on
CNBC's article page every paragraph opens with ``<span id="byLine"></span>``, and the first
words of each paragraph were lost ("Some traders found Wednesday's Fed statement to be..."
came out as "Fed statement to be..."); ``<p>Lead <span></span>text</p>`` came out as "Lead".

``install()`` puts a ``prune_html`` in its place that deletes the same elements and keeps the
tail text in every mode, as trafilatura itself does outside precision mode; after an empty
block element (a ``<div>``, a ``<p>``) a space keeps the words on either side apart. It also
follows trafilatura's pruning of each candidate subtree with the same deletion (the pruning
empties boxes, whose tail was then lost) and wraps prose that stands loose in a block beside
paragraphs into a paragraph of its own, which trafilatura's main extractor otherwise skips:
AP's lead on Yahoo's page, and python-goose's "Paragraph Order Test". This changes what is
extracted, so it is not one of the stand-ins of ``mimir.parse.speedups`` (which must choose
exactly what trafilatura chooses) and stays installed when those are taken out for
comparisons. ``known_rends`` readies trafilatura's output for its own HTML conversion, which
raised KeyError on a page's own ``<hi>`` element.
"""

from __future__ import annotations

from typing import Any

from trafilatura import htmlprocessing, main_extractor
from trafilatura.htmlprocessing import HTML_TAG_MAPPING
from trafilatura.settings import CUT_EMPTY_ELEMS

from mimir.parse.htmltree import drop_keeping_tail

#: inline elements among ``CUT_EMPTY_ELEMS``: the text on either side of one runs on
_INLINE = frozenset({"b", "em", "i", "q", "span", "strong"})
#: blocks whose own loose text becomes a paragraph when they also hold paragraphs
_LOOSE_HOLDERS = frozenset({"div", "section", "article", "main"})
_LOOSE_MIN = 80
_ORIGINAL = getattr(htmlprocessing, "prune_html", None)
_ORIGINAL_SECTIONS = getattr(main_extractor, "prune_unwanted_sections", None)


def prune_html(tree: Any, focus: str = "balanced") -> Any:
    """trafilatura's ``prune_html`` (empty elements deleted), their tail text kept."""
    empty = [e for e in tree.iterdescendants(CUT_EMPTY_ELEMS) if e.text is None and len(e) == 0]
    for element in empty:
        drop_keeping_tail(element, spaced=element.tag not in _INLINE)
    return tree


def prune_unwanted_sections(*args: Any, **kwargs: Any) -> Any:
    """trafilatura's pruning of a candidate subtree, then the elements it emptied deleted as
    ``prune_html`` deletes them (their tail kept), and prose standing loose in a block beside
    paragraphs wrapped in a paragraph of its own (``_wrap_loose_text``)."""
    assert _ORIGINAL_SECTIONS is not None
    tree = prune_html(_ORIGINAL_SECTIONS(*args, **kwargs))
    _wrap_loose_text(tree)
    return tree


def _wrap_loose_text(tree: Any) -> None:
    """Prose that stands loose in a block which also holds paragraphs, as a browser shows it:
    a paragraph of its own. trafilatura reads a block's paragraphs but not the text around
    them: on Yahoo's page of 2011, AP's lead ("SAN FRANCISCO (AP) - Steve Jobs, ...") stood
    after a related-stories box, inside the block of the story's paragraphs, and was lost."""
    for block in list(tree.iter(_LOOSE_HOLDERS)):
        if block.find("p") is None:
            continue
        if _prose(block.text):
            paragraph = block.makeelement("p", {})
            paragraph.text, block.text = block.text, None
            block.insert(0, paragraph)
        for child in list(block):
            # loose after a paragraph, on real pages it was a promo line ("Get HuffPost
            # Business On Twitter..."); after a box or a heading, the story's own
            if child.tag != "p" and _prose(child.tail):
                paragraph = block.makeelement("p", {})
                paragraph.text, child.tail = child.tail, None
                child.addnext(paragraph)


def _prose(text: str | None) -> bool:
    """A run of text long enough, and worded enough, to be a paragraph's."""
    if not text:
        return False
    return len(text.strip()) >= _LOOSE_MIN and text.count(" ") >= 5


def known_rends(body: Any) -> Any:
    """``body`` (trafilatura's output) with each ``<hi>`` whose ``rend`` trafilatura's
    ``convert_to_html`` does not know made a ``<span>`` (the sanitizer unwraps it): a page's own
    ``<hi rend="uppercase">`` (trafilatura's test resource exotic_tags.html) raised KeyError
    there."""
    for hi in body.iter("hi"):
        if hi.get("rend", "#i") not in HTML_TAG_MAPPING:
            hi.tag = "span"
    return body


def install() -> bool:
    """Put ``prune_html`` and ``prune_unwanted_sections`` in trafilatura's place; False when
    this trafilatura lacks either (its own then run)."""
    if _ORIGINAL is None or _ORIGINAL_SECTIONS is None:
        return False
    htmlprocessing.prune_html = prune_html
    main_extractor.prune_unwanted_sections = prune_unwanted_sections
    return True


def uninstall() -> None:
    """trafilatura's own functions back (for the tests that show the difference)."""
    if _ORIGINAL is not None:
        htmlprocessing.prune_html = _ORIGINAL
    if _ORIGINAL_SECTIONS is not None:
        main_extractor.prune_unwanted_sections = _ORIGINAL_SECTIONS
