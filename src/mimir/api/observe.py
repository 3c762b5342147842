"""Metrics on the HTTP side: ``/metrics`` (Prometheus text format) and the gauges sampled when
it is scraped (docs/metrics.md).

``/metrics`` is PUBLIC, like the probes: Prometheus scrapes it inside the cluster, and the
Ingress should not route it (docs/metrics.md). Each scrape first samples the queue depths and
ages, the database pool and Redis (mimir.samplers, at most once a second), then answers with
this process's metrics, or every process's under ``mimir serve --workers N``.

:func:`route_template` gives the request metrics their ``route`` label: the template of the
route that answered (``/api/v1/articles/{article_id}``), ``unmatched`` when none did.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import Response
from fastapi.routing import iter_route_contexts
from starlette.routing import Mount
from starlette.types import Scope

from mimir import metrics
from mimir.api.access import PUBLIC
from mimir.samplers import Sampler

#: other processes' pools (``--workers N``) are sampled this often; the scraped one at scrape time
POOL_SAMPLE_SECONDS = 5.0
_TEMPLATES = "mimir_route_templates"

router = APIRouter(tags=["health"], dependencies=[Depends(PUBLIC)], include_in_schema=False)


@router.get("/metrics", summary="Prometheus metrics (docs/metrics.md)")
async def metrics_endpoint(request: Request) -> Response:
    app = request.app
    sampler: Sampler = app.state.metrics_sampler
    await sampler.sample(getattr(app.state, "db", None))
    if metrics.multiprocess_dir():  # reads every process's files: off the event loop
        body, content_type = await asyncio.to_thread(metrics.exposition)
    else:
        body, content_type = metrics.exposition()
    return Response(body, media_type=content_type, headers={"Cache-Control": "no-store"})


def install(app: FastAPI) -> None:
    """Add ``/metrics`` to ``app`` and the sampling around its lifespan."""
    app.include_router(router)
    app.state.metrics_sampler = sampler = Sampler(app.state.settings)
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(a: Any) -> AsyncIterator[Any]:
        async with inner(a) as state:
            pools = None
            if metrics.multiprocess_dir():  # each process reports its own pool
                pools = asyncio.create_task(_sample_pool(a))
            try:
                yield state
            finally:
                if pools is not None:
                    pools.cancel()
                await sampler.close()
                metrics.mark_this_process_dead()

    app.router.lifespan_context = lifespan


async def _sample_pool(app: FastAPI) -> None:
    while True:
        db = getattr(app.state, "db", None)
        if db is not None:
            Sampler.sample_pool(db)
        await asyncio.sleep(POOL_SAMPLE_SECONDS)


def _templates(app: Any) -> Mapping[int, str]:
    """The path template of every route of ``app`` as mounted (prefixes included), by the
    identity of the route object Starlette puts in the scope, or of a mount's app."""
    found: dict[int, str] | None = getattr(app.state, _TEMPLATES, None)
    if found is None:
        found = {}
        for context in iter_route_contexts(app.routes):
            route, path = context.original_route, context.path or "/"
            if isinstance(route, Mount):
                found.setdefault(id(route.app), path.rstrip("/") + "/{path}")
            else:
                found.setdefault(id(route), path)
        setattr(app.state, _TEMPLATES, found)
    return found


def route_template(scope: Scope) -> str:
    """The ``route`` label of a request, after the app answered it."""
    app = scope.get("app")
    if app is None:
        return metrics.UNMATCHED_ROUTE
    templates = _templates(app)
    route = scope.get("route")
    if route is not None:
        return templates.get(id(route)) or str(getattr(route, "path", metrics.UNMATCHED_ROUTE))
    endpoint = scope.get("endpoint")  # a mount (static files) sets only its app
    if endpoint is not None:
        return templates.get(id(endpoint), metrics.UNMATCHED_ROUTE)
    return metrics.UNMATCHED_ROUTE
