"""`Worker`: claims due sources and article pages in small batches and runs them concurrently.

Several workers (processes, pods) share one PostgreSQL database: each claim takes rows with a
lease (`FOR UPDATE SKIP LOCKED`), in-flight leases are renewed, a dead worker's leases expire
and are taken over. On SQLite the same code runs through one writer thread per process.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import time
import uuid
from collections import Counter
from collections.abc import Coroutine, Sequence
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import Connection, update

from mimir import metrics, tracing
from mimir.db.tables import article_jobs, sources
from mimir.model import ArticleJob, Source
from mimir.monitor.article import process_job
from mimir.monitor.context import Context
from mimir.monitor.refresh import refresh_source
from mimir.storage import jobs as job_store
from mimir.storage import sources as source_store
from mimir.storage.request_ids import job_requests, take_source_requests

log = structlog.get_logger("mimir.worker")


def make_worker_id() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


class Worker:
    """Runs the flow for due work until stopped (or until done, for one-shot refreshes)."""

    def __init__(
        self,
        ctx: Context,
        *,
        source_ids: Sequence[int] | None = None,
        drain_seconds: float = 10.0,
    ) -> None:
        self.ctx = ctx
        #: on stop, in-flight work gets this long to finish before it is cancelled
        self.drain_seconds = drain_seconds
        self.settings = ctx.settings
        self.source_ids = list(source_ids) if source_ids is not None else None
        self._sources: dict[int, Source] = {}
        self._inflight_sources: dict[int, asyncio.Task[Any]] = {}
        self._inflight_jobs: dict[int, asyncio.Task[Any]] = {}
        self._wake = asyncio.Event()
        self._last_claim = {"sources": 0.0, "jobs": 0.0}
        self._job_hosts: dict[int, str] = {}  # in-flight job -> its host (fair claims)
        self.stats = {"checks": 0, "jobs": 0, "takeovers": 0, "errors": 0}

    # ---- public ----------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event, *, once: bool = False) -> dict[str, int]:
        """Loop until `stop` is set; with `once`, until no due work is left for our sources."""
        renew = asyncio.create_task(self._renew_leases(stop))
        last_prune = 0.0
        try:
            while not stop.is_set():
                # idle before the claim: only a round that found nothing while nothing was in
                # flight proves there is no work left (tasks may finish during the round)
                was_idle = not (self._inflight_sources or self._inflight_jobs)
                claimed = await self._claim_round()
                if time.monotonic() - last_prune > 3600 and not once:
                    last_prune = time.monotonic()
                    await self.ctx.db.write(
                        source_store.prune_fetch_log, self.ctx.clock() - timedelta(days=30)
                    )
                busy = bool(self._inflight_sources or self._inflight_jobs)
                if once and not claimed and was_idle:
                    break
                if claimed and self._has_capacity():
                    continue
                await self._idle(stop, busy)
        finally:
            renew.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renew
            await self._drain()
        return self.stats

    # ---- claiming -----------------------------------------------------------------------------

    def _has_capacity(self) -> bool:
        cap = self.settings.worker_concurrency
        return len(self._inflight_sources) < cap or len(self._inflight_jobs) < cap

    def _room(self, inflight: int, kind: str, period: float) -> int:
        """How many rows to claim now. Claims are transactions: one per finished task would
        cost more than the work (measured: most of the writer's time), so while work is in
        flight a claim waits until a quarter of a batch is free and `period` has passed."""
        cap = self.settings.worker_concurrency
        batch = self.settings.worker_batch_size
        free = min(batch, cap - inflight)
        if free <= 0:
            return 0
        if not (self._inflight_sources or self._inflight_jobs):
            return free  # idle: look for work now
        if free < max(1, batch // 4) or time.monotonic() - self._last_claim[kind] < period:
            return 0
        return free

    async def _claim_round(self) -> int:
        now = self.ctx.clock()
        n = 0
        free = self._room(len(self._inflight_sources), "sources", 0.5)
        if free > 0:
            self._last_claim["sources"] = time.monotonic()
            claimed, requested = await self.ctx.db.write(
                _claim_sources,
                worker=self.ctx.worker_id,
                now=now,
                limit=free,
                lease_seconds=self.settings.lease_seconds,
                source_ids=self.source_ids,
            )
            self._note_takeovers(claimed.takeovers, "source")
            for s in claimed.sources:
                self._sources[s.id] = s
                self._spawn(self._inflight_sources, s.id, self._check(s, requested.get(s.id)))
            n += len(claimed.sources)
        free = self._room(len(self._inflight_jobs), "jobs", 0.1)
        if free > 0:
            self._last_claim["jobs"] = time.monotonic()
            jobs, takeovers, job_requested = await self.ctx.db.write(
                _claim_jobs,
                worker=self.ctx.worker_id,
                now=now,
                limit=free,
                lease_seconds=self.settings.lease_seconds,
                per_host=max(1, self.settings.per_host_concurrency * 2),
                source_ids=self.source_ids,
                busy_hosts=Counter(self._job_hosts.values()),
            )
            self._note_takeovers(takeovers, "article_job")
            if jobs:
                await self._load_sources({j.source_id for j in jobs})
            for j in jobs:
                self._job_hosts[j.id] = j.host
                self._spawn(self._inflight_jobs, j.id, self._job(j, job_requested.get(j.id)))
            n += len(jobs)
        return n

    def _note_takeovers(self, count: int, kind: str) -> None:
        metrics.count_takeovers("sources" if kind == "source" else "articles", count)
        if count:
            self.stats["takeovers"] += count
            log.warning("lease_takeover", kind=kind, count=count, worker=self.ctx.worker_id)

    async def _load_sources(self, ids: set[int]) -> None:
        missing = [i for i in ids if i not in self._sources]
        if missing:
            for s in await self.ctx.db.read(_sources_by_id, missing):
                self._sources[s.id] = s

    def _spawn(
        self, table: dict[int, asyncio.Task[Any]], key: int, coro: Coroutine[Any, Any, Any]
    ) -> None:
        task = asyncio.create_task(coro)
        table[key] = task

        def done(t: asyncio.Task[Any]) -> None:
            table.pop(key, None)
            if table is self._inflight_jobs:
                self._job_hosts.pop(key, None)
            self._wake.set()

        task.add_done_callback(done)

    # ---- running ------------------------------------------------------------------------------

    async def _check(self, source: Source, request_id: str | None = None) -> None:
        # each check is a task of its own: what is bound here is its log context alone
        _bind(source_id=source.id, request_id=request_id)
        try:
            with tracing.span("worker.check_source", {"mimir.source_id": source.id}):
                await refresh_source(self.ctx, source)
            self.stats["checks"] += 1
        except Exception:
            self.stats["errors"] += 1
            log.exception("source_check_crashed", source_id=source.id)
            await self._release_source(source.id)

    async def _job(self, job: ArticleJob, request_id: str | None = None) -> None:
        _bind(job_id=job.id, source_id=job.source_id, request_id=request_id)
        try:
            attrs = {"mimir.job_id": job.id, "mimir.source_id": job.source_id}
            with tracing.span("worker.article_job", attrs):
                result = await process_job(self.ctx, job, self._sources.get(job.source_id))
            log.info("article_job_done", outcome=result.outcome, article_id=result.article_id)
            self.stats["jobs"] += 1
        except Exception as exc:
            self.stats["errors"] += 1
            log.exception("article_job_crashed", job_id=job.id, url=job.url)
            error = f"internal error: {type(exc).__name__}: {exc}"
            with contextlib.suppress(Exception):
                if job.attempts + 1 >= self.ctx.settings.article_retry_limit:
                    # the same crash every time: give up, visibly (state failed, the error
                    # kept), rather than retrying every ten minutes for ever
                    await self.ctx.db.write(job_store.fail, job.id, error)
                else:
                    due = self.ctx.clock() + timedelta(minutes=10)
                    await self.ctx.db.write(job_store.retry_later, job.id, due, error)

    async def _release_source(self, source_id: int) -> None:
        with contextlib.suppress(Exception):
            await self.ctx.db.write(source_store.release, self.ctx.worker_id, [source_id])

    async def _idle(self, stop: asyncio.Event, busy: bool) -> None:
        """Sleep until a task finishes, work becomes due, or we are told to stop."""
        timeout = 0.2 if busy else self.settings.idle_sleep_seconds
        if not busy:
            due = await self.ctx.db.read(_next_due)
            if due is not None:
                wait = (due - self.ctx.clock()).total_seconds()
                timeout = max(0.05, min(timeout, wait))
        self._wake.clear()
        waiters = [asyncio.create_task(self._wake.wait()), asyncio.create_task(stop.wait())]
        try:
            await asyncio.wait(waiters, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for w in waiters:
                w.cancel()

    async def _renew_leases(self, stop: asyncio.Event) -> None:
        period = max(1.0, self.settings.lease_seconds / 3)
        while not stop.is_set():
            await asyncio.sleep(period)
            ids = list(self._inflight_sources)
            jids = list(self._inflight_jobs)
            if ids or jids:
                until = self.ctx.clock() + timedelta(seconds=self.settings.lease_seconds)
                with contextlib.suppress(Exception):
                    await self.ctx.db.write(_renew, self.ctx.worker_id, ids, jids, until)

    async def _drain(self, deadline_seconds: float | None = None) -> None:
        """Graceful stop: in-flight work gets `deadline_seconds` (`drain_seconds`) to finish
        (page fetches still queued for a per-host slot would take far longer), the rest is
        cancelled; then every lease this worker holds is released, so other workers take the
        rows at once."""
        if deadline_seconds is None:
            deadline_seconds = self.drain_seconds
        pending = [*self._inflight_sources.values(), *self._inflight_jobs.values()]
        if pending:
            log.info("worker_draining", inflight=len(pending), deadline_seconds=deadline_seconds)
            _done, still = await asyncio.wait(pending, timeout=deadline_seconds)
            for t in still:
                t.cancel()
            if still:
                await asyncio.wait(still, timeout=5)
                log.warning("worker_drain_cancelled", cancelled=len(still))
        released = await self.ctx.db.write(_release_all, self.ctx.worker_id)
        log.info("worker_leases_released", released=released)


def _bind(**keys: Any) -> None:
    """Bind the keys that have a value into this task's log context (a request's id is kept
    when the work runs inside that request, ``POST .../refresh?wait=true``)."""
    structlog.contextvars.bind_contextvars(**{k: v for k, v in keys.items() if v is not None})


def _claim_sources(conn: Connection, **kw: Any) -> tuple[source_store.Claimed, dict[int, str]]:
    """Claim due sources, and take the ids of the API requests that asked for them."""
    claimed = source_store.claim_due(conn, **kw)
    return claimed, take_source_requests(conn, [s.id for s in claimed.sources])


def _claim_jobs(conn: Connection, **kw: Any) -> tuple[list[ArticleJob], int, dict[int, str]]:
    """Claim due article jobs, with the request ids of those an API request caused."""
    jobs, takeovers = job_store.claim(conn, **kw)
    return jobs, takeovers, job_requests(conn, [j.id for j in jobs])


def _sources_by_id(conn: Connection, ids: list[int]) -> list[Source]:
    out = []
    for i in ids:
        with contextlib.suppress(Exception):
            out.append(source_store.find_source(conn, i))
    return out


def _next_due(conn: Connection) -> datetime | None:
    a = source_store.next_due_at(conn)
    b = job_store.next_due_at(conn)
    return min((d for d in (a, b) if d is not None), default=None)


def _renew(conn: Connection, worker: str, ids: list[int], jids: list[int], until: datetime) -> None:
    if ids:
        conn.execute(
            update(sources)
            .where(sources.c.lease_owner == worker, sources.c.id.in_(ids))
            .values(lease_expires_at=until)
        )
    if jids:
        conn.execute(
            update(article_jobs)
            .where(article_jobs.c.lease_owner == worker, article_jobs.c.id.in_(jids))
            .values(lease_expires_at=until)
        )


def _release_all(conn: Connection, worker: str) -> int:
    return int(source_store.release(conn, worker) or 0) + int(job_store.release(conn, worker) or 0)
