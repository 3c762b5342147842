"""Sources: create, read, claim due ones with a lease, record the outcome of a check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)

from mimir.db.tables import article_jobs, articles, fetch_log, sources
from mimir.errors import InputError, NotFound
from mimir.model import Source, SourceKind, SourceSpec
from mimir.process.urls import canonicalize, host_of, url_hash

_SOURCE_FIELDS = {f.name for f in fields(Source)}


def _to_source(row: Row[Any] | Any) -> Source:
    data = {k: v for k, v in row._mapping.items() if k in _SOURCE_FIELDS}
    data["kind"] = SourceKind(data["kind"])
    data["settings"] = dict(data.get("settings") or {})
    return Source(**data)


def add_source(conn: Connection, spec: SourceSpec, now: datetime) -> Source:
    """Store a new source, due now when enabled. Duplicate URL or name -> InputError."""
    url = canonicalize(spec.url)
    key = url_hash(url)
    dup = conn.execute(
        select(sources.c.id, sources.c.name).where(
            or_(sources.c.url_hash == key, sources.c.name == spec.name)
        )
    ).first()
    if dup is not None:
        raise InputError(f"source already exists: #{dup.id} {dup.name!r}")
    row = conn.execute(
        insert(sources)
        .values(
            name=spec.name,
            url=url,
            url_hash=key,
            kind=spec.kind.value,
            host=host_of(url),
            enabled=spec.enabled,
            category=spec.category,
            note=spec.note,
            settings=spec.settings,
            next_check_at=now,
            created_at=now,
            updated_at=now,
        )
        .returning(*sources.c)
    ).one()
    return _to_source(row)


def find_source(conn: Connection, ref: str | int) -> Source:
    """A source by id, exact name or URL."""
    cond: Any
    if isinstance(ref, int) or (isinstance(ref, str) and ref.isdigit()):
        cond = sources.c.id == int(ref)
    else:
        try:
            key = url_hash(canonicalize(ref))
        except Exception:
            key = ""
        cond = or_(sources.c.name == ref, sources.c.url_hash == key)
    row = conn.execute(select(sources).where(cond)).first()
    if row is None:
        raise NotFound(f"no source {ref!r}")
    return _to_source(row)


def list_sources(
    conn: Connection, *, enabled: bool | None = None, status: str | None = None
) -> list[Source]:
    counts = (
        select(articles.c.source_id, func.count().label("n"))
        .where(articles.c.deleted_at.is_(None))
        .group_by(articles.c.source_id)
        .subquery()
    )
    q = select(sources, func.coalesce(counts.c.n, 0).label("article_count")).outerjoin(
        counts, counts.c.source_id == sources.c.id
    )
    if enabled is not None:
        q = q.where(sources.c.enabled == enabled)
    if status is not None:
        q = q.where(sources.c.status == status)
    return [_to_source(r) for r in conn.execute(q.order_by(sources.c.id))]


def all_specs(conn: Connection) -> list[SourceSpec]:
    return [s.to_spec() for s in list_sources(conn)]


def set_enabled(conn: Connection, source_id: int, enabled: bool, now: datetime) -> None:
    values: dict[str, Any] = {"enabled": enabled, "updated_at": now}
    if enabled:
        values["next_check_at"] = now
    conn.execute(update(sources).where(sources.c.id == source_id).values(**values))


def update_url(conn: Connection, source_id: int, url: str, now: datetime) -> None:
    """Point a source at a new URL (same source: its articles and history stay)."""
    canonical = canonicalize(url)
    conn.execute(
        update(sources)
        .where(sources.c.id == source_id)
        .values(
            url=canonical,
            url_hash=url_hash(canonical),
            host=host_of(canonical),
            etag=None,
            last_modified=None,
            next_check_at=now,
            updated_at=now,
        )
    )


def update_settings(
    conn: Connection, source_id: int, settings: dict[str, Any], now: datetime
) -> None:
    conn.execute(
        update(sources).where(sources.c.id == source_id).values(settings=settings, updated_at=now)
    )


def remove_source(conn: Connection, source_id: int) -> None:
    """Delete a source, its queue and history. Its articles stay (source_id becomes NULL)."""
    conn.execute(delete(article_jobs).where(article_jobs.c.source_id == source_id))
    conn.execute(delete(fetch_log).where(fetch_log.c.source_id == source_id))
    conn.execute(update(articles).where(articles.c.source_id == source_id).values(source_id=None))
    conn.execute(delete(sources).where(sources.c.id == source_id))


def make_due(conn: Connection, source_ids: Sequence[int] | None, now: datetime) -> int:
    """Mark sources due now (refresh now). None means every enabled source."""
    q = update(sources).values(next_check_at=now)
    q = (
        q.where(sources.c.id.in_(source_ids))
        if source_ids is not None
        else q.where(sources.c.enabled.is_(True))
    )
    return conn.execute(q).rowcount or 0


@dataclass(slots=True)
class Claimed:
    sources: list[Source]
    takeovers: int


def claim_due(
    conn: Connection,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease_seconds: int,
    source_ids: Sequence[int] | None = None,
) -> Claimed:
    """Lease up to `limit` due sources (FOR UPDATE SKIP LOCKED on PostgreSQL).

    The UPDATE re-checks the lease, so two claimers never both win a row, on SQLite as well.
    `source_ids` restricts the claim to those sources, enabled or not (one-shot refreshes).
    """
    free = or_(sources.c.lease_expires_at.is_(None), sources.c.lease_expires_at < now)
    cond: Any = and_(free, sources.c.next_check_at <= now)
    if source_ids is None:
        cond = and_(cond, sources.c.enabled.is_(True))
    else:
        cond = and_(cond, sources.c.id.in_(list(source_ids)))
    cand = conn.execute(
        select(sources.c.id, sources.c.lease_owner)
        .where(cond)
        .order_by(sources.c.next_check_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    if not cand:
        return Claimed([], 0)
    old_owner = {r.id: r.lease_owner for r in cand}
    rows = conn.execute(
        update(sources)
        .where(sources.c.id.in_(list(old_owner)), free)
        .values(lease_owner=worker, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(*sources.c)
    ).all()
    takeovers = sum(1 for r in rows if old_owner.get(r.id))
    return Claimed([_to_source(r) for r in rows], takeovers)


def release(conn: Connection, worker: str, source_ids: Sequence[int] | None = None) -> int:
    """Give back leases this worker holds (graceful shutdown)."""
    q = update(sources).where(sources.c.lease_owner == worker)
    if source_ids is not None:
        q = q.where(sources.c.id.in_(source_ids))
    return conn.execute(q.values(lease_owner=None, lease_expires_at=None)).rowcount or 0


_RECORD_STATEMENTS: dict[frozenset[str], Any] = {}
_LOG_INSERT = insert(fetch_log)


def _record_statement(keys: frozenset[str]) -> Any:
    """A prebuilt UPDATE for one set of columns (statement building costs more than SQLite)."""
    stmt = _RECORD_STATEMENTS.get(keys)
    if stmt is None:
        stmt = (
            update(sources)
            .where(sources.c.id == bindparam("_source_id"))
            .values(
                {
                    **{k: bindparam(k) for k in sorted(keys)},
                    "total_checks": sources.c.total_checks + 1,
                    "total_errors": sources.c.total_errors + bindparam("_errors"),
                }
            )
        )
        _RECORD_STATEMENTS[keys] = stmt
    return stmt


def record_checks(
    conn: Connection, items: Sequence[tuple[int, dict[str, Any], dict[str, Any]]]
) -> list[None]:
    """Write checks' outcomes and schedules, release their leases, append to the fetch log.

    Each item is (source_id, column values, fetch-log row); many at once use executemany.
    """
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    logs = []
    for source_id, values, log in items:
        row = dict(values, lease_owner=None, lease_expires_at=None)
        errors = 1 if row.pop("_error", False) else 0
        groups.setdefault(frozenset(row), []).append(
            dict(row, _source_id=source_id, _errors=errors)
        )
        logs.append(dict(log, source_id=source_id))
    for keys, rows in groups.items():
        conn.execute(_record_statement(keys), rows)
    if logs:
        conn.execute(_LOG_INSERT, logs)
    return [None] * len(items)


def record_check(
    conn: Connection, source_id: int, values: dict[str, Any], log: dict[str, Any]
) -> None:
    """One check's outcome (see `record_checks`)."""
    record_checks(conn, [(source_id, values, log)])


def fetch_history(conn: Connection, source_id: int, limit: int = 20) -> list[dict[str, Any]]:
    rows = conn.execute(
        select(fetch_log)
        .where(fetch_log.c.source_id == source_id)
        .order_by(fetch_log.c.started_at.desc(), fetch_log.c.id.desc())
        .limit(limit)
    )
    return [dict(r._mapping) for r in rows]


def prune_fetch_log(conn: Connection, before: datetime) -> int:
    return conn.execute(delete(fetch_log).where(fetch_log.c.started_at < before)).rowcount or 0


def next_due_at(conn: Connection) -> datetime | None:
    return conn.execute(
        select(func.min(sources.c.next_check_at)).where(sources.c.enabled.is_(True))
    ).scalar()
