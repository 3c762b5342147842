"""Articles: the list (filters, the query language, keyset pages), one article with its
revisions, and the export (CSV or NDJSON, streamed).

The list is one indexed query per page (``mimir.storage.listing``); with ``q`` it is a search
page. The export runs its query on a connection of its own in a thread, over a server-side
cursor, and hands the response batches of encoded rows through a small queue: memory holds a
few batches whatever the number of rows, and a client that goes away stops the query.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import queue
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Callable, Generator, Iterator, Sequence
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any

import orjson
import structlog
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from mimir.api.access import VIEWER
from mimir.api.deps import get_db
from mimir.api.v1.common import (
    ERRORS,
    Cursor,
    Limit,
    Page,
    decode_cursor,
    encode_cursor,
    json_response,
)
from mimir.db.database import Database
from mimir.errors import InputError, Throttled
from mimir.search.sql import Order
from mimir.storage import listing
from mimir.storage.listing import EXPORT_FIELDS, MAX_ID, ArticleFilter
from mimir.storage.search import RELEVANCE_CANDIDATES

log = structlog.get_logger("mimir.api")

router = APIRouter(tags=["articles"], responses=ERRORS, dependencies=[Depends(VIEWER)])
Db = Annotated[Database, Depends(get_db)]
ArticleId = Annotated[int, Path(ge=1, le=2**62, description="The article's id.")]

#: a language tag (BCP 47's shape, loosely): ``en``, ``pt-BR``
LANGUAGE = r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$"
#: printable text: no control characters (PostgreSQL refuses NUL in text)
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
EARLIEST, LATEST = 1970, 9999
#: exports running at once in a process (each holds a database connection while it runs)
MAX_EXPORTS = 4
_exports = threading.BoundedSemaphore(MAX_EXPORTS)


def utc(name: str, value: datetime | None) -> datetime | None:
    """``value`` in UTC (naive: taken as UTC), between 1970 and 9999; InputError naming ``name``."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    try:
        value = value.astimezone(UTC)
    except OverflowError:
        raise InputError(f"{name}: out of range") from None
    if not EARLIEST <= value.year <= LATEST:
        raise InputError(f"{name}: must be between {EARLIEST} and {LATEST}")
    return value


def cursor_key(cursor: str | None, kinds: Sequence[type]) -> list[Any] | None:
    """The sort key in ``cursor`` with every value in range (an InputError naming it else)."""
    if not cursor:
        return None
    key = decode_cursor(cursor, kinds)
    bad = InputError("cursor: not a cursor of this list (start again without one)")
    for i, value in enumerate(key):
        if value is None:
            raise bad
        if isinstance(value, datetime):
            try:
                key[i] = utc("cursor", value)
            except InputError:
                raise bad from None
        elif isinstance(value, int) and not 0 <= value <= MAX_ID:
            raise bad
        elif isinstance(value, str):
            listing.check_search_cursor(value)
    if kinds == [int] and key[0] > RELEVANCE_CANDIDATES:
        raise bad
    return key


# ---- parameters ------------------------------------------------------------------------------

Since = Annotated[
    datetime | None,
    Query(description="Dated at or after this time (ISO 8601; UTC when no zone is given)."),
]
Until = Annotated[datetime | None, Query(description="Dated before this time (ISO 8601).")]
Q = Annotated[
    str | None,
    Query(
        min_length=1,
        max_length=1000,
        pattern=r"^[^\x00]+$",
        description="A query in Mimir's query language (docs/search.md), e.g. "
        '`"ATSC 3.0" launch -sports`.',
    ),
]


async def article_filter(
    source_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this source's articles.")
    ] = None,
    category: Annotated[
        str | None,
        Query(
            min_length=1,
            max_length=100,
            pattern=PRINTABLE,
            description="Only articles of sources in this category (case-insensitive).",
        ),
    ] = None,
    language: Annotated[
        str | None,
        Query(
            max_length=35,
            pattern=LANGUAGE,
            description="Only this language (`pt-BR` means `pt`).",
        ),
    ] = None,
    since: Since = None,
    until: Until = None,
    watch_id: Annotated[
        int | None,
        Query(ge=1, le=MAX_ID, description="Only the articles that alerted for this watch."),
    ] = None,
    story_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this story's articles.")
    ] = None,
) -> ArticleFilter:
    return ArticleFilter(
        source_id=source_id,
        category=category,
        language=language,
        since=utc("since", since),
        until=utc("until", until),
        watch_id=watch_id,
        story_id=story_id,
    )


