"""Stories: placing each stored article among the near-duplicates of the last days.

The database version of :class:`mimir.process.neardup.StoryClusterer` (docs/stories.md): the
same candidate lookup (LSH band keys within the window, the newest few per key, the articles
sharing the most keys), the same decision (``best_match``), the same lead rule
(``choose_lead``). A join updates its story from the story row and its lead alone (counts
incremented, ``lead_after_join``), so its cost does not grow with the story. It runs in the
transaction that stores the article, so an article and its story appear together. On
PostgreSQL a transaction-scoped advisory lock serialises placements, so two workers storing two
copies at the same instant cannot each open a story; SQLite has one writer already.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    update,
)

from mimir.db.tables import articles, stories, story_bands
from mimir.process.neardup import (
    DEFAULT_WINDOW,
    MAX_CANDIDATES,
    MAX_KEY_ARTICLES,
    Signature,
    best_match,
    choose_lead,
    lead_after_join,
    stored_size,
)

#: pg_advisory_xact_lock key of story placement ("mimir-stories" folded into a bigint)
_LOCK_KEY = 0x6D696D6972_5354
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
        self.put(article_id, blob, sig)
        return sig

    def put(self, article_id: int, blob: bytes, sig: Signature) -> None:
        with self._lock:
            self._items[(article_id, hash(blob))] = sig
            while len(self._items) > self.size:
                self._items.popitem(last=False)


_signatures = _SignatureCache(_CACHE_SIZE)


@dataclass(frozen=True, slots=True)
class Placement:
    story_id: int
    joined: bool  # True: joined an existing story; False: opened a new one
    lead_article_id: int


_AT = story_bands.c.published_at.type
_CANDIDATE_STATEMENTS: dict[tuple[int, int, int, bool], Any] = {}
#: per dialect, the column type's bind processing (UTCDateTime to what the driver takes), run
#: once per placement instead of once per bound copy of the same value
_AT_PROCESSORS: dict[str, Callable[[Any], Any]] = {}


def _band_rows_sql(conn: Connection) -> str:
    """The band row insert in the driver's own parameter style (qmark for sqlite3, format for
    psycopg); published_at arrives processed (``_bind_at``)."""
    m = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    return f"INSERT INTO story_bands (band_key, article_id, published_at) VALUES ({m}, {m}, {m})"


def _bind_at(conn: Connection, at: datetime) -> Any:
    """``at`` as the driver takes it for ``story_bands.published_at``."""
    name = f"{conn.dialect.name}+{conn.dialect.driver}"
    process = _AT_PROCESSORS.get(name)
    if process is None:
        found = _AT.dialect_impl(conn.dialect).bind_processor(conn.dialect)
        process = found if found is not None else (lambda value: value)
        _AT_PROCESSORS[name] = process
    return process(at)


def _candidates_statement(count: int, per_key: int, limit: int, *, signatures: bool = False) -> Any:
    """The candidate lookup for ``count`` band keys (one statement per count, built once).

    Per key, the newest ``per_key`` rows within the window, read backwards along
    ``ix_story_bands_key`` (band_key, published_at), so a key shared by hundreds of templated
    articles reads no more rows than a rare one; then the ``limit`` articles found under the
    most keys (``neardup.rank_candidates``). Plain SQL that SQLite and PostgreSQL both run: a
    SQLAlchemy statement of 49 sub-selects costs more to key and bind than to run.

    ``signatures``: the candidates' live rows instead (id, story_id, signature; deleted
    articles and those not yet in a story left out), read in the same statement: placement
    used to look them up in a second one.
    """
    shape = (count, int(per_key), int(limit), signatures)
    stmt = _CANDIDATE_STATEMENTS.get(shape)
    if stmt is None:
        per_key_sql = " UNION ALL ".join(
            f"SELECT article_id FROM (SELECT article_id FROM story_bands WHERE band_key = :k{i}"
            f" AND published_at BETWEEN :lo AND :hi ORDER BY published_at DESC LIMIT {shape[1]})"
            f" AS b{i}"
            for i in range(count)
        )
        ranked = (
            f"SELECT article_id, count(*) AS hits FROM ({per_key_sql}) AS u"
            " WHERE article_id <> :aid GROUP BY article_id ORDER BY hits DESC, article_id"
            f" LIMIT {shape[2]}"
        )
        if signatures:
            ranked = (
                f"SELECT a.id, a.story_id, a.signature FROM ({ranked}) AS c"
                " JOIN articles a ON a.id = c.article_id"
                " WHERE a.deleted_at IS NULL AND a.story_id IS NOT NULL"
            )
            stmt = text(ranked).columns(
                articles.c.id, articles.c.story_id, articles.c.signature
            )  # typed: the signature comes back as bytes from every driver
        else:
            stmt = text(ranked)
        _CANDIDATE_STATEMENTS[shape] = stmt
    return stmt


def _lookup(
    conn: Connection,
    band_keys: Sequence[int],
    at: datetime,
    window: timedelta,
    article_id: int,
    *,
    per_key: int = MAX_KEY_ARTICLES,
    limit: int = MAX_CANDIDATES,
    signatures: bool = False,
) -> list[Any]:
    """The candidate lookup's rows for these keys (``_candidates_statement``)."""
    keys = list(dict.fromkeys(band_keys))
    if not keys:
        return []
    params: dict[str, Any] = {f"k{i}": key for i, key in enumerate(keys)}
    params |= {"lo": _bind_at(conn, at - window), "hi": _bind_at(conn, at + window),
               "aid": article_id}  # fmt: skip
    stmt = _candidates_statement(len(keys), per_key, limit, signatures=signatures)
    return list(conn.execute(stmt, params).all())


