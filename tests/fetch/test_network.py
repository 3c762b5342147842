"""Network-down detection: pure rules, then through the Fetcher."""

from __future__ import annotations

import socket

import pytest

from mimir.errors import ConnectError, NetworkDown
from mimir.fetch import Fetcher, NetworkMonitor, has_route
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb


def test_one_host_failing_is_not_an_outage() -> None:
    monitor = NetworkMonitor()
    for t in range(10):
        assert not monitor.record_failure("a:80", float(t))
    assert not monitor.is_down


def test_distinct_hosts_in_a_row_mean_down() -> None:
    monitor = NetworkMonitor(threshold_hosts=3)
    assert not monitor.record_failure("a:80", 1.0)
    assert not monitor.record_failure("b:80", 2.0)
    assert monitor.record_failure("c:80", 3.0)
    assert monitor.is_down and monitor.down_since == 3.0
    assert monitor.record_failure("a:80", 4.0)  # further failures stay "down"
    monitor.record_success(5.0)
    assert not monitor.is_down and monitor.last_success_at == 5.0
    assert not monitor.record_failure("d:80", 6.0)


def test_a_success_in_between_resets_the_count() -> None:
    monitor = NetworkMonitor(threshold_hosts=3)
    monitor.record_failure("a:80", 1.0)
    monitor.record_failure("b:80", 2.0)
    monitor.record_success(2.5)
    assert not monitor.record_failure("c:80", 3.0)
    assert not monitor.record_failure("d:80", 4.0)
    assert monitor.record_failure("e:80", 5.0)


def test_old_failures_leave_the_window() -> None:
    monitor = NetworkMonitor(threshold_hosts=3, window_seconds=60)
    monitor.record_failure("a:80", 0.0)
    monitor.record_failure("b:80", 10.0)
    assert not monitor.record_failure("c:80", 100.0)  # a and b are too old
    monitor.record_failure("d:80", 110.0)
    assert monitor.record_failure("e:80", 120.0)


def test_tunable_threshold() -> None:
    monitor = NetworkMonitor(threshold_hosts=1)
    assert monitor.record_failure("a:80", 0.0)


def test_has_route_returns_a_bool() -> None:
    assert isinstance(has_route(), bool)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.anyio
async def test_fetcher_reports_network_down(web: FixtureWeb) -> None:
    web.route("/ok", "ok")
    urls = [f"http://127.0.0.1:{closed_port()}/" for _ in range(4)]
    async with Fetcher(make_settings()) as fetcher:
        for url in urls[:2]:
            with pytest.raises(ConnectError):
                await fetcher.fetch(url)
        with pytest.raises(NetworkDown) as caught:
            await fetcher.fetch(urls[2])
        assert not caught.value.counts_against_source
        assert caught.value.code == "network_down"
        assert fetcher.network.is_down
        await fetcher.fetch(web.url("/ok"))  # one success: the network is back
        assert not fetcher.network.is_down
        with pytest.raises(ConnectError) as after:
            await fetcher.fetch(urls[3])
    assert not isinstance(after.value, NetworkDown)


@pytest.mark.anyio
async def test_dns_failures_count_as_connection_level() -> None:
    monitor = NetworkMonitor(threshold_hosts=2)
    async with Fetcher(make_settings(), network=monitor) as fetcher:
        with pytest.raises(Exception) as first:
            await fetcher.fetch("http://a.nonexistent.invalid/")
        with pytest.raises(NetworkDown):
            await fetcher.fetch("http://b.nonexistent.invalid/")
    assert first.value.__class__.__name__ == "DNSError"
