"""The few statements that differ between SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite

_CACHE: dict[tuple[str, str, tuple[str, ...], bool], Any] = {}


def _on_conflict_nothing(conn: Connection, table: Table, keys: Sequence[str], ret: bool) -> Any:
    """INSERT ... ON CONFLICT (keys) DO NOTHING [RETURNING id], built once per shape."""
    key = (conn.dialect.name, table.name, tuple(keys), ret)
    stmt = _CACHE.get(key)
    if stmt is None:
        mod: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
        stmt = mod.insert(table).on_conflict_do_nothing(index_elements=list(keys))
        if ret:
            stmt = stmt.returning(table.c.id)
        _CACHE[key] = stmt
    return stmt


def insert_ignore(
    conn: Connection, table: Table, rows: Sequence[dict[str, Any]], keys: Sequence[str]
) -> int:
    """INSERT ... ON CONFLICT (keys) DO NOTHING; returns the number of rows inserted."""
    if not rows:
        return 0
    stmt = _on_conflict_nothing(conn, table, keys, False)
    if conn.dialect.name == "postgresql" and len(rows) > 1:
        return len(conn.execute(stmt.returning(table.c[keys[0]]), list(rows)).all())
    total = 0
    for row in rows:
        total += conn.execute(stmt, row).rowcount or 0
    return total


def insert_returning_id(
    conn: Connection, table: Table, row: dict[str, Any], keys: Sequence[str]
) -> int | None:
    """Insert one row unless `keys` conflict; its new id, or None when it already existed."""
    new_id = conn.execute(_on_conflict_nothing(conn, table, keys, True), row).scalar()
    return int(new_id) if new_id is not None else None
