"""Faster, identical stand-ins for trafilatura's costliest XPath expressions.

Trafilatura prunes a page with lists of XPath expressions before and while extracting. Most of
them test ``@id`` and ``@class`` with EXSLT regular expressions (``re:test``), which lxml runs
as a call back into Python, several per element. With ``favor_precision`` one list,
``OVERALL_DISCARD_XPATH``, runs over the whole raw page before readability
(``trafilatura.external.compare_extraction``): on a news page of about 1,300 elements that one
step took 15-17 ms of an extraction of about 47 (a third of it; ``bench.ingest``'s corpus on
this 2-core machine). The comment and raw-tree prunes (``REMOVE_COMMENTS_XPATH``,
``REMOVE_COMMENTS_AND_LISTS_XPATH``, ``RAW_TREE_PRUNE_XPATH``) took 7-9 ms more. The same tests
written as one pass over the elements in Python select the same elements, in the same
(document) order, in a fraction of that.

``install()`` puts the stand-ins into trafilatura's own lists (so every place that prunes with
one gets them) only for a list that holds exactly the expressions they were written from: the
SHA-256 of its XPath text is checked, and a list that differs (another trafilatura) keeps its
own expressions. It also keeps the C element-class lookup on the trees ``htmltree.parse_html``
makes (``htmltree.FAST_LOOKUP``); ``uninstall()`` puts lxml.html's own back, for comparisons.

``tests/parse/test_speedups.py`` holds every selection equal to its XPath over generated pages,
the test pages and a page written to hit each clause, and extraction equal with and without
all of it; ``python -m bench.extract`` measures the difference.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from typing import Any

import lxml.html
from trafilatura import xpaths

from mimir.parse import htmltree

Select = Callable[[Any], list[Any]]

#: SHA-256 of the XPath text of each list (trafilatura 2.3.1) that the functions below
#: reproduce
_KNOWN_SHA256 = {
    "OVERALL_DISCARD_XPATH": "e0f0992fedd02ac196225237652051a55faeb25833b6f992cc290c51f4a72600",
    "REMOVE_COMMENTS_XPATH": "5d97216ca15d05582de538174e876b27626b7a166810320152081c7e26bb5ca2",
    "REMOVE_COMMENTS_AND_LISTS_XPATH": (
        "9cc18d34e6e2d258172b5df02bc44e578c95ef709b8e06722846c7a410c3a46f"
    ),
    "RAW_TREE_PRUNE_XPATH": "06426494c87a26ace4eab8248571a59e4bbb321c9910c815a602dae30589b275",
}

#: the original expressions of each list, kept to put back (``uninstall``) and for the tests
#: (a list this trafilatura does not have is simply not replaced)
ORIGINAL: dict[str, list[Any]] = {
    name: list(getattr(xpaths, name)) for name in _KNOWN_SHA256 if hasattr(xpaths, name)
}

_TAGS = ("div", "item", "list", "p", "section", "span")


def _known(name: str) -> bool:
    text = "\0".join(getattr(x, "path", "") for x in ORIGINAL[name])
    return hashlib.sha256(text.encode("utf-8")).hexdigest() == _KNOWN_SHA256[name]


def engine_comment_names() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """trafilatura's tests of a block's id and of its class that name readers' comments
    (``REMOVE_COMMENTS_XPATH``'s ``re:test``), from its own constants: the blocks it prunes
    itself. trafilatura 2.3.1's, written out, where another release lacks the constants."""
    comments_id = getattr(xpaths, "_COMMENTS_ID", "[Cc]omment(?!ary)|comol")
    comments_class = getattr(
        xpaths, "_COMMENTS_CLASS", "^[Cc]omment(?!ary)|(?:article|post)-comments"
    )
    return (
        re.compile(f"^(?:{comments_id}|disqus_thread|dsq-comments)"),
        re.compile(comments_class),
    )


def _patterns() -> dict[str, re.Pattern[str]]:
    # built from the same constants as trafilatura's expressions (lxml compiles an EXSLT
    # pattern with Python's re, so the matches are the same)
    alt = xpaths._alt
    both = xpaths._OVERALL_DISCARD_BOTH_TOKENS
    comments_id = xpaths._COMMENTS_ID
    by_comments_id, by_comments_class = engine_comment_names()
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
        "comments_id": by_comments_id,
        "comments_list_id": re.compile(f"^(?:{comments_id})"),
        "comments_class": by_comments_class,
        "scroll": re.compile("mvp-post-add-(?:box|wrap)|infinite-?scroll"),
        "post_add": re.compile("mvp-post-add-(?:box|wrap)"),
    }
    # an absent attribute is the empty string to re:test; the loops below skip elements
    # without the attribute, which is the same only if no pattern matches ""
    if any(p.search("") for p in found.values()):
        raise ValueError("a pattern matches the empty string")
    return found


