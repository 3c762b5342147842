"""What the extraction leaves at the end of an article that is no part of it.

trafilatura keeps the main text's blocks, and with them, at the end, what stood there for
something it took out: a share bar's heading ("Teilen auf"), the label of a links box whose
links are gone ("Weiterführende Links:", "Verwandte Themen auf unserem Blog:"), an empty table,
an advertisement's label ("Sponsored Ads"), a comments counter ("Kommentare ()"), a blog's
category list with post counts. Real pages (trafilatura's, newspaper4k's and python-goose's
test pages) end that way; ``trim_tail`` drops such blocks from the end of trafilatura's body,
last first, before the text and the reading HTML are made from it, so both lose them.

Only the end is trimmed and only blocks that carry no sentence of the article: a heading with
nothing after it, a short label ending in a colon, a block with no text, an interface phrase,
a list of categories with counts. A sign-off ("Herzlichst, Martina") or a closing remark stays.
"""

from __future__ import annotations

import re
from typing import Any

#: interface phrases a block may consist of, whole (case folded, ends' punctuation dropped)
_PHRASES = re.compile(
    r"(?:share(?:\s+(?:this|on|via))?(?:\s+(?:article|story|post|page))?|teilen(?:\s+(?:auf|mit|via))?"
    r"|diesen\s+artikel\s+teilen|artikel\s+teilen|partager(?:\s+sur)?|condividi|compartir"
    r"|back\s+to\s+top|nach\s+oben|zurück\s+nach\s+oben|haut\s+de\s+page|top"
    r"|advertisement|sponsored(?:\s+(?:ads|links|content))?|anzeige|werbung|publicité"
    r"|print(?:\s+this)?|drucken|e-?mail|tweet|loading(?:\s+\w+){0,3}|lädt|wird\s+geladen"
    r"|read\s+more|weiterlesen|mehr(?:\s+zum\s+thema)?|related(?:\s+(?:articles|stories|posts))?"
    r"|get\s+connected|follow\s+us|folgen\s+sie\s+uns|abonnieren|subscribe"
    r"|(?:\d+\s+)?(?:comments?|kommentare?|commentaires?|comentarios?|commenti|reacties)"
    r"(?:\s*\(\d*\))?)",
    re.I,
)
#: a label for something that is gone: a few words ending in a colon
_LABEL = re.compile(r"^[^.!?:]{2,80}:$")
#: an item of a category or archive list: "Konzerte (7)"
_COUNTED = re.compile(r"^.{1,60}\s\(\d+\)$")
_ENDS = " \t\n\r|-\u2013\u2014\u00b7\u2022\u00bb\u00ab\u203a>:.,;!?()[]"  # dashes, bullets, quotes

#: blocks shorter than this (characters) may be leftovers; longer ones are prose
_SHORT = 80


def _text(element: Any) -> str:
    return " ".join("".join(element.itertext()).split())


def _only_headings(element: Any) -> bool:
    """A list whose items hold headings alone (a share bar: ``<item><head>Teilen auf``)."""
    heads = element.findall(".//head")
    return bool(heads) and _text(element) == " ".join(_text(h) for h in heads)


def _leftover(element: Any) -> bool:
    text = _text(element)
    if not text.strip(_ENDS):
        return True  # an empty table, a lone separator
    if element.tag == "head" or (element.tag == "list" and _only_headings(element)):
        return True  # a heading that heads nothing
    if element.tag == "list":
        items = [_text(item) for item in element.iter("item")]
        return bool(items) and all(_COUNTED.match(item) for item in items)
    if len(text) > _SHORT:
        return False
    return bool(_LABEL.match(text) or _PHRASES.fullmatch(text.strip(_ENDS)))


def trim_tail(body: Any) -> int:
    """Drop leftover blocks from the end of trafilatura's ``body`` (an lxml element); keeps
    at least one block. Returns how many were dropped."""
    dropped = 0
    while len(body) > 1:
        last = body[-1]
        if not _leftover(last):
            break
        if last.tail and last.tail.strip():
            break  # text after it: not the end
        body.remove(last)
        dropped += 1
    return dropped


__all__ = ["trim_tail"]
