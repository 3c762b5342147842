"""Quick reads: one autocommit connection per reader thread on PostgreSQL, replaced when the
server drops it; plain pooled reads on SQLite."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, text

from mimir.db.database import Database
from tests.conftest import make_settings


def backend_pid(conn: Connection) -> int:
    if conn.dialect.name != "postgresql":
        return 0
    return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_quick_reads_answer_on_both_backends(db: Database) -> None:
    assert db.sync_read_quick(lambda c: c.execute(text("SELECT 40 + 2")).scalar_one()) == 42
    assert asyncio.run(db.read_quick(lambda c: c.execute(text("SELECT 1")).scalar_one())) == 1


@pytest.mark.postgres
def test_a_thread_keeps_its_connection_outside_transactions(pg_db: Database) -> None:
    first = pg_db.sync_read_quick(backend_pid)
    assert pg_db.sync_read_quick(backend_pid) == first  # the same session, no checkout
    status = pg_db.sync_read_quick(
        lambda c: c.connection.driver_connection.info.transaction_status.name  # type: ignore[union-attr]
    )
    assert status == "IDLE"  # autocommit: nothing left open between reads


@pytest.mark.postgres
def test_a_dropped_connection_is_replaced_and_the_read_retried(pg_db: Database) -> None:
    victim = pg_db.sync_read_quick(backend_pid)
    pg_db.sync_write(lambda c: c.execute(text(f"SELECT pg_terminate_backend({victim})")))
    again = pg_db.sync_read_quick(backend_pid)
    assert again != victim and again > 0


@pytest.fixture
def pg_db(pg_url: str) -> Iterator[Database]:
    with Database(make_settings(pg_url)) as database:
        yield database
