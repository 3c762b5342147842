"""The request handler: configured routes first, then the ``/misbehave/*`` menu.

Misbehaving endpoints (query parameters in brackets):

``/misbehave/drip`` [bytes_per_second=10, total=10000]  slow body, Content-Length announced
``/misbehave/drop`` [sent=1000, length=100000]          headers + part of the body, then FIN
``/misbehave/hang`` [seconds=120]                       reads the request, never answers
``/misbehave/reset``                                    reads the request, then TCP RST
``/misbehave/gzip-bomb`` [mb=100]                       small gzip inflating to ``mb`` MiB
``/misbehave/huge`` [mb=20, length=1, chunked=0]        big plain body (length=0: close-delimited)
``/misbehave/redirect-loop``                            A -> B -> A ...
``/misbehave/redirect-chain`` [n=3]                     n redirects, then a 200 page
``/misbehave/redirect-to`` [url, code=302]              one redirect to ``url``
``/misbehave/status`` [code=500]                        that status with a short body
``/misbehave/retry-after`` [code=429, seconds=5, date=0] Retry-After as seconds or HTTP-date
``/misbehave/html-as-feed``                             an HTML page served as RSS
``/misbehave/wrong-charset`` [declared=utf-8]           windows-1252 bytes declared as utf-8
                                                         (declared=windows-1252: the reverse)
"""

from __future__ import annotations

import functools
import socket
import struct
import time
import zlib
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, quote, urlsplit

if TYPE_CHECKING:
    from tests.fixtureweb.server import FixtureServer, FixtureWeb

MIB = 1024 * 1024
_PAGE = "<!doctype html><html><head><title>{0}</title></head><body><p>{0}</p></body></html>"
_ACCENTED = "Café crème brûlée \u2013 \u201cquoted\u201d naïve"


@functools.lru_cache(maxsize=4)
def gzip_bomb(mb: int) -> bytes:
    """A gzip member that inflates to ``mb`` MiB of zeros (about 1/1000 of that on the wire)."""
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    zeros = bytes(MIB)
    return b"".join(comp.compress(zeros) for _ in range(mb)) + comp.flush()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end by themselves
    server: FixtureServer

    @property
    def web(self) -> FixtureWeb:
        return self.server.web

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_GET(self) -> None:
        self._handle(head=False)

    def do_HEAD(self) -> None:
        self._handle(head=True)

    def do_POST(self) -> None:
        self._handle(head=False)

    # ---- plumbing -----------------------------------------------------------------------

    def _handle(self, head: bool) -> None:
        headers = {k.lower(): v for k, v in self.headers.items()}
        length = int(headers.get("content-length") or 0)
        if length:
            self.rfile.read(length)
        self.web._started(self.command, self.path, headers, self.client_address)
        try:
            split = urlsplit(self.path)
            self.query = {k: v[-1] for k, v in parse_qs(split.query).items()}
            route = self.web._route(split.path)
            if route is not None:
                if route.delay and self.web._stopping.wait(route.delay):
                    self.close_connection = True
                    return
                if route.not_modified(headers):
                    self._send(304, route.validators(), b"", head=True)
                    return
                body, extra = route.encoded(headers.get("accept-encoding", ""))
                self._send(route.status, extra, body, head=head)
                return
            name = split.path.removeprefix("/misbehave/").replace("-", "_")
            action: Callable[[], None] | None = getattr(self, f"_mb_{name}", None)
            if split.path.startswith("/misbehave/") and action is not None:
                action()
            else:
                self._send(404, {"Content-Type": "text/plain"}, b"not found", head=head)
        finally:
            self.web._finished()

    def _send(
        self, status: int, headers: dict[str, str], body: bytes, *, head: bool = False
    ) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        if status != 304 and "content-length" not in {k.lower() for k in headers}:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and status != 304:
            self.wfile.write(body)

    def _int(self, name: str, default: int) -> int:
        return int(self.query.get(name, default))

    def _float(self, name: str, default: float) -> float:
        return float(self.query.get(name, default))

    def _html(self, text: str, status: int = 200) -> None:
        self._send(
            status, {"Content-Type": "text/html; charset=utf-8"}, _PAGE.format(text).encode()
        )

    def _redirect(self, location: str, code: int = 302) -> None:
        self._send(code, {"Location": location, "Content-Type": "text/plain"}, b"moved")

    # ---- the menu -----------------------------------------------------------------------

    def _mb_drip(self) -> None:
        rate = max(1, self._int("bytes_per_second", 10))
        total = self._int("total", 10_000)
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        piece = max(1, rate // 10)
        sent = 0
        while sent < total and not self.web._stopping.wait(piece / rate):
            chunk = b"x" * min(piece, total - sent)
            self.wfile.write(chunk)
            self.wfile.flush()
            sent += len(chunk)

    def _mb_drop(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(self._int("length", 100_000)))
        self.end_headers()
        self.wfile.write(b"y" * self._int("sent", 1000))
        self.wfile.flush()
        self.close_connection = True  # the server then shuts the socket: a FIN mid-body

    def _mb_hang(self) -> None:
        self.web._stopping.wait(self._float("seconds", 120))
        self.close_connection = True

    def _mb_reset(self) -> None:
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.server.reset_on_close(self.connection)
        self.close_connection = True

    def _mb_gzip_bomb(self) -> None:
        body = gzip_bomb(self._int("mb", 100))
        headers = {"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"}
        self._send(200, headers, body)

    def _mb_huge(self) -> None:
        size = self._int("mb", 20) * MIB
        chunked = self._int("chunked", 0) == 1
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        elif self._int("length", 1) == 1:
            self.send_header("Content-Length", str(size))
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        block = b"z" * 65536
        sent = 0
        while sent < size and not self.web._stopping.is_set():
            piece = block[: size - sent]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece) if chunked else piece)
            sent += len(piece)
        if chunked:
            self.wfile.write(b"0\r\n\r\n")

    def _mb_redirect_loop(self) -> None:
        self._redirect("/misbehave/redirect-loop" if "b" in self.query else "?b=1")

    def _mb_redirect_chain(self) -> None:
        n = self._int("n", 3)
        if n <= 0:
            self._html("end of chain")
        else:
            self._redirect(f"/misbehave/redirect-chain?n={n - 1}")

    def _mb_redirect_to(self) -> None:
        self._redirect(self.query.get("url", "/"), self._int("code", 302))

    def _mb_status(self) -> None:
        code = self._int("code", 500)
        self._send(code, {"Content-Type": "text/plain"}, f"status {code}".encode())

    def _mb_retry_after(self) -> None:
        code = self._int("code", 429)
        seconds = self._int("seconds", 5)
        value = (
            formatdate(time.time() + seconds, usegmt=True) if self._int("date", 0) else str(seconds)
        )
        self._send(code, {"Retry-After": value, "Content-Type": "text/plain"}, b"slow down")

    def _mb_html_as_feed(self) -> None:
        body = _PAGE.format("Not a feed at all").encode()
        self._send(200, {"Content-Type": "application/rss+xml; charset=utf-8"}, body)

    def _mb_wrong_charset(self) -> None:
        declared = self.query.get("declared", "utf-8").lower()
        actual = "utf-8" if declared != "utf-8" else "windows-1252"
        body = _PAGE.format(_ACCENTED).encode(actual)
        self._send(200, {"Content-Type": f"text/html; charset={quote(declared)}"}, body)
