"""FixtureWeb: a real HTTP/1.1 server on 127.0.0.1 in a background thread, for tests.

    with FixtureWeb() as web:
        web.route("/feed.xml", rss, content_type="application/rss+xml", etag='"v1"')
        url = web.url("/feed.xml")

Routes can be replaced while it runs (tests "publish" new items). Every request is logged, with
the highest number in flight at once and the smallest gap between request starts, so politeness
can be asserted. ``/misbehave/*`` endpoints are listed in :mod:`tests.fixtureweb.handler`.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import socket
import threading
import time
from http.server import ThreadingHTTPServer
from types import TracebackType
from typing import Any

from tests.fixtureweb.handler import Handler
from tests.fixtureweb.routes import LoggedRequest, Route

DEFAULT_ROBOTS = "User-agent: *\nDisallow:\n"


class FixtureServer(ThreadingHTTPServer):
    """ThreadingHTTPServer that knows its FixtureWeb and can close sockets abruptly."""

    daemon_threads = False
    block_on_close = True  # stop() waits for handler threads: no leaked sockets

    def __init__(self, web: FixtureWeb, address: tuple[str, int]) -> None:
        self.web = web
        self._lock = threading.Lock()
        self._open: set[socket.socket] = set()
        self._resets: set[socket.socket] = set()
        super().__init__(address, Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def reset_on_close(self, sock: socket.socket) -> None:
        with self._lock:
            self._resets.add(sock)

    def shutdown_request(self, request: Any) -> None:
        with self._lock:
            self._open.discard(request)
            reset = request in self._resets
            self._resets.discard(request)
        if reset:
            self.close_request(request)  # SO_LINGER 0 and no FIN first: the peer gets a RST
        else:
            super().shutdown_request(request)

    def interrupt(self) -> None:
        """Unblock handler threads waiting on their sockets."""
        with self._lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients hanging up on misbehaving endpoints is the point


class FixtureWeb:
    """The local misbehaving web (see the module doc)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self._address = (host, port)
        self._lock = threading.Lock()
        self._routes: dict[str, Route] = {}
        self._log: list[LoggedRequest] = []
        self._in_flight = 0
        self._max_in_flight = 0
        self._stopping = threading.Event()
        self._server: FixtureServer | None = None
        self._thread: threading.Thread | None = None
        self.set_robots(DEFAULT_ROBOTS)

    # ---- life cycle ---------------------------------------------------------------------

    def start(self) -> FixtureWeb:
        if self._server is not None:
            return self
        self._stopping.clear()
        self._server = FixtureServer(self, self._address)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        server, thread = self._server, self._thread
        if server is None or thread is None:
            return
        self._stopping.set()
        server.shutdown()
        thread.join()
        server.interrupt()
        server.server_close()
        self._server = self._thread = None

    def __enter__(self) -> FixtureWeb:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FixtureWeb is not started")
        return int(self._server.server_address[1])

    @property
    def host(self) -> str:
        return self._address[0]

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        return self.base_url + (path if path.startswith("/") else "/" + path)

    # ---- content ------------------------------------------------------------------------

    def route(
        self,
        path: str,
        body: bytes | str,
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
        content_type: str = "text/html; charset=utf-8",
        etag: str | None = None,
        last_modified: str | None = None,
        gzip: bool = False,
        delay: float = 0.0,
    ) -> None:
        """Serve ``body`` at ``path`` (replacing what was there); ``delay`` seconds before it."""
        data = body.encode("utf-8") if isinstance(body, str) else body
        route = Route(
            data, status, dict(headers or {}), content_type, etag, last_modified, gzip, delay
        )
        with self._lock:
            self._routes[path] = route

    def remove(self, path: str) -> None:
        """Later requests to ``path`` get 404."""
        with self._lock:
            self._routes.pop(path, None)

    def set_status(self, path: str, code: int) -> None:
        """Answer ``path`` with ``code`` from now on (its body kept, if it had one)."""
        with self._lock:
            old = self._routes.get(path)
            if old is None:
                old = Route(f"status {code}".encode(), content_type="text/plain")
            self._routes[path] = dataclasses.replace(old, status=code)

    def set_robots(self, text: str) -> None:
        """What ``/robots.txt`` says (default: allow everything)."""
        self.route("/robots.txt", text, content_type="text/plain; charset=utf-8")

    def _route(self, path: str) -> Route | None:
        with self._lock:
            return self._routes.get(path)

    # ---- the log ------------------------------------------------------------------------

    def _started(
        self, method: str, path: str, headers: dict[str, str], client: tuple[str, int]
    ) -> None:
        with self._lock:
            self._log.append(LoggedRequest(time.monotonic(), method, path, headers, client))
            self._in_flight += 1
            self._max_in_flight = max(self._max_in_flight, self._in_flight)

    def _finished(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @property
    def requests(self) -> list[LoggedRequest]:
        """Every request so far: (time, method, path, headers, client)."""
        with self._lock:
            return list(self._log)

    def hits(self, path: str) -> int:
        """Requests to ``path`` (query ignored unless ``path`` has one)."""
        return sum(1 for r in self.requests if _matches(r.path, path))

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            self._max_in_flight = self._in_flight

    @property
    def max_in_flight(self) -> int:
        """The most requests being answered at the same time since the last clear_log()."""
        with self._lock:
            return self._max_in_flight

    def min_spacing(self, path: str | None = None) -> float | None:
        """The smallest gap in seconds between request starts (to ``path`` if given)."""
        times = sorted(r.time for r in self.requests if path is None or _matches(r.path, path))
        gaps = [b - a for a, b in itertools.pairwise(times)]
        return min(gaps) if gaps else None


def _matches(logged: str, wanted: str) -> bool:
    return logged == wanted if "?" in wanted else logged.split("?", 1)[0] == wanted