def candidates(
    conn: Connection,
    band_keys: Sequence[int],
    at: datetime,
    window: timedelta,
    article_id: int,
    *,
    per_key: int = MAX_KEY_ARTICLES,
    limit: int = MAX_CANDIDATES,
) -> list[int]:
    """Ids of the articles to compare with a new one (``StoryClusterer.candidates``)."""
    rows = _lookup(conn, band_keys, at, window, article_id, per_key=per_key, limit=limit)
    return [r[0] for r in rows]


_NEW_STORY = insert(stories).returning(stories.c.id)
_SET_STORY = (
    update(articles).where(articles.c.id == bindparam("aid")).values(story_id=bindparam("sid"))
)
#: the story's lead and what the lead rule needs of it (its size is in its signature)
_LEAD = (
    select(
        stories.c.lead_article_id,
        articles.c.signature,
        articles.c.published_at,
        articles.c.discovered_at,
    )
    .select_from(stories.join(articles, articles.c.id == stories.c.lead_article_id))
    .where(stories.c.id == bindparam("sid"))
)
#: another member from the same source (then the source count stays)
_SAME_SOURCE = (
    select(articles.c.id)
    .where(
        articles.c.story_id == bindparam("sid"),
        articles.c.source_id == bindparam("src"),
        articles.c.id != bindparam("aid"),
    )
    .limit(1)
)
_SAME_SOURCE_NULL = (
    select(articles.c.id)
    .where(
        articles.c.story_id == bindparam("sid"),
        articles.c.source_id.is_(None),
        articles.c.id != bindparam("aid"),
    )
    .limit(1)
)
_JOINED = (
    update(stories)
    .where(stories.c.id == bindparam("sid"))
    .values(
        article_count=stories.c.article_count + 1,
        source_count=stories.c.source_count + bindparam("new_source"),
        last_seen_at=bindparam("now"),
    )
)
_MEMBERS = select(
    articles.c.id, articles.c.signature, articles.c.published_at, articles.c.discovered_at
).where(articles.c.story_id == bindparam("sid"))
_TITLE = select(articles.c.title).where(articles.c.id == bindparam("aid"))
_SET_LEAD = (
    update(stories)
    .where(stories.c.id == bindparam("sid"))
    .values(lead_article_id=bindparam("lead"), title=bindparam("lead_title"))
)
_SEEN = (
    update(stories).where(stories.c.id == bindparam("sid")).values(last_seen_at=bindparam("now"))
)


def _lock(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})


def _add_bands(
    conn: Connection, article_id: int, keys: Sequence[int], at: datetime, *, replace: bool
) -> None:
    if replace:
        conn.execute(story_bands.delete().where(story_bands.c.article_id == article_id))
    if keys:
        bound = _bind_at(conn, at)
        # straight to the driver's executemany: about 50 rows per article, and binding each
        # through a SQLAlchemy statement cost several times what the database did with it
        conn.exec_driver_sql(_band_rows_sql(conn), [(k, article_id, bound) for k in keys])


