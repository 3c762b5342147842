"""Users, roles and API keys: the admin's routes.

An API key is shown once, in the answer that creates it; afterwards only its prefix
(``mimir_1a2b3c4d``), scopes, expiry, revocation and last use are visible.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from mimir.api.access import ADMIN, Admin, key_cache
from mimir.api.deps import get_db
from mimir.api.v1.auth import UserOut, hash_password
from mimir.api.v1.common import (
    ERRORS,
    Cursor,
    Limit,
    Page,
    UtcDateTime,
    decode_cursor,
    json_response,
    page,
)
from mimir.db.database import Database
from mimir.errors import Conflict
from mimir.model.users import Role, Scope
from mimir.storage import users as store
from mimir.storage.users import ApiKey

router = APIRouter(tags=["users"], responses=ERRORS, dependencies=[Depends(ADMIN)])
Db = Annotated[Database, Depends(get_db)]
Id = Annotated[int, Path(ge=1, le=2**62)]
CONFLICT: dict[int | str, dict[str, object]] = {
    409: {"content": {"application/problem+json": {}}, "description": "Conflict"}
}


class UserCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "email": "bo@example.org",
                    "password": "a long passphrase",
                    "role": "editor",
                    "name": "Bo",
                    "timezone": "America/New_York",
                }
            ]
        },
    )

    email: str = Field(min_length=3, max_length=320)
    password: str = Field(min_length=store.PASSWORD_MIN, max_length=store.PASSWORD_MAX)
    role: Role = Role.VIEWER
    name: str = Field(default="", max_length=200)
    timezone: str = Field(default="UTC", max_length=64)


class UserUpdate(BaseModel):
    """What to change; a new role, a new password or disabling ends the user's sessions."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"role": "viewer", "name": "Bo B."}]}
    )

    email: str | None = Field(default=None, min_length=3, max_length=320)
    name: str | None = Field(default=None, max_length=200)
    role: Role | None = None
    timezone: str | None = Field(default=None, max_length=64)
    disabled: bool | None = None
    password: str | None = Field(
        default=None, min_length=store.PASSWORD_MIN, max_length=store.PASSWORD_MAX
    )


class KeyCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "BI dashboard", "scopes": ["read"]}]},
    )

    name: str = Field(min_length=1, max_length=200)
    user_id: int | None = Field(
        default=None, ge=1, le=2**62, description="The key's owner (default: you)."
    )
    scopes: list[Scope] = Field(default=[Scope.READ], min_length=1, max_length=3)
    expires_at: UtcDateTime | None = None


class KeyOut(BaseModel):
    id: int
    user_id: int
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> KeyOut:
        return cls(
            id=key.id,
            user_id=key.user_id,
            name=key.name,
            prefix=key.prefix,
            scopes=list(key.scopes),
            created_at=key.created_at,
            expires_at=key.expires_at,
            revoked_at=key.revoked_at,
            last_used_at=key.last_used_at,
        )


class KeyCreated(KeyOut):
    key: str = Field(description="The key itself: shown this once, never again.")


@router.get("/users", summary="List users", response_model=Page[UserOut])
async def list_users(
    request: Request, db: Db, limit: Limit = 50, cursor: Cursor = None
) -> Response:
    after = decode_cursor(cursor, [int])[0] if cursor else 0
    found = await db.read(store.list_users, after_id=after, limit=limit + 1)
    body = page([UserOut.of(u) for u in found], limit, lambda u: [u.id])
    return json_response(request, body)


@router.post(
    "/users", summary="Create a user", response_model=UserOut, status_code=201, responses=CONFLICT
)
async def create_user(request: Request, body: UserCreate, db: Db) -> Response:
    user = await db.write(
        store.create_user,
        body.email,
        await hash_password(body.password),
        body.role,
        datetime.now(UTC),
        name=body.name,
        timezone=body.timezone,
    )
    return json_response(
        request,
        UserOut.of(user),
        status_code=201,
        headers={"Location": f"{request.url.path}/{user.id}"},
    )


@router.get("/users/{user_id}", summary="Get a user", response_model=UserOut)
async def get_user(request: Request, user_id: Id, db: Db) -> Response:
    return json_response(request, UserOut.of(await db.read(store.get_user, user_id)))


@router.patch(
    "/users/{user_id}",
    summary="Change a user's e-mail, name, role, time zone, password, or disable them",
    response_model=UserOut,
    responses=CONFLICT,
)
async def update_user(request: Request, user_id: Id, body: UserUpdate, db: Db) -> Response:
    user = await db.write(
        store.update_user,
        user_id,
        datetime.now(UTC),
        email=body.email,
        name=body.name,
        role=body.role,
        timezone=body.timezone,
        disabled=body.disabled,
        password_hash=await hash_password(body.password) if body.password else None,
    )
    key_cache(request).clear()  # a role or a disabled flag applies to the user's keys at once
    return json_response(request, UserOut.of(user))


@router.delete(
    "/users/{user_id}",
    summary="Delete a user (their sessions and keys go with them)",
    status_code=204,
    response_class=Response,
    responses=CONFLICT,
)
async def delete_user(request: Request, user_id: Id, me: Admin, db: Db) -> Response:
    if user_id == me.user.id:
        raise Conflict("you cannot delete yourself: ask another admin")
    await db.write(store.delete_user, user_id)
    key_cache(request).clear()
    return Response(status_code=204)


@router.post(
    "/users/{user_id}/logout",
    summary="End every session of a user",
    status_code=204,
    response_class=Response,
)
async def logout_user(user_id: Id, db: Db) -> Response:
    await db.read(store.get_user, user_id)
    await db.write(store.end_all_sessions, user_id, datetime.now(UTC))
    return Response(status_code=204)


@router.get(
    "/api-keys", summary="List API keys (never the keys themselves)", response_model=list[KeyOut]
)
async def list_keys(request: Request, db: Db, user_id: int | None = None) -> Response:
    keys = await db.read(store.list_api_keys, user_id=user_id)
    return json_response(request, [KeyOut.of(k) for k in keys])


@router.post(
    "/api-keys",
    summary="Create an API key (the answer is the only time the key is shown)",
    response_model=KeyCreated,
    status_code=201,
)
async def create_key(request: Request, body: KeyCreate, me: Admin, db: Db) -> Response:
    owner = body.user_id or me.user.id
    await db.read(store.get_user, owner)
    key, record = await db.write(
        store.create_api_key,
        owner,
        body.name,
        [s.value for s in body.scopes],
        datetime.now(UTC),
        expires_at=body.expires_at,
    )
    out = KeyCreated(**KeyOut.of(record).model_dump(), key=key)
    return json_response(
        request,
        out,
        status_code=201,
        headers={"Location": f"{request.url.path}/{record.id}"},
        cache_control="no-store",
    )


@router.get("/api-keys/{key_id}", summary="Get an API key's record", response_model=KeyOut)
async def get_key(request: Request, key_id: Id, db: Db) -> Response:
    return json_response(request, KeyOut.of(await db.read(store.get_api_key, key_id)))


@router.delete(
    "/api-keys/{key_id}",
    summary="Revoke an API key (its record stays, marked revoked)",
    response_model=KeyOut,
)
async def revoke_key(request: Request, key_id: Id, db: Db) -> Response:
    key = await db.write(store.revoke_api_key, key_id, datetime.now(UTC))
    key_cache(request).clear()
    return json_response(request, KeyOut.of(key))
