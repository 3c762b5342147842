"""Who is calling, and may they: every route declares its requirement here.

A route's dependency is either :data:`PUBLIC` (signing in, the set-up link, probes, output feeds
whose token is the credential) or an :class:`Access` (a role and, for API keys, a scope). A test
walks the route table and fails for a route that declares neither.

Callers prove who they are with

- an API key: ``Authorization: Bearer mimir_<prefix>_<secret>`` (or ``X-API-Key``), checked
  against its SHA-256; a key acts with its owner's role, narrowed to its scopes (``read`` for
  GET routes, ``write`` for routes that change something, ``admin`` for the admin routes);
- a browser session: the ``mimir_session`` cookie (HttpOnly, SameSite=Lax, Secure over TLS).
  A request that changes something must also carry the session's CSRF token in
  ``X-CSRF-Token``, and an ``Origin`` header, when sent, must be this server's own.

Anonymous callers get 401, callers without the role or scope 403 (problem+json, either way).
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.security import APIKeyCookie, APIKeyHeader, HTTPBearer

from mimir.api.deps import database_of
from mimir.config import Settings
from mimir.db.database import Database
from mimir.errors import Forbidden, Unauthenticated
from mimir.model.users import SCOPES, Role, Scope
from mimir.storage import users as store
from mimir.storage.users import User

SESSION_COOKIE = "mimir_session"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
SESSION_TOUCH = timedelta(minutes=5)  # last_seen_at is written at most this often
KEY_TOUCH = timedelta(minutes=1)

# declared for the OpenAPI document (they tell clients how to authenticate); the checking is ours
_bearer = HTTPBearer(auto_error=False, description="An API key: `mimir_<prefix>_<secret>`")
_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="An API key")
_cookie = APIKeyCookie(
    name=SESSION_COOKIE, auto_error=False, description="A browser session (POST /api/v1/auth/login)"
)


@dataclass(frozen=True, slots=True)
class Principal:
    """The caller: a user, through a session or one of their API keys."""

    user: User
    via: str  # session | key
    scopes: tuple[Scope, ...]
    csrf_token: str | None = None
    key_id: int | None = None
    session_id: int | None = None

    @property
    def role(self) -> Role:
        return self.user.role

    def allows(self, role: Role, scope: Scope) -> bool:
        return self.user.role.includes(role) and scope in self.scopes

    def owns(self, owner_id: int | None) -> bool:
        """May change an object owned by ``owner_id`` (editors and admins: anything)."""
        return self.user.role.includes(Role.EDITOR) or owner_id == self.user.id


def role_scopes(role: Role) -> tuple[Scope, ...]:
    """What a session of ``role`` may do: viewers read (and write their own watches)."""
    return SCOPES if role is Role.ADMIN else (Scope.READ, Scope.WRITE)


@dataclass(frozen=True, slots=True)
class _CachedKey:
    principal: Principal
    at: float


class KeyCache:
    """Verified API keys for a few seconds (MIMIR_API_KEY_CACHE_SECONDS), so a busy client
    costs no database read per request; a revocation takes at most that long everywhere, and
    at once in the process that made it."""

    def __init__(self, ttl: float, size: int = 4096) -> None:
        self.ttl = ttl
        self.size = size
        self._entries: dict[str, _CachedKey] = {}
        self._touched: dict[int, datetime] = {}

    def get(self, digest: str) -> Principal | None:
        entry = self._entries.get(digest)
        if entry is None or time.monotonic() - entry.at > self.ttl:
            return None
        return entry.principal

    def put(self, digest: str, principal: Principal) -> None:
        if self.ttl <= 0:
            return
        if len(self._entries) >= self.size:
            self._entries.clear()
        self._entries[digest] = _CachedKey(principal, time.monotonic())

    def clear(self) -> None:
        self._entries.clear()

    def should_touch(self, key_id: int, now: datetime) -> bool:
        last = self._touched.get(key_id)
        if last is not None and now - last < KEY_TOUCH:
            return False
        if len(self._touched) >= self.size:
            self._touched.clear()
        self._touched[key_id] = now
        return True


def key_cache(request: Request) -> KeyCache:
    cache = getattr(request.app.state, "key_cache", None)
    if cache is None:
        settings: Settings = request.app.state.settings
        cache = request.app.state.key_cache = KeyCache(settings.api_key_cache_seconds)
    return cache


def presented_key(request: Request) -> str | None:
    header = request.headers.get("authorization")
    if header:
        scheme, _, value = header.partition(" ")
        if scheme.lower() == "bearer" and value.strip():
            return value.strip()
        raise Unauthenticated("Authorization: send `Bearer <API key>`")
    key = request.headers.get("x-api-key")
    return key.strip() if key else None


async def authenticate(request: Request) -> Principal | None:
    """The caller, or None when they sent no credential; a wrong credential is a 401."""
    cached = getattr(request.state, "principal", None)
    if isinstance(cached, Principal):
        return cached
    db: Database = database_of(request)
    settings: Settings = request.app.state.settings
    now = datetime.now(UTC)
    key = presented_key(request)
    principal: Principal | None = None
    if key is not None:
        cache = key_cache(request)
        digest = store.digest(key)
        principal = cache.get(digest)
        if principal is None:
            found = await db.read_quick(store.find_api_key, key)
            if found is None:
                raise Unauthenticated("this API key is not valid")
            record, owner = found
            if not record.usable(now):
                raise Unauthenticated("this API key is revoked or expired")
            if owner.disabled:
                raise Unauthenticated("this API key's user is disabled")
            principal = Principal(owner, "key", record.scopes, key_id=record.id)
            cache.put(digest, principal)
        if principal.key_id is not None and cache.should_touch(principal.key_id, now):
            await db.write(store.touch_api_key, principal.key_id, now)
    else:
        token = request.cookies.get(SESSION_COOKIE)
        if token:
            idle = timedelta(hours=settings.session_idle_hours)
            session = await db.read_quick(store.find_session, token, now, idle)
            if session is None:
                raise Unauthenticated("your session has ended: sign in again")
            if now - session.last_seen_at >= SESSION_TOUCH:
                await db.write(store.touch_session, session.id, now)
            principal = Principal(
                session.user,
                "session",
                role_scopes(session.user.role),
                session.csrf_token,
                session_id=session.id,
            )
    request.state.principal = principal
    return principal


def check_csrf(request: Request, principal: Principal) -> None:
    """Session requests that change something carry the CSRF token and come from our origin."""
    if principal.via != "session" or request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER.lower())
    if not sent or principal.csrf_token is None or not _equal(sent, principal.csrf_token):
        raise Forbidden(f"{CSRF_HEADER}: missing or wrong (it is in the login response)")
    check_origin(request)


def check_origin(request: Request) -> None:
    """A request sent from another site's page (its ``Origin`` is not ours) is refused."""
    origin = request.headers.get("origin")
    if origin and origin != "null" and origin.rstrip("/") != own_origin(request):
        raise Forbidden(f"Origin: {origin} is not this server")


