"""The web UI's watches and channels: lists, forms, the 7-day test, alert history, send-test.

Pages read through the storage functions the REST API uses; every change (create, edit,
delete, test, send-test) is a call to ``/api/v1/watches`` or ``/api/v1/channels`` from the
page (``static/js/mimir.js`` and ``static/js/watches.js``), so the API's ownership rules apply:
everyone reads every watch and channel, a viewer changes only their own, editors any.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection, func, select

from mimir.alerts import manage
from mimir.api.access import Principal
from mimir.api.deps import database_of
from mimir.api.web.pages import ViewerPage, render
from mimir.db.tables import alerts, users, watches
from mimir.errors import Forbidden, NotFound
from mimir.model.watches import WatchMode
from mimir.search.parser import MAX_QUERY_CHARS
from mimir.storage import alerts as alert_store
from mimir.storage import watches as store

router = APIRouter(include_in_schema=False)

PAGE = 50
ALERTS_PAGE = 25
MAX_ID = 2**62
#: how many channels a watch form offers (channels are few; more are reachable by API)
FORM_CHANNELS = 200
MODES = (
    (WatchMode.INSTANT.value, "Instant", "a message for every new story that matches"),
    (WatchMode.HOURLY.value, "Hourly digest", "one message an hour with what matched"),
    (WatchMode.DAILY.value, "Daily digest", "one message a day, in the morning of its zone"),
)
MODE_LABELS = {value: label for value, label, _ in MODES}


@dataclass(frozen=True, slots=True)
class ChannelView:
    id: int
    name: str
    kind: str
    service: str
    url: str  # redacted
    enabled: bool
    owner_id: int | None
    created_at: datetime
    mine: bool  # the caller may change it


def _channel_view(c: store.Channel, me: Principal) -> ChannelView:
    display, service = manage.channel_display(c.url)
    return ChannelView(
        c.id,
        c.name,
        c.kind,
        service,
        display,
        c.enabled,
        c.owner_id,
        c.created_at,
        me.owns(c.owner_id),
    )


def _names(conn: Connection, user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    rows = conn.execute(
        select(users.c.id, users.c.name, users.c.email).where(users.c.id.in_(sorted(user_ids)))
    )
    return {r.id: r.name or r.email for r in rows}


def _last_alerts(conn: Connection, watch_ids: list[int]) -> dict[int, datetime]:
    """The newest alert of each watch: one correlated ``max`` per watch, which the index
    ``ix_alerts_watch_created`` answers from its last entry (no scan of a busy watch's
    alerts)."""
    if not watch_ids:
        return {}
    newest = (
        select(func.max(alerts.c.created_at))
        .where(alerts.c.watch_id == watches.c.id)
        .scalar_subquery()
    )
    rows = conn.execute(select(watches.c.id, newest).where(watches.c.id.in_(watch_ids)))
    return {r[0]: r[1] for r in rows if r[1] is not None}


def _after(value: int | None) -> int:
    return value if value and 0 < value <= MAX_ID else 0


# ---- watches ------------------------------------------------------------------------------------


@router.get("/watches")
async def watch_list(
    request: Request,
    me: ViewerPage,
    after: int | None = Query(default=None, ge=0, le=MAX_ID),
    mine: bool = False,
) -> Response:
    db = database_of(request)
    owner = me.user.id if mine else None

    def load(conn: Connection) -> dict[str, Any]:
        found = store.page_watches(conn, after_id=_after(after), limit=PAGE + 1, owner_id=owner)
        more = len(found) > PAGE
        found = found[:PAGE]
        channel_ids = {c for w in found for c in w.channel_ids}
        channels = store.channels_by_id(conn, sorted(channel_ids))
        owners = {w.owner_id for w in found if w.owner_id is not None}
        return {
            "watches": found,
            "more": more,
            "channels": {i: c.name for i, c in channels.items()},
            "owners": _names(conn, owners),
            "last_alerts": _last_alerts(conn, [w.id for w in found]),
        }

    data = await db.read(load)
    next_after = data["watches"][-1].id if data["more"] else None
    return render(
        request,
        "watches.html",
        title="Watches",
        mine=mine,
        after=_after(after),
        next_after=next_after,
        mode_labels=MODE_LABELS,
        **data,
    )


async def _form_channels(request: Request, me: Principal, attached: tuple[int, ...]) -> list[Any]:
    """Channels the caller may attach, and those already attached (they stay either way)."""
    db = database_of(request)

    def load(conn: Connection) -> list[ChannelView]:
        found = store.page_channels(conn, limit=FORM_CHANNELS)
        extra = set(attached) - {c.id for c in found}
        found += store.channels_by_id(conn, sorted(extra)).values()
        return [_channel_view(c, me) for c in found if me.owns(c.owner_id) or c.id in set(attached)]

    return await db.read(load)


@router.get("/watches/new")
async def watch_new(
    request: Request,
    me: ViewerPage,
    query: str = Query(default="", max_length=MAX_QUERY_CHARS),
    name: str = Query(default="", max_length=manage.NAME_MAX),
) -> Response:
    return render(
        request,
        "watch_form.html",
        title="New watch",
        watch=None,
        initial_query=query,
        initial_name=name,
        channels=await _form_channels(request, me, ()),
        modes=MODES,
    )


# ---- channels (under /watches so the navigation shows where one is) ----------------------------


@router.get("/watches/channels")
async def channel_list(
    request: Request, me: ViewerPage, after: int | None = Query(default=None, ge=0, le=MAX_ID)
) -> Response:
    db = database_of(request)

    def load(conn: Connection) -> dict[str, Any]:
        found = store.page_channels(conn, after_id=_after(after), limit=PAGE + 1)
        more = len(found) > PAGE
        found = found[:PAGE]
        owners = {c.owner_id for c in found if c.owner_id is not None}
        return {
            "channels": [_channel_view(c, me) for c in found],
            "more": more,
            "owners": _names(conn, owners),
        }

    data = await db.read(load)
    next_after = data["channels"][-1].id if data["more"] else None
    return render(
        request,
        "channels.html",
        title="Channels",
        next_after=next_after,
        after=_after(after),
        **data,
    )


@router.get("/watches/channels/{channel_id:int}/edit")
async def channel_edit(request: Request, channel_id: int, me: ViewerPage) -> Response:
    db = database_of(request)

    def load(conn: Connection) -> ChannelView:
        return _channel_view(store.get_channel(conn, _id(channel_id)), me)

    channel = await db.read(load)
    if not channel.mine:
        raise Forbidden(
            f"channel {channel_id} belongs to someone else: only its owner or an editor may "
            "change it"
        )
    return render(request, "channel_form.html", title=f"Edit {channel.name}", channel=channel)


# ---- one watch ----------------------------------------------------------------------------------


def _id(value: int) -> int:
    if not 0 < value <= MAX_ID:
        raise NotFound(f"no such id {value}")
    return value


@router.get("/watches/{watch_id:int}")
async def watch_page(
    request: Request,
    watch_id: int,
    me: ViewerPage,
    before: int | None = Query(default=None, ge=1, le=MAX_ID),
) -> Response:
    db = database_of(request)

    def load(conn: Connection) -> dict[str, Any]:
        watch = store.get_watch(conn, _id(watch_id))
        found = alert_store.list_alerts(
            conn, watch_id=watch.id, limit=ALERTS_PAGE + 1, before_id=before
        )
        more = len(found) > ALERTS_PAGE
        found = found[:ALERTS_PAGE]
        cards = alert_store.article_cards(conn, [a.article_id for a in found])
        channels = store.channels_by_id(conn, list(watch.channel_ids))
        owners = {watch.owner_id} if watch.owner_id is not None else set()
        return {
            "watch": watch,
            "alerts": [(a, cards.get(a.article_id)) for a in found],
            "more_alerts": more,
            "channels": [channels[i] for i in watch.channel_ids if i in channels],
            "owners": _names(conn, owners),
        }

    data = await db.read(load)
    watch: store.Watch = data["watch"]
    alerts_shown = data["alerts"]
    next_before = alerts_shown[-1][0].id if data["more_alerts"] else None
    return render(
        request,
        "watch.html",
        title=watch.name,
        mine=me.owns(watch.owner_id),
        mode_labels=MODE_LABELS,
        before=before,
        next_before=next_before,
        feed_base=str(request.base_url).rstrip("/") + "/feeds/",
        **data,
    )


@router.get("/watches/{watch_id:int}/edit")
async def watch_edit(request: Request, watch_id: int, me: ViewerPage) -> Response:
    db = database_of(request)
    watch = await db.read(store.get_watch, _id(watch_id))
    if not me.owns(watch.owner_id):
        raise Forbidden(
            f"watch {watch_id} belongs to someone else: only its owner or an editor may change it"
        )
    return render(
        request,
        "watch_form.html",
        title=f"Edit {watch.name}",
        watch=watch,
        initial_query=watch.query,
        initial_name=watch.name,
        channels=await _form_channels(request, me, watch.channel_ids),
        modes=MODES,
    )
