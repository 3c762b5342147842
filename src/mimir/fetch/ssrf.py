"""SSRF guard: refuse non-public addresses, resolved by us and checked at connect time.

The guarded network backend resolves the host itself, vets EVERY address, then connects to a
vetted IP, so a DNS answer that changes between check and connect (rebinding) cannot slip past.
TLS still verifies and sends SNI for the host name: httpcore passes it to ``start_tls``.
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from collections.abc import Iterable, Sequence

import httpcore

from mimir.errors import BlockedAddress, DNSError

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

_METADATA = {
    ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254", "100.100.100.200")
}
# (network, reason), checked in order; anything else that is not global is refused too.
_BLOCKED: tuple[tuple[IPNetwork, str], ...] = tuple(
    (ipaddress.ip_network(net), reason)
    for net, reason in (
        ("0.0.0.0/8", "unspecified"),
        ("127.0.0.0/8", "loopback"),
        ("10.0.0.0/8", "private"),
        ("172.16.0.0/12", "private"),
        ("192.168.0.0/16", "private"),
        ("100.64.0.0/10", "carrier-grade NAT"),
        ("169.254.0.0/16", "link-local"),
        ("224.0.0.0/4", "multicast"),
        ("240.0.0.0/4", "reserved"),
        ("::/128", "unspecified"),
        ("::1/128", "loopback"),
        ("fc00::/7", "private (ULA)"),
        ("fe80::/10", "link-local"),
        ("ff00::/8", "multicast"),
    )
)
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


def _embedded_v4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 one carries (mapped, 6to4, NAT64, IPv4-compatible)."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    packed = int(ip)
    if ip in _NAT64 or (packed >> 32 == 0 and packed > 1):
        return ipaddress.IPv4Address(packed & 0xFFFFFFFF)
    return None


def _allowed(ip: IPAddress, allowed_networks: Iterable[IPNetwork]) -> bool:
    return any(ip.version == net.version and ip in net for net in allowed_networks)


def is_blocked(ip: str | IPAddress, allowed_networks: Iterable[IPNetwork] = ()) -> str | None:
    """Why ``ip`` may not be fetched from, or None when it may (public or explicitly allowed)."""
    addr = ipaddress.ip_address(ip) if isinstance(ip, str) else ip
    nets = tuple(allowed_networks)
    if _allowed(addr, nets):
        return None
    if isinstance(addr, ipaddress.IPv6Address):
        inner = _embedded_v4(addr)
        if inner is not None:
            if _allowed(inner, nets):
                return None
            reason = is_blocked(inner, nets)
            return f"{reason} (embedded in IPv6)" if reason else None
    if addr in _METADATA:
        return "cloud metadata address"
    for net, reason in _BLOCKED:
        if addr.version == net.version and addr in net:
            return reason
    if addr.is_reserved:
        return "reserved"
    if not addr.is_global:
        return "not a global address"
    return None


async def resolve(host: str, port: int, limit_seconds: float | None = None) -> list[str]:
    """All addresses ``host`` resolves to (DNSError when none, or too slow)."""
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(limit_seconds):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError as exc:
        raise DNSError(f"cannot resolve {host}: timed out") from exc
    except (OSError, UnicodeError) as exc:
        raise DNSError(f"cannot resolve {host}: {exc}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise DNSError(f"cannot resolve {host}: no addresses")
    return addresses


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """An httpcore backend that connects only to vetted addresses."""

    def __init__(
        self,
        allowed_networks: Sequence[IPNetwork] = (),
        inner: httpcore.AsyncNetworkBackend | None = None,
    ) -> None:
        self.allowed_networks = tuple(allowed_networks)
        self._inner = httpcore.AnyIOBackend() if inner is None else inner

    async def vet(self, host: str, port: int, limit_seconds: float | None = None) -> list[str]:
        """Resolve ``host`` and refuse it unless every address is allowed."""
        addresses = await resolve(host, port, limit_seconds)
        for address in addresses:
            reason = is_blocked(address, self.allowed_networks)
            if reason:
                raise BlockedAddress(f"{host} resolves to {address}: {reason}; refused")
        return addresses

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore interface
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = await self.vet(host, port, timeout)
        options = list(socket_options or ())
        last: Exception | None = None
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 - httpcore interface
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise BlockedAddress(f"unix socket {path}: refused")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)
