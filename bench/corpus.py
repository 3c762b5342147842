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
# page sizes: log-normal around the median of real news pages (see _Filler), clipped
MEDIAN_PAGE_BYTES = 180_000
MIN_PAGE_BYTES = 80_000
MAX_PAGE_BYTES = 400_000
_ARTICLE = re.compile(rb"^/feed(\d+)/\d{4}/\d{2}/[a-z0-9-]+-(\d+)/$")
_FEED = re.compile(rb"^/feed(\d+)/feed\.rss$")


def host_ip(host: int) -> str:
    """The loopback address of host number ``host`` (0-based): 127.0.1.1, 127.0.1.2, ..."""
    return f"127.0.{1 + host // 254}.{1 + host % 254}"


_WORDS = (
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
    "newsroom",
    "operators",
    "encoders",
    "playout",
    "rights",
    "ratings",
    "5G",
)
_ICON = (
    '<svg class="icon" viewBox="0 0 24 24" aria-hidden="true"><path d="M12 2C6.48 2 2 6.48 2 12'
    's4.48 10 10 10 10-4.48 10-10S17.52 2 12 2zm1 15h-2v-6h2v6zm0-8h-2V7h2v2z"/>'
    '<path d="M7 10l5 5 5-5z"/></svg>'
)


@dataclass(frozen=True, slots=True)
class _Filler:
    """Site boilerplate, the same on every page of the corpus, cut to each page's size.

    Real article pages are mostly not the article: the nine news pages of trafilatura's test
    cache (Reuters, The Verge, Spiegel, Al Jazeera, DW, heise, Mercury News, SCMP, phys.org)
    weigh 82-382 KB, median 183 KB, of which the story is a few KB. The rest is what this
    reproduces: inline CSS, a mega-menu, teaser rails ("most read", "more from"), a footer
    link farm, inline SVG icons, and a client-side state blob.
    """

    css: str
    menu: str
    teasers: str
    footer: str
    state: str


def _filler() -> _Filler:
    rng = random.Random("bench-boilerplate")
    words = _WORDS

    def phrase(n: int) -> str:
        return " ".join(rng.choice(words) for _ in range(n))

    css = "".join(
        f".c-{i}{{margin:{i % 9}px {i % 5}px;padding:{i % 7}px;"
        f"color:#{i * 2654435761 % 0xFFFFFF:06x};font:{12 + i % 6}px/1.{i % 9} system-ui}}\n"
        for i in range(6000)
    )
    menu = "".join(
        f'<li class="mega-item"><a href="/topics/{rng.choice(words)}/{rng.choice(words)}-{i}/" '
        f'data-track="nav-{i}">{rng.choice(words).title()} &amp; {rng.choice(words)}</a></li>\n'
        for i in range(4000)
    )
    teasers = "".join(
        f'<div class="card card--{i % 4}"><a class="card__link" href="/{rng.choice(words)}/'
        f'{2025 + i % 2}/{1 + i % 12:02d}/{rng.choice(words)}-{rng.choice(words)}-{i}/">'
        f'<div class="card__media"><picture><source srcset="/img/{i}.webp" type="image/webp">'
        f'<img src="/img/{i}.jpg" alt="" loading="lazy" width="320" height="180"></picture></div>'
        f'<div class="card__body"><span class="card__kicker">{rng.choice(words).title()}</span>'
        f'<h3 class="card__title">{phrase(7).capitalize()}</h3>'
        f'<p class="card__dek">{phrase(16).capitalize()}.</p>'
        f'<time class="card__time" datetime="2026-01-{1 + i % 28:02d}">{1 + i % 23} hours ago'
        f"</time></div></a>{_ICON}</div>\n"
        for i in range(3000)
    )
    footer = "".join(
        f'<li><a href="/{rng.choice(words)}/{rng.choice(words)}/">{phrase(2).title()}</a></li>\n'
        for i in range(3000)
    )
    state = "".join(
        f'{{"id":{i},"slot":"ad-{rng.choice(words)}-{i}","sizes":[[300,250],[728,90]],'
        f'"targeting":{{"section":"{rng.choice(words)}","pos":{i % 7}}},"lazy":true}},\n'
        for i in range(12000)
    )
    return _Filler(css, menu, teasers, footer, state)


def _cut(text: str, size: int, end: str) -> str:
    """The first ``size`` characters of ``text``, ending after a whole ``end`` element."""
    if size <= 0:
        return ""
    piece = text[:size]
    at = piece.rfind(end)
    return piece[: at + len(end)] if at >= 0 else ""


