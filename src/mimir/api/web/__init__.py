"""The web UI (docs/ui.md): server-rendered pages (Jinja2 + htmx) on the REST API's access model.

Each area has its module with one router; :func:`install` mounts them all, the static files
(``/static``, cached for a year: their URLs carry a hash of their content) and the HTML error
pages.
"""

from __future__ import annotations

from importlib.resources import files

from fastapi import FastAPI
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from mimir.api.web import admin, auth, dashboard, reader, river, search, sources, watches
from mimir.api.web.pages import install_error_pages

AREAS = (auth, dashboard, river, search, reader, sources, watches, admin)


class Assets(StaticFiles):
    """The UI's own files: versioned URLs are immutable, others revalidate."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        response = await super().get_response(path, scope)
        versioned = b"v=" in scope.get("query_string", b"")
        response.headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if versioned else "public, max-age=300"
        )
        return response


def install(app: FastAPI) -> None:
    for area in AREAS:
        app.include_router(area.router)
    directory = str(files("mimir.api.web").joinpath("static"))
    app.mount("/static", Assets(directory=directory), name="static")
    install_error_pages(app)
