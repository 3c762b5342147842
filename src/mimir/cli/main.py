"""`mimir`: the entry point and the commands that are not about one noun."""

from __future__ import annotations

import sys
from typing import Any

import click

from mimir import __version__
from mimir.cli import articles, healthcheck, run, search, serve, sources, users, watches
from mimir.cli.common import CliState, MimirGroup, fail
from mimir.errors import MimirError


@click.group(
    cls=MimirGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
@click.version_option(__version__, prog_name="mimir")
@click.option("--database-url", envvar="MIMIR_DATABASE_URL", help="Overrides MIMIR_DATABASE_URL.")
@click.option("--log-level", default=None, help="debug, info, warning, error (MIMIR_LOG_LEVEL).")
@click.pass_context
def cli(ctx: click.Context, database_url: str | None, log_level: str | None) -> None:
    """Mimir: follow news sources politely and keep a clean, searchable store of articles."""
    overrides: dict[str, Any] = {}
    if database_url:
        overrides["database_url"] = database_url
    if log_level:
        overrides["log_level"] = log_level
    ctx.obj = CliState(overrides)


cli.add_command(run.init)
cli.add_command(run.migrate)
cli.add_command(run.run)
cli.add_command(run.worker)
cli.add_command(serve.serve)
cli.add_command(healthcheck.healthcheck)
cli.add_command(run.refresh)
cli.add_command(run.fetch)
cli.add_command(sources.sources)
cli.add_command(articles.articles)
cli.add_command(search.search)
cli.add_command(watches.watches)
cli.add_command(watches.channels)
cli.add_command(watches.alerts)
cli.add_command(users.users)
cli.add_command(users.keys)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except MimirError as exc:
        fail(exc)


if __name__ == "__main__":
    main()
