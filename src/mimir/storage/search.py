"""Search: one page of the articles a query matches, newest first or by relevance.

    page = search(conn, '"ATSC 3.0" launch -sports source:bbc', now=now)
    for hit in page.hits: hit.title_highlight.marked(), hit.snippet.marked()
    more = search(conn, query, now=now, cursor=page.next_cursor)

The query runs on the connection's own back-end (``mimir.search.sqlite`` or
``mimir.search.postgres``). ``source:`` and ``category:`` terms are matched against the sources
here, with the in-memory matcher, and become source ids.

Newest first, the search looks at the last day first and widens the window, sized from how
many matches the previous one held, until one holds a full page (past two months it runs the
whole query): a page of a common query reads a day of matches rather than a year of them.

By relevance, the 5,000 newest matches (``RELEVANCE_CANDIDATES``, found the same way) are
ranked by relevance (BM25 on SQLite, ``ts_rank_cd`` on PostgreSQL) times the recency boost
(``mimir.search.sql.ranked_page``), and the page is cut from that ranking. A query with fewer
matches is ranked whole; a broad one is ranked over its most recent matches, which keeps a
page within about 150 ms at a million articles (ranking all 300,000 matches of a common
two-word query costs 0.7 s in FTS5's bm25 alone; with 10,000 candidates a phrase query on
PostgreSQL took up to 250 ms). Add ``before:`` to rank older ones.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, func, select

from mimir.db.tables import articles, sources
from mimir.errors import InputError
from mimir.search import postgres, sqlite
from mimir.search.matcher import Document, matches
from mimir.search.nodes import Field, Node, date_bounds, positive_terms
from mimir.search.parser import parse
from mimir.search.plan import source_terms
from mimir.search.snippets import Highlighted, highlight, snippet
from mimir.search.sql import Order, SearchSpec
from mimir.search.tokens import words

__all__ = ["Order", "SearchHit", "SearchPage", "matching_ids", "search"]

MAX_LIMIT = 1000
#: by relevance, this many of the newest matches are ranked
RELEVANCE_CANDIDATES = 5_000
#: the newest-first windows: the first, and the widest, which the back-end narrows down further
#: (SQLite to the ids it holds, which reads the window's index; PostgreSQL to the marks of its
#: days); past it the whole query runs
FIRST_WINDOW = timedelta(days=1)
NARROW_WINDOW = timedelta(days=62)


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
    score: float  # relevance x recency boost (1.0 in newest-first order)
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
    candidates: int = RELEVANCE_CANDIDATES,
) -> SearchPage:
    """One page of the articles ``query`` matches (``QuerySyntaxError`` if it is invalid).

    By relevance, the ``candidates`` newest matches are ranked (see the module docs).
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise InputError(f"limit must be between 1 and {MAX_LIMIT}")
    tree = parse(query) if isinstance(query, str) else query
    spec = SearchSpec(tree, now, limit, sources=resolve_sources(conn, tree, now))
    after, offset = _decode_cursor(cursor, order)
    _backend(conn).prepare(conn)
    next_cursor = None
    if order is Order.NEWEST:
        _, found = _window(conn, replace(spec, after=after), _page)
        rows = [(int(r[0]), r[1], 1.0) for r in found]
        if len(found) == limit:
            at, article_id = found[-1][1], found[-1][0]
            next_cursor = _encode({"o": "n", "t": at.isoformat(), "i": article_id})
    else:
        pool, found = _window(conn, replace(spec, limit=candidates), _ranked(offset, limit))
        rows = [(int(r[0]), r[1], float(r[2])) for r in found]
        if offset + limit < pool:
            next_cursor = _encode({"o": "r", "n": offset + limit})
    hits = _hits(conn, tree, rows, snippet_words)
    return SearchPage(query if isinstance(query, str) else "", order, hits, next_cursor)


def matching_ids(conn: Connection, query: str | Node, *, now: datetime) -> list[int]:
    """Every article ``query`` matches, newest first (no page, no snippets)."""
    tree = parse(query) if isinstance(query, str) else query
    spec = SearchSpec(tree, now, None, sources=resolve_sources(conn, tree, now))
    return [int(row[0]) for row in _rows(conn, spec)]


def resolve_sources(conn: Connection, query: Node, now: datetime) -> dict[Any, frozenset[int]]:
    """The ids of the sources each ``source:``/``category:`` term of ``query`` matches (by the
    in-memory matcher, over each source's name and host, and its category)."""
    terms = source_terms(query)
    if not terms:
        return {}
    docs = [
        (
            row.id,
            Document(
                {
                    Field.SOURCE: words(f"{row.name} {row.host}"),
                    Field.CATEGORY: words(row.category),
                },
                "",
                None,
            ),
        )
        for row in conn.execute(
            select(sources.c.id, sources.c.name, sources.c.host, sources.c.category)
        )
    ]
    return {
        term: frozenset(sid for sid, doc in docs if matches(term, doc, now=now)) for term in terms
    }


