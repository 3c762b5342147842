"""Shared CLI plumbing: settings, the database, errors."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import IO, Any, NoReturn

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

from mimir.config import Settings, load_settings
from mimir.db.database import Database
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


def safe_url(settings: Settings) -> str:
    """The database URL with any password hidden (even when the URL does not parse)."""
    try:
        return make_url(settings.database_url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return re.sub(r"(://[^/@]*?:)[^/@]*@", r"\1***@", settings.database_url)


@contextmanager
def database_errors(settings: Settings) -> Iterator[None]:
    """An unreachable database or an unusable URL as a one-line ConfigError (exit 2).

    The message names the database with its password hidden; the driver's own first line
    says why (connection refused, authentication failed, unknown dialect ...).
    """
    try:
        yield
    except (DBAPIError, ArgumentError) as exc:
        orig = exc.orig if isinstance(exc, DBAPIError) else None
        lines = str(orig or exc).strip().splitlines() or [type(exc).__name__]
        detail = lines[0]
        password = _password(settings.database_url)
        if password:
            detail = detail.replace(password, "***")
        raise ConfigError(f"cannot use the database {safe_url(settings)}: {detail}") from exc


def _password(url: str) -> str | None:
    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        found = re.search(r"://[^/@]*?:([^/@]*)@", url)
        return found.group(1) if found else None


def upgraded_db(settings: Settings) -> tuple[Database, str]:
    """The database, created or migrated to the latest revision, and that revision."""
    from mimir.db.migrate import current_revision, upgrade  # Alembic: only when needed

    with database_errors(settings):
        db = Database(settings)
        try:
            upgrade(db.engine)
            return db, str(current_revision(db.engine))
        except BaseException:
            db.close()
            raise


def open_db(settings: Settings, *, require_migrated: bool = True) -> Database:
    """The database, checked to be reachable and migrated (ConfigError, exit 2, otherwise)."""
    from mimir.db.migrate import is_current  # Alembic: only when needed

    with database_errors(settings):
        db = Database(settings)
    if not require_migrated:
        return db
    try:
        with database_errors(settings):
            current = is_current(db.engine)
    except ConfigError:
        db.close()
        raise
    if not current:
        db.close()
        raise ConfigError(
            "the database is not initialised or not up to date: run `mimir init` first"
        )
    return db


def now() -> datetime:
    return datetime.now(UTC)


def exit_code(exc: MimirError) -> int:
    """2 for what the user can fix (input, not found, configuration), 1 for everything else."""
    return 2 if exc.status < 500 or isinstance(exc, ConfigError) else 1


def fail(exc: MimirError) -> NoReturn:
    click.echo(f"error: {exc.message}", err=True)
    sys.exit(exit_code(exc))


class CliError(click.ClickException):
    """A MimirError leaving a command: printed as ``error: ...``, exit code 1.

    Being a ClickException, click handles it the same way whether the command runs from the
    console script (`main`) or from `cli.main()` in standalone mode (scripts, CliRunner).
    """

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.message}", file=file, err=file is None)


class CliUserError(CliError):
    """A MimirError the user can fix (input, not found, configuration): exit code 2."""

    exit_code = 2


def cli_error(exc: MimirError) -> CliError:
    return (CliUserError if exit_code(exc) == 2 else CliError)(exc.message)


class MimirGroup(click.Group):
    """A command group whose commands may raise MimirError: it leaves as a CliError."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except MimirError as exc:
            raise cli_error(exc) from exc
