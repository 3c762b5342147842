"""The Prometheus metrics (docs/metrics.md): the catalogue and the document agree, and real
scrapes after real requests, fetches and stores show the counters moving with the right labels,
never a URL or an id; ``mimir serve --workers 2`` sums both processes; ``mimir worker`` serves its
own ``/metrics``."""

from __future__ import annotations

import concurrent.futures
import contextlib
import glob
import os
import re
import selectors
import signal
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi.routing import iter_route_contexts
from prometheus_client import REGISTRY
from prometheus_client.mmap_dict import MmapedDict
from prometheus_client.parser import text_string_to_metric_families
from starlette.exceptions import StarletteDeprecationWarning

from mimir import __version__, metrics
from mimir.api.app import create_app
from mimir.config import Settings
from mimir.db.database import Database
from mimir.monitor.article import emit_stored
from mimir.monitor.ingest import Stored
from mimir.samplers import Sampler, sample_queues
from mimir.storage import sources as source_store
from mimir.storage.articles import StoreOutcome
from tests.cli.conftest import BASE_ENV
from tests.conftest import IN_CI
from tests.e2e.helpers import add, now, refresh
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

with warnings.catch_warnings():  # as tests/api/conftest.py: Starlette prefers httpx2
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
MIMIR = Path(sys.executable).with_name("mimir")
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    out: Samples = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            out[(s.name, frozenset(s.labels.items()))] = s.value
    return out


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(client: TestClient) -> Samples:
    r = client.get("/metrics")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/plain")
    return parse(r.text)


def assert_no_identifiers(samples: Samples, *forbidden: str) -> None:
    """No label value is a URL, an address or one of ``forbidden`` (ids, slugs, paths)."""
    for name, labels in samples:
        for key, v in labels:
            where = f"{name}{{{key}={v!r}}}"
            assert "://" not in v and "127.0.0.1" not in v, where
            assert not any(f in v for f in forbidden), where
            if key != "route":
                assert not re.search(r"\d{3,}", v) or key in ("status", "le", "version"), where


# ---- the catalogue and docs/metrics.md ----------------------------------------------------------

ROW = re.compile(r"^\| `(mimir_news_\w+)` \| (counter|gauge|histogram) \|([^|]*)\|", re.M)


def documented() -> dict[str, tuple[str, set[str]]]:
    doc = (ROOT / "docs" / "metrics.md").read_text()
    return {
        name: (kind, set(re.findall(r"`(\w+)`", labels))) for name, kind, labels in ROW.findall(doc)
    }


def test_every_metric_is_documented_and_every_documented_metric_exists() -> None:
    doc = documented()
    code = metrics.metric_types()
    assert set(code) - set(doc) == set(), "metrics missing from docs/metrics.md"
    assert set(doc) - set(code) == set(), "docs/metrics.md names metrics the code lacks"
    for name, kind in code.items():
        assert doc[name][0] == kind, f"{name}: documented as {doc[name][0]}, is {kind}"
    for metric in metrics.ALL:
        assert doc[metric._name][1] == set(metric._labelnames), metric._name
    assert doc[metrics.REDIS_UP_NAME][1] == set()
    assert all(name.startswith(metrics.PREFIX) for name in code)


def test_documented_label_values_are_the_code_s() -> None:
    doc = (ROOT / "docs" / "metrics.md").read_text()
    for values in (
        metrics.FETCH_KINDS,
        metrics.FETCH_OUTCOMES,
        metrics.ARTICLE_OUTCOMES,
        metrics.NOTIFICATION_OUTCOMES,
        metrics.QUEUES,
        metrics.POOL_STATES,
    ):
        for v in values:
            assert f"`{v}`" in doc, v


