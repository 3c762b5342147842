"""Faster, identical stand-ins for trafilatura's costliest XPath expressions.

With ``favor_precision`` trafilatura prunes the whole raw page with ``OVERALL_DISCARD_XPATH``
before handing it to readability (``trafilatura.external.compare_extraction``). Its two
expressions test ``@id``, ``@class`` and ``@style`` with EXSLT regular expressions
(``re:test``), which lxml runs as a call back into Python, three per element: on a news page
of about 1,300 elements that one step took 15-17 ms of an extraction of about 47 (a third of
it; ``bench.ingest``'s corpus on this 2-core machine). The same tests written as one pass
over the elements in Python select the same elements, in the same (document) order, in
3-4 ms.

``install()`` puts the stand-ins into trafilatura's own list (so every place that prunes with
it gets them) only when the list holds exactly the expressions they were written from: the
SHA-256 of their XPath text is checked, and a changed trafilatura keeps its own expressions.
``tests/parse/test_speedups.py`` holds both selections equal over generated pages, the demo
site's pages and pages written to hit each clause.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

from trafilatura import xpaths

#: SHA-256 of the XPath text of ``OVERALL_DISCARD_XPATH`` (trafilatura 2.3.1) that the
#: functions below reproduce
_KNOWN_SHA256 = "e0f0992fedd02ac196225237652051a55faeb25833b6f992cc290c51f4a72600"

#: the original expressions, kept to put back (``uninstall``) and for the tests
ORIGINAL: list[Any] = list(xpaths.OVERALL_DISCARD_XPATH)

_TAGS = ("div", "item", "list", "p", "section", "span")


def _known() -> bool:
    text = "\0".join(getattr(x, "path", "") for x in ORIGINAL)
    return hashlib.sha256(text.encode("utf-8")).hexdigest() == _KNOWN_SHA256


def _patterns() -> dict[str, re.Pattern[str]]:
    # built from the same token tuples as trafilatura's expressions (lxml compiles an EXSLT
    # pattern with Python's re, so the matches are the same)
    alt = xpaths._alt
    both = xpaths._OVERALL_DISCARD_BOTH_TOKENS
    found = {
        "consent": re.compile(alt(xpaths._CONSENT_ID_CLASS_TOKENS)),
        "id0": re.compile(alt(both + xpaths._OVERALL_DISCARD_ID_TOKENS)),
        "class0": re.compile(alt(both + xpaths._OVERALL_DISCARD_CLASS_TOKENS)),
        "hidden": re.compile("hidden"),
        "id1": re.compile("reader-comments|akismet"),
        "class1": re.compile(
            "^hide-|comments-title|nocomments|-reply-|message|akismet|suggest-links|-hide-|"
            "hide-print| hidden| hide|noprint|notloaded"
        ),
    }
    # an absent attribute is the empty string to re:test; the loops below skip elements
    # without the attribute, which is the same only if no pattern matches ""
    if any(p.search("") for p in found.values()):
        raise ValueError("a pattern matches the empty string")
    return found


def _discard_sections(patterns: dict[str, re.Pattern[str]]) -> Callable[[Any], list[Any]]:
    """``OVERALL_DISCARD_XPATH[0]``: div/item/list/p/section/span elements whose id, class,
    role or data attributes name boilerplate."""
    consent, id0, class0 = patterns["consent"], patterns["id0"], patterns["class0"]

    def select(tree: Any) -> list[Any]:
        found = []
        for el in tree.iterdescendants(*_TAGS):
            items = el.items()
            if not items:
                continue
            idv = cls = first = role = component = None
            lp = False
            for key, value in items:
                if key == "id":
                    idv = value
                    first = value if first is None else first
                elif key == "class":
                    cls = value
                    first = value if first is None else first
                elif key == "role":
                    role = value
                elif key == "data-component":
                    component = value
                elif key == "data-lp-replacement-content":
                    lp = True
            if (
                lp
                or (role is not None and "nav" in role.replace("N", "n"))
                or (component is not None and "MostPopularStories" in component)
                or (first is not None and consent.search(first))  # re:test(@id|@class, ...)
                or (idv is not None and id0.search(idv))
                or (cls is not None and class0.search(cls))
            ):
                found.append(el)
        return found

    return select


def _discard_hidden(patterns: dict[str, re.Pattern[str]]) -> Callable[[Any], list[Any]]:
    """``OVERALL_DISCARD_XPATH[1]``: any element that is hidden, a reply or comments chrome."""
    hidden, id1, class1 = patterns["hidden"], patterns["id1"], patterns["class1"]

    def select(tree: Any) -> list[Any]:
        found = []
        for el in tree.iterdescendants():
            items = el.items()
            if not items:
                continue
            idv = cls = style = first_ic = first_is = None
            aria = False
            for key, value in items:
                if key == "id":
                    idv = value
                    first_ic = value if first_ic is None else first_ic
                    first_is = value if first_is is None else first_is
                elif key == "class":
                    cls = value
                    first_ic = value if first_ic is None else first_ic
                elif key == "style":
                    style = value
                    first_is = value if first_is is None else first_is
                elif key == "aria-hidden":
                    aria = value == "true"
            if not isinstance(el.tag, str):
                continue  # a comment or processing instruction: not an element (`*`)
            if (
                aria
                or cls == "comments-title"
                or (first_ic is not None and first_ic.startswith("reply-"))
                or (first_is is not None and hidden.search(first_is))
                or (style is not None and ("display:none" in style or "display: none" in style))
                or (idv is not None and id1.search(idv))
                or (cls is not None and class1.search(cls))
            ):
                found.append(el)
        return found

    return select


def stand_ins() -> list[Callable[[Any], list[Any]]] | None:
    """The two selections, or None when trafilatura's expressions are not the known ones."""
    if not _known():
        return None
    patterns = _patterns()
    return [_discard_sections(patterns), _discard_hidden(patterns)]


def install() -> bool:
    """Use the stand-ins in trafilatura (idempotent); False when its expressions differ."""
    fast = stand_ins()
    if fast is None:
        return False
    xpaths.OVERALL_DISCARD_XPATH[:] = fast
    return True


def uninstall() -> None:
    """trafilatura's own expressions again (the naive pipeline of ``bench.ingest`` runs stock
    trafilatura)."""
    xpaths.OVERALL_DISCARD_XPATH[:] = ORIGINAL


def active() -> bool:
    return xpaths.OVERALL_DISCARD_XPATH[0] is not ORIGINAL[0]
