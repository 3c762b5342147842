"""The river's reads: the filters' choices, story sizes, and what arrived since an id.

Arrivals are found by article id (ids only grow), not by date: a poll reads the newest id
(``article_search``'s primary key, one index probe) and, only when it moved, the matching
articles between the last id seen and it, newest first, at most ``limit`` of them and never
more than ``max_scan`` ids back, so a poll costs the same whatever the size of the store and
however long the reader was away.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, select

from mimir.db.tables import alerts, article_search, sources, stories, watches
from mimir.storage import listing
from mimir.storage.listing import ArticleFilter

#: at most this many sources are offered in the river's source menu (by name)
MAX_SOURCE_CHOICES = 1000


@dataclass(frozen=True, slots=True)
class Choices:
    sources: list[tuple[int, str]]
    categories: list[str]
    watches: list[tuple[int, str]]


def choices(conn: Connection) -> Choices:
    """What the river's filters offer: sources and watches by name, the categories in use."""
    s = sources.c
    src = conn.execute(select(s.id, s.name).order_by(s.name).limit(MAX_SOURCE_CHOICES))
    cats = conn.execute(
        select(s.category).where(s.category.is_not(None), s.category != "").distinct()
    )
    wat = conn.execute(select(watches.c.id, watches.c.name).order_by(watches.c.name))
    return Choices(
        [(int(i), str(n)) for i, n in src],
        sorted({str(c) for (c,) in cats}, key=str.lower),
        [(int(i), str(n)) for i, n in wat],
    )


def story_sizes(conn: Connection, story_ids: Sequence[int]) -> dict[int, int]:
    """Articles per story, for the stories ``story_ids``."""
    if not story_ids:
        return {}
    rows = conn.execute(
        select(stories.c.id, stories.c.article_count).where(stories.c.id.in_(list(story_ids)))
    )
    return {int(i): int(n) for i, n in rows}


def newest_id(conn: Connection) -> int:
    """The highest live article id (0: none)."""
    return int(conn.execute(select(func.max(article_search.c.article_id))).scalar() or 0)


def _conditions(flt: ArticleFilter) -> list[ColumnElement[bool]]:
    """The river's filters (as the article list applies them) on ``article_search``."""
    s = article_search.c
    out: list[ColumnElement[bool]] = []
    if flt.source_id is not None:
        out.append(s.source_id == flt.source_id)
    if flt.category is not None:
        ids = select(sources.c.id).where(func.lower(sources.c.category) == flt.category.lower())
        out.append(s.source_id.in_(ids))
    if flt.primary_language is not None:
        out.append(s.language == flt.primary_language)
    if flt.watch_id is not None:
        watched = select(alerts.c.article_id).where(alerts.c.watch_id == flt.watch_id)
        out.append(s.article_id.in_(watched))
    return out


@dataclass(frozen=True, slots=True)
class Arrivals:
    top: int  # the newest article id now
    cards: list[dict[str, Any]]  # matching cards in (floor, top], oldest first, with "copies"


def arrivals(
    conn: Connection,
    flt: ArticleFilter,
    *,
    floor: int,
    last: int,
    limit: int,
    max_scan: int,
) -> Arrivals:
    """The articles matching ``flt`` with ids above ``floor``, when the newest id is above
    ``last`` (else none: nothing arrived); the newest ``limit`` of them, oldest first."""
    top = newest_id(conn)
    if top <= last:
        return Arrivals(top, [])
    s = article_search.c
    low = max(floor, top - max_scan)
    ids = [
        int(i)
        for (i,) in conn.execute(
            select(s.article_id)
            .where(s.article_id > low, s.article_id <= top, *_conditions(flt))
            .order_by(s.article_id.desc())
            .limit(limit)
        )
    ]
    found = listing.cards(conn, ids)
    sizes = story_sizes(conn, sorted({c["story_id"] for c in found.values() if c["story_id"]}))
    out = []
    for i in reversed(ids):
        card = found.get(i)
        if card is not None:
            out.append(with_copies(card, sizes))
    return Arrivals(top, out)


def with_copies(card: dict[str, Any], sizes: dict[int, int]) -> dict[str, Any]:
    """``card`` with ``copies``: the other articles of its story (0: none, or no story)."""
    size = sizes.get(card["story_id"], 1) if card.get("story_id") else 1
    return {**card, "copies": max(size - 1, 0)}
