"""Ingest-to-notification latency in instant mode: an article appears on a news site, Mimir's
long-running worker fetches, stores and matches it, and its webhook arrives.

Everything runs in one process, as ``mimir run`` does: a local news site (outlets of
``tests.e2e.newsite.NewsSite`` on the fixture web, publishing the demo newsroom's articles, each
a story of its own), one ``run_worker`` (the real loop, not once-mode: source checks, article
pages, extraction processes, the watch upkeep and the outbox sender task), and a signed
webhook receiver (``tests.alerts.receiver``) behind one instant watch that every article
matches. Articles are published at a steady rate; each outlet's feed is checked every second.

For each alert the run measures, from one clock (the machine's wall clock):

- **stored**: ``articles.discovered_at`` of the article that raised it: the worker's clock read
  just before the one transaction that stores the article, places it in its story, records the
  alert and queues the outbox row (the same instant is ``alerts.created_at`` and
  ``outbox.created_at``);
- **committed**: when that transaction had committed (the worker's ``alert`` event);
- **attempt**: ``delivery_attempts.attempted_at``, the sender's clock after it leased and
  rendered the row, just before the POST;
- **received**: when the receiver had read the webhook request (headers and body).

The latency is *received - stored* (the issue's "from the article being stored to the webhook
receiving it"); the other differences break it down. *received - published* (when the page
appeared on the site) is shown too: it adds the feed's polling interval, the page fetch and the
extraction, which are ingest, not notification.

    python -m bench.alerts                     # 100 articles, 4 a second, SQLite
    python -m bench.alerts --smoke             # 12 articles, for CI (a few seconds)
    python -m bench.alerts --db postgresql+psycopg://postgres@127.0.0.1/mimir_bench
    python -m bench.alerts --articles 40 --rate 2 --slow-hook 5

``--slow-hook SECONDS`` gives the watch a second webhook channel whose receiver answers each
request after SECONDS (within the delivery timeout: slow, not failing); the first channel's
latencies are still the ones measured, so the run shows what a slow receiver costs the others.

Target (issue 3): p95 of received - stored at most 5 s. The run fails (exit 1) when an alert is
not delivered, is delivered twice, or an article is not stored.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import math
import sys
import tempfile
import time
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from tests.alerts.receiver import Receiver, Reply
from tests.e2e.newsite import Item, NewsSite
from tests.fixtureweb.server import FixtureWeb

from mimir.alerts.manage import add_channel, add_watch
from mimir.alerts.signing import verify
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.migrate import upgrade
from mimir.db.tables import alerts, articles, delivery_attempts, metadata, outbox
from mimir.demo.content import generate_article
from mimir.jobs.runtime import run_worker
from mimir.model import SourceKind, SourceSpec
from mimir.model.watches import WatchMode, WatchSpec
from mimir.monitor.context import Event
from mimir.storage import sources as source_store

SEED = 2026
DESK = "Filed to the Mimir latency desk."  # in every article: the watch matches them all
QUERY = '"latency desk"'
TARGET_P95_SECONDS = 5.0


# ---- the site ----------------------------------------------------------------------------


class LiveSite:
    """Outlets on the fixture web that publish the demo newsroom's articles one at a time."""

    def __init__(self, web: FixtureWeb, outlets: int) -> None:
        self.outlets = [
            NewsSite(web, prefix=f"/outlet{i}", utm_links=False) for i in range(outlets)
        ]
        for site in self.outlets:
            site.render()
        self.published: dict[str, float] = {}  # page URL -> when it appeared (time.time())

    def feed_urls(self) -> list[str]:
        return [site.feed_url() for site in self.outlets]

    def publish(self, index: int) -> str:
        site = self.outlets[index % len(self.outlets)]
        article = generate_article(SEED, index, site.prefix.strip("/"))
        when = datetime.now(UTC)
        item = Item(
            article.slug,
            article.title,
            [*article.paragraphs, DESK],
            when,
            when,
            article.author,
            list(article.keywords),
        )
        site.items.append(item)
        site.render()  # the page first, then the feed that links to it
        url = site.url(item)
        self.published[url] = time.time()
        return url


def fresh_db(db_url: str | None, workdir: Path) -> str:
    """A migrated, empty database: a new SQLite file, or the PostgreSQL one emptied."""
    url = db_url or f"sqlite:///{workdir / 'alerts.db'}"
    engine = create_engine(url)
    upgrade(engine)
    if db_url is not None:
        names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
        with engine.begin() as conn:
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return url


# ---- the run -----------------------------------------------------------------------------


