"""Creating, changing and removing watches and channels (validated), importing the legacy
rules, test sends, the 7-day test of a query. The CLI and the API call these.

Errors name the field at fault (``query: ... (at position 7)``, ``timezone: ...``). A caller
acting for a user passes ``may_change(owner_id) -> bool``: a watch or channel it may not
change, or a channel it may not attach to a watch, is :class:`~mimir.errors.Forbidden`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import Connection

from mimir.alerts.channels import PLACEHOLDER, ChannelKind, InvalidChannel, parse_channel
from mimir.alerts.outfeeds import mint_feed_token
from mimir.alerts.sender import first_digest_at
from mimir.alerts.signing import mint_webhook_secret
from mimir.config import Settings
from mimir.errors import Forbidden, InputError, NotFound, QuerySyntaxError
from mimir.model.alerts import DeliveryResult
from mimir.model.watches import WatchImport, WatchMode, WatchSpec
from mimir.search.parser import parse
from mimir.storage import watches as watch_store

#: who may change an object with this owner id (None: anyone, the shell)
MayChange = Callable[[int | None], bool]
NAME_MAX = 200  # the column's width
#: the most a test message sent for the API may take (the CLI waits the full notify timeout)
TEST_SEND_SECONDS = 10.0


class InvalidQuery(InputError):
    """A watch's query does not parse; the message names the field and the position."""

    code = QuerySyntaxError.code


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise InputError(
            f"timezone: unknown time zone {name!r} (an IANA name such as Europe/Berlin)"
        ) from exc
    return name


def no_nul(field: str, value: str) -> str:
    """``value``, unless it holds a NUL character (PostgreSQL text cannot store one)."""
    if "\x00" in value:
        raise InputError(f"{field}: must not contain NUL characters")
    return value


def check_query(query: str) -> str:
    """The query, stripped, once it parses (InvalidQuery points at the position)."""
    no_nul("query", query)
    try:
        parse(query)
    except QuerySyntaxError as exc:
        raise InvalidQuery(f"query: {exc.message}") from None
    return query.strip()


def check_name(name: str, what: str) -> str:
    name = " ".join(no_nul("name", name).split())
    if not name:
        raise InputError(f"name: a {what} needs a name")
    if len(name) > NAME_MAX:
        raise InputError(f"name: at most {NAME_MAX} characters")
    return name


def _allowed(may_change: MayChange | None, owner_id: int | None, what: str) -> None:
    if may_change is not None and not may_change(owner_id):
        raise Forbidden(f"{what} belongs to someone else: only its owner or an editor may")


@dataclass(frozen=True, slots=True)
class NewChannel:
    id: int
    name: str
    display: str  # redacted: safe to print
    kind: str
    webhook_secret: str | None  # shown once, at creation


def check_channel_url(url: str) -> tuple[str, ChannelKind]:
    """The URL's redacted display form and kind, once it validates (``${NAME}``
    placeholders are allowed: they are filled in at send time)."""
    dummy = {n: "placeholder" for n in PLACEHOLDER.findall(no_nul("url", url))}
    try:
        channel = parse_channel(url, placeholders=dummy)
    except InvalidChannel as exc:
        raise InvalidChannel(f"url: {exc.message}") from None
    except ValueError:  # yarl, on a webhook's port out of range (parse_channel lets it out)
        raise InvalidChannel("url: this URL could not be parsed (a port out of range?)") from None
    return channel.display, channel.kind


def channel_display(url: str) -> tuple[str, str]:
    """A stored URL as (redacted display, service name); ``("(invalid)", "")`` for one that
    no longer validates (an Apprise upgrade, say)."""
    try:
        dummy = {n: "placeholder" for n in PLACEHOLDER.findall(url)}
        channel = parse_channel(url, placeholders=dummy)
    except (InputError, ValueError):
        return "(invalid)", ""
    return channel.display, channel.service


def add_channel(
    conn: Connection, name: str, url: str, now: datetime, *, owner_id: int | None = None
) -> NewChannel:
    """Validate an Apprise URL (``${NAME}`` placeholders allowed, checked at send time) and
    store it; a signed webhook gets a new secret, returned here once."""
    name = check_name(name, "channel")
    display, kind = check_channel_url(url)
    secret = mint_webhook_secret() if kind is ChannelKind.WEBHOOK else None
    channel_id = watch_store.add_channel(
        conn, name, url.strip(), kind.value, now, webhook_secret=secret, owner_id=owner_id
    )
    return NewChannel(channel_id, name, display, kind.value, secret)


@dataclass(frozen=True, slots=True)
class ChannelChanges:
    """What to change of a channel (None: keep)."""

    name: str | None = None
    url: str | None = None
    enabled: bool | None = None


def update_channel(
    conn: Connection,
    channel_id: int,
    changes: ChannelChanges,
    now: datetime,
    *,
    may_change: MayChange | None = None,
) -> tuple[watch_store.Channel, str | None]:
    """Change a channel; returns it and, when the change made it a signed webhook, its new
    signing secret (shown once). A webhook keeps its secret across URL changes."""
    channel = watch_store.get_channel(conn, channel_id)
    _allowed(may_change, channel.owner_id, f"channel {channel_id}")
    values: dict[str, Any] = {}
    minted: str | None = None
    if changes.name is not None:
        values["name"] = check_name(changes.name, "channel")
    if changes.url is not None:
        _, kind = check_channel_url(changes.url)
        values["url"] = changes.url.strip()
        values["kind"] = kind.value
        if kind is not ChannelKind.WEBHOOK:
            values["webhook_secret"] = None
        elif not channel.webhook_secret:
            values["webhook_secret"] = minted = mint_webhook_secret()
    if changes.enabled is not None:
        values["enabled"] = changes.enabled
    return watch_store.update_channel(conn, channel_id, values, now), minted


