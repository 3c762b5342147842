"""What routes get from the app: the database it was created with or opened."""

from __future__ import annotations

from fastapi import Request

from mimir.db.database import Database


def get_db(request: Request) -> Database:
    db = request.app.state.db
    assert isinstance(db, Database), "create_app's lifespan has not run"
    return db