@dataclass
class Observed:
    """What the worker told us as it went (its ``on_event`` hook), with our clock."""

    stored: dict[int, float] = field(default_factory=dict)  # article id -> event time
    alerts: dict[int, float] = field(default_factory=dict)  # alert id -> commit seen
    joined: int = 0  # articles that joined an existing story (they raise no new alert)

    def __call__(self, event: Event) -> None:
        if event.kind == "article_new":
            self.stored[event.data["article_id"]] = time.time()
            self.joined += bool(event.data.get("joined_story"))
        elif event.kind == "alert":
            self.alerts[event.data["alert_id"]] = time.time()


def bench_settings(db_url: str, processes: int | None) -> Settings:
    values: dict[str, Any] = {
        "database_url": db_url,
        "fetch_allowed_networks": "127.0.0.0/8",
        "notify_allowed_networks": "127.0.0.0/8",
        "per_host_interval_seconds": 0.05,  # every outlet is on one local host
        "per_host_concurrency": 4,
        "log_level": "warning",
        "log_format": "console",
    }
    if processes is not None:
        values["extract_processes"] = processes
    return Settings(**values)


@dataclass(frozen=True)
class Hook:
    """A webhook channel and the receiver behind it."""

    name: str
    receiver: Receiver
    channel_id: int = 0
    secret: str = ""


def setup(db: Database, site: LiveSite, hooks: list[Hook]) -> list[Hook]:
    """The outlets' feeds (checked every second), the webhook channels, one instant watch."""
    now = datetime.now(UTC)

    def go(conn: Any) -> list[Hook]:
        for i, url in enumerate(site.feed_urls()):
            spec = SourceSpec(
                name=f"Outlet {i}",
                url=url,
                kind=SourceKind.FEED,
                settings={"min_interval_seconds": 1, "max_interval_seconds": 1},
            )
            source_store.add_source(conn, spec, now)
        out = []
        for hook in hooks:
            url = hook.receiver.url(f"/{hook.name}", scheme="json")
            channel = add_channel(conn, hook.name, url, now)
            assert channel.webhook_secret
            out.append(replace(hook, channel_id=channel.id, secret=channel.webhook_secret))
        names = tuple(h.name for h in hooks)
        add_watch(conn, WatchSpec("Latency desk", QUERY, WatchMode.INSTANT, channels=names), now)
        return out

    return db.sync_write(go)


async def drive(
    settings: Settings,
    db: Database,
    site: LiveSite,
    hooks: list[Hook],
    observed: Observed,
    n: int,
    rate: float,
    drain_seconds: float,
) -> float:
    """Run the worker while publishing ``n`` articles at ``rate`` per second; stop once every
    article is stored and every alert delivered. Returns the wall time of the run."""
    stop = asyncio.Event()
    t0 = time.monotonic()
    worker = asyncio.create_task(run_worker(settings, stop=stop, on_event=observed, db=db))
    await asyncio.sleep(1.0)  # the worker's start-up (extraction pool, watch set) is not measured
    start = time.monotonic()
    for i in range(n):
        await asyncio.sleep(max(0.0, start + i / rate - time.monotonic()))
        site.publish(i)

    def delivered(hook: Hook) -> set[int]:
        return {int(json.loads(r.body)["alert_id"]) for r in list(hook.receiver.requests)}

    deadline = time.monotonic() + drain_seconds
    while time.monotonic() < deadline and not worker.done():
        if len(observed.stored) >= n and all(set(observed.alerts) <= delivered(h) for h in hooks):
            break
        await asyncio.sleep(0.1)
    stop.set()
    await worker
    return time.monotonic() - t0


# ---- the numbers -------------------------------------------------------------------------


