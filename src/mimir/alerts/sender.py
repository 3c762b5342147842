"""The outbox sender and the digest scheduler: the two loops that turn alerts into messages.

The sender leases due outbox rows, renders each (an instant alert, a digest or a test
message) from what is stored now, delivers it through the :class:`Notifier`, records the
attempt, and marks the row sent, due again (exponential back-off with jitter, or the
receiver's Retry-After) or dead. Lease, send and mark are separate short transactions, so a
sender killed mid-batch leaves leases that expire and are taken over; the receiver drops the
repeat by its idempotency key (see :mod:`mimir.storage.alerts`).

The digest scheduler turns the alerts of hourly and daily watches into one digest row per
channel when the watch's window closes (in the owner's time zone).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from datetime import time as dtime
from typing import Any

import structlog

from mimir import metrics
from mimir.alerts.backoff import next_attempt_at
from mimir.alerts.digest import (
    digest_window,
    next_digest_at,
    render_alert,
    render_digest,
    render_test,
)
from mimir.alerts.matching import queue_digest
from mimir.alerts.notify import Notifier
from mimir.config import Settings
from mimir.db.database import Database
from mimir.model.alerts import AlertArticle, DigestItem, Notification, WatchRef
from mimir.model.watches import WatchMode
from mimir.storage import alerts as alert_store
from mimir.storage import watches as watch_store
from mimir.storage.alerts import OutboxRow
from mimir.storage.request_ids import outbox_request

log = structlog.get_logger("mimir.sender")


def _utcnow() -> datetime:
    return datetime.now(UTC)


def _card(row: dict[str, Any]) -> AlertArticle:
    snippet = row.get("summary") or row.get("lead") or None
    return AlertArticle(
        id=int(row["id"]),
        title=row.get("title") or row.get("canonical_url") or "(untitled)",
        url=row["canonical_url"],
        source=row.get("source"),
        published_at=row.get("published_at") or row.get("discovered_at"),
        snippet=" ".join(snippet.split())[:400] if snippet else None,
    )


def _items(conn: Any, alerts: Sequence[alert_store.AlertRow]) -> list[DigestItem]:
    """One item per alert: the article that raised it, the rest of its story as "also"."""
    members = alert_store.story_member_ids(conn, [a.story_id for a in alerts])
    ids = {a.article_id for a in alerts} | {m for ms in members.values() for m in ms}
    cards = alert_store.article_cards(conn, sorted(ids))
    out = []
    for a in alerts:
        if a.article_id not in cards:
            continue  # the article was deleted since
        also = tuple(
            _card(cards[m]) for m in members.get(a.story_id, []) if m != a.article_id and m in cards
        )
        out.append(
            DigestItem(
                lead=_card(cards[a.article_id]),
                matched_terms=a.matched_terms,
                story_id=a.story_id,
                alert_id=a.id,
                also=also,
            )
        )
    return out


@dataclass(frozen=True, slots=True)
class Prepared:
    row: OutboxRow
    channel_url: str | None  # None: the channel is gone or disabled
    secret: str | None
    notification: Notification | None


def prepare(conn: Any, row: OutboxRow, daily_hour: int) -> Prepared:
    """Render an outbox row from what is stored now."""
    channel = watch_store.channels_by_id(conn, [row.channel_id]).get(row.channel_id)
    if channel is None or not channel.enabled:
        return Prepared(row, None, None, None)
    if row.kind == "test":
        return Prepared(row, channel.url, channel.webhook_secret, render_test())
    watch = watch_store.find_watch(conn, row.watch_id) if row.watch_id is not None else None
    if watch is None:
        return Prepared(row, channel.url, channel.webhook_secret, None)
    ref = WatchRef(watch.id, watch.name)
    if row.kind == "alert":
        found = alert_store.alerts_by_id(conn, [int(row.payload["alert_id"])])
        items = _items(conn, found)
        note = render_alert(ref, items[0], tz=watch.timezone) if items else None
        return Prepared(row, channel.url, channel.webhook_secret, note)
    alert_ids = [int(i) for i in row.payload.get("alert_ids", [])]
    window = tuple(datetime.fromisoformat(w) for w in row.payload["window"])
    items = _items(conn, alert_store.alerts_by_id(conn, alert_ids))
    note = render_digest(
        ref, items, mode=watch.mode, window=(window[0], window[1]), tz=watch.timezone
    )
    return Prepared(row, channel.url, channel.webhook_secret, note)


class OutboxSender:
    """``await sender.run(stop)``; ``wake()`` when rows were queued, to send them at once."""

    def __init__(
        self,
        db: Database,
        settings: Settings,
        worker_id: str,
        *,
        notifier: Notifier | None = None,
        clock: Callable[[], datetime] = _utcnow,
        rng: random.Random | None = None,
    ) -> None:
        self.db = db
        self.settings = settings
        self.worker_id = worker_id
        self.clock = clock
        self.rng = rng or random.Random()
        self._own_notifier = notifier is None
        self.notifier = notifier or Notifier(
            allowed_networks=settings.notify_networks,
            timeout_seconds=settings.notify_timeout_seconds,
            user_agent=settings.user_agent,
            placeholders=settings.channel_placeholders(),
        )
        self._wakeup = asyncio.Event()
        self._per_channel: dict[int, int] = {}  # rows in flight per channel
        #: at most this many rows of one channel in flight: a slow receiver holds half the
        #: slots at most, the other half stays for the other channels
        self.per_channel = max(1, math.ceil(self.settings.notify_batch_size / 2))
        self.stats = {"sent": 0, "failed": 0, "dead": 0, "takeovers": 0, "lost_lease": 0}
        #: graceful shutdown (the event loop's clock): set before ``stop``, the sender keeps
        #: delivering what is due until then, then releases what is left (see ``run``)
        self.flush_until: float | None = None

    def wake(self) -> None:
        self._wakeup.set()

    async def close(self) -> None:
        if self._own_notifier:
            await self.notifier.aclose()
        await self.db.write(alert_store.release, self.worker_id)

    @property
    def lease_seconds(self) -> int:
        # never shorter than 4 delivery timeouts: a live sender's row must not be taken over
        timeout = math.ceil(4 * self.settings.notify_timeout_seconds)
        return max(self.settings.notify_lease_seconds, timeout)

    async def _claim(self, limit: int) -> list[OutboxRow]:
        """Lease up to ``limit`` due rows, none for a channel already at its share."""
        now = self.clock()
        full = [c for c, n in self._per_channel.items() if n >= self.per_channel]
        rows, takeovers = await self.db.write(
            lambda conn: alert_store.claim(
                conn,
                worker=self.worker_id,
                now=now,
                limit=limit,
                lease_seconds=self.lease_seconds,
                skip_channels=full,
                per_channel=self.per_channel,
                busy_channels=dict(self._per_channel),
            )
        )
        if takeovers:
            metrics.count_takeovers("outbox", takeovers)
            self.stats["takeovers"] += takeovers
            log.warning("outbox_lease_takeover", rows=takeovers, worker=self.worker_id)
        return rows

    async def run_once(self) -> int:
        """Claim one batch and deliver it all; the number of rows handled (tests, one-shot)."""
        rows = await self._claim(self.settings.notify_batch_size)
        if rows:
            await asyncio.gather(*(self._deliver(r) for r in rows))
        return len(rows)

    async def _deliver(self, row: OutboxRow) -> None:
        # each delivery is a task of its own: these keys are its log context alone
        structlog.contextvars.bind_contextvars(
            outbox_id=row.id, channel_id=row.channel_id, notification_kind=row.kind
        )
        if row.watch_id is not None:
            structlog.contextvars.bind_contextvars(watch_id=row.watch_id)

        def read(conn: Any) -> tuple[Prepared, str | None]:
            prepared = prepare(conn, row, self.settings.digest_daily_hour)
            return prepared, outbox_request(conn, row.id)

        prepared, request_id = await self.db.read(read)
        if request_id:  # the API request that caused it (jobs.request_ids)
            structlog.contextvars.bind_contextvars(request_id=request_id)
        now = self.clock()
        if prepared.channel_url is None or prepared.notification is None:
            reason = (
                "channel removed or disabled"
                if prepared.channel_url is None
                else ("nothing to send: the alert's watch or article is gone")
            )
            await self.db.write(
                alert_store.mark_failed, row.id, self.worker_id, reason, retry_at=None
            )
            self.stats["dead"] += 1
            metrics.count_notification("dead")
            return
        started = time.monotonic()
        result = await self.notifier.deliver(
            prepared.channel_url,
            prepared.notification,
            secret=prepared.secret,
            idempotency_key=str(row.id),
            now=now,
        )
        duration_ms = int((time.monotonic() - started) * 1000)

        def record(conn: Any) -> str:
            alert_store.record_attempt(
                conn,
                row.id,
                at=now,
                ok=result.ok,
                duration_ms=duration_ms,
                status_code=result.status_code,
                error_class=result.error_class,
                error_message=result.error_message,
                worker=self.worker_id,
            )
            if result.ok:
                if alert_store.mark_sent(conn, row.id, self.worker_id, self.clock()):
                    return "sent"
                return "lost_lease"  # delivered, but another sender had taken the row over
            attempts = row.attempts + 1
            retry = None
            if result.retryable and attempts < self.settings.notify_max_attempts:
                retry = next_attempt_at(
                    attempts, now, retry_after_seconds=result.retry_after_seconds, rng=self.rng
                )
            error = f"{result.error_class}: {result.error_message}"
            alert_store.mark_failed(conn, row.id, self.worker_id, error, retry_at=retry)
            return "failed" if retry is not None else "dead"

        state = await self.db.write(record)
        self.stats[state] += 1
        metrics.count_notification(state)

    async def run(self, stop: asyncio.Event, *, idle_seconds: float = 1.0) -> None:
        """Deliver until ``stop`` is set, up to ``notify_batch_size`` at once, claiming again as
        soon as a delivery ends, at most ``per_channel`` rows per channel in flight: a slow or
        dead receiver holds only its own share, never the other channels' messages. On stop,
        with ``flush_until`` set (graceful shutdown), what is due is still delivered until then
        and the deliveries in flight get until then to finish (without it: one delivery
        timeout); the rest is cancelled and every lease released, for another sender."""
        inflight: dict[asyncio.Task[None], int] = {}
        try:
            while not stop.is_set():
                free = self.settings.notify_batch_size - len(inflight)
                rows: list[OutboxRow] = []
                if free > 0:
                    try:
                        rows = await self._claim(free)
                    except Exception:  # the database may be away for a moment: keep going
                        log.exception("outbox_sender_error")
                for row in rows:
                    self._per_channel[row.channel_id] = self._per_channel.get(row.channel_id, 0) + 1
                    inflight[asyncio.create_task(self._deliver(row))] = row.channel_id
                if rows and len(inflight) < self.settings.notify_batch_size:
                    continue  # there may be more due now
                self._wakeup.clear()
                waiters: set[asyncio.Future[Any]] = {
                    asyncio.ensure_future(stop.wait()),
                    asyncio.ensure_future(self._wakeup.wait()),
                }
                await asyncio.wait(
                    waiters | set(inflight),
                    timeout=idle_seconds,
                    return_when=asyncio.FIRST_COMPLETED,
                )
                for task in [t for t in inflight if t.done()]:
                    self._finished(task, inflight.pop(task))
                for w in waiters:
                    w.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await w
        finally:
            loop = asyncio.get_running_loop()
            until = self.flush_until
            if until is None:
                until = loop.time() + self.settings.notify_timeout_seconds + 5
            else:
                with contextlib.suppress(Exception):  # the database may be gone: release below
                    await self._flush(inflight, until)
            if inflight:
                await asyncio.wait(set(inflight), timeout=max(0.0, until - loop.time()))
                cancelled = [t for t in inflight if not t.done()]
                for task in cancelled:
                    task.cancel()
                if cancelled:
                    await asyncio.wait(cancelled, timeout=1.0)
                    log.warning("outbox_flush_cancelled", deliveries=len(cancelled))
                for task, channel_id in list(inflight.items()):
                    self._finished(task, channel_id)
            await self.close()

    async def _flush(self, inflight: dict[asyncio.Task[None], int], until: float) -> None:
        """Graceful shutdown: keep delivering the rows due now until ``until`` (loop time)."""
        loop = asyncio.get_running_loop()
        delivered = 0
        while loop.time() < until:
            free = self.settings.notify_batch_size - len(inflight)
            rows = await self._claim(free) if free > 0 else []
            for row in rows:
                self._per_channel[row.channel_id] = self._per_channel.get(row.channel_id, 0) + 1
                inflight[asyncio.create_task(self._deliver(row))] = row.channel_id
            if not inflight:
                break  # nothing due is left
            done, _ = await asyncio.wait(
                set(inflight), timeout=until - loop.time(), return_when=asyncio.FIRST_COMPLETED
            )
            for task in done:
                self._finished(task, inflight.pop(task))
                delivered += 1
        log.info("outbox_flushed", delivered=delivered, left_in_flight=len(inflight))

    def _finished(self, task: asyncio.Task[None], channel_id: int) -> None:
        left = self._per_channel.get(channel_id, 1) - 1
        if left > 0:
            self._per_channel[channel_id] = left
        else:
            self._per_channel.pop(channel_id, None)
        if task.done() and not task.cancelled() and task.exception() is not None:
            log.error("outbox_delivery_error", error=repr(task.exception()))


def run_digests(conn: Any, now: datetime, daily_hour: int = 7) -> int:
    """Queue the digests whose window has closed; returns digest rows queued."""
    at = dtime(daily_hour)
    queued = 0
    for watch in watch_store.due_digests(conn, now):
        window = digest_window(watch.mode, watch.timezone, now, daily_at=at)
        alerts = alert_store.undigested(conn, watch.id, before=window[1])
        queued += queue_digest(
            conn, watch.id, watch.channel_ids, [a.id for a in alerts], window, now
        )
        watch_store.set_next_digest(
            conn, watch.id, next_digest_at(watch.mode, watch.timezone, now, daily_at=at)
        )
    return queued


def first_digest_at(
    mode: WatchMode, timezone: str, now: datetime, daily_hour: int
) -> datetime | None:
    """When a new watch's first digest is due (None for instant watches)."""
    if mode is WatchMode.INSTANT:
        return None
    return next_digest_at(mode, timezone, now, daily_at=dtime(daily_hour))


digest_items = _items
