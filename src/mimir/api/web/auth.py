"""Signing in, the first admin's set-up page, and the caller's own profile.

The forms post to the REST API (``/api/v1/auth/login``, ``/auth/setup``, ``PATCH /me``), so the
throttling, the password rules and the session cookie are the API's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from mimir.api.access import PUBLIC, authenticate
from mimir.api.deps import database_of
from mimir.api.web.pages import ViewerPage, redirect, render
from mimir.errors import MimirError
from mimir.storage import users as store

router = APIRouter(include_in_schema=False)


def safe_next(value: str | None) -> str:
    """Only a path on this server (``//evil.example`` and ``https://...`` are not)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return "/"
    return value


@router.get("/login", dependencies=[Depends(PUBLIC)])
async def login_page(
    request: Request, next_url: Annotated[str | None, Query(alias="next", max_length=2000)] = None
) -> Response:
    target = safe_next(next_url)
    try:
        if await authenticate(request) is not None:
            return redirect(request, target)
    except MimirError:  # an ended session: sign in again
        pass
    db = database_of(request)
    setup_needed = await db.read(store.count_users) == 0
    return render(
        request, "login.html", title="Sign in", next_url=target, setup_needed=setup_needed
    )


@router.get("/setup", dependencies=[Depends(PUBLIC)])
async def setup_page(
    request: Request, token: Annotated[str, Query(max_length=200)] = ""
) -> Response:
    db = database_of(request)
    if await db.read(store.count_users):
        return redirect(request, "/login")
    return render(
        request, "setup.html", title="Set up", token=token, password_min=store.PASSWORD_MIN
    )


@router.get("/me")
async def profile_page(request: Request, me: ViewerPage) -> Response:
    return render(request, "me.html", title="Your profile", password_min=store.PASSWORD_MIN)
