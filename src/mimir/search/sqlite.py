"""The SQLite back-end: an FTS5 ``MATCH`` expression plus the filters in SQL.

``article_fts`` (migration 0002) has one row per live article (rowid = article id) and the
columns ``title``, ``body``, ``author``, ``tag`` and ``url``. A term becomes a quoted FTS5
phrase of its folded words (``"atsc 3 0"``, ``"broad" *`` for a prefix) under a column filter
(``{title body} : ...`` for a term in no field); ``NEAR/n`` becomes ``NEAR(a b, n)``, whose
rule the in-memory matcher follows; ``AND``/``OR`` stay; ``a NOT b`` is FTS5's binary NOT.
What FTS5 cannot say (a lone ``NOT``, an ``OR`` with a ``NOT`` branch) becomes SQL around
``article_search.article_id IN (SELECT rowid FROM article_fts WHERE article_fts MATCH ...)``.

The first top-level index condition drives the query (``article_fts JOIN article_search``), so
relevance can use ``bm25()``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Column, Integer, MetaData, Select, Table, func, literal_column, select
from sqlalchemy.sql.elements import ColumnClause

from mimir.db.tables import article_search
from mimir.search.nodes import And, Field, Near, Node, Not, Or, Term
from mimir.search.plan import IndexCond, translate
from mimir.search.sql import (
    Order,
    SearchSpec,
    age_days_boost,
    cond_sql,
    split_conjuncts,
    window_sql,
)

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
#: bm25 column weights: title, body, author, tag, url
BM25_WEIGHTS = (4.0, 1.0, 1.0, 2.0, 0.5)
_JULIAN_UNIX_EPOCH = 2440587.5


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


def build_select(spec: SearchSpec) -> Select[Any]:
    """``SELECT article_id, sort_at, score`` for one page of ``spec``."""
    s = article_search
    plan = translate(spec.query, _group, _express)
    conjuncts = split_conjuncts(plan)
    driver = next((c for c in conjuncts if isinstance(c, IndexCond)), None)
    rest = [c for c in conjuncts if c is not driver]

    def index(cond: IndexCond) -> Any:
        inner = select(article_fts.c.rowid).where(_FTS.match(cond.expr))
        return s.c.article_id.in_(inner)

    where = [cond_sql(c, s, spec, index) for c in rest] + window_sql(s, spec)
    age = func.max(0.0, julian_day(spec.now) - func.julianday(s.c.sort_at))
    if driver is not None:
        relevance = -func.bm25(_FTS, *BM25_WEIGHTS)
        q = select(s.c.article_id, s.c.sort_at, (relevance * age_days_boost(age)).label("score"))
        q = q.select_from(article_fts.join(s, s.c.article_id == article_fts.c.rowid))
        q = q.where(_FTS.match(driver.expr), *where)
    else:
        q = select(s.c.article_id, s.c.sort_at, age_days_boost(age).label("score"))
        q = q.where(*where)
    if spec.order is Order.RELEVANCE:
        q = q.order_by(literal_column("score").desc(), s.c.sort_at.desc(), s.c.article_id.desc())
    else:
        q = q.order_by(s.c.sort_at.desc(), s.c.article_id.desc())
    if spec.limit is not None:
        q = q.limit(spec.limit)
    if spec.offset:
        q = q.offset(spec.offset)
    return q


def julian_day(at: datetime) -> float:
    """SQLite's julianday() of ``at``."""
    return at.astimezone(UTC).timestamp() / 86400.0 + _JULIAN_UNIX_EPOCH
