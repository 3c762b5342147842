"""The admin's pages: users and roles, API keys (the key shown once), system status.

Only admins reach them (editors and viewers get the 403 page). Changes are calls to the REST
API (``/api/v1/users``, ``/api/v1/api-keys``) from the page; the status page reads the job,
lease and outbox tables with bounded queries (:mod:`mimir.storage.ui_admin`).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import Connection

from mimir.api.deps import database_of
from mimir.api.web.pages import AdminPage, render
from mimir.config import Settings
from mimir.db.migrate import head_revision
from mimir.model.users import Role, Scope
from mimir.storage import ui_admin
from mimir.storage import users as store

router = APIRouter(include_in_schema=False)

USERS_PAGE = 100
#: users offered as a key's owner
OWNER_CHOICES = 500
MAX_ID = 2**62
REDIS_TIMEOUT_SECONDS = 1.0
_heads: dict[str, str | None] = {}


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


async def _head(request: Request) -> str | None:
    """The code's migration head (read once from the migration scripts)."""
    db = database_of(request)
    if "head" not in _heads:
        _heads["head"] = await asyncio.to_thread(head_revision, db.engine)
    return _heads["head"]


async def redis_state(url: str) -> tuple[str, str]:
    """(``ok`` | ``down`` | ``off``, a line for people) for a Redis URL (empty: not set)."""
    if not url:
        return "off", "not configured"
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 6379
    try:
        async with asyncio.timeout(REDIS_TIMEOUT_SECONDS):
            if parts.scheme == "rediss":
                reader, writer = await asyncio.open_connection(host, port, ssl=True)
            else:
                reader, writer = await asyncio.open_connection(host, port)
            try:
                writer.write(b"PING\r\n")
                await writer.drain()
                answer = await reader.readline()
            finally:
                writer.close()
    except (OSError, TimeoutError) as exc:
        return "down", f"{host}:{port} unreachable ({type(exc).__name__})"
    if answer.startswith(b"+PONG"):
        return "ok", f"{host}:{port} answers"
    if answer.startswith(b"-NOAUTH") or answer.startswith(b"-"):
        return "ok", f"{host}:{port} answers (needs authentication)"
    return "down", f"{host}:{port} answered something other than Redis"


@router.get("/admin")
async def status_page(request: Request, me: AdminPage) -> Response:
    db = database_of(request)
    now = datetime.now(UTC)
    head = await _head(request)
    status = await db.read(ui_admin.status, now)
    database = await db.read(ui_admin.database_info, head)
    settings = _settings(request)
    redis = await redis_state(str(getattr(settings, "redis_url", "") or ""))
    return render(
        request,
        "admin.html",
        title="System status",
        tab="status",
        queue=status.queue,
        workers=status.workers,
        database=database,
        redis=redis,
        cap=ui_admin.COUNT_CAP,
        lease_window=ui_admin.LEASE_WINDOW,
    )


@router.get("/admin/users")
async def users_page(
    request: Request, me: AdminPage, after: int | None = Query(default=None, ge=0, le=MAX_ID)
) -> Response:
    db = database_of(request)
    start = after or 0
    found = await db.read(store.list_users, after_id=start, limit=USERS_PAGE + 1)
    more = len(found) > USERS_PAGE
    found = found[:USERS_PAGE]
    return render(
        request,
        "admin_users.html",
        title="Users",
        tab="users",
        users=found,
        roles=[r.value for r in Role],
        after=start,
        next_after=found[-1].id if more else None,
        password_min=store.PASSWORD_MIN,
    )


@router.get("/admin/api-keys")
async def keys_page(request: Request, me: AdminPage) -> Response:
    db = database_of(request)

    def load(conn: Connection) -> dict[str, Any]:
        keys = store.list_api_keys(conn)
        people = store.list_users(conn, limit=OWNER_CHOICES)
        known = {u.id for u in people}
        for missing in sorted({k.user_id for k in keys} - known):
            people.append(store.get_user(conn, missing))
        return {"keys": keys, "people": {u.id: u for u in people}}

    data = await db.read(load)
    keys = sorted(data["keys"], key=lambda k: (k.revoked_at is not None, -k.id))
    return render(
        request,
        "admin_keys.html",
        title="API keys",
        tab="keys",
        keys=keys,
        people=data["people"],
        scopes=[s.value for s in Scope],
    )
