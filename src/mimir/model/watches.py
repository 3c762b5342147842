"""Watches (saved searches that alert) and notification channels, as plain values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field


class WatchMode(enum.StrEnum):
    """When a watch's matches are sent: at once, or gathered into a digest."""

    INSTANT = "instant"
    HOURLY = "hourly"
    DAILY = "daily"


@dataclass(frozen=True, slots=True)
class ChannelSpec:
    """A channel to create: an Apprise URL (``mailto://``, ``slack://``, ``json://`` ...).

    The URL may hold ``${ENV_VAR}`` placeholders; they are resolved when a message is sent,
    so secrets need not be stored in the database.
    """

    name: str
    url: str


@dataclass(frozen=True, slots=True)
class WatchSpec:
    """A watch to create: a query in Mimir's query language, a mode, channels by name."""

    name: str
    query: str
    mode: WatchMode = WatchMode.INSTANT
    timezone: str = "UTC"
    channels: tuple[str, ...] = ()
    enabled: bool = True
    note: str | None = None


@dataclass(slots=True)
class WatchImport:
    """What the legacy relevance rules and keyword alerts become."""

    watches: list[WatchSpec] = field(default_factory=list)
    channels: list[ChannelSpec] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
