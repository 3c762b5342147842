"""search (SQLite): a cheaper test for the spelled-out letters in article_fts_source

Revision ID: 0007
Revises: 0006

`article_fts_source` (0002) spells out the letters FTS5 does not fold (ß -> ss, ł -> l, ...)
only in values that hold one of them. 0002 tested that with one GLOB over a character class,
and SQLite's GLOB tries the class at every character: on a 4 KB article text it cost
0.43 ms, two thirds of storing the article (the FTS5 insert itself took 0.04 ms). Every
spelled letter is one of a few UTF-8 sequences (lead byte C3, C4, C5, CE or CF; D0 81 for Ё,
D1 91 for ё; E1 BA 9E for ẞ), and a byte search for those in the value's bytes costs 0.03 ms.
A value that passes that test goes through the same replacements as before, which leave any
value without a spelled letter as it was: the view yields exactly what 0002's view yielded, so
what is indexed already stays consistent (FTS5 deletes read the view). PostgreSQL: no change.
"""

from __future__ import annotations

import functools
import importlib.util
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

#: the UTF-8 byte sequences that every letter of 0002's SPELLED starts with (a test checks)
SPELLED_PREFIXES = ("C3", "C4", "C5", "CE", "CF", "D081", "D191", "E1BA9E")


@functools.cache
def _search_migration() -> ModuleType:
    """0002's module: its letters and helpers are the view's definition."""
    path = Path(__file__).with_name("0002_search.py")
    spec = importlib.util.spec_from_file_location("mimir_migration_0002", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def fold(expr: str) -> str:
    """0002's fold, behind a byte search instead of a GLOB."""
    m = _search_migration()
    cut = f"substr({expr}, 1, {m.MAX_FIELD_CHARS})"
    found = " OR ".join(f"instr(CAST({expr} AS BLOB), X'{p}')" for p in SPELLED_PREFIXES)
    source = " ".join(f"WHEN {i} THEN {m._sql_string(c)}" for i, (c, _) in enumerate(m.SPELLED))
    target = " ".join(f"WHEN {i} THEN {m._sql_string(t)}" for i, (_, t) in enumerate(m.SPELLED))
    return (
        f"CASE WHEN {found} THEN (WITH RECURSIVE f(i, v) AS ("
        f"SELECT 0, {cut} UNION ALL SELECT f.i + 1, replace(f.v, CASE f.i {source} END, "
        f"CASE f.i {target} END) FROM f WHERE f.i < {len(m.SPELLED)}) "
        f"SELECT v FROM f WHERE f.i = {len(m.SPELLED)}) ELSE {cut} END"
    )


def view_sql(f: Callable[[str], str]) -> str:
    """0002's view of the words FTS5 indexes, with ``f`` as its fold."""
    m = _search_migration()
    return (
        "CREATE VIEW article_fts_source AS SELECT a.id AS id, "
        f"{f('a.title')} AS title, {f('a.text')} AS body, "
        f"{f(m._sqlite_list('a.authors'))} AS author, {f(m._sqlite_list('a.tags'))} AS tag, "
        f"{f('a.canonical_url')} AS url, 's' || a.source_id AS src "
        "FROM articles a WHERE a.deleted_at IS NULL"
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP VIEW IF EXISTS article_fts_source")
    op.execute(view_sql(fold))


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("DROP VIEW IF EXISTS article_fts_source")
    op.execute(view_sql(_search_migration()._fold))
