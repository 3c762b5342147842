"""Highlighted snippets: where a query's terms occur in a text, by the query's own rules.

Highlights are computed here rather than with FTS5's ``snippet()`` or PostgreSQL's
``ts_headline``: both would see the folded words (``ts_headline`` with ``simple`` misses
``Café`` for ``cafe``), they would differ between back-ends, and ``ts_headline`` re-parses
every document it is given. This works on the original text with the shared tokenizer's
offsets, so SQLite, PostgreSQL and alerts show the same highlights.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from mimir.search.nodes import Term
from mimir.search.tokens import Span, spans

#: texts are searched for highlights up to this many characters (a snippet is near the top)
SNIPPET_SCAN_CHARS = 10_000


@dataclass(frozen=True, slots=True)
class Highlighted:
    """A text with the character ranges ``[start, end)`` of the matched words."""

    text: str
    highlights: tuple[tuple[int, int], ...] = ()

    def marked(self, start: str = "[", end: str = "]") -> str:
        """The text with each highlight between ``start`` and ``end``."""
        out: list[str] = []
        at = 0
        for a, b in self.highlights:
            out += [self.text[at:a], start, self.text[a:b], end]
            at = b
        out.append(self.text[at:])
        return "".join(out)


def occurrences(words: Sequence[Span], terms: Sequence[Term]) -> list[tuple[int, int]]:
    """Word ranges ``[first, last]`` (inclusive, indexes into ``words``) where a term occurs;
    where two overlap, the one that starts first (then the longer) wins."""
    at: dict[str, list[int]] = {}
    for i, span in enumerate(words):
        at.setdefault(span.word, []).append(i)
    found: list[tuple[int, int]] = []
    n = len(words)
    for term in terms:
        last = len(term.words) - 1
        head = term.words[0]
        if term.prefix and last == 0:
            starts = [i for w, where in at.items() if w.startswith(head) for i in where]
        else:
            starts = at.get(head, [])
        for i in starts:
            if i + last < n and all(
                words[i + k].word == w
                or (term.prefix and k == last and words[i + k].word.startswith(w))
                for k, w in enumerate(term.words[1:], start=1)
            ):
                found.append((i, i + last))
    found.sort(key=lambda r: (r[0], -(r[1] - r[0])))
    merged: list[tuple[int, int]] = []
    for first, last_ in found:
        if merged and first <= merged[-1][1]:
            continue
        merged.append((first, last_))
    return merged


def highlight(text: str | None, terms: Sequence[Term]) -> Highlighted:
    """The whole ``text`` (a title) with its matches highlighted."""
    if not text:
        return Highlighted("")
    words = spans(text)
    return Highlighted(
        text, tuple((words[a].start, words[b].end) for a, b in occurrences(words, terms))
    )


def snippet(text: str | None, terms: Sequence[Term], *, size: int = 36) -> Highlighted:
    """About ``size`` words of ``text`` around its best cluster of matches (the most distinct
    terms, then the earliest), or its first words when nothing matches in it.

    The opening is searched first and the rest (up to ``SNIPPET_SCAN_CHARS``) only when it has
    no match: most matches are near the top, and cutting a long text into words costs.
    """
    if not text:
        return Highlighted("")
    for limit in (_FIRST_SCAN_CHARS, SNIPPET_SCAN_CHARS):
        scanned = _cut(text, limit)
        words = spans(scanned)
        hits = occurrences(words, terms) if terms else []
        if hits or len(scanned) == len(text):
            break
    if not words:
        return Highlighted("")
    first = 0
    if hits:
        best = (-1, 0)
        for a, _ in hits:
            start = max(0, a - size // 4)
            inside = {_label(words, h) for h in hits if start <= h[0] and h[1] < start + size}
            if len(inside) > best[0]:
                best = (len(inside), start)
        first = best[1]
    last = min(len(words), first + size) - 1
    start_char = words[first].start if first else len(text) - len(text.lstrip())
    end_char = words[last].end
    if last == len(words) - 1 and len(scanned) == len(text):
        end_char = len(text.rstrip())
    prefix = "… " if first else ""
    suffix = " …" if end_char < len(text.rstrip()) else ""
    shift = len(prefix) - start_char
    marks = tuple(
        (words[a].start + shift, words[b].end + shift) for a, b in hits if a >= first and b <= last
    )
    return Highlighted(f"{prefix}{text[start_char:end_char]}{suffix}", marks)


_FIRST_SCAN_CHARS = 2000


def _cut(text: str, limit: int) -> str:
    """``text`` up to ``limit`` characters, ending between two words."""
    if len(text) <= limit:
        return text
    end = text.rfind(" ", 0, limit)
    return text[: end if end > 0 else limit]


def _label(words: Sequence[Span], hit: tuple[int, int]) -> str:
    return " ".join(w.word for w in words[hit[0] : hit[1] + 1])
