"""Stories: placing each stored article among the near-duplicates of the last days.

The database version of :class:`mimir.process.neardup.StoryClusterer` (docs/stories.md): the
same candidate lookup (LSH band keys within the window), the same decision (``best_match``),
the same lead rule (``choose_lead``). It runs in the transaction that stores the article, so
an article and its story appear together. On PostgreSQL a transaction-scoped advisory lock
serialises placements, so two workers storing two copies at the same instant cannot each open
a story; SQLite has one writer already.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, bindparam, delete, func, insert, select, text, update

from mimir.db.tables import articles, stories, story_bands
from mimir.process.neardup import (
    DEFAULT_WINDOW,
    Signature,
    best_match,
    choose_lead,
    stored_size,
)

#: pg_advisory_xact_lock key of story placement ("mimir-stories" folded into a bigint)
_LOCK_KEY = 0x6D696D6972_5354
_MAX_CANDIDATES = 12  # near-duplicates share the most band keys; look-alikes one or two
_CACHE_SIZE = 20_000


class _SignatureCache:
    """Decoded signatures of recent articles: the same few hundred are candidates again and
    again while a story is in the news, and decoding one costs more than comparing it."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._items: OrderedDict[tuple[int, int], Signature] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, article_id: int, blob: bytes) -> Signature:
        key = (article_id, hash(blob))
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found
        sig = Signature.from_bytes(blob)
        with self._lock:
            self._items[key] = sig
            while len(self._items) > self.size:
                self._items.popitem(last=False)
        return sig


_signatures = _SignatureCache(_CACHE_SIZE)


@dataclass(frozen=True, slots=True)
class Placement:
    story_id: int
    joined: bool  # True: joined an existing story; False: opened a new one
    lead_article_id: int


_HITS = func.count().label("hits")
#: the articles sharing the most band keys first: a near-duplicate shares many (its body and
#: lead bands), a look-alike on the same subject one or two
_CANDIDATES = (
    select(story_bands.c.article_id, _HITS)
    .where(
        story_bands.c.band_key.in_(bindparam("keys", expanding=True)),
        story_bands.c.published_at.between(bindparam("lo"), bindparam("hi")),
        story_bands.c.article_id != bindparam("aid"),
    )
    .group_by(story_bands.c.article_id)
    .order_by(_HITS.desc(), story_bands.c.article_id)
    .limit(_MAX_CANDIDATES)
)
_SIGNATURES = select(articles.c.id, articles.c.story_id, articles.c.signature).where(
    articles.c.id.in_(bindparam("ids", expanding=True)),
    articles.c.deleted_at.is_(None),
    articles.c.story_id.is_not(None),
)
_MEMBERS = select(
    articles.c.id, articles.c.signature, articles.c.published_at, articles.c.discovered_at,
    articles.c.source_id, articles.c.title,
).where(articles.c.story_id == bindparam("sid"))  # fmt: skip


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _add_bands(
    conn: Connection, article_id: int, keys: Sequence[int], at: datetime, *, replace: bool
) -> None:
    if replace:
        conn.execute(story_bands.delete().where(story_bands.c.article_id == article_id))
    if keys:
        conn.execute(
            insert(story_bands),
            [{"band_key": k, "article_id": article_id, "published_at": at} for k in keys],
        )


def place(
    conn: Connection,
    article_id: int,
    signature: bytes | None,
    band_keys: Sequence[int],
    published_at: datetime | None,
    title: str | None,
    now: datetime,
    *,
    window: timedelta = DEFAULT_WINDOW,
) -> Placement:
    """Put a newly stored article into the story of its strongest near-duplicate, or a new one.

    An article with no signature (no title and no text) is a story of its own.
    """
    at = published_at if published_at is not None and published_at <= now else now
    best: tuple[int, int] | None = None  # (article id, story id)
    if signature is not None and band_keys:
        _lock(conn)
        sig = Signature.from_bytes(signature)
        ids = [
            r[0]
            for r in conn.execute(
                _CANDIDATES,
                {"keys": list(band_keys), "lo": at - window, "hi": at + window, "aid": article_id},
            )
        ]
        if ids:
            rows = conn.execute(_SIGNATURES, {"ids": ids}).all()
            story_of = {r.id: r.story_id for r in rows}
            chosen = best_match(
                sig, [(r.id, _signatures.get(r.id, r.signature)) for r in rows if r.signature]
            )
            if chosen is not None:
                best = (chosen, story_of[chosen])
        _add_bands(conn, article_id, band_keys, at, replace=False)
    if best is None:
        story_id = conn.execute(
            insert(stories).returning(stories.c.id),
            {
                "lead_article_id": article_id,
                "title": title,
                "article_count": 1,
                "source_count": 1,
                "first_seen_at": now,
                "last_seen_at": now,
            },
        ).scalar_one()
        conn.execute(update(articles).where(articles.c.id == article_id).values(story_id=story_id))
        return Placement(story_id, False, article_id)
    story_id = best[1]
    conn.execute(update(articles).where(articles.c.id == article_id).values(story_id=story_id))
    lead = _refresh_story(conn, story_id, now)
    return Placement(story_id, True, lead)


def _refresh_story(conn: Connection, story_id: int, now: datetime) -> int:
    """Recount a story's members and sources and choose its lead again."""
    members = conn.execute(_MEMBERS, {"sid": story_id}).all()
    if not members:
        return 0
    sized = [
        (
            m.id,
            stored_size(m.signature) if m.signature else 0,
            m.published_at or m.discovered_at,
        )
        for m in members
    ]
    lead = choose_lead(sized)
    title = next((m.title for m in members if m.id == lead), None)
    conn.execute(
        update(stories)
        .where(stories.c.id == story_id)
        .values(
            lead_article_id=lead,
            title=title,
            article_count=len(members),
            source_count=len({m.source_id for m in members}),
            last_seen_at=now,
        )
    )
    return lead


def replace_signature(
    conn: Connection,
    article_id: int,
    band_keys: Sequence[int],
    published_at: datetime | None,
    now: datetime,
) -> int | None:
    """A revision: new band rows for the article; it keeps its story (whose lead may change).

    The signature column itself is written with the revision. Returns the story id.
    """
    story_id = conn.execute(
        select(articles.c.story_id).where(articles.c.id == article_id)
    ).scalar_one_or_none()
    at = published_at if published_at is not None and published_at <= now else now
    _add_bands(conn, article_id, band_keys, at, replace=True)
    if story_id is not None:
        _refresh_story(conn, story_id, now)
    return story_id


def prune_bands(conn: Connection, older_than: datetime) -> int:
    """Forget band rows of articles published before ``older_than`` (outside every window)."""
    result = conn.execute(delete(story_bands).where(story_bands.c.published_at < older_than))
    return result.rowcount or 0


def story_of(conn: Connection, article_id: int) -> int | None:
    return conn.execute(
        select(articles.c.story_id).where(articles.c.id == article_id)
    ).scalar_one_or_none()


def story_members(conn: Connection, story_id: int) -> list[int]:
    return [
        r[0]
        for r in conn.execute(
            select(articles.c.id)
            .where(articles.c.story_id == story_id)
            .order_by(
                func.coalesce(articles.c.published_at, articles.c.discovered_at), articles.c.id
            )
        )
    ]
