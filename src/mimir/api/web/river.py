"""The river (``/river``): the newest articles with their stories, filters, keyset pages of older
ones, keyboard navigation, and live arrivals over server-sent events (``/river/events``).

The page is one indexed query (``listing.list_articles``: the article list of the API). Its
first page connects to ``/river/events`` with the same filters and the newest article id it
knew (htmx's SSE extension); the stream polls the database every :data:`POLL_SECONDS` with
:func:`mimir.storage.ui_river.arrivals` (a primary-key probe, and a small id range only when
something arrived) and sends each new matching article as a rendered ``<li>`` (event
``article``) that the page puts on top of its list. After :data:`STREAM_SECONDS` the server
ends the stream and the browser reconnects by itself (``retry:``), sending the last id it was
given (``Last-Event-ID``), so nothing is missed and no connection lives for ever.
"""

from __future__ import annotations

import asyncio
import re
from collections import deque
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, StreamingResponse
from sqlalchemy import Connection

from mimir.api.deps import database_of
from mimir.api.v1.articles import LANGUAGE, cursor_key
from mimir.api.v1.common import encode_cursor
from mimir.api.web.pages import ViewerPage, context, environment, render
from mimir.errors import InputError
from mimir.storage import listing, ui_river
from mimir.storage.listing import MAX_ID, ArticleFilter

router = APIRouter(include_in_schema=False)

PAGE = 50
#: how often an open stream looks for new articles (seconds)
POLL_SECONDS = 2.0
#: a comment line this often keeps proxies from closing a quiet stream (seconds)
HEARTBEAT_SECONDS = 15.0
#: the server ends a stream after this long; the browser reconnects (seconds)
STREAM_SECONDS = 300.0
#: what the browser waits before reconnecting (milliseconds, sent as ``retry:``)
RETRY_MS = 3000
#: at most this many articles per poll (the newest)
ARRIVALS_LIMIT = 20
#: a poll looks at most this many ids back (a reader away for long gets the newest only)
MAX_SCAN = 2000
#: ids below the last seen that a poll looks at again: an article whose transaction committed
#: after a later one's still shows (each is sent once)
LOOKBACK = 50

_PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]+$")
_LANGUAGE = re.compile(LANGUAGE)

#: a form field: checked by :func:`river_filter` (a bad value is a 400 page, not a 422)
Text = Annotated[str | None, Query()]


def _id(name: str, value: str | None) -> int | None:
    if value is None or not value.strip():
        return None
    try:
        number = int(value)
    except ValueError:
        raise InputError(f"{name}: must be a number") from None
    if not 1 <= number <= MAX_ID:
        raise InputError(f"{name}: out of range")
    return number


def river_filter(
    source_id: str | None, category: str | None, language: str | None, watch_id: str | None
) -> ArticleFilter:
    """The filters of the form (an empty field: no condition); InputError for a bad value."""
    category = (category or "").strip() or None
    if category is not None and (len(category) > 100 or not _PRINTABLE.match(category)):
        raise InputError("category: not a category")
    language = (language or "").strip() or None
    if language is not None and not (len(language) <= 35 and _LANGUAGE.match(language)):
        raise InputError("language: a language tag such as en or pt-BR")
    return ArticleFilter(
        source_id=_id("source_id", source_id),
        category=category,
        language=language,
        watch_id=_id("watch_id", watch_id),
    )


def filter_query(flt: ArticleFilter, **extra: Any) -> str:
    """The query string of ``flt`` (and ``extra``), without empty values."""
    values = {
        "source_id": flt.source_id,
        "category": flt.category,
        "language": flt.language,
        "watch_id": flt.watch_id,
        **extra,
    }
    return urlencode({k: v for k, v in values.items() if v is not None})


def _load(
    conn: Connection, flt: ArticleFilter, after: tuple[datetime, int] | None
) -> tuple[listing.ArticlePage, list[dict[str, Any]], ui_river.Choices, int]:
    page = listing.list_articles(conn, flt, limit=PAGE, after=after)
    story_ids = sorted({a["story_id"] for a in page.items if a["story_id"]})
    sizes = ui_river.story_sizes(conn, story_ids)
    items = [ui_river.with_copies(a, sizes) for a in page.items]
    top = ui_river.newest_id(conn) if after is None else 0
    return page, items, ui_river.choices(conn), top


@router.get("/river", response_class=HTMLResponse)
async def river(
    request: Request,
    me: ViewerPage,
    source_id: Text = None,
    category: Text = None,
    language: Text = None,
    watch_id: Text = None,
    cursor: Text = None,
) -> HTMLResponse:
    flt = river_filter(source_id, category, language, watch_id)
    key = cursor_key(cursor or None, [datetime, int])
    after = (key[0], key[1]) if key else None
    db = database_of(request)
    page, items, choices, top = await db.read_quick(_load, flt, after)
    older = (
        "/river?" + filter_query(flt, cursor=encode_cursor(page.next_cursor))
        if page.next_cursor
        else None
    )
    query = filter_query(flt)
    return render(
        request,
        "river.html",
        title="River",
        flt=flt,
        items=items,
        choices=choices,
        live=after is None,
        events_url="/river/events?" + filter_query(flt, after=top),
        older_url=older,
        newest_url=("/river?" + query) if after is not None else None,
        filtered=bool(query),
    )


# ---- live arrivals ------------------------------------------------------------------------------


def sse_event(event: str, html: str) -> str:
    """One server-sent event whose data is ``html`` (a ``data:`` line per line)."""
    lines = "".join(f"data: {line}\n" for line in html.strip().splitlines())
    return f"event: {event}\n{lines}\n"


def _last_event_id(request: Request) -> int | None:
    raw = request.headers.get("last-event-id", "")
    return int(raw) if raw.isdigit() and len(raw) <= 19 else None


@router.get("/river/events")
async def river_events(
    request: Request,
    me: ViewerPage,
    source_id: Text = None,
    category: Text = None,
    language: Text = None,
    watch_id: Text = None,
    after: Annotated[int, Query(ge=0, le=MAX_ID)] = 0,
) -> StreamingResponse:
    flt = river_filter(source_id, category, language, watch_id)
    db = database_of(request)
    resumed = _last_event_id(request)
    start = max(after, resumed or 0)
    template = environment().get_template("_river_item.html")

    async def stream() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        ends = loop.time() + STREAM_SECONDS
        beat = loop.time() + HEARTBEAT_SECONDS
        last = start
        sent: deque[int] = deque(maxlen=4 * LOOKBACK + ARRIVALS_LIMIT)
        yield f"retry: {RETRY_MS}\n: connected\n\n"
        while loop.time() < ends:
            if await request.is_disconnected():
                return
            found = await db.read_quick(
                ui_river.arrivals,
                flt,
                floor=max(start, last - LOOKBACK),
                last=last,
                limit=ARRIVALS_LIMIT,
                max_scan=MAX_SCAN,
            )
            out = []
            for card in found.cards:
                if card["id"] in sent:
                    continue
                sent.append(card["id"])
                html = template.render(context(request, a=card, fresh=True))
                out.append(sse_event("article", html))
            if found.top > last:
                last = found.top
                out.append(f"id: {last}\n\n")
            if out:
                beat = loop.time() + HEARTBEAT_SECONDS
                yield "".join(out)
            elif loop.time() >= beat:
                beat = loop.time() + HEARTBEAT_SECONDS
                yield ": keep-alive\n\n"
            await asyncio.sleep(POLL_SECONDS)

    return StreamingResponse(
        stream(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )
