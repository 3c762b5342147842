"""`mimir serve`: the HTTP side (REST API, output feeds of watches, /healthz, /readyz) until
SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
from collections.abc import Coroutine
from typing import TYPE_CHECKING, Any

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
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=1,
    show_default=True,
    help="Processes serving the same port (one per core on a big host; 1 in a pod).",
)
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, workers: int) -> None:
    """Serve HTTP: the REST API (/api/v1, OpenAPI at /api/v1/openapi.json), every watch's
    output feed (/feeds/TOKEN.atom, .rss, .json) and the /healthz and /readyz probes, in one
    process (or --workers processes), until SIGTERM or Ctrl-C (graceful). On a fresh install it
    prints a one-time token to create the first admin."""
    from mimir.api.server import ApiServer
    from mimir.api.setup import setup_message

    settings = state(ctx).settings()
    with database_errors(settings):
        db = Database(settings)
    try:
        server = ApiServer(settings, db=db, host=host, port=port)
        with database_errors(settings):
            message = setup_message(db, settings.public_url or server.url)
        if workers > 1:
            db.close()
            _banner(server.url, f" from {workers} processes")
            if message:
                click.echo(message)
            for name, value in state(ctx).overrides.items():  # the processes read the env
                os.environ[f"MIMIR_{name.upper()}"] = str(value)
            _serve_processes(settings, server.socket, workers)
        else:
            _run_fast(_serve(server, message))
    finally:
        db.close()
    click.echo("Stopped.")


def _serve_processes(settings: Any, sock: Any, workers: int) -> None:
    """``workers`` processes on one socket, their metrics aggregated (docs/metrics.md): the
    processes are spawned with ``PROMETHEUS_MULTIPROC_DIR`` set, so each writes its metrics
    there and ``/metrics`` in any of them sums them; a dead process's live gauges are retired."""
    from mimir import metrics
    from mimir.api.server import serve_processes

    directory, made = metrics.prepare_multiprocess()
    try:
        with metrics.DeadProcessReaper(directory):
            serve_processes(settings, sock, workers)
    finally:
        if made:
            metrics.cleanup_multiprocess(directory)


def _run_fast(main: Coroutine[Any, Any, None]) -> None:
    """Run ``main`` on uvloop (installed with uvicorn[standard]; what uvicorn itself uses), the
    standard loop when it is missing."""
    try:
        import uvloop
    except ImportError:
        asyncio.run(main)
        return
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        runner.run(main)


def _banner(url: str, how: str = "") -> None:
    click.echo(
        f"Mimir is serving on {url}{how}: the web UI at {url}/, feeds at {url}/feeds/TOKEN.atom "
        "(.rss, .json; tokens in `mimir watches list --json`); the REST API at /api/v1 "
        "(OpenAPI: /api/v1/openapi.json). Ctrl-C stops.",
        nl=True,
    )


async def _serve(server: ApiServer, message: str | None) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)
    for sig in signals:
        loop.add_signal_handler(sig, stop.set)
    try:
        _banner(server.url)
        if message:
            click.echo(message)
        await server.serve(stop)
    finally:
        for sig in signals:
            loop.remove_signal_handler(sig)
