"""OpenTelemetry traces: exported over OTLP/HTTP when ``MIMIR_OTEL_ENDPOINT`` is set.

:func:`configure` installs the SDK's tracer provider (``service.name`` from
``MIMIR_OTEL_SERVICE_NAME``, a batch span processor, the OTLP/HTTP exporter) and instruments
the HTTP clients (aiohttp: the fetcher; httpx: notifications and the rest). The API app is
instrumented by :func:`instrument_app` (called from :mod:`mimir.api.request_context`), each
database engine by :func:`instrument_database` (called by :class:`~mimir.db.database.Database`).

Without an endpoint nothing is installed: ``get_tracer("mimir")`` spans are the API's no-op
spans, :func:`carry` returns the function it is given, the hooks return at once.

Database work runs in threads (readers, and one writer that commits many callers' writes in
one transaction). The readers run each call in its caller's context once tracing is on, so
their SQL spans join the caller's trace; a write joins it when wrapped in :func:`carry`. SQL
that runs outside any span (the worker's claim loop, the writer's group commits) makes no span
at all: a root span per poll would bury the traces worth reading.
"""

from __future__ import annotations

import contextlib
import contextvars
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.util.types import Attributes

if TYPE_CHECKING:
    from fastapi import FastAPI
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import SpanExporter

    from mimir.config import Settings
    from mimir.db.database import Database

T = TypeVar("T")

TRACER_NAME = "mimir"
#: probes and scrapes are not traced: they would be most of the spans and tell nothing
EXCLUDED_URLS = "healthz,readyz,metrics"

_lock = threading.Lock()
_provider: TracerProvider | None = None


def tracer() -> trace.Tracer:
    """The tracer of Mimir's own spans (a no-op until a provider is installed)."""
    return trace.get_tracer(TRACER_NAME)


def enabled() -> bool:
    """Whether :func:`configure` (or :func:`install`) installed a provider in this process."""
    return _provider is not None


def traces_endpoint(endpoint: str) -> str:
    """The OTLP/HTTP traces URL: ``http://jaeger:4318`` -> ``http://jaeger:4318/v1/traces``;
    a URL that already names the path is kept."""
    endpoint = endpoint.strip()
    if endpoint.rstrip("/").endswith("/v1/traces"):
        return endpoint.rstrip("/")
    return endpoint.rstrip("/") + "/v1/traces"


def configure(settings: Settings) -> bool:
    """Install tracing for ``settings`` (once per process); False when no endpoint is set."""
    if not settings.otel_endpoint:
        return False
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    with _lock:
        if _provider is not None:
            return True
    exporter = OTLPSpanExporter(endpoint=traces_endpoint(settings.otel_endpoint), timeout=10)
    install(exporter, service_name=settings.otel_service_name)
    return True


def install(
    exporter: SpanExporter, *, service_name: str = "mimir", batch: bool = True
) -> TracerProvider:
    """Install a provider exporting to ``exporter`` and instrument the HTTP clients (tests pass
    the SDK's in-memory exporter with ``batch=False``)."""
    global _provider
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor

    from mimir import __version__

    with _lock:
        if _provider is not None:
            return _provider
        resource = Resource.create({"service.name": service_name, "service.version": __version__})
        provider = TracerProvider(resource=resource)
        processor = BatchSpanProcessor(exporter) if batch else SimpleSpanProcessor(exporter)
        provider.add_span_processor(processor)
        trace.set_tracer_provider(provider)
        _provider = provider
    _instrument_clients()
    return provider


def shutdown() -> None:
    """Flush the spans still queued and stop exporting (graceful shutdown; tests)."""
    global _provider
    with _lock:
        provider, _provider = _provider, None
    if provider is None:
        return
    _uninstrument_clients()
    with contextlib.suppress(Exception):
        provider.force_flush(5_000)
    provider.shutdown()


def _instrument_clients() -> None:
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    for instrumentor in (AioHttpClientInstrumentor(), HTTPXClientInstrumentor()):
        if not instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.instrument()


