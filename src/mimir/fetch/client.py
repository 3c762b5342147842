"""The Fetcher: one bounded, polite, SSRF-guarded HTTP GET at a time.

Each hop of a redirect chain goes through robots.txt (when asked), the per-host limiter and the
guarded network backend. Timeouts: connect and read from settings, plus a total deadline over
the network time of all hops, body included (politeness waits do not count against it).
"""

from __future__ import annotations

import asyncio
import importlib.util
import time
from dataclasses import dataclass
from types import TracebackType

import httpcore
import httpx

from mimir.config import Settings
from mimir.errors import (
    BodyTooLarge,
    ConfigError,
    ConnectError,
    DNSError,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    InvalidURL,
    NetworkDown,
    RateLimited,
    RobotsDenied,
    TooManyRedirects,
)
from mimir.fetch.body import ACCEPT_ENCODING, read_body
from mimir.fetch.hosts import HostPoliteness, Politeness
from mimir.fetch.network import NetworkMonitor
from mimir.fetch.robots import RobotsCache
from mimir.fetch.ssrf import GuardedBackend
from mimir.fetch.urls import host_key, origin, parse_retry_after, parse_url
from mimir.model import FetchResponse

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_COOLDOWN_WAIT_SECONDS = 5.0  # longer Retry-After cool-downs raise RateLimited at once
MAX_CRAWL_DELAY_SECONDS = 300.0  # a crawl-delay above this is honoured as this
DEFAULT_RETRY_AFTER_SECONDS = 60.0  # a 429 without a usable Retry-After


def http2_available() -> bool:
    return importlib.util.find_spec("h2") is not None


def build_transport(settings: Settings) -> httpx.AsyncHTTPTransport:
    """An httpx transport whose connections go through the SSRF-guarded backend."""
    transport = httpx.AsyncHTTPTransport(
        http2=settings.http2 and http2_available(),
        limits=httpx.Limits(max_connections=None, max_keepalive_connections=100),
        retries=0,
    )
    pool = transport._pool
    if not isinstance(pool, httpcore.AsyncConnectionPool) or not hasattr(pool, "_network_backend"):
        raise ConfigError(f"unsupported httpcore {httpcore.__version__}: cannot install SSRF guard")
    pool._network_backend = GuardedBackend(settings.allowed_networks)
    return transport


@dataclass(slots=True)
class _Hop:
    status: int
    headers: dict[str, str]
    body: bytes
    http_version: str
    location: str | None = None


