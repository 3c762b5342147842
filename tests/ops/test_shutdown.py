"""Graceful shutdown with real processes on PostgreSQL: SIGTERM to `mimir worker` holding
leases on slow pages, and to `mimir serve` with a request in flight. Both exit 0 within
MIMIR_SHUTDOWN_GRACE_SECONDS; no lease is left held; the request in flight is answered."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from mimir.db.database import Database
from mimir.db.tables import article_jobs, articles, outbox, sources
from mimir.model import SourceSpec
from mimir.model.users import Role
from mimir.storage import sources as source_store
from mimir.storage import users as user_store
from tests.api.conftest import FAST_HASH
from tests.conftest import _truncate, make_settings
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

pytestmark = [pytest.mark.postgres]

GRACE = 4.0


def _env(pg_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "MIMIR_DATABASE_URL": pg_url,
        "MIMIR_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "MIMIR_PER_HOST_INTERVAL_SECONDS": "0",
        "MIMIR_PER_HOST_CONCURRENCY": "8",
        "MIMIR_WORKER_CONCURRENCY": "8",
        "MIMIR_EXTRACT_PROCESSES": "-1",
        "MIMIR_IDLE_SLEEP_SECONDS": "0.2",
        "MIMIR_LOG_FORMAT": "json",
        "MIMIR_METRICS_PORT": "0",
        "MIMIR_SHUTDOWN_GRACE_SECONDS": str(GRACE),
        "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom"),
    }


def _count(engine: Any, stmt: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def _events(log: Path) -> list[dict[str, Any]]:
    return [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]


def _add_source(pg_url: str, url: str) -> int:
    db = Database(make_settings(pg_url))
    try:
        return db.sync_write(
            source_store.add_source, SourceSpec(name="Slow", url=url), datetime.now(UTC)
        ).id
    finally:
        db.close()


def test_sigterm_to_a_worker_holding_leases(pg_url: str, web: FixtureWeb, tmp_path: Path) -> None:
    _truncate(pg_url)
    site = NewsSite(web)
    site.publish(6)
    # three pages answer within the grace period (finished), three never do (released)
    for i, item in enumerate(site.items):
        web.route(f"{site.prefix}/{item.slug}/", site.page(item), delay=1.0 if i % 2 else 60.0)
    _add_source(pg_url, site.feed_url())
    engine = create_engine(pg_url)
    log = tmp_path / "worker.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mimir.cli.main", "worker"],
            env=_env(pg_url, tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    try:
        mine = article_jobs.c.lease_owner.like(f"%:{proc.pid}:%")
        deadline = time.monotonic() + 30
        while _count(engine, select(func.count()).select_from(article_jobs).where(mine)) < 6:
            assert proc.poll() is None, log.read_text()
            assert time.monotonic() < deadline, "the worker claimed no pages"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        code = proc.wait(GRACE + 10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert code == 0, log.read_text()[-3000:]
    assert took <= GRACE + 1.5, f"stopped after {took:.1f} s (grace {GRACE} s)"
    held = [
        _count(engine, select(func.count()).select_from(t).where(t.c.lease_owner.is_not(None)))
        for t in (sources, article_jobs, outbox)
    ]
    stored = _count(engine, select(func.count()).select_from(articles))
    pending = _count(engine, select(func.count()).select_from(article_jobs))
    engine.dispose()
    assert held == [0, 0, 0], "a lease is left held after the graceful stop"
    assert stored == 3 and pending == 3  # the quick pages finished, the slow ones are queued
    names = [e["event"] for e in _events(log)]
    for event in ("worker_stopping", "worker_draining", "worker_leases_released"):
        assert event in names, (event, names)
    released = next(e for e in _events(log) if e["event"] == "worker_leases_released")
    assert released["released"] == 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_sigterm_to_mimir_serve_answers_the_request_in_flight(
    pg_url: str, web: FixtureWeb, tmp_path: Path
) -> None:
    _truncate(pg_url)
    site = NewsSite(web)
    site.publish(1)
    web.route(f"{site.prefix}/feed.xml", site.rss(), delay=1.5)
    sid = _add_source(pg_url, site.feed_url())
    db = Database(make_settings(pg_url))
    try:
        editor = db.sync_write(
            user_store.create_user, "ed@example.org", FAST_HASH, Role.EDITOR, datetime.now(UTC)
        )
        key, _ = db.sync_write(
            user_store.create_api_key, editor.id, "t", ["read", "write"], datetime.now(UTC)
        )
    finally:
        db.close()
    port = _free_port()
    env = {**_env(pg_url, tmp_path), "MIMIR_HTTP_PORT": str(port)}
    log = tmp_path / "serve.log"
    with log.open("wb") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mimir.cli.main", "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )
    answer: dict[str, Any] = {}

    def call() -> None:
        req = urllib.request.Request(
            f"http://127.0.0.1:{port}/api/v1/sources/{sid}/refresh?wait=true&timeout=20",
            method="POST",
            headers={"Authorization": f"Bearer {key}", "X-Request-ID": "shutdown-test-1"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30) as resp:
                answer.update(status=resp.status, body=json.loads(resp.read()))
        except Exception as exc:  # the assertion below says what happened
            answer["error"] = repr(exc)

    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, log.read_text()
                assert time.monotonic() < deadline, "mimir serve did not listen"
                time.sleep(0.1)
        caller = threading.Thread(target=call)
        caller.start()
        time.sleep(0.7)  # the request is in flight: the feed answers after 1.5 s
        proc.send_signal(signal.SIGTERM)
        sent = time.monotonic()
        code = proc.wait(GRACE + 10)
        took = time.monotonic() - sent
        caller.join(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
    assert code == 0, log.read_text()[-3000:]
    assert took <= GRACE + 1.5
    assert answer.get("status") == 200, answer
    assert answer["body"]["finished"] is True and answer["body"]["outcome"] == "ok"
    engine = create_engine(pg_url)
    leased = _count(
        engine,
        select(func.count()).select_from(sources).where(sources.c.lease_owner.is_not(None)),
    )
    engine.dispose()
    assert leased == 0
