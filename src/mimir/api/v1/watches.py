"""Watches (saved searches that alert), channels (where alerts go) and the alert history.

Anyone signed in reads them all; a viewer creates watches and channels of their own and may
change, test-send or delete only those; editors and admins may do anything to any. A watch
may only be given channels its owner may change (editors: any channel).

Channel URLs hold secrets, so the API never shows one as written: ``url`` is the redacted
form (scheme and host, credentials and key-like path segments masked), to everyone, owner
included. A webhook's signing secret is in the answer that creates it (or that turns a
channel into a webhook) and never again. A watch's ``feed_token`` (the credential of its
output feeds) is shown only to those who may change the watch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from mimir.alerts import manage
from mimir.api.access import Principal, Viewer
from mimir.api.deps import get_db
from mimir.api.v1.common import (
    ERRORS,
    Cursor,
    Limit,
    Page,
    UtcDateTime,
    decode_cursor,
    json_response,
    page,
)
from mimir.config import Settings
from mimir.db.database import Database
from mimir.errors import Conflict, Forbidden, InputError
from mimir.model.watches import WatchMode, WatchSpec
from mimir.search.parser import MAX_QUERY_CHARS
from mimir.search.snippets import Highlighted
from mimir.storage import alerts as alert_store
from mimir.storage import watches as store
from mimir.storage.alerts import AlertRow

T = TypeVar("T")

router = APIRouter(tags=["watches"], responses=ERRORS)
Db = Annotated[Database, Depends(get_db)]
WatchId = Annotated[int, Path(ge=1, le=2**62)]
ChannelId = Annotated[int, Path(ge=1, le=2**62)]
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"content": {"application/problem+json": {}}, "description": "The name is taken"}
}
MAX_ID = 2**62
TEST_WINDOW = timedelta(days=7)
NAME = Field(min_length=1, max_length=manage.NAME_MAX)
QUERY = Field(min_length=1, max_length=MAX_QUERY_CHARS, description="In the query language.")
NOTE = Field(default=None, max_length=2000)
CHANNEL_URL = Field(min_length=1, max_length=4000, description="An Apprise URL (docs/alerts.md).")
ChannelRef = Annotated[int, Field(ge=1, le=MAX_ID)]


def _after(cursor: str | None, default: int) -> int:
    """The id in a cursor of an id-ordered list (``default`` without one)."""
    if not cursor:
        return default
    value = decode_cursor(cursor, [int])[0]
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise InputError("cursor: not a cursor of this list (start again without one)")
    return value


async def _write(db: Db, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """``db.write`` where a name taken by a concurrent writer is a 409, not a 500."""
    try:
        return await db.write(fn, *args, **kwargs)
    except IntegrityError:
        raise Conflict("name: taken (by a concurrent change); choose another") from None


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# ---- models -------------------------------------------------------------------------------------


class WatchCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "NextGen TV",
                    "query": '"ATSC 3.0" OR "NextGen TV"',
                    "mode": "daily",
                    "timezone": "Europe/Berlin",
                    "channel_ids": [],
                    "note": "for the broadcast desk",
                }
            ]
        },
    )

    name: str = NAME
    query: str = QUERY
    mode: WatchMode = WatchMode.INSTANT
    timezone: str | None = Field(
        default=None, max_length=64, description="Default: the owner's time zone."
    )
    channel_ids: list[ChannelRef] = Field(default=[], max_length=50, description="Channel ids.")
    enabled: bool = True
    note: str | None = NOTE


class WatchUpdate(BaseModel):
    """What to change (omitted or null: keep; ``note: ""`` clears the note)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"query": '"ATSC 3.0" -sports', "enabled": False}]},
    )

    name: str | None = Field(default=None, min_length=1, max_length=manage.NAME_MAX)
    query: str | None = Field(default=None, min_length=1, max_length=MAX_QUERY_CHARS)
    mode: WatchMode | None = None
    timezone: str | None = Field(default=None, max_length=64)
    channel_ids: list[ChannelRef] | None = Field(default=None, max_length=50)
    enabled: bool | None = None
    note: str | None = Field(default=None, max_length=2000)


class WatchOut(BaseModel):
    id: int
    name: str
    query: str
    mode: WatchMode
    timezone: str
    enabled: bool
    note: str | None
    channel_ids: list[int]
    owner_id: int | None = Field(description="The user who owns it; null: made from the shell.")
    feed_token: str | None = Field(
        description="Its output feeds are /feeds/{feed_token}.atom|.rss|.json; shown only to "
        "those who may change the watch."
    )
    next_digest_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, w: store.Watch, me: Principal) -> WatchOut:
        return cls(
            id=w.id,
            name=w.name,
            query=w.query,
            mode=w.mode,
            timezone=w.timezone,
            enabled=w.enabled,
            note=w.note,
            channel_ids=list(w.channel_ids),
            owner_id=w.owner_id,
            feed_token=w.feed_token if me.owns(w.owner_id) else None,
            next_digest_at=w.next_digest_at,
            created_at=w.created_at,
            updated_at=w.updated_at,
        )


