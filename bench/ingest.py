"""Ingest benchmark: Mimir's full pipeline side by side with its ceiling and a naive pipeline.

One run, one machine, one corpus (bench/corpus.py: feeds x items over many loopback hosts,
served from a separate process), reported together so the ratios hold on a noisy machine:

1. ceiling   - extract-only: the same extraction over the same pages, same number of processes,
               no fetching, no storing (pages generated before the clock starts); run before
               and again after Mimir's phase, and Mimir set against the mean of the two (the
               same run varies by up to a quarter from one minute to the next here);
2. mimir     - full ingest: feed, article page, extraction, dedup, store (worker, once mode);
   stock-ceiling - the same extract-only run with stock trafilatura's extraction, as the
               naive pipeline runs it: the ceiling the issue's target assumed (about twice the
               naive pipeline), for the ratio against it;
3. naive     - feedparser + one request at a time + trafilatura + a commit per article
               (on a subset of the feeds: it is the slow one, its rate is what matters);
4. poll      - steady state: N sources (default 10,000) whose feeds all answer 304, checked
               once by a `mimir refresh --all` subprocess: checks/s, the worker's peak RSS, and
               the per-host limits as the server counted them.

    python -m bench.ingest                 # the full run (500 feeds x 50 items)
    python -m bench.ingest --smoke         # a short run for CI
    python -m bench.ingest --db postgresql+psycopg://postgres@127.0.0.1/mimir_bench
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select, text, update

from bench.corpus import BenchCorpus
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.migrate import upgrade
from mimir.db.tables import articles, sources
from mimir.jobs.runtime import run_worker, settle_heap
from mimir.logs import configure_logging
from mimir.model import SourceKind, SourceSpec
from mimir.storage import sources as source_store

NOW = datetime.now(UTC)


# ---- 1. the ceiling --------------------------------------------------------------------------


def _ceiling_worker(config: dict[str, Any], share: list[int], barrier: Any, out: Any) -> None:
    from bench.corpus import Corpus

    c = Corpus(config["feeds"], config["items"], config["hosts"], config["seed"], config["port"])
    pages = [(c.article_url(i), c.page(i)) for i in share]  # generated before the clock runs
    # (prepare a page before the clock, extract it: True when it gave an article)
    prepare, run = _stock_extractor() if config.get("stock") else _mimir_extractor()
    inputs = [(url, prepare(body)) for url, body in pages]
    barrier.wait()
    c0 = time.process_time()
    n = sum(run(url, page) for url, page in inputs)
    out.put((n, time.perf_counter(), 1000 * (time.process_time() - c0)))


def _mimir_extractor() -> tuple[Any, Any]:
    from mimir.errors import ExtractionError
    from mimir.parse.article import extract_article, warm_up

    def run(url: str, body: bytes) -> bool:
        try:
            extract_article(body, url, content_type="text/html; charset=utf-8", now=NOW)
        except ExtractionError:
            return False
        return True

    warm_up()  # as Mimir's extraction processes start: one extraction, then the heap frozen
    return (lambda body: body), run


def _stock_extractor() -> tuple[Any, Any]:
    """The issue's premise ceiling: the naive pipeline's extraction (stock trafilatura,
    ``bare_extraction`` with metadata, on the decoded page) over the same pages."""
    import trafilatura

    from mimir.parse import speedups

    speedups.uninstall()

    def run(url: str, page: str) -> bool:
        return trafilatura.bare_extraction(page, url=url, with_metadata=True) is not None

    run("https://warm-up.invalid/", "<html><body><p>" + "A sentence. " * 40 + "</p></body></html>")
    return (lambda body: body.decode("utf-8")), run


def ceiling(corpus: BenchCorpus, procs: int, *, stock: bool = False) -> dict[str, Any]:
    """Extract-only: `procs` processes, each over its share of the same pages; with
    ``stock``, stock trafilatura's extraction as the naive pipeline runs it."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    total = corpus.corpus.feeds * corpus.corpus.items
    config = dict(corpus.config, port=corpus.port, stock=stock)
    barrier = ctx.Barrier(procs + 1)
    out = ctx.Queue()
    workers = [
        ctx.Process(
            target=_ceiling_worker, args=(config, list(range(i, total, procs)), barrier, out)
        )
        for i in range(procs)
    ]
    for w in workers:
        w.start()
    barrier.wait()
    t0 = time.perf_counter()
    results = [out.get() for _ in workers]
    wall = max(r[1] for r in results) - t0
    cpu_ms = sum(r[2] for r in results)
    for w in workers:
        w.join()
    done = sum(r[0] for r in results)
    return {
        "pages": done,
        "seconds": round(wall, 2),
        "per_second": round(done / wall, 1),
        "cpu_ms_per_page": round(cpu_ms / max(done, 1), 2),
        "cores_busy": round(cpu_ms / 1000 / max(wall, 1e-9), 3),  # as the mimir phase's
    }


