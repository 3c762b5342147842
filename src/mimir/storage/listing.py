"""Articles and stories as the API lists them: keyset pages of cards, a search page, an export.

A page of the plain article list is one query on ``article_search`` (one row per live
article), newest first by ``(sort_at, article_id)`` with a row-value comparison after the
cursor, joined to ``articles`` and ``sources`` for the card's columns only (never the text):
the ``(sort_at, article_id)`` index (or ``(source_id, sort_at)`` for one source) serves it at
any depth.

With a query (``q``), a page comes from :func:`mimir.storage.search.search`, which widens its
date window step by step, with the filters added to the query as the language's own
``lang:``/``after:``/``before:`` nodes. Filters the language has no exact word for (a source id,
a category, a watch's alerts, a story) build the back-end's statement directly: the source ids
go in as a source condition (a mark on PostgreSQL, a ``src`` token on SQLite: an index
condition either way), and a watch or a story restricts the ids. The export streams the same
rows, unpaged, over a server-side cursor.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from psycopg.rows import dict_row
from sqlalchemy import ColumnElement, Connection, Select, bindparam, func, select, tuple_

from mimir.db.tables import alerts, article_revisions, article_search, articles, sources, stories
from mimir.errors import InputError, NotFound, QuerySyntaxError
from mimir.search import postgres as pg_backend
from mimir.search import sqlite as sqlite_backend
from mimir.search.nodes import After, And, Before, Field, Lang, Near, Node, Not, Or, Term
from mimir.search.parser import parse
from mimir.search.sql import Order, SearchSpec
from mimir.storage.search import RELEVANCE_CANDIDATES, resolve_sources, search

MAX_ID = 2**62
#: members shown with a story (the rest: the article list with ``story_id``)
STORY_MEMBERS = 500
#: rows fetched per round trip of an export's server-side cursor
EXPORT_BATCH = 1000
#: a source condition for the exact ids of the ``source_id``/``category`` filters: no query can
#: spell this term (words never hold a space), so it never meets a user's ``source:`` term
_EXACT_SOURCES = Term((" exact source ids",), field=Field.SOURCE)


@dataclass(frozen=True, slots=True)
class ArticleFilter:
    """Which articles: every field narrows (None: no condition)."""

    source_id: int | None = None
    category: str | None = None  # the source's category, case-insensitive
    language: str | None = None  # a language tag; its primary subtag is compared
    since: datetime | None = None  # dated at or after
    until: datetime | None = None  # dated before
    watch_id: int | None = None  # the articles that alerted for this watch
    story_id: int | None = None

    @property
    def primary_language(self) -> str | None:
        return self.language.split("-", 1)[0].lower() if self.language else None

    @property
    def restricts_ids(self) -> bool:
        return self.watch_id is not None or self.story_id is not None

    @property
    def exact_sources(self) -> bool:
        return self.source_id is not None or self.category is not None


@dataclass(frozen=True, slots=True)
class ArticlePage:
    items: list[dict[str, Any]]  # card columns, plus ``score`` with a query
    next_cursor: list[Any] | None  # the sort key to continue after (see the API's cursors)


def _dicts(result: Any) -> list[dict[str, Any]]:
    """Rows as dicts with plain ``str`` keys (SQLAlchemy's are a subclass orjson refuses)."""
    names = tuple(map(str, result.keys()))
    return [dict(zip(names, r, strict=True)) for r in result]


def _one(result: Any) -> dict[str, Any] | None:
    rows = _dicts(result)
    return rows[0] if rows else None


# ---- cards -----------------------------------------------------------------------------------

_CARD = (
    article_search.c.article_id.label("id"),
    articles.c.title,
    articles.c.canonical_url.label("url"),
    article_search.c.source_id,
    sources.c.name.label("source"),
    articles.c.language,
    article_search.c.sort_at.label("date"),
    articles.c.published_at,
    articles.c.discovered_at,
    articles.c.story_id,
)
_CARD_FROM = article_search.join(articles, articles.c.id == article_search.c.article_id).outerjoin(
    sources, sources.c.id == article_search.c.source_id
)


def _card_select() -> Select[Any]:
    return select(*_CARD).select_from(_CARD_FROM)


def cards(conn: Connection, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    """The cards of the live articles among ``ids``."""
    if not ids:
        return {}
    rows = _dicts(conn.execute(_card_select().where(article_search.c.article_id.in_(list(ids)))))
    return {r["id"]: r for r in rows}


def _newest(table_id: Any, table_at: Any) -> tuple[Any, Any]:
    return table_at.desc(), table_id.desc()


def _after(at_col: Any, id_col: Any, key: tuple[datetime, int]) -> ColumnElement[bool]:
    """Strictly after ``key`` in newest-first order: ``(at, id) < (:at, :id)``."""
    at = bindparam(None, key[0], type_=at_col.type)
    ident = bindparam(None, key[1], type_=id_col.type)
    return tuple_(at_col, id_col) < tuple_(at, ident)


def _category_sources(category: str) -> Select[Any]:
    return select(sources.c.id).where(func.lower(sources.c.category) == category.lower())


def _id_restrictions(flt: ArticleFilter, id_col: Any) -> list[ColumnElement[bool]]:
    out: list[ColumnElement[bool]] = []
    if flt.watch_id is not None:
        out.append(id_col.in_(select(alerts.c.article_id).where(alerts.c.watch_id == flt.watch_id)))
    if flt.story_id is not None:
        out.append(id_col.in_(select(articles.c.id).where(articles.c.story_id == flt.story_id)))
    return out


def _conditions(flt: ArticleFilter) -> list[ColumnElement[bool]]:
    s = article_search.c
    out: list[ColumnElement[bool]] = []
    if flt.source_id is not None:
        out.append(s.source_id == flt.source_id)
    if flt.category is not None:
        out.append(s.source_id.in_(_category_sources(flt.category)))
    if flt.primary_language is not None:
        out.append(s.language == flt.primary_language)
    if flt.since is not None:
        out.append(s.sort_at >= flt.since)
    if flt.until is not None:
        out.append(s.sort_at < flt.until)
    return out + _id_restrictions(flt, s.article_id)


def list_articles(
    conn: Connection, flt: ArticleFilter, *, limit: int, after: tuple[datetime, int] | None = None
) -> ArticlePage:
    """A page of cards, newest first (``limit`` of them; the cursor is the last one's key)."""
    if conn.dialect.name == "postgresql":
        rows = _list_postgresql(conn, flt, limit, after)
    else:
        s = article_search.c
        q = _card_select().where(*_conditions(flt))
        if after is not None:
            q = q.where(_after(s.sort_at, s.article_id, after))
        q = q.order_by(*_newest(s.article_id, s.sort_at)).limit(limit + 1)
        rows = _dicts(conn.execute(q))
    more = len(rows) > limit
    rows = rows[:limit]
    return ArticlePage(rows, [rows[-1]["date"], rows[-1]["id"]] if more and rows else None)


#: the list's SQL on PostgreSQL, compiled once per shape (which filters are set, a cursor or not)
_LIST_SQL: dict[tuple[bool, ...], str] = {}
_LIST_FIELDS = ("source_id", "category", "language", "since", "until", "watch_id", "story_id")


def _list_postgresql(
    conn: Connection, flt: ArticleFilter, limit: int, after: tuple[datetime, int] | None
) -> list[dict[str, Any]]:
    """The plain list's page on PostgreSQL, straight through the driver: the statement is
    built and compiled once per shape and runs as a prepared statement, its rows come back as
    dicts. Per page this is a third of SQLAlchemy's CPU cost (building the statement, its cache
    key, result processing), on the API's most frequent request."""
    values: dict[str, Any] = {
        "source_id": flt.source_id,
        "category": flt.category.lower() if flt.category is not None else None,
        "language": flt.primary_language,
        "since": flt.since,
        "until": flt.until,
        "watch_id": flt.watch_id,
        "story_id": flt.story_id,
    }
    shape = (*(values[f] is not None for f in _LIST_FIELDS), after is not None)
    sql = _LIST_SQL.get(shape)
    if sql is None:
        sql = _LIST_SQL[shape] = _compile_list(conn, shape)
    params = {k: v for k, v in values.items() if v is not None}
    params["limit"] = limit + 1
    if after is not None:
        params["after_at"], params["after_id"] = after
    with conn.connection.driver_connection.cursor(row_factory=dict_row) as cur:  # type: ignore[union-attr]
        cur.execute(sql, params, prepare=True)
        rows: list[dict[str, Any]] = cur.fetchall()
    return rows


def _compile_list(conn: Connection, shape: tuple[bool, ...]) -> str:
    s = article_search.c
    has = dict(zip(_LIST_FIELDS, shape, strict=False))
    q = _card_select()
    if has["source_id"]:
        q = q.where(s.source_id == bindparam("source_id"))
    if has["category"]:
        category = select(sources.c.id).where(
            func.lower(sources.c.category) == bindparam("category")
        )
        q = q.where(s.source_id.in_(category))
    if has["language"]:
        q = q.where(s.language == bindparam("language"))
    if has["since"]:
        q = q.where(s.sort_at >= bindparam("since"))
    if has["until"]:
        q = q.where(s.sort_at < bindparam("until"))
    if has["watch_id"]:
        watched = select(alerts.c.article_id).where(alerts.c.watch_id == bindparam("watch_id"))
        q = q.where(s.article_id.in_(watched))
    if has["story_id"]:
        members = select(articles.c.id).where(articles.c.story_id == bindparam("story_id"))
        q = q.where(s.article_id.in_(members))
    if shape[-1]:
        q = q.where(
            tuple_(s.sort_at, s.article_id) < tuple_(bindparam("after_at"), bindparam("after_id"))
        )
    q = q.order_by(*_newest(s.article_id, s.sort_at)).limit(bindparam("limit"))
    return str(q.compile(dialect=conn.dialect))


# ---- with a query ---------------------------------------------------------------------------


def parse_query(q: str, name: str = "q") -> Node:
    """``q`` parsed; a syntax error names the parameter and keeps the position."""
    try:
        return parse(q)
    except QuerySyntaxError as exc:
        raise QuerySyntaxError(f"{name}: {exc.reason}", exc.query, exc.position) from None


def _and(*parts: Node) -> Node:
    flat: list[Node] = []
    for p in parts:
        flat.extend(p.children if isinstance(p, And) else (p,))
    return flat[0] if len(flat) == 1 else And(tuple(flat))


def _with_filters(tree: Node, flt: ArticleFilter) -> Node:
    """The filters the query language says exactly, added to ``tree``."""
    extra: list[Node] = []
    if flt.primary_language is not None:
        extra.append(Lang(flt.primary_language))
    if flt.since is not None:
        extra.append(After(flt.since))
    if flt.until is not None:
        extra.append(Before(flt.until))
    return _and(tree, *extra)


def _backend(conn: Connection) -> Any:
    return pg_backend if conn.dialect.name == "postgresql" else sqlite_backend


def _spec(conn: Connection, tree: Node, flt: ArticleFilter, now: datetime) -> SearchSpec:
    """The back-end's request for ``tree`` and every filter but the id restrictions."""
    tree = _with_filters(tree, flt)
    found = dict(resolve_sources(conn, tree, now))
    if flt.exact_sources:
        ids: set[int] = set()
        if flt.category is not None:
            ids = {int(r[0]) for r in conn.execute(_category_sources(flt.category))}
        if flt.source_id is not None:
            ids = ({flt.source_id} & ids) if flt.category is not None else {flt.source_id}
        tree = _and(tree, _EXACT_SOURCES)
        found[_EXACT_SOURCES] = frozenset(ids)
    return SearchSpec(tree, now, None, sources=found)


def _matches(conn: Connection, spec: SearchSpec, flt: ArticleFilter) -> Any:
    """``(article_id, sort_at)`` of the matches as a subquery, id restrictions applied."""
    inner = _backend(conn).build_select(spec).order_by(None).subquery("matches")
    return (
        select(inner.c.article_id, inner.c.sort_at)
        .where(*_id_restrictions(flt, inner.c.article_id))
        .subquery("matched")
    )


def search_articles(
    conn: Connection,
    tree: Node,
    flt: ArticleFilter,
    *,
    now: datetime,
    order: Order,
    limit: int,
    cursor: str | list[Any] | None,
) -> ArticlePage:
    """A page of the articles ``tree`` (and ``flt``) match, with a ``score`` each.

    ``cursor`` is what a previous page's ``next_cursor`` held: the search's own cursor (a
    string) when only the language's filters are used; otherwise a ``[date, id]`` key (newest)
    or an ``[offset]`` (by relevance)."""
    if not (flt.exact_sources or flt.restricts_ids):
        inner = cursor[0] if isinstance(cursor, list) else cursor
        if inner is not None:
            check_search_cursor(inner)
        try:
            found = search(
                conn, _with_filters(tree, flt), now=now, order=order, limit=limit, cursor=inner
            )
        except OverflowError:
            raise InputError("q: a date in the query is out of range") from None
        by_id = cards(conn, [h.id for h in found.hits])
        items = [{**by_id[h.id], "score": h.score} for h in found.hits if h.id in by_id]
        return ArticlePage(items, [found.next_cursor] if found.next_cursor else None)
    if order is Order.RELEVANCE and flt.restricts_ids:
        raise InputError("order: relevance cannot be combined with watch_id or story_id")
    spec = _spec(conn, tree, flt, now)
    backend = _backend(conn)
    backend.prepare(conn)
    if order is Order.RELEVANCE:
        offset = int(cursor[0]) if isinstance(cursor, list) else 0
        stmt = backend.build_ranked(replace(spec, limit=RELEVANCE_CANDIDATES), offset, limit + 1)
        rows = [(int(r[0]), float(r[2])) for r in conn.execute(stmt)]
        key: list[Any] = [offset + limit]
    else:
        m = _matches(conn, spec, flt)
        stmt = select(m.c.article_id, m.c.sort_at)
        if isinstance(cursor, list):
            stmt = stmt.where(_after(m.c.sort_at, m.c.article_id, (cursor[0], cursor[1])))
        stmt = stmt.order_by(*_newest(m.c.article_id, m.c.sort_at)).limit(limit + 1)
        fetched = list(conn.execute(stmt))
        rows = [(int(r[0]), 1.0) for r in fetched]
        key = [fetched[limit - 1][1], int(fetched[limit - 1][0])] if len(fetched) > limit else []
    more = len(rows) > limit
    by_id = cards(conn, [r[0] for r in rows[:limit]])
    items = [{**by_id[i], "score": score} for i, score in rows[:limit] if i in by_id]
    return ArticlePage(items, key if more else None)


def cursor_kinds(flt: ArticleFilter, query: bool, order: Order) -> list[type]:
    """What a cursor of this list holds: the search's own cursor, a ``[date, id]`` key, or an
    ``[offset]`` into a ranking (see :func:`search_articles`)."""
    if not query:
        return [datetime, int]
    if not (flt.exact_sources or flt.restricts_ids):
        return [str]
    return [int] if order is Order.RELEVANCE else [datetime, int]


def check_search_cursor(cursor: str) -> None:
    """An InputError unless ``cursor`` is one :func:`search` could have made with sane values
    (a forged one must not reach the database as an out-of-range date or id)."""
    bad = InputError("cursor: not a cursor of this list (start again without one)")
    try:
        value = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        if not isinstance(value, dict):
            raise bad
        if value.get("o") == "n":
            at = datetime.fromisoformat(value["t"])
            at.astimezone(UTC)
            ident = value["i"]
            ok = at.tzinfo is not None and 1970 <= at.year <= 9999 and type(ident) is int
            if ok and 0 <= ident <= MAX_ID:
                return
        elif value.get("o") == "r":
            offset = value["n"]
            if type(offset) is int and 0 <= offset <= RELEVANCE_CANDIDATES:
                return
    except (ValueError, KeyError, TypeError, OverflowError, binascii.Error):
        pass
    raise bad


# ---- one article -----------------------------------------------------------------------------


def get_article(conn: Connection, article_id: int) -> dict[str, Any]:
    """A live article with its card, content and revisions (oldest first); NotFound else."""
    row = conn.execute(
        select(
            *_CARD,
            articles.c.summary,
            articles.c.text,
            articles.c.authors,
            articles.c.tags,
            articles.c.section,
            articles.c.image_url,
            articles.c.updated_at,
            articles.c.fetched_at,
            articles.c.revision,
            articles.c.extraction,
        )
        .select_from(_CARD_FROM)
        .where(article_search.c.article_id == article_id)
    )
    out = _one(row)
    if out is None:
        raise NotFound(f"article_id: there is no article {article_id}")
    out["revisions"] = _dicts(
        conn.execute(
            select(
                article_revisions.c.revision,
                article_revisions.c.title,
                article_revisions.c.text,
                article_revisions.c.updated_at,
                article_revisions.c.fetched_at,
            )
            .where(article_revisions.c.article_id == article_id)
            .order_by(article_revisions.c.revision)
        )
    )
    return out


# ---- export ----------------------------------------------------------------------------------

_EXPORT = (
    articles.c.id,
    articles.c.title,
    articles.c.canonical_url.label("url"),
    articles.c.source_id,
    sources.c.name.label("source"),
    articles.c.language,
    articles.c.published_at,
    articles.c.discovered_at,
    articles.c.story_id,
    articles.c.authors,
    articles.c.summary,
)
#: the export's columns, in order
EXPORT_FIELDS = (
    "id",
    "date",
    "title",
    "url",
    "source_id",
    "source",
    "language",
    "published_at",
    "discovered_at",
    "story_id",
    "authors",
    "summary",
)


def export_statement(
    conn: Connection, flt: ArticleFilter, tree: Node | None, *, now: datetime
) -> Select[Any]:
    """Every article ``flt`` (and ``tree``) select, newest first, with the export's columns."""
    if tree is None:
        s = article_search.c
        return (
            select(s.sort_at.label("date"), *_EXPORT)
            .select_from(_CARD_FROM)
            .where(*_conditions(flt))
            .order_by(*_newest(s.article_id, s.sort_at))
        )
    m = _matches(conn, _spec(conn, tree, flt, now), flt)
    return (
        select(m.c.sort_at.label("date"), *_EXPORT)
        .select_from(
            m.join(articles, articles.c.id == m.c.article_id).outerjoin(
                sources, sources.c.id == articles.c.source_id
            )
        )
        .order_by(*_newest(m.c.article_id, m.c.sort_at))
    )


def export_rows(
    conn: Connection,
    flt: ArticleFilter,
    tree: Node | None,
    *,
    now: datetime,
    batch: int = EXPORT_BATCH,
) -> Iterator[list[dict[str, Any]]]:
    """The export's rows in batches, over a server-side cursor: memory holds one batch."""
    stmt = export_statement(conn, flt, tree, now=now)
    if tree is not None:
        _backend(conn).prepare(conn)
    result = conn.execution_options(stream_results=True, yield_per=batch).execute(stmt)
    names = tuple(map(str, result.keys()))
    for part in result.partitions(batch):
        yield [dict(zip(names, r, strict=True)) for r in part]


# ---- stories ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StoryFilter:
    since: datetime | None = None  # last seen at or after
    until: datetime | None = None  # last seen before
    min_size: int | None = None  # at least this many articles
    query: Node | None = None  # over the lead article's title


_STORY = (
    stories.c.id,
    stories.c.title,
    stories.c.lead_article_id,
    stories.c.article_count,
    stories.c.source_count,
    stories.c.first_seen_at,
    stories.c.last_seen_at,
)


def in_title(node: Node) -> Node:
    """``node`` with its words looked for in the title (fields written out stay)."""
    if isinstance(node, Term | Near):
        return replace(node, field=Field.TITLE) if node.field is Field.ANY else node
    if isinstance(node, And | Or):
        return type(node)(tuple(in_title(c) for c in node.children))
    if isinstance(node, Not):
        return Not(in_title(node.child))
    return node


def list_stories(
    conn: Connection,
    flt: StoryFilter,
    *,
    now: datetime,
    limit: int,
    after: tuple[datetime, int] | None = None,
) -> tuple[list[dict[str, Any]], list[Any] | None]:
    """A page of stories, the last seen first, and the key to continue after (or None)."""
    st = stories.c
    q = select(*_STORY)
    if flt.since is not None:
        q = q.where(st.last_seen_at >= flt.since)
    if flt.until is not None:
        q = q.where(st.last_seen_at < flt.until)
    if flt.min_size is not None:
        q = q.where(st.article_count >= flt.min_size)
    if flt.query is not None:
        tree = in_title(flt.query)
        spec = SearchSpec(tree, now, None, sources=resolve_sources(conn, tree, now))
        backend = _backend(conn)
        backend.prepare(conn)
        leads = backend.build_select(spec).order_by(None).subquery("leads")
        q = q.where(st.lead_article_id.in_(select(leads.c.article_id)))
    if after is not None:
        q = q.where(_after(st.last_seen_at, st.id, after))
    rows = _dicts(conn.execute(q.order_by(*_newest(st.id, st.last_seen_at)).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, ([rows[-1]["last_seen_at"], rows[-1]["id"]] if more and rows else None)


def get_story(conn: Connection, story_id: int) -> dict[str, Any]:
    """A story with its lead's card and its members' (oldest first, at most STORY_MEMBERS)."""
    out = _one(conn.execute(select(*_STORY).where(stories.c.id == story_id)))
    if out is None:
        raise NotFound(f"story_id: there is no story {story_id}")
    s = article_search.c
    members = _dicts(
        conn.execute(
            _card_select()
            .where(articles.c.story_id == story_id)
            .order_by(s.sort_at, s.article_id)
            .limit(STORY_MEMBERS + 1)
        )
    )
    out["members_truncated"] = len(members) > STORY_MEMBERS
    out["members"] = members[:STORY_MEMBERS]
    lead_id = out["lead_article_id"]
    lead = next((m for m in members if m["id"] == lead_id), None)
    out["lead"] = lead if lead is not None else cards(conn, [lead_id]).get(lead_id)
    return out


__all__ = [
    "EXPORT_FIELDS",
    "ArticleFilter",
    "ArticlePage",
    "StoryFilter",
    "cards",
    "cursor_kinds",
    "export_rows",
    "get_article",
    "get_story",
    "list_articles",
    "list_stories",
    "parse_query",
    "search_articles",
]