def place(
    conn: Connection,
    article_id: int,
    signature: bytes | None,
    band_keys: Sequence[int],
    published_at: datetime | None,
    title: str | None,
    now: datetime,
    *,
    source_id: int | None = None,
    window: timedelta = DEFAULT_WINDOW,
) -> Placement:
    """Put a newly stored article into the story of its strongest near-duplicate, or a new one.

    An article with no signature (no title and no text) is a story of its own. ``source_id``
    is the article's source (a story counts its distinct sources).
    """
    at = published_at if published_at is not None and published_at <= now else now
    best: tuple[int, int] | None = None  # (article id, story id)
    size = 0
    if signature is not None and band_keys:
        _lock(conn)
        sig = Signature.from_bytes(signature)
        size = sig.size
        # the live, placed candidates' (id, story_id, signature), in the same statement
        rows = _lookup(conn, band_keys, at, window, article_id, signatures=True)
        if rows:
            story_of = {r.id: r.story_id for r in rows}
            chosen = best_match(
                sig, [(r.id, _signatures.get(r.id, r.signature)) for r in rows if r.signature]
            )
            if chosen is not None:
                best = (chosen, story_of[chosen])
        _add_bands(conn, article_id, band_keys, at, replace=False)
        _signatures.put(article_id, signature, sig)  # a candidate of the next copies
    elif signature is not None:
        size = stored_size(signature)
    if best is None:
        story_id = conn.execute(
            _NEW_STORY,
            {
                "lead_article_id": article_id,
                "title": title,
                "article_count": 1,
                "source_count": 1,
                "first_seen_at": now,
                "last_seen_at": now,
            },
        ).scalar_one()
        conn.execute(_SET_STORY, {"aid": article_id, "sid": story_id})
        return Placement(story_id, False, article_id)
    story_id = best[1]
    conn.execute(_SET_STORY, {"aid": article_id, "sid": story_id})
    when = published_at if published_at is not None else now  # as choose_lead sees it
    lead = _join(conn, story_id, (article_id, size, when), title, source_id, now)
    return Placement(story_id, True, lead)


def _join(
    conn: Connection,
    story_id: int,
    member: tuple[int, int, datetime],
    title: str | None,
    source_id: int | None,
    now: datetime,
) -> int:
    """Count a new member into its story and move the lead if it must: from the story row and
    its lead alone (``lead_after_join``), all members only in the rare undecided case."""
    article_id = member[0]
    same = _SAME_SOURCE_NULL if source_id is None else _SAME_SOURCE
    other = conn.execute(same, {"sid": story_id, "src": source_id, "aid": article_id}).first()
    conn.execute(_JOINED, {"sid": story_id, "new_source": 0 if other else 1, "now": now})
    row = conn.execute(_LEAD, {"sid": story_id}).first()
    if row is not None:
        current = (
            row.lead_article_id,
            stored_size(row.signature) if row.signature else 0,
            row.published_at or row.discovered_at,
        )
        lead = lead_after_join(current, member)
        if lead is not None:
            if lead == article_id:
                conn.execute(_SET_LEAD, {"sid": story_id, "lead": lead, "lead_title": title})
            return lead
    return _choose_lead_again(conn, story_id)


def _choose_lead_again(conn: Connection, story_id: int) -> int:
    """Choose a story's lead among all its members (``choose_lead``)."""
    members = conn.execute(_MEMBERS, {"sid": story_id}).all()
    if not members:
        return 0
    lead = choose_lead(
        (m.id, stored_size(m.signature) if m.signature else 0, m.published_at or m.discovered_at)
        for m in members
    )
    title = conn.execute(_TITLE, {"aid": lead}).scalar_one_or_none()
    conn.execute(_SET_LEAD, {"sid": story_id, "lead": lead, "lead_title": title})
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
    if story_id is not None:
        _lock(conn)
    _add_bands(conn, article_id, band_keys, at, replace=True)
    if story_id is not None:
        # a revision changes its article's size, so the lead is chosen again; its members
        # and sources stay the same
        _choose_lead_again(conn, story_id)
        conn.execute(_SEEN, {"sid": story_id, "now": now})
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