@pytest.mark.parametrize(
    ("error", "outcome"),
    [
        ("RobotsDenied('x')", "robots_denied"),
        ("RateLimited('x', 5)", "rate_limited"),
        ("FetchTimeout('x')", "timeout"),
        ("DNSError('x')", "dns"),
        ("ConnectError('x')", "connect"),
        ("NetworkDown('x')", "network_down"),
        ("HTTPStatusError('x', 404)", "http_4xx"),
        ("HTTPStatusError('x', 503)", "http_5xx"),
        ("BodyTooLarge('x')", "too_large"),
        ("TooManyRedirects('x')", "too_many_redirects"),
        ("BlockedAddress('x')", "blocked"),
        ("InvalidURL('x')", "invalid_url"),
        ("FetchError('x')", "error"),
    ],
)
def test_fetch_outcomes(error: str, outcome: str) -> None:
    import mimir.errors as errors

    exc = eval(error, vars(errors))
    assert metrics.fetch_outcome(exc) == outcome
    assert outcome in metrics.FETCH_OUTCOMES


def test_fetch_outcomes_of_answers() -> None:
    assert metrics.fetch_outcome(None, 200) == "ok"
    assert metrics.fetch_outcome(None, 304) == "not_modified"


# ---- the HTTP side ------------------------------------------------------------------------------


@pytest.fixture
def client(settings: Settings, db: Database) -> Iterator[TestClient]:
    """The app on the test's database (as tests/api/conftest.py makes it)."""
    with TestClient(create_app(settings, db=db)) as c:
        yield c


def test_requests_are_counted_by_route_template_and_status(client: TestClient) -> None:
    before = scrape(client)
    for _ in range(3):
        assert client.get("/healthz").status_code == 200
    assert client.get("/api/v1/articles/987654").status_code == 401
    assert client.get("/api/v1/articles/123457").status_code == 401
    assert client.get("/no/such/page-4242").status_code == 404
    assert client.request("BREW", "/healthz").status_code == 405
    assert client.get("/static/css/mimir.css").status_code == 200
    after = scrape(client)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    total = "mimir_news_http_requests_total"
    count = "mimir_news_http_request_duration_seconds_count"
    assert delta(total, method="GET", route="/healthz", status="200") == 3
    assert delta(count, method="GET", route="/healthz") == 3
    template = "/api/v1/articles/{article_id}"
    assert delta(total, method="GET", route=template, status="401") == 2
    assert delta(total, method="GET", route="unmatched", status="404") == 1
    assert delta(total, method="other", route="/healthz", status="405") == 1
    assert delta(total, method="GET", route="/static/{path}", status="200") == 1
    # the scrape before this one was counted too, when it had been answered
    assert delta(total, method="GET", route="/metrics", status="200") == 1
    assert value(after, "mimir_news_build_info", version=__version__) == 1
    assert_no_identifiers(after, "987654", "123457", "4242", "no/such", "BREW", "mimir.css")
    # the registry is the process's: count only what these requests moved (another test may
    # have served a route of its own app)
    moved = {key for key, v in after.items() if v != before.get(key, 0.0)}
    routes = {v for (n, labels) in moved for k, v in labels if k == "route"}
    templates = {c.path for c in iter_route_contexts(client.app.routes)}  # type: ignore[attr-defined]
    known = templates | {"/static/{path}", "/api/v1/docs/assets/{path}", "unmatched"}
    assert routes <= known, routes - known
    assert {n for n, _ in after if n.startswith("mimir_news_")} <= metrics.exported_names()


def test_the_metrics_route_is_public_and_not_in_the_api_document(client: TestClient) -> None:
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert "/metrics" not in client.get("/api/v1/openapi.json").json()["paths"]


def test_queue_depth_and_lag_are_sampled_from_the_database(
    settings: Settings, db: Database, web: FixtureWeb
) -> None:
    site = NewsSite(web)
    site.publish(1)
    a = add(db, "Due A", site.feed_url())
    b = add(db, "Due B", site.feed_url("atom"))
    db.sync_write(source_store.make_due, [a.id, b.id], now() - timedelta(minutes=10))
    queues = db.sync_read(sample_queues, now())
    assert queues["sources"].depth == 2 and 590 < queues["sources"].oldest_age_seconds < 900
    assert queues["articles"].depth == 0 and queues["articles"].oldest_age_seconds == 0
    with TestClient(create_app(settings, db=db)) as c:
        samples = scrape(c)
    assert value(samples, "mimir_news_queue_depth", queue="sources") == 2
    assert value(samples, "mimir_news_queue_oldest_age_seconds", queue="sources") > 590
    assert value(samples, "mimir_news_queue_depth", queue="outbox") == 0
    if db.dialect == "postgresql":  # a real pool; SQLite's counts too when it is a file
        in_use = value(samples, "mimir_news_db_pool_connections", state="in_use")
        idle = value(samples, "mimir_news_db_pool_connections", state="idle")
        assert in_use >= 0 and in_use + idle >= 1


