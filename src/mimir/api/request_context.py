"""Per-request context: the ``X-Request-ID`` (taken or made) bound into the logs and returned,
and the OpenTelemetry instrumentation of the app (docs/operations.md, "Logs" and "Tracing").

A request's id is the client's (or the proxy's) ``X-Request-ID`` when it is a sane token (1 to
128 characters of ``A-Z a-z 0-9 . _ -``), else a new one (32 hex digits). It is bound with
structlog's context variables for everything the request does, so each log line the request
causes carries it, also in the threads and jobs it starts (see ``mimir.tracing.carry`` and the
worker's claim), and it is sent back in the response's ``X-Request-ID``.
"""

from __future__ import annotations

import re
import uuid

import structlog
from fastapi import FastAPI
from opentelemetry import trace
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mimir import tracing

HEADER = "X-Request-ID"
MAX_LENGTH = 128
_SANE = re.compile(rf"[A-Za-z0-9._-]{{1,{MAX_LENGTH}}}")
_HEADER_KEY = HEADER.lower().encode("latin-1")


def install(app: FastAPI) -> None:
    """Wrap ``app`` with the request context (the outermost middleware: every log line of the
    request has its id) and, when tracing is on, the OpenTelemetry server spans."""
    app.add_middleware(RequestContext)
    tracing.configure(app.state.settings)
    tracing.instrument_app(app)


def sane(value: str | None) -> str | None:
    """``value`` when it is a usable request id, else None."""
    if value is not None and _SANE.fullmatch(value):
        return value
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The request id bound for the code running now (a request, or a job one caused)."""
    value = structlog.contextvars.get_contextvars().get("request_id")
    return value if isinstance(value, str) else None


class RequestContext:
    """Pure ASGI (no BaseHTTPMiddleware): the context variables it binds reach the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = None
        for key, value in scope.get("headers", ()):
            if key == _HEADER_KEY:
                given = sane(value.decode("latin-1"))
                break
        request_id = given or new_request_id()
        scope.setdefault("state", {})["request_id"] = request_id
        current = trace.get_current_span()
        if current.is_recording():
            current.set_attribute("mimir.request_id", request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        tokens = structlog.contextvars.bind_contextvars(request_id=request_id)
        try:
            await self.app(scope, receive, send_with_id)
        finally:
            structlog.contextvars.reset_contextvars(**tokens)
