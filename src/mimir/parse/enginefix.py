"""One correction to trafilatura: the text after an empty element is kept in precision mode.

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
block element (a ``<div>``, a ``<p>``) a space keeps the words on either side apart. This
changes what is extracted, so it is not one of the stand-ins of ``mimir.parse.speedups``
(which must choose exactly what trafilatura chooses) and stays installed when those are
taken out for comparisons.
"""

from __future__ import annotations

from typing import Any

from trafilatura import htmlprocessing
from trafilatura.settings import CUT_EMPTY_ELEMS

from mimir.parse.htmltree import drop_keeping_tail

#: inline elements among ``CUT_EMPTY_ELEMS``: the text on either side of one runs on
_INLINE = frozenset({"b", "em", "i", "q", "span", "strong"})
_ORIGINAL = getattr(htmlprocessing, "prune_html", None)


def prune_html(tree: Any, focus: str = "balanced") -> Any:
    """trafilatura's ``prune_html`` (empty elements deleted), their tail text kept."""
    empty = [e for e in tree.iterdescendants(CUT_EMPTY_ELEMS) if e.text is None and len(e) == 0]
    for element in empty:
        drop_keeping_tail(element, spaced=element.tag not in _INLINE)
    return tree


def install() -> bool:
    """Put ``prune_html`` in trafilatura's place; False when this trafilatura has none (its
    own then runs)."""
    if _ORIGINAL is None:
        return False
    htmlprocessing.prune_html = prune_html
    return True


def uninstall() -> None:
    """trafilatura's own ``prune_html`` back (for the tests that show the difference)."""
    if _ORIGINAL is not None:
        htmlprocessing.prune_html = _ORIGINAL
