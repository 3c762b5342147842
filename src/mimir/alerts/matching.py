"""Matching at ingest: every new article (and every revision that changes its words) against
every enabled watch, through the percolator; alerts and outbox rows in the same transaction.

A :class:`WatchSet` is an immutable snapshot of the enabled watches (percolator, modes,
channels), loaded from the database and swapped whole by the worker when
``storage.watches.watches_version`` changes, so the writer thread never sees a half-built one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection

from mimir.model.watches import WatchMode
from mimir.search.matcher import ArticleFields, Document
from mimir.search.percolator import Percolator
from mimir.storage import alerts as alert_store
from mimir.storage import watches as watch_store

log = structlog.get_logger("mimir.alerts")


@dataclass(frozen=True, slots=True)
class WatchSet:
    percolator: Percolator
    modes: dict[int, WatchMode] = field(default_factory=dict)
    channels: dict[int, tuple[int, ...]] = field(default_factory=dict)
    version: tuple[Any, ...] = ()

    def __len__(self) -> int:
        return len(self.percolator)

    @classmethod
    def empty(cls) -> WatchSet:
        return cls(Percolator())

    @classmethod
    def load(cls, conn: Connection, previous: WatchSet | None = None) -> WatchSet:
        """The enabled watches now; ``previous`` lends its word statistics to the new index
        (which watches to file under which word), so a reload does not start cold."""
        version = watch_store.watches_version(conn)
        watches = watch_store.list_watches(conn, enabled_only=True)
        percolator = Percolator(learned_from=previous.percolator if previous else None)
        rejected = percolator.replace_all((w.id, w.query) for w in watches)
        for watch_id, exc in rejected:
            log.warning("watch_query_invalid", watch_id=watch_id, error=str(exc))
        bad = {watch_id for watch_id, _ in rejected}
        return cls(
            percolator,
            {w.id: w.mode for w in watches if w.id not in bad},
            {w.id: w.channel_ids for w in watches if w.id not in bad},
            version,
        )


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What queries may ask about an article's source (``source:``, ``category:``)."""

    name: str | None = None
    host: str | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class Matched:
    watch_id: int
    alert_id: int
    terms: tuple[str, ...]
    queued: int  # outbox rows written (instant watches: one per channel)


def article_fields(
    values: Any, source: SourceInfo | None, discovered_at: datetime
) -> ArticleFields:
    """The matcher's view of an article being stored (``ArticleValues``)."""
    return ArticleFields(
        title=values.title,
        text=values.text,
        authors=tuple(values.authors or ()),
        tags=tuple(values.tags or ()),
        url=values.canonical_url,
        source_name=source.name if source else None,
        source_host=source.host if source else None,
        source_category=source.category if source else None,
        language=values.language,
        published_at=values.published_at,
        discovered_at=discovered_at,
    )


def match_and_alert(
    conn: Connection,
    watches: WatchSet,
    *,
    article_id: int,
    story_id: int,
    fields: ArticleFields | Document,
    now: datetime,
) -> list[Matched]:
    """Alert every watch the article matches, once per (watch, story); instant watches get an
    outbox row per channel in this same transaction, digest watches wait for their digest."""
    if not len(watches):
        return []
    out: list[Matched] = []
    for watch_id, result in watches.percolator.match(fields, now=now):
        alert_id = alert_store.record_alert(
            conn,
            watch_id=watch_id,
            story_id=story_id,
            article_id=article_id,
            terms=result.terms,
            now=now,
        )
        if alert_id is None:
            continue  # this story already alerted this watch
        queued = 0
        if watches.modes.get(watch_id) is WatchMode.INSTANT:
            queued = alert_store.enqueue(
                conn,
                [
                    {
                        "channel_id": channel_id,
                        "watch_id": watch_id,
                        "alert_id": alert_id,
                        "kind": "alert",
                        "payload": {"alert_id": alert_id},
                    }
                    for channel_id in watches.channels.get(watch_id, ())
                ],
                now,
            )
        out.append(Matched(watch_id, alert_id, tuple(result.terms), queued))
    return out


def queue_digest(
    conn: Connection, watch_id: int, channel_ids: Sequence[int], alert_ids: Sequence[int],
    window: tuple[datetime, datetime], now: datetime,
) -> int:  # fmt: skip
    """One digest outbox row per channel covering ``alert_ids``; marks them digested."""
    if not alert_ids:
        return 0
    payload = {
        "alert_ids": list(alert_ids),
        "window": [window[0].isoformat(), window[1].isoformat()],
    }
    queued = alert_store.enqueue(
        conn,
        [
            {"channel_id": c, "watch_id": watch_id, "kind": "digest", "payload": payload}
            for c in channel_ids
        ],
        now,
    )
    alert_store.mark_digested(conn, alert_ids, now)
    return queued
