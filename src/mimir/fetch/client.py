"""The Fetcher: one bounded, polite, SSRF-guarded HTTP GET at a time.

Each hop of a redirect chain goes through robots.txt (when asked), the per-host limiter and the
guarded resolver. Timeouts: connect and read from settings, plus a total deadline over the
network time of all hops, body included (politeness waits do not count against it).

The HTTP engine is aiohttp (C-accelerated parser, an efficient connection pool): on 304
answers over 250 hosts it served 2,798 requests/s from one process where httpx served 223
(`python -m bench.http_clients`), and polling thousands of feeds is what Mimir does all day.
HTTP/2 is not used: one polite request at a time per host gains nothing from multiplexing.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
from dataclasses import dataclass
from types import TracebackType

import aiohttp
from yarl import URL

from mimir import metrics
from mimir.config import Settings
from mimir.errors import (
    BodyTooLarge,
    BotChallenge,
    ConnectError,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    NetworkDown,
    RateLimited,
    RobotsDenied,
    TLSError,
    TooManyRedirects,
)
from mimir.fetch.body import ACCEPT_ENCODING, read_body
from mimir.fetch.hosts import HostPoliteness, Politeness
from mimir.fetch.network import NetworkMonitor
from mimir.fetch.robots import RobotsCache
from mimir.fetch.ssrf import GuardedResolver, check_literal
from mimir.fetch.urls import host_key, origin, parse_retry_after, parse_url
from mimir.model import FetchResponse
from mimir.process.walls import CHALLENGE_MAX_BYTES, bot_wall, bot_wall_message, meta_refresh

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_COOLDOWN_WAIT_SECONDS = 5.0  # longer Retry-After cool-downs raise RateLimited at once
MAX_CRAWL_DELAY_SECONDS = 300.0  # a crawl-delay above this is honoured as this
DEFAULT_RETRY_AFTER_SECONDS = 60.0  # a 429 without a usable Retry-After
DRAIN_LIMIT_BYTES = 64 * 1024  # unwanted bodies up to this are read to keep the connection


@functools.cache
def ssl_context() -> ssl.SSLContext:
    """One verifying TLS context for every connection (loading the CA bundle costs ~50 ms)."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())


@dataclass(slots=True)
class _Hop:
    status: int
    headers: dict[str, str]
    body: bytes
    http_version: str
    location: str | None = None