def percentile(values: list[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty list."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]


def summary(values: list[float]) -> dict[str, float]:
    if not values:
        return {}
    return {
        "p50": round(percentile(values, 50), 3),
        "p95": round(percentile(values, 95), 3),
        "max": round(max(values), 3),
        "mean": round(sum(values) / len(values), 3),
    }


def _ts(moment: datetime) -> float:
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).timestamp()


def measure(db: Database, site: LiveSite, hook: Hook, observed: Observed) -> dict[str, Any]:
    """The latencies of one channel's deliveries, and what was lost or repeated."""

    def rows(conn: Any) -> tuple[list[Any], list[Any]]:
        per_alert = conn.execute(
            select(
                alerts.c.id.label("alert_id"),
                articles.c.canonical_url,
                articles.c.discovered_at,
                outbox.c.id.label("outbox_id"),
            )
            .select_from(
                alerts.join(articles, articles.c.id == alerts.c.article_id).join(
                    outbox,
                    (outbox.c.alert_id == alerts.c.id) & (outbox.c.channel_id == hook.channel_id),
                )
            )
            .order_by(alerts.c.id)
        ).all()
        tries = conn.execute(select(delivery_attempts).order_by(delivery_attempts.c.id)).all()
        return per_alert, tries

    per_alert, tries = db.sync_read(rows)
    first_try: dict[int, Any] = {}
    for t in tries:
        first_try.setdefault(t.outbox_id, t)
    received: dict[str, float] = {}
    repeats = 0
    for request in hook.receiver.requests:
        verify(
            [hook.secret], request.headers["x-mimir-signature"], request.body, now=int(time.time())
        )
        key = request.headers["idempotency-key"]
        if key in received:
            repeats += 1
        else:
            received[key] = request.at
    series: dict[str, list[float]] = {
        "received - stored": [],
        "received - committed": [],
        "attempt - stored": [],
        "received - attempt": [],
        "received - published": [],
    }
    lost = []
    for r in per_alert:
        at = received.get(str(r.outbox_id))
        if at is None:
            lost.append(r.alert_id)
            continue
        stored = _ts(r.discovered_at)
        series["received - stored"].append(at - stored)
        if r.alert_id in observed.alerts:
            series["received - committed"].append(at - observed.alerts[r.alert_id])
        attempt = first_try.get(r.outbox_id)
        if attempt is not None:
            series["attempt - stored"].append(_ts(attempt.attempted_at) - stored)
            series["received - attempt"].append(at - _ts(attempt.attempted_at))
        if r.canonical_url in site.published:
            series["received - published"].append(at - site.published[r.canonical_url])
    return {
        "alerts": len(per_alert),
        "delivered": len(received),
        "repeated_deliveries": repeats,
        "lost": lost,
        "seconds": {k: summary(v) for k, v in series.items()},
    }


def main(argv: list[str] | None = None) -> None:
    from mimir.logs import configure_logging

    configure_logging("warning", "console")
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=100)
    ap.add_argument("--rate", type=float, default=4.0, help="articles published per second")
    ap.add_argument("--outlets", type=int, default=4, help="feeds on the local news site")
    ap.add_argument(
        "--processes", type=int, default=None, help="extraction processes (default: the setting)"
    )
    ap.add_argument(
        "--slow-hook",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="also notify a second webhook that answers after SECONDS (the first is measured)",
    )
    ap.add_argument(
        "--db", default=None, help="a PostgreSQL URL (default: a temporary SQLite file)"
    )
    ap.add_argument("--smoke", action="store_true", help="12 articles, for CI")
    ap.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.smoke:
        args.articles, args.outlets = 12, 2
    with (
        tempfile.TemporaryDirectory() as tmp,
        FixtureWeb() as web,
        Receiver() as fast,
        Receiver() as slow,
    ):
        hooks = [Hook("hook", fast)]
        if args.slow_hook > 0:
            slow.reply(*[Reply(delay=args.slow_hook)] * (2 * args.articles))
            hooks.append(Hook("slow-hook", slow))
        url = fresh_db(args.db, Path(tmp))
        settings = bench_settings(url, args.processes)
        site = LiveSite(web, args.outlets)
        observed = Observed()
        drain = 60.0 + args.slow_hook * args.articles / settings.notify_batch_size
        with Database(settings) as db:
            hooks = setup(db, site, hooks)
            wall = asyncio.run(
                drive(settings, db, site, hooks, observed, args.articles, args.rate, drain)
            )
            measured = {h.name: measure(db, site, h, observed) for h in hooks}
    results: dict[str, Any] = {
        "database": "postgresql" if args.db else "sqlite",
        "articles": args.articles,
        "rate_per_second": args.rate,
        "outlets": args.outlets,
        "extract_processes": settings.extract_processes,
        "slow_hook_seconds": args.slow_hook,
        "wall_seconds": round(wall, 1),
        "articles_published": len(site.published),
        "articles_stored": len(observed.stored),
        "joined_existing_story": observed.joined,
        **measured,
    }
    print(json.dumps(results, indent=2))
    p95 = results["hook"]["seconds"].get("received - stored", {}).get("p95")
    if p95 is not None:
        met = "met" if p95 <= TARGET_P95_SECONDS else "NOT met"
        print(f"p95 received - stored: {p95:.3f} s (target {TARGET_P95_SECONDS:.0f} s: {met})")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(results, indent=2))
    ok = results["articles_stored"] == args.articles and all(
        not m["lost"] and m["repeated_deliveries"] == 0 and m["delivered"] == m["alerts"] > 0
        for m in measured.values()
    )
    if not ok:
        print("FAILED: an article not stored, or an alert lost or delivered twice", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
