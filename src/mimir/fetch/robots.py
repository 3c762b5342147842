"""robots.txt: fetched through the Fetcher, parsed with Protego, cached per origin.

What an answer means (our choice, aimed at being polite without losing news to a flaky server):

* 2xx: the rules, kept for ``settings.robots_cache_seconds``.
* 4xx (404, 401, 403, 410 ...): there are no rules, allow everything (as Google and RFC 9309 do).
* 5xx, 429, network errors, timeouts, oversized files: the server is unreliable right now. RFC 9309
  and Google treat that as "disallow all" for a while; we keep the LAST GOOD rules if we have
  them and otherwise allow, and ask again after ``RETRY_SECONDS`` (not the full cache time).
  This stays polite because the same failure already slows us down: a 429/503 Retry-After blocks
  the host in HostPoliteness, and page fetches to a failing server fail and back off.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from protego import Protego

from mimir.config import Settings
from mimir.errors import FetchError, HTTPStatusError
from mimir.fetch.urls import origin as origin_of
from mimir.model import FetchResponse

ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB
RETRY_SECONDS = 300.0
MAX_ORIGINS = 10_000


class RobotsFetch(Protocol):
    """The fetch function robots.txt is read with (``Fetcher.fetch``)."""

    async def __call__(
        self, url: str, *, accept: str | None = ..., max_bytes: int | None = ...
    ) -> FetchResponse: ...


@dataclass(slots=True, frozen=True)
class RobotsRules:
    """One origin's parsed robots.txt (``parser`` None: allow everything)."""

    parser: Protego | None
    expires_at: float
    good: bool  # from a 2xx (worth keeping when a later fetch fails)


class RobotsCache:
    """``await robots.allowed(url)``; ``robots.crawl_delay(origin)``."""

    def __init__(
        self,
        settings: Settings,
        fetch: RobotsFetch | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_origins: int = MAX_ORIGINS,
    ) -> None:
        self.fetch = fetch
        self.cache_seconds = float(settings.robots_cache_seconds)
        self.retry_seconds = min(RETRY_SECONDS, self.cache_seconds)
        match = re.match(r"[^/\s]+", settings.user_agent)
        self.agent = match.group(0) if match else settings.user_agent  # product token: "Mimir"
        self._clock = clock
        self._max = max_origins
        self._rules: OrderedDict[str, RobotsRules] = OrderedDict()
        self._pending: dict[str, asyncio.Task[RobotsRules]] = {}

    def attach(self, fetch: RobotsFetch) -> None:
        """Give the cache its fetch function (the Fetcher does this for itself)."""
        self.fetch = fetch

    async def allowed(self, url: str) -> bool:
        """May our User-Agent fetch ``url``?"""
        rules = await self.rules(origin_of(url))
        return rules.parser is None or rules.parser.can_fetch(url, self.agent)

    def crawl_delay(self, origin: str) -> float | None:
        """Seconds between requests the cached rules ask for (crawl-delay or request-rate)."""
        rules = self._rules.get(origin_of(origin))
        if rules is None or rules.parser is None:
            return None
        delay = rules.parser.crawl_delay(self.agent)
        rate = rules.parser.request_rate(self.agent)
        if rate is not None and rate.requests > 0:
            per_request = rate.seconds / rate.requests
            delay = max(delay or 0.0, per_request)
        return float(delay) if delay else None

    async def rules(self, origin: str) -> RobotsRules:
        """The cached rules for ``origin``, fetched when missing or expired."""
        cached = self._rules.get(origin)
        if cached is not None and cached.expires_at > self._clock():
            return cached
        task = self._pending.get(origin)
        if task is None:
            task = asyncio.ensure_future(self._load(origin, cached))
            self._pending[origin] = task
            task.add_done_callback(lambda _: self._pending.pop(origin, None))
        return await asyncio.shield(task)

    async def _load(self, origin: str, previous: RobotsRules | None) -> RobotsRules:
        if self.fetch is None:
            raise RuntimeError("RobotsCache has no fetch function; call attach()")
        now = self._clock()
        try:
            response = await self.fetch(
                f"{origin}/robots.txt", accept="text/plain, */*", max_bytes=ROBOTS_MAX_BYTES
            )
        except HTTPStatusError as exc:
            if 400 <= exc.status_code < 500 and exc.status_code != 429:
                rules = RobotsRules(None, now + self.cache_seconds, good=True)
            else:
                rules = self._unreachable(previous, now)
        except FetchError:
            rules = self._unreachable(previous, now)
        else:
            text = response.body.decode("utf-8", errors="replace").lstrip("\ufeff")
            rules = RobotsRules(Protego.parse(text), now + self.cache_seconds, good=True)
        self._store(origin, rules)
        return rules

    def _unreachable(self, previous: RobotsRules | None, now: float) -> RobotsRules:
        keep = previous if previous is not None and previous.good else None
        parser = keep.parser if keep else None
        return RobotsRules(parser, now + self.retry_seconds, good=keep is not None)

    def _store(self, origin: str, rules: RobotsRules) -> None:
        self._rules[origin] = rules
        self._rules.move_to_end(origin)
        while len(self._rules) > self._max:
            self._rules.popitem(last=False)
