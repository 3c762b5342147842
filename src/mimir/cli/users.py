"""`mimir users ...` and `mimir keys ...`: people, roles and API keys from the shell (for the
first admin, and for when nobody can sign in any more)."""

from __future__ import annotations

import sys
from datetime import datetime, timedelta
from typing import Any

import click

from mimir.cli.common import now, open_db, state
from mimir.cli.output import emit_json, table
from mimir.errors import InputError, NotFound
from mimir.model.users import Role
from mimir.storage import users as store

ROLES = [r.value for r in Role]


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of stdin (for scripts), or typed twice at a prompt."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    store.check_password(password)
    return password


def _user_dict(u: store.User) -> dict[str, Any]:
    return {
        "id": u.id,
        "email": u.email,
        "name": u.name,
        "role": u.role.value,
        "timezone": u.timezone,
        "disabled": u.disabled,
        "last_login_at": u.last_login_at,
        "created_at": u.created_at,
    }


def _find(conn: Any, email: str) -> store.User:
    user = store.find_user(conn, email)
    if user is None:
        raise NotFound(f"no user with e-mail {email}")
    return user


password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from one line of stdin."
)


@click.group("users")
def users() -> None:
    """People who sign in, and their roles (admin, editor, viewer)."""


def _create(ctx: click.Context, email: str, role: Role, name: str, tz: str, stdin: bool) -> None:
    settings = state(ctx).settings()
    password_hash = store.hash_password(_read_password(stdin))
    with open_db(settings) as db:
        user = db.sync_write(
            store.create_user, email, password_hash, role, now(), name=name, timezone=tz
        )
    click.echo(f"Created {user.role.value} #{user.id} {user.email}")


@users.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="The name shown in the UI.")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone.")
@password_stdin
@click.pass_context
def create_admin(ctx: click.Context, email: str, name: str, tz: str, password_stdin: bool) -> None:
    """Create an admin (the first one, or another): asks for the password twice."""
    _create(ctx, email, Role.ADMIN, name, tz, password_stdin)


@users.command("add")
@click.argument("email")
@click.option(
    "--role",
    type=click.Choice(ROLES),
    default="viewer",
    show_default=True,
    help="viewer: reads, own watches; editor: sources, watches, channels; admin: all.",
)
@click.option("--name", default="", help="The name shown in the UI.")
@click.option("--timezone", "tz", default="UTC", show_default=True, help="IANA time zone.")
@password_stdin
@click.pass_context
def add(
    ctx: click.Context, email: str, role: str, name: str, tz: str, password_stdin: bool
) -> None:
    """Add a user with a role."""
    _create(ctx, email, Role(role), name, tz, password_stdin)


@users.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """List users."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        found: list[store.User] = []
        while True:
            batch = db.sync_read(store.list_users, after_id=found[-1].id if found else 0)
            found.extend(batch)
            if len(batch) < 100:
                break
    if as_json:
        emit_json([_user_dict(u) for u in found])
        return
    rows = [
        [str(u.id), u.email, u.role.value, "disabled" if u.disabled else "", u.name] for u in found
    ]
    if rows:
        table(["ID", "E-MAIL", "ROLE", "STATE", "NAME"], rows)
    else:
        click.echo("No users.")


@users.command("set-password")
@click.argument("email")
@password_stdin
@click.pass_context
def set_password(ctx: click.Context, email: str, password_stdin: bool) -> None:
    """Set a user's password (their sessions end)."""
    password_hash = store.hash_password(_read_password(password_stdin))
    user = _update(ctx, email, password_hash=password_hash)
    click.echo(f"Password set for {user.email}; their sessions have ended.")


def _update(ctx: click.Context, email: str, **changes: Any) -> store.User:
    """Apply ``changes`` (update_user's keywords) to the user EMAIL."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        return db.sync_write(
            lambda conn: store.update_user(conn, _find(conn, email).id, now(), **changes)
        )


@users.command("set-role")
@click.argument("email")
@click.argument("role", type=click.Choice(ROLES))
@click.pass_context
def set_role(ctx: click.Context, email: str, role: str) -> None:
    """Change a user's role (their sessions end)."""
    user = _update(ctx, email, role=Role(role))
    click.echo(f"{user.email} is now {user.role.value}.")


