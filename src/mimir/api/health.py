"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database reachable and
migrated to this code's revision, and Redis answering PING when ``MIMIR_REDIS_URL`` is set).
Orchestrators restart on the first and route on the second (docs/operations.md, "Health
checks"); ``mimir healthcheck`` asks them for container health checks.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Annotated, Any
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from mimir.api.access import PUBLIC
from mimir.api.deps import get_db
from mimir.api.problems import problem
from mimir.db.database import Database
from mimir.db.migrate import is_current

log = structlog.get_logger("mimir.http")

READY_TIMEOUT_SECONDS = 5.0
#: Redis is local to the cluster: an answer takes milliseconds, no answer in 2 s is an outage
REDIS_TIMEOUT_SECONDS = 2.0
NO_STORE = {"Cache-Control": "no-store"}
UNREADY: dict[int | str, dict[str, Any]] = {
    503: {"description": "Not ready", "content": {"application/problem+json": {}}}
}

router = APIRouter(tags=["health"], dependencies=[Depends(PUBLIC)])


@router.get("/healthz", summary="Alive: the process answers")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get(
    "/readyz",
    summary="Ready: the database is reachable and migrated, Redis answers (when configured)",
    responses=UNREADY,
)
async def readyz(request: Request, db: Annotated[Database, Depends(get_db)]) -> Response:
    try:
        # a thread of its own, abandoned after the timeout: a database that does not answer
        # must not hold the probe (or the reader pool) hostage
        current = await asyncio.wait_for(
            asyncio.to_thread(is_current, db.engine), READY_TIMEOUT_SECONDS
        )
    except TimeoutError:
        log.warning("not_ready", reason="database_timeout", timeout_seconds=READY_TIMEOUT_SECONDS)
        return problem(503, "The database did not answer in time.")
    except Exception as exc:  # unreachable, refused, bad credentials: the probe says so
        log.warning("not_ready", reason="database_unreachable", error_class=type(exc).__name__)
        return problem(503, "The database is unreachable.")
    if not current:
        log.warning("not_ready", reason="database_not_migrated")
        return problem(503, "The database is not migrated to this version: run `mimir migrate`.")
    checks: dict[str, str] = {"database": "ok"}
    redis_url: str = request.app.state.settings.redis_url
    if redis_url:
        failure = await redis_ping(redis_url, REDIS_TIMEOUT_SECONDS)
        if failure is not None:
            log.warning("not_ready", reason="redis_unreachable", error=failure)
            return problem(503, f"Redis is unreachable at {redis_address(redis_url)}: {failure}.")
        checks["redis"] = "ok"
    body: dict[str, Any] = {"status": "ok", "checks": checks}
    return JSONResponse(body, headers=NO_STORE)


def redis_address(url: str) -> str:
    """Where ``url`` points, without its credentials (for messages)."""
    parts = urlsplit(url)
    if parts.scheme == "unix":
        return parts.path
    host = parts.hostname or "localhost"
    try:
        port = parts.port
    except ValueError:
        port = None
    default = 26379 if "sentinel" in parts.scheme else 6379
    return f"{host}:{port or default}"


async def redis_ping(url: str, seconds: float) -> str | None:
    """None when Redis answers PING within ``seconds``, else what went wrong. A
    Sentinel URL (``redis+sentinel://host:26379/...``) pings the sentinel itself."""
    from redis import asyncio as aioredis

    options: dict[str, Any] = {"socket_connect_timeout": seconds, "socket_timeout": seconds}
    parts = urlsplit(url)
    try:
        if "sentinel" in parts.scheme:
            client = aioredis.Redis(
                host=parts.hostname or "localhost", port=parts.port or 26379, **options
            )
        else:
            client = aioredis.from_url(url, **options)
    except ValueError as exc:
        return f"the URL is not understood ({exc})"
    try:
        async with asyncio.timeout(seconds + 0.5):
            await client.ping()
    except TimeoutError:
        return f"no answer within {seconds:g} s"
    except Exception as exc:  # refused, reset, auth: the class says which, never the password
        return type(exc).__name__
    finally:
        with contextlib.suppress(Exception):
            await client.aclose()
    return None
