"""The dashboard (``/``): today in numbers, the sources needing attention, articles per day, the
latest stories and articles.

"Today" and the chart's days are the reader's calendar days (their zone). Every read is bounded
by time and served by an index (``mimir.storage.ui_dashboard``, ``mimir.storage.listing``); the
chart's finished days are kept a few minutes per database and zone (they no longer change but
for late arrivals), today's bucket is read on every request.
"""

from __future__ import annotations

import threading
import time as clock
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from mimir.api.deps import database_of
from mimir.api.web.pages import ViewerPage, render, zone_of
from mimir.storage import listing, ui_dashboard
from mimir.storage.listing import ArticleFilter, StoryFilter

router = APIRouter(include_in_schema=False)

CHART_DAYS = 14
#: series drawn on their own; the rest are summed as "Other"
MAX_SERIES = 7
LATEST_ARTICLES = 8
LATEST_STORIES = 8
#: the latest stories are those with copies, last seen within this many days
STORY_DAYS = 3
FAILING_SHOWN = 5
#: how long the chart's finished days are reused (seconds; 0: never)
CHART_CACHE_SECONDS = 300.0
#: distinguishable in both themes, at least 3:1 against either background
PALETTE = (
    "#3b7dd8",
    "#e07b39",
    "#3aa65b",
    "#c0509a",
    "#8a6fd1",
    "#c9a227",
    "#2aa3a8",
    "#d0544f",
)
OTHER_COLOR = "#8a93a0"
NO_CATEGORY = "(no category)"
DELETED_SOURCE = "(deleted source)"

By = Literal["category", "source"]

# ---- the chart ---------------------------------------------------------------------------------

#: SVG geometry (viewBox units)
WIDTH, HEIGHT = 700, 220
LEFT, RIGHT, TOP, BOTTOM = 40, 8, 10, 26


@dataclass(frozen=True, slots=True)
class Segment:
    y: float
    height: float
    color: str
    label: str
    count: int


@dataclass(frozen=True, slots=True)
class Bar:
    day: date
    x: float
    width: float
    total: int
    label: str  # under the bar
    segments: list[Segment]


@dataclass(frozen=True, slots=True)
class Series:
    label: str
    color: str
    counts: list[int]
    total: int


@dataclass(frozen=True, slots=True)
class Tick:
    y: float
    value: int


@dataclass(frozen=True, slots=True)
class Chart:
    by: By
    days: list[date]
    bars: list[Bar]
    series: list[Series]
    totals: list[int]
    ticks: list[Tick]
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    base: float = HEIGHT - BOTTOM


def nice_ceiling(value: int) -> int:
    """The smallest of 2, 4, 6, 8, 10 x 10^n at or above ``value`` (at least 2): the axis' top,
    halved for its middle line."""
    scale = 1
    while True:
        for step in (2, 4, 6, 8, 10):
            if step * scale >= value:
                return step * scale
        scale *= 10


