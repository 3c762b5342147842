"""Watches (saved searches that alert) and notification channels.

Both have an owner (``owner_id``, a user; None for ones made from the shell or by an import)
and a name unique among their kind: a second one is a :class:`~mimir.errors.Conflict`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, delete, func, insert, select, update

from mimir.db.tables import channels, watch_channels, watches
from mimir.errors import Conflict, NotFound
from mimir.model.watches import WatchMode


@dataclass(frozen=True, slots=True)
class Channel:
    id: int
    name: str
    url: str
    kind: str  # apprise | webhook
    webhook_secret: str | None
    enabled: bool
    created_at: datetime
    owner_id: int | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Watch:
    id: int
    name: str
    query: str
    mode: WatchMode
    timezone: str
    enabled: bool
    feed_token: str
    note: str | None
    next_digest_at: datetime | None
    channel_ids: tuple[int, ...]
    created_at: datetime
    updated_at: datetime
    owner_id: int | None = None


def _channel(row: Any) -> Channel:
    return Channel(
        row.id,
        row.name,
        row.url,
        row.kind,
        row.webhook_secret,
        row.enabled,
        row.created_at,
        row.owner_id,
        row.updated_at,
    )


def _check_name(conn: Connection, table: Table, name: str, *, but: int | None = None) -> None:
    what = "channel" if table is channels else "watch"
    stmt = select(table.c.id).where(table.c.name == name)
    if but is not None:
        stmt = stmt.where(table.c.id != but)
    if conn.execute(stmt).first():
        raise Conflict(f"name: a {what} named {name!r} exists already")


def add_channel(
    conn: Connection,
    name: str,
    url: str,
    kind: str,
    now: datetime,
    *,
    webhook_secret: str | None = None,
    owner_id: int | None = None,
) -> int:
    _check_name(conn, channels, name)
    return int(
        conn.execute(
            insert(channels).returning(channels.c.id),
            {
                "name": name,
                "url": url,
                "kind": kind,
                "webhook_secret": webhook_secret,
                "owner_id": owner_id,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
    )


def list_channels(conn: Connection) -> list[Channel]:
    return [_channel(r) for r in conn.execute(select(channels).order_by(channels.c.id))]


def page_channels(
    conn: Connection, *, after_id: int = 0, limit: int = 50, owner_id: int | None = None
) -> list[Channel]:
    """Channels with an id above ``after_id``, in id order (one keyset page)."""
    stmt = select(channels).where(channels.c.id > after_id).order_by(channels.c.id).limit(limit)
    if owner_id is not None:
        stmt = stmt.where(channels.c.owner_id == owner_id)
    return [_channel(r) for r in conn.execute(stmt)]


def get_channel(conn: Connection, channel_id: int) -> Channel:
    """A channel by id only; NotFound otherwise."""
    row = conn.execute(select(channels).where(channels.c.id == channel_id)).first()
    if row is None:
        raise NotFound(f"no channel {channel_id}")
    return _channel(row)


def update_channel(
    conn: Connection, channel_id: int, values: Mapping[str, Any], now: datetime
) -> Channel:
    """Change a channel's ``name``, ``url``, ``kind``, ``webhook_secret`` or ``enabled`` (the
    caller has validated the URL)."""
    if "name" in values:
        _check_name(conn, channels, values["name"], but=channel_id)
    conn.execute(
        update(channels).where(channels.c.id == channel_id).values(**values, updated_at=now)
    )
    return get_channel(conn, channel_id)


def find_channel(conn: Connection, ref: str | int) -> Channel:
    """A channel by id or name; NotFound otherwise."""
    cond = channels.c.name == str(ref)
    if isinstance(ref, int) or str(ref).isdigit():
        cond = (channels.c.id == int(ref)) | cond
    row = conn.execute(select(channels).where(cond).order_by(channels.c.id)).first()
    if row is None:
        raise NotFound(f"no channel {ref!r}")
    return _channel(row)


def channels_by_id(conn: Connection, ids: Sequence[int]) -> dict[int, Channel]:
    if not ids:
        return {}
    rows = conn.execute(select(channels).where(channels.c.id.in_(list(ids))))
    return {r.id: _channel(r) for r in rows}


def remove_channel(conn: Connection, channel_id: int) -> None:
    conn.execute(delete(channels).where(channels.c.id == channel_id))


def _watch(row: Any, channel_ids: Sequence[int]) -> Watch:
    return Watch(
        id=row.id,
        name=row.name,
        query=row.query,
        mode=WatchMode(row.mode),
        timezone=row.timezone,
        enabled=row.enabled,
        feed_token=row.feed_token,
        note=row.note,
        next_digest_at=row.next_digest_at,
        channel_ids=tuple(channel_ids),
        created_at=row.created_at,
        updated_at=row.updated_at,
        owner_id=row.owner_id,
    )


def add_watch(
    conn: Connection,
    *,
    name: str,
    query: str,
    mode: WatchMode,
    timezone: str,
    feed_token: str,
    channel_ids: Sequence[int],
    now: datetime,
    enabled: bool = True,
    note: str | None = None,
    next_digest_at: datetime | None = None,
    owner_id: int | None = None,
) -> int:
    """Store a watch (the caller has parsed its query and checked its zone)."""
    _check_name(conn, watches, name)
    watch_id = int(
        conn.execute(
            insert(watches).returning(watches.c.id),
            {
                "name": name,
                "query": query,
                "mode": mode.value,
                "timezone": timezone,
                "enabled": enabled,
                "feed_token": feed_token,
                "note": note,
                "next_digest_at": next_digest_at,
                "owner_id": owner_id,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
    )
    set_channels(conn, watch_id, channel_ids)
    return watch_id


def set_channels(conn: Connection, watch_id: int, channel_ids: Sequence[int]) -> None:
    conn.execute(delete(watch_channels).where(watch_channels.c.watch_id == watch_id))
    ids = list(dict.fromkeys(channel_ids))
    if ids:
        conn.execute(insert(watch_channels), [{"watch_id": watch_id, "channel_id": c} for c in ids])


def _channel_ids(conn: Connection, watch_ids: Sequence[int] | None = None) -> dict[int, list[int]]:
    stmt = select(watch_channels.c.watch_id, watch_channels.c.channel_id).order_by(
        watch_channels.c.watch_id, watch_channels.c.channel_id
    )
    if watch_ids is not None:
        stmt = stmt.where(watch_channels.c.watch_id.in_(list(watch_ids)))
    out: dict[int, list[int]] = {}
    for wid, cid in conn.execute(stmt):
        out.setdefault(wid, []).append(cid)
    return out


def list_watches(conn: Connection, *, enabled_only: bool = False) -> list[Watch]:
    stmt = select(watches).order_by(watches.c.id)
    if enabled_only:
        stmt = stmt.where(watches.c.enabled.is_(True))
    rows = conn.execute(stmt).all()
    links = _channel_ids(conn)
    return [_watch(r, links.get(r.id, [])) for r in rows]


def find_watch(conn: Connection, ref: str | int) -> Watch:
    """A watch by id or name; NotFound otherwise."""
    cond = watches.c.name == str(ref)
    if isinstance(ref, int) or str(ref).isdigit():
        cond = (watches.c.id == int(ref)) | cond
    row = conn.execute(select(watches).where(cond).order_by(watches.c.id)).first()
    if row is None:
        raise NotFound(f"no watch {ref!r}")
    return _watch(row, _channel_ids(conn, [row.id]).get(row.id, []))


def page_watches(
    conn: Connection, *, after_id: int = 0, limit: int = 50, owner_id: int | None = None
) -> list[Watch]:
    """Watches with an id above ``after_id``, in id order (one keyset page)."""
    stmt = select(watches).where(watches.c.id > after_id).order_by(watches.c.id).limit(limit)
    if owner_id is not None:
        stmt = stmt.where(watches.c.owner_id == owner_id)
    rows = conn.execute(stmt).all()
    links = _channel_ids(conn, [r.id for r in rows])
    return [_watch(r, links.get(r.id, [])) for r in rows]


def get_watch(conn: Connection, watch_id: int) -> Watch:
    """A watch by id only; NotFound otherwise."""
    row = conn.execute(select(watches).where(watches.c.id == watch_id)).first()
    if row is None:
        raise NotFound(f"no watch {watch_id}")
    return _watch(row, _channel_ids(conn, [row.id]).get(row.id, []))


def update_watch(
    conn: Connection,
    watch_id: int,
    values: Mapping[str, Any],
    now: datetime,
    *,
    channel_ids: Sequence[int] | None = None,
) -> Watch:
    """Change a watch's columns (``name``, ``query``, ``mode`` ...; the caller has validated
    them) and, when given, its channels. ``updated_at`` moves, so workers reload their
    percolator."""
    if "name" in values:
        _check_name(conn, watches, values["name"], but=watch_id)
    conn.execute(update(watches).where(watches.c.id == watch_id).values(**values, updated_at=now))
    if channel_ids is not None:
        set_channels(conn, watch_id, channel_ids)
    return get_watch(conn, watch_id)


def watch_by_token(conn: Connection, token: str) -> Watch | None:
    row = conn.execute(select(watches).where(watches.c.feed_token == token)).first()
    return None if row is None else _watch(row, _channel_ids(conn, [row.id]).get(row.id, []))


def set_enabled(conn: Connection, watch_id: int, enabled: bool, now: datetime) -> None:
    conn.execute(
        update(watches).where(watches.c.id == watch_id).values(enabled=enabled, updated_at=now)
    )


def remove_watch(conn: Connection, watch_id: int) -> None:
    conn.execute(delete(watches).where(watches.c.id == watch_id))


def watches_version(conn: Connection) -> tuple[int, int, datetime | None]:
    """Changes whenever a watch is added, removed or changed: (count, max id, last update).

    Workers poll it to know when to rebuild their percolator.
    """
    row = conn.execute(
        select(func.count(), func.max(watches.c.id), func.max(watches.c.updated_at))
    ).one()
    return int(row[0]), int(row[1] or 0), row[2]


def due_digests(conn: Connection, now: datetime) -> list[Watch]:
    """Enabled digest watches whose next digest time has come."""
    rows = conn.execute(
        select(watches)
        .where(
            watches.c.enabled.is_(True),
            watches.c.mode != WatchMode.INSTANT.value,
            watches.c.next_digest_at.is_not(None),
            watches.c.next_digest_at <= now,
        )
        .order_by(watches.c.next_digest_at)
    ).all()
    links = _channel_ids(conn, [r.id for r in rows])
    return [_watch(r, links.get(r.id, [])) for r in rows]


def set_next_digest(conn: Connection, watch_id: int, at: datetime) -> None:
    conn.execute(update(watches).where(watches.c.id == watch_id).values(next_digest_at=at))
