"""Alembic environment: uses the engine handed in by mimir.db.migrate (or the ini URL)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from mimir.db.tables import include_name, metadata

config = context.config
engine = config.attributes.get("engine") or create_engine(
    config.get_main_option("sqlalchemy.url") or "sqlite://"
)

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
