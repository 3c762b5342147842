"""Articles: the identity ladder, revisions, tombstones, listing and export."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Connection, bindparam, func, insert, literal, select, union_all, update

from mimir.db.dialect import insert_ignore, insert_returning_id
from mimir.db.tables import article_revisions, article_urls, articles, sources


class StoreOutcome(StrEnum):
    NEW = "new"
    REVISED = "revised"
    UNCHANGED = "unchanged"
    TOMBSTONED = "tombstoned"  # the article was deleted and stays deleted


@dataclass(slots=True, frozen=True)
class Known:
    """What is stored for a URL or GUID (enough to decide whether to re-check)."""

    article_id: int
    updated_at: datetime | None
    fingerprint: str | None
    title: str | None
    deleted: bool
    entry_hash: str | None = None


@dataclass(slots=True)
class ArticleValues:
    """One version of an article, ready to store (built by the orchestrator)."""

    source_id: int | None
    url: str
    canonical_url: str
    url_hash: str  # hash of the canonical URL
    alias_hashes: tuple[str, ...]  # other URL hashes it is known by (entry link...)
    guid: str | None
    guid_hash: str | None
    fingerprint: str
    entry_hash: str | None
    title: str | None
    summary: str | None
    text: str
    html: str | None
    authors: list[str]
    published_at: datetime | None
    updated_at: datetime | None
    language: str | None
    image_url: str | None
    section: str | None
    tags: list[str]
    fetch_meta: dict[str, Any]
    extraction: str  # page | pdf | feed | feed_fallback
    # near-duplicate detection (mimir.process.neardup): the signature and its LSH band keys
    signature: bytes | None = None
    band_keys: tuple[int, ...] = ()


def _known_from(row: Any) -> Known:
    return Known(
        article_id=row.id,
        updated_at=row.updated_at,
        fingerprint=row.fingerprint,
        title=row.title,
        deleted=row.deleted_at is not None,
        entry_hash=row.entry_hash,
    )


_KNOWN_COLS = (
    articles.c.id,
    articles.c.updated_at,
    articles.c.fingerprint,
    articles.c.title,
    articles.c.deleted_at,
    articles.c.entry_hash,
)


def known_by_url(conn: Connection, hashes: Sequence[str]) -> dict[str, Known]:
    """Stored articles for these URL hashes (canonical or alias)."""
    if not hashes:
        return {}
    out: dict[str, Known] = {}
    for chunk in _chunks(list(hashes), 500):
        rows = conn.execute(
            select(article_urls.c.url_hash, *_KNOWN_COLS)
            .join(articles, articles.c.id == article_urls.c.article_id)
            .where(article_urls.c.url_hash.in_(chunk))
        )
        for r in rows:
            out[r.url_hash] = _known_from(r)
    return out


def known_by_guid(conn: Connection, source_id: int, guid_hashes: Sequence[str]) -> dict[str, Known]:
    if not guid_hashes:
        return {}
    out: dict[str, Known] = {}
    for chunk in _chunks(list(guid_hashes), 500):
        rows = conn.execute(
            select(articles.c.guid_hash, *_KNOWN_COLS).where(
                articles.c.source_id == source_id, articles.c.guid_hash.in_(chunk)
            )
        )
        for r in rows:
            out[r.guid_hash] = _known_from(r)
    return out


# Prebuilt statements: building and cache-keying a statement costs more than SQLite running it,
# and this is the hottest write path (every stored article).
def _ladder(guid: bool, fingerprint: bool) -> Any:
    """The identity ladder as one statement: each rung a branch numbered by its rank, the
    best-ranked row wins. A new article (the usual case) used to cost one empty look-up per
    rung."""
    rungs = [
        select(literal(0).label("rung"), articles)
        .join(article_urls, article_urls.c.article_id == articles.c.id)
        .where(article_urls.c.url_hash.in_(bindparam("hashes", expanding=True)))
    ]
    if guid:
        rungs.append(
            select(literal(1).label("rung"), articles).where(
                articles.c.source_id == bindparam("sid"), articles.c.guid_hash == bindparam("guid")
            )
        )
    if fingerprint:
        rungs.append(
            select(literal(2).label("rung"), articles).where(
                articles.c.source_id == bindparam("sid"), articles.c.fingerprint == bindparam("fp")
            )
        )
    if len(rungs) == 1:
        return rungs[0].limit(1)
    return union_all(*rungs).order_by("rung").limit(1)


_LADDERS = {(g, f): _ladder(g, f) for g in (False, True) for f in (False, True)}
_BY_HASH = select(articles).where(articles.c.url_hash == bindparam("h"))
_TOUCH = (
    update(articles)
    .where(articles.c.id == bindparam("aid"))
    .values(fetched_at=bindparam("now"), entry_hash=bindparam("eh"))
)
_SET_ENTRY_HASH = (
    update(articles).where(articles.c.id == bindparam("aid")).values(entry_hash=bindparam("eh"))
)
_KEEP_REVISION = insert(article_revisions)


def _find(conn: Connection, v: ArticleValues) -> Any:
    """The identity ladder: canonical or alias URL, then GUID, then content fingerprint.

    `article_urls` holds every article's own URL hash too, so one lookup covers both.
    """
    guid = bool(v.guid_hash) and v.source_id is not None
    fingerprint = bool(v.fingerprint) and v.source_id is not None and len(v.text) >= 200
    params: dict[str, Any] = {"hashes": [v.url_hash, *v.alias_hashes]}
    if guid or fingerprint:
        params["sid"] = v.source_id
    if guid:
        params["guid"] = v.guid_hash
    if fingerprint:
        params["fp"] = v.fingerprint
    return conn.execute(_LADDERS[guid, fingerprint], params).first()


#: extractions of the document itself (an HTML page, a PDF), as against the feed's values
_EXTRACTED = frozenset({"page", "pdf"})


def store(conn: Connection, v: ArticleValues, now: datetime) -> tuple[StoreOutcome, int]:
    """Insert a new article or a new revision of the one it is; idempotent."""
    row = _find(conn, v)
    if row is None:
        new_id = insert_returning_id(
            conn, articles, _article_row(v, now) | {"discovered_at": now}, ["url_hash"]
        )
        if new_id is not None:
            _add_aliases(conn, new_id, (v.url_hash, *v.alias_hashes))
            return StoreOutcome.NEW, new_id
        row = conn.execute(_BY_HASH, {"h": v.url_hash}).one()  # lost a race: it exists now
    _add_aliases(conn, row.id, (v.url_hash, *v.alias_hashes))
    if row.deleted_at is not None:
        return StoreOutcome.TOMBSTONED, row.id
    if row.fingerprint == v.fingerprint and (row.title or "") == (v.title or ""):
        conn.execute(_TOUCH, {"aid": row.id, "now": now, "eh": v.entry_hash or row.entry_hash})
        return StoreOutcome.UNCHANGED, row.id
    if v.extraction not in _EXTRACTED and row.extraction in _EXTRACTED:
        # a feed-only fallback never overwrites a full page (or PDF) extraction
        conn.execute(_SET_ENTRY_HASH, {"aid": row.id, "eh": v.entry_hash})
        return StoreOutcome.UNCHANGED, row.id
    conn.execute(
        _KEEP_REVISION,
        {
            "article_id": row.id,
            "revision": row.revision,
            "title": row.title,
            "text": row.text,
            "html": row.html,
            "fingerprint": row.fingerprint,
            "updated_at": row.updated_at,
            "fetched_at": row.fetched_at,
        },
    )
    values = _article_row(v, now)
    # identity fields stay: the article keeps its first canonical URL and discovery time
    for key in ("url", "canonical_url", "url_hash", "source_id", "guid", "guid_hash"):
        values.pop(key)
    values["revision"] = row.revision + 1
    values["published_at"] = row.published_at or v.published_at
    conn.execute(update(articles).where(articles.c.id == row.id).values(**values))
    return StoreOutcome.REVISED, row.id


def _article_row(v: ArticleValues, now: datetime) -> dict[str, Any]:
    return {
        "source_id": v.source_id,
        "url": v.url,
        "canonical_url": v.canonical_url,
        "url_hash": v.url_hash,
        "guid": v.guid,
        "guid_hash": v.guid_hash,
        "fingerprint": v.fingerprint,
        "entry_hash": v.entry_hash,
        "signature": v.signature,
        "title": v.title,
        "summary": v.summary,
        "text": v.text,
        "html": v.html,
        "authors": v.authors,
        "published_at": v.published_at,
        "updated_at": v.updated_at,
        "language": v.language,
        "image_url": v.image_url,
        "section": v.section,
        "tags": v.tags,
        "fetch_meta": v.fetch_meta,
        "extraction": v.extraction,
        "fetched_at": now,
    }


def _add_aliases(conn: Connection, article_id: int, hashes: Sequence[str]) -> None:
    rows = [{"url_hash": h, "article_id": article_id} for h in dict.fromkeys(hashes) if h]
    insert_ignore(conn, article_urls, rows, ["url_hash"])


def tombstone(conn: Connection, article_id: int, now: datetime) -> bool:
    """Delete an article for good: its content goes, its identity stays so it never returns."""
    res = conn.execute(
        update(articles)
        .where(articles.c.id == article_id, articles.c.deleted_at.is_(None))
        .values(deleted_at=now, text="", html=None, summary=None)
    )
    conn.execute(article_revisions.delete().where(article_revisions.c.article_id == article_id))
    return bool(res.rowcount)


EXPORT_COLUMNS = (
    articles.c.id,
    articles.c.url,
    articles.c.canonical_url,
    articles.c.title,
    articles.c.summary,
    articles.c.text,
    articles.c.authors,
    articles.c.published_at,
    articles.c.updated_at,
    articles.c.language,
    articles.c.image_url,
    articles.c.section,
    articles.c.tags,
    articles.c.source_id,
    sources.c.name.label("source_name"),
    articles.c.fetched_at,
    articles.c.discovered_at,
    articles.c.revision,
    articles.c.extraction,
)


def _filtered(source_id: int | None, since: datetime | None, include_text: bool = True) -> Any:
    cols = EXPORT_COLUMNS if include_text else tuple(c for c in EXPORT_COLUMNS if c.name != "text")
    q = (
        select(*cols)
        .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
        .where(articles.c.deleted_at.is_(None))
    )
    if source_id is not None:
        q = q.where(articles.c.source_id == source_id)
    if since is not None:
        q = q.where(articles.c.discovered_at >= since)
    return q


def list_recent(
    conn: Connection,
    *,
    limit: int = 20,
    source_id: int | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    q = _filtered(source_id, since, include_text=False).order_by(
        articles.c.discovered_at.desc(), articles.c.id.desc()
    )
    return [dict(r._mapping) for r in conn.execute(q.limit(limit))]


def iter_export(
    conn: Connection, *, source_id: int | None = None, since: datetime | None = None
) -> Iterator[dict[str, Any]]:
    """Every live article, streamed in id order (a server-side cursor on PostgreSQL)."""
    q = _filtered(source_id, since).order_by(articles.c.id)
    result = conn.execution_options(stream_results=True, yield_per=500).execute(q)
    for r in result:
        yield dict(r._mapping)


def get(conn: Connection, article_id: int) -> dict[str, Any] | None:
    row = conn.execute(
        select(articles, sources.c.name.label("source_name"))
        .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
        .where(articles.c.id == article_id)
    ).first()
    if row is None:
        return None
    out = dict(row._mapping)
    out["revisions"] = [
        dict(r._mapping)
        for r in conn.execute(
            select(article_revisions)
            .where(article_revisions.c.article_id == article_id)
            .order_by(article_revisions.c.revision)
        )
    ]
    return out


def count(conn: Connection, *, source_id: int | None = None) -> int:
    q = select(func.count()).select_from(articles).where(articles.c.deleted_at.is_(None))
    if source_id is not None:
        q = q.where(articles.c.source_id == source_id)
    return int(conn.execute(q).scalar() or 0)


def count_duplicates(conn: Connection) -> int:
    """Rows sharing a canonical URL hash (must be 0: the unique index guarantees it)."""
    sub = (
        select(articles.c.url_hash)
        .group_by(articles.c.url_hash)
        .having(func.count() > 1)
        .subquery()
    )
    return int(conn.execute(select(func.count()).select_from(sub)).scalar() or 0)


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]