class QueryTest(BaseModel):
    """A query to try on the last 7 days, without saving a watch."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"query": '"NextGen TV" OR "ATSC 3.0"', "limit": 20}]},
    )

    query: str = QUERY
    limit: int = Field(default=20, ge=1, le=100)


class Marked(BaseModel):
    """A text and the ``[start, end)`` character ranges of the words that matched."""

    text: str
    highlights: list[tuple[int, int]]

    @classmethod
    def of(cls, h: Highlighted) -> Marked:
        return cls(text=h.text, highlights=list(h.highlights))


class Match(BaseModel):
    id: int
    title: str | None
    url: str
    source_id: int | None
    source_name: str | None
    language: str | None
    date: datetime = Field(description="Published (never later than discovered).")
    title_highlight: Marked
    snippet: Marked


class TestOut(BaseModel):
    """What the query would have matched in the last 7 days, newest first."""

    query: str
    since: datetime
    matches: list[Match]
    more: bool = Field(description="More matched than `limit`.")


class ChannelCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"name": "Desk webhook", "url": "json://hooks.example.org/mimir"}]
        },
    )

    name: str = NAME
    url: str = CHANNEL_URL


class ChannelUpdate(BaseModel):
    """What to change (omitted or null: keep)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"enabled": False}]})

    name: str | None = Field(default=None, min_length=1, max_length=manage.NAME_MAX)
    url: str | None = Field(default=None, min_length=1, max_length=4000)
    enabled: bool | None = None


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: str = Field(description="webhook (json://, signed by Mimir) or apprise")
    service: str = Field(description="The service, e.g. E-Mail, Slack, Signed webhook.")
    url: str = Field(description="The URL with its credentials and keys masked.")
    enabled: bool
    owner_id: int | None
    created_at: datetime
    updated_at: datetime | None

    @classmethod
    def of(cls, c: store.Channel) -> ChannelOut:
        display, service = manage.channel_display(c.url)
        return cls(
            id=c.id,
            name=c.name,
            kind=c.kind,
            service=service,
            url=display,
            enabled=c.enabled,
            owner_id=c.owner_id,
            created_at=c.created_at,
            updated_at=c.updated_at,
        )


class ChannelCreated(ChannelOut):
    webhook_secret: str | None = Field(
        description="A signed webhook's HMAC secret: in this answer only, never again."
    )


class SendResult(BaseModel):
    """How the test message went (a failed delivery is reported here, with a 200)."""

    ok: bool
    channel: str = Field(description="The channel's redacted URL.")
    duration_seconds: float
    error_class: str | None
    error_message: str | None
    status_code: int | None


class AlertArticle(BaseModel):
    title: str | None
    url: str
    source: str | None
    published_at: datetime | None
    discovered_at: datetime


class AlertOut(BaseModel):
    """One alert: a watch matched a story (once per watch and story)."""

    id: int
    watch_id: int
    story_id: int
    article_id: int
    matched_terms: list[str]
    created_at: datetime
    digested_at: datetime | None = Field(description="When a digest carried it (digest modes).")
    article: AlertArticle | None


# ---- watches ------------------------------------------------------------------------------------


@router.get("/watches", summary="List watches", response_model=Page[WatchOut])
async def list_watches(
    request: Request,
    me: Viewer,
    db: Db,
    limit: Limit = 50,
    cursor: Cursor = None,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this user's.")] = None,
) -> Response:
    found = await db.read(
        store.page_watches, after_id=_after(cursor, 0), limit=limit + 1, owner_id=owner_id
    )
    return json_response(request, page([WatchOut.of(w, me) for w in found], limit, _id_key))


def _id_key(item: WatchOut | ChannelOut | AlertOut) -> list[int]:
    return [item.id]


@router.post(
    "/watches",
    summary="Create a watch (yours; its time zone defaults to yours)",
    response_model=WatchOut,
    status_code=201,
    responses=CONFLICT,
)
async def create_watch(request: Request, body: WatchCreate, me: Viewer, db: Db) -> Response:
    spec = WatchSpec(
        name=body.name,
        query=body.query,
        mode=body.mode,
        timezone=body.timezone or me.user.timezone,
        enabled=body.enabled,
        note=(body.note or "").strip() or None,
    )

    def create(conn: Connection) -> store.Watch:
        watch_id = manage.add_watch(
            conn,
            spec,
            datetime.now(UTC),
            daily_hour=_settings(request).digest_daily_hour,
            owner_id=me.user.id,
            channel_ids=body.channel_ids,
            may_use=me.owns,
        )
        return store.get_watch(conn, watch_id)

    watch = await _write(db, create)
    return json_response(
        request,
        WatchOut.of(watch, me),
        status_code=201,
        headers={"Location": f"{request.url.path}/{watch.id}"},
    )


