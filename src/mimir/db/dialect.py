"""The few statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def insert_ignore(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> int:
    """INSERT ... ON CONFLICT (keys) DO NOTHING; returns the number of rows inserted."""
    if not rows:
        return 0
    mod: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = mod.insert(table).on_conflict_do_nothing(index_elements=list(keys))
    if conn.dialect.name == "postgresql":
        res = conn.execute(stmt.returning(table.c[keys[0]]), list(rows))
        return len(res.all())
    total = 0
    for row in rows:
        total += conn.execute(stmt, row).rowcount or 0
    return total
