"""What both SQL back-ends share: the request, the filters, the order, the recency boost."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Table, and_, false, not_, or_, true

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
    """One page of one search, ready to be turned into SQL."""

    query: Node
    now: datetime
    order: Order = Order.NEWEST
    limit: int | None = 20
    offset: int = 0
    #: source ids of each ``source:``/``category:`` term (see ``plan.source_terms``)
    sources: SourceIds = field(default_factory=dict)
    #: only articles dated at or after this (the newest-first search widens it step by step)
    since: datetime | None = None
    #: keyset cursor (newest first): only articles strictly after this (date, id) in the order
    after: tuple[datetime, int] | None = None


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
    """The date window and the keyset cursor."""
    c = table.c
    out: list[Any] = []
    if spec.since is not None:
        out.append(c.sort_at >= spec.since)
    if spec.after is not None:
        at, article_id = spec.after
        out.append(or_(c.sort_at < at, and_(c.sort_at == at, c.article_id < article_id)))
    return out


def split_conjuncts(cond: Cond) -> list[Cond]:
    return list(cond.parts) if isinstance(cond, AndCond) else [cond]


def age_days_boost(age_days: Any) -> Any:
    """``1 + WEIGHT / (1 + age / DAYS)`` as a SQL expression of an age in days (>= 0)."""
    return 1.0 + RECENCY_WEIGHT / (1.0 + age_days / RECENCY_DAYS)
