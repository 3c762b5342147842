"""Database access for async code: reads in threads, writes through one group-committing writer.

SQLite allows one writer at a time, so every write of a process goes through a single thread
that batches the pending write functions into one transaction (group commit). PostgreSQL gets the
same path: batching many small idempotent writes per commit is what lets one worker record
hundreds of checks per second. A write function must be idempotent: if a batch fails, it is
rolled back and each function is retried alone, so one bad write never takes others down.

Two things keep the writer's own cost per write small (it shares the process, and on a 2-core
machine the CPU, with the event loop and the extraction pool): the results of a batch reach
each event loop in one wake-up, not one per write; and writes submitted with ``write_soon``
(an article stored by a worker: nobody waits on it but its own job) let the writer wait up to
``linger_seconds`` for company, so that one commit carries several of them. Plain ``write``
(claims, API requests) never waits.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import structlog
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from mimir import tracing
from mimir.config import Settings
from mimir.db.engine import make_engine

T = TypeVar("T")
log = structlog.get_logger("mimir.db")

_STOP = object()


class _Write:
    """One queued write and the future (of the event loop that awaits it) for its result."""

    __slots__ = ("args", "batched", "fn", "future", "kwargs", "lingers", "loop")

    def __init__(
        self,
        fn: Callable[..., Any],
        args: Any,
        kwargs: Any,
        future: asyncio.Future[Any],
        loop: asyncio.AbstractEventLoop,
        batched: bool,
        lingers: bool,
    ) -> None:
        self.fn, self.args, self.kwargs, self.future, self.loop = fn, args, kwargs, future, loop
        self.batched, self.lingers = batched, lingers


def _deliver(results: list[tuple[_Write, Any, BaseException | None]]) -> None:
    """Hand the results to their event loops: one wake-up per loop, not one per write."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Write, Any, BaseException | None]]] = {}
    for r in results:
        by_loop.setdefault(r[0].loop, []).append(r)
    for loop, items in by_loop.items():
        with contextlib.suppress(RuntimeError):  # that loop is closed: nobody is waiting
            loop.call_soon_threadsafe(_set_results, items)


def _set_results(items: list[tuple[_Write, Any, BaseException | None]]) -> None:
    for w, res, exc in items:
        if w.future.done():  # cancelled while it waited
            continue
        if exc is not None:
            w.future.set_exception(exc)
        else:
            w.future.set_result(res)


