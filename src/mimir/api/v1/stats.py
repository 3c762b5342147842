"""Counts and per-day time series: what dashboards chart.

Series cover ``days`` UTC calendar days ending with ``until`` (default: today), oldest first,
with a zero for every day without any: ``days`` is the x axis, each series' ``counts`` is
aligned with it, and ``totals`` sums the series per day.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from mimir.api.access import Viewer
from mimir.api.deps import get_db
from mimir.api.v1.common import ERRORS, json_response
from mimir.db.database import Database
from mimir.storage import stats as store

K = TypeVar("K", bound=Hashable)

router = APIRouter(tags=["stats"], responses=ERRORS)
Db = Annotated[Database, Depends(get_db)]
MAX_DAYS = 366
Days = Annotated[int, Query(ge=1, le=MAX_DAYS, description=f"How many days (1-{MAX_DAYS}).")]
Until = Annotated[
    date | None,
    Query(
        ge=date(1970, 1, 1),
        le=date(9999, 12, 30),
        description="The last day of the series (UTC; default: today).",
    ),
]


class SourceCounts(BaseModel):
    total: int
    enabled: int
    failing: int = Field(description="Enabled, and the last check failed or errors in a row.")


class WatchCounts(BaseModel):
    total: int
    enabled: int


class AlertCounts(BaseModel):
    total: int
    last_24h: int


class OutboxCounts(BaseModel):
    """Notifications waiting (pending; ``due``: of those, due now), sent, and given up."""

    pending: int
    due: int
    sent: int
    dead: int


class Stats(BaseModel):
    sources: SourceCounts
    articles: int = Field(description="Stored articles (not deleted).")
    stories: int
    watches: WatchCounts
    channels: int
    alerts: AlertCounts
    outbox: OutboxCounts


class SourceSeries(BaseModel):
    source_id: int | None = Field(description="null: articles of deleted sources")
    name: str | None
    counts: list[int]
    total: int


class ArticlesPerDay(BaseModel):
    days: list[date]
    totals: list[int]
    sources: list[SourceSeries] = Field(description="Sources with articles, most first.")


class OutcomeSeries(BaseModel):
    outcome: str = Field(description="ok, not_modified, error, robots_denied, rate_limited ...")
    counts: list[int]
    total: int


class FetchesPerDay(BaseModel):
    days: list[date]
    totals: list[int]
    outcomes: list[OutcomeSeries]


class WatchSeries(BaseModel):
    watch_id: int
    name: str | None
    counts: list[int]
    total: int


class AlertsPerDay(BaseModel):
    days: list[date]
    totals: list[int]
    watches: list[WatchSeries] = Field(description="Watches with alerts, most first.")


@router.get(
    "/stats",
    summary="Counts of sources, articles, stories, watches, alerts, outbox",
    response_model=Stats,
)
async def stats(request: Request, me: Viewer, db: Db) -> Response:
    t = await db.read(store.totals, datetime.now(UTC))
    out = Stats(
        sources=SourceCounts(total=t.sources, enabled=t.sources_enabled, failing=t.sources_failing),
        articles=t.articles,
        stories=t.stories,
        watches=WatchCounts(total=t.watches, enabled=t.watches_enabled),
        channels=t.channels,
        alerts=AlertCounts(total=t.alerts, last_24h=t.alerts_24h),
        outbox=OutboxCounts(**t.outbox),
    )
    return json_response(request, out)


def _window(days: int, until: date | None) -> tuple[list[date], datetime, datetime]:
    last = until or datetime.now(UTC).date()
    first = last - timedelta(days=days - 1)
    axis = [first + timedelta(days=i) for i in range(days)]
    start = datetime.combine(first, time(), UTC)
    return axis, start, datetime.combine(last, time(), UTC) + timedelta(days=1)


def _series(
    axis: Sequence[date], rows: Sequence[tuple[str, K, int]]
) -> tuple[list[int], list[tuple[K, list[int], int]]]:
    """Per-day totals and, per key (most first), counts aligned with ``axis``."""
    at = {d.isoformat(): i for i, d in enumerate(axis)}
    totals = [0] * len(axis)
    per: dict[K, list[int]] = {}
    for day, key, n in rows:
        i = at.get(day)
        if i is None:
            continue
        per.setdefault(key, [0] * len(axis))[i] += n
        totals[i] += n
    ranked = sorted(per.items(), key=lambda kv: (-sum(kv[1]), str(kv[0])))
    return totals, [(k, counts, sum(counts)) for k, counts in ranked]


@router.get(
    "/stats/articles-per-day",
    summary="Articles per day per source (by their date: published, or else discovered)",
    response_model=ArticlesPerDay,
)
async def articles_per_day(
    request: Request,
    me: Viewer,
    db: Db,
    days: Days = 30,
    until: Until = None,
    source_id: Annotated[int | None, Query(ge=1, le=2**62, description="Only this source.")] = None,
) -> Response:
    axis, start, end = _window(days, until)

    def load(conn: Connection) -> tuple[list[Any], dict[int, str]]:
        rows = store.articles_per_day(conn, start, end, source_id=source_id)
        return rows, store.source_names(conn, sorted({r[1] for r in rows if r[1] is not None}))

    rows, names = await db.read(load)
    totals, series = _series(axis, rows)
    out = ArticlesPerDay(
        days=axis,
        totals=totals,
        sources=[
            SourceSeries(
                source_id=k, name=names.get(k) if k is not None else None, counts=c, total=n
            )
            for k, c, n in series
        ],
    )
    return json_response(request, out)


@router.get(
    "/stats/fetches",
    summary="Source checks per day by outcome (the fetch log keeps 30 days)",
    response_model=FetchesPerDay,
)
async def fetches(
    request: Request, me: Viewer, db: Db, days: Days = 30, until: Until = None
) -> Response:
    axis, start, end = _window(days, until)
    totals, series = _series(axis, await db.read(store.fetches_per_day, start, end))
    out = FetchesPerDay(
        days=axis,
        totals=totals,
        outcomes=[OutcomeSeries(outcome=k, counts=c, total=n) for k, c, n in series],
    )
    return json_response(request, out)


@router.get("/stats/alerts", summary="Alerts per day per watch", response_model=AlertsPerDay)
async def alerts(
    request: Request, me: Viewer, db: Db, days: Days = 30, until: Until = None
) -> Response:
    axis, start, end = _window(days, until)

    def load(conn: Connection) -> tuple[list[Any], dict[int, str]]:
        rows = store.alerts_per_day(conn, start, end)
        return rows, store.watch_names(conn, sorted({r[1] for r in rows}))

    rows, names = await db.read(load)
    totals, series = _series(axis, rows)
    out = AlertsPerDay(
        days=axis,
        totals=totals,
        watches=[
            WatchSeries(watch_id=k, name=names.get(k), counts=c, total=n) for k, c, n in series
        ],
    )
    return json_response(request, out)
