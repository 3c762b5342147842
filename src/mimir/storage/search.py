"""Search: one page of the articles a query matches, newest first or by relevance.

    page = search(conn, '"ATSC 3.0" launch -sports source:bbc', now=now)
    for hit in page.hits: hit.title_highlight.marked(), hit.snippet.marked()
    more = search(conn, query, now=now, cursor=page.next_cursor)

The query runs on the connection's own back-end (``mimir.search.sqlite`` or
``mimir.search.postgres``). ``source:`` and ``category:`` terms are matched against the sources
here, with the in-memory matcher, and become source ids.

Newest first, the search looks at the last day first and widens the window (a week, a month, a
year, everything) until it has a full page: a page of a common query then reads a day's
matches rather than a year's.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, select

from mimir.db.tables import articles, sources
from mimir.errors import InputError
from mimir.search import postgres, sqlite
from mimir.search.matcher import ArticleFields, Document, matches
from mimir.search.nodes import Node, positive_terms
from mimir.search.parser import parse
from mimir.search.plan import source_terms
from mimir.search.snippets import Highlighted, highlight, snippet
from mimir.search.sql import Order, SearchSpec

__all__ = ["Order", "SearchHit", "SearchPage", "matching_ids", "search"]

MAX_LIMIT = 1000
#: how far back each step of a newest-first search looks, before looking at everything
WINDOWS = (timedelta(days=1), timedelta(days=7), timedelta(days=31), timedelta(days=366))


@dataclass(frozen=True, slots=True)
class SearchHit:
    id: int
    title: str | None
    url: str
    source_id: int | None
    source_name: str | None
    language: str | None
    date: datetime  # published, never later than discovered: what the order and filters use
    published_at: datetime | None
    discovered_at: datetime
    score: float  # relevance x recency boost (recency alone in newest-first order)
    title_highlight: Highlighted
    snippet: Highlighted


@dataclass(frozen=True, slots=True)
class SearchPage:
    query: str
    order: Order
    hits: list[SearchHit]
    next_cursor: str | None  # pass back as ``cursor`` for the next page; None at the end


def search(
    conn: Connection,
    query: str | Node,
    *,
    now: datetime,
    order: Order = Order.NEWEST,
    limit: int = 20,
    cursor: str | None = None,
    snippet_words: int = 36,
) -> SearchPage:
    """One page of the articles ``query`` matches (``QuerySyntaxError`` if it is invalid)."""
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}")
    tree = parse(query) if isinstance(query, str) else query
    spec = SearchSpec(tree, now, order, limit, sources=resolve_sources(conn, tree, now))
    spec = _apply_cursor(spec, cursor)
    rows = _newest_rows(conn, spec) if order is Order.NEWEST else _run(conn, spec)
    hits = _hits(conn, tree, rows, snippet_words)
    next_cursor = None
    if len(rows) == limit:
        if order is Order.NEWEST:
            next_cursor = _encode({"o": "n", "t": rows[-1][1].isoformat(), "i": rows[-1][0]})
        else:
            next_cursor = _encode({"o": "r", "n": spec.offset + limit})
    text = query if isinstance(query, str) else ""
    return SearchPage(text, order, hits, next_cursor)


def matching_ids(conn: Connection, query: str | Node, *, now: datetime) -> list[int]:
    """Every article ``query`` matches, newest first (no page, no snippets)."""
    tree = parse(query) if isinstance(query, str) else query
    spec = SearchSpec(tree, now, Order.NEWEST, None, sources=resolve_sources(conn, tree, now))
    return [row[0] for row in _run(conn, spec)]


def resolve_sources(conn: Connection, query: Node, now: datetime) -> dict[Any, frozenset[int]]:
    """The ids of the sources each ``source:``/``category:`` term of ``query`` matches."""
    terms = source_terms(query)
    if not terms:
        return {}
    docs = [
        (row.id, Document.of(ArticleFields(source_name=row.name, source_host=row.host,
                                           source_category=row.category)))
        for row in conn.execute(select(sources.c.id, sources.c.name, sources.c.host,
                                       sources.c.category))
    ]  # fmt: skip
    return {
        term: frozenset(sid for sid, doc in docs if matches(term, doc, now=now)) for term in terms
    }


def _builder(conn: Connection) -> Any:
    return postgres if conn.dialect.name == "postgresql" else sqlite


def _run(conn: Connection, spec: SearchSpec) -> list[tuple[int, datetime, float]]:
    stmt = _builder(conn).build_select(spec)
    return [(int(r[0]), r[1], float(r[2] or 0.0)) for r in conn.execute(stmt)]


def _newest_rows(conn: Connection, spec: SearchSpec) -> list[tuple[int, datetime, float]]:
    """Newest first: the last day, then wider windows, until a page is full."""
    top = spec.after[0] if spec.after else spec.now
    for window in WINDOWS:
        rows = _run(conn, replace(spec, since=top - window))
        if spec.limit is not None and len(rows) >= spec.limit:
            return rows
    return _run(conn, spec)


def _hits(
    conn: Connection, query: Node, rows: list[tuple[int, datetime, float]], snippet_words: int
) -> list[SearchHit]:
    if not rows:
        return []
    ids = [r[0] for r in rows]
    found = {
        r.id: r
        for r in conn.execute(
            select(
                articles.c.id,
                articles.c.title,
                articles.c.canonical_url,
                articles.c.source_id,
                sources.c.name.label("source_name"),
                articles.c.language,
                articles.c.published_at,
                articles.c.discovered_at,
                articles.c.text,
            )
            .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
            .where(articles.c.id.in_(ids))
        )
    }
    terms = positive_terms(query)
    hits = []
    for article_id, date, score in rows:
        r = found.get(article_id)
        if r is None:  # deleted since the search ran
            continue
        hits.append(
            SearchHit(
                id=article_id,
                title=r.title,
                url=r.canonical_url,
                source_id=r.source_id,
                source_name=r.source_name,
                language=r.language,
                date=date,
                published_at=r.published_at,
                discovered_at=r.discovered_at,
                score=score,
                title_highlight=highlight(r.title, terms),
                snippet=snippet(r.text, terms, size=snippet_words),
            )
        )
    return hits


def _encode(value: dict[str, Any]) -> str:
    raw = json.dumps(value, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _apply_cursor(spec: SearchSpec, cursor: str | None) -> SearchSpec:
    if not cursor:
        return spec
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if spec.order is Order.NEWEST and value["o"] == "n":
            at = datetime.fromisoformat(value["t"])
            if at.tzinfo is None:
                raise ValueError("naive cursor date")
            return replace(spec, after=(at, int(value["i"])))
        if spec.order is Order.RELEVANCE and value["o"] == "r":
            offset = int(value["n"])
            if offset < 0:
                raise ValueError("negative offset")
            return replace(spec, offset=offset)
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        pass
    raise InputError("invalid cursor (it belongs to another search or order)")
