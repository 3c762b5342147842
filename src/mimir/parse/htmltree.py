"""One way to parse HTML for every parser here, CSS selectors with clear errors, text helpers."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import lxml.html
from cssselect import SelectorError
from lxml import etree
from lxml.cssselect import CSSSelector
from lxml.html import HtmlElement

from mimir.errors import ParseError
from mimir.parse.urls import absolute_http_url

# the same settings trafilatura uses, so the tree can be handed to it as is
_PARSER = lxml.html.HTMLParser(
    collect_ids=False,
    default_doctype=False,
    encoding="utf-8",
    remove_comments=True,
    remove_pis=True,
    no_network=True,
    huge_tree=False,
)
#: every element of a tree gets a Python proxy as code walks it (trafilatura walks each page
#: several times: about 6,000 proxies a page); lxml.html's own lookup picks the proxy class in
#: Python (FormElement, InputElement... for form tags), this one in C: about 1 µs less a
#: proxy. Nothing here or in trafilatura uses the form classes' extra methods; the other
#: classes are lxml.html's own, so the trees behave the same (mimir.parse.speedups).
FAST_LOOKUP = etree.ElementDefaultClassLookup(
    element=HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)
_PARSER.set_element_class_lookup(FAST_LOOKUP)


#: C0 control characters but tab, line feed and carriage return: no XML may hold them, so lxml
#: refuses them in any text trafilatura moves while extracting, and it lost the whole of a real
#: WordPress page that had two U+001D in its prose (in UTF-8 these bytes are never part of
#: another character)
_CONTROLS = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def parse_html(text: str) -> HtmlElement:
    """A document tree, without control characters (``_CONTROLS``); an empty ``<html>`` for
    input lxml cannot read."""
    data = text.encode("utf-8", "replace")
    data = data.translate(None, _CONTROLS)  # about 0.05 ms for 130 KB
    if data.strip():
        try:
            root = lxml.html.document_fromstring(data, parser=_PARSER)
        except (etree.ParserError, ValueError):
            root = None
        if root is not None:
            return root
    return lxml.html.document_fromstring(b"<html><body></body></html>", parser=_PARSER)


def document_base(tree: HtmlElement, url: str) -> str:
    """The URL relative links resolve against: ``<base href>`` when present, else ``url``."""
    for base in tree.iter("base"):
        resolved = absolute_http_url(base.get("href"), url)
        if resolved:
            return resolved
    return url


@lru_cache(maxsize=512)
def css(selector: str) -> CSSSelector:
    """A compiled CSS selector (cached); :class:`ParseError` naming it when invalid."""
    try:
        return CSSSelector(selector, translator="html")
    except (SelectorError, etree.XPathError, ValueError) as exc:
        raise ParseError(f"invalid CSS selector {selector!r}: {exc}") from exc


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    return [el for el in css(selector)(root) if isinstance(el, HtmlElement)]


def select_one(root: HtmlElement, selector: str | None) -> HtmlElement | None:
    if not selector:
        return None
    found = select(root, selector)
    return found[0] if found else None


def text_of(element: HtmlElement | None) -> str:
    """Whitespace-collapsed text of an element (script and style content excluded)."""
    if element is None:
        return ""
    parts = [
        t
        for t in element.xpath(".//text()[not(ancestor::script) and not(ancestor::style)]")
        if isinstance(t, str)
    ]
    if element.tag in {"script", "style"}:
        parts = []
    return " ".join(" ".join(parts).split())


#: elements that flow within a line: their text joins the words around it without a space
_INLINE = frozenset({"a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em",
                     "font", "i", "ins", "kbd", "mark", "q", "s", "samp", "small", "span",
                     "strong", "sub", "sup", "time", "u", "var"})  # fmt: skip


def flow_text(element: HtmlElement) -> str:
    """The text of ``element`` as a reader sees it: inline markup adds no space ("as
    <b>IP</b>." is "as IP."), a block or a line break separates words; scripts, styles and
    comments left out; whitespace collapsed."""
    parts: list[str] = []
    for event, el in etree.iterwalk(element, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else "span"  # a comment: its tail alone
        block = tag not in _INLINE
        if event == "start":
            if block:
                parts.append(" ")
            if isinstance(el.tag, str) and tag not in ("script", "style") and el.text:
                parts.append(el.text)
        else:
            if block:
                parts.append(" ")
            if el is not element and el.tail:
                parts.append(el.tail)
    return " ".join("".join(parts).split())


def first_link(element: HtmlElement) -> HtmlElement | None:
    """The element itself when it is an ``<a href>``, else its first descendant ``<a href>``."""
    if element.tag == "a" and element.get("href"):
        return element
    for anchor in element.iter("a"):
        if anchor.get("href"):
            return anchor
    return None


def _join(before: str | None, after: str, spaced: bool) -> str:
    if not before:
        return after
    if spaced and not before[-1].isspace() and not after[0].isspace():
        return f"{before} {after}"
    return before + after


def drop_keeping_tail(element: Any, *, spaced: bool = False) -> None:
    """Remove ``element`` and what it holds, but not the text that follows it (its tail),
    which joins the previous sibling's tail or the parent's text; ``spaced``: with a space
    between, where the words on either side would otherwise run together (after a block).
    Any lxml element, not only lxml.html's (``drop_tree`` is theirs alone)."""
    parent = element.getparent()
    if parent is None:
        return
    tail = element.tail
    if tail:
        previous = element.getprevious()
        if previous is None:
            parent.text = _join(parent.text, tail, spaced)
        else:
            previous.tail = _join(previous.tail, tail, spaced)
    parent.remove(element)
