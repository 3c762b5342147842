"""Per-host politeness: a minimum interval between requests, a concurrency cap, cool-downs.

The interval runs from the later of the previous request's start and its end, so the server
never sees two requests closer than the interval (a start-only rule can be undercut by event
loop or network delays of the earlier request).

State is per ``host:port`` key and per process. Idle hosts are dropped, so memory follows the
number of hosts in use, not the number ever seen. A Redis-backed limiter shared by several
workers can implement the same :class:`Politeness` protocol.
"""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from typing import Protocol

MAX_INTERVAL_OVERRIDES = 50_000


class Politeness(Protocol):
    """What the Fetcher needs from a per-host limiter."""

    def slot(self, host: str) -> AbstractAsyncContextManager[None]: ...

    def block(self, host: str, seconds: float) -> None: ...

    def retry_after_remaining(self, host: str) -> float: ...

    def set_min_interval(self, host: str, seconds: float) -> None: ...


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    serial: asyncio.Lock = field(default_factory=asyncio.Lock)
    start_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    users: int = 0  # holding or waiting for a slot
    last_start: float = float("-inf")
    blocked_until: float = 0.0


class HostPoliteness:
    """In-process limiter: ``async with politeness.slot(host): ...``."""

    def __init__(
        self,
        min_interval_seconds: float = 1.0,
        concurrency: int = 2,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be at least 1")
        self.min_interval_seconds = max(0.0, min_interval_seconds)
        self.concurrency = concurrency
        self._clock = clock
        self._hosts: dict[str, _Host] = {}
        self._intervals: OrderedDict[str, float] = OrderedDict()  # crawl-delay overrides (LRU)
        self._sweep_at = 1024

    def __len__(self) -> int:
        """Hosts with live state (for tests and metrics)."""
        return len(self._hosts)

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            if len(self._hosts) >= self._sweep_at:
                self._sweep()
            state = self._hosts[host] = _Host(asyncio.Semaphore(self.concurrency))
        return state

    def _sweep(self) -> None:
        """Drop idle hosts whose interval and cool-down have passed."""
        now = self._clock()
        for key, st in list(self._hosts.items()):
            if st.users == 0 and self._ready_at(key, st) <= now:
                del self._hosts[key]
        self._sweep_at = max(1024, 2 * len(self._hosts))

    def _ready_at(self, host: str, state: _Host) -> float:
        return max(state.last_start + self.interval(host), state.blocked_until)

    def interval(self, host: str) -> float:
        """The minimum seconds between request starts to ``host``."""
        return max(self.min_interval_seconds, self._intervals.get(host, 0.0))

    def set_min_interval(self, host: str, seconds: float) -> None:
        """Raise the interval for ``host`` (robots.txt crawl-delay); never below the default."""
        self._intervals[host] = max(0.0, seconds)
        self._intervals.move_to_end(host)
        while len(self._intervals) > MAX_INTERVAL_OVERRIDES:
            self._intervals.popitem(last=False)

    def block(self, host: str, seconds: float) -> None:
        """Make requests to ``host`` wait ``seconds`` from now (Retry-After)."""
        state = self._host(host)
        state.blocked_until = max(state.blocked_until, self._clock() + max(0.0, seconds))

    def retry_after_remaining(self, host: str) -> float:
        """Seconds left in ``host``'s cool-down (0 when none), so a caller can skip it."""
        state = self._hosts.get(host)
        return max(0.0, state.blocked_until - self._clock()) if state else 0.0

    @asynccontextmanager
    async def slot(self, host: str) -> AsyncIterator[None]:
        """Wait for a concurrency slot and for the interval since the last start."""
        state = self._host(host)
        state.users += 1
        try:
            # with an interval, one request at a time: an earlier request still in flight may
            # not have reached the server yet, so overlapping ones could arrive closer than the
            # interval; without one, up to `concurrency` at once
            async with state.slots if self.interval(host) <= 0 else state.serial:
                async with state.start_lock:
                    # a time-based wait, re-checked because block() may extend it meanwhile
                    while (wait := self._ready_at(host, state) - self._clock()) > 0:  # noqa: ASYNC110
                        await asyncio.sleep(wait)
                    state.last_start = self._clock()
                try:
                    yield
                finally:
                    # the interval also runs from the END of a request: the next one to this
                    # host cannot reach the server sooner than `interval` after this one did,
                    # whatever the event loop's or the network's delays
                    state.last_start = max(state.last_start, self._clock())
        finally:
            state.users -= 1
