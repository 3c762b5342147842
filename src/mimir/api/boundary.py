"""The request boundary, outermost around the app: security headers on every response, one log
line per request (feed tokens redacted), the request metrics (by route template, never the raw
path: docs/metrics.md), and a logged problem+json 500 for anything unhandled.

A pure ASGI middleware (not ``BaseHTTPMiddleware``): it adds no task per request and never
buffers a body, so streamed responses (exports, later) pass straight through.
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Mapping

import structlog
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from mimir import metrics
from mimir.api.observe import route_template
from mimir.api.problems import problem
from mimir.api.redact import redact_path, scrub

log = structlog.get_logger("mimir.http")

#: for the routes that serve no HTML (feeds, JSON, probes): nothing may load, nothing may frame
#: them; a route that serves a page sets its own Content-Security-Policy, which is kept
SECURITY_HEADERS: Mapping[str, str] = {
    "Content-Security-Policy": "default-src 'none'; frame-ancestors 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
HSTS = "max-age=31536000"  # only on requests that arrived over TLS
QUIET_PATHS = frozenset({"/healthz", "/readyz"})  # probes: logged at debug level


class Boundary:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500
        response_started = False
        streaming = False  # an event stream: counted, not timed (it lasts as long as the page)

        async def send_with_headers(message: Message) -> None:
            nonlocal status, response_started, streaming
            if message["type"] == "http.response.start":
                response_started = True
                status = int(message["status"])
                for name, value in message.get("headers", ()):
                    if name == b"content-type":
                        streaming = value.startswith(b"text/event-stream")
                        break
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
                if scope.get("scheme") == "https":
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        except Exception as exc:  # the boundary: log it, answer 500, keep serving
            # a plain traceback (no frame locals), with the feed token cut out of it
            trace = "".join(traceback.format_exception(exc))
            log.error(
                "http_unhandled_error",
                method=scope["method"],
                path=redact_path(scope),
                error_class=type(exc).__name__,
                exception=scrub(trace, str(scope.get("path", ""))),
            )
            if response_started:
                raise  # too late for a clean answer: the server closes the connection
            await problem(500, "Mimir could not answer this request.")(
                scope, receive, send_with_headers
            )
        finally:
            elapsed = time.perf_counter() - started
            metrics.observe_http(
                scope["method"], route_template(scope), status, None if streaming else elapsed
            )
            path = redact_path(scope)
            (log.debug if path in QUIET_PATHS and status < 500 else log.info)(
                "http_request",
                method=scope["method"],
                path=path,
                status=status,
                duration_ms=round(elapsed * 1000, 1),
            )
