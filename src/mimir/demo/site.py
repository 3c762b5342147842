"""The demo news site: a small threaded HTTP/1.1 server over the deterministic timeline.

``DemoSite`` serves several outlets of a fictional media-technology publisher on one port, so
``mimir run --demo`` shows feeds, a news sitemap and a press room being ingested with no
internet access. Documents carry ETag and Last-Modified (conditional GET answers 304) and are
gzip-compressed when the client accepts it.
"""

from __future__ import annotations

import contextlib
import math
import re
import socket
import threading
import time
from collections import OrderedDict
from email.utils import format_datetime, parsedate_to_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

from mimir.demo.routes import Document, Router
from mimir.demo.timeline import OUTLETS, Timeline
from mimir.model import SourceKind, SourceSpec

CACHE_ENTRIES = 512
_HOST_HEADER = re.compile(r"^[A-Za-z0-9.\-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$")
PRESSROOM_SELECTORS: dict[str, Any] = {
    "article_list": "article.press-item",
    "article_link": "h2 a",
    "title": "h2",
    "date": "time",
    "next_page": "a.next",
    "max_pages": 2,
}
_INTERVALS = {"min_interval_seconds": 5, "max_interval_seconds": 60}


def accepts_gzip(header: str | None) -> bool:
    """Whether an Accept-Encoding value allows gzip (``gzip;q=0`` does not)."""
    for part in (header or "").split(","):
        name, _, params = part.strip().partition(";")
        if name.strip().lower() in ("gzip", "x-gzip", "*"):
            q = params.strip().lower()
            return not (q.startswith("q=") and q[2:].strip() in ("0", "0.0", "0.00", "0.000"))
    return False


