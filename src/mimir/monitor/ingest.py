"""Storing one article, and what follows in the same transaction: its story, its alerts.

The one path every stored article takes (page extraction, feed content, feed fallback), so an
article, its place among near-duplicates, the alerts it raises and the notifications to send
are committed together or not at all.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection

from mimir.alerts.matching import Matched, SourceInfo, WatchSet, article_fields, match_and_alert
from mimir.storage import articles as article_store
from mimir.storage import stories as story_store
from mimir.storage.articles import ArticleValues, StoreOutcome


@dataclass(frozen=True, slots=True)
class AfterStore:
    """What storing needs besides the article: the watches and the story window."""

    watches: WatchSet
    source: SourceInfo | None = None
    story_window: timedelta = timedelta(hours=72)


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
    outcome, article_id = article_store.store(conn, values, now)
    stored = Stored(outcome, article_id)
    if outcome is StoreOutcome.NEW:
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
    if stored.story_id is not None and len(after.watches):
        stored.matched = match_and_alert(
            conn,
            after.watches,
            article_id=article_id,
            story_id=stored.story_id,
            fields=article_fields(values, after.source, now),
            now=now,
        )
    return stored
