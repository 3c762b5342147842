"""Assemble a running worker from settings: database, fetcher, extractor, signals."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import structlog

from mimir import tracing
from mimir.alerts.matching import WatchSet
from mimir.alerts.sender import OutboxSender, run_digests
from mimir.config import Settings
from mimir.db.database import Database
from mimir.fetch.client import Fetcher
from mimir.jobs.worker import Worker, make_worker_id
from mimir.monitor.context import Context, Event
from mimir.monitor.extract import Extractor
from mimir.samplers import sample_every
from mimir.storage import watches as watch_store

log = structlog.get_logger("mimir.runtime")


def settle_heap() -> None:
    """Once, in a long-running process that has finished starting (``mimir worker``,
    ``mimir run``): collect, then freeze (``gc.freeze``) what exists, the imported modules,
    settings and the database engine, which live as long as the process. The cyclic
    collector's full collections then scan only what the work allocates since (in a worker,
    some 200,000 objects fewer; the extraction processes do the same in
    ``mimir.parse.article.warm_up``). Not for code that runs many workers in one process
    (tests): what a freeze keeps is never collected."""
    gc.collect()
    gc.freeze()


@contextlib.asynccontextmanager
async def open_context(
    settings: Settings,
    *,
    db: Database | None = None,
    on_event: Callable[[Event], None] | None = None,
    extract_processes: int | None = None,
) -> AsyncIterator[Context]:
    """A Context whose fetcher, extractor (and database, unless given) close on exit."""
    own_db = db is None
    database = db or Database(settings)
    procs = settings.extract_processes if extract_processes is None else extract_processes
    extractor = Extractor(procs, timeout=settings.extract_timeout_seconds)
    try:
        async with Fetcher(settings) as fetcher:
            yield Context(
                settings=settings,
                db=database,
                fetcher=fetcher,
                extractor=extractor,
                worker_id=make_worker_id(),
                on_event=on_event,
            )
    finally:
        extractor.close()
        if own_db:
            database.close()


async def _watch_upkeep(
    ctx: Context, done: asyncio.Event, *, every: float = 5.0, digests_every: float = 30.0
) -> None:
    """Swap in a new watch set when watches change; queue digests whose window closed."""
    last_digests = 0.0
    loop = asyncio.get_running_loop()
    while not done.is_set():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(done.wait(), every)
        if done.is_set():
            return
        try:
            version = await ctx.db.read(watch_store.watches_version)
            if version != ctx.watches.version:
                ctx.watches = await ctx.db.read(WatchSet.load, ctx.watches)
                log.info("watches_reloaded", watches=len(ctx.watches))
            if loop.time() - last_digests >= digests_every:
                last_digests = loop.time()
                queued = await ctx.db.write(
                    run_digests, ctx.clock(), ctx.settings.digest_daily_hour
                )
                if queued and ctx.wake_sender is not None:
                    ctx.wake_sender()
        except Exception:  # the database may be away for a moment: try again next round
            log.exception("watch_upkeep_error")


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    once: bool = False,
    source_ids: Sequence[int] | None = None,
    on_event: Callable[[Event], None] | None = None,
    db: Database | None = None,
) -> dict[str, int]:
    """Run until SIGTERM/SIGINT, then stop gracefully within ``MIMIR_SHUTDOWN_GRACE_SECONDS``:
    stop claiming; in-flight work finishes or is cancelled, and every lease is released; the
    outbox sender delivers what is due and releases the rest; pools close (docs/operations.md,
    "Graceful shutdown")."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    tracing.configure(settings)
    grace = settings.shutdown_grace_seconds
    # the last part of the grace period is kept for closing (pools, the extractor, spans)
    reserve = min(5.0, grace / 4)
    stopped_at: list[float] = []

    async def note_stop() -> None:
        await stop.wait()
        stopped_at.append(loop.time())
        log.info("worker_stopping", grace_seconds=grace)

    noting = asyncio.create_task(note_stop())
    installed: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            previous = signal.getsignal(sig)
            loop.add_signal_handler(sig, stop.set)
            installed[sig] = previous
    try:
        async with open_context(settings, db=db, on_event=on_event) as ctx:
            log.info("worker_started", worker=ctx.worker_id, once=once)
            ctx.watches = await ctx.db.read(WatchSet.load)
            sender = OutboxSender(ctx.db, settings, ctx.worker_id)
            ctx.wake_sender = sender.wake
            done = asyncio.Event()
            background = [asyncio.create_task(_watch_upkeep(ctx, done))]
            if not once:
                background.append(asyncio.create_task(sender.run(done)))
                # queue depth and lag, pool, Redis: the worker's sampled gauges (docs/metrics.md)
                background.append(asyncio.create_task(sample_every(settings, ctx.db, done)))
            worker = Worker(ctx, source_ids=source_ids, drain_seconds=max(0.5, grace - reserve))
            try:
                stats = await worker.run(stop, once=once)
            finally:
                # the outbox is flushed until shortly before the end of the grace period
                sender.flush_until = (stopped_at[0] if stopped_at else loop.time()) + max(
                    0.0, grace - reserve / 2
                )
                done.set()
                await asyncio.gather(*background, return_exceptions=True)
            if once:  # a one-shot pass also sends what it queued (bounded: a few rounds)
                for _ in range(10):
                    if not await sender.run_once():
                        break
                await sender.close()
            stats = {**stats, **{f"notifications_{k}": v for k, v in sender.stats.items()}}
            log.info("worker_stopped", worker=ctx.worker_id, **stats)
            return stats
    finally:
        noting.cancel()
        for sig, previous in installed.items():
            loop.remove_signal_handler(sig)
            # put back what the caller had (the CLI's graceful handler), not the default that
            # remove_signal_handler leaves, so a signal during shutdown is still graceful
            if callable(previous) or previous in (signal.SIG_IGN, signal.SIG_DFL):
                signal.signal(sig, previous)