def etag_matches(header: str, etag: str) -> bool:
    """If-None-Match against our strong ETag (weak comparison, any encoding variant)."""
    if header.strip() == "*":
        return True
    wanted = etag.strip('"')
    for tag in header.split(","):
        value = tag.strip().removeprefix("W/").strip('"').removesuffix("-gzip")
        if value == wanted:
            return True
    return False


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    site: DemoSite

    def __init__(self, address: tuple[str, int], site: DemoSite) -> None:
        self.site = site
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up mid-response are normal; stay quiet."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "DemoCMS/1.0"
    sys_version = ""
    timeout = 30  # an idle keep-alive connection is closed after this many seconds
    server: _Server

    def setup(self) -> None:
        super().setup()
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the demo must not flood the terminal Mimir runs in."""

    def do_GET(self) -> None:
        self._serve(head=False)

    def do_HEAD(self) -> None:
        self._serve(head=True)

    def _serve(self, head: bool) -> None:
        site = self.server.site
        host = self.headers.get("Host", "")
        base = f"http://{host}" if _HOST_HEADER.match(host) else site.url
        parts = urlsplit(self.path)
        doc = site.document(base, parts.path or "/", parts.query)
        zipped = doc.status == 200 and accepts_gzip(self.headers.get("Accept-Encoding"))
        etag = doc.etag[:-1] + '-gzip"' if zipped else doc.etag
        if doc.status == 200 and self._not_modified(doc):
            self.send_response(304)
            self._validators(doc, etag)
            self.end_headers()
            return
        body = doc.gzipped if zipped else doc.body
        self.send_response(doc.status)
        self.send_header("Content-Type", doc.content_type)
        self.send_header("Content-Length", str(len(body)))
        if zipped:
            self.send_header("Content-Encoding", "gzip")
        self._validators(doc, etag)
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def _validators(self, doc: Document, etag: str) -> None:
        self.send_header("ETag", etag)
        if doc.last_modified is not None:
            self.send_header("Last-Modified", format_datetime(doc.last_modified, usegmt=True))
        self.send_header("Cache-Control", "public, max-age=0, must-revalidate")
        self.send_header("Vary", "Accept-Encoding")

    def _not_modified(self, doc: Document) -> bool:
        inm = self.headers.get("If-None-Match")
        if inm is not None:  # RFC 9110: If-None-Match wins over If-Modified-Since
            return etag_matches(inm, doc.etag)
        ims = self.headers.get("If-Modified-Since")
        if ims is None or doc.last_modified is None:
            return False
        try:
            since = parsedate_to_datetime(ims)
        except (TypeError, ValueError):
            return False
        return since.tzinfo is not None and doc.last_modified <= since


class DemoSite:
    """A local news site for demos and tests.

    >>> with DemoSite(new_item_every_seconds=2) as site:   # doctest: +SKIP
    ...     print(site.url, [s.url for s in site.source_specs()])
    """

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        seed: int = 1,
        new_item_every_seconds: float = 5.0,
        initial_items: int = 12,
    ) -> None:
        if new_item_every_seconds <= 0:
            raise ValueError("new_item_every_seconds must be positive")
        self.host = host
        self.port = port
        self.seed = seed
        self.interval = new_item_every_seconds
        self.initial_items = initial_items  # per outlet, so every outlet starts with a backlog
        self._initial_total = max(0, initial_items) * len(OUTLETS)
        self.url = ""
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._timeline: Timeline | None = None
        self._clock_zero = 0.0
        self._cache: OrderedDict[tuple[str, str, str, int], Document] = OrderedDict()
        self._cache_lock = threading.Lock()

    # --- lifecycle ---------------------------------------------------------------------
    def start(self) -> str:
        """Bind, serve in a daemon thread and return the base URL (``http://host:port``)."""
        if self._server is not None:
            return self.url
        wall = time.time()
        start = float(math.floor(wall))  # whole seconds: Last-Modified has no fractions
        self._clock_zero = time.monotonic() - (wall - start)
        self._timeline = Timeline(self.seed, self.interval, self._initial_total, start)
        server = _Server((self.host, self.port), self)
        self._server = server
        port = server.server_address[1]
        shown = f"[{self.host}]" if ":" in self.host else self.host
        self.url = f"http://{shown}:{port}"
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.1},
            name="mimir-demo-site",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        """Stop serving, close open keep-alive connections and the listening socket."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        with server.connections_lock:
            open_connections = list(server.connections)
        for conn in open_connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> DemoSite:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    # --- what Mimir should read ----------------------------------------------------------
    def source_specs(self) -> list[SourceSpec]:
        """The sources to monitor on this site (all enabled, short intervals for the demo)."""
        if not self.url:
            raise RuntimeError("start() the demo site first")
        base = self.url
        note = "Bundled demo site (fictional news)"
        return [
            SourceSpec(
                "Demo Broadcast News",
                f"{base}/wire/feed.rss",
                SourceKind.FEED,
                category="Broadcast",
                note=f"{note}: RSS 2.0",
                settings=dict(_INTERVALS),
            ),
            SourceSpec(
                "Demo TV Tech Daily",
                f"{base}/techdaily/atom.xml",
                SourceKind.FEED,
                category="Technology",
                note=f"{note}: Atom 1.0",
                settings=dict(_INTERVALS),
            ),
            SourceSpec(
                "Demo StreamWatch",
                f"{base}/streamwatch/feed.json",
                SourceKind.FEED,
                category="Streaming",
                note=f"{note}: JSON Feed 1.1",
                settings=dict(_INTERVALS),
            ),
            SourceSpec(
                "Demo Standards Report",
                f"{base}/standards/news-sitemap.xml",
                SourceKind.SITEMAP,
                category="Standards",
                note=f"{note}: news sitemap",
                settings=dict(_INTERVALS),
            ),
            SourceSpec(
                "Demo Media Group Press Room",
                f"{base}/pressroom/",
                SourceKind.LISTING,
                category="Press releases",
                note=f"{note}: HTML press room, windows-1252",
                settings={"selectors": dict(PRESSROOM_SELECTORS), **_INTERVALS},
            ),
        ]

    def articles_published(self) -> int:
        """How many articles exist now (initial ones included; updates are not counted)."""
        if self._timeline is None:
            return self._initial_total
        return self._timeline.count_at(self._ticks())

    # --- documents ------------------------------------------------------------------------
    def _ticks(self) -> int:
        assert self._timeline is not None
        now = self._timeline.start + (time.monotonic() - self._clock_zero)
        return self._timeline.ticks_at(now)

    def document(self, base: str, path: str, query: str = "") -> Document:
        """The document the site serves at ``path`` right now (memoised per timeline tick)."""
        if self._timeline is None:
            raise RuntimeError("start() the demo site first")
        key = (base, path, query, self._ticks())
        with self._cache_lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        doc = Router(self._timeline).document(base, path, query, key[3])
        with self._cache_lock:
            self._cache[key] = doc
            while len(self._cache) > CACHE_ENTRIES:
                self._cache.popitem(last=False)
        return doc
