"""What routes get from the app: the database it was created with or opened.

Dependencies are ``async def``: FastAPI runs a plain ``def`` dependency in a worker thread,
which costs a thread hop (and its system calls) on every request.
"""

from __future__ import annotations

from fastapi import Request

from mimir.db.database import Database


def database_of(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database), "create_app's lifespan has not run"
    return db


async def get_db(request: Request) -> Database:
    return database_of(request)
