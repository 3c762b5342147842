"""Servers that misbehave: slow, silent, truncating, resetting, bombing, flooding."""

from __future__ import annotations

import time
import tracemalloc

import pytest

from mimir.errors import BodyTooLarge, ConnectError, FetchTimeout
from mimir.fetch import Fetcher
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb
from tests.fixtureweb.handler import MIB, gzip_bomb

pytestmark = pytest.mark.anyio


async def test_drip_ends_at_the_total_deadline(web: FixtureWeb) -> None:
    # each byte arrives well within the read timeout; only the total deadline can stop this
    settings = make_settings(read_timeout_seconds=10, total_timeout_seconds=1.5)
    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        with pytest.raises(FetchTimeout) as caught:
            await fetcher.fetch(web.url("/misbehave/drip?bytes_per_second=50&total=100000"))
    assert time.monotonic() - started < 6
    assert caught.value.code == "timeout"


async def test_hang_ends_at_the_read_timeout(web: FixtureWeb) -> None:
    settings = make_settings(read_timeout_seconds=1, total_timeout_seconds=30)
    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.fetch(web.url("/misbehave/hang"))
    assert time.monotonic() - started < 10


async def test_hang_ends_at_the_total_deadline(web: FixtureWeb) -> None:
    settings = make_settings(read_timeout_seconds=30, total_timeout_seconds=1)
    started = time.monotonic()
    async with Fetcher(settings) as fetcher:
        with pytest.raises(FetchTimeout):
            await fetcher.fetch(web.url("/misbehave/hang"))
    assert time.monotonic() - started < 10


async def test_slow_route_within_deadline_is_fine(web: FixtureWeb) -> None:
    web.route("/slow", "ok", delay=0.3)
    async with Fetcher(make_settings(total_timeout_seconds=10)) as fetcher:
        assert (await fetcher.fetch(web.url("/slow"))).body == b"ok"


async def test_dropped_mid_body(web: FixtureWeb) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(ConnectError) as caught:
            await fetcher.fetch(web.url("/misbehave/drop"))
        # the pool recovers: the next request on a fresh connection works
        web.route("/after", "fine")
        assert (await fetcher.fetch(web.url("/after"))).body == b"fine"
    assert caught.value.code == "connect_error"
    assert caught.value.counts_against_source


async def test_connection_reset(web: FixtureWeb) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(ConnectError):
            await fetcher.fetch(web.url("/misbehave/reset"))


async def test_connection_refused() -> None:
    import socket

    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(ConnectError):
            await fetcher.fetch(f"http://127.0.0.1:{port}/")


async def test_gzip_bomb_stops_early_with_bounded_memory(web: FixtureWeb) -> None:
    bomb_mb = 200
    wire = gzip_bomb(bomb_mb)  # built before measuring (the server caches it)
    assert len(wire) < bomb_mb * MIB // 100
    cap = 1 * MIB
    async with Fetcher(make_settings(max_body_bytes=cap)) as fetcher:
        tracemalloc.start()
        started = time.monotonic()
        try:
            with pytest.raises(BodyTooLarge):
                await fetcher.fetch(web.url(f"/misbehave/gzip-bomb?mb={bomb_mb}"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert time.monotonic() - started < 10
    assert peak < 16 * MIB, f"peak {peak / MIB:.1f} MiB for a {bomb_mb} MiB bomb"


async def test_huge_body_with_content_length_is_refused_up_front(web: FixtureWeb) -> None:
    async with Fetcher(make_settings(max_body_bytes=MIB)) as fetcher:
        with pytest.raises(BodyTooLarge, match="Content-Length"):
            await fetcher.fetch(web.url("/misbehave/huge?mb=50"))


@pytest.mark.parametrize("variant", ["length=0", "chunked=1"])
async def test_huge_body_without_content_length(web: FixtureWeb, variant: str) -> None:
    async with Fetcher(make_settings(max_body_bytes=MIB)) as fetcher:
        tracemalloc.start()
        try:
            with pytest.raises(BodyTooLarge, match="exceeds"):
                await fetcher.fetch(web.url(f"/misbehave/huge?mb=50&{variant}"))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert peak < 16 * MIB


async def test_body_at_the_cap_is_accepted(web: FixtureWeb) -> None:
    async with Fetcher(make_settings(max_body_bytes=2 * MIB)) as fetcher:
        response = await fetcher.fetch(web.url("/misbehave/huge?mb=2&chunked=1"))
    assert len(response.body) == 2 * MIB
