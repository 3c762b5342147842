"""Users, browser sessions, API keys, sign-in throttling and one-time set-up links.

Secrets are never stored: passwords as argon2id hashes (argon2-cffi, RFC 9106's defaults),
session cookies, API keys and set-up tokens as SHA-256 digests (they are 256-bit random values,
so a fast hash is enough and lets every request be checked in microseconds). An API key is
``mimir_<prefix>_<secret>``; the prefix is stored in the clear to find the key and to show it.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, select, update

from mimir.db.tables import api_keys, login_failures, sessions, setup_tokens, users
from mimir.errors import Conflict, InputError, NotFound
from mimir.model.users import Role, Scope, normalise_scopes

PASSWORD_MIN = 10
PASSWORD_MAX = 1024
KEY_PREFIX = "mimir_"
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]+$")
_hasher = PasswordHasher()
#: verified when the account does not exist, so both cases take as long
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# ---- users ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class User:
    id: int
    email: str
    name: str
    role: Role
    timezone: str
    disabled: bool
    has_password: bool
    sessions_valid_after: datetime | None
    last_login_at: datetime | None
    created_at: datetime
    updated_at: datetime


def _user(row: Any) -> User:
    return User(
        id=row.id,
        email=row.email,
        name=row.name,
        role=Role(row.role),
        timezone=row.timezone,
        disabled=row.disabled,
        has_password=row.password_hash is not None,
        sessions_valid_after=row.sessions_valid_after,
        last_login_at=row.last_login_at,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def normalise_email(email: str) -> str:
    value = email.strip().lower()
    if len(value) > 320 or not _EMAIL.match(value):
        raise InputError(f"email: {email!r} is not an e-mail address")
    return value


def check_password(password: str) -> None:
    if len(password) < PASSWORD_MIN:
        raise InputError(f"password: at least {PASSWORD_MIN} characters, please")
    if len(password) > PASSWORD_MAX:
        raise InputError(f"password: at most {PASSWORD_MAX} characters")


def check_timezone(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(
            f"timezone: {name!r} is not an IANA time zone (e.g. Europe/Berlin)"
        ) from exc
    return name


def hash_password(password: str) -> str:
    check_password(password)
    return _hasher.hash(password)


def count_users(conn: Connection) -> int:
    return int(conn.execute(select(func.count()).select_from(users)).scalar_one())


def create_user(
    conn: Connection,
    email: str,
    password_hash: str | None,
    role: Role,
    now: datetime,
    *,
    name: str = "",
    timezone: str = "UTC",
) -> User:
    address = normalise_email(email)
    check_timezone(timezone)
    if conn.execute(select(users.c.id).where(users.c.email == address)).first():
        raise Conflict(f"email: a user with {address} exists already")
    row = conn.execute(
        insert(users)
        .values(
            email=address,
            name=name.strip()[:200],
            role=Role(role).value,
            password_hash=password_hash,
            timezone=timezone,
            disabled=False,
            created_at=now,
            updated_at=now,
        )
        .returning(*users.c)
    ).one()
    return _user(row)


def get_user(conn: Connection, user_id: int) -> User:
    row = conn.execute(select(users).where(users.c.id == user_id)).first()
    if row is None:
        raise NotFound(f"no user with id {user_id}")
    return _user(row)


def find_user(conn: Connection, email: str) -> User | None:
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    return _user(row) if row is not None else None


def list_users(conn: Connection, *, after_id: int = 0, limit: int = 100) -> list[User]:
    rows = conn.execute(
        select(users).where(users.c.id > after_id).order_by(users.c.id).limit(limit)
    )
    return [_user(r) for r in rows]


def _active_admins(conn: Connection) -> int:
    q = select(func.count()).where(users.c.role == Role.ADMIN.value, users.c.disabled.is_(False))
    return int(conn.execute(q).scalar_one())


def update_user(
    conn: Connection,
    user_id: int,
    now: datetime,
    *,
    name: str | None = None,
    role: Role | None = None,
    timezone: str | None = None,
    disabled: bool | None = None,
    password_hash: str | None = None,
    email: str | None = None,
    keep_session_id: int | None = None,
) -> User:
    """Change what is given; refuses to leave the installation without an active admin.
    A new password, a new role or disabling ends the user's sessions (but
    ``keep_session_id``, the one that changed its own password)."""
    user = get_user(conn, user_id)
    values: dict[str, Any] = {"updated_at": now}
    if name is not None:
        values["name"] = name.strip()[:200]
    if timezone is not None:
        values["timezone"] = check_timezone(timezone)
    if email is not None:
        address = normalise_email(email)
        if address != user.email:
            if conn.execute(select(users.c.id).where(users.c.email == address)).first():
                raise Conflict(f"email: a user with {address} exists already")
            values["email"] = address
    losing_admin = (
        user.role is Role.ADMIN
        and not user.disabled
        and ((role is not None and role is not Role.ADMIN) or disabled is True)
    )
    if losing_admin and _active_admins(conn) <= 1:
        raise Conflict("this is the last active admin: make another admin first")
    end_sessions = False
    if role is not None and role is not user.role:
        values["role"] = role.value
        end_sessions = True
    if disabled is not None and disabled != user.disabled:
        values["disabled"] = disabled
        end_sessions = end_sessions or disabled
    if password_hash is not None:
        values["password_hash"] = password_hash
        end_sessions = True
    conn.execute(update(users).where(users.c.id == user_id).values(**values))
    if end_sessions and keep_session_id is not None:
        conn.execute(
            delete(sessions).where(sessions.c.user_id == user_id, sessions.c.id != keep_session_id)
        )
    elif end_sessions:
        end_all_sessions(conn, user_id, now)
    return get_user(conn, user_id)


def delete_user(conn: Connection, user_id: int) -> None:
    user = get_user(conn, user_id)
    if user.role is Role.ADMIN and not user.disabled and _active_admins(conn) <= 1:
        raise Conflict("this is the last active admin: make another admin first")
    conn.execute(delete(users).where(users.c.id == user_id))


def password_of(conn: Connection, email: str) -> tuple[User | None, str]:
    """The enabled user of ``email`` and their password hash; for an unknown, disabled or
    password-less account, None and a stand-in hash, so checking it takes as long."""
    row = conn.execute(select(users).where(users.c.email == email.strip().lower())).first()
    if row is None or not row.password_hash or row.disabled:
        return None, _DUMMY_HASH
    return _user(row), row.password_hash


def password_matches(stored: str, password: str) -> tuple[bool, bool]:
    """(``password`` matches ``stored``, the hash should be redone with today's parameters).
    CPU-heavy by design (tens of milliseconds): call it in a thread, never in the writer."""
    try:
        _hasher.verify(stored, password[:PASSWORD_MAX])
    except (VerificationError, InvalidHashError):
        return False, False
    return True, _hasher.check_needs_rehash(stored)


def set_password_hash(conn: Connection, user_id: int, password_hash: str) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(password_hash=password_hash))


def record_login(conn: Connection, user_id: int, now: datetime) -> None:
    conn.execute(update(users).where(users.c.id == user_id).values(last_login_at=now))


# ---- sign-in throttling -----------------------------------------------------------------------


def recent_failures(conn: Connection, key: str, since: datetime) -> tuple[int, datetime | None]:
    """How many failures ``key`` had since ``since``, and the oldest of them."""
    q = select(func.count(), func.min(login_failures.c.failed_at)).where(
        login_failures.c.key == key, login_failures.c.failed_at >= since
    )
    count, oldest = conn.execute(q).one()
    return int(count), oldest


def record_failure(conn: Connection, keys: Sequence[str], now: datetime) -> None:
    conn.execute(insert(login_failures), [{"key": k, "failed_at": now} for k in keys])


def clear_failures(conn: Connection, key: str) -> None:
    conn.execute(delete(login_failures).where(login_failures.c.key == key))


def prune_failures(conn: Connection, before: datetime) -> int:
    return conn.execute(delete(login_failures).where(login_failures.c.failed_at < before)).rowcount


# ---- sessions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Session:
    id: int
    user: User
    csrf_token: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime


def create_session(
    conn: Connection,
    user_id: int,
    now: datetime,
    lifetime: timedelta,
    *,
    address: str | None = None,
    user_agent: str | None = None,
) -> tuple[str, str]:
    """A new session for ``user_id``: (cookie value, CSRF token)."""
    token = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(32)
    conn.execute(
        insert(sessions).values(
            token_hash=digest(token),
            user_id=user_id,
            csrf_token=csrf,
            created_at=now,
            last_seen_at=now,
            expires_at=now + lifetime,
            address=(address or "")[:64] or None,
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    return token, csrf


def find_session(conn: Connection, token: str, now: datetime, idle: timedelta) -> Session | None:
    """The live session of cookie value ``token``: not expired, not idle longer than ``idle``,
    its user enabled and not logged out everywhere since it began."""
    q = (
        select(
            *users.c,
            sessions.c.id.label("session_id"),
            sessions.c.csrf_token,
            sessions.c.created_at.label("session_created_at"),
            sessions.c.last_seen_at,
            sessions.c.expires_at,
        )
        .join(users, users.c.id == sessions.c.user_id)
        .where(sessions.c.token_hash == digest(token))
    )
    row = conn.execute(q).first()
    if row is None:
        return None
    user = _user(row)
    began = row.session_created_at
    if (
        row.expires_at <= now
        or row.last_seen_at + idle <= now
        or user.disabled
        or (user.sessions_valid_after is not None and began < user.sessions_valid_after)
    ):
        return None
    return Session(
        id=row.session_id,
        user=user,
        csrf_token=row.csrf_token,
        created_at=began,
        last_seen_at=row.last_seen_at,
        expires_at=row.expires_at,
    )


def touch_session(conn: Connection, session_id: int, now: datetime) -> None:
    conn.execute(update(sessions).where(sessions.c.id == session_id).values(last_seen_at=now))


def end_session(conn: Connection, token: str) -> None:
    conn.execute(delete(sessions).where(sessions.c.token_hash == digest(token)))


def end_all_sessions(conn: Connection, user_id: int, now: datetime) -> int:
    """Log ``user_id`` out everywhere: every session of theirs is deleted, and any made before
    ``now`` that a replica still has cached stops counting."""
    conn.execute(update(users).where(users.c.id == user_id).values(sessions_valid_after=now))
    return conn.execute(delete(sessions).where(sessions.c.user_id == user_id)).rowcount


def prune_sessions(conn: Connection, now: datetime, idle: timedelta) -> int:
    q = delete(sessions).where(
        (sessions.c.expires_at <= now) | (sessions.c.last_seen_at <= now - idle)
    )
    return conn.execute(q).rowcount


# ---- API keys ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: int
    user_id: int
    name: str
    prefix: str
    scopes: tuple[Scope, ...]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    def usable(self, now: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)


def _key(row: Any) -> ApiKey:
    return ApiKey(
        id=row.id,
        user_id=row.user_id,
        name=row.name,
        prefix=row.prefix,
        scopes=normalise_scopes(list(row.scopes)),
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        last_used_at=row.last_used_at,
    )


def create_api_key(
    conn: Connection,
    user_id: int,
    name: str,
    scopes: Sequence[str],
    now: datetime,
    *,
    expires_at: datetime | None = None,
) -> tuple[str, ApiKey]:
    """A new key for ``user_id``: (the key, shown once; its record). A key never does more
    than its owner's role allows; the ``admin`` scope is only for admins' keys."""
    user = get_user(conn, user_id)
    try:
        wanted = normalise_scopes(list(scopes))
    except ValueError as exc:
        raise InputError("scopes: each must be one of read, write, admin") from exc
    if Scope.ADMIN in wanted and user.role is not Role.ADMIN:
        raise InputError(f"scopes: admin is for admins' keys; {user.email} is {user.role}")
    if expires_at is not None and expires_at <= now:
        raise InputError("expires_at: must be in the future")
    label = name.strip()
    if not label or len(label) > 200:
        raise InputError("name: 1 to 200 characters")
    while True:
        prefix = KEY_PREFIX + secrets.token_hex(4)
        if conn.execute(select(api_keys.c.id).where(api_keys.c.prefix == prefix)).first() is None:
            break
    key = f"{prefix}_{secrets.token_urlsafe(32)}"
    row = conn.execute(
        insert(api_keys)
        .values(
            user_id=user_id,
            name=label,
            prefix=prefix,
            key_hash=digest(key),
            scopes=[s.value for s in wanted],
            created_at=now,
            expires_at=expires_at,
        )
        .returning(*api_keys.c)
    ).one()
    return key, _key(row)


def split_key(key: str) -> str | None:
    """The prefix of a well-formed key (``mimir_`` and 8 hex digits, ``_``, the secret)."""
    size = len(KEY_PREFIX) + 8
    if not key.startswith(KEY_PREFIX) or len(key) < size + 21 or key[size] != "_":
        return None
    return key[:size]


def find_api_key(conn: Connection, key: str) -> tuple[ApiKey, User] | None:
    """The key record and its owner for the full ``key`` (compared in constant time)."""
    prefix = split_key(key)
    if prefix is None:
        return None
    row = conn.execute(select(api_keys).where(api_keys.c.prefix == prefix)).first()
    if row is None or not hmac.compare_digest(row.key_hash, digest(key)):
        return None
    return _key(row), get_user(conn, row.user_id)


def list_api_keys(conn: Connection, *, user_id: int | None = None) -> list[ApiKey]:
    q = select(api_keys).order_by(api_keys.c.id)
    if user_id is not None:
        q = q.where(api_keys.c.user_id == user_id)
    return [_key(r) for r in conn.execute(q)]


def get_api_key(conn: Connection, key_id: int) -> ApiKey:
    row = conn.execute(select(api_keys).where(api_keys.c.id == key_id)).first()
    if row is None:
        raise NotFound(f"no API key with id {key_id}")
    return _key(row)


def revoke_api_key(conn: Connection, key_id: int, now: datetime) -> ApiKey:
    key = get_api_key(conn, key_id)
    if key.revoked_at is None:
        conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(revoked_at=now))
    return get_api_key(conn, key_id)


def touch_api_key(conn: Connection, key_id: int, now: datetime) -> None:
    conn.execute(update(api_keys).where(api_keys.c.id == key_id).values(last_used_at=now))


# ---- one-time set-up links --------------------------------------------------------------------

SETUP_ADMIN = "first-admin"


def create_setup_token(conn: Connection, now: datetime, lifetime: timedelta) -> str:
    """A new one-time token to create the first admin. Every process that starts on an
    installation without users prints one; any of them works, once, until an admin exists."""
    conn.execute(delete(setup_tokens).where(setup_tokens.c.expires_at <= now))
    token = secrets.token_urlsafe(32)
    conn.execute(
        insert(setup_tokens).values(
            token_hash=digest(token),
            purpose=SETUP_ADMIN,
            created_at=now,
            expires_at=now + lifetime,
        )
    )
    return token


def use_setup_token(conn: Connection, token: str, now: datetime) -> bool:
    """Spend ``token``: True once, when it is live and no user exists yet."""
    if count_users(conn):
        return False
    spent = conn.execute(
        update(setup_tokens)
        .where(
            setup_tokens.c.token_hash == digest(token),
            setup_tokens.c.purpose == SETUP_ADMIN,
            setup_tokens.c.used_at.is_(None),
            setup_tokens.c.expires_at > now,
        )
        .values(used_at=now)
    ).rowcount
    return spent == 1
