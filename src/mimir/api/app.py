"""``create_app(settings)``: the FastAPI application: probes, output feeds, the REST API under
``/api/v1`` and the web UI (:mod:`mimir.api.web`).

The app holds one :class:`~mimir.db.database.Database`. Given one (``mimir run`` shares the
worker's), it leaves its closing to the caller; otherwise its lifespan opens one at start-up
and closes it at shutdown.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import structlog
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import SQLAlchemyError

from mimir import __version__
from mimir.api import docs, feeds, health, observe, problems, request_context, v1, web
from mimir.api.boundary import Boundary
from mimir.api.health import READY_TIMEOUT_SECONDS
from mimir.api.v1 import fast_list
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.migrate import is_current

log = structlog.get_logger("mimir.http")

API_PREFIX = v1.PREFIX


def app_from_env() -> FastAPI:
    """The app with settings from the environment: what each process of
    ``mimir serve --workers N`` serves (uvicorn's factory)."""
    from mimir.config import load_settings
    from mimir.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level, settings.log_format)
    return create_app(settings)


def create_app(settings: Settings, *, db: Database | None = None) -> FastAPI:
    """The ASGI application for ``settings``; ``db`` when the caller owns the database."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        database = db if db is not None else Database(settings)
        app.state.db = database
        try:  # say it once at start-up; /readyz keeps saying it until it is fixed
            check = asyncio.to_thread(is_current, database.engine)
            if not await asyncio.wait_for(check, READY_TIMEOUT_SECONDS):
                log.warning("database_not_migrated", hint="run `mimir migrate`")
        except (SQLAlchemyError, TimeoutError) as exc:  # serve anyway: probes report it
            log.warning("database_unavailable", error_class=type(exc).__name__)
        try:
            yield
        finally:
            if db is None:
                database.close()

    app = FastAPI(
        title="Mimir",
        version=__version__,
        summary="Self-hosted news intelligence",
        lifespan=lifespan,
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,  # ours: Swagger UI served from the package, no CDN (mimir.api.docs)
        redoc_url=None,
    )
    app.state.settings = settings
    problems.install(app)
    app.include_router(health.router)
    app.include_router(feeds.router)
    app.include_router(v1.router())
    docs.install(app)
    web.install(app)
    fast_list.install(app)  # innermost: inside CORS and the boundary (logs, metrics, headers)
    if settings.cors_origin_list:
        # API keys only: cookies are never sent across origins (allow_credentials off)
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origin_list,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "X-API-Key", "Content-Type", "If-None-Match"],
            expose_headers=["ETag", "Location", "Retry-After", "X-Request-ID"],
            max_age=600,
        )
    app.add_middleware(Boundary)
    observe.install(app)
    request_context.install(app)
    return app