# ---- the worker side: real fetches and stores ---------------------------------------------------


def test_real_refreshes_move_fetch_article_and_story_counters(
    web: FixtureWeb, settings: Settings, db: Database
) -> None:
    site = NewsSite(web)
    items = site.publish(3)
    src = add(db, "Metrics RSS", site.feed_url())
    with TestClient(create_app(settings, db=db)) as c:
        before = scrape(c)
        checked, _ = refresh(settings, db, [src.id])
        assert checked[src.id]["outcome"] == "ok"
        first = scrape(c)
        checked, _ = refresh(settings, db, [src.id])
        assert checked[src.id]["outcome"] == "not_modified"
        second = scrape(c)
        failing = {
            "http_5xx": add(db, "Broken", web.url("/misbehave/status?code=503")),
            "http_4xx": add(db, "Gone", web.url("/misbehave/status?code=404")),
            "rate_limited": add(db, "Busy", web.url("/misbehave/retry_after?seconds=5")),
        }
        checked, _ = refresh(settings, db, [s.id for s in failing.values()])
        third = scrape(c)

    def delta(a: Samples, b: Samples, name: str, **labels: str) -> float:
        return value(b, name, **labels) - value(a, name, **labels)

    fetches = "mimir_news_fetches_total"
    assert delta(before, first, fetches, kind="feed", outcome="ok") == 1
    assert delta(before, first, fetches, kind="page", outcome="ok") == 3
    assert delta(before, first, fetches, kind="robots", outcome="ok") == 1
    assert delta(before, first, "mimir_news_fetch_duration_seconds_count", kind="page") == 3
    assert delta(before, first, "mimir_news_fetch_duration_seconds_sum", kind="page") > 0
    assert delta(before, first, "mimir_news_articles_total", outcome="new") == 3
    # each extracted page's CPU time, measured where it ran
    assert delta(before, first, "mimir_news_extract_cpu_seconds_count") == 3
    assert delta(before, first, "mimir_news_extract_cpu_seconds_sum") > 0
    formed = delta(before, first, "mimir_news_stories_formed_total")
    joined = delta(before, first, "mimir_news_stories_joined_total")
    assert formed >= 1 and formed + joined == 3

    assert delta(first, second, fetches, kind="feed", outcome="not_modified") == 1
    assert delta(first, second, fetches, kind="page", outcome="ok") == 0
    assert delta(first, second, "mimir_news_articles_total", outcome="new") == 0
    assert delta(first, second, "mimir_news_extract_cpu_seconds_count") == 0

    for outcome in failing:
        assert delta(second, third, fetches, kind="feed", outcome=outcome) == 1, outcome
    slugs = [i.slug for i in items]
    assert_no_identifiers(third, *slugs, "/news", "misbehave", str(src.id) * 3)
    assert {n for n, _ in third if n.startswith("mimir_news_")} <= metrics.exported_names()


