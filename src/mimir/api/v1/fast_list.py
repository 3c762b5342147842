"""The article list's hot path: ``GET /api/v1/articles`` with nothing but ``limit`` and
``cursor``, answered without FastAPI's per-request routing and dependency solving.

That request is what dashboards and scripts poll all day (issue 4's load test: 1,000 requests/s
on two cores); for it, FastAPI's route matching and the solving of a dozen declared parameters
cost more CPU than the indexed query itself. This pure-ASGI layer, inside the request boundary
(logs, metrics, security headers), answers exactly that request itself with the same functions
the route uses: the same authentication (:func:`~mimir.api.access.authenticate`), the same
role and scope, the same query (:func:`mimir.storage.listing.list_articles`), the same body,
ETag and 304. Anything else (another parameter, a value the route would refuse, no or a wrong
credential, too little right) goes on to the route, which gives the canonical answer, errors
included. ``tests/api/test_fast_list.py`` checks that both paths answer byte for byte alike.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

from mimir.api.access import VIEWER, authenticate
from mimir.api.deps import database_of
from mimir.api.v1.articles import cursor_key, page_body
from mimir.api.v1.common import MAX_LIMIT, json_response
from mimir.errors import MimirError
from mimir.search.sql import Order
from mimir.storage import listing
from mimir.storage.listing import ArticleFilter

PATH = "/api/v1/articles"
_LIMIT = re.compile(r"[1-9][0-9]{0,2}")
_CURSOR_MAX = 500
_NO_FILTER = ArticleFilter()
_KINDS = listing.cursor_kinds(_NO_FILTER, False, Order.NEWEST)


class FastArticleList:
    def __init__(self, app: ASGIApp, route: APIRoute | None = None) -> None:
        self.app = app
        self.route = route  # the route it stands in for: the metrics' route label

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"] == PATH and scope["method"] == "GET":
            response = await self.answer(scope)
            if response is not None:
                if self.route is not None:
                    scope["route"] = self.route
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)

    async def answer(self, scope: Scope) -> Response | None:
        """The response, or None for the route to answer."""
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), True)
        limit, cursor = 50, None
        seen: set[str] = set()
        for name, value in params:
            if name in seen:
                return None
            seen.add(name)
            if name == "limit" and _LIMIT.fullmatch(value) and int(value) <= MAX_LIMIT:
                limit = int(value)
            elif name == "cursor" and 0 < len(value) <= _CURSOR_MAX:
                cursor = value
            else:
                return None
        request = Request(scope)
        try:
            key = cursor_key(cursor, _KINDS)
            principal = await authenticate(request)
        except MimirError:
            return None
        if principal is None or not principal.allows(VIEWER.role, VIEWER.needed_scope("GET")):
            return None
        after = (key[0], key[1]) if key else None
        db = database_of(request)
        found = await db.read_quick(listing.list_articles, _NO_FILTER, limit=limit, after=after)
        return json_response(request, page_body(found))


def install(app: FastAPI) -> None:
    route = next(
        (
            r
            for r in app.router.routes
            if isinstance(r, APIRoute) and r.path == PATH and "GET" in (r.methods or ())
        ),
        None,
    )
    app.add_middleware(FastArticleList, route=route)
