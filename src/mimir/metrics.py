"""Every Prometheus metric Mimir exports, in one place (docs/metrics.md lists them; a test
compares the two, and the dashboards and alert rules may name only these).

Names follow the Prometheus guide with the ``mimir_news_`` prefix (never colliding with Grafana
Mimir's own ``mimir_`` metrics); labels carry small fixed sets of values (a route template, an
outcome, a queue name), never a URL, an id or a user.

With several processes per pod (``mimir serve --workers N``), prometheus-client's multiprocess
mode is used: :func:`prepare_multiprocess` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
directory before the processes start, and ``/metrics`` then aggregates them
(:func:`exposition`). Gauges that are sampled (queue depth, pool use) are read at scrape time
by the process that serves ``/metrics``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

PREFIX = "mimir_news_"
MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"

#: request and fetch durations: 5 ms to 60 s
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)

# ---- the HTTP side ----------------------------------------------------------------------------
HTTP_REQUESTS = Counter(
    "mimir_news_http_requests",
    "HTTP requests answered, by method, route template and status code.",
    ["method", "route", "status"],
)
HTTP_DURATION = Histogram(
    "mimir_news_http_request_duration_seconds",
    "Time to answer an HTTP request (until the response started), by method and route template.",
    ["method", "route"],
    buckets=LATENCY_BUCKETS,
)

# ---- fetching ---------------------------------------------------------------------------------
FETCHES = Counter(
    "mimir_news_fetches",
    "Fetches by what was fetched (feed, page, robots) and outcome (ok, not_modified, "
    "robots_denied, rate_limited, or the error class such as timeout, dns, http_5xx).",
    ["kind", "outcome"],
)
FETCH_DURATION = Histogram(
    "mimir_news_fetch_duration_seconds",
    "Time of one fetch, by what was fetched.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)

# ---- ingest -----------------------------------------------------------------------------------
ARTICLES = Counter(
    "mimir_news_articles",
    "Articles stored, by outcome: new, revised (a new revision), duplicate (the same article "
    "again under another address), unchanged.",
    ["outcome"],
)
STORIES_FORMED = Counter("mimir_news_stories_formed", "New stories (an article no story held).")
LEASE_TAKEOVERS = Counter(
    "mimir_news_lease_takeovers",
    "Work whose lease had expired (a dead or stuck worker) taken over, by queue.",
    ["queue"],
)
QUEUE_DEPTH = Gauge(
    "mimir_news_queue_depth",
    "Items due now, by queue (sources, articles, outbox); sampled at scrape time, capped.",
    ["queue"],
    multiprocess_mode="max",
)
QUEUE_OLDEST_AGE = Gauge(
    "mimir_news_queue_oldest_age_seconds",
    "Age of the oldest due item, by queue: the scheduler's lag.",
    ["queue"],
    multiprocess_mode="max",
)

# ---- alerts -----------------------------------------------------------------------------------
ALERTS_MATCHED = Counter(
    "mimir_news_alerts_matched", "Alerts raised (a watch matched a story for the first time)."
)
NOTIFICATIONS = Counter(
    "mimir_news_notifications",
    "Notification attempts by outcome: sent, failed (will retry), dead (given up).",
    ["outcome"],
)

# ---- resources --------------------------------------------------------------------------------
DB_POOL = Gauge(
    "mimir_news_db_pool_connections",
    "Database connections of this process's pool, by state (in_use, idle).",
    ["state"],
    multiprocess_mode="livesum",
)
REDIS_UP = Gauge(
    "mimir_news_redis_up",
    "1 when Redis (MIMIR_REDIS_URL) answered its last ping, 0 when not; absent when none is set.",
    multiprocess_mode="max",
)
BUILD_INFO = Gauge(
    "mimir_news_build_info",
    "Always 1; the labels say which Mimir this is.",
    ["version"],
    multiprocess_mode="max",
)


def exported_names() -> set[str]:
    """The sample names a scrape can show (counters with ``_total``, histograms with their
    ``_bucket``/``_sum``/``_count``): what dashboards and rules may refer to."""
    names: set[str] = set()
    for metric in ALL:
        base = metric._name  # prometheus-client keeps the name here
        if isinstance(metric, Counter):
            names |= {f"{base}_total", f"{base}_created"}
        elif isinstance(metric, Histogram):
            names |= {f"{base}_bucket", f"{base}_sum", f"{base}_count", f"{base}_created"}
        else:
            names.add(base)
    return names


ALL: tuple[Counter | Gauge | Histogram, ...] = (
    HTTP_REQUESTS,
    HTTP_DURATION,
    FETCHES,
    FETCH_DURATION,
    ARTICLES,
    STORIES_FORMED,
    LEASE_TAKEOVERS,
    QUEUE_DEPTH,
    QUEUE_OLDEST_AGE,
    ALERTS_MATCHED,
    NOTIFICATIONS,
    DB_POOL,
    REDIS_UP,
    BUILD_INFO,
)


def prepare_multiprocess() -> str:
    """A fresh multiprocess directory for this server's processes (call before they start,
    in the parent); an existing ``PROMETHEUS_MULTIPROC_DIR`` is emptied and kept."""
    directory = os.environ.get(MULTIPROC_ENV)
    if directory:
        for entry in os.scandir(directory):
            if entry.is_file() and entry.name.endswith(".db"):
                os.unlink(entry.path)
    else:
        directory = tempfile.mkdtemp(prefix="mimir-metrics-")
        os.environ[MULTIPROC_ENV] = directory
    return directory


def cleanup_multiprocess(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def exposition(extra: Iterable[object] = ()) -> tuple[bytes, str]:
    """The text format of every metric of this process, or of all processes in multiprocess
    mode; ``extra`` collectors are added (sampled gauges)."""
    if os.environ.get(MULTIPROC_ENV):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        for collector in extra:
            registry.register(collector)  # type: ignore[arg-type]
        return generate_latest(registry), CONTENT_TYPE_LATEST
    from prometheus_client import REGISTRY

    return generate_latest(REGISTRY), CONTENT_TYPE_LATEST