@router.post(
    "/watches/test",
    summary="Try a query on the last 7 days without saving a watch",
    response_model=TestOut,
)
async def test_query(request: Request, body: QueryTest, me: Viewer, db: Db) -> Response:
    return json_response(request, await _last_week(db, body.query, body.limit))


async def _last_week(db: Database, query: str, limit: int) -> TestOut:
    now = datetime.now(UTC)
    found = await db.read(manage.last_week, query, now, limit)
    return TestOut(
        query=query,
        since=now - TEST_WINDOW,
        matches=[
            Match(
                id=h.id,
                title=h.title,
                url=h.url,
                source_id=h.source_id,
                source_name=h.source_name,
                language=h.language,
                date=h.date,
                title_highlight=Marked.of(h.title_highlight),
                snippet=Marked.of(h.snippet),
            )
            for h in found.hits
        ],
        more=found.next_cursor is not None,
    )


@router.get("/watches/{watch_id}", summary="Get a watch", response_model=WatchOut)
async def get_watch(request: Request, watch_id: WatchId, me: Viewer, db: Db) -> Response:
    return json_response(request, WatchOut.of(await db.read(store.get_watch, watch_id), me))


@router.patch(
    "/watches/{watch_id}",
    summary="Change a watch (yours, or any as an editor)",
    response_model=WatchOut,
    responses=CONFLICT,
)
async def update_watch(
    request: Request, watch_id: WatchId, body: WatchUpdate, me: Viewer, db: Db
) -> Response:
    changes = manage.WatchChanges(
        name=body.name,
        query=body.query,
        mode=body.mode,
        timezone=body.timezone,
        enabled=body.enabled,
        note=body.note,
        channel_ids=body.channel_ids,
    )
    watch = await _write(
        db,
        manage.update_watch,
        watch_id,
        changes,
        datetime.now(UTC),
        daily_hour=_settings(request).digest_daily_hour,
        may_change=me.owns,
    )
    return json_response(request, WatchOut.of(watch, me))


@router.delete(
    "/watches/{watch_id}",
    summary="Delete a watch and its alerts (yours, or any as an editor)",
    status_code=204,
    response_class=Response,
)
async def delete_watch(watch_id: WatchId, me: Viewer, db: Db) -> Response:
    await db.write(manage.remove_watch, watch_id, may_change=me.owns)
    return Response(status_code=204)


@router.post(
    "/watches/{watch_id}/test",
    summary="What the watch's query would have matched in the last 7 days",
    response_model=TestOut,
)
async def test_watch(
    request: Request,
    watch_id: WatchId,
    me: Viewer,
    db: Db,
    limit: Annotated[int, Query(ge=1, le=100, description="At most this many matches.")] = 20,
) -> Response:
    watch = await db.read(store.get_watch, watch_id)
    return json_response(request, await _last_week(db, watch.query, limit))


@router.get(
    "/watches/{watch_id}/alerts",
    summary="A watch's alerts, newest first",
    response_model=Page[AlertOut],
)
async def watch_alerts(
    request: Request,
    watch_id: WatchId,
    me: Viewer,
    db: Db,
    limit: Limit = 50,
    cursor: Cursor = None,
    since: Annotated[UtcDateTime | None, Query(description="Only alerts made since.")] = None,
) -> Response:
    await db.read(store.get_watch, watch_id)
    return json_response(request, await _alerts(db, watch_id, since, limit, cursor))


# ---- alerts -------------------------------------------------------------------------------------


@router.get("/alerts", summary="Alerts of every watch, newest first", response_model=Page[AlertOut])
async def list_alerts(
    request: Request,
    me: Viewer,
    db: Db,
    limit: Limit = 50,
    cursor: Cursor = None,
    watch_id: Annotated[
        int | None, Query(ge=1, le=MAX_ID, description="Only this watch's.")
    ] = None,
    since: Annotated[UtcDateTime | None, Query(description="Only alerts made since.")] = None,
) -> Response:
    return json_response(request, await _alerts(db, watch_id, since, limit, cursor))


async def _alerts(
    db: Database, watch_id: int | None, since: datetime | None, limit: int, cursor: str | None
) -> dict[str, Any]:
    before = _after(cursor, 0) or None

    def load(conn: Connection) -> list[AlertOut]:
        found = alert_store.list_alerts(
            conn, watch_id=watch_id, limit=limit + 1, before_id=before, since=since
        )
        cards = alert_store.article_cards(conn, [a.article_id for a in found])
        return [_alert_out(a, cards.get(a.article_id)) for a in found]

    return page(await db.read(load), limit, _id_key)


