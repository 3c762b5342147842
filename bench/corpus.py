"""A fast loopback news corpus for benchmarks: N feeds x M articles over H distinct hosts.

Each host is its own loopback address (127.0.1.1, 127.0.1.2, ...; Linux routes all of
127.0.0.0/8 to ``lo``), so per-host politeness in the measured code is real. The server is a raw
asyncio HTTP/1.1 implementation with keep-alive running in a separate *process* (it never
competes for the GIL of the process being measured). Feeds are precomputed bytes; article pages
(20-80 KB of realistic news HTML, from ``mimir.demo``'s generator) are rendered on first request
and kept in a bounded cache. ETag/If-None-Match answers 304.

Per host it counts requests, 304s, the maximum number of requests in flight at once and the
minimum interval between two request starts; ``GET /__stats`` on the first address returns
them as JSON (``/__stats?reset=1`` clears them).

    with BenchCorpus(feeds=500, items=50, hosts=100) as corpus:
        urls = corpus.feed_urls()
        ...
        print(corpus.stats()["hosts"]["127.0.1.1"])
"""

from __future__ import annotations

import asyncio
import contextlib
import gzip
import hashlib
import json
import os
import random
import re
import select
import socket
import subprocess
import sys
import time
import urllib.request
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from mimir.demo import feeds as feed_render
from mimir.demo import templates
from mimir.demo.content import Article, generate_article
from mimir.demo.timeline import Outlet, Revision

EPOCH = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)  # fixed: bytes never depend on the clock
MIN_PAGE_BYTES = 20_000
MAX_PAGE_BYTES = 80_000
PAGE_CACHE = 2048
_ARTICLE = re.compile(rb"^/feed(\d+)/\d{4}/\d{2}/[a-z0-9-]+-(\d+)/$")
_FEED = re.compile(rb"^/feed(\d+)/feed\.rss$")


def host_ip(host: int) -> str:
    """The loopback address of host number ``host`` (0-based): 127.0.1.1, 127.0.1.2, ..."""
    return f"127.0.{1 + host // 254}.{1 + host % 254}"


def _filler() -> tuple[str, str]:
    """Big, deterministic boilerplate: a mega-menu and an inline state blob, like real sites."""
    rng = random.Random("bench-boilerplate")
    words = (
        "broadcast",
        "streaming",
        "tech",
        "policy",
        "business",
        "people",
        "events",
        "video",
        "audio",
        "radio",
        "satellite",
        "cloud",
        "ip",
        "sports",
        "ads",
        "data",
        "security",
    )
    menu = []
    for i in range(4000):
        a, b = rng.choice(words), rng.choice(words)
        menu.append(
            f'<li class="mega-item"><a href="/topics/{a}/{b}-{i}/" data-track="nav-{i}">'
            f"{a.title()} &amp; {b}</a></li>\n"
        )
    state = []
    for i in range(4000):
        state.append(
            f'{{"id":{i},"slot":"ad-{rng.choice(words)}-{i}","sizes":[[300,250],[728,90]],'
            f'"targeting":{{"section":"{rng.choice(words)}","pos":{i % 7}}},"lazy":true}},\n'
        )
    return "".join(menu), "".join(state)


@dataclass(frozen=True, slots=True)
class _Doc:
    body: bytes
    gz: bytes
    etag: bytes
    last_modified: bytes
    content_type: bytes


def _doc(body: bytes, content_type: str, modified: datetime, level: int) -> _Doc:
    etag = hashlib.sha1(body, usedforsecurity=False).hexdigest()[:20].encode()
    return _Doc(
        body,
        gzip.compress(body, compresslevel=level, mtime=0),
        etag,
        format_datetime(modified, usegmt=True).encode(),
        content_type.encode(),
    )


