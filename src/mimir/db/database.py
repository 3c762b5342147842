"""Database access for async code: reads in threads, writes through one group-committing writer.

SQLite allows one writer at a time, so every write of a process goes through a single thread
that batches the pending write functions into one transaction (group commit). PostgreSQL gets the
same path: batching many small idempotent writes per commit is what lets one worker record
hundreds of checks per second. A write function must be idempotent: if a batch fails, it is
rolled back and each function is retried alone, so one bad write never takes others down.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
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


class Database:
    """One engine plus a writer thread; `read`/`write` are awaitable, `sync_*` are blocking."""

    def __init__(self, settings: Settings, engine: Engine | None = None, *, batch_size: int = 200):
        self.settings = settings
        self.engine = engine or make_engine(settings)
        self.dialect = self.engine.dialect.name
        self._batch_size = batch_size
        self._queue: queue.Queue[Any] = queue.Queue()
        self._writer: threading.Thread | None = None
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
        self._ensure_writer()
        fut: Future[T] = Future()
        self._queue.put((fn, args, kwargs, fut, False))
        return await asyncio.wrap_future(fut)

    async def write_many(self, fn: Callable[[Connection, list[Any]], list[T]], item: Any) -> T:
        """Like `write`, but pending calls of the same `fn` are merged: `fn(conn, items)` runs
        once for all of them (executemany) and returns one result per item."""
        self._ensure_writer()
        fut: Future[T] = Future()
        self._queue.put((fn, (item,), {}, fut, True))
        return await asyncio.wrap_future(fut)

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
            while len(batch) < self._batch_size:
                try:
                    nxt = self._queue.get_nowait()
                except queue.Empty:
                    break
                if nxt is _STOP:
                    self._run_batch(batch)
                    return
                batch.append(nxt)
            self._run_batch(batch)

    def _run_batch(self, batch: list[Any]) -> None:
        live = [b for b in batch if not b[3].cancelled()]
        if not live:
            return
        # consecutive calls of one batched function become one call
        groups: list[list[Any]] = []
        for entry in live:
            if entry[4] and groups and groups[-1][0][4] and groups[-1][0][0] is entry[0]:
                groups[-1].append(entry)
            else:
                groups.append([entry])
        try:
            results: list[tuple[Any, Any]] = []
            with self.engine.begin() as conn:
                for group in groups:
                    results.extend(self._call(conn, group))
        except Exception:
            for entry in live:
                self._run_one(entry)
            return
        for fut, res in results:
            if not fut.cancelled():
                fut.set_result(res)

    @staticmethod
    def _call(conn: Connection, group: list[Any]) -> list[tuple[Any, Any]]:
        fn, args, kwargs, _fut, batched = group[0]
        if batched:
            out = fn(conn, [e[1][0] for e in group])
            return [(e[3], r) for e, r in zip(group, out, strict=True)]
        return [(group[0][3], fn(conn, *args, **kwargs))]

    def _run_one(self, entry: Any) -> None:
        fut = entry[3]
        try:
            with self.engine.begin() as conn:
                ((_f, res),) = self._call(conn, [entry])
        except Exception as exc:
            if not fut.cancelled():
                fut.set_exception(exc)
            return
        if not fut.cancelled():
            fut.set_result(res)

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