def own_origin(request: Request) -> str:
    settings: Settings = request.app.state.settings
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        return f"{parts.scheme}://{parts.netloc}"
    host = request.headers.get("host", "")
    return f"{request.url.scheme}://{host}"


def _equal(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())


class Access:
    """A route's requirement: a role, and the scope an API key needs (by default ``read`` for
    GET, ``write`` otherwise; ``admin`` for admin routes). Use as ``Depends(Access(...))``; the
    dependency's value is the :class:`Principal`."""

    def __init__(self, role: Role, scope: Scope | None = None) -> None:
        self.role = role
        self.scope = scope

    def needed_scope(self, method: str) -> Scope:
        if self.scope is not None:
            return self.scope
        if self.role is Role.ADMIN:
            return Scope.ADMIN
        return Scope.READ if method in SAFE_METHODS else Scope.WRITE

    async def __call__(
        self,
        request: Request,
        _bearer: Annotated[object, Depends(_bearer)] = None,
        _key: Annotated[object, Depends(_key_header)] = None,
        _session: Annotated[object, Depends(_cookie)] = None,
    ) -> Principal:
        principal = await authenticate(request)
        if principal is None:
            raise Unauthenticated("sign in, or send an API key (Authorization: Bearer ...)")
        scope = self.needed_scope(request.method)
        if not principal.user.role.includes(self.role):
            raise Forbidden(f"this needs the {self.role} role; you are {principal.role}")
        if scope not in principal.scopes:
            raise Forbidden(f"this needs an API key with the {scope} scope")
        check_csrf(request, principal)
        return principal

    def __repr__(self) -> str:
        return f"Access({self.role}, {self.scope})"


class Public:
    """The requirement of routes anyone may call (their own checks, if any, are inside)."""

    async def __call__(self) -> None:
        return None

    def __repr__(self) -> str:
        return "PUBLIC"


PUBLIC = Public()
VIEWER = Access(Role.VIEWER)
EDITOR = Access(Role.EDITOR)
ADMIN = Access(Role.ADMIN)

#: the dependency values routes take: ``me: Viewer``
Viewer = Annotated[Principal, Depends(VIEWER)]
Editor = Annotated[Principal, Depends(EDITOR)]
Admin = Annotated[Principal, Depends(ADMIN)]
