"""Assemble a running worker from settings: database, fetcher, extractor, signals."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any

import structlog

from mimir.config import Settings
from mimir.db.database import Database
from mimir.fetch.client import Fetcher
from mimir.jobs.worker import Worker, make_worker_id
from mimir.monitor.context import Context, Event
from mimir.monitor.extract import Extractor

log = structlog.get_logger("mimir.runtime")


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
    extractor = Extractor(procs)
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


async def run_worker(
    settings: Settings,
    *,
    stop: asyncio.Event | None = None,
    once: bool = False,
    source_ids: Sequence[int] | None = None,
    on_event: Callable[[Event], None] | None = None,
    db: Database | None = None,
) -> dict[str, int]:
    """Run until SIGTERM/SIGINT (graceful: stop claiming, finish or release leases)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    installed: dict[signal.Signals, Any] = {}
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            previous = signal.getsignal(sig)
            loop.add_signal_handler(sig, stop.set)
            installed[sig] = previous
    try:
        async with open_context(settings, db=db, on_event=on_event) as ctx:
            log.info("worker_started", worker=ctx.worker_id, once=once)
            stats = await Worker(ctx, source_ids=source_ids).run(stop, once=once)
            log.info("worker_stopped", worker=ctx.worker_id, **stats)
            return stats
    finally:
        for sig, previous in installed.items():
            loop.remove_signal_handler(sig)
            # put back what the caller had (the CLI's graceful handler), not the default that
            # remove_signal_handler leaves, so a signal during shutdown is still graceful
            if callable(previous) or previous in (signal.SIG_IGN, signal.SIG_DFL):
                signal.signal(sig, previous)
