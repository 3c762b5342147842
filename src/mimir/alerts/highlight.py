"""Find matched terms in a title or snippet, by word and accent- and case-insensitively.

Terms are what the watch matcher reports: words (``merger``), phrases (``"ATSC 3.0"``) and
prefixes (``broadcast*``). A term matches whole words only ("AI" does not match "said"), with
any run of spaces or punctuation between the words of a phrase, so the highlights agree with
the query language's matching.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from markupsafe import Markup, escape

_WORD = re.compile(r"\w+")


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` case-folded with accents removed, and the index in ``text`` of each character."""
    out: list[str] = []
    index: list[int] = []
    for i, char in enumerate(text):
        if char.isascii():
            folded = char.lower()
        else:
            decomposed = unicodedata.normalize("NFKD", char)
            folded = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
        for piece in folded:
            out.append(piece)
            index.append(i)
    return "".join(out), index


@lru_cache(maxsize=1024)
def _pattern(terms: tuple[str, ...]) -> re.Pattern[str] | None:
    alternatives = []
    for term in terms:
        prefix = term.strip().endswith("*")
        words = _WORD.findall(fold(term)[0])
        if not words:
            continue
        body = r"\W+".join(re.escape(w) for w in words)
        tail = r"\w*" if prefix else r"(?!\w)"
        alternatives.append(rf"(?<!\w){body}{tail}")
    if not alternatives:
        return None
    # longest first, so "ATSC 3.0" wins over "ATSC" where both match
    alternatives.sort(key=len, reverse=True)
    return re.compile("|".join(alternatives))


def find_terms(text: str, terms: Iterable[str]) -> list[tuple[int, int]]:
    """Non-overlapping ``(start, end)`` spans of ``text`` that match one of ``terms``."""
    pattern = _pattern(tuple(sorted({t for t in terms if t and t.strip()})))
    if pattern is None or not text:
        return []
    folded, index = fold(text)
    spans: list[tuple[int, int]] = []
    for match in pattern.finditer(folded):
        if match.end() == match.start():
            continue
        start, end = index[match.start()], index[match.end() - 1] + 1
        if spans and start < spans[-1][1]:
            continue
        spans.append((start, end))
    return spans


def _pieces(text: str, terms: Sequence[str]) -> list[tuple[str, bool]]:
    pieces: list[tuple[str, bool]] = []
    at = 0
    for start, end in find_terms(text, terms):
        if start > at:
            pieces.append((text[at:start], False))
        pieces.append((text[start:end], True))
        at = end
    if at < len(text):
        pieces.append((text[at:], False))
    return pieces


def highlight_html(text: str | None, terms: Sequence[str]) -> Markup:
    """``text`` escaped for HTML, each matched term wrapped in ``<mark><strong>``.

    The ``<strong>`` keeps the highlight visible where ``<mark>`` has no style (chat apps,
    feed readers, and HTML converted to Markdown).
    """
    if not text:
        return Markup("")
    return Markup("").join(
        Markup("<mark><strong>{}</strong></mark>").format(piece) if hit else escape(piece)
        for piece, hit in _pieces(text, terms)
    )


def highlight_text(text: str | None, terms: Sequence[str]) -> str:
    """``text`` with each matched term wrapped in ``**``, for plain-text messages."""
    if not text:
        return ""
    return "".join(f"**{piece}**" if hit else piece for piece, hit in _pieces(text, terms))
