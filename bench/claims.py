"""What one article-job claim costs as the backlog grows (SQLite or PostgreSQL).

Enqueues N jobs spread over hosts (50 per host, as a 50-item feed per host leaves them) in a
fresh database, then times claims of 16 as a worker of 64 slots makes them once it is full (16
jobs finish, 16 are claimed; per-host limit 4, counting the hosts in flight):

    python -m bench.claims                          # 1,000, 5,000 and 12,500 jobs, SQLite
    python -m bench.claims --jobs 12500 --db postgresql+psycopg://postgres@127.0.0.1/mimir_bench
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from bench.ingest import fresh_db
from mimir.config import Settings
from mimir.db.database import Database
from mimir.model import ArticleJob, SourceSpec
from mimir.process.urls import url_hash
from mimir.storage import jobs as job_store
from mimir.storage import sources as source_store

NOW = datetime.now(UTC)
PAGES_PER_HOST = 50  # as a 50-item feed per host leaves them
SLOTS, BATCH, PER_HOST = 64, 16, 4  # the worker: in flight at most, claimed at once, per host


def measure(db_url: str, jobs: int, claims: int = 20) -> tuple[float, float]:
    """Milliseconds of one claim: CPU of this process (the database's own work too on SQLite)
    and wall time (what it costs on PostgreSQL, whose work runs in its server)."""
    db = Database(Settings(database_url=db_url))
    try:
        sid = db.sync_write(
            source_store.add_source, SourceSpec(name="s", url="https://s.example/feed"), NOW
        ).id
        rows = []
        for i in range(jobs):
            host = f"h{i // PAGES_PER_HOST}.example"
            url = f"https://{host}/a/{i}"
            entry = {"url": url, "title": "t" * 80, "summary": "s" * 300}
            rows.append({"source_id": sid, "url": url, "url_hash": url_hash(url), "host": host,
                         "entry": entry})  # fmt: skip
        db.sync_write(job_store.enqueue, rows, NOW)
        if db_url.startswith("postgresql"):  # as autovacuum soon does after such an insert
            db.sync_write(lambda conn: conn.execute(text("ANALYZE article_jobs")))
        inflight: list[ArticleJob] = []  # the worker's slots, claiming as a batch finishes
        hosts = -(-jobs // PAGES_PER_HOST)
        slots = min(SLOTS, PER_HOST * hosts)  # few hosts cannot fill every slot
        warmup = -(-slots // BATCH)
        cpu = wall = 0.0
        for k in range(claims + warmup):
            if len(inflight) >= slots:  # the oldest batch is done (not timed)
                for job in inflight[:BATCH]:
                    db.sync_write(job_store.finish, job.id)
                del inflight[:BATCH]
            busy = Counter(j.host for j in inflight)
            t0, w0 = time.process_time(), time.perf_counter()
            got, _ = db.sync_write(
                job_store.claim, worker="w", now=NOW, limit=BATCH, lease_seconds=600,
                per_host=PER_HOST, busy_hosts=busy,
            )  # fmt: skip
            if k >= warmup:  # timed once the worker is full
                cpu += time.process_time() - t0
                wall += time.perf_counter() - w0
            inflight += got
        return 1000 * cpu / claims, 1000 * wall / claims
    finally:
        db.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, nargs="*", default=[1000, 5000, 12500])
    parser.add_argument("--db", help="a PostgreSQL URL (its public schema is dropped)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.jobs:
            url = fresh_db(args.db, Path(tmp), f"claims{n}")
            cpu, wall = measure(url, n)
            per = f"{cpu:7.2f} ms of CPU, {wall:7.2f} ms wall per claim of {BATCH}"
            print(f"{n:>7} jobs pending: {per}")


if __name__ == "__main__":
    main()
