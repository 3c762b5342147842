"""``GET /feeds/{token}.atom|.rss|.json``: a watch's output feed, for any feed reader.

The token is the only credential (256 random bits): an unknown token and a disabled watch get
the same 404, and logs carry only the token's prefix. The body is rebuilt on each request from
the watch's latest alerts; its hash is the ETag, so a reader polling with If-None-Match gets a
304 until something changes.
"""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Header, Request
from fastapi.responses import Response
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool

from mimir.alerts.feeds_query import (
    FEED_FORMATS,
    FEED_LIMIT,
    FeedFormat,
    load_watch_feed,
    render_watch_feed,
)
from mimir.alerts.outfeeds import CONTENT_TYPES
from mimir.api.access import PUBLIC
from mimir.api.conditional import etag_of, none_match
from mimir.api.deps import get_db
from mimir.api.problems import problem
from mimir.api.redact import token_prefix
from mimir.db.database import Database

log = structlog.get_logger("mimir.http")

CACHE_CONTROL = "max-age=60"
NOT_FOUND = "No feed at this address: the link may be mistyped, or the watch removed or disabled."
DESCRIPTIONS = {"atom": "Atom 1.0", "rss": "RSS 2.0", "json": "JSON Feed 1.1"}

router = APIRouter(tags=["feeds"], dependencies=[Depends(PUBLIC)])


async def serve_feed(
    request: Request, db: Database, token: str, fmt: FeedFormat, if_none_match: str | None
) -> Response:
    try:
        feed = await db.read(load_watch_feed, token, limit=FEED_LIMIT)
    except SQLAlchemyError as exc:
        # the driver's own line only: the statement's parameters would show the token
        reason = str(getattr(exc, "orig", None) or type(exc).__name__).splitlines()[0]
        log.error("feed_database_error", token_prefix=token_prefix(token), error=reason)
        return problem(503, "The database is unavailable; try again shortly.")
    if feed is None:
        log.debug("feed_not_found", token_prefix=token_prefix(token), format=fmt)
        return problem(404, NOT_FOUND)
    body = await run_in_threadpool(render_watch_feed, feed, fmt, str(request.url))
    etag = etag_of(body)
    headers = {"ETag": etag, "Cache-Control": CACHE_CONTROL}
    if none_match(if_none_match, etag):
        return Response(status_code=304, headers=headers)
    log.debug("feed_served", watch_id=feed.watch_id, format=fmt, items=len(feed.items))
    return Response(body, media_type=CONTENT_TYPES[fmt], headers=headers)


def _route(fmt: FeedFormat) -> None:
    async def feed(
        request: Request,
        token: str,
        db: Annotated[Database, Depends(get_db)],
        if_none_match: Annotated[str | None, Header()] = None,
    ) -> Response:
        return await serve_feed(request, db, token, fmt, if_none_match)

    path = f"/feeds/{{token}}.{fmt}"
    # HEAD too (feed validators, some readers), kept out of the OpenAPI document
    router.add_api_route(path, feed, methods=["HEAD"], include_in_schema=False)
    router.add_api_route(
        path,
        feed,
        methods=["GET"],
        name=f"feed_{fmt}",
        summary=f"A watch's output feed as {DESCRIPTIONS[fmt]}",
        response_class=Response,
        responses={
            200: {"content": {CONTENT_TYPES[fmt].split(";")[0]: {}}},
            304: {"description": "Not modified (If-None-Match)"},
            404: {"description": "No such feed", "content": {"application/problem+json": {}}},
        },
    )


for _fmt in FEED_FORMATS:
    _route(_fmt)
