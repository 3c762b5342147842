"""A real `mimir worker` is SIGKILLed while its outbox sender has a batch on the wire.

Forty instant alerts are queued for one signed webhook whose receiver answers each request
after 0.5 s, and the sender takes them four at a time. The first worker is killed as soon as a
batch's requests have reached the receiver (their answers not yet back), so those rows stay
leased by a dead worker. A second worker sends everything else at once, leaves the dead
worker's leases alone while they run, and takes them over when they expire.

What it shows is the outbox's contract (``mimir.storage.alerts``): at least once on the wire,
exactly once for a receiver that drops repeated ``Idempotency-Key`` values. Every row ends
``sent``; the distinct keys the receiver saw are exactly the outbox ids (nothing lost); the only
keys it saw twice belong to rows the dead worker held when it died.

The sender's lease is ``max(MIMIR_NOTIFY_LEASE_SECONDS, 4 * notify_timeout_seconds)`` (120 s by
default). Rather than wait for it, the test moves the dead worker's leases' expiry into the
past once it has checked that the survivor leaves them alone (the same rows, the same owner:
only the clock has "run on"); everything else is the real code in real processes.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Connection, create_engine, select, update

from mimir.alerts.manage import add_channel, add_watch
from mimir.alerts.matching import WatchSet
from mimir.alerts.signing import verify
from mimir.db.database import Database
from mimir.db.tables import delivery_attempts, outbox
from mimir.model.watches import WatchMode, WatchSpec
from mimir.monitor.ingest import AfterStore, store_article
from mimir.process.fingerprint import text_fingerprint
from mimir.process.urls import url_hash
from mimir.storage.articles import ArticleValues
from tests.alerts.receiver import Receiver, Reply
from tests.conftest import _truncate, make_settings

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

ROWS = 40
BATCH = 4  # MIMIR_NOTIFY_BATCH_SIZE: ten batches
REPLY_DELAY = 0.5  # seconds the receiver takes to answer each request
KILL_AFTER = 3 * BATCH  # requests received: the third batch is on the wire


def _now() -> datetime:
    return datetime.now(UTC)


def _article(i: int, now: datetime) -> ArticleValues:
    url = f"https://wire.example/2026/broadcast/atsc-market-{i}/"
    text = (
        f"ATSC 3.0 NextGen TV signals went live in market number {i} this week. "
        f"Station group {i} said the lighthouse carries five services, and receivers for "
        f"the {i}th market are already on sale in retail stores."
    )
    return ArticleValues(
        source_id=None,
        url=url,
        canonical_url=url,
        url_hash=url_hash(url),
        alias_hashes=(),
        guid=None,
        guid_hash=None,
        fingerprint=text_fingerprint(text),
        entry_hash=None,
        title=f"ATSC 3.0 reaches market {i}",
        summary=None,
        text=text,
        html=None,
        authors=["Dana Reporter"],
        published_at=now,
        updated_at=None,
        language="en",
        image_url=None,
        section=None,
        tags=["broadcast"],
        fetch_meta={},
        extraction="page",
        # no signature: each article is a story of its own, so each raises its own alert
    )


def _store_articles(conn: Connection, now: datetime) -> int:
    """The ingest path: each article stored, placed in a story, alerted, queued."""
    after = AfterStore(WatchSet.load(conn))
    queued = 0
    for i in range(ROWS):
        stored = store_article(conn, _article(i, now), now, after)
        queued += sum(m.queued for m in stored.matched)
    return queued


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "mimir.cli.main", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _pid(worker_id: str | None) -> int | None:
    """The process id in a worker id (``host:pid:random``)."""
    return int(worker_id.rsplit(":", 2)[1]) if worker_id else None


def _outbox(engine: Any) -> dict[int, Any]:
    with engine.connect() as conn:
        return {r.id: r for r in conn.execute(select(outbox).order_by(outbox.c.id))}


def _wait(what: str, done: Callable[[], bool], proc: subprocess.Popen[bytes], secs: float) -> None:
    deadline = time.monotonic() + secs
    while not done():
        assert proc.poll() is None, f"the worker exited ({proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def _events(log: Path) -> list[dict[str, Any]]:
    lines = log.read_text().splitlines()
    return [json.loads(line) for line in lines if line.startswith("{")]


def test_sender_killed_mid_batch_loses_nothing_and_repeats_only_in_flight_rows(
    pg_url: str, tmp_path: Path
) -> None:
    _truncate(pg_url)
    settings = make_settings(pg_url, notify_allowed_networks="127.0.0.0/8")
    engine = create_engine(pg_url)
    with Receiver() as hooks, Database(settings) as db:
        hooks.reply(*[Reply(delay=REPLY_DELAY)] * (2 * ROWS))
        hook = db.sync_write(add_channel, "hook", hooks.url("/mimir", scheme="json"), _now())
        assert hook.webhook_secret
        db.sync_write(
            add_watch,
            WatchSpec("ATSC", '"ATSC 3.0"', WatchMode.INSTANT, channels=("hook",)),
            _now(),
        )
        assert db.sync_write(_store_articles, _now()) == ROWS
        ids = set(_outbox(engine))
        assert len(ids) == ROWS

        env = {
            **os.environ,
            "MIMIR_DATABASE_URL": pg_url,
            "MIMIR_NOTIFY_ALLOWED_NETWORKS": "127.0.0.0/8",
            "MIMIR_NOTIFY_BATCH_SIZE": str(BATCH),
            "MIMIR_NOTIFY_TIMEOUT_SECONDS": "5",
            "MIMIR_EXTRACT_PROCESSES": "-1",
            "MIMIR_IDLE_SLEEP_SECONDS": "0.2",
            "MIMIR_LOG_FORMAT": "json",
        }
        a = _worker(env, tmp_path / "a.log")
        b: subprocess.Popen[bytes] | None = None
        try:
            _wait("the first deliveries", lambda: len(hooks.requests) >= KILL_AFTER, a, 30)
            a.send_signal(signal.SIGKILL)
            a.wait(10)
            received_before_kill = Counter(r.headers["idempotency-key"] for r in hooks.requests)
            rows = _outbox(engine)
            in_flight = {
                i for i, r in rows.items() if r.state == "pending" and _pid(r.lease_owner) == a.pid
            }
            sent_by_a = {i for i, r in rows.items() if r.state == "sent"}
            assert in_flight, "the killed worker held no leases: the kill did not land mid-batch"
            assert all(rows[i].lease_expires_at > _now() for i in in_flight)
            assert len(sent_by_a) < ROWS - len(in_flight), "the first worker sent nearly all"

            b = _worker(env, tmp_path / "b.log")
            # everything but the dead worker's rows goes out at once ...
            _wait(
                "the free rows",
                lambda: (
                    sum(r.state == "sent" for r in _outbox(engine).values())
                    == ROWS - len(in_flight)
                ),
                b,
                30,
            )
            time.sleep(1.5)  # ... and its leases are respected while they run (sender idles 1 s)
            rows = _outbox(engine)
            assert {i for i, r in rows.items() if r.state == "pending"} == in_flight
            assert all(_pid(rows[i].lease_owner) == a.pid for i in in_flight)

            # the leases run out (see the module docstring): the survivor takes them over
            with engine.begin() as conn:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(in_flight))
                    .values(lease_expires_at=_now() - timedelta(seconds=1))
                )
            _wait(
                "the taken-over rows",
                lambda: all(r.state == "sent" for r in _outbox(engine).values()),
                b,
                30,
            )
            time.sleep(0.5)  # nothing else may arrive
            b.send_signal(signal.SIGTERM)
            assert b.wait(30) == 0
        finally:
            for p in (a, b):
                if p is not None and p.poll() is None:
                    p.kill()
                    p.wait(10)

    with engine.connect() as conn:
        attempts = conn.execute(select(delivery_attempts).order_by(delivery_attempts.c.id)).all()
    final = _outbox(engine)
    engine.dispose()

    # every row sent, one attempt counted on each, no lease left
    assert {r.state for r in final.values()} == {"sent"} and set(final) == ids
    assert all(r.attempts == 1 and r.lease_owner is None for r in final.values())

    # the receiver: every request genuine, every outbox id among the keys, nothing else
    keys: Counter[str] = Counter()
    for request in hooks.requests:
        verify(
            [hook.webhook_secret],
            request.headers["x-mimir-signature"],
            request.body,
            now=int(time.time()),
        )
        key = request.headers["idempotency-key"]
        assert json.loads(request.body)["delivery_id"] == key
        keys[key] += 1
    assert set(keys) == {str(i) for i in ids}, "a delivery was lost (or one was invented)"

    # the only repeats: rows on the wire when the first worker died, each repeated once
    repeats = {int(k) for k, n in keys.items() if n > 1}
    assert max(keys.values()) <= 2
    assert repeats == {i for i in in_flight if received_before_kill[str(i)]}
    assert repeats, "no request was on the wire at the kill"
    assert len(hooks.requests) == ROWS + len(repeats)

    # one recorded attempt per row: the killed worker's answer never came back, so its attempt
    # left no record; the taken-over rows were recorded by the survivor alone
    assert sorted(r.outbox_id for r in attempts) == sorted(ids)
    assert all(r.ok and r.status_code == 200 for r in attempts)
    by_row = {r.outbox_id: r.worker for r in attempts}
    assert all(_pid(by_row[i]) == a.pid for i in sent_by_a)
    assert all(_pid(by_row[i]) == b.pid for i in in_flight)

    # the survivor said what it did
    events = _events(tmp_path / "b.log")
    takeovers = [e for e in events if e.get("event") == "outbox_lease_takeover"]
    assert sum(e["rows"] for e in takeovers) == len(in_flight)
    stopped = [e for e in events if e.get("event") == "worker_stopped"]
    assert stopped and stopped[-1]["notifications_takeovers"] == len(in_flight)
    assert stopped[-1]["notifications_sent"] == ROWS - len(sent_by_a)
