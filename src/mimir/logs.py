"""structlog set-up: JSON lines in containers, readable in a terminal; the same keys everywhere.

Every event is one line with the keys ``timestamp`` (ISO 8601, UTC), ``level``, ``logger`` and
``event``, then the event's own keys, then the context bound for the request or job it belongs
to: ``request_id`` (the API, and the jobs a request caused), ``source_id``, ``job_id``,
``watch_id``, ``outbox_id``, and ``trace_id``/``span_id`` while an OpenTelemetry span is active
(docs/operations.md, "Logs").
"""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime, time
from typing import Any

import structlog
from opentelemetry import trace


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    """Send every log event (ours and the libraries') to stderr as one line each."""
    if fmt == "auto":  # the stream the lines go to: a terminal reads them, anything else parses
        fmt = "console" if sys.stderr.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        add_trace_context,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer(default=_json_default)
        if fmt == "json"
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        # an event below the level is dropped before the processors run, not after
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info if fmt == "json" else _identity,
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in (
        "httpx",
        "httpcore",
        "trafilatura",
        "htmldate",
        "courlan",
        "charset_normalizer",
        "alembic",  # its info lines (plugin set-up, each migration step) are noise here
    ):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))


def add_trace_context(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """``trace_id`` and ``span_id`` (hex, as Jaeger and Tempo show them) of the active span."""
    ctx = trace.get_current_span().get_span_context()
    if ctx.is_valid:
        event.setdefault("trace_id", format(ctx.trace_id, "032x"))
        event.setdefault("span_id", format(ctx.span_id, "016x"))
    return event


def _json_default(value: Any) -> Any:
    """What json cannot encode: datetimes and dates as ISO 8601, anything else as str()."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _identity(_logger: Any, _name: str, event: Any) -> Any:
    return event
