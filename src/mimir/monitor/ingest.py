"""Storing one article, and what follows in the same transaction: its story, its alerts.

The one path every stored article takes (page extraction, feed content, feed fallback), so an
article, its place among near-duplicates, the alerts it raises and the notifications to send
are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

import structlog
from sqlalchemy import Connection

from mimir import tracing
from mimir.alerts.matching import Matched, SourceInfo, WatchSet, article_fields, match_and_alert
from mimir.storage import articles as article_store
from mimir.storage import stories as story_store
from mimir.storage.articles import ArticleValues, StoreOutcome
from mimir.storage.request_ids import tag_outbox


@dataclass(frozen=True, slots=True)
class AfterStore:
    """What storing needs besides the article: the watches and the story window."""

    watches: WatchSet
    source: SourceInfo | None = None
    story_window: timedelta = timedelta(hours=72)
    #: older news than this when found (a new source's archive) alerts no watch; None: any
    alert_max_age: timedelta | None = None


@dataclass(slots=True)
class Stored:
    outcome: StoreOutcome
    article_id: int
    story_id: int | None = None
    joined_story: bool = False
    matched: list[Matched] = field(default_factory=list)


def store_article(
    conn: Connection, values: ArticleValues, now: datetime, after: AfterStore
) -> Stored:
    # child spans only: this runs in the database writer, traced when the caller's context is
    # carried there (mimir.tracing.carry), silent otherwise
    with tracing.span("ingest.store_article", child_only=True) as span:
        stored = _store(conn, values, now, after)
        span.set_attribute("mimir.article_id", stored.article_id)
        span.set_attribute("mimir.store_outcome", stored.outcome.value)
        return stored


def _store(conn: Connection, values: ArticleValues, now: datetime, after: AfterStore) -> Stored:
    outcome, article_id = article_store.store(conn, values, now)
    stored = Stored(outcome, article_id)
    if outcome is StoreOutcome.NEW:
        with tracing.span("ingest.place_story", child_only=True):
            placed = story_store.place(
                conn,
                article_id,
                values.signature,
                values.band_keys,
                values.published_at,
                values.title,
                now,
                source_id=values.source_id,
                window=after.story_window,
            )
        stored.story_id, stored.joined_story = placed.story_id, placed.joined
    elif outcome is StoreOutcome.REVISED:
        stored.story_id = story_store.replace_signature(
            conn, article_id, values.band_keys, values.published_at, now
        )
    if stored.story_id is not None and len(after.watches) and _fresh(values, now, after):
        with tracing.span("ingest.match_watches", child_only=True):
            stored.matched = match_and_alert(
                conn,
                after.watches,
                article_id=article_id,
                story_id=stored.story_id,
                fields=article_fields(values, after.source, now),
                now=now,
            )
        queued = [m.alert_id for m in stored.matched if m.queued]
        if queued:  # the notifications name the API request that caused them, if one did
            tag_outbox(conn, queued, structlog.contextvars.get_contextvars().get("request_id"))
    return stored


def _fresh(values: ArticleValues, now: datetime, after: AfterStore) -> bool:
    """Whether the article is news when found: published or last changed within
    ``after.alert_max_age`` (undated: yes). A source added today brings its archive, months
    of articles a watch would match; they are stored and searchable, and alert nobody."""
    if after.alert_max_age is None:
        return True
    dates = [d for d in (values.published_at, values.updated_at) if d is not None]
    return not dates or max(dates) >= now - after.alert_max_age
