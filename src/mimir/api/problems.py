"""Errors as RFC 9457 problem details (``application/problem+json``): type, title, status, detail.

Every error the HTTP side answers goes through :func:`problem`, whether a route raised it
(``HTTPException``, a :class:`~mimir.errors.MimirError`), the router found no route or method,
or the request did not validate. Details never repeat what the client sent in the path (a feed
token, say).
"""

from __future__ import annotations

from collections.abc import Mapping
from http import HTTPStatus

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from mimir.api.redact import redact_path
from mimir.errors import MimirError, Throttled

log = structlog.get_logger("mimir.http")

PROBLEM_JSON = "application/problem+json"


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_JSON


def problem(
    status: int,
    detail: str | None = None,
    *,
    title: str | None = None,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extra: object,
) -> Response:
    """A problem+json response; ``title`` defaults to the status's reason phrase."""
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Error"
    body: dict[str, object] = {
        "type": type_,
        "title": title or phrase,
        "status": status,
        "detail": detail or title or phrase,
        **extra,
    }
    out = {"cache-control": "no-store", **(headers or {})}
    return ProblemResponse(body, status_code=status, headers=out)


async def _http_error(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = exc.detail if isinstance(exc.detail, str) else None
    if exc.status_code == HTTPStatus.NOT_FOUND and detail == HTTPStatus.NOT_FOUND.phrase:
        detail = "There is nothing at this address."
    return problem(exc.status_code, detail, headers=exc.headers)


async def _invalid_request(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    parts = []
    for err in exc.errors():
        where = ".".join(str(p) for p in err.get("loc", ()))
        parts.append(f"{where}: {err.get('msg', 'invalid')}" if where else err.get("msg", ""))
    return problem(HTTPStatus.UNPROCESSABLE_ENTITY, "; ".join(parts) or None)


async def _mimir_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, MimirError)
    status = exc.status if 400 <= exc.status < 600 else 500
    if status >= 500:  # ours to fix: the message stays in the log
        log.error("http_error", error_class=exc.code, error=exc.message, path=redact_path(request))
        return problem(status, code=exc.code)
    headers = {"Retry-After": str(exc.retry_after_seconds)} if isinstance(exc, Throttled) else None
    return problem(status, exc.message, code=exc.code, headers=headers)


def install(app: FastAPI) -> None:
    """Answer every error of ``app`` as problem+json (unhandled ones: see the boundary)."""
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    app.add_exception_handler(MimirError, _mimir_error)