class Fetcher:
    """``async with Fetcher(settings) as f: response = await f.fetch(url)``.

    ``politeness`` and ``robots`` may be shared between fetchers (a shared limiter keeps
    several fetchers polite together).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        politeness: Politeness | None = None,
        robots: RobotsCache | None = None,
        network: NetworkMonitor | None = None,
    ) -> None:
        self.settings = settings
        if politeness is None:
            politeness = HostPoliteness(
                settings.per_host_interval_seconds, settings.per_host_concurrency
            )
        self.politeness: Politeness = politeness
        self.network = NetworkMonitor() if network is None else network
        self.robots = RobotsCache(settings) if robots is None else robots
        if self.robots.fetch is None:
            self.robots.attach(functools.partial(self.fetch, kind="robots"))
        self._session: aiohttp.ClientSession | None = None
        self._timeout = aiohttp.ClientTimeout(
            total=None,
            sock_connect=settings.connect_timeout_seconds,
            sock_read=settings.read_timeout_seconds,
        )

    def _session_now(self) -> aiohttp.ClientSession:
        """The session, made on first use (aiohttp wants a running event loop)."""
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(
                    self.settings.allowed_networks, self.settings.connect_timeout_seconds
                ),
                limit=0,  # the per-host limiter decides, not the pool
                ssl=ssl_context(),
                ttl_dns_cache=60,
                keepalive_timeout=30,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={
                    "User-Agent": self.settings.user_agent,
                    "Accept-Encoding": ACCEPT_ENCODING,
                },
                auto_decompress=False,  # bodies are inflated by read_body, under the cap
                trust_env=False,  # no proxies from the environment: they would bypass the guard
                timeout=self._timeout,
                max_line_size=32 * 1024,  # long real-world headers (CSP, cookies)
                max_field_size=32 * 1024,
                cookie_jar=aiohttp.DummyCookieJar(),
            )
        return self._session

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = False,
        accept: str | None = None,
        max_bytes: int | None = None,
        kind: str = "feed",
    ) -> FetchResponse:
        """GET ``url``; a FetchResponse for 2xx/304, otherwise a FetchError subclass.

        ``kind`` (feed, page, robots) labels the fetch in the metrics (mimir_news_fetches)."""
        network = [0.0]  # time on the wire, every hop: the fetch's duration in the metrics
        try:
            response = await self._fetch(
                url, etag, last_modified, check_robots, accept, max_bytes, network
            )
        except Exception as exc:
            metrics.observe_fetch(kind, metrics.fetch_outcome(exc), network[0])
            raise
        metrics.observe_fetch(kind, metrics.fetch_outcome(None, response.status), network[0])
        return response

    async def _fetch(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        check_robots: bool,
        accept: str | None,
        max_bytes: int | None,
        network: list[float],
    ) -> FetchResponse:
        target = parse_url(url)
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = max_bytes or self.settings.max_body_bytes
        budget = self.settings.total_timeout_seconds
        redirects: list[str] = []
        seen = {str(target.with_fragment(None))}
        while True:
            if check_robots and self.settings.respect_robots_txt:
                await self._check_robots(target)
            started = time.monotonic()
            try:
                hop = await self._hop(target, headers, cap, budget, network)
            finally:
                budget -= time.monotonic() - started
            if hop.location is not None:
                following = self._next_url(target, hop.location)
            else:
                refresh = self._html_refresh(target, hop)
                if refresh is None:
                    break
                try:
                    following = self._next_url(target, refresh)
                except InvalidURL:
                    break  # a refresh to nowhere a browser goes (javascript:, mailto:): the page
                if following == target:
                    break  # a refresh to the page itself: a reload, not a way on
            redirects.append(str(following))
            if str(following) in seen:
                raise TooManyRedirects(f"{url}: redirect loop at {following}")
            if len(redirects) > self.settings.max_redirects:
                raise TooManyRedirects(f"{url}: more than {self.settings.max_redirects} redirects")
            seen.add(str(following))
            target = following
        return FetchResponse(
            url=str(target),
            status=hop.status,
            headers=hop.headers,
            body=hop.body,
            requested_url=url,
            redirects=redirects,
            elapsed_seconds=self.settings.total_timeout_seconds - budget,
            http_version=hop.http_version,
        )

    @staticmethod
    def _html_refresh(url: URL, hop: _Hop) -> str | None:
        """For an answer that ends the chain: refuse a bot challenge sent as a 200 HTML page
        (it is no feed and no article), and give the address a page sends the reader on to at
        once with a meta refresh (followed like a redirect), or None."""
        if "html" not in hop.headers.get("content-type", "html").lower():
            return None
        if len(hop.body) <= CHALLENGE_MAX_BYTES:
            _refuse_bot_wall(url, hop)
        return meta_refresh(hop.headers, hop.body) if hop.status == 200 else None

    @staticmethod
    def _next_url(current: URL, location: str) -> URL:
        try:
            joined = current.join(URL(location.strip()))
        except (TypeError, ValueError) as exc:
            raise InvalidURL(f"{current}: bad redirect Location {location!r}") from exc
        return parse_url(joined.with_fragment(None))

    async def _check_robots(self, url: URL) -> None:
        if not await self.robots.allowed(str(url)):
            raise RobotsDenied(f"{url}: disallowed by robots.txt")
        delay = self.robots.crawl_delay(origin(url))
        if delay:
            self.politeness.set_min_interval(host_key(url), min(delay, MAX_CRAWL_DELAY_SECONDS))

    async def _hop(
        self, url: URL, headers: dict[str, str], cap: int, budget: float, network: list[float]
    ) -> _Hop:
        """One request: politeness, the total deadline, errors mapped to FetchErrors; the time
        spent on the wire (after the politeness wait) is added to ``network[0]``."""
        host = host_key(url)
        check_literal(url.raw_host or "", self.settings.allowed_networks)
        cooling = self.politeness.retry_after_remaining(host)
        if cooling > MAX_COOLDOWN_WAIT_SECONDS:
            raise RateLimited(f"{host} is cooling down ({cooling:.0f} s left)", cooling)
        async with self.politeness.slot(host):
            started = time.perf_counter()
            try:
                async with asyncio.timeout(max(budget, 0.0)):
                    hop = await self._exchange(url, headers, cap)
            except TimeoutError as exc:  # the total deadline, or aiohttp's connect/read ones
                raise FetchTimeout(f"{url}: no complete answer within the deadline") from exc
            except DNSError as exc:
                raise self._connection_failed(url, exc) from exc
            except aiohttp.ClientConnectorDNSError as exc:
                raise self._connection_failed(url, DNSError(f"{url}: {exc}")) from exc
            except aiohttp.ClientSSLError as exc:  # the server answered: the network is up
                raise _tls_error(url, exc) from exc
            except aiohttp.ClientConnectorError as exc:
                raise self._connection_failed(url, exc) from exc
            except aiohttp.InvalidURL as exc:
                raise InvalidURL(f"{url}: {exc}") from exc
            except (
                aiohttp.ClientPayloadError,
                aiohttp.ServerDisconnectedError,
                aiohttp.ClientOSError,
                ConnectionError,
            ) as exc:
                detail = str(exc) or "connection reset or closed"
                raise ConnectError(f"{url}: {type(exc).__name__}: {detail}") from exc
            except aiohttp.ClientError as exc:  # malformed responses and the like
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
            finally:
                network[0] += time.perf_counter() - started
        self.network.record_success(time.monotonic())
        return self._judge(url, hop)

    def _connection_failed(self, url: URL, exc: Exception) -> FetchError:
        """The error for a connection-level failure: NetworkDown when we look offline."""
        if isinstance(exc, FetchError):
            message = exc.message
        else:
            message = f"{url}: cannot connect: {exc or type(exc).__name__}"
        if self.network.record_failure(host_key(url), time.monotonic()):
            return NetworkDown(f"network looks down; {message}")
        return exc if isinstance(exc, FetchError) else ConnectError(message)

    async def _exchange(self, url: URL, headers: dict[str, str], cap: int) -> _Hop:
        session = self._session_now()
        async with session.get(url, headers=headers, allow_redirects=False) as response:
            hop = _Hop(
                response.status,
                {k.lower(): v for k, v in response.headers.items()},
                b"",
                f"HTTP/{response.version.major}.{response.version.minor}"
                if response.version
                else "HTTP/1.1",
            )
            if hop.status in REDIRECT_STATUSES and "location" in hop.headers:
                hop.location = hop.headers["location"]
                await self._drain(response)
            elif hop.status < 400 and hop.status not in (204, 304):
                length = hop.headers.get("content-length", "")
                if length.isdigit() and int(length) > cap:
                    raise BodyTooLarge(f"{url}: Content-Length {length} exceeds {cap} bytes")
                encoding = hop.headers.get("content-encoding", "")
                chunks = response.content.iter_chunked(64 * 1024)
                hop.body = await read_body(chunks, encoding, cap, str(url))
            elif hop.status >= 400:  # an error page: read (small) to tell a bot challenge
                hop.body = await self._error_body(response, hop.headers, str(url))
            else:
                await self._drain(response)
            return hop

    async def _error_body(
        self, response: aiohttp.ClientResponse, headers: dict[str, str], url: str
    ) -> bytes:
        """An error page's body, decoded, when it is small enough to be a bot challenge
        (CHALLENGE_MAX_BYTES); b"" for a larger or broken one (the connection is then closed
        rather than drained)."""
        length = headers.get("content-length", "")
        if length.isdigit() and int(length) > CHALLENGE_MAX_BYTES:
            return b""
        chunks = response.content.iter_chunked(16 * 1024)
        try:
            encoding = headers.get("content-encoding", "")
            return await read_body(chunks, encoding, CHALLENGE_MAX_BYTES, url)
        except FetchError:
            return b""

    @staticmethod
    async def _drain(response: aiohttp.ClientResponse) -> None:
        """Read a small unwanted body (304, redirect, error page) to the end, so the
        connection goes back to the pool instead of being closed (keep-alive)."""
        length = response.headers.get("content-length", "")
        if length.isdigit() and int(length) > DRAIN_LIMIT_BYTES:
            return
        seen = 0
        async for chunk in response.content.iter_chunked(16 * 1024):
            seen += len(chunk)
            if seen > DRAIN_LIMIT_BYTES:
                return

    def _judge(self, url: URL, hop: _Hop) -> _Hop:
        """Raise for error statuses; note Retry-After cool-downs."""
        if hop.status < 400:
            return hop
        _refuse_bot_wall(url, hop)
        retry_after = parse_retry_after(hop.headers.get("retry-after"))
        if hop.status == 429 or (hop.status == 503 and retry_after is not None):
            seconds = DEFAULT_RETRY_AFTER_SECONDS if retry_after is None else retry_after
            self.politeness.block(host_key(url), seconds)
            raise RateLimited(f"{url}: HTTP {hop.status}, retry after {seconds:.0f} s", seconds)
        raise HTTPStatusError(f"{url}: HTTP {hop.status}", hop.status)


def _refuse_bot_wall(url: URL, hop: _Hop) -> None:
    """Raise BotChallenge when ``hop`` is a bot-protection service's challenge or block page."""
    service = bot_wall(hop.status, hop.headers, hop.body)
    if service is not None:
        message = f"{url}: {bot_wall_message(service, hop.status)}"
        raise BotChallenge(message, hop.status, service)


#: what a certificate failure usually means, by the words of OpenSSL's reason
_TLS_HINTS = (
    (
        "unable to get local issuer certificate",
        "the server does not send its intermediate certificate (browsers fetch it themselves; "
        "Mimir, like curl, does not): the site's operator should serve the full chain",
    ),
    ("certificate has expired", "the site's certificate has expired"),
    ("self-signed certificate", "the certificate is self-signed, trusted by no authority"),
    ("hostname mismatch", "the certificate is for another host name"),
    ("IP address mismatch", "the certificate is for another address"),
)


def _tls_error(url: URL, exc: aiohttp.ClientSSLError) -> TLSError:
    """A TLS failure with OpenSSL's reason and, for the usual ones, what it means."""
    cause = getattr(exc, "certificate_error", None) or getattr(exc, "os_error", None) or exc
    reason = getattr(cause, "verify_message", None) or getattr(cause, "reason", None) or str(cause)
    hint = next((h for key, h in _TLS_HINTS if key.lower() in str(reason).lower()), None)
    detail = f"{reason}: {hint}" if hint else str(reason)
    return TLSError(f"{url}: TLS certificate or handshake not accepted: {detail}")