class Fetcher:
    """``async with Fetcher(settings) as f: response = await f.fetch(url)``.

    ``politeness`` and ``robots`` may be shared between fetchers; a custom ``transport``
    replaces the SSRF-guarded one (guarding is then the caller's job).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        politeness: Politeness | None = None,
        robots: RobotsCache | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
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
            self.robots.attach(self.fetch)
        timeout = httpx.Timeout(
            settings.read_timeout_seconds,
            connect=settings.connect_timeout_seconds,
            pool=settings.connect_timeout_seconds,
        )
        self._client = httpx.AsyncClient(
            transport=build_transport(settings) if transport is None else transport,
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": ACCEPT_ENCODING},
            timeout=timeout,
            follow_redirects=False,
            trust_env=False,  # no proxies from the environment: they would bypass the guard
        )

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
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        check_robots: bool = False,
        accept: str | None = None,
        max_bytes: int | None = None,
    ) -> FetchResponse:
        """GET ``url``; a FetchResponse for 2xx/304, otherwise a FetchError subclass."""
        target = parse_url(url)
        headers = {"Accept": accept or "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        cap = max_bytes or self.settings.max_body_bytes
        budget = self.settings.total_timeout_seconds
        redirects: list[str] = []
        seen = {str(target.copy_with(fragment=None))}
        while True:
            if check_robots and self.settings.respect_robots_txt:
                await self._check_robots(target)
            started = time.monotonic()
            try:
                hop = await self._hop(target, headers, cap, budget)
            finally:
                budget -= time.monotonic() - started
            if hop.location is None:
                break
            following = self._next_url(target, hop.location)
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
    def _next_url(current: httpx.URL, location: str) -> httpx.URL:
        try:
            joined = current.join(location.strip())
        except (httpx.InvalidURL, ValueError) as exc:
            raise InvalidURL(f"{current}: bad redirect Location {location!r}") from exc
        return parse_url(joined.copy_with(fragment=None))

    async def _check_robots(self, url: httpx.URL) -> None:
        if not await self.robots.allowed(str(url)):
            raise RobotsDenied(f"{url}: disallowed by robots.txt")
        delay = self.robots.crawl_delay(origin(url))
        if delay:
            self.politeness.set_min_interval(host_key(url), min(delay, MAX_CRAWL_DELAY_SECONDS))

    async def _hop(self, url: httpx.URL, headers: dict[str, str], cap: int, budget: float) -> _Hop:
        """One request: politeness, the total deadline, errors mapped to FetchErrors."""
        host = host_key(url)
        cooling = self.politeness.retry_after_remaining(host)
        if cooling > MAX_COOLDOWN_WAIT_SECONDS:
            raise RateLimited(f"{host} is cooling down ({cooling:.0f} s left)", cooling)
        async with self.politeness.slot(host):
            try:
                async with asyncio.timeout(max(budget, 0.0)):
                    hop = await self._exchange(url, headers, cap)
            except TimeoutError as exc:
                raise FetchTimeout(f"{url}: no complete answer within the deadline") from exc
            except (DNSError, httpx.ConnectError) as exc:
                failure = self._connection_failed(url, exc)
                if failure is exc:
                    raise
                raise failure from exc
            except httpx.TimeoutException as exc:
                raise FetchTimeout(f"{url}: {type(exc).__name__}") from exc
            except httpx.UnsupportedProtocol as exc:
                raise InvalidURL(f"{url}: {exc}") from exc
            except httpx.TransportError as exc:  # reset, dropped mid-body, protocol errors
                detail = str(exc) or "connection reset or closed"
                raise ConnectError(f"{url}: {type(exc).__name__}: {detail}") from exc
            except httpx.HTTPError as exc:
                raise FetchError(f"{url}: {type(exc).__name__}: {exc}") from exc
        self.network.record_success(time.monotonic())
        return self._judge(url, hop)

    def _connection_failed(self, url: httpx.URL, exc: Exception) -> FetchError:
        """The error for a connection-level failure: NetworkDown when we look offline."""
        if isinstance(exc, FetchError):
            message = exc.message
        else:
            message = f"{url}: cannot connect: {exc or type(exc).__name__}"
        if self.network.record_failure(host_key(url), time.monotonic()):
            return NetworkDown(f"network looks down; {message}")
        return exc if isinstance(exc, FetchError) else ConnectError(message)

    async def _exchange(self, url: httpx.URL, headers: dict[str, str], cap: int) -> _Hop:
        request = self._client.build_request("GET", url, headers=headers)
        response = await self._client.send(request, stream=True)
        try:
            hop = _Hop(
                response.status_code,
                {k.lower(): v for k, v in response.headers.items()},
                b"",
                response.http_version,
            )
            if hop.status in REDIRECT_STATUSES and "location" in hop.headers:
                hop.location = hop.headers["location"]
            elif hop.status < 400 and hop.status not in (204, 304):
                length = hop.headers.get("content-length", "")
                if length.isdigit() and int(length) > cap:
                    raise BodyTooLarge(f"{url}: Content-Length {length} exceeds {cap} bytes")
                encoding = hop.headers.get("content-encoding", "")
                hop.body = await read_body(response.aiter_raw(), encoding, cap, str(url))
            return hop
        finally:
            await response.aclose()

    def _judge(self, url: httpx.URL, hop: _Hop) -> _Hop:
        """Raise for error statuses; note Retry-After cool-downs."""
        if hop.status < 400:
            return hop
        retry_after = parse_retry_after(hop.headers.get("retry-after"))
        if hop.status == 429 or (hop.status == 503 and retry_after is not None):
            seconds = DEFAULT_RETRY_AFTER_SECONDS if retry_after is None else retry_after
            self.politeness.block(host_key(url), seconds)
            raise RateLimited(f"{url}: HTTP {hop.status}, retry after {seconds:.0f} s", seconds)
        raise HTTPStatusError(f"{url}: HTTP {hop.status}", hop.status)
