"""Shared CLI plumbing: settings, the database, errors."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from typing import Any, NoReturn

import click

from mimir.config import Settings, load_settings
from mimir.db.database import Database
from mimir.db.migrate import is_current
from mimir.errors import ConfigError, MimirError
from mimir.logs import configure_logging


class CliState:
    def __init__(self, overrides: dict[str, Any]) -> None:
        self.overrides = overrides
        self._settings: Settings | None = None

    def settings(self, **extra: Any) -> Settings:
        if extra:
            return load_settings(**{**self.overrides, **extra})
        if self._settings is None:
            self._settings = load_settings(**self.overrides)
            configure_logging(self._settings.log_level, self._settings.log_format)
        return self._settings


def state(ctx: click.Context) -> CliState:
    obj = ctx.find_root().obj
    assert isinstance(obj, CliState)
    return obj


def open_db(settings: Settings, *, require_migrated: bool = True) -> Database:
    db = Database(settings)
    if require_migrated and not is_current(db.engine):
        db.close()
        raise ConfigError(
            "the database is not initialised or not up to date: run `mimir init` first"
        )
    return db


def now() -> datetime:
    return datetime.now(UTC)


def fail(exc: MimirError) -> NoReturn:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(2 if exc.status < 500 or isinstance(exc, ConfigError) else 1)
