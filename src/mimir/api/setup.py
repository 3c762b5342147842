"""The first admin on a fresh install: a one-time set-up token printed at start-up, never a
default password (``mimir users create-admin`` is the other way)."""

from __future__ import annotations

import shlex
from datetime import UTC, datetime, timedelta

import orjson

from mimir.db.database import Database
from mimir.storage import users as store

SETUP_HOURS = 24


def setup_message(db: Database, base_url: str) -> str | None:
    """What to print when the installation has no user yet (a new token each time), else
    None."""
    if db.sync_read(store.count_users):
        return None
    now = datetime.now(UTC)
    token = db.sync_write(store.create_setup_token, now, timedelta(hours=SETUP_HOURS))
    body = orjson.dumps(
        {"token": token, "email": "you@example.org", "password": "a long passphrase"}
    ).decode()
    return (
        "No user exists yet. Create the first admin (this one-time link works for "
        f"{SETUP_HOURS} h):\n"
        f"  {base_url}/setup?token={token}\n"
        "or from a terminal:\n"
        f"  curl -X POST {base_url}/api/v1/auth/setup -H 'Content-Type: application/json' "
        f"-d {shlex.quote(body)}\n"
        "or run `mimir users create-admin EMAIL`."
    )