@users.command("disable")
@click.argument("email")
@click.pass_context
def disable(ctx: click.Context, email: str) -> None:
    """Disable a user: no sign-in, no API key of theirs works."""
    _update(ctx, email, disabled=True)
    click.echo(f"Disabled {email}.")


@users.command("enable")
@click.argument("email")
@click.pass_context
def enable(ctx: click.Context, email: str) -> None:
    """Enable a disabled user."""
    _update(ctx, email, disabled=False)
    click.echo(f"Enabled {email}.")


@users.command("logout")
@click.argument("email")
@click.pass_context
def logout(ctx: click.Context, email: str) -> None:
    """End every session of a user."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        ended = db.sync_write(
            lambda conn: store.end_all_sessions(conn, _find(conn, email).id, now())
        )
    click.echo(f"Ended {ended} session(s) of {email}.")


@click.group("keys")
def keys() -> None:
    """API keys for machines: shown once, stored hashed, with scopes and expiry."""


@keys.command("create")
@click.argument("email")
@click.option("--name", required=True, help="What the key is for (e.g. 'BI dashboard').")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    type=click.Choice(["read", "write", "admin"]),
    default=("read",),
    show_default=True,
    help="Repeatable; read is always included.",
)
@click.option("--expires-days", type=click.IntRange(1, 3650), default=None, help="Expiry.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def create_key(
    ctx: click.Context,
    email: str,
    name: str,
    scopes: tuple[str, ...],
    expires_days: int | None,
    as_json: bool,
) -> None:
    """Create an API key for the user EMAIL; the key is printed this once."""
    settings = state(ctx).settings()
    t = now()
    expires: datetime | None = t + timedelta(days=expires_days) if expires_days else None
    with open_db(settings) as db:
        key, record = db.sync_write(
            lambda conn: store.create_api_key(
                conn, _find(conn, email).id, name, list(scopes), t, expires_at=expires
            )
        )
    if as_json:
        emit_json({"id": record.id, "prefix": record.prefix, "key": key, "scopes": record.scopes})
        return
    click.echo(f"API key #{record.id} ({', '.join(record.scopes)}) for {email}:")
    click.echo(f"  {key}")
    click.echo("It is shown this once: store it now. Send it as `Authorization: Bearer <key>`.")


@keys.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def list_keys(ctx: click.Context, as_json: bool) -> None:
    """List API keys (their prefixes; never the keys)."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        found = db.sync_read(store.list_api_keys)
    if as_json:
        emit_json(
            [
                {
                    "id": k.id,
                    "user_id": k.user_id,
                    "name": k.name,
                    "prefix": k.prefix,
                    "scopes": list(k.scopes),
                    "expires_at": k.expires_at,
                    "revoked_at": k.revoked_at,
                    "last_used_at": k.last_used_at,
                }
                for k in found
            ]
        )
        return
    t = now()
    rows = [
        [
            str(k.id),
            k.prefix,
            k.name,
            ",".join(k.scopes),
            "ok" if k.usable(t) else ("revoked" if k.revoked_at else "expired"),
            k.last_used_at.isoformat(timespec="seconds") if k.last_used_at else "-",
        ]
        for k in found
    ]
    headers = ["ID", "PREFIX", "NAME", "SCOPES", "STATE", "LAST USED"]
    if rows:
        table(headers, rows)
    else:
        click.echo("No API keys.")


@keys.command("revoke")
@click.argument("key")
@click.pass_context
def revoke(ctx: click.Context, key: str) -> None:
    """Revoke an API key, by id or prefix (mimir_1a2b3c4d)."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        found = db.sync_read(store.list_api_keys)
        match = [k for k in found if str(k.id) == key or k.prefix == key]
        if not match:
            raise InputError(f"no API key with id or prefix {key}")
        db.sync_write(store.revoke_api_key, match[0].id, now())
    click.echo(f"Revoked {match[0].prefix} ({match[0].name}).")
