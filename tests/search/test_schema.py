"""Migration 0002: existing articles are indexed, it goes down and up again, its letters agree."""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from alembic import command
from sqlalchemy import Engine, create_engine, inspect, text
from sqlalchemy.engine import make_url

from mimir.db.migrate import MIGRATIONS, alembic_config, current_revision, upgrade
from mimir.search.tokens import MAX_FIELD_CHARS, SQLITE_SPELLED
from mimir.storage.search import matching_ids
from tests.conftest import PG_ADMIN_URL
from tests.search.helpers import NOW, Art, Src, add_articles, add_sources


def _migration(name: str = "0002_search") -> ModuleType:
    path = MIGRATIONS / "versions" / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"migration_{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_migration_spells_the_letters_the_tokenizer_does() -> None:
    migration = _migration()
    assert migration.SPELLED == SQLITE_SPELLED
    assert migration.MAX_FIELD_CHARS == MAX_FIELD_CHARS


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def blank(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """An empty database of its own (the migrations run on it from scratch)."""
    if request.param == "sqlite":
        engine = create_engine(f"sqlite:///{tmp_path / 'blank.db'}")
        yield engine
        engine.dispose()
        return
    request.getfixturevalue("pg_url")  # PostgreSQL is there (or the test is skipped)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mimir_schema_{os.getpid()}"
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_ADMIN_URL).set(database=name)
    engine = create_engine(url)
    yield engine
    engine.dispose()
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def test_articles_stored_before_the_migration_are_indexed(blank: Engine) -> None:
    upgrade(blank, "0001")
    with blank.begin() as conn:
        sids = add_sources(conn, [Src("Wire", "wire.example", "News")])
        old = add_articles(
            conn,
            [
                Art("Straße works", "Łódź trams", authors=["Zoë"], tags=["Transit"]),
                Art("Other", "Nothing here"),
            ],
            sids,
        )
    upgrade(blank)
    with blank.begin() as conn:
        assert matching_ids(conn, "strasse lodz author:zoe tag:transit", now=NOW) == [old[0]]
        assert matching_ids(conn, "source:wire", now=NOW) == [old[1], old[0]]
        (new,) = add_articles(conn, [Art("Straße", "fresh")], sids, start=2)
        assert matching_ids(conn, "strasse", now=NOW) == [new, old[0]]


def test_down_and_up_again(blank: Engine) -> None:
    upgrade(blank)
    with blank.begin() as conn:
        sids = add_sources(conn, [Src("Wire", "wire.example")])
        (aid,) = add_articles(conn, [Art("Merger", "talks")], sids)
    command.downgrade(alembic_config(blank), "0001")
    assert current_revision(blank) == "0001"
    names = set(inspect(blank).get_table_names())
    assert "article_search" not in names and not any(n.startswith("article_fts") for n in names)
    with blank.begin() as conn:  # the articles table works without its triggers
        add_articles(conn, [Art("Plain", "insert")], sids, start=1)
    upgrade(blank)
    with blank.connect() as conn:
        assert matching_ids(conn, "merger talks", now=NOW) == [aid]
        assert len(matching_ids(conn, "NOT zebra", now=NOW)) == 2


def _migration_0007() -> ModuleType:
    return _migration("0007_fts_fold_precheck")


def test_every_spelled_letter_starts_with_a_prefix_0007_searches_for() -> None:
    prefixes = [bytes.fromhex(p) for p in _migration_0007().SPELLED_PREFIXES]
    for letter, _ in SQLITE_SPELLED:
        assert any(letter.encode().startswith(p) for p in prefixes), letter


@pytest.mark.parametrize(
    "value",
    [
        "Plain ASCII words",
        "Curly “quotes” and an em dash — in English, 3 °C",
        "Café crème à Montréal",  # accents: C3, no spelled letter
        "Straße und Fußball",
        "Łódź, Gdańsk; ĳssel",
        "Ἀθῆναι ή Αθήνα, ΐ",
        "ёлка, Ёж, Москва",
        "GROẞE",
        "ðþ ÐÞ æÆ øØ œŒ ħĦ ı ŋŊ ŧŦ",  # noqa: RUF001 - the letters are the point
        "",
        None,
        "x" * (MAX_FIELD_CHARS + 10) + "ß",
    ],
)
def test_0007_folds_exactly_as_0002_did(value: str | None) -> None:
    m7 = _migration_0007()
    old = m7._search_migration()._fold(":v")
    new = m7.fold(":v")
    engine = create_engine("sqlite://")
    with engine.connect() as conn:
        got_old = conn.execute(text(f"SELECT {old}"), {"v": value}).scalar()
        got_new = conn.execute(text(f"SELECT {new}"), {"v": value}).scalar()
    assert got_new == got_old
    if value and "ß" in value[:MAX_FIELD_CHARS]:
        assert "ss" in got_new and "ß" not in got_new


def test_0007_downgrade_puts_back_the_view_0002_made(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'v.db'}")
    upgrade(engine, "0006")
    view = "SELECT sql FROM sqlite_master WHERE name = 'article_fts_source'"
    with engine.connect() as conn:
        made_by_0002 = conn.execute(text(view)).scalar()
    upgrade(engine)
    with engine.connect() as conn:
        assert "GLOB" not in conn.execute(text(view)).scalar()
    command.downgrade(alembic_config(engine), "0006")
    with engine.connect() as conn:
        assert conn.execute(text(view)).scalar() == made_by_0002
    engine.dispose()
