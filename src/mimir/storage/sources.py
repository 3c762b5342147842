"""Sources: create, read, claim due ones with a lease, record the outcome of a check."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    and_,
    bindparam,
    case,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from mimir.db.tables import article_jobs, articles, fetch_log, sources
from mimir.errors import Conflict, InputError, NotFound
from mimir.model import Source, SourceKind, SourceSpec
from mimir.process.urls import canonicalize, host_of, url_hash

_SOURCE_FIELDS = {f.name for f in fields(Source)}


def _to_source(row: Row[Any] | Any) -> Source:
    data = {k: v for k, v in row._mapping.items() if k in _SOURCE_FIELDS}
    data["kind"] = SourceKind(data["kind"])
    data["settings"] = dict(data.get("settings") or {})
    return Source(**data)


def add_source(
    conn: Connection, spec: SourceSpec, now: datetime, *, rename: bool = False
) -> Source:
    """Store a new source, due now when enabled. A URL followed already -> InputError; so is
    a name taken, unless ``rename``: then the name gets the first free number ("News (2)"),
    as for a name read from a feed's title or an imported file rather than chosen."""
    url = canonicalize(spec.url)
    key = url_hash(url)
    same_url = conn.execute(
        select(sources.c.id, sources.c.name).where(sources.c.url_hash == key)
    ).first()
    if same_url is not None:
        raise InputError(f"source already exists: #{same_url.id} {same_url.name!r} ({url})")
    if rename:
        spec.name = free_name(conn, spec.name)
    same_name = conn.execute(
        select(sources.c.id, sources.c.url).where(sources.c.name == spec.name)
    ).first()
    if same_name is not None:
        raise InputError(
            f"the name {spec.name!r} is taken by source #{same_name.id} ({same_name.url}); "
            "choose another"
        )
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


# ---- the API's reads and edits (keyset pages, health, checked changes) ----------------------

#: statuses of a source whose last check failed (besides a count of consecutive errors)
FAILING_STATUSES = ("error", "robots_denied", "rate_limited")


def _failing() -> Any:
    return or_(
        sources.c.consecutive_errors > 0,
        sources.c.last_error_class.is_not(None),
        sources.c.status.in_(FAILING_STATUSES),
    )


def page_sources(
    conn: Connection,
    *,
    after_id: int = 0,
    limit: int = 50,
    enabled: bool | None = None,
    kind: SourceKind | None = None,
    failing: bool | None = None,
    text: str | None = None,
) -> list[Source]:
    """Sources in id order after ``after_id``; ``text`` matches name or URL (any case)."""
    q = select(sources).where(sources.c.id > after_id)
    if enabled is not None:
        q = q.where(sources.c.enabled == enabled)
    if kind is not None:
        q = q.where(sources.c.kind == kind.value)
    if failing is not None:
        q = q.where(_failing() if failing else ~_failing())
    if text:
        needle = text.lower()
        q = q.where(
            or_(
                func.lower(sources.c.name).contains(needle, autoescape=True),
                func.lower(sources.c.url).contains(needle, autoescape=True),
            )
        )
    return [_to_source(r) for r in conn.execute(q.order_by(sources.c.id).limit(limit))]


def get_source(conn: Connection, source_id: int) -> Source:
    """A source by id, or NotFound."""
    row = conn.execute(select(sources).where(sources.c.id == source_id)).first()
    if row is None:
        raise NotFound(f"source_id: no source #{source_id}")
    return _to_source(row)


def article_counts(
    conn: Connection, source_ids: Sequence[int], since: datetime
) -> dict[int, tuple[int, int]]:
    """(articles, of which discovered since ``since``) per source, for a page of sources."""
    if not source_ids:
        return {}
    recent = func.sum(case((articles.c.discovered_at >= since, 1), else_=0))
    rows = conn.execute(
        select(articles.c.source_id, func.count(), recent)
        .where(articles.c.source_id.in_(list(source_ids)), articles.c.deleted_at.is_(None))
        .group_by(articles.c.source_id)
    )
    return {int(r[0]): (int(r[1]), int(r[2] or 0)) for r in rows}


