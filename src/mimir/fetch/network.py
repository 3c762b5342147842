"""Is Mimir itself offline? Then connection failures must not count against sources.

:class:`NetworkMonitor` watches connection-level failures (DNS, refused, unreachable). Once
``threshold_hosts`` DISTINCT hosts failed that way within ``window_seconds`` with no successful
exchange in between, the network is taken as down and connection-level failures are reported as
NetworkDown (the one that crossed the threshold included) until any exchange succeeds.
Time is passed in, so the class is pure.
"""

from __future__ import annotations

import errno
import socket
from dataclasses import dataclass, field


@dataclass(slots=True)
class NetworkMonitor:
    """Decides, from recent connection failures, whether the local network is down."""

    threshold_hosts: int = 3
    window_seconds: float = 300.0
    last_success_at: float | None = None
    down_since: float | None = None
    _failures: dict[str, float] = field(default_factory=dict)  # host -> last failure, in order

    @property
    def is_down(self) -> bool:
        return self.down_since is not None

    def record_success(self, now: float) -> None:
        """An exchange completed (any HTTP status): the network works."""
        self.last_success_at = now
        self.down_since = None
        self._failures.clear()

    def record_failure(self, host: str, now: float) -> bool:
        """A connection-level failure to ``host``; True when it is classified as network down."""
        self._failures.pop(host, None)
        self._failures[host] = now
        horizon = now - self.window_seconds
        while self._failures[oldest := next(iter(self._failures))] < horizon:
            del self._failures[oldest]  # kept in time order, so stale entries are in front
        if self.down_since is None and len(self._failures) >= self.threshold_hosts:
            self.down_since = now
        return self.is_down


def has_route(probe: str = "203.0.113.1") -> bool:
    """Cheap local check: does the kernel know a route to a public address? (sends nothing)."""
    for family, address in ((socket.AF_INET, probe), (socket.AF_INET6, "2001:db8::1")):
        try:
            with socket.socket(family, socket.SOCK_DGRAM) as sock:
                sock.connect((address, 9))  # UDP connect only picks a route
                return True
        except OSError as exc:
            if exc.errno not in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.EAFNOSUPPORT):
                return True  # unknown error: do not claim we are offline
    return False
