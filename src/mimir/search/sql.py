"""What both SQL back-ends share: the request, the filters, the order, the recency boost.

Both build the same statement shape: the ids and dates of the articles a query matches, newest
first (date, then id), within an optional date window, after an optional keyset cursor, at most
``limit`` of them. Relevance is computed afterwards, for such a set of candidates only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    Subquery,
    Table,
    and_,
    false,
    func,
    not_,
    or_,
    select,
    true,
)

from mimir.search.nodes import After, Before, Lang, Node, Term, Within
from mimir.search.plan import (
    AndCond,
    Cond,
    FilterCond,
    IndexCond,
    NotCond,
    SourceIds,
)


class Order(StrEnum):
    NEWEST = "newest"  # by date, newest first
    RELEVANCE = "relevance"  # by BM25 / ts_rank_cd times the recency boost


#: the recency boost: relevance x (1 + WEIGHT / (1 + age_in_days / DAYS)): an article from today
#: counts twice as much as an equally relevant one from a year ago, one from a week ago 1.5x
RECENCY_WEIGHT = 1.0
RECENCY_DAYS = 7.0


@dataclass(frozen=True, slots=True)
class SearchSpec:
    """Which matching articles to fetch (newest first), ready to be turned into SQL."""

    query: Node
    now: datetime
    limit: int | None = 20
    #: source ids of each ``source:``/``category:`` term (see ``plan.source_terms``)
    sources: SourceIds = field(default_factory=dict)
    #: only articles dated at or after this (the newest-first search widens it step by step)
    since: datetime | None = None
    #: keyset cursor: only articles strictly after this (date, id) in the order
    after: tuple[datetime, int] | None = None
    #: only articles with an id in this range (SQLite: the smallest and largest id a window
    #: holds, which lets FTS5 read only that part of its lists; they exclude nothing the
    #: window holds)
    min_id: int | None = None
    max_id: int | None = None
    #: the days a window covers (PostgreSQL: each article carries its day as a mark in its
    #: vector, so that a window is a join of short posting lists in the GIN index)
    days: tuple[str, ...] | None = None


def filter_sql(table: Table, node: Lang | After | Before | Within | Term, spec: SearchSpec) -> Any:
    """The column predicate of a filter leaf; never NULL, so NOT works as in the matcher."""
    c = table.c
    if isinstance(node, Lang):
        return c.language == node.code
    if isinstance(node, After):
        return c.sort_at >= node.at
    if isinstance(node, Before):
        return c.sort_at < node.at
    if isinstance(node, Within):
        return c.sort_at >= spec.now - node.period
    ids = spec.sources.get(node, frozenset())
    if not ids:
        return false()
    return and_(c.source_id.is_not(None), c.source_id.in_(sorted(ids)))


def cond_sql(
    cond: Cond, table: Table, spec: SearchSpec, index: Callable[[IndexCond], Any]
) -> ColumnElement[bool]:
    """A plan as a WHERE clause; ``index`` renders the index conditions."""
    if isinstance(cond, IndexCond):
        return index(cond)  # type: ignore[no-any-return]
    if isinstance(cond, FilterCond):
        return filter_sql(table, cond.node, spec)  # type: ignore[no-any-return]
    if isinstance(cond, NotCond):
        return not_(cond_sql(cond.part, table, spec, index))
    parts = [cond_sql(p, table, spec, index) for p in cond.parts]
    return and_(true(), *parts) if isinstance(cond, AndCond) else or_(false(), *parts)


def window_sql(table: Table, spec: SearchSpec) -> list[Any]:
    """The date window, the keyset cursor and the id floor."""
    c = table.c
    out: list[Any] = []
    if spec.since is not None:
        out.append(c.sort_at >= spec.since)
    if spec.min_id is not None:
        out.append(c.article_id >= spec.min_id)
    if spec.max_id is not None:
        out.append(c.article_id <= spec.max_id)

    if spec.after is not None:
        at, article_id = spec.after
        out.append(or_(c.sort_at < at, and_(c.sort_at == at, c.article_id < article_id)))
    return out


def ranked_page(pool: Subquery, offset: int, limit: int) -> Select[Any]:
    """``SELECT article_id, sort_at, score, pool_size`` of one page of ``pool`` (columns
    article_id, sort_at, age in days, relevance) by score = relevance x recency boost."""
    score = pool.c.relevance * (1.0 + RECENCY_WEIGHT / (1.0 + pool.c.age / RECENCY_DAYS))
    return (
        select(
            pool.c.article_id,
            pool.c.sort_at,
            score.label("score"),
            func.count().over().label("pool_size"),
        )
        .order_by(score.desc(), pool.c.sort_at.desc(), pool.c.article_id.desc())
        .limit(limit)
        .offset(offset)
    )


def split_conjuncts(cond: Cond) -> list[Cond]:
    return list(cond.parts) if isinstance(cond, AndCond) else [cond]
