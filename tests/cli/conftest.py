"""The `mimir` command, invoked in-process through click's CliRunner against a real database."""

from __future__ import annotations

import json
import logging
import sys
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import click
import pytest
import structlog
from click.testing import CliRunner, Result
from sqlalchemy import create_engine, func, select

from mimir.cli.main import cli, main
from mimir.db.tables import metadata
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

BASE_ENV: dict[str, str | None] = {
    "MIMIR_FETCH_ALLOWED_NETWORKS": "127.0.0.0/8",
    "MIMIR_PER_HOST_INTERVAL_SECONDS": "0",
    "MIMIR_EXTRACT_PROCESSES": "-1",
    "MIMIR_LOG_LEVEL": "warning",
    "MIMIR_CONFIG_FILE": None,  # a developer's own settings file must not leak in
}


def describe(result: Result) -> str:
    """Everything needed to understand a failed invocation."""
    tb = ""
    if result.exc_info is not None and not isinstance(result.exception, SystemExit):
        tb = "".join(traceback.format_exception(*result.exc_info))
    return (
        f"exit code {result.exit_code}\n--- stdout\n{result.stdout}\n--- stderr\n"
        f"{result.stderr}\n{tb}"
    )


class EntryPoint(click.Command):
    """The console script's `main()` (its own error handling) in CliRunner's clothes."""

    def __init__(self) -> None:
        super().__init__("mimir")

    def main(  # type: ignore[override]
        self, args: Any = None, prog_name: str | None = None, **extra: Any
    ) -> Any:
        saved = sys.argv
        sys.argv = [prog_name or "mimir", *(args or ())]
        try:
            return main()
        finally:
            sys.argv = saved


@dataclass
class Mimir:
    """`mimir ARGS...` against one database; each call is a fresh process-like invocation."""

    database_url: str
    env: dict[str, str | None] = field(default_factory=dict)

    def __call__(self, *args: str, input: str | None = None, entry: bool = False) -> Result:
        """`cli` as click runs it; with `entry`, through the console script's `main()`."""
        env = {**BASE_ENV, "MIMIR_DATABASE_URL": self.database_url, **self.env}
        return CliRunner().invoke(EntryPoint() if entry else cli, list(args), env=env, input=input)

    def ok(self, *args: str, input: str | None = None) -> Result:
        result = self(*args, input=input)
        assert result.exit_code == 0, describe(result)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def fails(self, code: int, *args: str, input: str | None = None, entry: bool = False) -> Result:
        """Exit `code` with a message, never a traceback."""
        result = self(*args, input=input, entry=entry)
        assert result.exit_code == code, describe(result)
        assert isinstance(result.exception, SystemExit), describe(result)
        return result

    def counts(self) -> dict[str, int]:
        """Rows in every table (straight from the database, not through the CLI)."""
        engine = create_engine(self.database_url)
        try:
            with engine.connect() as conn:
                return {
                    t.name: int(conn.execute(select(func.count()).select_from(t)).scalar() or 0)
                    for t in metadata.sorted_tables
                }
        finally:
            engine.dispose()


@pytest.fixture
def mimir(db_url: str) -> Mimir:
    """The CLI on a migrated database (SQLite and PostgreSQL)."""
    return Mimir(db_url)


@pytest.fixture
def fresh(tmp_path: Path) -> Mimir:
    """The CLI on a SQLite path where nothing exists yet."""
    return Mimir(f"sqlite:///{tmp_path / 'data' / 'fresh.db'}")


@pytest.fixture
def site(web: FixtureWeb) -> NewsSite:
    """A small news site with four stories, an RSS and an Atom feed."""
    s = NewsSite(web)
    s.publish(4)
    return s


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Each invocation points the root logger at that run's stderr: put things back after."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    config = structlog.get_config()
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
    structlog.configure(**config)


def listing_page(site: NewsSite, *, feeds: bool = False) -> str:
    """A press-room style page listing the site's stories (with or without feed links)."""
    links = "".join(
        f'<article class="teaser"><h2><a href="{site.url(i)}">{i.title}</a></h2>'
        f'<time datetime="{i.published.isoformat()}">{i.published:%B %d, %Y}</time></article>'
        for i in reversed(site.items)
    )
    head = (
        f'<link rel="alternate" type="application/rss+xml" href="{site.feed_url()}">'
        if feeds
        else ""
    )
    return f"<html><head><title>Press room</title>{head}</head><body>{links}</body></html>"
