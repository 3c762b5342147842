"""429/503 with Retry-After: RateLimited, and the host cools down for the next call."""

from __future__ import annotations

import time

import pytest

from mimir.errors import HTTPStatusError, RateLimited
from mimir.fetch import Fetcher, HostPoliteness
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio


def host(web: FixtureWeb) -> str:
    return f"127.0.0.1:{web.port}"


async def test_429_with_seconds_blocks_the_host(web: FixtureWeb) -> None:
    web.route("/other", "ok")
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(web.url("/misbehave/retry-after?code=429&seconds=30"))
        assert caught.value.retry_after_seconds == 30
        assert caught.value.code == "rate_limited"
        assert 20 < fetcher.politeness.retry_after_remaining(host(web)) <= 30
        # the next call to the same host does not reach the server
        with pytest.raises(RateLimited, match="cooling down") as again:
            await fetcher.fetch(web.url("/other"))
    assert again.value.retry_after_seconds is not None and again.value.retry_after_seconds > 20
    assert web.hits("/other") == 0


async def test_retry_after_as_http_date(web: FixtureWeb) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(web.url("/misbehave/retry-after?code=429&seconds=120&date=1"))
    seconds = caught.value.retry_after_seconds
    assert seconds is not None and 100 < seconds <= 121


async def test_503_with_retry_after_is_rate_limited(web: FixtureWeb) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(web.url("/misbehave/retry-after?code=503&seconds=45"))
        assert caught.value.retry_after_seconds == 45
        assert fetcher.politeness.retry_after_remaining(host(web)) > 30


async def test_503_without_retry_after_is_a_status_error(web: FixtureWeb) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.fetch(web.url("/misbehave/status?code=503"))
        assert fetcher.politeness.retry_after_remaining(host(web)) == 0
    assert caught.value.code == "http_503"


async def test_429_without_retry_after_uses_a_default(web: FixtureWeb) -> None:
    web.route("/limited", "slow down", status=429)
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(web.url("/limited"))
    assert caught.value.retry_after_seconds == 60


async def test_absurd_retry_after_is_capped(web: FixtureWeb) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RateLimited) as caught:
            await fetcher.fetch(web.url("/misbehave/retry-after?seconds=99999999"))
    assert caught.value.retry_after_seconds == 24 * 3600


async def test_short_cool_down_is_waited_out(web: FixtureWeb) -> None:
    web.route("/page", "ok")
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RateLimited):
            await fetcher.fetch(web.url("/misbehave/retry-after?seconds=1"))
        started = time.monotonic()
        assert (await fetcher.fetch(web.url("/page"))).status == 200
    assert time.monotonic() - started >= 0.5


async def test_shared_politeness_across_fetchers(web: FixtureWeb) -> None:
    politeness = HostPoliteness(0, 2)
    web.route("/page", "ok")
    async with Fetcher(make_settings(), politeness=politeness) as first:
        with pytest.raises(RateLimited):
            await first.fetch(web.url("/misbehave/retry-after?seconds=600"))
    async with Fetcher(make_settings(), politeness=politeness) as second:
        with pytest.raises(RateLimited):
            await second.fetch(web.url("/page"))
    assert web.hits("/page") == 0
