"""OpenTelemetry: one API-triggered refresh is ONE connected trace (server span, the fetches,
the store), log lines carry its ids, and the OTLP endpoint is derived as documented."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import structlog
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from opentelemetry.util._once import Once

from mimir import tracing
from mimir.logs import configure_logging
from tests.api.conftest import TestClient
from tests.api.test_sources import spec
from tests.conftest import make_settings
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

API = "/api/v1/sources"


@pytest.fixture(autouse=True)
def spans() -> Iterator[InMemorySpanExporter]:
    """The SDK with an in-memory exporter, installed before the test's database and app (so
    they are instrumented), removed afterwards (the globals put back as they were)."""
    exporter = InMemorySpanExporter()
    tracing.install(exporter, service_name="mimir-test", batch=False)
    try:
        yield exporter
    finally:
        tracing.shutdown()
        trace._TRACER_PROVIDER_SET_ONCE = Once()  # the SDK's own test reset
        trace._TRACER_PROVIDER = None


@pytest.fixture
def site(web: FixtureWeb) -> NewsSite:
    s = NewsSite(web)
    s.publish(2)
    return s


def _hex(span_id: int | None) -> str | None:
    return None if span_id is None else format(span_id, "016x")


def test_one_api_triggered_refresh_is_one_connected_trace(
    spans: InMemorySpanExporter, as_editor: TestClient, db: Any, site: NewsSite
) -> None:
    sid = spec(db, "News", site.feed_url())
    spans.clear()
    r = as_editor.post(f"{API}/{sid}/refresh", params={"wait": "true", "timeout": 30})
    assert r.status_code == 200, r.text
    assert r.json()["stored"] == 2
    done: list[ReadableSpan] = list(spans.get_finished_spans())
    assert done, "no spans"
    traces = {s.context.trace_id for s in done}
    assert len(traces) == 1, sorted((s.name, format(s.context.trace_id, "x")) for s in done)
    ids = {s.context.span_id for s in done}
    roots = [s for s in done if s.parent is None]
    assert len(roots) == 1, [s.name for s in roots]
    (root,) = roots
    assert root.kind is SpanKind.SERVER
    assert root.name == "POST /api/v1/sources/{source_id}/refresh"
    assert (
        root.attributes is not None
        and root.attributes["mimir.request_id"] == r.headers["x-request-id"]
    )
    for s in done:  # every parent link resolves inside the trace: it is connected
        assert s.parent is None or s.parent.span_id in ids, (s.name, _hex(s.parent.span_id))
    names = [s.name for s in done]
    for step in ("worker.check_source", "ingest.check", "ingest.parse", "ingest.store"):
        assert step in names, (step, names)
    assert names.count("ingest.fetch") == 3  # the feed, then each job's page
    assert names.count("worker.article_job") == names.count("ingest.extract") == 2
    assert names.count("ingest.store_article") == 2 and names.count("ingest.place_story") == 2
    by_id = {s.context.span_id: s for s in done}
    # the HTTP client spans of the fetcher (aiohttp): the feed under ingest.fetch, the pages
    # under their jobs
    clients = [s for s in done if s.kind is SpanKind.CLIENT and s.name.startswith("GET")]
    assert len(clients) >= 3, [(s.name, s.kind) for s in done]
    feed_client = [
        c for c in clients if c.parent and by_id[c.parent.span_id].name == "ingest.fetch"
    ]
    assert feed_client, "the feed's HTTP span is not under ingest.fetch"
    # SQL spans sit under the spans of the code that ran them (readers and carried writes)
    sql = [
        s
        for s in done
        if s.kind is SpanKind.CLIENT
        and s.name.split()[0] in ("SELECT", "INSERT", "UPDATE", "DELETE")
    ]
    assert sql, "no SQL spans"
    store = next(s for s in done if s.name == "ingest.store_article")
    assert by_id[store.parent.span_id].name in ("worker.article_job", "ingest.store")  # type: ignore[union-attr]
    assert root.resource.attributes["service.name"] == "mimir-test"


def test_log_lines_carry_the_trace_and_span_ids(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("info", "json")
    log = structlog.get_logger("mimir.test")
    with tracing.span("ingest.fetch") as current:
        log.info("inside")
    log.info("outside")
    inside, outside = (json.loads(line) for line in capsys.readouterr().err.splitlines())
    ctx = current.get_span_context()
    assert inside["trace_id"] == format(ctx.trace_id, "032x")
    assert inside["span_id"] == format(ctx.span_id, "016x")
    assert "trace_id" not in outside and "span_id" not in outside


def test_sql_outside_any_span_makes_no_span(spans: InMemorySpanExporter, db: Any) -> None:
    """The worker's polls run outside spans: they must not each become a trace."""
    from sqlalchemy import text

    spans.clear()
    db.sync_read(lambda conn: conn.execute(text("SELECT 1")).scalar())
    assert spans.get_finished_spans() == ()
    with tracing.span("parent"):
        db.sync_read(lambda conn: conn.execute(text("SELECT 1")).scalar())
    names = [s.name for s in spans.get_finished_spans()]
    assert names[-1] == "parent" and len(names) == 2


def test_the_otlp_endpoint_and_no_tracing_without_one() -> None:
    assert tracing.traces_endpoint("http://jaeger:4318") == "http://jaeger:4318/v1/traces"
    assert tracing.traces_endpoint("http://jaeger:4318/") == "http://jaeger:4318/v1/traces"
    assert (
        tracing.traces_endpoint("https://otel.example.net/v1/traces")
        == "https://otel.example.net/v1/traces"
    )
    assert tracing.configure(make_settings("sqlite://", otel_endpoint="")) is False
    # installed already (this module's fixture): configure keeps the one provider
    assert tracing.configure(make_settings("sqlite://", otel_endpoint="http://127.0.0.1:9")) is True
