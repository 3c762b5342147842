"""Counts and per-day series for the stats routes, each one query over indexed columns.

Days are UTC calendar days, as ``YYYY-MM-DD`` strings. Live articles are counted in
``article_search`` (one narrow row per article that is not deleted; its ``(sort_at,
article_id)`` and ``(source_id, sort_at)`` indexes serve the range), so a month of a million
articles is a range scan of an index, not of the articles.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, case, func, select

from mimir.db.tables import alerts, article_search, channels, fetch_log, sources, stories, watches
from mimir.storage import alerts as alert_store

#: what makes a source "failing": its last check failed, or it has errors in a row (as
#: `mimir sources list --failing`)
FAILING_STATUSES = ("error", "robots_denied", "rate_limited")


@dataclass(frozen=True, slots=True)
class Totals:
    sources: int
    sources_enabled: int
    sources_failing: int
    articles: int
    stories: int
    watches: int
    watches_enabled: int
    channels: int
    alerts: int
    alerts_24h: int
    outbox: dict[str, int]  # rows per state (pending, sent, dead) and "due"


def _count(conn: Connection, stmt: Any) -> int:
    return int(conn.execute(stmt).scalar_one() or 0)


def _sum(cond: Any) -> Any:
    return func.coalesce(func.sum(case((cond, 1), else_=0)), 0)


def totals(conn: Connection, now: datetime) -> Totals:
    failing = (sources.c.consecutive_errors > 0) | sources.c.status.in_(FAILING_STATUSES)
    src = conn.execute(
        select(
            func.count(),
            _sum(sources.c.enabled.is_(True)),
            _sum(sources.c.enabled.is_(True) & failing),
        )
    ).one()
    wat = conn.execute(select(func.count(), _sum(watches.c.enabled.is_(True)))).one()
    depth = alert_store.depth(conn, now)
    return Totals(
        sources=int(src[0]),
        sources_enabled=int(src[1]),
        sources_failing=int(src[2]),
        articles=_count(conn, select(func.count()).select_from(article_search)),
        stories=_count(conn, select(func.count()).select_from(stories)),
        watches=int(wat[0]),
        watches_enabled=int(wat[1]),
        channels=_count(conn, select(func.count()).select_from(channels)),
        alerts=_count(conn, select(func.count()).select_from(alerts)),
        alerts_24h=_count(
            conn, select(func.count()).where(alerts.c.created_at >= now - timedelta(hours=24))
        ),
        outbox={k: depth.get(k, 0) for k in ("pending", "due", "sent", "dead")},
    )


def _day(conn: Connection, column: Any) -> Any:
    """The UTC day of a timestamp column, as ``YYYY-MM-DD``."""
    if conn.dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM-DD")
    return func.substr(column, 1, 10)  # SQLite keeps naive UTC text: "2026-04-14 09:30:00..."


def _per_day(
    conn: Connection, column: Any, key: Any, since: datetime, until: datetime, *where: Any
) -> list[tuple[str, Any, int]]:
    day = _day(conn, column).label("day")
    rows = conn.execute(
        select(day, key, func.count())
        .where(column >= since, column < until, *where)
        .group_by(day, key)
        .order_by(day, key)
    )
    return [(str(d), k, int(n)) for d, k, n in rows]


def articles_per_day(
    conn: Connection, since: datetime, until: datetime, *, source_id: int | None = None
) -> list[tuple[str, int | None, int]]:
    """(day, source id, live articles) for articles dated in ``[since, until)``; the date is
    the one search orders by (published, never later than discovered)."""
    s = article_search
    where = [s.c.source_id == source_id] if source_id is not None else []
    return _per_day(conn, s.c.sort_at, s.c.source_id, since, until, *where)


def fetches_per_day(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[str, str, int]]:
    """(day, outcome, checks) for source checks started in ``[since, until)`` (the fetch log
    keeps 30 days)."""
    return _per_day(conn, fetch_log.c.started_at, fetch_log.c.outcome, since, until)


def alerts_per_day(
    conn: Connection, since: datetime, until: datetime
) -> list[tuple[str, int, int]]:
    """(day, watch id, alerts) for alerts made in ``[since, until)``."""
    return _per_day(conn, alerts.c.created_at, alerts.c.watch_id, since, until)


def source_names(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(select(sources.c.id, sources.c.name).where(sources.c.id.in_(list(ids))))
    return {int(i): str(n) for i, n in rows}


def watch_names(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(select(watches.c.id, watches.c.name).where(watches.c.id.in_(list(ids))))
    return {int(i): str(n) for i, n in rows}
