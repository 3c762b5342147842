"""SSRF guard: refuse non-public addresses, resolved by us and checked at connect time.

The guarded resolver resolves the host itself, vets EVERY address, and hands aiohttp only
vetted IPs to connect to, so a DNS answer that changes between check and connect (rebinding)
cannot slip past. TLS still verifies and sends SNI for the host name.
"""

from __future__ import annotations

import asyncio
import functools
import ipaddress
import socket
from collections.abc import Iterable, Sequence

from aiohttp.abc import AbstractResolver, ResolveResult

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


class GuardedResolver(AbstractResolver):
    """An aiohttp resolver that answers only with vetted addresses.

    aiohttp connects to exactly the addresses its resolver returns, so a DNS answer that
    changes between the check and the connection (rebinding) cannot slip past. Hosts given as
    IP literals never reach a resolver: the Fetcher checks those itself (`check_literal`).
    """

    def __init__(self, allowed_networks: Sequence[IPNetwork] = (), timeout: float = 10.0) -> None:
        self.allowed_networks = tuple(allowed_networks)
        self.timeout = timeout

    async def vet(self, host: str, port: int) -> list[str]:
        """Resolve ``host`` and refuse it unless every address is allowed."""
        addresses = await resolve(host, port, self.timeout)
        for address in addresses:
            reason = is_blocked(address, self.allowed_networks)
            if reason:
                raise BlockedAddress(f"{host} resolves to {address}: {reason}; refused")
        return addresses

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        addresses = await self.vet(host, port)
        return [
            ResolveResult(
                hostname=host,
                host=address,
                port=port,
                family=socket.AF_INET6 if ":" in address else socket.AF_INET,
                proto=0,
                flags=socket.AI_NUMERICHOST,
            )
            for address in addresses
        ]

    async def close(self) -> None:
        return None


def check_literal(host: str, allowed_networks: Sequence[IPNetwork]) -> None:
    """Refuse a host written as a blocked IP address (those bypass the resolver)."""
    reason = _literal_reason(host, tuple(allowed_networks))
    if reason:
        raise BlockedAddress(f"{host}: {reason}; refused")


@functools.lru_cache(maxsize=4096)
def _literal_reason(host: str, allowed_networks: tuple[IPNetwork, ...]) -> str | None:
    try:
        address = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
    return is_blocked(address, allowed_networks)