def test_stored_outcomes_are_counted_after_the_commit() -> None:
    """A new entry found stored already is a duplicate; a re-check that finds it the same is
    unchanged; a new article forms or joins a story; its alerts are counted."""

    class Ctx:
        wake_sender = None

        def emit(self, *args: Any, **kwargs: Any) -> None:
            pass

    def count(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    names = [
        ("mimir_news_articles_total", {"outcome": "duplicate"}),
        ("mimir_news_articles_total", {"outcome": "unchanged"}),
        ("mimir_news_articles_total", {"outcome": "new"}),
        ("mimir_news_stories_formed_total", {}),
        ("mimir_news_stories_joined_total", {}),
    ]
    before = [count(n, **labels) for n, labels in names]
    ctx: Any = Ctx()
    v: Any = SimpleNamespace(title="t", canonical_url="u", source_id=1, language="en")
    emit_stored(ctx, Stored(StoreOutcome.UNCHANGED, 1), v, fresh=True)
    emit_stored(ctx, Stored(StoreOutcome.UNCHANGED, 1), v, fresh=False)
    emit_stored(ctx, Stored(StoreOutcome.NEW, 2, story_id=7, joined_story=False), v, fresh=True)
    emit_stored(ctx, Stored(StoreOutcome.NEW, 3, story_id=7, joined_story=True), v, fresh=True)
    after = [count(n, **labels) for n, labels in names]
    assert [b - a for a, b in zip(before, after, strict=True)] == [1, 1, 2, 1, 1]


# ---- Redis ---------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.mark.anyio
async def test_redis_up_reports_a_ping(sqlite_settings: Settings) -> None:
    down = Sampler(
        sqlite_settings.model_copy(update={"redis_url": f"redis://127.0.0.1:{_free_port()}/0"})
    )
    await down.sample(None)
    await down.close()
    assert REGISTRY.get_sample_value(metrics.REDIS_UP_NAME) == 0
    up = Sampler(sqlite_settings.model_copy(update={"redis_url": "redis://127.0.0.1:6379/0"}))
    await up.sample(None)
    await up.close()
    if REGISTRY.get_sample_value(metrics.REDIS_UP_NAME) != 1:
        if IN_CI:
            pytest.fail("Redis on 127.0.0.1:6379 did not answer (CI starts it)")
        pytest.skip("no Redis on 127.0.0.1:6379")


# ---- real processes ------------------------------------------------------------------------------


def _env(database_url: str, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("MIMIR_") and k != metrics.MULTIPROC_ENV
    }
    env |= {k: v for k, v in BASE_ENV.items() if v is not None}
    return env | {"MIMIR_DATABASE_URL": database_url, "MIMIR_LOG_FORMAT": "json"} | extra


def _first_line(proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise AssertionError("no banner")
    return proc.stdout.readline().decode()


@contextlib.contextmanager
def _running(args: list[str], env: dict[str, str]) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen(
        [str(MIMIR), *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def _migrated_sqlite(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'mimir.db'}"
    subprocess.run([str(MIMIR), "init"], env=_env(url), check=True, capture_output=True)
    return url


def _http_counts(directory: Path) -> dict[int, float]:
    """Requests to /healthz each process has counted, from its own file."""
    out: dict[int, float] = {}
    for path in glob.glob(str(directory / "counter_*.db")):
        pid = int(Path(path).stem.split("_")[1])
        d = MmapedDict(path, read_mode=True)  # type: ignore[no-untyped-call]
        try:
            out[pid] = sum(
                v
                for key, v, _ts in d.read_all_values()  # type: ignore[no-untyped-call]
                if '"mimir_news_http_requests_total"' in key and '"/healthz"' in key
            )
        finally:
            d.close()  # type: ignore[no-untyped-call]
    return out


def test_serve_with_two_processes_sums_both(tmp_path: Path) -> None:
    url = _migrated_sqlite(tmp_path)
    directory = tmp_path / "prom"
    env = _env(
        url,
        PROMETHEUS_MULTIPROC_DIR=str(directory),
        MIMIR_REDIS_URL=f"redis://127.0.0.1:{_free_port()}/0",  # nobody there: redis_up 0
    )
    args = ["serve", "--host", "127.0.0.1", "--port", "0", "--workers", "2"]
    with _running(args, env) as proc:
        line = _first_line(proc)
        assert line.startswith("Mimir is serving on http://127.0.0.1:"), line
        base = "http://127.0.0.1:" + line.split("127.0.0.1:", 1)[1].split(" ", 1)[0]
        sent = 0
        deadline = time.monotonic() + 60
        while True:  # both processes up: each answers readyz-style requests
            try:
                if httpx.get(f"{base}/healthz", timeout=5).status_code == 200:
                    sent += 1
                    break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.1)

        def hit(_: int) -> int:
            with httpx.Client() as c:  # a connection of its own: either process may take it
                return int(c.get(f"{base}/healthz", timeout=10).status_code == 200)

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            for _round in range(10):
                sent += sum(pool.map(hit, range(100)))
                per_process = _http_counts(directory)
                if len([n for n in per_process.values() if n > 0]) >= 2:
                    break
        assert len([n for n in per_process.values() if n > 0]) >= 2, per_process

        def healthz_total() -> float:
            r = httpx.get(f"{base}/metrics", timeout=10)
            assert r.status_code == 200
            samples.clear()
            samples.update(parse(r.text))
            name = "mimir_news_http_requests_total"
            return value(samples, name, method="GET", route="/healthz", status="200")

        # a request is counted just after its answer went out: allow that moment; then each
        # scrape (reaching either process) shows the same sum
        samples: Samples = {}
        deadline = time.monotonic() + 5
        while healthz_total() != sent and time.monotonic() < deadline:
            time.sleep(0.05)
        for _ in range(3):
            assert healthz_total() == sent, _http_counts(directory)
        assert value(samples, "mimir_news_redis_up") == 0
        assert value(samples, "mimir_news_build_info", version=__version__) == 1
        assert value(samples, "mimir_news_queue_depth", queue="sources") == 0
        assert value(samples, "mimir_news_db_pool_connections", state="idle") >= 1

        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-3000:]
    # the processes retired their live gauges when they stopped; counters stay
    assert not glob.glob(str(directory / "gauge_live*"))
    assert glob.glob(str(directory / "counter_*.db"))


def test_worker_serves_its_own_metrics(tmp_path: Path) -> None:
    url = _migrated_sqlite(tmp_path)
    port = _free_port()
    env = _env(url, MIMIR_METRICS_PORT=str(port), MIMIR_IDLE_SLEEP_SECONDS="0.2")
    with _running(["worker"], env) as proc:
        deadline = time.monotonic() + 60
        while True:
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5)
                samples = parse(r.text)
                if ("mimir_news_queue_depth", frozenset({("queue", "sources")})) in samples:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline and proc.poll() is None, "no /metrics"
            time.sleep(0.2)
        assert r.status_code == 200
        assert value(samples, "mimir_news_build_info", version=__version__) == 1
        assert value(samples, "mimir_news_queue_oldest_age_seconds", queue="outbox") == 0
        assert metrics.REDIS_UP_NAME not in r.text  # no Redis configured: absent, not 0
        assert {n for n, _ in samples if n.startswith("mimir_news_")} <= metrics.exported_names()
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err.decode()[-3000:]


def test_worker_metrics_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    url = _migrated_sqlite(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(MIMIR), "worker"],
            env=_env(url, MIMIR_METRICS_PORT=str(port)),
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert done.returncode != 0
    assert f"cannot serve metrics on 127.0.0.1:{port}" in done.stderr.decode()
    assert b"Traceback" not in done.stderr


def test_the_gauges_of_a_dead_process_are_retired(tmp_path: Path) -> None:
    """A server process that died without stopping (killed, crashed) leaves its live gauges;
    the supervising parent's reaper retires them, and keeps its counters."""
    directory = tmp_path / "prom"
    code = (
        "import os\n"
        "from mimir import metrics\n"
        "metrics.set_pool(3, 1)\n"
        "metrics.HTTP_REQUESTS.labels(method='GET', route='/healthz', status='200').inc()\n"
        "os._exit(0)\n"  # no clean stop: nothing retired
    )
    env = {**_env("sqlite://"), metrics.MULTIPROC_ENV: str(directory)}
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=60)
    assert glob.glob(str(directory / "gauge_livesum_*.db"))
    dead = metrics.reap_dead_processes(str(directory))
    assert len(dead) == 1
    assert not glob.glob(str(directory / "gauge_livesum_*.db"))
    assert glob.glob(str(directory / f"counter_{dead[0]}.db"))
    assert metrics.reap_dead_processes(str(directory)) == []