def bracket(before: dict[str, Any], after: dict[str, Any]) -> dict[str, Any]:
    """The ceiling measured before and after the full ingest, as one: the mean rate (pages
    over seconds of both runs) and CPU per page, with both runs kept in ``runs``."""
    pages = before["pages"] + after["pages"]
    seconds = before["seconds"] + after["seconds"]
    cpu_ms = sum(r["cpu_ms_per_page"] * r["pages"] for r in (before, after))
    return {
        "pages": pages,
        "seconds": round(seconds, 2),
        "per_second": round(pages / seconds, 1),
        "cpu_ms_per_page": round(cpu_ms / max(pages, 1), 2),
        "runs": [before, after],
    }


# ---- CPU accounting ------------------------------------------------------------------------------


class CpuSampler:
    """CPU seconds used by this process, its descendants (the extraction pool) and the server.

    Reads /proc every second (reading every process's stat file costs CPU the measured run
    shares: every 0.25 s it took 2 s of a 174 s run, py-spy) and keeps each process's last
    cumulative total, so processes that exit before the end still count. Tells where the CPU
    that is not extraction goes.
    """

    def __init__(self, server_pid: int | None) -> None:
        import threading

        self.server_pid = server_pid
        self.tick = os.sysconf("SC_CLK_TCK")
        self.start: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self.role: dict[int, str] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _scan(self) -> dict[int, tuple[int, float]]:
        out: dict[int, tuple[int, float]] = {}
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            try:
                with open(f"/proc/{name}/stat") as f:
                    fields = f.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            out[int(name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / self.tick)
        return out

    def _sample(self) -> None:
        procs = self._scan()
        me = os.getpid()
        for pid, (ppid, cpu) in procs.items():
            role = self.role.get(pid)
            if role is None:
                if pid == me:
                    role = "main"
                elif pid == self.server_pid:
                    role = "server"
                elif self.role.get(ppid) in ("main", "pool") or ppid == me:
                    role = "pool"
                else:
                    continue
                self.role[pid] = role
                self.start.setdefault(pid, cpu if pid in (me, self.server_pid) else 0.0)
            self.last[pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self._sample()

    def __enter__(self) -> CpuSampler:
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def seconds(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for pid, cpu in self.last.items():
            role = self.role[pid]
            totals[role] = totals.get(role, 0.0) + cpu - self.start.get(pid, 0.0)
        return {k: round(v, 2) for k, v in sorted(totals.items())}


# ---- 2. Mimir --------------------------------------------------------------------------------


def bench_settings(db_url: str, procs: int, **kw: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "fetch_allowed_networks": "127.0.0.0/8",
        "per_host_interval_seconds": 0.2,
        "per_host_concurrency": 2,
        "worker_concurrency": 128,
        "worker_batch_size": 64,
        "extract_processes": procs,
        "idle_sleep_seconds": 0.2,
        "log_level": "warning",
        "log_format": "json",
        "respect_robots_txt": True,
    }
    values.update(kw)
    return Settings(**values)


def fresh_db(db_url: str | None, workdir: Path, name: str) -> str:
    if db_url is None:
        url = f"sqlite:///{workdir / (name + '.db')}"
    else:
        url = db_url
        engine = create_engine(url)
        with engine.begin() as conn:  # everything, search functions and triggers included
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return url


def add_sources(db: Database, urls: list[str], **settings: Any) -> None:
    def go(conn: Any) -> None:
        for i, url in enumerate(urls):
            source_store.add_source(
                conn,
                SourceSpec(name=f"bench {i}", url=url, kind=SourceKind.FEED, settings=settings),
                NOW,
            )

    db.sync_write(go)


def mimir_ingest(corpus: BenchCorpus, db_url: str, procs: int) -> dict[str, Any]:
    settings = bench_settings(db_url, procs)
    # as `mimir worker` does: without it structlog prints every info line through its
    # development renderer, about 0.15 ms per article that no configured worker spends
    configure_logging(settings.log_level, settings.log_format)
    db = Database(settings)
    settle_heap()  # as `mimir worker` does once it has started
    add_sources(db, corpus.feed_urls())
    corpus.reset_stats()
    pages0, extract0 = _extract_cpu()
    t0 = time.perf_counter()
    with CpuSampler(corpus.pid) as cpu:
        stats = asyncio.run(run_worker(settings, once=True, db=db))
    wall = time.perf_counter() - t0
    pages1, extract1 = _extract_cpu()
    n = db.sync_read(lambda c: c.execute(select(func.count()).select_from(articles)).scalar())
    db.close()
    cpu_s = cpu.seconds()
    w = db.writer_stats
    return {
        "articles": n,
        "seconds": round(wall, 2),
        "per_second": round(n / wall, 1),
        "cpu_seconds": cpu_s,
        "cpu_ms_per_article": {k: round(1000 * v / max(n, 1), 2) for k, v in cpu_s.items()},
        # the database writer thread's share of "main", and how many writes a commit carried
        "writer_cpu_ms_per_article": round(1000 * float(w["cpu_seconds"]) / max(n, 1), 2),
        "writes_per_commit": round(w["writes"] / max(w["commits"], 1), 1),
        # CPU in use over the run (all processes, the server's too), in cores: below the
        # machine's count, the pipeline idled somewhere (start-up, waits between tasks)
        "cores_busy": round(sum(cpu_s.values()) / max(wall, 1e-9), 3),
        # extraction's own CPU per page inside this run (mimir_news_extract_cpu_seconds), and
        # its share of all the CPU the run took (this process and the pool): set against the
        # ceiling in the same minutes, so the machine's drift between phases does not enter
        "extract_cpu_ms_per_page": round(1000 * (extract1 - extract0) / max(pages1 - pages0, 1), 2),
        "extraction_share": round(
            (extract1 - extract0) / max(cpu_s.get("main", 0) + cpu_s.get("pool", 0), 1e-9), 3
        ),
        "checks": stats["checks"],
        "errors": stats["errors"],
        "politeness": politeness(corpus, settings),
    }


def _extract_cpu() -> tuple[float, float]:
    """Pages extracted and their CPU seconds so far (the worker's histogram, this process)."""
    from mimir import metrics

    read = metrics.registry().get_sample_value
    name = "mimir_news_extract_cpu_seconds"
    return read(f"{name}_count") or 0.0, read(f"{name}_sum") or 0.0


def politeness(corpus: BenchCorpus, settings: Settings) -> dict[str, Any]:
    hosts = corpus.stats()["hosts"]
    max_in_flight = max((h["max_in_flight"] for h in hosts.values()), default=0)
    spacings = [
        h["min_interval_seconds"]
        for h in hosts.values()
        if h.get("min_interval_seconds") is not None
    ]
    min_spacing = min(spacings, default=None)
    gaps = [
        h["min_idle_gap_seconds"]
        for h in hosts.values()
        if h.get("min_idle_gap_seconds") is not None
    ]
    min_gap = min(gaps, default=None)
    return {
        "hosts": len(hosts),
        "limit_concurrency": settings.per_host_concurrency,
        "max_in_flight_seen": max_in_flight,
        "limit_interval_seconds": settings.per_host_interval_seconds,
        "min_start_to_start_seconds": min_spacing,
        "min_response_to_next_request_seconds": min_gap,
        "respected": max_in_flight <= settings.per_host_concurrency
        and (min_gap is None or min_gap >= settings.per_host_interval_seconds),
    }


# ---- 3. the naive pipeline -------------------------------------------------------------------


def naive(corpus: BenchCorpus, feeds: int, workdir: Path) -> dict[str, Any]:
    from mimir.parse import speedups

    speedups.uninstall()  # stock trafilatura: Mimir's faster pruning is not the naive one's
    try:
        return _naive(corpus, feeds, workdir)
    finally:
        speedups.install()


def _naive(corpus: BenchCorpus, feeds: int, workdir: Path) -> dict[str, Any]:
    import feedparser
    import httpx
    import trafilatura

    con = sqlite3.connect(workdir / "naive.db")
    con.execute(
        "CREATE TABLE IF NOT EXISTS a (url TEXT UNIQUE, title TEXT, text TEXT, author TEXT,"
        " date TEXT)"
    )
    n = 0
    t0 = time.perf_counter()
    with httpx.Client(timeout=30) as client:
        for url in corpus.feed_urls()[:feeds]:
            feed = feedparser.parse(client.get(url).content)
            for entry in feed.entries:
                page = client.get(entry.link).text
                doc = trafilatura.bare_extraction(page, url=entry.link, with_metadata=True)
                if doc is None or isinstance(doc, dict):  # a dict only with as_dict=True
                    continue
                con.execute(
                    "INSERT OR IGNORE INTO a VALUES (?, ?, ?, ?, ?)",
                    (entry.link, doc.title, doc.text, doc.author, doc.date),
                )
                con.commit()
                n += 1
    wall = time.perf_counter() - t0
    con.close()
    return {
        "articles": n,
        "feeds": feeds,
        "seconds": round(wall, 2),
        "per_second": round(n / wall, 1),
    }


# ---- 4. steady-state polling -----------------------------------------------------------------


def poll(corpus: BenchCorpus, n_sources: int, db_url: str) -> dict[str, Any]:
    """N sources whose feeds all answer 304: one pass by a real `mimir refresh --all`."""
    import httpx

    settings = bench_settings(db_url, -1, worker_concurrency=256, worker_batch_size=128)
    db = Database(settings)
    feeds = corpus.feed_urls()
    etags = {}
    with httpx.Client() as client:
        for u in feeds:
            etags[u] = client.get(u).headers["etag"]
    urls = [f"{feeds[i % len(feeds)]}?variant={i}" for i in range(n_sources)]
    add_sources(db, urls)

    def validators(conn: Any) -> None:
        for u in feeds:
            conn.execute(
                update(sources)
                .where(sources.c.url.like(u + "?variant=%"))
                .values(etag=etags[u], last_full_fetch_at=NOW)
            )

    db.sync_write(validators)
    db.close()
    corpus.reset_stats()
    env = {
        **os.environ,
        "MIMIR_DATABASE_URL": db_url,
        "MIMIR_FETCH_ALLOWED_NETWORKS": settings.fetch_allowed_networks,
        "MIMIR_PER_HOST_INTERVAL_SECONDS": str(settings.per_host_interval_seconds),
        "MIMIR_PER_HOST_CONCURRENCY": str(settings.per_host_concurrency),
        "MIMIR_WORKER_CONCURRENCY": str(settings.worker_concurrency),
        "MIMIR_WORKER_BATCH_SIZE": str(settings.worker_batch_size),
        "MIMIR_EXTRACT_PROCESSES": "1",
        "MIMIR_LOG_LEVEL": "warning",
    }
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out_f, tempfile.TemporaryFile("w+") as err_f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "mimir.cli.main", "refresh", "--all", "--json"],
            env=env,
            stdout=out_f,
            stderr=err_f,
            text=True,
        )
        peak_kib = 0
        while proc.poll() is None:  # the worker's own peak (VmHWM), not its children's
            peak_kib = max(peak_kib, _vm_hwm_kib(proc.pid))
            time.sleep(0.1)
        wall = time.perf_counter() - t0
        out_f.seek(0)
        err_f.seek(0)
        out = subprocess.CompletedProcess(proc.args, proc.returncode, out_f.read(), err_f.read())
    if out.returncode != 0:
        raise RuntimeError(f"refresh failed: {out.stderr[-2000:]}")
    result = json.loads(out.stdout)
    outcomes: dict[str, int] = {}
    for s in result["sources"]:
        outcomes[s["outcome"]] = outcomes.get(s["outcome"], 0) + 1
    stats = corpus.stats()
    return {
        "sources": n_sources,
        "seconds": round(wall, 2),
        "checks_per_second": round(len(result["sources"]) / wall, 1),
        "outcomes": outcomes,
        "server_304s": sum(h["not_modified"] for h in stats["hosts"].values()),
        "peak_rss_mb": round(peak_kib / 1024, 1),
        "politeness": politeness(corpus, settings),
    }


def _vm_hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


# ---- the run -----------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    from mimir.logs import configure_logging

    configure_logging("warning", "console")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--feeds", type=int, default=500)
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--hosts", type=int, default=250)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--naive-feeds", type=int, default=40, help="feeds read by the naive pipeline")
    ap.add_argument("--poll-sources", type=int, default=10_000)
    ap.add_argument(
        "--db", default=None, help="a PostgreSQL URL (default: a temporary SQLite file)"
    )
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    ap.add_argument("--json", dest="json_out", help="also write the results to this file")
    ap.add_argument(
        "--only",
        default="ceiling,mimir,stock-ceiling,naive,poll",
        help="comma-separated phases to run (default: all)",
    )
    args = ap.parse_args(argv)
    if args.smoke:
        args.feeds, args.items, args.hosts = 8, 5, 4
        args.naive_feeds, args.poll_sources = 2, 200
    results: dict[str, Any] = {
        "corpus": {"feeds": args.feeds, "items": args.items, "hosts": args.hosts},
        "processes": args.processes,
        "database": "postgresql" if args.db else "sqlite",
        "cpu_count": os.cpu_count(),
    }
    with (
        tempfile.TemporaryDirectory() as tmp,
        BenchCorpus(args.feeds, args.items, args.hosts) as corpus,
    ):
        work = Path(tmp)
        print(f"corpus: {args.feeds} feeds x {args.items} items on {args.hosts} hosts", flush=True)
        phases = set(args.only.split(","))
        if "ceiling" in phases:
            results["ceiling"] = ceiling(corpus, args.processes)
            print("ceiling (extract only):", results["ceiling"], flush=True)
        if "mimir" in phases:
            url = fresh_db(args.db, work, "ingest")
            results["mimir"] = mimir_ingest(corpus, url, args.processes)
            print("mimir (full ingest):   ", results["mimir"], flush=True)
        if "ceiling" in phases and "mimir" in phases:
            # the ceiling again, after: the same pages extracted back to back on this machine
            # varied by up to a quarter between runs a minute apart, so Mimir is set against
            # the mean of the two runs around it rather than against whichever came first
            again = ceiling(corpus, args.processes)
            print("ceiling (again, after):", again, flush=True)
            results["ceiling"] = bracket(results["ceiling"], again)
        if "stock-ceiling" in phases:
            results["stock_ceiling"] = ceiling(corpus, args.processes, stock=True)
            print("ceiling (stock trafilatura):", results["stock_ceiling"], flush=True)
        if "naive" in phases:
            results["naive"] = naive(corpus, min(args.naive_feeds, args.feeds), work)
            print("naive pipeline:        ", results["naive"], flush=True)
        if "poll" in phases:
            results["poll"] = poll(corpus, args.poll_sources, fresh_db(args.db, work, "poll"))
            print("poll (all 304):        ", results["poll"], flush=True)
    m, c, nv = results.get("mimir"), results.get("ceiling"), results.get("naive")
    ratios: dict[str, float] = {}
    if m and c:
        ratios["mimir_vs_ceiling"] = round(m["per_second"] / c["per_second"], 3)
        # the same comparison in CPU rather than wall time: extraction's CPU per page over all
        # the CPU Mimir spent per article (its process and the pool; not the corpus server)
        spent = sum(v for k, v in m["cpu_ms_per_article"].items() if k != "server")
        ratios["mimir_vs_ceiling_cpu"] = round(c["cpu_ms_per_page"] / max(spent, 1e-9), 3)
    if m:
        ratios["extraction_share"] = m["extraction_share"]
    sc = results.get("stock_ceiling")
    if m and sc:
        # the target as the issue framed it: a ceiling of stock trafilatura's extraction
        ratios["mimir_vs_stock_ceiling"] = round(m["per_second"] / sc["per_second"], 3)
    if sc and nv:
        ratios["stock_ceiling_vs_naive"] = round(sc["per_second"] / nv["per_second"], 2)
    if m and nv:
        ratios["mimir_vs_naive"] = round(m["per_second"] / nv["per_second"], 2)
    if c and nv:
        ratios["ceiling_vs_naive"] = round(c["per_second"] / nv["per_second"], 2)
    results["ratios"] = ratios
    print("ratios:", ratios, flush=True)
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))
    p = results.get("poll")
    ok = (
        not m or (m["articles"] == args.feeds * args.items and m["politeness"]["respected"])
    ) and (
        not p
        or (p["outcomes"].get("not_modified") == args.poll_sources and p["politeness"]["respected"])
    )
    if not ok:
        print("FAILED: lost articles, failed checks or politeness violations", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
