"""Every Prometheus metric Mimir exports, in one place (docs/metrics.md lists them; a test
compares the two, and the dashboards and alert rules may name only these).

Names follow the Prometheus guide with the ``mimir_news_`` prefix (never colliding with Grafana
Mimir's own ``mimir_`` metrics); labels carry small fixed sets of values (a route template, an
outcome, a queue name), never a URL, an id or a user.

With several processes per pod (``mimir serve --workers N``), prometheus-client's multiprocess
mode is used: :func:`prepare_multiprocess` points ``PROMETHEUS_MULTIPROC_DIR`` at a fresh
directory before the processes start (they are spawned, so each imports prometheus-client with
the variable set), and ``/metrics`` then aggregates them (:func:`exposition`). The files of
processes that died are retired by :class:`DeadProcessReaper` in the supervising parent, and by
each process itself when it stops (:func:`mark_this_process_dead`). Gauges that are sampled
(queue depth and age, pool use, Redis) are set just before a scrape by the process that serves
it (mimir.samplers), so their multiprocess mode is "the most recent value".

Recording is cheap on the hot paths: the label children of a metric are resolved once and kept
(:func:`http_children`, :func:`fetch_children`), so a request costs a dictionary look-up, one
counter increment and one histogram observation.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Iterable

if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):  # prometheus-client writes there from import on
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

from prometheus_client import (  # after the directory exists
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)

from mimir import __version__
from mimir.errors import (
    BlockedAddress,
    BodyTooLarge,
    BotChallenge,
    ConnectError,
    DNSError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    NetworkDown,
    RateLimited,
    RobotsDenied,
    TLSError,
    TooManyRedirects,
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
    "Time to answer an HTTP request (until its response was sent), by method and route "
    "template; event streams are not observed.",
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
    "Network time of one fetch (every hop of its redirects, without politeness waits), by "
    "what was fetched.",
    ["kind"],
    buckets=LATENCY_BUCKETS,
)

# ---- ingest -----------------------------------------------------------------------------------
ARTICLES = Counter(
    "mimir_news_articles",
    "Articles stored, by outcome: new, revised (a new revision), duplicate (a new entry that "
    "is an article already stored, under another address), unchanged (a re-check found no "
    "change), tombstoned (deleted, kept deleted).",
    ["outcome"],
)
EXTRACT_CPU = Histogram(
    "mimir_news_extract_cpu_seconds",
    "CPU time of extracting one article page (the page's text, metadata and sanitized HTML, in "
    "an extraction process); the count is the pages extracted.",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5),
)
STORIES_FORMED = Counter("mimir_news_stories_formed", "New stories (an article no story held).")
STORIES_JOINED = Counter(
    "mimir_news_stories_joined",
    "New articles placed in an existing story (near-duplicates, usually from another source).",
)
LEASE_TAKEOVERS = Counter(
    "mimir_news_lease_takeovers",
    "Work whose lease had expired (a dead or stuck worker) taken over, by queue.",
    ["queue"],
)
QUEUE_DEPTH = Gauge(
    "mimir_news_queue_depth",
    "Items due now, by queue (sources, articles, outbox); sampled, capped at 10000.",
    ["queue"],
    multiprocess_mode="livemostrecent",
)
QUEUE_OLDEST_AGE = Gauge(
    "mimir_news_queue_oldest_age_seconds",
    "Age of the oldest due item, by queue (0 when nothing is due): the scheduler's lag.",
    ["queue"],
    multiprocess_mode="livemostrecent",
)

# ---- alerts -----------------------------------------------------------------------------------
ALERTS_MATCHED = Counter(
    "mimir_news_alerts_matched", "Alerts raised (a watch matched a story for the first time)."
)
NOTIFICATIONS = Counter(
    "mimir_news_notifications",
    "Notification attempts by outcome: sent, failed (will retry), dead (given up), lost_lease "
    "(delivered after another sender took the row over).",
    ["outcome"],
)

# ---- resources --------------------------------------------------------------------------------
DB_POOL = Gauge(
    "mimir_news_db_pool_connections",
    "Database connections of the pools of the processes, by state (in_use, idle).",
    ["state"],
    multiprocess_mode="livesum",
)
BUILD_INFO = Gauge(
    "mimir_news_build_info",
    "Always 1; the labels say which Mimir this is.",
    ["version"],
    multiprocess_mode="max",
)

#: ``mimir_news_redis_up`` exists only where Redis is configured, so it is made on first use
#: (an unlabelled gauge shows 0 from the moment it is made): :func:`set_redis_up`
REDIS_UP_NAME = "mimir_news_redis_up"
REDIS_UP_HELP = (
    "1 when Redis (MIMIR_REDIS_URL) answered its last ping, 0 when not; absent when none is set."
)
_redis_up: Gauge | None = None
_redis_lock = threading.Lock()

#: the label values each label may take (documented in docs/metrics.md; "route" takes the
#: route templates of the app, and "unmatched")
QUEUES = ("sources", "articles", "outbox")
FETCH_KINDS = ("feed", "page", "robots")
FETCH_OUTCOMES = (
    "ok",
    "not_modified",
    "robots_denied",
    "rate_limited",
    "timeout",
    "dns",
    "connect",
    "network_down",
    "http_4xx",
    "http_5xx",
    "too_large",
    "too_many_redirects",
    "blocked",
    "invalid_url",
    "error",
)
ARTICLE_OUTCOMES = ("new", "revised", "duplicate", "unchanged", "tombstoned")
NOTIFICATION_OUTCOMES = ("sent", "failed", "dead", "lost_lease")
POOL_STATES = ("in_use", "idle")
HTTP_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED_ROUTE = "unmatched"

ALL: tuple[Counter | Gauge | Histogram, ...] = (
    HTTP_REQUESTS,
    HTTP_DURATION,
    FETCHES,
    FETCH_DURATION,
    ARTICLES,
    EXTRACT_CPU,
    STORIES_FORMED,
    STORIES_JOINED,
    LEASE_TAKEOVERS,
    QUEUE_DEPTH,
    QUEUE_OLDEST_AGE,
    ALERTS_MATCHED,
    NOTIFICATIONS,
    DB_POOL,
    BUILD_INFO,
)


def metric_types() -> dict[str, str]:
    """Every metric family by name (without ``_total``), with its type."""
    kinds = {Counter: "counter", Gauge: "gauge", Histogram: "histogram"}
    out = {m._name: kinds[type(m)] for m in ALL}  # prometheus-client keeps the name here
    out[REDIS_UP_NAME] = "gauge"
    return out


def exported_names() -> set[str]:
    """The sample names a scrape can show (counters with ``_total``, histograms with their
    ``_bucket``/``_sum``/``_count``): what dashboards and rules may refer to."""
    names: set[str] = set()
    for base, kind in metric_types().items():
        if kind == "counter":
            names |= {f"{base}_total", f"{base}_created"}
        elif kind == "histogram":
            names |= {f"{base}_bucket", f"{base}_sum", f"{base}_count", f"{base}_created"}
        else:
            names.add(base)
    return names


# ---- recording (the call sites use these) ------------------------------------------------------

BUILD_INFO.labels(version=__version__).set(1)

_http: dict[tuple[str, str, int], tuple[object, object]] = {}
_fetch: dict[tuple[str, str], object] = {}
_fetch_duration = {kind: FETCH_DURATION.labels(kind=kind) for kind in FETCH_KINDS}
_articles = {outcome: ARTICLES.labels(outcome=outcome) for outcome in ARTICLE_OUTCOMES}
_notifications = {o: NOTIFICATIONS.labels(outcome=o) for o in NOTIFICATION_OUTCOMES}
_takeovers = {q: LEASE_TAKEOVERS.labels(queue=q) for q in QUEUES}


def observe_http(method: str, route: str, status: int, seconds: float | None) -> None:
    """One answered request (``seconds`` None: not timed, e.g. an event stream)."""
    key = (method, route, status)
    children = _http.get(key)
    if children is None:
        label = method if method in HTTP_METHODS else "other"
        children = (
            HTTP_REQUESTS.labels(method=label, route=route, status=str(status)),
            HTTP_DURATION.labels(method=label, route=route),
        )
        if len(_http) < 10_000:  # bounded whatever clients send
            _http[key] = children
    counter, histogram = children
    counter.inc()  # type: ignore[attr-defined]
    if seconds is not None:
        histogram.observe(seconds)  # type: ignore[attr-defined]


def fetch_outcome(exc: BaseException | None, status: int = 200) -> str:
    """The outcome label of a fetch that answered ``status`` or raised ``exc``."""
    if exc is None:
        return "not_modified" if status == 304 else "ok"
    for kind, outcome in _ERROR_OUTCOMES:
        if isinstance(exc, kind):
            if outcome == "http":
                code = getattr(exc, "status_code", 0)
                return "http_5xx" if code >= 500 else "http_4xx"
            return outcome
    return "error"


_ERROR_OUTCOMES: tuple[tuple[type[BaseException], str], ...] = (
    (RobotsDenied, "robots_denied"),
    (RateLimited, "rate_limited"),
    (NetworkDown, "network_down"),
    (BotChallenge, "bot_challenge"),
    (FetchTimeout, "timeout"),
    (TLSError, "tls"),
    (DNSError, "dns"),
    (ConnectError, "connect"),
    (HTTPStatusError, "http"),
    (BodyTooLarge, "too_large"),
    (TooManyRedirects, "too_many_redirects"),
    (BlockedAddress, "blocked"),
    (InvalidURL, "invalid_url"),
)


def observe_fetch(kind: str, outcome: str, seconds: float) -> None:
    counter = _fetch.get((kind, outcome))
    if counter is None:
        counter = _fetch[(kind, outcome)] = FETCHES.labels(kind=kind, outcome=outcome)
    counter.inc()  # type: ignore[attr-defined]
    _fetch_duration[kind].observe(seconds)


def count_article(outcome: str) -> None:
    _articles[outcome].inc()


def observe_extract_cpu(seconds: float) -> None:
    EXTRACT_CPU.observe(seconds)


def count_takeovers(queue: str, n: int) -> None:
    if n:
        _takeovers[queue].inc(n)


def count_notification(outcome: str) -> None:
    _notifications[outcome].inc()


def set_redis_up(up: bool | None) -> None:
    """Report the last ping (None: Redis is not configured, the metric stays absent)."""
    global _redis_up
    if up is None:
        return
    if _redis_up is None:
        with _redis_lock:
            if _redis_up is None:
                _redis_up = Gauge(REDIS_UP_NAME, REDIS_UP_HELP, multiprocess_mode="livemostrecent")
    _redis_up.set(1 if up else 0)


def set_pool(in_use: int, idle: int) -> None:
    DB_POOL.labels(state="in_use").set(in_use)
    DB_POOL.labels(state="idle").set(idle)


# ---- multiprocess mode ------------------------------------------------------------------------


def multiprocess_dir() -> str | None:
    return os.environ.get(MULTIPROC_ENV) or None


def prepare_multiprocess() -> tuple[str, bool]:
    """A fresh multiprocess directory for this server's processes (call in the parent, before
    they start): an existing ``PROMETHEUS_MULTIPROC_DIR`` is emptied and kept, otherwise one is
    made (and True says so: :func:`cleanup_multiprocess` removes it at the end)."""
    directory = multiprocess_dir()
    if directory:
        os.makedirs(directory, exist_ok=True)
        for entry in os.scandir(directory):
            if entry.is_file() and entry.name.endswith(".db"):
                os.unlink(entry.path)
        return directory, False
    directory = tempfile.mkdtemp(prefix="mimir-metrics-")
    os.environ[MULTIPROC_ENV] = directory
    return directory, True


def cleanup_multiprocess(directory: str) -> None:
    shutil.rmtree(directory, ignore_errors=True)


def mark_this_process_dead() -> None:
    """Retire this process's live gauges (its counters stay: totals never go backwards)."""
    directory = multiprocess_dir()
    if directory:
        from prometheus_client import multiprocess

        with contextlib.suppress(OSError):
            multiprocess.mark_process_dead(os.getpid(), directory)  # type: ignore[no-untyped-call]


