"""The migrations and the table definitions must not drift; upgrades are idempotent."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine

from mimir.db.migrate import current_revision, head_revision, is_current, upgrade
from mimir.db.tables import include_name, metadata


def test_models_match_migrations(db_url: str) -> None:
    engine = create_engine(db_url)
    try:
        upgrade(engine)  # a second upgrade is a no-op
        assert is_current(engine)
        assert current_revision(engine) == head_revision(engine)
        with engine.connect() as conn:
            ctx = MigrationContext.configure(
                conn, opts={"compare_type": True, "include_name": include_name}
            )
            diff = compare_metadata(ctx, metadata)
        assert diff == [], diff
    finally:
        engine.dispose()


def test_fresh_database_is_not_current(tmp_path: object) -> None:
    engine = create_engine(f"sqlite:///{tmp_path}/empty.db")
    try:
        assert not is_current(engine)
        upgrade(engine)
        assert is_current(engine)
    finally:
        engine.dispose()