def build_chart(
    by: By,
    days: Sequence[date],
    rows: Sequence[tuple[int, int | None, int]],
    labels: dict[int, tuple[str, str | None]],
) -> Chart:
    """Stacked bars per day from ``(day index, source id, articles)`` rows."""
    n = len(days)
    per: dict[str, list[int]] = {}
    for index, source_id, count in rows:
        if not 0 <= index < n:
            continue
        if source_id is None or source_id not in labels:
            key = DELETED_SOURCE
        elif by == "source":
            key = labels[source_id][0]
        else:
            key = labels[source_id][1] or NO_CATEGORY
        per.setdefault(key, [0] * n)[index] += count
    ranked = sorted(per.items(), key=lambda kv: (-sum(kv[1]), kv[0].lower()))
    shown, rest = ranked[:MAX_SERIES], ranked[MAX_SERIES:]
    if len(rest) == 1:
        shown, rest = ranked, []
    series = [
        Series(label, PALETTE[i % len(PALETTE)], counts, sum(counts))
        for i, (label, counts) in enumerate(shown)
    ]
    if rest:
        other = [sum(counts[i] for _, counts in rest) for i in range(n)]
        series.append(Series(f"Other ({len(rest)})", OTHER_COLOR, other, sum(other)))
    totals = [sum(s.counts[i] for s in series) for i in range(n)]
    top = nice_ceiling(max(totals, default=0))
    base = HEIGHT - BOTTOM
    scale = (base - TOP) / top
    slot = (WIDTH - LEFT - RIGHT) / max(n, 1)
    bars = []
    for i, day in enumerate(days):
        y = float(base)
        segments = []
        for s in series:
            count = s.counts[i]
            if count:
                h = count * scale
                y -= h
                segments.append(Segment(round(y, 2), round(h, 2), s.color, s.label, count))
        first = i == 0 or day.day == 1
        bars.append(
            Bar(
                day,
                round(LEFT + i * slot + slot * 0.15, 2),
                round(slot * 0.7, 2),
                totals[i],
                day.strftime("%d %b") if first else day.strftime("%d"),
                segments,
            )
        )
    ticks = [Tick(round(base - v * scale, 2), v) for v in (0, top // 2, top)]
    return Chart(by, list(days), bars, series, totals, ticks)


# ---- the reads -------------------------------------------------------------------------------

_cache: dict[tuple[Any, ...], tuple[float, list[tuple[int, int | None, int]]]] = {}
_cache_lock = threading.Lock()


def _cached(key: tuple[Any, ...]) -> list[tuple[int, int | None, int]] | None:
    with _cache_lock:
        found = _cache.get(key)
    if found is None or found[0] < clock.monotonic():
        return None
    return found[1]


def _remember(key: tuple[Any, ...], rows: list[tuple[int, int | None, int]]) -> None:
    if CHART_CACHE_SECONDS <= 0:
        return
    with _cache_lock:
        if len(_cache) > 64:
            _cache.clear()
        _cache[key] = (clock.monotonic() + CHART_CACHE_SECONDS, rows)


def day_bounds(today: date, tz: ZoneInfo, days: int) -> tuple[list[date], list[datetime]]:
    """The last ``days`` calendar days in ``tz`` (ending today) and their ``days + 1``
    boundaries in UTC."""
    axis = [today - timedelta(days=days - 1 - i) for i in range(days)]
    bounds = [datetime.combine(d, time(), tz).astimezone(UTC) for d in axis]
    bounds.append(datetime.combine(today + timedelta(days=1), time(), tz).astimezone(UTC))
    return axis, bounds


@dataclass(frozen=True, slots=True)
class Board:
    articles_today: int
    stories_today: int
    alerts_today: int
    failing: int
    failing_sources: list[dict[str, Any]]
    rows: list[tuple[int, int | None, int]]
    past_rows: list[tuple[int, int | None, int]]
    labels: dict[int, tuple[str, str | None]]
    stories: list[dict[str, Any]]
    articles: list[dict[str, Any]]


def load_board(
    conn: Connection,
    bounds: Sequence[datetime],
    past: list[tuple[int, int | None, int]] | None,
    now: datetime,
) -> Board:
    today_index = len(bounds) - 2
    today_rows = [
        (today_index, k, n) for _, k, n in ui_dashboard.articles_per_bucket(conn, bounds[-2:])
    ]
    past_rows = past if past is not None else ui_dashboard.articles_per_bucket(conn, bounds[:-1])
    rows = past_rows + today_rows
    ids = sorted({k for _, k, _ in rows if k is not None})
    midnight = bounds[-2]
    failing, failing_sources = ui_dashboard.failing_sources(conn, FAILING_SHOWN)
    story_filter = StoryFilter(since=now - timedelta(days=STORY_DAYS), min_size=2)
    latest_stories, _ = listing.list_stories(conn, story_filter, now=now, limit=LATEST_STORIES)
    latest = listing.list_articles(conn, ArticleFilter(), limit=LATEST_ARTICLES)
    return Board(
        articles_today=ui_dashboard.articles_since(conn, midnight),
        stories_today=ui_dashboard.stories_since(conn, midnight),
        alerts_today=ui_dashboard.alerts_since(conn, midnight),
        failing=failing,
        failing_sources=failing_sources,
        rows=rows,
        past_rows=past_rows,
        labels=ui_dashboard.source_labels(conn, ids),
        stories=latest_stories,
        articles=latest.items,
    )


@router.get("/", response_class=HTMLResponse)
async def dashboard(
    request: Request,
    me: ViewerPage,
    by: Annotated[str, Query(max_length=20)] = "category",
) -> HTMLResponse:
    chosen: By = "source" if by == "source" else "category"
    db = database_of(request)
    tz = zone_of(request, me)
    now = datetime.now(UTC)
    today = now.astimezone(tz).date()
    days, bounds = day_bounds(today, tz, CHART_DAYS)
    key = (str(db.engine.url), tz.key, tuple(bounds))
    board = await db.read(load_board, bounds, _cached(key), now)
    _remember(key, board.past_rows)
    chart = build_chart(chosen, days, board.rows, board.labels)
    return render(
        request,
        "dashboard.html",
        title="Dashboard",
        board=board,
        chart=chart,
        story_days=STORY_DAYS,
    )
