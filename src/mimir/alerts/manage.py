"""Creating watches and channels (validated), importing the legacy rules, test sends, the
7-day test of a query. The CLI, and later the API and the UI, call these."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection

from mimir.alerts.channels import PLACEHOLDER, ChannelKind, parse_channel
from mimir.alerts.outfeeds import mint_feed_token
from mimir.alerts.sender import first_digest_at
from mimir.alerts.signing import mint_webhook_secret
from mimir.errors import InputError, NotFound
from mimir.model.watches import WatchImport, WatchSpec
from mimir.search.parser import parse
from mimir.storage import watches as watch_store


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"unknown time zone {name!r} (an IANA name such as Europe/Berlin)"
        ) from exc
    return name


@dataclass(frozen=True, slots=True)
class NewChannel:
    id: int
    name: str
    display: str  # redacted: safe to print
    kind: str
    webhook_secret: str | None  # shown once, at creation


def add_channel(conn: Connection, name: str, url: str, now: datetime) -> NewChannel:
    """Validate an Apprise URL (``${NAME}`` placeholders allowed, checked at send time) and
    store it; a signed webhook gets a new secret, returned here once."""
    name = " ".join(name.split())
    if not name:
        raise InputError("a channel needs a name")
    dummy = {n: "placeholder" for n in PLACEHOLDER.findall(url)}
    channel = parse_channel(url, placeholders=dummy)
    secret = mint_webhook_secret() if channel.kind is ChannelKind.WEBHOOK else None
    channel_id = watch_store.add_channel(
        conn, name, url.strip(), channel.kind.value, now, webhook_secret=secret
    )
    return NewChannel(channel_id, name, channel.display, channel.kind.value, secret)


def add_watch(conn: Connection, spec: WatchSpec, now: datetime, *, daily_hour: int = 7) -> int:
    """Validate (query, zone, channels by id or name) and store a watch."""
    name = " ".join(spec.name.split())
    if not name:
        raise InputError("a watch needs a name")
    parse(spec.query)  # QuerySyntaxError points at the position
    check_timezone(spec.timezone)
    channel_ids = [watch_store.find_channel(conn, ref).id for ref in spec.channels]
    return watch_store.add_watch(
        conn,
        name=name,
        query=spec.query.strip(),
        mode=spec.mode,
        timezone=spec.timezone,
        feed_token=mint_feed_token(),
        channel_ids=channel_ids,
        now=now,
        enabled=spec.enabled,
        note=spec.note,
        next_digest_at=first_digest_at(spec.mode, spec.timezone, now, daily_hour),
    )


@dataclass(slots=True)
class ImportedWatches:
    channels: list[str] = field(default_factory=list)
    watches: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def import_watches(
    conn: Connection, found: WatchImport, now: datetime, *, daily_hour: int = 7
) -> ImportedWatches:
    """Create the channels and watches of a legacy import; ones already present are kept."""
    out = ImportedWatches(notes=list(found.notes))
    for ch in found.channels:
        try:
            watch_store.find_channel(conn, ch.name)
            out.existing.append(f"channel {ch.name}")
        except NotFound:
            add_channel(conn, ch.name, ch.url, now)
            out.channels.append(ch.name)
    for spec in found.watches:
        try:
            watch_store.find_watch(conn, spec.name)
            out.existing.append(f"watch {spec.name}")
            continue
        except NotFound:
            pass
        add_watch(conn, spec, now, daily_hour=daily_hour)
        out.watches.append(spec.name)
    return out


def last_week(conn: Connection, query: str, now: datetime, limit: int = 50) -> Any:
    """What a query would have matched in the last 7 days (newest first)."""
    from mimir.storage import search as search_store

    parse(query)
    return search_store.search(conn, f"({query}) within:7d", now=now, limit=limit)
