"""Several real `mimir worker` processes on PostgreSQL; one is killed with SIGKILL mid-batch.

Its leases expire and the other worker takes the work over: in the end every article is stored
exactly once, nothing is lost or doubled, and the survivor stops cleanly on SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, func, select

from mimir.db.tables import article_jobs, articles
from tests.conftest import _truncate
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

FEEDS = 6
PER_FEED = 15


def _worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as err:
        return subprocess.Popen(
            [sys.executable, "-m", "mimir.cli.main", "worker"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=err,
        )


def _count(engine: Any, stmt: Any) -> int:
    with engine.connect() as conn:
        return int(conn.execute(stmt).scalar() or 0)


def test_two_workers_one_killed_nothing_lost_or_doubled(
    pg_url: str, web: FixtureWeb, tmp_path: Path
) -> None:
    _truncate(pg_url)
    sites = []
    for i in range(FEEDS):
        site = NewsSite(web, prefix=f"/outlet{i}", utm_links=bool(i % 2))
        site.publish(PER_FEED)
        sites.append(site)
    # slow article pages, so that a batch is in flight when the kill lands
    for site in sites:
        for item in site.items:
            page = site.page(item)
            web.route(f"{site.prefix}/{item.slug}/", page, delay=0.4)
    env = {
        **os.environ,
        "MIMIR_DATABASE_URL": pg_url,
        "MIMIR_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
        "MIMIR_PER_HOST_INTERVAL_SECONDS": "0",
        "MIMIR_PER_HOST_CONCURRENCY": "6",
        "MIMIR_WORKER_CONCURRENCY": "6",
        "MIMIR_WORKER_BATCH_SIZE": "6",
        "MIMIR_LEASE_SECONDS": "10",
        "MIMIR_EXTRACT_PROCESSES": "-1",
        "MIMIR_IDLE_SLEEP_SECONDS": "0.2",
        "MIMIR_LOG_FORMAT": "json",
        # two workers on one host: each would want the metrics port (tests/test_metrics.py
        # covers the worker's /metrics)
        "MIMIR_METRICS_PORT": "0",
    }
    add = [sys.executable, "-m", "mimir.cli.main", "sources", "add", "--kind", "feed"]
    for i, site in enumerate(sites):
        subprocess.run(
            [*add, "--name", f"Outlet {i}", site.feed_url()],
            env=env,
            check=True,
            capture_output=True,
        )
    engine = create_engine(pg_url)
    total = FEEDS * PER_FEED
    a = _worker(env, tmp_path / "a.log")
    b = _worker(env, tmp_path / "b.log")
    try:
        deadline = time.monotonic() + 60
        while _count(engine, select(func.count()).select_from(articles)) < 15:
            assert time.monotonic() < deadline, "workers stored nothing"
            assert a.poll() is None and b.poll() is None
            time.sleep(0.2)
        # kill it while it holds leases: between two claims it may hold none for a moment
        mine = (
            select(func.count())
            .select_from(article_jobs)
            .where(article_jobs.c.lease_owner.like(f"%:{a.pid}:%"))
        )
        while (held := _count(engine, mine)) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        a.send_signal(signal.SIGKILL)
        a.wait(10)
        deadline = time.monotonic() + 90
        while _count(engine, select(func.count()).select_from(articles)) < total:
            assert time.monotonic() < deadline, "the survivor did not finish the work"
            assert b.poll() is None
            time.sleep(0.3)
        time.sleep(1.0)  # let in-flight duplicates (if any) land before we count
        b.send_signal(signal.SIGTERM)
        assert b.wait(40) == 0
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.kill()
                p.wait(10)
    with engine.connect() as conn:
        n = conn.execute(select(func.count()).select_from(articles)).scalar()
        distinct = conn.execute(
            select(func.count(func.distinct(articles.c.canonical_url)))
        ).scalar()
        pending = conn.execute(select(func.count()).select_from(article_jobs)).scalar()
        leased = conn.execute(
            select(func.count())
            .select_from(article_jobs)
            .where(article_jobs.c.lease_owner.is_not(None))
        ).scalar()
    engine.dispose()
    assert n == total and distinct == total  # nothing lost, nothing doubled
    assert pending == 0 and leased == 0
    assert held > 0, "the killed worker held no leases: the kill did not land mid-batch"
    events = [
        json.loads(line)
        for line in (tmp_path / "b.log").read_text().splitlines()
        if line.startswith("{")
    ]
    names = [e.get("event") for e in events]
    assert "lease_takeover" in names, "the killed worker's leases were not taken over"
    assert "worker_stopped" in names
