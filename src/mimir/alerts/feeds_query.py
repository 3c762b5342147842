"""A watch's output feed, assembled: its latest alerts as stories, rendered in one format.

The HTTP route, and later the UI and the REST API, call :func:`load_watch_feed` (one read
transaction) and :func:`render_watch_feed` (pure); :func:`feed_url` spells the address.
A feed is reached by its token alone: an unknown token and a disabled watch both answer None,
so callers cannot tell which tokens exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, get_args

from sqlalchemy import Connection

from mimir.alerts.outfeeds import FeedMeta, render_atom, render_json_feed, render_rss
from mimir.alerts.sender import digest_items
from mimir.model.alerts import DigestItem
from mimir.storage import alerts as alert_store
from mimir.storage import watches as watch_store

FeedFormat = Literal["atom", "rss", "json"]
FEED_FORMATS: tuple[FeedFormat, ...] = get_args(FeedFormat)
FEED_LIMIT = 50  # latest alerts per feed, newest first

_RENDERERS: dict[FeedFormat, Callable[[FeedMeta, Sequence[DigestItem]], bytes]] = {
    "atom": render_atom,
    "rss": render_rss,
    "json": render_json_feed,
}
# what mint_feed_token() makes (URL-safe base64), with room for tokens set by other means
_TOKEN = re.compile(r"[A-Za-z0-9_-]{1,128}")


@dataclass(frozen=True, slots=True)
class WatchFeed:
    """What a watch's feed shows: its name, its newest change, its latest alerts."""

    watch_id: int
    title: str
    updated: datetime  # the newest alert's time, or the watch's last change when later
    items: tuple[DigestItem, ...]


def load_watch_feed(conn: Connection, token: str, *, limit: int = FEED_LIMIT) -> WatchFeed | None:
    """The feed of the enabled watch with this token (None for any other token)."""
    if not _TOKEN.fullmatch(token):
        return None
    watch = watch_store.watch_by_token(conn, token)
    if watch is None or not watch.enabled:
        return None
    alerts = alert_store.list_alerts(conn, watch_id=watch.id, limit=limit)  # newest first
    updated = max([watch.updated_at, *(a.created_at for a in alerts)])
    return WatchFeed(watch.id, watch.name, updated, tuple(digest_items(conn, alerts)))


def render_watch_feed(
    feed: WatchFeed, fmt: FeedFormat, self_url: str, *, home_url: str | None = None
) -> bytes:
    """The feed as an Atom 1.0, RSS 2.0 or JSON Feed 1.1 document whose self link is
    ``self_url`` (see ``CONTENT_TYPES`` in :mod:`mimir.alerts.outfeeds`)."""
    meta = FeedMeta(title=feed.title, feed_url=self_url, updated=feed.updated, home_url=home_url)
    return _RENDERERS[fmt](meta, feed.items)


def feed_path(token: str, fmt: FeedFormat = "atom") -> str:
    """The feed's path on Mimir's HTTP server: ``/feeds/<token>.<fmt>``."""
    return f"/feeds/{token}.{fmt}"


def feed_url(base_url: str, token: str, fmt: FeedFormat = "atom") -> str:
    """The feed's absolute URL under ``base_url`` (``MIMIR_PUBLIC_URL``, say)."""
    return base_url.rstrip("/") + feed_path(token, fmt)
