"""Shared fixtures: real SQLite and PostgreSQL databases, the fixture web, settings."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.migrate import upgrade
from mimir.db.tables import metadata
from tests.fixtureweb.plugin import web  # noqa: F401 - the local misbehaving web

PG_ADMIN_URL = os.environ.get(
    "MIMIR_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def make_settings(database_url: str, **kw: Any) -> Settings:
    """Settings for tests: loopback allowed (through the allow-list), fast politeness."""
    base: dict[str, Any] = {
        "database_url": database_url,
        "fetch_allowed_networks": "127.0.0.0/8",
        "per_host_interval_seconds": 0.0,
        "per_host_concurrency": 8,
        "extract_processes": -1,
        "connect_timeout_seconds": 5.0,
        "read_timeout_seconds": 5.0,
        "total_timeout_seconds": 15.0,
        "idle_sleep_seconds": 0.2,
        "log_format": "console",
    }
    base.update(kw)
    return Settings(**base)


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """A test that configures logging (configure_logging binds a handler to the stderr of the
    moment, which pytest closes after the test) leaves the next tests' logging as it found it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A migrated PostgreSQL database for this test process (skips only outside CI)."""
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"mimir_test_{os.getpid()}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        admin.dispose()
        if IN_CI:
            pytest.fail(f"PostgreSQL is required in CI and not reachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable: {exc}")
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _truncate(url: str) -> None:
    engine = create_engine(url)
    names = ", ".join(t.name for t in reversed(metadata.sorted_tables))
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, migrated database: SQLite in a temp file, or the emptied PostgreSQL one."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'mimir.db'}"
        engine = create_engine(url)
        upgrade(engine)
        engine.dispose()
        return url
    url = request.getfixturevalue("pg_url")
    _truncate(url)
    return url


@pytest.fixture
def settings(db_url: str) -> Settings:
    return make_settings(db_url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings)
    yield database
    database.close()


@pytest.fixture
def sqlite_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'mimir.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return make_settings(url)
