"""Signing in and out, the first admin's set-up, and the caller's own profile.

``POST /auth/login`` checks an e-mail and password (argon2), throttled per account and per
address, and answers with the session cookie and its CSRF token. ``POST /auth/setup`` spends
the one-time set-up token printed at start-up on a fresh install to create the first admin.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from mimir.api.access import (
    PUBLIC,
    SESSION_COOKIE,
    VIEWER,
    Principal,
    Viewer,
    check_origin,
)
from mimir.api.deps import get_db
from mimir.api.v1.common import ERRORS, Problem, json_response
from mimir.config import Settings
from mimir.db.database import Database
from mimir.errors import Forbidden, InputError, Throttled, Unauthenticated
from mimir.model.users import Role
from mimir.storage import users as store
from mimir.storage.users import User

router = APIRouter(tags=["auth"], responses=ERRORS)
THROTTLED: dict[int | str, dict[str, object]] = {
    429: {
        "model": Problem,
        "content": {"application/problem+json": {}},
        "description": "Too many failed attempts: wait Retry-After seconds",
    }
}


class UserOut(BaseModel):
    """A user, as the API shows one (never the password hash)."""

    id: int
    email: str
    name: str
    role: Role
    timezone: str
    disabled: bool
    last_login_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> UserOut:
        return cls(
            id=user.id,
            email=user.email,
            name=user.name,
            role=user.role,
            timezone=user.timezone,
            disabled=user.disabled,
            last_login_at=user.last_login_at,
            created_at=user.created_at,
        )


class Me(UserOut):
    """The caller: who they are, and how they came (a session or an API key)."""

    via: Literal["session", "key"]
    scopes: list[str]


class Login(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "ann@example.org", "password": "correct horse battery staple"}]
        },
    )

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=1, max_length=store.PASSWORD_MAX)


class Setup(BaseModel):
    """The first admin, created with the one-time set-up token printed at start-up."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "token": "the token printed at start-up",
                    "email": "ann@example.org",
                    "password": "correct horse battery staple",
                    "timezone": "Europe/Berlin",
                }
            ]
        },
    )

    token: str = Field(min_length=10, max_length=200)
    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=store.PASSWORD_MIN, max_length=store.PASSWORD_MAX)
    name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)


class SessionOut(BaseModel):
    """A new session: the cookie is set; send ``csrf_token`` as X-CSRF-Token on changes."""

    user: UserOut
    csrf_token: str
    expires_at: datetime


class SetupState(BaseModel):
    needed: bool