class Corpus:
    """The corpus content: pure functions of (feeds, items, hosts, seed, port)."""

    def __init__(self, feeds: int, items: int, hosts: int, seed: int, port: int) -> None:
        if min(feeds, items, hosts) < 1:
            raise ValueError("feeds, items and hosts must be positive")
        self.feeds, self.items, self.hosts, self.seed, self.port = feeds, items, hosts, seed, port
        self._menu, self._state = _filler()

    def base(self, feed: int) -> str:
        return f"http://{host_ip(feed % self.hosts)}:{self.port}"

    def feed_url(self, feed: int) -> str:
        return f"{self.base(feed)}/feed{feed}/feed.rss"

    def outlet(self, feed: int) -> Outlet:
        return Outlet(f"feed{feed}", f"Bench News {feed}", "Bench")

    def article(self, index: int) -> Article:
        return generate_article(self.seed, index, f"feed{index // self.items}")

    def revision(self, index: int) -> Revision:
        article = self.article(index)
        feed, item = divmod(index, self.items)
        published = EPOCH - timedelta(minutes=item * 53 + feed % 50)
        return Revision(article, published, published, article.paragraphs)

    def article_url(self, index: int) -> str:
        return feed_render.article_url(self.base(index // self.items), self.revision(index))

    def feed_document(self, feed: int, level: int = 6) -> _Doc:
        first = feed * self.items
        revs = [self.revision(i) for i in range(first, first + self.items)]
        text = feed_render.render_rss(self.base(feed), self.outlet(feed), revs)
        return _doc(text.encode(), "application/rss+xml; charset=utf-8", revs[0].modified, level)

    def page(self, index: int) -> bytes:
        """Article page ``index``: the demo template plus boilerplate up to 20-80 KB."""
        feed = index // self.items
        rev = self.revision(index)
        first = feed * self.items
        related = [self.revision(i) for i in range(max(first, index - 4), index)]
        html = templates.render_article(self.base(feed), self.outlet(feed), rev, related)
        target = random.Random(f"bench-size/{self.seed}/{index}").randint(
            MIN_PAGE_BYTES + 300, MAX_PAGE_BYTES
        )
        room = max(0, target - len(html.encode()) - 80)
        menu = self._menu[: room // 2]
        menu = menu[: menu.rfind("</li>") + 6] if "</li>" in menu else ""
        state = self._state[: max(0, room - len(menu))]
        html = html.replace(
            "</header>", f'<nav class="mega-menu"><ul>\n{menu}</ul></nav>\n</header>', 1
        )
        script = f"<script>window.__AD_SLOTS__ = [\n{state}];</script>\n</body>"
        return html.replace("</body>", script, 1).encode()

    def page_document(self, index: int) -> _Doc:
        body = self.page(index)
        return _doc(body, "text/html; charset=utf-8", self.revision(index).modified, 1)


# --- the server (runs in the child process) -----------------------------------------------


class _HostStats:
    __slots__ = (
        "bytes",
        "in_flight",
        "last_end",
        "last_start",
        "max_connections",
        "max_in_flight",
        "min_idle_gap",
        "min_interval",
        "not_modified",
        "requests",
    )

    def __init__(self) -> None:
        self.requests = 0
        self.not_modified = 0
        self.bytes = 0
        self.in_flight = 0
        self.max_in_flight = 0
        self.max_connections = 0  # connections open to this host while it was asked
        self.last_start: float | None = None
        self.min_interval: float | None = None
        # from the moment the previous response was handed to the socket to the moment the next
        # request was read, counted when nothing else was in flight on the host: robust to this
        # server's own scheduling delays (they can only make it larger)
        self.last_end: float | None = None
        self.min_idle_gap: float | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "not_modified": self.not_modified,
            "bytes_sent": self.bytes,
            "max_in_flight": self.max_in_flight,
            "max_connections": self.max_connections,
            "min_interval_seconds": self.min_interval,
            "min_idle_gap_seconds": self.min_idle_gap,
        }


class _Server:
    def __init__(self, corpus: Corpus, first_ip: str, latency: float) -> None:
        self.corpus = corpus
        self.latency = latency
        self.connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.open_per_host: dict[str, int] = {}
        self.first_ip = first_ip
        self.feed_docs = [corpus.feed_document(f) for f in range(corpus.feeds)]
        self.pages: OrderedDict[int, _Doc] = OrderedDict()
        self.stats: dict[str, _HostStats] = {}
        self.robots = _doc(b"User-agent: *\nAllow: /\n", "text/plain", EPOCH, 6)
        self._date = b""
        self._date_at = 0.0

    def date(self) -> bytes:
        now = time.time()
        if now - self._date_at >= 1.0:
            self._date_at = now
            self._date = format_datetime(datetime.now(UTC), usegmt=True).encode()
        return self._date

    def page_doc(self, index: int) -> _Doc:
        found = self.pages.get(index)
        if found is None:
            found = self.corpus.page_document(index)
            self.pages[index] = found
            if len(self.pages) > PAGE_CACHE:
                self.pages.popitem(last=False)
        return found

    def route(self, path: bytes, ip: str) -> _Doc | None:
        match = _FEED.match(path)
        if match:
            feed = int(match.group(1))
            ok = feed < self.corpus.feeds and host_ip(feed % self.corpus.hosts) == ip
            return self.feed_docs[feed] if ok else None
        match = _ARTICLE.match(path)
        if match:
            feed, index = int(match.group(1)), int(match.group(2))
            total = self.corpus.feeds * self.corpus.items
            ok = index < total and index // self.corpus.items == feed
            return self.page_doc(index) if ok and host_ip(feed % self.corpus.hosts) == ip else None
        return self.robots if path == b"/robots.txt" else None

    def stats_json(self) -> bytes:
        hosts = {ip: s.as_dict() for ip, s in sorted(self.stats.items())}
        total = sum(s.requests for s in self.stats.values())
        return json.dumps({"requests": total, "hosts": hosts}).encode()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        ip = writer.get_extra_info("sockname")[0]
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()
        assert task is not None
        self.connections[task] = writer
        self.open_per_host[ip] = self.open_per_host.get(ip, 0) + 1
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                    return
                lines = head.split(b"\r\n")
                parts = lines[0].split(b" ")
                if len(parts) != 3:
                    writer.write(
                        b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n"
                        b"Connection: close\r\n\r\n"
                    )
                    return
                method, target, version = parts
                headers: dict[bytes, bytes] = {}
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    if name:
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get(b"content-length", b"0") or 0)
                if length:
                    await reader.readexactly(length)
                close = (
                    version == b"HTTP/1.0" or headers.get(b"connection", b"").lower() == b"close"
                )
                path, _, query = target.partition(b"?")
                if path == b"/__stats" and ip == self.first_ip:
                    if b"reset=1" in query:
                        self.stats.clear()
                    body = self.stats_json()
                    writer.write(
                        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                        b"Content-Length: %d\r\n\r\n%b" % (len(body), body)
                    )
                    await writer.drain()
                    if close:
                        return
                    continue
                stats = self.stats.get(ip)
                if stats is None:
                    stats = self.stats[ip] = _HostStats()
                stats.max_connections = max(stats.max_connections, self.open_per_host[ip])
                started = loop.time()
                if stats.last_start is not None:
                    gap = started - stats.last_start
                    if stats.min_interval is None or gap < stats.min_interval:
                        stats.min_interval = gap
                stats.last_start = started
                if stats.in_flight == 0 and stats.last_end is not None:
                    idle = started - stats.last_end
                    if stats.min_idle_gap is None or idle < stats.min_idle_gap:
                        stats.min_idle_gap = idle
                stats.requests += 1
                stats.in_flight += 1
                stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
                try:
                    if self.latency:
                        await asyncio.sleep(self.latency)
                    response = self.respond(method, path, headers, ip, stats)
                    stats.bytes += len(response)
                    stats.last_end = loop.time()
                    writer.write(response)
                    await writer.drain()
                finally:
                    stats.in_flight -= 1
                if close:
                    return
        finally:
            self.connections.pop(task, None)
            self.open_per_host[ip] -= 1
            writer.close()

    def respond(
        self, method: bytes, path: bytes, headers: dict[bytes, bytes], ip: str, stats: _HostStats
    ) -> bytes:
        if method not in (b"GET", b"HEAD"):
            return (
                b"HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\nContent-Length: 0\r\n\r\n"
            )
        doc = self.route(path, ip)
        if doc is None:
            return (
                b"HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\n"
                b"Content-Length: 9\r\n\r\nnot found"
            )
        zipped = b"gzip" in headers.get(b"accept-encoding", b"")
        etag = b'"%b-gzip"' % doc.etag if zipped else b'"%b"' % doc.etag
        inm = headers.get(b"if-none-match")
        if inm is not None and doc.etag in inm:
            stats.not_modified += 1
            return (
                b"HTTP/1.1 304 Not Modified\r\nDate: %b\r\nETag: %b\r\n"
                b"Last-Modified: %b\r\n\r\n" % (self.date(), etag, doc.last_modified)
            )
        body = doc.gz if zipped else doc.body
        encoding = b"Content-Encoding: gzip\r\n" if zipped else b""
        head = (
            b"HTTP/1.1 200 OK\r\nDate: %b\r\nContent-Type: %b\r\nContent-Length: %d\r\n"
            b"%bETag: %b\r\nLast-Modified: %b\r\nVary: Accept-Encoding\r\n\r\n"
            % (self.date(), doc.content_type, len(body), encoding, etag, doc.last_modified)
        )
        return head if method == b"HEAD" else head + body


def _bind(ips: list[str], port: int) -> list[socket.socket]:
    """Listening sockets on every address, all on one port (picked from the first if 0)."""
    for _attempt in range(50):
        socks: list[socket.socket] = []
        try:
            chosen = port
            for ip in ips:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                socks.append(sock)
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                sock.bind((ip, chosen))
                sock.listen(1024)
                sock.setblocking(False)
                chosen = sock.getsockname()[1]
            return socks
        except OSError:
            for sock in socks:
                sock.close()
            if port:
                raise
    raise OSError("no free port on all loopback addresses")


async def _serve(config: dict[str, int]) -> None:
    ips = [host_ip(h) for h in range(config["hosts"])]
    socks = _bind(ips, config["port"])
    port = socks[0].getsockname()[1]
    corpus = Corpus(config["feeds"], config["items"], config["hosts"], config["seed"], port)
    server = _Server(corpus, ips[0], config.get("latency_ms", 0) / 1000)
    servers = [await asyncio.start_server(server.handle, sock=s, backlog=1024) for s in socks]
    loop = asyncio.get_running_loop()
    stop = loop.create_future()

    def on_stdin() -> None:  # the parent closes our stdin (or dies): time to go
        if not os.read(sys.stdin.fileno(), 4096) and not stop.done():
            stop.set_result(None)

    loop.add_reader(sys.stdin.fileno(), on_stdin)
    sys.stdout.write(f"ready {port}\n")
    sys.stdout.flush()
    await stop
    loop.remove_reader(sys.stdin.fileno())
    for srv in servers:
        srv.close()
    for writer in list(server.connections.values()):
        writer.close()  # the handlers see EOF and return on their own
    if server.connections:
        await asyncio.wait(list(server.connections), timeout=5)
    for srv in servers:
        await srv.wait_closed()


# --- the parent-side handle ------------------------------------------------------------------


class BenchCorpus:
    """Generate and serve a benchmark corpus from a separate process.

    The server is started as ``python -m bench.corpus CONFIG`` (a subprocess rather than
    ``multiprocessing``, so benchmark scripts need no ``if __name__ == "__main__"`` guard).
    """

    def __init__(
        self,
        feeds: int = 500,
        items: int = 50,
        hosts: int = 100,
        seed: int = 1,
        *,
        port: int = 0,
        latency_ms: int = 0,
    ) -> None:
        """``latency_ms`` delays every response (a real server's think time), which also makes
        ``max_in_flight`` meaningful: with zero latency a response leaves before the next
        request on another connection is parsed."""
        if not 1 <= hosts <= 254 * 254:
            raise ValueError("hosts must be between 1 and 64516")
        self.config = {
            "feeds": feeds,
            "items": items,
            "hosts": hosts,
            "seed": seed,
            "port": port,
            "latency_ms": latency_ms,
        }
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._corpus: Corpus | None = None

    def start(self, timeout: float = 300.0) -> None:
        """Start the server process; returns once every address accepts connections."""
        if self._process is not None:
            return
        root = str(Path(__file__).resolve().parent.parent)
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
        process = subprocess.Popen(
            [sys.executable, "-m", "bench.corpus", json.dumps(self.config)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            cwd=root,
        )
        self._process = process
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], timeout)
        line = process.stdout.readline() if ready else b""
        if not line.startswith(b"ready "):
            self.stop()
            raise RuntimeError("bench corpus server did not start (see its stderr)")
        self.port = int(line.split()[1])
        c = self.config
        self._corpus = Corpus(c["feeds"], c["items"], c["hosts"], c["seed"], self.port)

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.terminate()
            process.wait(5)
        if process.stdout is not None:
            process.stdout.close()

    def __enter__(self) -> BenchCorpus:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def corpus(self) -> Corpus:
        if self._corpus is None:
            raise RuntimeError("start() the corpus first")
        return self._corpus

    def hosts(self) -> list[str]:
        return [host_ip(h) for h in range(self.config["hosts"])]

    def feed_urls(self) -> list[str]:
        return [self.corpus.feed_url(f) for f in range(self.corpus.feeds)]

    def article_urls(self) -> list[str]:
        c = self.corpus
        return [c.article_url(i) for i in range(c.feeds * c.items)]

    def page_bytes(self) -> Iterator[tuple[str, bytes]]:
        """Every article page as served (uncompressed), for extract-only ceilings."""
        c = self.corpus
        for index in range(c.feeds * c.items):
            yield c.article_url(index), c.page(index)

    def _stats_url(self, query: str = "") -> str:
        return f"http://{host_ip(0)}:{self.port}/__stats{query}"

    def stats(self) -> dict[str, Any]:
        """``{"requests": n, "hosts": {ip: {requests, not_modified, bytes_sent, max_in_flight,
        max_connections, min_interval_seconds}}}`` for every host that was asked something."""
        with urllib.request.urlopen(self._stats_url(), timeout=10) as response:
            data: dict[str, Any] = json.loads(response.read())
        return data

    def reset_stats(self) -> None:
        with urllib.request.urlopen(self._stats_url("?reset=1"), timeout=10) as response:
            response.read()


def main(argv: list[str] | None = None) -> None:
    """``python -m bench.corpus '{"feeds": 500, ...}'``: serve until stdin closes."""
    args = sys.argv[1:] if argv is None else argv
    config = {"feeds": 500, "items": 50, "hosts": 100, "seed": 1, "port": 0, "latency_ms": 0}
    if args:
        config.update(json.loads(args[0]))
    asyncio.run(_serve(config))


if __name__ == "__main__":
    main()
