"""The SSRF guard: a table of addresses, and the guarded backend on real connections."""

from __future__ import annotations

import ipaddress

import pytest

from mimir.config import Settings
from mimir.errors import BlockedAddress, DNSError
from mimir.fetch import Fetcher, GuardedResolver, check_literal, is_blocked
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio

LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"),)

BLOCKED = [
    ("127.0.0.1", "loopback"),
    ("127.8.9.10", "loopback"),
    ("::1", "loopback"),
    ("::ffff:127.0.0.1", "loopback"),
    ("0.0.0.0", "unspecified"),
    ("::", "unspecified"),
    ("10.1.2.3", "private"),
    ("172.16.0.1", "private"),
    ("172.31.255.255", "private"),
    ("192.168.1.1", "private"),
    ("::ffff:10.0.0.1", "private"),
    ("::ffff:192.168.0.1", "private"),
    ("fc00::1", "private"),
    ("fd12:3456::1", "private"),
    ("100.64.0.1", "carrier-grade NAT"),
    ("100.127.255.254", "carrier-grade NAT"),
    ("169.254.1.1", "link-local"),
    ("fe80::1", "link-local"),
    ("224.0.0.1", "multicast"),
    ("ff02::1", "multicast"),
    ("240.0.0.1", "reserved"),
    ("255.255.255.255", "reserved"),
    ("169.254.169.254", "metadata"),
    ("::ffff:169.254.169.254", "metadata"),
    ("fd00:ec2::254", "metadata"),
    ("100.100.100.200", "metadata"),
    ("192.0.2.1", "not a global"),  # documentation
    ("198.18.0.1", "not a global"),  # benchmarking
    ("2002:a00:1::1", "private"),  # 6to4 wrapping 10.0.0.1
    ("64:ff9b::7f00:1", "loopback"),  # NAT64 wrapping 127.0.0.1
    ("::127.0.0.1", "loopback"),  # IPv4-compatible
]

ALLOWED = [
    "93.184.216.34",
    "8.8.8.8",
    "1.1.1.1",
    "2606:2800:220:1:248:1893:25c8:1946",
    "::ffff:8.8.8.8",
]


@pytest.mark.parametrize(("address", "reason"), BLOCKED)
def test_blocked_addresses(address: str, reason: str) -> None:
    result = is_blocked(address, ())
    assert result is not None and reason in result


@pytest.mark.parametrize("address", ALLOWED)
def test_public_addresses_pass(address: str) -> None:
    assert is_blocked(address, ()) is None
    assert is_blocked(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize("address", ["127.0.0.1", "::ffff:127.0.0.1", "127.1.1.1"])
def test_allowed_networks_open_the_guard(address: str) -> None:
    assert is_blocked(address, LOOPBACK) is None


def test_allow_list_is_narrow() -> None:
    assert is_blocked("10.0.0.1", LOOPBACK) == "private"
    assert is_blocked("::1", LOOPBACK) == "loopback"  # IPv6 loopback is not in 127/8
    assert is_blocked("169.254.169.254", (ipaddress.ip_network("169.254.169.254/32"),)) is None


async def test_backend_refuses_before_connecting() -> None:
    resolver = GuardedResolver(())
    with pytest.raises(BlockedAddress, match=r"localhost resolves to .*loopback"):
        await resolver.resolve("localhost", 80)


def test_ip_literals_are_checked() -> None:
    with pytest.raises(BlockedAddress, match="loopback"):
        check_literal("127.0.0.1", ())
    with pytest.raises(BlockedAddress):
        check_literal("[::ffff:10.0.0.1]", ())
    check_literal("93.184.216.34", ())  # public: fine
    check_literal("example.com", ())  # a name: the resolver's job


async def test_backend_dns_failure() -> None:
    with pytest.raises(DNSError, match=r"nonexistent\.invalid"):
        await GuardedResolver(()).resolve("nonexistent.invalid", 80)


async def test_default_settings_refuse_loopback(web: FixtureWeb) -> None:
    web.route("/", "secret")
    async with Fetcher(Settings(database_url="sqlite://")) as fetcher:
        with pytest.raises(BlockedAddress, match=r"127\.0\.0\.1"):
            await fetcher.fetch(web.url("/"))
        with pytest.raises(BlockedAddress):
            await fetcher.fetch(f"http://[::ffff:127.0.0.1]:{web.port}/")
    assert web.hits("/") == 0


@pytest.mark.parametrize(
    "target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]:80/"]
)
async def test_redirect_to_blocked_address(web: FixtureWeb, target: str) -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(BlockedAddress):
            await fetcher.fetch(web.url(f"/misbehave/redirect-to?url={target}"))
    assert web.hits("/misbehave/redirect-to") == 1


async def test_dns_failure_through_fetcher() -> None:
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(DNSError) as caught:
            await fetcher.fetch("http://nonexistent.invalid/feed.xml")
    assert caught.value.code == "dns_error"
    assert caught.value.counts_against_source