_PID_OF_FILE = re.compile(r"_(\d+)\.db$")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def reap_dead_processes(directory: str) -> list[int]:
    """Retire the live gauges of every process that wrote to ``directory`` and is gone (a
    crashed or restarted server process); the pids retired."""
    from prometheus_client import multiprocess

    pids = set()
    for entry in os.scandir(directory):
        match = _PID_OF_FILE.search(entry.name)
        if match and entry.name.startswith("gauge_live"):
            pids.add(int(match.group(1)))
    dead = sorted(pid for pid in pids if not _alive(pid))
    for pid in dead:
        with contextlib.suppress(OSError):
            multiprocess.mark_process_dead(pid, directory)  # type: ignore[no-untyped-call]
    return dead


class DeadProcessReaper:
    """A thread of the supervising parent that retires dead processes' gauges every few
    seconds (``with DeadProcessReaper(directory): supervise()``)."""

    def __init__(self, directory: str, every: float = 5.0) -> None:
        self.directory = directory
        self.every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="metrics-reaper", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            with contextlib.suppress(OSError):
                reap_dead_processes(self.directory)

    def __enter__(self) -> DeadProcessReaper:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every + 1)


def registry() -> CollectorRegistry:
    """What a scrape shows: this process's metrics, or every process's in multiprocess mode."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        aggregated = CollectorRegistry()
        multiprocess.MultiProcessCollector(aggregated)  # type: ignore[no-untyped-call]
        return aggregated
    return REGISTRY


def exposition(extra: Iterable[object] = ()) -> tuple[bytes, str]:
    """The text format of every metric of this process, or of all processes in multiprocess
    mode; ``extra`` collectors are added."""
    extra = list(extra)
    reg = registry()
    if extra:
        if reg is REGISTRY:
            reg = CollectorRegistry()
            reg.register(REGISTRY)  # type: ignore[arg-type]
        for collector in extra:
            reg.register(collector)  # type: ignore[arg-type]
    return generate_latest(reg), CONTENT_TYPE_LATEST
