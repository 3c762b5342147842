"""The gauges that are sampled rather than counted (docs/metrics.md): queue depth and the age
of the oldest due item per queue, the database pool, Redis.

``mimir serve`` samples when it is scraped (:meth:`Sampler.sample`, at most once a second
whatever the scrape rate); ``mimir worker`` samples every few seconds (:func:`sample_every`)
and serves its own ``/metrics`` on ``MIMIR_METRICS_PORT`` (:func:`worker_metrics_server`).

The queue queries are bounded whatever the backlog: the count reads at most
:data:`DEPTH_CAP` index entries (a ``LIMIT`` subquery), the oldest due item is a ``min()`` over
the due index (``ix_sources_due``, ``ix_article_jobs_due``, ``ix_outbox_due``).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import structlog
from sqlalchemy import ColumnElement, Connection, Table, and_, func, literal, select

from mimir import metrics
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.tables import article_jobs, outbox, sources
from mimir.errors import ConfigError
from mimir.storage.alerts import OUTBOX_PENDING
from mimir.storage.ui_admin import capped_count

log = structlog.get_logger("mimir.metrics")

DEPTH_CAP = 10_000
SAMPLE_TIMEOUT_SECONDS = 2.0
REDIS_TIMEOUT_SECONDS = 1.0
MIN_SAMPLE_INTERVAL_SECONDS = 1.0


@dataclass(frozen=True, slots=True)
class QueueSample:
    depth: int
    oldest_age_seconds: float


def _queue(
    conn: Connection, table: Table, due: Any, cond: ColumnElement[bool], now: datetime
) -> QueueSample:
    depth = capped_count(conn, select(literal(1)).select_from(table).where(cond), DEPTH_CAP).value
    oldest = conn.execute(select(func.min(due)).where(cond)).scalar() if depth else None
    if oldest is not None and oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    age = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return QueueSample(depth, age)


def sample_queues(conn: Connection, now: datetime) -> dict[str, QueueSample]:
    """Due items per queue, and how long the oldest has waited."""
    return {
        "sources": _queue(
            conn,
            sources,
            sources.c.next_check_at,
            and_(sources.c.enabled.is_(True), sources.c.next_check_at <= now),
            now,
        ),
        "articles": _queue(
            conn,
            article_jobs,
            article_jobs.c.due_at,
            and_(article_jobs.c.state == "pending", article_jobs.c.due_at <= now),
            now,
        ),
        "outbox": _queue(
            conn,
            outbox,
            outbox.c.due_at,
            and_(outbox.c.state == OUTBOX_PENDING, outbox.c.due_at <= now),
            now,
        ),
    }


def pool_use(db: Database) -> tuple[int, int] | None:
    """(in use, idle) connections of ``db``'s pool; None for pools that do not count them."""
    pool = db.engine.pool
    checkedout = getattr(pool, "checkedout", None)
    checkedin = getattr(pool, "checkedin", None)
    if checkedout is None or checkedin is None:
        return None
    return int(checkedout()), int(checkedin())


class RedisProbe:
    """Pings ``MIMIR_REDIS_URL`` (short timeouts; a Sentinel URL pings its first sentinel)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._client: Any = None

    def _make(self) -> Any:
        from redis import asyncio as aioredis

        options: dict[str, Any] = {
            "socket_connect_timeout": REDIS_TIMEOUT_SECONDS,
            "socket_timeout": REDIS_TIMEOUT_SECONDS,
            "retry_on_timeout": False,
        }
        parts = urlsplit(self.url)
        if parts.scheme.startswith("redis+sentinel") or parts.scheme == "sentinel":
            host = parts.hostname or "localhost"
            return aioredis.Redis(host=host, port=parts.port or 26379, **options)
        return aioredis.from_url(self.url, **options)

    async def ping(self) -> bool:
        try:
            if self._client is None:
                self._client = self._make()
            async with asyncio.timeout(REDIS_TIMEOUT_SECONDS * 2):
                return bool(await self._client.ping())
        except Exception as exc:  # down, refused, timed out, bad credentials: all "down"
            log.debug("redis_ping_failed", error_class=type(exc).__name__)
            await self.close()
            return False

    async def close(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            with contextlib.suppress(Exception):
                await client.aclose()


class Sampler:
    """Sets the sampled gauges from the database, its pool and Redis."""

    def __init__(self, settings: Settings) -> None:
        self.redis = RedisProbe(settings.redis_url) if settings.redis_url else None
        self._last = 0.0
        self._lock = asyncio.Lock()

    async def sample(self, db: Database | None, *, force: bool = False) -> None:
        async with self._lock:
            if not force and time.monotonic() - self._last < MIN_SAMPLE_INTERVAL_SECONDS:
                return
            self._last = time.monotonic()
            if db is not None:
                self.sample_pool(db)
                try:
                    queues = await asyncio.wait_for(
                        db.read_quick(sample_queues, datetime.now(UTC)), SAMPLE_TIMEOUT_SECONDS
                    )
                except Exception as exc:  # the database is away: the gauges keep their value
                    log.warning("metrics_sample_failed", error_class=type(exc).__name__)
                else:
                    for name, q in queues.items():
                        metrics.QUEUE_DEPTH.labels(queue=name).set(q.depth)
                        metrics.QUEUE_OLDEST_AGE.labels(queue=name).set(q.oldest_age_seconds)
            if self.redis is not None:
                metrics.set_redis_up(await self.redis.ping())

    @staticmethod
    def sample_pool(db: Database) -> None:
        use = pool_use(db)
        if use is not None:
            metrics.set_pool(*use)

    async def close(self) -> None:
        if self.redis is not None:
            await self.redis.close()


async def sample_every(
    settings: Settings, db: Database, done: asyncio.Event, every: float = 15.0
) -> None:
    """The worker's sampling loop (until ``done``)."""
    sampler = Sampler(settings)
    try:
        while not done.is_set():
            await sampler.sample(db, force=True)
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(done.wait(), every)
    finally:
        await sampler.close()


@contextlib.contextmanager
def worker_metrics_server(settings: Settings) -> Iterator[int | None]:
    """``/metrics`` of ``mimir worker`` on ``MIMIR_HTTP_HOST``:``MIMIR_METRICS_PORT`` (a
    thread; 0 turns it off); yields the port it listens on."""
    if not settings.metrics_port:
        yield None
        return
    from prometheus_client import start_http_server

    try:
        server, thread = start_http_server(
            settings.metrics_port, addr=settings.http_host, registry=metrics.registry()
        )
    except OSError as exc:
        raise ConfigError(
            f"cannot serve metrics on {settings.http_host}:{settings.metrics_port}: "
            f"{exc.strerror or exc} (set MIMIR_METRICS_PORT, 0 turns it off)"
        ) from exc
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
