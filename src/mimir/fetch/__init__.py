"""HTTP only: a polite, bounded, SSRF-guarded fetcher (see :class:`Fetcher`)."""

from mimir.fetch.client import Fetcher
from mimir.fetch.hosts import HostPoliteness, Politeness
from mimir.fetch.network import NetworkMonitor, has_route
from mimir.fetch.robots import RobotsCache
from mimir.fetch.ssrf import GuardedResolver, check_literal, is_blocked
from mimir.fetch.urls import host_key, origin, parse_retry_after

__all__ = [
    "Fetcher",
    "GuardedResolver",
    "HostPoliteness",
    "NetworkMonitor",
    "Politeness",
    "RobotsCache",
    "check_literal",
    "has_route",
    "host_key",
    "is_blocked",
    "origin",
    "parse_retry_after",
]