def remove_channel(
    conn: Connection, channel_id: int, *, may_change: MayChange | None = None
) -> None:
    """Remove a channel; watches stay, without it."""
    channel = watch_store.get_channel(conn, channel_id)
    _allowed(may_change, channel.owner_id, f"channel {channel_id}")
    watch_store.remove_channel(conn, channel_id)


async def send_test_message(
    channel: watch_store.Channel, settings: Settings, *, timeout_seconds: float | None = None
) -> DeliveryResult:
    """Send the test message to a stored channel now, as the sender would (address policy,
    ``${NAME}`` secrets, signing), within ``timeout_seconds`` (default: the notify timeout)."""
    from mimir.alerts.notify import Notifier

    limit = settings.notify_timeout_seconds
    if timeout_seconds is not None:
        limit = min(limit, timeout_seconds)
    async with Notifier(
        allowed_networks=settings.notify_networks,
        timeout_seconds=limit,
        user_agent=settings.user_agent,
        placeholders=settings.channel_placeholders(),
    ) as notifier:
        return await notifier.send_test(channel.url, secret=channel.webhook_secret)


def _channels(
    conn: Connection,
    refs: Sequence[str],
    ids: Sequence[int],
    may_use: MayChange | None,
    *,
    but: Sequence[int] = (),
) -> list[int]:
    """Channel ids for ``refs`` (ids or names, the shell) and ``ids`` (ids only, the API),
    each one the caller may attach (those in ``but`` are attached already)."""
    found: list[watch_store.Channel] = []
    for ref in refs:
        try:
            found.append(watch_store.find_channel(conn, ref))
        except NotFound:
            raise InputError(f"channels: no channel {ref!r}") from None
    for channel_id in ids:
        try:
            found.append(watch_store.get_channel(conn, channel_id))
        except NotFound:
            raise InputError(f"channel_ids: no channel {channel_id}") from None
    for channel in found:
        if channel.id not in but:
            _allowed(may_use, channel.owner_id, f"channel_ids: channel {channel.id}")
    return list(dict.fromkeys(c.id for c in found))


def add_watch(
    conn: Connection,
    spec: WatchSpec,
    now: datetime,
    *,
    daily_hour: int = 7,
    owner_id: int | None = None,
    channel_ids: Sequence[int] = (),
    may_use: MayChange | None = None,
) -> int:
    """Validate (query, zone, channels by name or id: ``spec.channels`` and ``channel_ids``)
    and store a watch. ``may_use(owner_id)``: whether the caller may attach a channel."""
    name = check_name(spec.name, "watch")
    query = check_query(spec.query)
    check_timezone(spec.timezone)
    linked = _channels(conn, spec.channels, channel_ids, may_use)
    return watch_store.add_watch(
        conn,
        name=name,
        query=query,
        mode=spec.mode,
        timezone=spec.timezone,
        feed_token=mint_feed_token(),
        channel_ids=linked,
        now=now,
        enabled=spec.enabled,
        note=no_nul("note", spec.note) if spec.note else None,
        next_digest_at=first_digest_at(spec.mode, spec.timezone, now, daily_hour),
        owner_id=owner_id,
    )


@dataclass(frozen=True, slots=True)
class WatchChanges:
    """What to change of a watch (None: keep; ``note=""`` clears the note)."""

    name: str | None = None
    query: str | None = None
    mode: WatchMode | None = None
    timezone: str | None = None
    enabled: bool | None = None
    note: str | None = None
    channel_ids: Sequence[int] | None = None


def update_watch(
    conn: Connection,
    watch_id: int,
    changes: WatchChanges,
    now: datetime,
    *,
    daily_hour: int = 7,
    may_change: MayChange | None = None,
) -> watch_store.Watch:
    """Change a watch. A new mode or zone moves the next digest; channels newly attached must
    be ones the caller may use (``may_change``, as for the watch itself)."""
    watch = watch_store.get_watch(conn, watch_id)
    _allowed(may_change, watch.owner_id, f"watch {watch_id}")
    values: dict[str, Any] = {}
    if changes.name is not None:
        values["name"] = check_name(changes.name, "watch")
    if changes.query is not None:
        values["query"] = check_query(changes.query)
    if changes.timezone is not None:
        values["timezone"] = check_timezone(changes.timezone)
    if changes.mode is not None:
        values["mode"] = changes.mode.value
    if changes.enabled is not None:
        values["enabled"] = changes.enabled
    if changes.note is not None:
        values["note"] = no_nul("note", changes.note).strip() or None
    mode = changes.mode or watch.mode
    timezone = changes.timezone or watch.timezone
    if mode is not watch.mode or timezone != watch.timezone:
        values["next_digest_at"] = first_digest_at(mode, timezone, now, daily_hour)
    linked = None
    if changes.channel_ids is not None:
        linked = _channels(conn, (), changes.channel_ids, may_change, but=watch.channel_ids)
    return watch_store.update_watch(conn, watch_id, values, now, channel_ids=linked)


def remove_watch(conn: Connection, watch_id: int, *, may_change: MayChange | None = None) -> None:
    """Remove a watch with its alerts."""
    watch = watch_store.get_watch(conn, watch_id)
    _allowed(may_change, watch.owner_id, f"watch {watch_id}")
    watch_store.remove_watch(conn, watch_id)


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

    query = check_query(query)
    return search_store.search(conn, f"({query}) within:7d", now=now, limit=limit)
