"""Watches (saved searches that alert) and notification channels."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, delete, func, insert, select, update

from mimir.db.tables import channels, watch_channels, watches
from mimir.errors import InputError, NotFound
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


def _channel(row: Any) -> Channel:
    return Channel(
        row.id, row.name, row.url, row.kind, row.webhook_secret, row.enabled, row.created_at
    )


def add_channel(
    conn: Connection,
    name: str,
    url: str,
    kind: str,
    now: datetime,
    *,
    webhook_secret: str | None = None,
) -> int:
    if conn.execute(select(channels.c.id).where(channels.c.name == name)).first():
        raise InputError(f"a channel named {name!r} exists already")
    return int(
        conn.execute(
            insert(channels).returning(channels.c.id),
            {
                "name": name,
                "url": url,
                "kind": kind,
                "webhook_secret": webhook_secret,
                "created_at": now,
                "updated_at": now,
            },
        ).scalar_one()
    )


def list_channels(conn: Connection) -> list[Channel]:
    return [_channel(r) for r in conn.execute(select(channels).order_by(channels.c.id))]


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
) -> int:
    """Store a watch (the caller has parsed its query and checked its zone)."""
    if conn.execute(select(watches.c.id).where(watches.c.name == name)).first():
        raise InputError(f"a watch named {name!r} exists already")
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
