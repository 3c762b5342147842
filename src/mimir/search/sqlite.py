"""The SQLite back-end: an FTS5 ``MATCH`` expression plus the filters in SQL.

``article_fts`` (migration 0002) has one row per live article (rowid = article id) and the
columns ``title``, ``body``, ``author``, ``tag`` and ``url``. A term becomes a quoted FTS5
phrase of its folded words (``"atsc 3 0"``, ``"broad" *`` for a prefix) under a column filter
(``{title body} : ...`` for a term in no field); ``NEAR/n`` becomes ``NEAR(a b, n)``, whose
rule the in-memory matcher follows; ``AND``/``OR`` stay; ``a NOT b`` is FTS5's binary NOT.
What FTS5 cannot say (a lone ``NOT``, an ``OR`` with a ``NOT`` branch) becomes SQL around
``article_search.article_id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ...)``.

The first top-level index condition drives the query (``article_fts JOIN article_search``);
FTS5 is told the ids the window holds (``rowid BETWEEN ...``) so that a window of the last days
reads only the end of its lists, and top-level source filters naming few sources become FTS5
conditions too (the ``src`` column). Relevance is ``bm25()`` of the driving condition,
computed in the same pass for the candidates.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Column,
    Connection,
    Integer,
    MetaData,
    Select,
    Table,
    func,
    literal,
    literal_column,
    select,
)
from sqlalchemy.sql.elements import ColumnClause

from mimir.db.tables import article_search
from mimir.search.nodes import And, Field, Near, Node, Not, Or, Term
from mimir.search.plan import Cond, FilterCond, IndexCond, translate
from mimir.search.sql import SearchSpec, cond_sql, ranked_page, split_conjuncts, window_sql

#: the FTS5 table (in its own MetaData: migration-only, not part of the schema description)
article_fts = Table("article_fts", MetaData(), Column("rowid", Integer))
_FTS: ColumnClause[Any] = literal_column("article_fts")

COLUMNS = {
    Field.ANY: "{title body}",
    Field.TITLE: "title",
    Field.TEXT: "body",
    Field.AUTHOR: "author",
    Field.TAG: "tag",
    Field.URL: "url",
}
#: bm25 column weights: title, body, author, tag, url, src (the source token: no weight)
BM25_WEIGHTS = (4.0, 1.0, 1.0, 2.0, 0.5, 0.0)


def _group(_: Term | Near) -> str:
    return "fts"


def _phrase(term: Term) -> str:
    text = f'"{" ".join(term.words)}"'
    return f"{text} *" if term.prefix else text


def fts_expression(node: Node) -> str | None:
    """The FTS5 expression for ``node``, or None when FTS5 cannot express it alone."""
    if isinstance(node, Term):
        return f"{COLUMNS[node.field]} : {_phrase(node)}"
    if isinstance(node, Near):
        return (
            f"{COLUMNS[node.field]} : NEAR({_phrase(node.left)} {_phrase(node.right)}, "
            f"{node.distance})"
        )
    if isinstance(node, And):
        positive: list[str] = []
        negative: list[str] = []
        for child in node.children:
            inner = child.child if isinstance(child, Not) else child
            expr = fts_expression(inner)
            if expr is None:
                return None
            (negative if isinstance(child, Not) else positive).append(expr)
        if not positive:
            return None
        text = f"({' AND '.join(positive)})"
        return f"({text} NOT ({' OR '.join(negative)}))" if negative else text
    if isinstance(node, Or):
        parts = [fts_expression(c) for c in node.children]
        if any(p is None for p in parts):
            return None
        return f"({' OR '.join(p for p in parts if p is not None)})"
    return None  # a lone NOT or a filter


def _express(_group: str, node: Node) -> str | None:
    return fts_expression(node)


def _plan(spec: SearchSpec) -> tuple[str | None, list[Cond]]:
    """The driving FTS5 expression (the first top-level index condition, with the top-level
    source filters said to FTS5 too when they name few sources) and the other conditions."""
    conjuncts = split_conjuncts(translate(spec.query, _group, _express))
    driver = next((c for c in conjuncts if isinstance(c, IndexCond)), None)
    rest = [c for c in conjuncts if c is not driver]
    if driver is None:
        return None, rest
    expr = driver.expr
    for cond in rest:
        if isinstance(cond, FilterCond) and isinstance(cond.node, Term):
            ids = spec.sources.get(cond.node, frozenset())
            if 0 < len(ids) <= SOURCE_TOKENS:
                expr += f" AND src : ({' OR '.join(f'{_Q}s{i}{_Q}' for i in sorted(ids))})"
    return expr, rest


#: a top-level source filter naming at most this many sources is also an FTS5 condition on the
#: `src` column (a join of short posting lists instead of a look-up per match)
SOURCE_TOKENS = 64
_Q = '"'


def build_select(spec: SearchSpec) -> Select[Any]:
    """``SELECT article_id, sort_at`` of the matching articles, newest first."""
    return _select(spec, ranked=False)


def build_ranked(spec: SearchSpec, offset: int, limit: int) -> Select[Any]:
    """One page of the ``spec.limit`` newest matches ranked by bm25 x recency boost
    (``mimir.search.sql.ranked_page``)."""
    return ranked_page(_select(spec, ranked=True).subquery("pool"), offset, limit)


def _select(spec: SearchSpec, *, ranked: bool) -> Select[Any]:
    s = article_search
    driver, rest = _plan(spec)

    def index(cond: IndexCond) -> Any:
        inner = select(article_fts.c.rowid).where(_FTS.match(cond.expr), *_id_range(spec))
        return s.c.article_id.in_(inner)

    where = [cond_sql(c, s, spec, index) for c in rest] + window_sql(s, spec)
    columns: list[Any] = [s.c.article_id, s.c.sort_at]
    if ranked:
        age = func.max(0.0, julian_day(spec.now) - func.julianday(s.c.sort_at))
        relevance = -func.bm25(_FTS, *BM25_WEIGHTS) if driver is not None else literal(1.0)
        columns += [age.label("age"), relevance.label("relevance")]
    q = select(*columns)
    if driver is not None:
        q = q.select_from(article_fts.join(s, s.c.article_id == article_fts.c.rowid))
        # the id range said to FTS5 itself, so that it reads only that part of its lists
        q = q.where(_FTS.match(driver), *_id_range(spec))
    q = q.where(*where).order_by(s.c.sort_at.desc(), s.c.article_id.desc())
    return q.limit(spec.limit) if spec.limit is not None else q


def _id_range(spec: SearchSpec) -> list[Any]:
    out = []
    if spec.min_id is not None:
        out.append(article_fts.c.rowid >= spec.min_id)
    if spec.max_id is not None:
        out.append(article_fts.c.rowid <= spec.max_id)
    return out


def julian_day(at: datetime) -> float:
    """SQLite's ``julianday()`` of ``at``."""
    return at.astimezone(UTC).timestamp() / 86400.0 + 2440587.5


def narrow(
    conn: Connection, spec: SearchSpec, since: datetime, until: datetime | None
) -> SearchSpec | None:
    """``spec`` with the smallest and largest id of the articles dated in [since, until] (None:
    it holds nothing): FTS5 then reads only that part of its lists.

    ``+ 0`` keeps SQLite from answering ``min()`` by walking the primary key from its start;
    it reads the window's entries of the (sort_at, article_id) index instead.
    """
    s = article_search
    q = select(func.min(s.c.article_id + 0), func.max(s.c.article_id + 0)).where(
        s.c.sort_at >= since
    )
    if until is not None:
        q = q.where(s.c.sort_at <= until)
    lo, hi = conn.execute(q).one()
    return None if lo is None else replace(spec, min_id=int(lo), max_id=int(hi))


def prepare(conn: Connection) -> None:
    """Nothing to set per search on SQLite."""