class Database:
    """One engine plus a writer thread; `read`/`write` are awaitable, `sync_*` are blocking."""

    def __init__(
        self,
        settings: Settings,
        engine: Engine | None = None,
        *,
        batch_size: int = 200,
        linger_seconds: float = 0.25,
    ):
        self.settings = settings
        #: how long the writer may wait for more writes once a ``write_soon`` arrived: at
        #: 50 articles/s, 250 ms gives commits of about 8 stores (2 at 20 ms), and the writer's
        #: CPU per article fell from 4.5-5.2 ms to 3.0 (bench.ingest, 40 feeds); an article
        #: reaches readers and alerts at most that much later
        self.linger_seconds = linger_seconds
        self.engine = engine or make_engine(settings)
        self.dialect = self.engine.dialect.name
        self._batch_size = batch_size
        self._queue: queue.Queue[Any] = queue.Queue()
        self._writer: threading.Thread | None = None
        #: the writer's transactions, the writes they carried and its thread's CPU seconds
        self.writer_stats = {"commits": 0, "writes": 0, "cpu_seconds": 0.0}
        self._readers = ThreadPoolExecutor(
            max_workers=2 if self.dialect == "sqlite" else settings.database_pool_size,
            thread_name_prefix="mimir-db-read",
        )
        self._lock = threading.Lock()
        self._local = threading.local()
        self._reader_connections: list[Connection] = []
        tracing.instrument_database(self)  # SQL spans when MIMIR_OTEL_ENDPOINT is set

    # ---- blocking API (CLI, tests) -------------------------------------------------------

    def sync_read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.engine.connect() as conn:
            return fn(conn, *args, **kwargs)

    def sync_read_quick(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like ``sync_read``, for reads that need no transaction (no server-side cursor, no
        snapshot shared by several statements): the API's hot paths. On PostgreSQL each thread
        keeps one autocommit connection for them, so such a read is one round trip (no pool
        checkout and ping, no BEGIN, no ROLLBACK: four before); a connection the server
        dropped is replaced and the read tried once more."""
        if self.dialect != "postgresql":
            return self.sync_read(fn, *args, **kwargs)
        for attempt in (1, 2):
            conn = self._reader_connection()
            try:
                return fn(conn, *args, **kwargs)
            except DBAPIError as exc:
                if not exc.connection_invalidated or attempt == 2:
                    raise
                self._drop_reader_connection()
            finally:
                if not conn.closed and not conn.invalidated:
                    conn.rollback()  # ends SQLAlchemy's autobegun transaction; no round trip
        raise AssertionError("unreachable")

    def _reader_connection(self) -> Connection:
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed or conn.invalidated:
            conn = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
            self._local.conn = conn
            with self._lock:
                self._reader_connections.append(conn)
        return conn

    def _drop_reader_connection(self) -> None:
        conn: Connection | None = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()

    def sync_write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        with self.engine.begin() as conn:
            return fn(conn, *args, **kwargs)

    # ---- async API (workers) -------------------------------------------------------------

    async def read(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._readers, lambda: self.sync_read(fn, *args, **kwargs)
        )

    async def read_quick(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``sync_read_quick`` in a reader thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(
            self._readers, lambda: self.sync_read_quick(fn, *args, **kwargs)
        )

    async def write(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        result: T = await self._submit(fn, args, kwargs, batched=False, lingers=False)
        return result

    async def write_soon(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Like `write`, for writes that may wait up to ``linger_seconds`` to share a commit
        with others (the worker's article stores)."""
        result: T = await self._submit(fn, args, kwargs, batched=False, lingers=True)
        return result

    async def write_many(self, fn: Callable[[Connection, list[Any]], list[T]], item: Any) -> T:
        """Like `write`, but pending calls of the same `fn` are merged: `fn(conn, items)` runs
        once for all of them (executemany) and returns one result per item."""
        result: T = await self._submit(fn, (item,), {}, batched=True, lingers=False)
        return result

    async def _submit(
        self, fn: Callable[..., Any], args: Any, kwargs: Any, *, batched: bool, lingers: bool
    ) -> Any:
        self._ensure_writer()
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[Any] = loop.create_future()
        self._queue.put(_Write(fn, args, kwargs, fut, loop, batched, lingers))
        return await fut

    def _ensure_writer(self) -> None:
        with self._lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(
                    target=self._write_loop, name="mimir-db-writer", daemon=True
                )
                self._writer.start()

    def _write_loop(self) -> None:
        while True:
            item = self._queue.get()
            if item is _STOP:
                return
            batch = [item]
            stop = self._gather(batch)
            started = time.thread_time()
            results = self._run_batch(batch)
            stats = self.writer_stats  # counted before the callers hear back
            stats["commits"] += 1
            stats["writes"] += len(batch)
            stats["cpu_seconds"] += time.thread_time() - started
            _deliver(results)
            if stop:
                return

    def _gather(self, batch: list[_Write]) -> bool:
        """Add what is queued to ``batch`` (waiting up to ``linger_seconds`` while every write
        of it lingers); True when the stop mark was met."""
        deadline: float | None = None
        while len(batch) < self._batch_size:
            try:
                nxt = self._queue.get_nowait()
            except queue.Empty:
                # a plain write in the batch has a caller waiting on it: commit now
                if self.linger_seconds <= 0 or not all(w.lingers for w in batch):
                    return False
                if deadline is None:
                    deadline = time.monotonic() + self.linger_seconds
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                try:
                    nxt = self._queue.get(timeout=left)
                except queue.Empty:
                    return False
            if nxt is _STOP:
                return True
            batch.append(nxt)
        return False

    def _run_batch(self, batch: list[_Write]) -> list[tuple[_Write, Any, BaseException | None]]:
        """Run the batch in one transaction (each write alone if that fails): the results."""
        live = [w for w in batch if not w.future.cancelled()]
        if not live:
            return []
        # consecutive calls of one batched function become one call
        groups: list[list[_Write]] = []
        for w in live:
            if w.batched and groups and groups[-1][0].batched and groups[-1][0].fn is w.fn:
                groups[-1].append(w)
            else:
                groups.append([w])
        try:
            results: list[tuple[_Write, Any, BaseException | None]] = []
            with self.engine.begin() as conn:
                for group in groups:
                    results.extend((w, r, None) for w, r in self._call(conn, group))
        except Exception:
            results = [self._run_one(w) for w in live]
        return results

    @staticmethod
    def _call(conn: Connection, group: list[_Write]) -> list[tuple[_Write, Any]]:
        first = group[0]
        if first.batched:
            out = first.fn(conn, [w.args[0] for w in group])
            return list(zip(group, out, strict=True))
        return [(first, first.fn(conn, *first.args, **first.kwargs))]

    def _run_one(self, w: _Write) -> tuple[_Write, Any, BaseException | None]:
        try:
            with self.engine.begin() as conn:
                ((_w, res),) = self._call(conn, [w])
        except Exception as exc:
            return w, None, exc
        return w, res, None

    def close(self) -> None:
        """Finish pending writes, stop the writer, dispose of the pool."""
        if self._writer is not None and self._writer.is_alive():
            self._queue.put(_STOP)
            self._writer.join(timeout=60)
        self._readers.shutdown(wait=True)
        with self._lock:
            held, self._reader_connections = self._reader_connections, []
        for conn in held:
            with contextlib.suppress(Exception):
                conn.close()
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def connect_database(settings: Settings) -> Database:
    return Database(settings)


__all__ = ["Connection", "Database", "connect_database"]
