"""What the admin's status page reads: workers (their leases and last activity), the queues
(due sources, due article fetches, the notification outbox) and the database.

Every query is bounded: counts over the job tables stop at :data:`COUNT_CAP` (the page shows
"10,000+"), leases are looked for among the oldest due rows only (workers claim the oldest
first), activity is read from the newest rows of the logs by primary key; all ride the
indexes the workers' own queries use (``ix_sources_due``, ``ix_article_jobs_due``,
``ix_outbox_due``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, func, literal, select, text

from mimir.db.tables import article_jobs, delivery_attempts, fetch_log, outbox, sources
from mimir.storage.alerts import OUTBOX_DEAD, OUTBOX_PENDING

#: counts stop here: the page says "more than" rather than scanning a huge backlog
COUNT_CAP = 10_000
#: leases are looked for among this many of the oldest due rows of a queue
LEASE_WINDOW = 2_000
#: activity is read from this many of the newest log rows
ACTIVITY_ROWS = 500


@dataclass(frozen=True, slots=True)
class Count:
    value: int
    capped: bool  # there are more than ``value``


@dataclass(slots=True)
class Worker:
    name: str
    sources: int = 0  # sources it holds a lease on now
    jobs: int = 0  # article fetches
    notifications: int = 0  # outbox rows
    lease_until: datetime | None = None
    last_fetch_at: datetime | None = None
    last_delivery_at: datetime | None = None

    @property
    def last_seen(self) -> datetime | None:
        seen = [t for t in (self.last_fetch_at, self.last_delivery_at) if t is not None]
        return max(seen) if seen else None


@dataclass(frozen=True, slots=True)
class Queue:
    sources_due: Count
    sources_oldest_due: datetime | None
    sources_next_due: datetime | None
    jobs_due: Count
    jobs_pending: Count
    jobs_failed: Count
    jobs_oldest_due: datetime | None
    outbox_due: Count
    outbox_pending: Count
    outbox_dead: Count
    outbox_oldest_due: datetime | None


@dataclass(frozen=True, slots=True)
class DatabaseInfo:
    dialect: str
    revision: str | None
    head: str | None
    size_bytes: int | None

    @property
    def current(self) -> bool:
        return self.revision is not None and self.revision == self.head


@dataclass(slots=True)
class Status:
    queue: Queue
    workers: list[Worker] = field(default_factory=list)


def capped_count(conn: Connection, stmt: Any, cap: int = COUNT_CAP) -> Count:
    """``count(*)`` of ``stmt`` (a SELECT), stopping after ``cap`` rows."""
    sub = stmt.limit(cap + 1).subquery()
    n = int(conn.execute(select(func.count()).select_from(sub)).scalar_one())
    return Count(min(n, cap), n > cap)


def queue(conn: Connection, now: datetime) -> Queue:
    s_due = sources.c.enabled.is_(True) & (sources.c.next_check_at <= now)
    j_pending = article_jobs.c.state == "pending"
    o_pending = outbox.c.state == OUTBOX_PENDING
    return Queue(
        sources_due=capped_count(conn, select(literal(1)).where(s_due)),
        sources_oldest_due=conn.execute(
            select(func.min(sources.c.next_check_at)).where(s_due)
        ).scalar(),
        sources_next_due=conn.execute(
            select(func.min(sources.c.next_check_at)).where(
                sources.c.enabled.is_(True), sources.c.next_check_at > now
            )
        ).scalar(),
        jobs_due=capped_count(
            conn, select(literal(1)).where(j_pending, article_jobs.c.due_at <= now)
        ),
        jobs_pending=capped_count(conn, select(literal(1)).where(j_pending)),
        jobs_failed=capped_count(conn, select(literal(1)).where(article_jobs.c.state == "failed")),
        jobs_oldest_due=conn.execute(
            select(func.min(article_jobs.c.due_at)).where(j_pending, article_jobs.c.due_at <= now)
        ).scalar(),
        outbox_due=capped_count(conn, select(literal(1)).where(o_pending, outbox.c.due_at <= now)),
        outbox_pending=capped_count(conn, select(literal(1)).where(o_pending)),
        outbox_dead=capped_count(conn, select(literal(1)).where(outbox.c.state == OUTBOX_DEAD)),
        outbox_oldest_due=conn.execute(
            select(func.min(outbox.c.due_at)).where(o_pending, outbox.c.due_at <= now)
        ).scalar(),
    )


def workers(conn: Connection, now: datetime) -> list[Worker]:
    """Who holds leases now (sources; among the oldest due article fetches and notifications)
    and when each worker last fetched or delivered (from the newest log rows)."""
    found: dict[str, Worker] = {}

    def get(name: str) -> Worker:
        return found.setdefault(name, Worker(name))

    def held(name: str, until: datetime | None) -> Worker:
        w = get(name)
        if until is not None and (w.lease_until is None or until > w.lease_until):
            w.lease_until = until
        return w

    for owner, n, until in conn.execute(
        select(sources.c.lease_owner, func.count(), func.max(sources.c.lease_expires_at))
        .where(sources.c.lease_owner.is_not(None), sources.c.lease_expires_at > now)
        .group_by(sources.c.lease_owner)
    ):
        held(owner, until).sources += int(n)
    for table, attr in ((article_jobs, "jobs"), (outbox, "notifications")):
        oldest = (
            select(table.c.lease_owner, table.c.lease_expires_at)
            .where(table.c.state == "pending", table.c.due_at <= now)
            .order_by(table.c.due_at)
            .limit(LEASE_WINDOW)
            .subquery()
        )
        for owner, n, until in conn.execute(
            select(oldest.c.lease_owner, func.count(), func.max(oldest.c.lease_expires_at))
            .where(oldest.c.lease_owner.is_not(None), oldest.c.lease_expires_at > now)
            .group_by(oldest.c.lease_owner)
        ):
            w = held(owner, until)
            setattr(w, attr, getattr(w, attr) + int(n))
    recent_fetches = (
        select(fetch_log.c.worker, fetch_log.c.started_at)
        .order_by(fetch_log.c.id.desc())
        .limit(ACTIVITY_ROWS)
        .subquery()
    )
    for name, at in conn.execute(
        select(recent_fetches.c.worker, func.max(recent_fetches.c.started_at))
        .where(recent_fetches.c.worker.is_not(None))
        .group_by(recent_fetches.c.worker)
    ):
        get(name).last_fetch_at = at
    recent_deliveries = (
        select(delivery_attempts.c.worker, delivery_attempts.c.attempted_at)
        .order_by(delivery_attempts.c.id.desc())
        .limit(ACTIVITY_ROWS)
        .subquery()
    )
    for name, at in conn.execute(
        select(recent_deliveries.c.worker, func.max(recent_deliveries.c.attempted_at))
        .where(recent_deliveries.c.worker.is_not(None))
        .group_by(recent_deliveries.c.worker)
    ):
        get(name).last_delivery_at = at
    return sorted(found.values(), key=lambda w: w.name)


def status(conn: Connection, now: datetime) -> Status:
    return Status(queue(conn, now), workers(conn, now))


def database_info(conn: Connection, head: str | None) -> DatabaseInfo:
    """The dialect, the migration revision the database is at, and its size (cheap on both
    dialects: PostgreSQL keeps it, SQLite is pages times page size)."""
    from alembic.runtime.migration import MigrationContext

    dialect = conn.dialect.name
    revision = MigrationContext.configure(conn).get_current_revision()
    size: int | None = None
    try:
        if dialect == "postgresql":
            size = int(
                conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one()
            )
        elif dialect == "sqlite":
            pages = int(conn.execute(text("PRAGMA page_count")).scalar_one())
            page_size = int(conn.execute(text("PRAGMA page_size")).scalar_one())
            size = pages * page_size
    except Exception:  # a permission or an unusual engine: the size is a nicety
        size = None
    return DatabaseInfo(dialect, revision, head, size)