def _backend(conn: Connection) -> Any:
    return postgres if conn.dialect.name == "postgresql" else sqlite


def _rows(conn: Connection, spec: SearchSpec) -> list[Any]:
    """(id, date) of the matches, newest first."""
    return list(conn.execute(_backend(conn).build_select(spec)))


def _count(conn: Connection, spec: SearchSpec) -> int:
    """How many matches, at most ``spec.limit``: without fetching or sorting rows (the database
    stops at ``limit``)."""
    unordered = _backend(conn).build_select(spec).order_by(None)
    stmt = select(func.count()).select_from(unordered.subquery())
    return int(conn.execute(stmt).scalar_one())


#: a window probe: (how many matches the window holds, at most ``limit``; what was fetched)
Probe = Callable[[Connection, SearchSpec, int], tuple[int, list[Any]]]


def _page(conn: Connection, spec: SearchSpec, attempt: int) -> tuple[int, list[Any]]:
    """Newest first: the page itself tells how many matches there are."""
    rows = _rows(conn, spec)
    return len(rows), rows


def _ranked(offset: int, limit: int) -> Probe:
    """By relevance: the first window is only counted, to size the next one; a later window is
    ranked at once, which also tells the size of its pool. FTS5's bm25 counts each phrase's rows
    in the whole index before it ranks anything, so each ranking costs that much more."""

    def probe(conn: Connection, spec: SearchSpec, attempt: int) -> tuple[int, list[Any]]:
        if attempt == 0:
            return _count(conn, spec), []
        rows = list(conn.execute(_backend(conn).build_ranked(spec, offset, limit)))
        return (int(rows[0][3]) if rows else _count(conn, spec)), rows

    return probe


def _window(conn: Connection, spec: SearchSpec, probe: Probe) -> tuple[int, list[Any]]:
    """``probe`` on the newest window that holds ``spec.limit`` matches: a day first, then wider
    windows sized from how many the last one held; no window at the end. Returns how many
    matches the last window holds (at most ``limit``) and what ``probe`` fetched from it."""
    assert spec.limit is not None
    lower, upper = date_bounds(spec.query, spec.now)
    top = spec.after[0] if spec.after else spec.now
    if upper is not None:
        top = min(top, upper)
    backend = _backend(conn)
    # a real upper bound (a cursor, before:) also caps the ids SQLite reads; "now" does not:
    # articles may be dated after the time the search was asked for
    until = top if top != spec.now else None
    span = FIRST_WINDOW
    attempt = 0
    while True:
        since, last = top - span, False
        if lower is not None and since <= lower:
            since, last = lower, True  # the query's own date filter: the widest window needed
        elif span > NARROW_WINDOW:
            break  # a window the back-end cannot narrow costs about what the whole query does
        window = replace(spec, since=since)
        if span <= NARROW_WINDOW:
            narrowed = backend.narrow(conn, window, since, until)
            if narrowed is None:  # no article at all is dated in the window
                if last:
                    return 0, []
                span *= 8
                continue
            window = narrowed
        size, found = probe(conn, window, attempt)
        attempt += 1
        if size >= spec.limit or last:
            if size and not found:  # only counted: fetch from this window
                size, found = probe(conn, window, attempt)
            return size, found
        span *= max(2.0, 1.25 * spec.limit / size if size else 8.0)
    return probe(conn, spec, max(attempt, 1))


def _hits(
    conn: Connection, query: Node, rows: Sequence[tuple[int, datetime, float]], snippet_words: int
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


def _decode_cursor(cursor: str | None, order: Order) -> tuple[tuple[datetime, int] | None, int]:
    """(keyset, offset) from a cursor of this order; InputError for anything else."""
    if not cursor:
        return None, 0
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if order is Order.NEWEST and value["o"] == "n":
            at = datetime.fromisoformat(value["t"])
            if at.tzinfo is None:
                raise ValueError("naive cursor date")
            return (at, int(value["i"])), 0
        if order is Order.RELEVANCE and value["o"] == "r":
            offset = int(value["n"])
            if offset >= 0:
                return None, offset
    except (ValueError, KeyError, TypeError, binascii.Error, json.JSONDecodeError):
        pass
    raise InputError("invalid cursor (it belongs to another search or order)")