def _uninstrument_clients() -> None:
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor

    for instrumentor in (AioHttpClientInstrumentor(), HTTPXClientInstrumentor()):
        if instrumentor.is_instrumented_by_opentelemetry:
            instrumentor.uninstrument()


def instrument_app(app: FastAPI) -> None:
    """The FastAPI server spans (one per request, route template as its name), when on."""
    if not enabled():
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=EXCLUDED_URLS)


def instrument_database(db: Database) -> None:
    """Hook for :class:`~mimir.db.database.Database`: SQL spans under the caller's span, and
    reads run in the caller's context (spans and log context), when tracing is on. Every
    process opens its database first: this is where its tracing is configured."""
    configure(db.settings)
    if not enabled():
        return
    from opentelemetry.instrumentation.sqlalchemy.engine import EngineTracer
    from opentelemetry.metrics import get_meter

    usage = get_meter(TRACER_NAME).create_up_down_counter(
        "db.client.connections.usage", unit="connections"
    )
    EngineTracer(  # type: ignore[no-untyped-call]
        _ChildSpansOnly(trace.get_tracer("mimir.db")), db.engine, usage
    )
    old = db._readers
    db._readers = _ContextExecutor(
        max_workers=old._max_workers,
        thread_name_prefix="mimir-db-read",
    )
    old.shutdown(wait=False)


def carry(fn: Callable[..., T]) -> Callable[..., T]:
    """``fn`` bound to the caller's context (the active span, the bound log keys), to run in
    another thread: the database writer, a worker's own event loop. Each call of the result
    runs in one copy of the context taken now."""
    ctx = contextvars.copy_context()

    def run(*args: Any, **kwargs: Any) -> T:
        return ctx.run(fn, *args, **kwargs)

    return run


@contextlib.contextmanager
def span(
    name: str, attributes: Mapping[str, Any] | None = None, *, child_only: bool = False
) -> Iterator[trace.Span]:
    """A span of Mimir's own (``ingest.fetch``, ``ingest.store``, ...) as the current span;
    attributes that are None are left out. A no-op span when tracing is off, and with
    ``child_only`` when no span is active (code that runs in the database writer)."""
    if not _provider or (child_only and not trace.get_current_span().get_span_context().is_valid):
        yield trace.INVALID_SPAN
        return
    attrs = {k: v for k, v in (attributes or {}).items() if v is not None}
    with tracer().start_as_current_span(name, attributes=attrs) as current:
        yield current


class _ChildSpansOnly(trace.Tracer):
    """A tracer that makes spans only under an active span (see the module's docstring)."""

    def __init__(self, inner: trace.Tracer) -> None:
        self._inner = inner

    def start_span(
        self,
        name: str,
        context: otel_context.Context | None = None,
        kind: trace.SpanKind = trace.SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
    ) -> trace.Span:
        if not trace.get_current_span(context).get_span_context().is_valid:
            return trace.INVALID_SPAN
        return self._inner.start_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
        )

    @contextlib.contextmanager
    def start_as_current_span(  # type: ignore[override]
        self,
        name: str,
        context: otel_context.Context | None = None,
        kind: trace.SpanKind = trace.SpanKind.INTERNAL,
        attributes: Attributes = None,
        links: Sequence[trace.Link] | None = None,
        start_time: int | None = None,
        record_exception: bool = True,
        set_status_on_exception: bool = True,
        end_on_exit: bool = True,
    ) -> Iterator[trace.Span]:
        new = self.start_span(
            name,
            context,
            kind,
            attributes,
            links,
            start_time,
            record_exception,
            set_status_on_exception,
        )
        with trace.use_span(new, end_on_exit=end_on_exit) as current:
            yield current


class _ContextExecutor(ThreadPoolExecutor):
    """A thread pool that runs each call in a copy of the submitter's context."""

    def submit(self, fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> Future[T]:
        ctx = contextvars.copy_context()
        return super().submit(ctx.run, fn, *args, **kwargs)
