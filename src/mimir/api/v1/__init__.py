"""The REST API, ``/api/v1`` (docs/api.md): one router per resource, each route declaring who
may call it (:mod:`mimir.api.access`)."""

from __future__ import annotations

from fastapi import APIRouter

from mimir.api.v1 import articles, auth, sources, stats, stories, users, watches

PREFIX = "/api/v1"


def router() -> APIRouter:
    api = APIRouter(prefix=PREFIX)
    for module in (auth, users, articles, stories, sources, watches, stats):
        api.include_router(module.router)
    return api
