"""structlog set-up: JSON lines in containers, readable in a terminal; the same keys everywhere."""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime, time
from typing import Any

import structlog


def configure_logging(level: str = "info", fmt: str = "auto") -> None:
    """Send every log event (ours and the libraries') to stderr as one line each."""
    if fmt == "auto":
        fmt = "console" if sys.stderr.isatty() else "json"
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
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
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
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


def _json_default(value: Any) -> Any:
    """What json cannot encode: datetimes and dates as ISO 8601, anything else as str()."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return str(value)


def _identity(_logger: Any, _name: str, event: Any) -> Any:
    return event
