"""What the extraction leaves at the start and the end of an article that is no part of it.

trafilatura keeps the main text's blocks, and with them, at the end, what stood there for
something it took out: a share bar's heading ("Teilen auf"), the label of a links box whose
links are gone ("Weiterführende Links:", "Verwandte Themen auf unserem Blog:"), an empty table,
an advertisement's label ("Sponsored Ads"), a comments counter ("Kommentare ()"), a blog's
category list with post counts. Real pages (trafilatura's, newspaper4k's and python-goose's
test pages) end that way; ``trim_tail`` drops such blocks from the end of trafilatura's body,
last first, before the text and the reading HTML are made from it, so both lose them.
``trim_head`` does the same at the start for what stands above an article: a skip link ("Main
Content"), a breadcrumb trail, "Please activate JavaScript", a cookie banner, a tag list.

Only the ends are trimmed and only blocks that carry no sentence of the article: at the end a
heading with nothing after it, a short label ending in a colon, a block with no text, an
interface phrase, an image's credit, a list of categories with counts; at the start what the
patterns below name. A sign-off ("Herzlichst, Martina"), a closing remark, a short lead ("ARD /
ZDF / RTL: ...") or news about cookies stays.
"""

from __future__ import annotations

import re
from collections.abc import Callable
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
#: an image's credit left where the image was taken out: "Photo Credit: Catwalkpictures",
#: "Bild: S-F / Shutterstock.com", "AP Photo/Uncredited", "Foto: dpa", "© Reuters"
_CREDIT = re.compile(
    r"(?:(?:photo|foto|bild|image|picture|titel|beitrags|header|aufmacher)(?:bild|foto)?s?"
    r"(?:\s*(?:credits?|quelle|source|nachweis))?\s*:|bildquelle\s*:|cr[e\u00e9]dits?\s*(?:photo)?\s*:"
    r"|(?:AP|AFP|EPA|dpa|Reuters|Getty\s+Images)\s+(?:Photo|Foto)\b|\u00a9)",
    re.I,
)
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
    words = "".join(_text(element).split())
    return bool(heads) and words == "".join("".join(_text(h) for h in heads).split())


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
    return bool(_LABEL.match(text) or _PHRASES.fullmatch(text.strip(_ENDS)) or _CREDIT.match(text))


#: what a page's first blocks may be that is no part of its article: a skip link's or a menu's
#: words, a breadcrumb trail, a notice that JavaScript is off, a cookie banner, a tag list
_HEAD_PHRASES = re.compile(
    r"(?:(?:skip\s+to\s+)?(?:main\s+)?content|zum\s+inhalt(?:\s+springen)?|direkt\s+zum\s+inhalt"
    r"|aller\s+au\s+contenu|men[u\u00fc]|navigation|search|suche|startseite|home|accueil)",
    re.I,
)
_BREADCRUMB = re.compile(r"\s(?:>|\u203a|\u00bb)\s")  # not "/": "ARD / ZDF / RTL: ..." leads
_SCRIPT_NOTICE = re.compile(
    r"\b(?:please|bitte|veuillez|you\s+(?:need|have)\s+to|you\s+must)\b.{0,60}?\bjavascript\b"
    r"|\bjavascript\b.{0,40}?(?:is\s+(?:disabled|required|turned\s+off)|ist\s+deaktiviert"
    r"|wird\s+ben\u00f6tigt|erforderlich|est\s+d\u00e9sactiv\u00e9|in\s+(?:your|ihrem)\s+browser"
    r"|dans\s+votre\s+navigateur)",
    re.I | re.S,
)
_CONSENT = re.compile(
    r"\bcookies?\b.{0,300}?(?:stimmen\s+sie|you\s+agree|you\s+consent|vous\s+acceptez"
    r"|akzeptieren\s+sie|einverstanden)|(?:by\s+continuing|continuing\s+to\s+use"
    r"|durch\s+die\s+(?:weitere\s+)?nutzung|en\s+poursuivant).{0,300}?\bcookies?\b",
    re.I | re.S,
)
_TAG_LABEL = re.compile(
    r"(?:read\s+more|related|tags|schlagw(?:\u00f6|o)rte?r?|themen|mehr\s+zum\s+thema"
    r"|lesen\s+sie\s+auch|mots-cl\u00e9s)\s*:",
    re.I,
)
#: the longest a notice or a trail at the top may be (characters)
_NOTICE = 400


def _head_leftover(element: Any) -> bool:
    text = _text(element)
    if not text.strip(_ENDS):
        return True
    if element.tag == "list" and _only_headings(element):
        return True  # a sidebar's headings above the article
    if len(text) > _NOTICE:
        return False
    bare = text.strip(_ENDS)
    if len(text) <= _SHORT and (_PHRASES.fullmatch(bare) or _HEAD_PHRASES.fullmatch(bare)):
        return True
    if len(text) <= 200 and len(_BREADCRUMB.findall(text)) >= 2:
        return True  # "Accueil > Actualités et humeurs > Décisions de l'AG"
    return bool(_SCRIPT_NOTICE.search(text) or _CONSENT.search(text) or _TAG_LABEL.match(text))


def trim_head(body: Any) -> int:
    """Drop leftover blocks from the start of trafilatura's ``body``: a skip link ("Main
    Content"), a breadcrumb trail, "Please activate JavaScript", a cookie banner, a "Read
    More:" tag list, a sidebar's headings. Keeps at least one block; returns how many were
    dropped."""
    return _trim(body, 0, _head_leftover)


def trim_tail(body: Any) -> int:
    """Drop leftover blocks from the end of trafilatura's ``body`` (an lxml element); keeps
    at least one block. Returns how many were dropped."""
    return _trim(body, -1, _leftover)


def _trim(body: Any, at: int, leftover: Callable[[Any], bool]) -> int:
    """Remove ``body[at]`` while it is a leftover, down to one block. A block with text after
    it (its tail; lxml would remove that with it) or, at the start, loose text before it ends
    the trimming: the article goes on there."""
    dropped = 0
    while len(body) > 1:
        block = body[at]
        if not leftover(block) or (block.tail and block.tail.strip()):
            break
        if at == 0 and body.text and body.text.strip():
            break
        body.remove(block)
        dropped += 1
    return dropped


__all__ = ["trim_head", "trim_tail"]