Filters = Annotated[ArticleFilter, Depends(article_filter)]


# ---- models ----------------------------------------------------------------------------------


class ArticleCard(BaseModel):
    """An article in a list: no text."""

    id: int
    title: str | None
    url: str
    source_id: int | None
    source: str | None = Field(description="The source's name.")
    language: str | None
    date: datetime = Field(
        description="Published, but never later than discovered: what the order and the "
        "time filters use."
    )
    published_at: datetime | None
    discovered_at: datetime
    story_id: int | None
    score: float | None = Field(
        default=None,
        description="With `q`: relevance times the recency boost (1.0 in newest-first order).",
    )


class RevisionOut(BaseModel):
    """An earlier version of the article (the current one is the article itself)."""

    revision: int
    title: str | None
    text: str
    updated_at: datetime | None
    fetched_at: datetime


class ArticleOut(ArticleCard):
    summary: str | None
    text: str
    authors: list[str]
    tags: list[str]
    section: str | None
    image_url: str | None
    updated_at: datetime | None
    fetched_at: datetime
    revision: int = Field(description="The current revision's number (1: never revised).")
    extraction: str
    revisions: list[RevisionOut] = Field(description="Earlier versions, oldest first.")


class ExportFormat(StrEnum):
    CSV = "csv"
    NDJSON = "ndjson"


# ---- routes ----------------------------------------------------------------------------------


@router.get(
    "/articles",
    summary="List articles, newest first, with filters and an optional query",
    response_model=Page[ArticleCard],
)
async def list_articles(
    request: Request,
    db: Db,
    flt: Filters,
    q: Q = None,
    order: Annotated[
        Order, Query(description="`newest` (the default) or, with `q`, `relevance`.")
    ] = Order.NEWEST,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    if order is Order.RELEVANCE and q is None:
        raise InputError("order: relevance needs q (a query to rank by)")
    tree = listing.parse_query(q) if q is not None else None
    key = cursor_key(cursor, listing.cursor_kinds(flt, tree is not None, order))
    if tree is None:
        after = (key[0], key[1]) if key else None
        found = await db.read_quick(listing.list_articles, flt, limit=limit, after=after)
    else:
        found = await db.read(
            listing.search_articles,
            tree,
            flt,
            now=datetime.now(UTC),
            order=order,
            limit=limit,
            cursor=key,
        )
    return json_response(request, page_body(found))


def page_body(found: listing.ArticlePage) -> dict[str, Any]:
    """A page of the list as the API answers it (the route and its hot path, fast_list)."""
    return {
        "items": found.items,
        "next_cursor": encode_cursor(found.next_cursor) if found.next_cursor else None,
    }


EXPORT_CONTENT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The articles: CSV with a header row, or one JSON object per line.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    },
    429: {
        "content": {"application/problem+json": {}},
        "description": f"{MAX_EXPORTS} exports are running already: retry after Retry-After",
    },
}


@router.get(
    "/articles/export",
    summary="Export every article the filters select, as CSV or NDJSON (streamed)",
    response_class=StreamingResponse,
    responses=EXPORT_CONTENT,
)
async def export_articles(
    db: Db,
    flt: Filters,
    q: Q = None,
    fmt: Annotated[
        ExportFormat, Query(alias="format", description="`csv` (the default) or `ndjson`.")
    ] = ExportFormat.CSV,
) -> StreamingResponse:
    tree = listing.parse_query(q) if q is not None else None
    now = datetime.now(UTC)
    encode = csv_chunks if fmt is ExportFormat.CSV else ndjson_chunks

    def produce(conn: Connection) -> Generator[bytes, None, None]:
        return encode(listing.export_rows(conn, flt, tree, now=now))

    chunks = stream(db, produce)
    first = await anext(chunks)  # an error before the first byte is still a problem+json
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    media = "text/csv; charset=utf-8" if fmt is ExportFormat.CSV else "application/x-ndjson"
    return StreamingResponse(
        _prepend(first, chunks),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="mimir-articles-{stamp}.{fmt.value}"',
            "Cache-Control": "no-store",
        },
    )


