"""Serving the app with uvicorn, inside an event loop the caller owns.

``mimir serve`` runs an :class:`ApiServer` alone; ``mimir run`` runs one next to the worker in
the same loop, sharing its database and its stop event. The socket is bound when the server is
made, so a port in use is a clear error before anything starts, and port 0 (any free port)
reports the port it got. Signals stay with the owner: uvicorn's own handlers are not installed
(they would replace the worker's, and re-raise SIGTERM at the end); setting ``stop`` shuts the
server down gracefully (no new connections, requests in flight finished, then the lifespan).
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import socket
from collections.abc import Iterator

import uvicorn

from mimir.api.app import create_app
from mimir.config import Settings
from mimir.db.database import Database
from mimir.errors import ConfigError


def graceful_seconds(settings: Settings) -> int:
    """How long requests in flight get to finish after SIGTERM: the shutdown grace period,
    less a few seconds for the lifespan's end (pools closed, spans flushed)."""
    grace = settings.shutdown_grace_seconds
    return max(1, math.floor(grace - min(5.0, grace / 4)))


class _Server(uvicorn.Server):
    """uvicorn without its signal handlers: its owner decides when it stops."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


def bind(host: str, port: int) -> socket.socket:
    """A listening-ready TCP socket on ``host:port`` (ConfigError when that cannot be)."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}:{port}: {exc}") from exc
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc
    return sock


class ApiServer:
    """The HTTP API on ``host:port`` (defaults: ``MIMIR_HTTP_HOST``, ``MIMIR_HTTP_PORT``)."""

    def __init__(
        self,
        settings: Settings,
        *,
        db: Database | None = None,
        host: str | None = None,
        port: int | None = None,
    ) -> None:
        self.host = host or settings.http_host
        self.socket = bind(self.host, settings.http_port if port is None else port)
        self.port = int(self.socket.getsockname()[1])
        self.config = uvicorn.Config(
            create_app(settings, db=db),
            log_config=None,  # our logging set-up (structlog) applies to uvicorn's loggers too
            access_log=False,  # the app logs each request itself, feed tokens redacted
            server_header=False,
            lifespan="on",
            timeout_graceful_shutdown=graceful_seconds(settings),
            # behind a proxy (MIMIR_TRUST_PROXY_HEADERS): the client's address and scheme come
            # from X-Forwarded-For / -Proto, for throttling, Secure cookies and HSTS
            proxy_headers=settings.trust_proxy_headers,
            forwarded_allow_ips="*" if settings.trust_proxy_headers else "",
        )
        self.server = _Server(self.config)

    @property
    def url(self) -> str:
        """Where the server listens, e.g. ``http://127.0.0.1:8080``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    async def serve(self, stop: asyncio.Event) -> None:
        """Serve until ``stop`` is set, then shut down gracefully."""

        async def stopper() -> None:
            await stop.wait()
            self.server.should_exit = True

        watcher = asyncio.create_task(stopper())
        try:
            await self.server.serve(sockets=[self.socket])
        finally:
            watcher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watcher
            self.socket.close()


def serve_processes(settings: Settings, sock: socket.socket, workers: int) -> None:
    """Serve on ``sock`` from ``workers`` processes (uvicorn's supervisor: it restarts a
    process that dies and stops them all on SIGINT/SIGTERM). Each process opens its own
    database pool and reads the settings from the environment."""
    from uvicorn.supervisors import Multiprocess

    config = uvicorn.Config(
        "mimir.api.app:app_from_env",
        factory=True,
        workers=workers,
        log_config=None,
        access_log=False,
        server_header=False,
        lifespan="on",
        timeout_graceful_shutdown=graceful_seconds(settings),
        proxy_headers=settings.trust_proxy_headers,
        forwarded_allow_ips="*" if settings.trust_proxy_headers else "",
    )
    Multiprocess(config, sockets=[sock]).run()
