"""``/healthz`` (the process answers) and ``/readyz`` (it can serve: database reachable and
migrated to this code's revision). Orchestrators restart on the first and route on the second.
"""

from __future__ import annotations

import asyncio
from typing import Annotated, Any

import structlog
from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse, Response

from mimir.api.access import PUBLIC
from mimir.api.deps import get_db
from mimir.api.problems import problem
from mimir.db.database import Database
from mimir.db.migrate import is_current

log = structlog.get_logger("mimir.http")

READY_TIMEOUT_SECONDS = 5.0
NO_STORE = {"Cache-Control": "no-store"}
UNREADY: dict[int | str, dict[str, Any]] = {
    503: {"description": "Not ready", "content": {"application/problem+json": {}}}
}

router = APIRouter(tags=["health"], dependencies=[Depends(PUBLIC)])


@router.get("/healthz", summary="Alive: the process answers")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"}, headers=NO_STORE)


@router.get("/readyz", summary="Ready: the database is reachable and migrated", responses=UNREADY)
async def readyz(db: Annotated[Database, Depends(get_db)]) -> Response:
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
    body: dict[str, Any] = {"status": "ok", "checks": {"database": "ok"}}
    return JSONResponse(body, headers=NO_STORE)
