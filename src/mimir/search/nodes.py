"""The query tree: immutable values the parser builds and every back-end reads.

A query is a tree of boolean nodes (``And``, ``Or``, ``Not``) over leaves:

- ``Term``: a word, a phrase (several words in a row) or a prefix (the last word is a prefix),
  in one field (``ANY`` is title or text);
- ``Near``: two terms at most ``distance`` words apart, in either order, in one field;
- ``Lang``, ``After``, ``Before``, ``Within``: filters on the article's language and date.

``source:`` and ``category:`` are terms too (fields ``SOURCE`` and ``CATEGORY``): they match the
words of the article's source (its name and host) and of the source's category.

``unparse`` writes a tree back as query text that parses to the same tree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum


class Field(StrEnum):
    """Where a term must occur."""

    ANY = "any"  # title or text
    TITLE = "title"
    TEXT = "text"
    AUTHOR = "author"
    TAG = "tag"
    URL = "url"
    SOURCE = "source"  # the source's name and host
    CATEGORY = "category"  # the source's category


#: fields held in the article's own full-text index
TEXT_FIELDS = frozenset({Field.ANY, Field.TITLE, Field.TEXT, Field.AUTHOR, Field.TAG, Field.URL})
#: fields matched against the article's source
SOURCE_FIELDS = frozenset({Field.SOURCE, Field.CATEGORY})


@dataclass(frozen=True, slots=True)
class Term:
    """Words that must occur in a row in ``field``; with ``prefix``, the last one as a prefix."""

    words: tuple[str, ...]
    prefix: bool = False
    field: Field = Field.ANY

    @property
    def label(self) -> str:
        """The term as a user writes it, without its field: ``merger``, ``"ATSC 3 0"``, ``tv*``."""
        text = " ".join(self.words)
        if len(self.words) > 1:
            text = f'"{text}"'
        return f"{text}*" if self.prefix else text


@dataclass(frozen=True, slots=True)
class Near:
    """``left`` and ``right`` in the same ``field``, at most ``distance`` words between them.

    Either order. The terms may overlap (``"a b" NEAR/0 b`` matches ``a b``), as in FTS5.
    """

    left: Term
    right: Term
    distance: int
    field: Field = Field.ANY


@dataclass(frozen=True, slots=True)
class Lang:
    """The article's language is ``code`` (an ISO 639 primary subtag: ``en``, ``fr``)."""

    code: str


@dataclass(frozen=True, slots=True)
class After:
    """The article's date is at or after ``at``."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Before:
    """The article's date is before ``at``."""

    at: datetime


@dataclass(frozen=True, slots=True)
class Within:
    """The article's date is within ``period`` before the time of the search (``now``)."""

    period: timedelta


@dataclass(frozen=True, slots=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Or:
    children: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Not:
    child: Node


Leaf = Term | Near | Lang | After | Before | Within
Node = Term | Near | Lang | After | Before | Within | And | Or | Not


def date_filter_bounds(
    node: After | Before | Within, now: datetime
) -> tuple[datetime | None, datetime | None]:
    """``(at_or_after, before)`` for a date filter at time ``now``."""
    if isinstance(node, After):
        return node.at, None
    if isinstance(node, Before):
        return None, node.at
    return now - node.period, None


def date_bounds(query: Node, now: datetime) -> tuple[datetime | None, datetime | None]:
    """``(at_or_after, before)``: the date range every match of ``query`` lies in, from its
    top-level date filters (None where the query sets no bound)."""
    lower: datetime | None = None
    upper: datetime | None = None
    for node in query.children if isinstance(query, And) else (query,):
        if isinstance(node, After | Before | Within):
            lo, hi = date_filter_bounds(node, now)
            if lo is not None:
                lower = lo if lower is None else max(lower, lo)
            if hi is not None:
                upper = hi if upper is None else min(upper, hi)
    return lower, upper


def leaves(node: Node) -> list[Leaf]:
    """Every leaf of ``node``, left to right."""
    if isinstance(node, And | Or):
        return [leaf for child in node.children for leaf in leaves(child)]
    if isinstance(node, Not):
        return leaves(node.child)
    return [node]


def positive_terms(node: Node) -> list[Term]:
    """The terms whose presence can make ``node`` match (not under a ``Not``): what to
    highlight and what to rank by."""
    if isinstance(node, And | Or):
        return [t for child in node.children for t in positive_terms(child)]
    if isinstance(node, Not):
        return []
    if isinstance(node, Term):
        return [node] if node.field in TEXT_FIELDS else []
    if isinstance(node, Near):
        return [replace(node.left, field=node.field), replace(node.right, field=node.field)]
    return []


# ---- back to text -----------------------------------------------------------------------------


def unparse(node: Node) -> str:
    """Query text that parses back to ``node``."""
    return _unparse(node, 0)


_PREC_OR, _PREC_AND, _PREC_UNARY = 1, 2, 3


def _unparse(node: Node, parent: int) -> str:
    if isinstance(node, Or):
        text = " OR ".join(_unparse(c, _PREC_OR + 1) for c in node.children)
        return f"({text})" if parent > _PREC_OR else text
    if isinstance(node, And):
        text = " AND ".join(_unparse(c, _PREC_AND + 1) for c in node.children)
        return f"({text})" if parent > _PREC_AND else text
    if isinstance(node, Not):
        return f"NOT {_unparse(node.child, _PREC_UNARY)}"
    if isinstance(node, Term):
        return _term_text(node, with_field=True)
    if isinstance(node, Near):
        prefix = "" if node.field is Field.ANY else f"{node.field.value}:"
        inner = (
            f"{_term_text(node.left, with_field=False)} NEAR/{node.distance} "
            f"{_term_text(node.right, with_field=False)}"
        )
        return f"{prefix}({inner})" if prefix else inner
    if isinstance(node, Lang):
        return f"lang:{node.code}"
    if isinstance(node, After):
        return f"after:{_iso(node.at)}"
    if isinstance(node, Before):
        return f"before:{_iso(node.at)}"
    return f"within:{_period(node.period)}"


def _term_text(term: Term, *, with_field: bool) -> str:
    body = " ".join(term.words)
    if len(term.words) > 1 or not body.isalnum():
        body = f'"{body}"'
    if term.prefix:
        body += "*"
    if with_field and term.field is not Field.ANY:
        return f"{term.field.value}:{body}"
    return body


def _iso(at: datetime) -> str:
    at = at.astimezone(UTC)
    if at == datetime(at.year, at.month, at.day, tzinfo=UTC):
        return at.date().isoformat()
    return at.strftime("%Y-%m-%dT%H:%M:%S") + ("" if not at.microsecond else f".{at:%f}") + "Z"


def _period(period: timedelta) -> str:
    seconds = int(period.total_seconds())
    for unit, size in (("w", 604800), ("d", 86400), ("h", 3600)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds // 60}m"