def _id_class(el: Any) -> tuple[str | None, str | None]:
    get = el.get
    return get("id"), get("class")


# The two loops below read an element's attributes in one pass each, written out: they run
# for every element of every page, and the same tests through a shared helper (a dict of the
# attributes and a function for XPath's "first of @x|@y") cost 6.0 ms per bench page against
# 4.7 for these, 5 % of an extraction.


def _discard_sections(patterns: dict[str, re.Pattern[str]]) -> Select:
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


def _discard_hidden(patterns: dict[str, re.Pattern[str]]) -> Select:
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


def _comments(patterns: dict[str, re.Pattern[str]], *, lists: bool) -> Select:
    """``REMOVE_COMMENTS_XPATH[0]`` (div/list/section/details whose id or class names
    comments) or, ``lists``, ``REMOVE_COMMENTS_AND_LISTS_XPATH[0]`` (the same, and ol/ul
    comment lists, without the disqus ids)."""
    by_id, by_list_id = patterns["comments_id"], patterns["comments_list_id"]
    by_class = patterns["comments_class"]
    tags = ("div", "list", "section", "details") + (("ol", "ul") if lists else ())

    def select(tree: Any) -> list[Any]:
        found = []
        for el in tree.iterdescendants(*tags):
            idv, cls = _id_class(el)
            if idv is None and cls is None:
                continue
            named = cls is not None and by_class.search(cls)
            if not (named or (idv is not None and by_id.search(idv))):
                continue
            if named or el.tag not in ("ol", "ul") or (idv is not None and by_list_id.search(idv)):
                found.append(el)
        return found

    return select


def _infinite_scroll(patterns: dict[str, re.Pattern[str]]) -> Select:
    """``RAW_TREE_PRUNE_XPATH[0]``: infinite-scroll containers of appended articles."""
    scroll, post_add = patterns["scroll"], patterns["post_add"]

    def select(tree: Any) -> list[Any]:
        found = []
        for el in tree.iterdescendants("div", "section", "aside"):
            idv, cls = _id_class(el)
            if idv is None and cls is None:
                continue
            if not (
                (idv is not None and scroll.search(idv)) or (cls is not None and scroll.search(cls))
            ):
                continue
            if (
                el.find(".//h1") is None
                or (idv is not None and post_add.search(idv))
                or (cls is not None and post_add.search(cls))
            ):
                found.append(el)
        return found

    return select


def _share_buttons(tree: Any) -> list[Any]:
    """``RAW_TREE_PRUNE_XPATH[1]``: Elementor's share buttons."""
    return [
        el
        for el in tree.iterdescendants("div", "section", "aside")
        if "elementor-share-buttons" in (el.get("class") or "")
    ]


def stand_ins() -> dict[str, list[Select]]:
    """The stand-ins of each list whose expressions are the known ones (none when this
    trafilatura lacks what they are built from: its own expressions then run unchanged)."""
    try:
        patterns = _patterns()
    except (AttributeError, TypeError, ValueError, re.error):
        return {}
    built: dict[str, list[Select]] = {
        "OVERALL_DISCARD_XPATH": [_discard_sections(patterns), _discard_hidden(patterns)],
        "REMOVE_COMMENTS_XPATH": [_comments(patterns, lists=False)],
        "REMOVE_COMMENTS_AND_LISTS_XPATH": [_comments(patterns, lists=True)],
        "RAW_TREE_PRUNE_XPATH": [_infinite_scroll(patterns), _share_buttons],
    }
    return {name: fast for name, fast in built.items() if name in ORIGINAL and _known(name)}


def install() -> bool:
    """Use the stand-ins in trafilatura (idempotent), and the C element lookup for our trees;
    False when not one of trafilatura's lists is the known one."""
    fast = stand_ins()
    for name, selections in fast.items():
        getattr(xpaths, name)[:] = selections
    htmltree._PARSER.set_element_class_lookup(htmltree.FAST_LOOKUP)
    _state["lookup"] = True
    return bool(fast)


def uninstall() -> None:
    """trafilatura's own expressions and lxml.html's own element lookup again (the naive
    pipeline of ``bench.ingest`` runs stock trafilatura; ``bench.extract`` compares)."""
    for name, original in ORIGINAL.items():
        getattr(xpaths, name)[:] = original
    htmltree._PARSER.set_element_class_lookup(lxml.html.HtmlElementClassLookup())
    _state["lookup"] = False


_state = {"lookup": True}  # htmltree sets FAST_LOOKUP when it is imported


def active() -> list[str]:
    """What runs Mimir's way: the trafilatura lists with stand-ins, and ``element_lookup``."""
    lists = [
        name for name, original in ORIGINAL.items() if getattr(xpaths, name)[0] is not original[0]
    ]
    return lists + (["element_lookup"] if _state["lookup"] else [])
