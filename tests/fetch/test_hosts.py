"""HostPoliteness: interval, concurrency, cool-downs, bounded state; and under real fetches."""

from __future__ import annotations

import itertools
import time

import anyio
import pytest

from mimir.fetch import Fetcher, HostPoliteness, Politeness
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_is_a_politeness() -> None:
    limiter: Politeness = HostPoliteness(1.0, 2)
    assert isinstance(limiter, HostPoliteness)
    with pytest.raises(ValueError):
        HostPoliteness(1.0, 0)


def test_block_and_remaining() -> None:
    clock = FakeClock()
    limiter = HostPoliteness(0, 1, clock=clock)
    assert limiter.retry_after_remaining("a:80") == 0
    limiter.block("a:80", 10)
    assert limiter.retry_after_remaining("a:80") == 10
    clock.now += 4
    assert limiter.retry_after_remaining("a:80") == 6
    limiter.block("a:80", 1)  # a shorter block never shortens a longer one
    assert limiter.retry_after_remaining("a:80") == 6
    clock.now += 7
    assert limiter.retry_after_remaining("a:80") == 0
    assert limiter.retry_after_remaining("b:80") == 0


def test_crawl_delay_only_raises_the_interval() -> None:
    limiter = HostPoliteness(1.0, 1)
    limiter.set_min_interval("a:80", 5)
    limiter.set_min_interval("b:80", 0.1)
    assert limiter.interval("a:80") == 5
    assert limiter.interval("b:80") == 1.0
    assert limiter.interval("c:80") == 1.0


async def test_idle_hosts_are_dropped() -> None:
    clock = FakeClock()
    limiter = HostPoliteness(1.0, 2, clock=clock)
    for i in range(3000):  # each host once: no waiting even with the fake clock
        async with limiter.slot(f"host{i}:443"):
            pass
    assert len(limiter) == 3000  # their intervals have not passed yet
    clock.now += 2
    for i in range(3000, 13000):
        async with limiter.slot(f"host{i}:443"):
            pass
        if i % 100 == 0:
            clock.now += 2
    assert len(limiter) <= 2 * 1024


async def test_blocked_hosts_are_kept() -> None:
    clock = FakeClock()
    limiter = HostPoliteness(0, 2, clock=clock)
    limiter.block("slow:80", 3600)
    for i in range(5000):
        async with limiter.slot(f"h{i}:80"):
            pass
    assert limiter.retry_after_remaining("slow:80") == 3600


async def test_min_interval_between_starts() -> None:
    limiter = HostPoliteness(0.25, 4)
    starts: list[float] = []

    async def one() -> None:
        async with limiter.slot("a:80"):
            starts.append(time.monotonic())

    async with anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(one)
    gaps = [b - a for a, b in itertools.pairwise(starts)]
    assert len(gaps) == 3 and min(gaps) >= 0.2


async def test_other_hosts_do_not_wait() -> None:
    limiter = HostPoliteness(30, 1)
    async with limiter.slot("a:80"):
        pass
    with anyio.fail_after(5):
        async with limiter.slot("b:80"):
            pass


async def test_fetches_respect_concurrency(web: FixtureWeb) -> None:
    web.route("/slow", "ok", delay=0.3)
    settings = make_settings(per_host_concurrency=2, per_host_interval_seconds=0)
    async with Fetcher(settings) as fetcher, anyio.create_task_group() as tg:
        for _ in range(6):
            tg.start_soon(fetcher.fetch, web.url("/slow"))
    assert web.hits("/slow") == 6
    assert web.max_in_flight == 2


async def test_fetches_respect_min_interval(web: FixtureWeb) -> None:
    web.route("/page", "ok")
    settings = make_settings(per_host_concurrency=4, per_host_interval_seconds=0.3)
    async with Fetcher(settings) as fetcher, anyio.create_task_group() as tg:
        for _ in range(4):
            tg.start_soon(fetcher.fetch, web.url("/page"))
    spacing = web.min_spacing("/page")
    assert web.hits("/page") == 4
    assert spacing is not None and spacing >= 0.2


async def test_redirect_hops_go_through_politeness(web: FixtureWeb) -> None:
    settings = make_settings(per_host_interval_seconds=0.3)
    async with Fetcher(settings) as fetcher:
        await fetcher.fetch(web.url("/misbehave/redirect-chain?n=2"))
    spacing = web.min_spacing()
    assert spacing is not None and spacing >= 0.2