def followed(conn: Connection, urls: Sequence[str]) -> dict[str, tuple[int, str]]:
    """Of ``urls``, those a source follows already: url -> (source id, name)."""
    keys: dict[str, str] = {}
    for url in urls:
        try:
            keys.setdefault(url_hash(canonicalize(url)), url)
        except InputError:
            continue
    if not keys:
        return {}
    rows = conn.execute(
        select(sources.c.id, sources.c.name, sources.c.url_hash).where(
            sources.c.url_hash.in_(list(keys))
        )
    )
    return {keys[r.url_hash]: (int(r.id), str(r.name)) for r in rows}


def numbered_name(name: str, taken: Callable[[str], bool]) -> str:
    """``name``, or ``name (N)`` with the lowest N from 2 that is not ``taken``."""
    if not taken(name):
        return name
    n = 2
    while taken(f"{name} ({n})"):
        n += 1
    return f"{name} ({n})"


def renamed_note(original: str, name: str) -> str:
    """An import report's line on a source added under another name than the file gave."""
    return f"{original!r}: name already used, imported as {name!r}"


def free_name(conn: Connection, name: str) -> str:
    """``name``, or ``name (N)`` with the lowest N no source has."""
    taken = set(
        conn.execute(
            select(sources.c.name).where(
                or_(sources.c.name == name, sources.c.name.startswith(f"{name} (", autoescape=True))
            )
        ).scalars()
    )
    return numbered_name(name, taken.__contains__)


def _check_unique(
    conn: Connection, source_id: int | None, name: str | None, key: str | None
) -> None:
    conds = []
    if name is not None:
        conds.append(sources.c.name == name)
    if key is not None:
        conds.append(sources.c.url_hash == key)
    if not conds:
        return
    q = select(sources.c.id, sources.c.name, sources.c.url_hash).where(or_(*conds))
    if source_id is not None:
        q = q.where(sources.c.id != source_id)
    dup = conn.execute(q.limit(1)).first()
    if dup is not None:
        field = "url" if key is not None and dup.url_hash == key else "name"
        raise Conflict(f"{field}: source #{dup.id} {dup.name!r} has this {field} already")


def create_source(conn: Connection, spec: SourceSpec, now: datetime) -> Source:
    """Like `add_source`, but a name or URL taken is a Conflict naming the field."""
    _check_unique(conn, None, spec.name, url_hash(canonicalize(spec.url)))
    try:
        return add_source(conn, spec, now)
    except IntegrityError:  # a concurrent insert won the race
        raise Conflict("name or url: a source with this name or URL was just added") from None


def edit_source(conn: Connection, source_id: int, changes: dict[str, Any], now: datetime) -> Source:
    """Change a source's name, url, kind, category, note, enabled, settings (given keys only).

    A new URL or kind resets the validators and makes the source due now; enabling it too.
    """
    old = get_source(conn, source_id)
    values: dict[str, Any] = {"updated_at": now}
    name = changes.get("name")
    key = None
    if "url" in changes:
        url = canonicalize(changes["url"])
        if url != old.url:
            key = url_hash(url)
            values.update(url=url, url_hash=key, host=host_of(url))
    _check_unique(conn, source_id, name if name not in (None, old.name) else None, key)
    for field in ("name", "category", "note", "settings"):
        if field in changes:
            values[field] = changes[field]
    if "kind" in changes and changes["kind"] != old.kind:
        values["kind"] = SourceKind(changes["kind"]).value
    if "enabled" in changes:
        values["enabled"] = bool(changes["enabled"])
    if "url" in values or "kind" in values:
        values.update(etag=None, last_modified=None, next_check_at=now)
    if values.get("enabled") and not old.enabled:
        values["next_check_at"] = now
    try:
        row = conn.execute(
            update(sources).where(sources.c.id == source_id).values(**values).returning(*sources.c)
        ).one()
    except IntegrityError:
        raise Conflict("name or url: another source has it now") from None
    return _to_source(row)


def history_page(
    conn: Connection,
    source_id: int,
    *,
    before: tuple[datetime, int] | None = None,
    limit: int = 50,
) -> list[dict[str, Any]]:
    """The fetch log of a source, newest first, after the (started_at, id) key ``before``."""
    q = select(fetch_log).where(fetch_log.c.source_id == source_id)
    if before is not None:
        at, row_id = before
        q = q.where(
            or_(
                fetch_log.c.started_at < at,
                and_(fetch_log.c.started_at == at, fetch_log.c.id < row_id),
            )
        )
    q = q.order_by(fetch_log.c.started_at.desc(), fetch_log.c.id.desc()).limit(limit)
    return [dict(r._mapping) for r in conn.execute(q)]
