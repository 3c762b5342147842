"""The article-page queue: enqueue (idempotent), claim fairly per host with a lease, finish."""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Connection,
    String,
    and_,
    bindparam,
    delete,
    func,
    literal,
    or_,
    select,
    type_coerce,
    union_all,
    update,
)

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

    Jobs are dealt out one host at a time, so one big site's backlog cannot fill a batch while
    other hosts wait: a feed's 50 new pages share one due time, and taking the oldest rows first
    used to hand a worker a few hosts, each limited to one request at a time. The host with the
    most due jobs goes first: a host can only be read one page per interval, so the longest
    backlog bounds when the work ends, and serving hosts in the order their feeds were read left
    a few hosts with most of their pages at the end, read at their polite rate while the rest of
    the machine idled.

    Two statements, each served by ``ix_article_jobs_host`` (state, host, due_at, id): the due
    jobs counted per host (from the index alone), then the first free rows of each chosen host
    in due order (one UNION ALL branch per host, each an index range that stops after a few
    rows). Ranking every due job within its host in one window function cost the writer time in
    proportion to the whole backlog (`python -m bench.claims`). The guarded UPDATE below is
    what keeps two workers from leasing the same row.
    """
    busy = busy_hosts or {}
    sids = list(source_ids) if source_ids is not None else None
    params: dict[str, Any] = {"now": now}
    if sids is not None:
        params["sids"] = sids
    backlogs = sorted(
        conn.execute(_BACKLOGS[sids is not None], params),
        key=lambda r: (-r.backlog, r.first_due, r.host),
    )
    hosts: list[tuple[str, int]] = []
    for r in backlogs:
        room = per_host - busy.get(r.host, 0)
        if room > 0:
            hosts.append((r.host, min(room, limit)))
            if len(hosts) >= limit:
                break
    if not hosts:
        return [], 0
    # branches come in powers of two (the spare ones take no rows): a handful of statement
    # shapes to compile once, not one per number of hosts (each compile costs tens of ms)
    branches = 1 << (len(hosts) - 1).bit_length()
    for i in range(branches):
        host, room = hosts[i] if i < len(hosts) else ("", 0)
        params[f"h{i}"] = host
        params[f"k{i}"] = room
    cand = conn.execute(_first_rows(branches, sids is not None), params).all()
    # deal: every chosen host's first row, then every host's second, ...; hosts by backlog
    nth: Counter[int] = Counter()
    dealt = []
    for r in sorted(cand, key=lambda r: (r.pos, r.due_at, r.id)):
        nth[r.pos] += 1
        dealt.append((nth[r.pos], r.pos, r.id, r.lease_owner))
    dealt.sort()
    chosen = {jid: owner for _nth, _pos, jid, owner in dealt[:limit]}  # in dealing order
    if not chosen:
        return [], 0
    rows = conn.execute(
        update(article_jobs)
        .where(article_jobs.c.id.in_(list(chosen)), _FREE)
        .values(lease_owner=worker, lease_expires_at=now + timedelta(seconds=lease_seconds))
        .returning(*article_jobs.c),
        {"now": now},
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
    order = {jid: i for i, jid in enumerate(chosen)}
    jobs.sort(key=lambda j: order[j.id])  # the worker starts them in this order
    return jobs, sum(1 for r in rows if chosen.get(r.id))


_DUE = and_(article_jobs.c.state == "pending", article_jobs.c.due_at <= bindparam("now"))
_FREE = or_(
    article_jobs.c.lease_expires_at.is_(None), article_jobs.c.lease_expires_at < bindparam("now")
)
_IN_SOURCES = article_jobs.c.source_id.in_(bindparam("sids", expanding=True))


def _backlogs(with_sources: bool) -> Any:
    """Due jobs per host (leased ones included: they are the host's work too)."""
    cond = and_(_DUE, _IN_SOURCES) if with_sources else _DUE
    return (
        select(
            article_jobs.c.host,
            func.count().label("backlog"),
            # compared, never shown: the driver's value as it comes (no datetime per host)
            type_coerce(func.min(article_jobs.c.due_at), String).label("first_due"),
        )
        .where(cond)
        .group_by(article_jobs.c.host)
    )


_BACKLOGS = {False: _backlogs(False), True: _backlogs(True)}


@functools.lru_cache(maxsize=256)
def _first_rows(hosts: int, with_sources: bool) -> Any:
    """The first `k{i}` free due rows of host `h{i}`, for i < hosts, in one statement (built
    once per shape: SQLAlchemy then reuses its compiled form)."""
    branches = []
    for i in range(hosts):
        cond = and_(_DUE, _FREE, article_jobs.c.host == bindparam(f"h{i}"))
        if with_sources:
            cond = and_(cond, _IN_SOURCES)
        first = (
            select(
                article_jobs.c.id,
                article_jobs.c.lease_owner,
                article_jobs.c.due_at,
                literal(i).label("pos"),
            )
            .where(cond)
            .order_by(article_jobs.c.due_at, article_jobs.c.id)
            .limit(bindparam(f"k{i}"))
            .subquery(f"b{i}")
        )
        branches.append(select(first))
    return union_all(*branches)


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
