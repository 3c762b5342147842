"""Reads for the web UI's sources pages: a keyset page of sources both ways, the number of
sources per state (the sources table only), and per-day article counts over a bounded window
(``article_search``'s ``(source_id, sort_at)`` index), never a scan of the articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, case, func, or_, select

from mimir.db.tables import article_search, sources
from mimir.model import Source, SourceKind
from mimir.storage.sources import FAILING_STATUSES

#: the list's status filter: every source, the enabled ones failing, the disabled ones
STATUSES = ("all", "failing", "disabled")
SPARK_DAYS = 14

_FIELDS = {f.name for f in fields(Source)}


def _source(row: Any) -> Source:
    data = {k: v for k, v in row._mapping.items() if k in _FIELDS}
    data["kind"] = SourceKind(data["kind"])
    data["settings"] = dict(data.get("settings") or {})
    return Source(**data)


def failing_condition() -> Any:
    """The API's meaning of failing: the last check failed or errors count up."""
    return or_(
        sources.c.consecutive_errors > 0,
        sources.c.last_error_class.is_not(None),
        sources.c.status.in_(FAILING_STATUSES),
    )


def is_failing(s: Source) -> bool:
    return bool(s.consecutive_errors or s.last_error_class or s.status in FAILING_STATUSES)


@dataclass(frozen=True, slots=True)
class SourcePage:
    rows: list[Source]
    next_after: int | None  # the id to continue after, when there are more
    prev_before: int | None  # the id to go back before, when this is not the first page


def page(
    conn: Connection,
    *,
    status: str = "all",
    kind: SourceKind | None = None,
    text: str | None = None,
    after_id: int | None = None,
    before_id: int | None = None,
    limit: int = 50,
) -> SourcePage:
    """A page of sources in id order, after ``after_id`` or before ``before_id``."""
    where: list[Any] = []
    if status == "failing":
        where += [sources.c.enabled.is_(True), failing_condition()]
    elif status == "disabled":
        where.append(sources.c.enabled.is_(False))
    if kind is not None:
        where.append(sources.c.kind == kind.value)
    if text:
        needle = text.lower()
        where.append(
            or_(
                func.lower(sources.c.name).contains(needle, autoescape=True),
                func.lower(sources.c.url).contains(needle, autoescape=True),
            )
        )
    q = select(sources).where(*where)
    if before_id is not None:
        q = q.where(sources.c.id < before_id).order_by(sources.c.id.desc())
        rows = [_source(r) for r in conn.execute(q.limit(limit + 1))]
        earlier = len(rows) > limit
        rows = list(reversed(rows[:limit]))
        return SourcePage(
            rows,
            rows[-1].id if rows else None,
            rows[0].id if rows and earlier else None,
        )
    start = after_id or 0
    q = q.where(sources.c.id > start).order_by(sources.c.id)
    rows = [_source(r) for r in conn.execute(q.limit(limit + 1))]
    more = len(rows) > limit
    rows = rows[:limit]
    return SourcePage(
        rows,
        rows[-1].id if rows and more else None,
        rows[0].id if rows and start > 0 else None,
    )


def state_counts(conn: Connection) -> dict[str, int]:
    """Sources in all, failing (enabled) and disabled: one pass over the sources table."""

    def total(cond: Any) -> Any:
        return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)

    row = conn.execute(
        select(
            func.count(),
            total(and_(sources.c.enabled.is_(True), failing_condition())),
            total(sources.c.enabled.is_(False)),
        ).select_from(sources)
    ).one()
    return {"all": int(row[0]), "failing": int(row[1]), "disabled": int(row[2])}


def _day(conn: Connection, column: Any) -> Any:
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)


def day_keys(now: datetime, days: int = SPARK_DAYS) -> list[str]:
    """The last ``days`` UTC days, oldest first, today included."""
    today = now.date()
    return [(today - timedelta(days=days - 1 - i)).isoformat() for i in range(days)]


def articles_per_day(
    conn: Connection, source_ids: Sequence[int], now: datetime, days: int = SPARK_DAYS
) -> dict[int, list[int]]:
    """Live articles per UTC day (by their date, as search orders them) over the last ``days``
    days, per source: a range of the ``(source_id, sort_at)`` index per source."""
    if not source_ids:
        return {}
    keys = day_keys(now, days)
    since = datetime.fromisoformat(keys[0]).replace(tzinfo=now.tzinfo)
    s = article_search.c
    day = _day(conn, s.sort_at).label("day")
    rows = conn.execute(
        select(s.source_id, day, func.count())
        .where(s.source_id.in_(list(source_ids)), s.sort_at >= since, s.sort_at <= now)
        .group_by(s.source_id, day)
    )
    index = {k: i for i, k in enumerate(keys)}
    out = {int(i): [0] * days for i in source_ids}
    for source_id, d, n in rows:
        at = index.get(str(d))
        if at is not None and int(source_id) in out:
            out[int(source_id)][at] = int(n)
    return out