class MeUpdate(BaseModel):
    """Change your own name, time zone or password (the password needs the current one)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Ann Analyst", "timezone": "Europe/Berlin"}]},
    )

    name: str | None = Field(default=None, max_length=200)
    timezone: str | None = Field(default=None, max_length=64)
    password: str | None = Field(
        default=None, min_length=store.PASSWORD_MIN, max_length=store.PASSWORD_MAX
    )
    current_password: str | None = Field(default=None, max_length=store.PASSWORD_MAX)


class Ended(BaseModel):
    sessions_ended: int


#: argon2 takes ~60 ms of CPU and 64 MiB per hash: at most this many at once per process
_hashing = asyncio.Semaphore(2)


async def hash_password(password: str) -> str:
    """The argon2 hash of ``password`` (checked for length), computed off the event loop."""
    store.check_password(password)
    async with _hashing:
        return await asyncio.to_thread(store.hash_password, password)


async def check_credentials(db: Database, email: str, password: str) -> User | None:
    """The user whose e-mail and password these are, else None (as slow either way)."""
    user, stored = await db.read(store.password_of, email)
    async with _hashing:
        ok, rehash = await asyncio.to_thread(store.password_matches, stored, password)
    if not ok or user is None:
        return None
    if rehash:
        await db.write(store.set_password_hash, user.id, await hash_password(password))
    return user


def client_address(request: Request) -> str:
    """The caller's address (behind a proxy: uvicorn applies X-Forwarded-For when
    MIMIR_TRUST_PROXY_HEADERS is on)."""
    return request.client.host if request.client else "unknown"


def cookie_secure(request: Request, settings: Settings) -> bool:
    if settings.cookie_secure != "auto":
        return settings.cookie_secure == "true"
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


async def _start_session(request: Request, db: Database, user: User, now: datetime) -> Response:
    settings: Settings = request.app.state.settings
    lifetime = timedelta(hours=settings.session_hours)
    token, csrf = await db.write(
        store.create_session,
        user.id,
        now,
        lifetime,
        address=client_address(request),
        user_agent=request.headers.get("user-agent"),
    )
    await db.write(store.record_login, user.id, now)
    body = SessionOut(user=UserOut.of(user), csrf_token=csrf, expires_at=now + lifetime)
    response = json_response(request, body, cache_control="no-store")
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=int(lifetime.total_seconds()),
        httponly=True,
        secure=cookie_secure(request, settings),
        samesite="lax",
        path="/",
    )
    return response


@router.post(
    "/auth/login",
    summary="Sign in with e-mail and password (sets the session cookie)",
    dependencies=[Depends(PUBLIC)],
    response_model=SessionOut,
    responses=THROTTLED,
)
async def login(
    request: Request, body: Login, db: Annotated[Database, Depends(get_db)]
) -> Response:
    check_origin(request)
    settings: Settings = request.app.state.settings
    now = datetime.now(UTC)
    window = timedelta(minutes=settings.login_window_minutes)
    email = body.email.strip().lower()
    account, address = f"account:{email}", f"address:{client_address(request)}"
    for key, limit, what in (
        (account, settings.login_max_failures, "for this account"),
        (address, settings.login_max_failures_per_address, "from your address"),
    ):
        count, oldest = await db.read(store.recent_failures, key, now - window)
        if count >= limit and oldest is not None:
            wait = int((oldest + window - now).total_seconds()) + 1
            raise Throttled(f"too many failed sign-ins {what}: try again in {wait} s", wait)
    user = await check_credentials(db, email, body.password)
    if user is None:
        await db.write(store.record_failure, [account, address], now)
        raise Unauthenticated("the e-mail or the password is wrong")
    await db.write(store.clear_failures, account)
    return await _start_session(request, db, user, now)


@router.post(
    "/auth/logout",
    summary="End this session (the cookie is cleared)",
    status_code=204,
    response_class=Response,
)
async def logout(
    request: Request, me: Viewer, db: Annotated[Database, Depends(get_db)]
) -> Response:
    if me.via != "session":
        raise InputError("an API key has no session to end: revoke the key instead")
    token = request.cookies.get(SESSION_COOKIE)
    if token:
        await db.write(store.end_session, token)
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.post(
    "/auth/logout-everywhere",
    summary="End every session of yours, on every device",
    response_model=Ended,
)
async def logout_everywhere(
    request: Request, me: Viewer, db: Annotated[Database, Depends(get_db)]
) -> Response:
    ended = await db.write(store.end_all_sessions, me.user.id, datetime.now(UTC))
    response = json_response(request, Ended(sessions_ended=ended), cache_control="no-store")
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="lax")
    return response


@router.get(
    "/auth/setup",
    summary="Whether this installation still needs its first admin",
    dependencies=[Depends(PUBLIC)],
    response_model=SetupState,
)
async def setup_state(request: Request, db: Annotated[Database, Depends(get_db)]) -> Response:
    needed = await db.read(store.count_users) == 0
    return json_response(request, SetupState(needed=needed), cache_control="no-store")


@router.post(
    "/auth/setup",
    summary="Create the first admin with the one-time set-up token (and sign in)",
    dependencies=[Depends(PUBLIC)],
    response_model=SessionOut,
    status_code=200,
)
async def setup(
    request: Request, body: Setup, db: Annotated[Database, Depends(get_db)]
) -> Response:
    check_origin(request)
    now = datetime.now(UTC)
    password_hash = await hash_password(body.password)

    def create(conn: Connection) -> User | None:
        if not store.use_setup_token(conn, body.token, now):
            return None
        return store.create_user(
            conn, body.email, password_hash, Role.ADMIN, now, name=body.name, timezone=body.timezone
        )

    user = await db.write(create)
    if user is None:
        raise Forbidden("this set-up link is used, expired or wrong (or an admin exists already)")
    return await _start_session(request, db, user, now)


def me_of(me: Principal) -> Me:
    base = UserOut.of(me.user).model_dump()
    return Me(**base, via="session" if me.via == "session" else "key", scopes=list(me.scopes))


@router.get("/me", summary="Your profile", response_model=Me, dependencies=[Depends(VIEWER)])
async def get_me(request: Request, me: Viewer) -> Response:
    return json_response(request, me_of(me))


@router.patch("/me", summary="Change your name, time zone or password", response_model=Me)
async def update_me(
    request: Request, body: MeUpdate, me: Viewer, db: Annotated[Database, Depends(get_db)]
) -> Response:
    now = datetime.now(UTC)
    if body.password is not None:
        if not body.current_password:
            raise InputError("current_password: needed to set a new password")
        if await check_credentials(db, me.user.email, body.current_password) is None:
            raise InputError("current_password: wrong")
    user = await db.write(
        store.update_user,
        me.user.id,
        now,
        name=body.name,
        timezone=body.timezone,
        password_hash=await hash_password(body.password) if body.password else None,
        keep_session_id=me.session_id,
    )
    principal = Principal(user, me.via, me.scopes, me.csrf_token, me.key_id, me.session_id)
    return json_response(request, me_of(principal))