@dataclass(frozen=True, slots=True)
class _Doc:
    body: bytes | None  # None: kept compressed only (article pages), inflated on demand
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
        self._filler = _filler()

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
        """Article page ``index``: the demo template inside a news site's real weight.

        Sizes are log-normal around 180 KB (80-400 KB); the boilerplate is split like a real
        page's: about 10 % inline CSS, 15 % menu, 20 % teaser rails, 10 % footer links and
        45 % client-side state (_Filler). Calibrated so extraction costs what the issue measured
        on real news pages (an extract-only ceiling of about 75-85 pages/s on 2 cores)."""
        feed = index // self.items
        rev = self.revision(index)
        first = feed * self.items
        related = [self.revision(i) for i in range(max(first, index - 4), index)]
        html = templates.render_article(self.base(feed), self.outlet(feed), rev, related)
        rng = random.Random(f"bench-size/{self.seed}/{index}")
        target = int(
            min(MAX_PAGE_BYTES, max(MIN_PAGE_BYTES, rng.lognormvariate(0, 0.4) * MEDIAN_PAGE_BYTES))
        )
        room = max(0, target - len(html.encode()) - 400)
        f = self._filler
        css = _cut(f.css, room // 10, "\n")
        menu = _cut(f.menu, room * 15 // 100, "</li>\n")
        teasers = _cut(f.teasers, room // 5, "</div>\n")
        footer = _cut(f.footer, room // 10, "</li>\n")
        state = _cut(f.state, room - len(css) - len(menu) - len(teasers) - len(footer), "},\n")
        html = html.replace("</head>", f"<style>\n{css}</style>\n</head>", 1)
        html = html.replace(
            "</header>", f'<nav class="mega-menu"><ul>\n{menu}</ul></nav>\n</header>', 1
        )
        html = html.replace(
            "</main>",
            f'<section class="rail most-read"><h2>Most read</h2>\n{teasers}</section>\n</main>',
            1,
        )
        html = html.replace(
            "</body>",
            f'<nav class="site-index"><ul>\n{footer}</ul></nav>\n'
            f"<script>window.__STATE__ = [\n{state}];</script>\n</body>",
            1,
        )
        return html.encode()

    def page_document(self, index: int) -> _Doc:
        body = self.page(index)
        doc = _doc(body, "text/html; charset=utf-8", self.revision(index).modified, 1)
        return _Doc(None, doc.gz, doc.etag, doc.last_modified, doc.content_type)


def _render_share(config: dict[str, int], share: range) -> list[_Doc]:
    c = Corpus(config["feeds"], config["items"], config["hosts"], config["seed"], config["port"])
    return [c.page_document(i) for i in share]


def render_pages(config: dict[str, int], processes: int | None = None) -> list[_Doc]:
    """Every article page, compressed, rendered in parallel before the server answers.

    Serving must cost the machine what a real web server costs, not the price of generating
    pages: the benchmark's server shares the CPU with what it measures.
    """
    from concurrent.futures import ProcessPoolExecutor
    from multiprocessing import get_context

    total = config["feeds"] * config["items"]
    step = 500
    shares = [range(i, min(i + step, total)) for i in range(0, total, step)]
    procs = processes or os.cpu_count() or 1
    if procs == 1 or total <= step:
        return [doc for share in shares for doc in _render_share(config, share)]
    with ProcessPoolExecutor(procs, mp_context=get_context("fork")) as pool:
        parts = pool.map(_render_share, [config] * len(shares), shares)
        return [doc for part in parts for doc in part]


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
    def __init__(self, corpus: Corpus, pages: list[_Doc], first_ip: str, latency: float) -> None:
        self.corpus = corpus
        self.latency = latency
        self.connections: dict[asyncio.Task[None], asyncio.StreamWriter] = {}
        self.open_per_host: dict[str, int] = {}
        self.first_ip = first_ip
        self.feed_docs = [corpus.feed_document(f) for f in range(corpus.feeds)]
        self.pages = pages
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
            return self.pages[index] if ok and host_ip(feed % self.corpus.hosts) == ip else None
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
        body = doc.gz if zipped else (doc.body or gzip.decompress(doc.gz))
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
    pages = render_pages(dict(config, port=port))
    server = _Server(corpus, pages, ips[0], config.get("latency_ms", 0) / 1000)
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
    def pid(self) -> int | None:
        """The server process (its CPU time is part of what the benchmark reports)."""
        return self._process.pid if self._process is not None else None

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