@router.get(
    "/articles/{article_id}",
    summary="Get an article with its text, its earlier revisions and its story",
    response_model=ArticleOut,
)
async def get_article(request: Request, article_id: ArticleId, db: Db) -> Response:
    return json_response(request, await db.read_quick(listing.get_article, article_id))


# ---- the export's encodings and stream -------------------------------------------------------

#: a cell starting with one of these is a formula to a spreadsheet (CSV injection): it gets a
#: leading apostrophe, as OWASP recommends
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        text = value.astimezone(UTC).isoformat().replace("+00:00", "Z")
    elif isinstance(value, list | tuple):
        text = "; ".join(str(v) for v in value)
    else:
        text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_chunks(batches: Iterator[list[dict[str, Any]]]) -> Generator[bytes, None, None]:
    """A header row, then each batch of rows as one chunk (RFC 4180 quoting, UTF-8)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(EXPORT_FIELDS)
    for batch in batches:
        writer.writerows([csv_cell(row[f]) for f in EXPORT_FIELDS] for row in batch)
        yield out.getvalue().encode()
        out.seek(0)
        out.truncate()
    if out.tell():
        yield out.getvalue().encode()  # no rows: the header alone


def ndjson_chunks(batches: Iterator[list[dict[str, Any]]]) -> Generator[bytes, None, None]:
    """One JSON object per line, each batch one chunk."""
    emitted = False
    for batch in batches:
        emitted = True
        yield b"".join(
            orjson.dumps({f: row[f] for f in EXPORT_FIELDS}, option=orjson.OPT_UTC_Z) + b"\n"
            for row in batch
        )
    if not emitted:
        yield b""


_DONE = object()
QUEUE_CHUNKS = 4


async def stream(
    db: Database, produce: Callable[[Connection], Generator[bytes, None, None]]
) -> AsyncGenerator[bytes, None]:
    """``produce``'s chunks, made in a thread of their own on a connection of their own and
    handed over through a bounded queue; closing the iterator (the client went away) stops
    the thread at its next chunk."""
    if not _exports.acquire(blocking=False):
        raise Throttled(f"{MAX_EXPORTS} exports are running already: try again shortly", 10)
    chunks: queue.Queue[Any] = queue.Queue(maxsize=QUEUE_CHUNKS)
    stop = threading.Event()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                chunks.put(item, timeout=0.5)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        last: Any = _DONE
        try:
            with db.engine.connect() as conn:
                made = produce(conn)
                try:
                    for chunk in made:
                        if not put(chunk):
                            break
                finally:  # before the connection goes back to the pool, with its cursor
                    made.close()
        except Exception as exc:  # the thread's boundary: the reader raises it
            last = exc
        finally:
            _exports.release()
        if not put(last):  # the reader stopped: wake it in case it still waits
            with contextlib.suppress(queue.Full):
                chunks.put_nowait(_DONE)

    threading.Thread(target=run, name="mimir-export", daemon=True).start()
    loop = asyncio.get_running_loop()
    try:
        while True:
            item = await loop.run_in_executor(None, chunks.get)
            if item is _DONE:
                return
            if isinstance(item, Exception):
                raise item
            yield item
    finally:
        stop.set()


async def _prepend(first: bytes, rest: AsyncGenerator[bytes, None]) -> AsyncIterator[bytes]:
    try:
        yield first
        async for chunk in rest:
            yield chunk
    except Exception as exc:  # the headers are sent: all we can do is end the stream, and say so
        log.error("export_failed", error_class=type(exc).__name__, error=str(exc))
    finally:
        await rest.aclose()
