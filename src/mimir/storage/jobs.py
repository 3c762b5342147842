"""The article-page queue: enqueue (idempotent), claim fairly per host with a lease, finish."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection, and_, bindparam, delete, func, or_, select, update

from mimir.db.dialect import insert_ignore
from mimir.db.tables import article_jobs
from mimir.model import ArticleJob


def enqueue(conn: Connection, rows: Iterable[dict[str, Any]], now: datetime) -> int:
    """Queue page fetches; a URL already queued is left alone. Returns rows added."""
    values = [
        {
            "source_id": r["source_id"],
            "url": r["url"],
            "url_hash": r["url_hash"],
            "host": r["host"],
            "article_id": r.get("article_id"),
            "entry": r.get("entry") or {},
            "state": "pending",
            "due_at": r.get("due_at") or now,
            "attempts": 0,
            "created_at": now,
            "request_id": r.get("request_id"),  # the API request that caused it (logs)
        }
        for r in rows
    ]
    if not values:
        return 0
    return insert_ignore(conn, article_jobs, values, ["url_hash"])


def queued_hashes(conn: Connection, hashes: Sequence[str]) -> set[str]:
    if not hashes:
        return set()
    rows = conn.execute(
        select(article_jobs.c.url_hash).where(article_jobs.c.url_hash.in_(list(hashes)))
    )
    return {r.url_hash for r in rows}


def claim(
    conn: Connection,
    *,
    worker: str,
    now: datetime,
    limit: int,
    lease_seconds: int,
    per_host: int,
    source_ids: Sequence[int] | None = None,
    busy_hosts: Mapping[str, int] | None = None,
) -> tuple[list[ArticleJob], int]:
    """Lease up to `limit` due jobs spread over hosts: at most `per_host` per host, counting
    the `busy_hosts` this worker already has in flight. Returns (jobs, takeovers).

    Candidates are ranked within their host (a window function), so one big site's backlog
    cannot fill a batch while other hosts wait: a feed's 50 new pages share one due time, and
    taking the oldest rows first used to hand a worker a few hosts, each limited to one
    request at a time. Among hosts, the one with the most due jobs goes first: a host can only
    be read one page per interval, so the longest backlog bounds when the work ends, and
    serving hosts in the order their feeds were read left a few hosts with most of their pages
    at the end, read at their polite rate while the rest of the machine idled. Window functions
    cannot take row locks on PostgreSQL; the guarded UPDATE below is what keeps two workers from
    leasing the same row.
    """
    busy = busy_hosts or {}
    free = or_(article_jobs.c.lease_expires_at.is_(None), article_jobs.c.lease_expires_at < now)
    cond = and_(article_jobs.c.state == "pending", article_jobs.c.due_at <= now, free)
    if source_ids is not None:
        cond = and_(cond, article_jobs.c.source_id.in_(list(source_ids)))
    rank = (
        func.row_number()
        .over(partition_by=article_jobs.c.host, order_by=(article_jobs.c.due_at, article_jobs.c.id))
        .label("rank")
    )
    backlog = func.count().over(partition_by=article_jobs.c.host).label("backlog")
    ranked = (
        select(
            article_jobs.c.id,
            article_jobs.c.host,
            article_jobs.c.lease_owner,
            article_jobs.c.due_at,
            rank,
            backlog,
        )
        .where(cond)
        .subquery()
    )
    cand = conn.execute(
        select(ranked.c.id, ranked.c.host, ranked.c.lease_owner)
        .where(ranked.c.rank <= per_host)
        .order_by(ranked.c.rank, ranked.c.backlog.desc(), ranked.c.due_at, ranked.c.id)
        .limit(limit * 2)
    ).all()
    per: Counter[str] = Counter()
    chosen: dict[int, str | None] = {}
    for r in cand:
        if per[r.host] + busy.get(r.host, 0) >= per_host:
            continue
        per[r.host] += 1
        chosen[r.id] = r.lease_owner
        if len(chosen) >= limit:
            break
    if not chosen:
        return [], 0
    rows = conn.execute(
        update(article_jobs)
        .where(article_jobs.c.id.in_(list(chosen)), free)
        .values(lease_owner=worker, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(*article_jobs.c)
    ).all()
    jobs = [
        ArticleJob(
            id=r.id,
            source_id=r.source_id,
            url=r.url,
            url_hash=r.url_hash,
            entry=dict(r.entry or {}),
            attempts=r.attempts,
            article_id=r.article_id,
            lease_owner=r.lease_owner,
            host=r.host,
        )
        for r in rows
    ]
    return jobs, sum(1 for r in rows if chosen.get(r.id))


_FINISH = delete(article_jobs).where(article_jobs.c.id == bindparam("jid"))


def finish(conn: Connection, job_id: int) -> None:
    conn.execute(_FINISH, {"jid": job_id})


def retry_later(conn: Connection, job_id: int, due_at: datetime, error: str) -> None:
    conn.execute(
        update(article_jobs)
        .where(article_jobs.c.id == job_id)
        .values(
            due_at=due_at,
            attempts=article_jobs.c.attempts + 1,
            last_error=error[:2000],
            lease_owner=None,
            lease_expires_at=None,
        )
    )


def fail(conn: Connection, job_id: int, error: str) -> None:
    """Give up on a page; the row stays (state failed) so the URL is not queued again."""
    conn.execute(
        update(article_jobs)
        .where(article_jobs.c.id == job_id)
        .values(
            state="failed",
            attempts=article_jobs.c.attempts + 1,
            last_error=error[:2000],
            lease_owner=None,
            lease_expires_at=None,
        )
    )


def release(conn: Connection, worker: str) -> int:
    return (
        conn.execute(
            update(article_jobs)
            .where(article_jobs.c.lease_owner == worker)
            .values(lease_owner=None, lease_expires_at=None)
        ).rowcount
        or 0
    )


def counts(conn: Connection, now: datetime) -> dict[str, Any]:
    """Queue depth by state and the age of the oldest due job."""
    out: dict[str, Any] = {"pending": 0, "failed": 0}
    for r in conn.execute(
        select(article_jobs.c.state, func.count()).group_by(article_jobs.c.state)
    ):
        out[r[0]] = r[1]
    oldest = conn.execute(
        select(func.min(article_jobs.c.due_at)).where(
            article_jobs.c.state == "pending", article_jobs.c.due_at <= now
        )
    ).scalar()
    out["oldest_due_seconds"] = (now - oldest).total_seconds() if oldest else 0.0
    return out


def next_due_at(conn: Connection) -> datetime | None:
    return conn.execute(
        select(func.min(article_jobs.c.due_at)).where(article_jobs.c.state == "pending")
    ).scalar()
