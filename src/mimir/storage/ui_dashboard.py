"""The dashboard's reads: today's counts, the sources needing attention, articles per day.

Every read over articles or stories is bounded by time and served by an index: articles per
day by ``article_search``'s ``(sort_at, article_id)`` index over the chart's days, today's new
articles by their ``discovered_at`` index, stories by their ``last_seen_at`` index (a story
first seen today was last seen today too). Days are the reader's own calendar days: the caller
passes their boundaries in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, case, func, literal, select

from mimir.db.tables import alerts, article_search, articles, sources, stories
from mimir.storage.stats import FAILING_STATUSES


def articles_since(conn: Connection, since: datetime) -> int:
    """Live articles discovered (stored) at or after ``since``."""
    a = articles.c
    q = select(func.count()).where(a.discovered_at >= since, a.deleted_at.is_(None))
    return int(conn.execute(q).scalar_one() or 0)


def stories_since(conn: Connection, since: datetime) -> int:
    """Stories first seen at or after ``since``."""
    st = stories.c
    q = select(func.count()).where(st.last_seen_at >= since, st.first_seen_at >= since)
    return int(conn.execute(q).scalar_one() or 0)


def alerts_since(conn: Connection, since: datetime) -> int:
    """Alerts made at or after ``since``."""
    q = select(func.count()).where(alerts.c.created_at >= since)
    return int(conn.execute(q).scalar_one() or 0)


def _failing() -> Any:
    """As the stats API counts them: enabled, and the last check failed or errors in a row."""
    s = sources.c
    return s.enabled.is_(True) & ((s.consecutive_errors > 0) | s.status.in_(FAILING_STATUSES))


def failing_sources(conn: Connection, limit: int) -> tuple[int, list[dict[str, Any]]]:
    """How many sources need attention, and the ``limit`` with the most errors in a row."""
    s = sources.c
    count = int(conn.execute(select(func.count()).where(_failing())).scalar_one() or 0)
    rows = conn.execute(
        select(
            s.id,
            s.name,
            s.status,
            s.consecutive_errors,
            s.last_error_class,
            s.last_error_message,
            s.last_checked_at,
            s.next_check_at,
        )
        .where(_failing())
        .order_by(s.consecutive_errors.desc(), s.name)
        .limit(limit)
    )
    return count, [dict(r._mapping) for r in rows]


def articles_per_bucket(
    conn: Connection, bounds: Sequence[datetime]
) -> list[tuple[int, int | None, int]]:
    """(bucket, source id, live articles) for articles dated in ``[bounds[0], bounds[-1])``;
    bucket ``i`` is ``[bounds[i], bounds[i + 1])`` (the reader's days, in UTC)."""
    if len(bounds) < 2:
        return []
    s = article_search.c
    last = len(bounds) - 2
    whens = [(s.sort_at < b, i) for i, b in enumerate(bounds[1:-1])]
    bucket = (case(*whens, else_=last) if whens else literal(last)).label("bucket")
    inner = (
        select(bucket, s.source_id)
        .where(s.sort_at >= bounds[0], s.sort_at < bounds[-1])
        .subquery("dated")
    )
    rows = conn.execute(
        select(inner.c.bucket, inner.c.source_id, func.count()).group_by(
            inner.c.bucket, inner.c.source_id
        )
    )
    return [(int(b), int(k) if k is not None else None, int(n)) for b, k, n in rows]


def source_labels(conn: Connection, ids: Sequence[int]) -> dict[int, tuple[str, str | None]]:
    """(name, category) of the sources ``ids``."""
    if not ids:
        return {}
    s = sources.c
    rows = conn.execute(select(s.id, s.name, s.category).where(s.id.in_(list(ids))))
    return {int(i): (str(n), c) for i, n, c in rows}