def _alert_out(a: AlertRow, card: dict[str, Any] | None) -> AlertOut:
    article = None
    if card is not None:
        article = AlertArticle(
            title=card["title"],
            url=card["canonical_url"],
            source=card["source"],
            published_at=card["published_at"],
            discovered_at=card["discovered_at"],
        )
    return AlertOut(
        id=a.id,
        watch_id=a.watch_id,
        story_id=a.story_id,
        article_id=a.article_id,
        matched_terms=list(a.matched_terms),
        created_at=a.created_at,
        digested_at=a.digested_at,
        article=article,
    )


# ---- channels -----------------------------------------------------------------------------------


@router.get("/channels", summary="List channels (URLs masked)", response_model=Page[ChannelOut])
async def list_channels(
    request: Request,
    me: Viewer,
    db: Db,
    limit: Limit = 50,
    cursor: Cursor = None,
    owner_id: Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this user's.")] = None,
) -> Response:
    def load(conn: Connection) -> list[ChannelOut]:  # masking parses each URL: in the thread
        found = store.page_channels(
            conn, after_id=_after(cursor, 0), limit=limit + 1, owner_id=owner_id
        )
        return [ChannelOut.of(c) for c in found]

    return json_response(request, page(await db.read(load), limit, _id_key))


@router.post(
    "/channels",
    summary="Create a channel (yours); a webhook's signing secret is in this answer only",
    response_model=ChannelCreated,
    status_code=201,
    responses=CONFLICT,
)
async def create_channel(request: Request, body: ChannelCreate, me: Viewer, db: Db) -> Response:
    def create(conn: Connection) -> ChannelCreated:
        made = manage.add_channel(conn, body.name, body.url, datetime.now(UTC), owner_id=me.user.id)
        out = ChannelOut.of(store.get_channel(conn, made.id))
        return ChannelCreated(**out.model_dump(), webhook_secret=made.webhook_secret)

    out = await _write(db, create)
    return json_response(
        request,
        out,
        status_code=201,
        headers={"Location": f"{request.url.path}/{out.id}"},
        cache_control="no-store",
    )


@router.get(
    "/channels/{channel_id}", summary="Get a channel (URL masked)", response_model=ChannelOut
)
async def get_channel(request: Request, channel_id: ChannelId, me: Viewer, db: Db) -> Response:
    def load(conn: Connection) -> ChannelOut:
        return ChannelOut.of(store.get_channel(conn, channel_id))

    return json_response(request, await db.read(load))


@router.patch(
    "/channels/{channel_id}",
    summary="Change a channel (yours, or any as an editor)",
    response_model=ChannelCreated,
    responses=CONFLICT,
)
async def update_channel(
    request: Request, channel_id: ChannelId, body: ChannelUpdate, me: Viewer, db: Db
) -> Response:
    changes = manage.ChannelChanges(name=body.name, url=body.url, enabled=body.enabled)

    def change(conn: Connection) -> ChannelCreated:
        channel, secret = manage.update_channel(
            conn, channel_id, changes, datetime.now(UTC), may_change=me.owns
        )
        return ChannelCreated(**ChannelOut.of(channel).model_dump(), webhook_secret=secret)

    return json_response(request, await _write(db, change), cache_control="no-store")


@router.delete(
    "/channels/{channel_id}",
    summary="Delete a channel (watches stay, without it)",
    status_code=204,
    response_class=Response,
)
async def delete_channel(channel_id: ChannelId, me: Viewer, db: Db) -> Response:
    await db.write(manage.remove_channel, channel_id, may_change=me.owns)
    return Response(status_code=204)


@router.post(
    "/channels/{channel_id}/test",
    summary="Send a test message now (yours, or any as an editor)",
    response_model=SendResult,
)
async def test_channel(request: Request, channel_id: ChannelId, me: Viewer, db: Db) -> Response:
    channel = await db.read(store.get_channel, channel_id)
    if not me.owns(channel.owner_id):
        raise Forbidden(
            f"channel {channel_id} belongs to someone else: only its owner or an editor may"
        )
    bound = manage.TEST_SEND_SECONDS
    started = asyncio.get_running_loop().time()
    try:
        async with asyncio.timeout(bound + 10):
            result = await manage.send_test_message(
                channel, _settings(request), timeout_seconds=bound
            )
    except TimeoutError:
        out = SendResult(
            ok=False,
            channel=manage.channel_display(channel.url)[0],
            duration_seconds=asyncio.get_running_loop().time() - started,
            error_class="timeout",
            error_message=f"no answer within {bound:g} s",
            status_code=None,
        )
        return json_response(request, out)
    return json_response(
        request,
        SendResult(
            ok=result.ok,
            channel=result.channel,
            duration_seconds=round(result.duration_seconds, 3),
            error_class=result.error_class,
            error_message=result.error_message,
            status_code=result.status_code,
        ),
    )
