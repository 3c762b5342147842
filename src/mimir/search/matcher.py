"""The in-memory back-end: does one article match a query? (used at ingest, for watches)

An article is prepared once (``Document.of``: its fields cut into words with the shared
tokenizer, positions indexed lazily) and then tested against any number of queries::

    doc = Document.of(ArticleFields(title=..., text=..., source_name=..., discovered_at=now))
    result = match(parse('"ATSC 3.0" NEAR/5 launch'), doc, now=now)
    result.matched, result.terms   # True, ('"atsc 3 0"', 'launch')

The semantics are the reference for the SQL back-ends (``docs/search.md``); a property test
checks that SQLite and PostgreSQL return exactly the articles this matcher accepts.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from mimir.search.nodes import (
    After,
    And,
    Before,
    Field,
    Lang,
    Near,
    Node,
    Not,
    Or,
    Term,
    Within,
    date_filter_bounds,
    positive_terms,
)
from mimir.search.tokens import words


@dataclass(frozen=True, slots=True)
class ArticleFields:
    """What a query can look at in an article (and its source)."""

    title: str | None = None
    text: str | None = None
    authors: Sequence[str] = ()
    tags: Sequence[str] = ()
    url: str | None = None  # the canonical URL
    source_name: str | None = None
    source_host: str | None = None
    source_category: str | None = None
    language: str | None = None
    published_at: datetime | None = None
    discovered_at: datetime | None = None


def article_date(published_at: datetime | None, discovered_at: datetime | None) -> datetime | None:
    """The date queries filter and sort on: when it was published, but never later than when
    Mimir found it (a date in the future is a wrong date); when it was found if undated."""
    dates = [_utc(d) for d in (published_at, discovered_at) if d is not None]
    return min(dates) if dates else None


def language_code(language: str | None) -> str:
    """The primary subtag, lower case: ``"pt-BR"`` -> ``"pt"``; ``""`` when unknown."""
    if not language:
        return ""
    return language.replace("_", "-").split("-", 1)[0].strip().lower()


def join_values(values: Iterable[object]) -> str:
    """A list field (authors, tags) as one text: its strings in order, joined by spaces (as
    the triggers do with the JSON arrays; anything but a string is left out)."""
    if isinstance(values, str | bytes):
        return ""
    return " ".join(v for v in values if isinstance(v, str))


class Document:
    """An article cut into words once, to be matched against many queries."""

    __slots__ = ("_positions", "_sorted", "date", "language", "words")

    def __init__(self, words: dict[Field, list[str]], language: str, date: datetime | None) -> None:
        self.words = words
        self.language = language
        self.date = date
        self._positions: dict[Field, dict[str, list[int]]] = {}
        self._sorted: dict[Field, list[str]] = {}

    @classmethod
    def of(cls, article: ArticleFields) -> Document:
        source = " ".join(p for p in (article.source_name, article.source_host) if p)
        return cls(
            {
                Field.TITLE: words(article.title),
                Field.TEXT: words(article.text),
                Field.AUTHOR: words(join_values(article.authors)),
                Field.TAG: words(join_values(article.tags)),
                Field.URL: words(article.url),
                Field.SOURCE: words(source),
                Field.CATEGORY: words(article.source_category),
            },
            language_code(article.language),
            article_date(article.published_at, article.discovered_at),
        )

    def positions(self, field: Field, word: str) -> list[int]:
        """Where ``word`` occurs in ``field`` (ascending)."""
        index = self._positions.get(field)
        if index is None:
            index = {}
            for i, w in enumerate(self.words[field]):
                index.setdefault(w, []).append(i)
            self._positions[field] = index
        return index.get(word, [])

    def prefixed(self, field: Field, prefix: str) -> list[str]:
        """The distinct words of ``field`` that start with ``prefix``."""
        ordered = self._sorted.get(field)
        if ordered is None:
            ordered = sorted(set(self.words[field]))
            self._sorted[field] = ordered
        out = []
        for i in range(bisect_left(ordered, prefix), len(ordered)):
            if not ordered[i].startswith(prefix):
                break
            out.append(ordered[i])
        return out

    def starts(self, field: Field, term: Term) -> list[int]:
        """Where ``term`` (a word, phrase or prefix) starts in ``field`` (ascending)."""
        first = term.words[0]
        if term.prefix and len(term.words) == 1:
            found: list[int] = []
            for w in self.prefixed(field, first):
                found.extend(self.positions(field, w))
            return sorted(found)
        candidates = self.positions(field, first)
        if len(term.words) == 1:
            return candidates
        tokens = self.words[field]
        last = len(term.words) - 1
        out = []
        for p in candidates:
            if p + last >= len(tokens):
                break
            if all(
                tokens[p + k] == w or (term.prefix and k == last and tokens[p + k].startswith(w))
                for k, w in enumerate(term.words[1:], start=1)
            ):
                out.append(p)
        return out


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Whether the query matched, and which of its terms the article contains (the terms to
    highlight, as ``Term.label`` writes them)."""

    matched: bool
    terms: tuple[str, ...] = field(default=())


def matches(query: Node, article: ArticleFields | Document, *, now: datetime) -> bool:
    """Does ``article`` match ``query`` at time ``now`` (for ``within:``)?"""
    doc = article if isinstance(article, Document) else Document.of(article)
    return _eval(query, doc, _utc(now))


def match(query: Node, article: ArticleFields | Document, *, now: datetime) -> MatchResult:
    """``matches`` plus the query's terms found in the article."""
    doc = article if isinstance(article, Document) else Document.of(article)
    if not _eval(query, doc, _utc(now)):
        return MatchResult(False)
    found = dict.fromkeys(
        t.label for t in positive_terms(query) if any(doc.starts(f, t) for f in _fields(t.field))
    )
    return MatchResult(True, tuple(found))


def _fields(field: Field) -> tuple[Field, ...]:
    return (Field.TITLE, Field.TEXT) if field is Field.ANY else (field,)


def _eval(node: Node, doc: Document, now: datetime) -> bool:
    if isinstance(node, Term):
        return any(doc.starts(f, node) for f in _fields(node.field))
    if isinstance(node, And):
        return all(_eval(c, doc, now) for c in node.children)
    if isinstance(node, Or):
        return any(_eval(c, doc, now) for c in node.children)
    if isinstance(node, Not):
        return not _eval(node.child, doc, now)
    if isinstance(node, Near):
        return any(_near(doc, f, node) for f in _fields(node.field))
    if isinstance(node, Lang):
        return doc.language == node.code
    if isinstance(node, After | Before | Within):
        if doc.date is None:
            return False
        lo, hi = date_filter_bounds(node, now)
        return (lo is None or doc.date >= lo) and (hi is None or doc.date < hi)
    raise TypeError(node)  # pragma: no cover


def _near(doc: Document, field: Field, node: Near) -> bool:
    """FTS5's rule: with ``p``/``q`` where the left/right terms start and ``l``/``r`` their
    lengths, ``q - p`` lies in ``[-(r + n), l + n]`` (at most ``n`` words between them)."""
    lefts = doc.starts(field, node.left)
    if not lefts:
        return False
    rights = doc.starts(field, node.right)
    lo_gap = len(node.right.words) + node.distance
    hi_gap = len(node.left.words) + node.distance
    for p in lefts:
        i = bisect_left(rights, p - lo_gap)
        if i < len(rights) and rights[i] <= p + hi_gap:
            return True
    return False


def _utc(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
