"""`mimir serve`: the HTTP side (REST API, output feeds of watches, /healthz, /readyz) until
SIGTERM."""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

import click

from mimir.cli.common import database_errors, state
from mimir.db.database import Database

if TYPE_CHECKING:
    from mimir.api.server import ApiServer

# uvicorn, FastAPI and the app are imported inside the command, so `mimir --help` stays quick


@click.command()
@click.option(
    "--host",
    default=None,
    help="Address to listen on (default: MIMIR_HTTP_HOST, 127.0.0.1; 0.0.0.0 for every interface).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=None,
    help="Port to listen on (default: MIMIR_HTTP_PORT, 8080; 0 picks a free one).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None) -> None:
    """Serve HTTP: the REST API (/api/v1, OpenAPI at /api/v1/openapi.json), every watch's
    output feed (/feeds/TOKEN.atom, .rss, .json) and the /healthz and /readyz probes, in one
    process, until SIGTERM or Ctrl-C (graceful). On a fresh install it prints a one-time link to
    create the first admin."""
    from mimir.api.server import ApiServer
    from mimir.api.setup import setup_message

    settings = state(ctx).settings()
    with database_errors(settings):
        db = Database(settings)
    try:
        server = ApiServer(settings, db=db, host=host, port=port)
        with database_errors(settings):
            message = setup_message(db, settings.public_url or server.url)
        asyncio.run(_serve(server, message))
    finally:
        db.close()
    click.echo("Stopped.")


async def _serve(server: ApiServer, message: str | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        click.echo(
            f"Mimir is serving on {server.url}: feeds at {server.url}/feeds/TOKEN.atom "
            "(.rss, .json; tokens in `mimir watches list --json`); the REST API at /api/v1 "
            "(OpenAPI: /api/v1/openapi.json). Ctrl-C stops."
        )
        if message:
            click.echo(message)
        await server.serve(stop)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
