"""When to try a failed delivery again: exponential back-off with jitter (pure).

``base * 2^(attempts-1)``, capped, then "equal jitter": uniform in
``[delay * (1 - jitter), delay]``, so many deliveries that failed together (a receiver down for
a minute) do not all come back at the same instant. A receiver's ``Retry-After`` is a floor.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

DEFAULT_BASE_SECONDS = 30.0
DEFAULT_CAP_SECONDS = 6 * 3600.0
DEFAULT_JITTER = 0.5
# after this many failed attempts the sender should give up and mark the delivery failed
# (with the defaults, one to two days of trying)
DEFAULT_MAX_ATTEMPTS = 16


def backoff_seconds(
    attempts: int,
    *,
    base: float = DEFAULT_BASE_SECONDS,
    cap: float = DEFAULT_CAP_SECONDS,
    jitter: float = DEFAULT_JITTER,
    rng: random.Random | None = None,
) -> float:
    """Seconds to wait after the ``attempts``-th failed attempt (1 for the first failure)."""
    if attempts < 1:
        raise ValueError("attempts counts failed attempts and starts at 1")
    if base <= 0 or cap < base:
        raise ValueError("need 0 < base <= cap")
    if not 0.0 <= jitter <= 1.0:
        raise ValueError("jitter is a fraction between 0 and 1")
    exponent = min(attempts - 1, 63)  # 2^63 * base is past any cap; avoids float overflow
    delay = min(cap, base * 2.0**exponent)
    low = delay * (1.0 - jitter)
    return (rng or random).uniform(low, delay) if jitter else delay


def next_attempt_at(
    attempts: int,
    now: datetime,
    *,
    base: float = DEFAULT_BASE_SECONDS,
    cap: float = DEFAULT_CAP_SECONDS,
    jitter: float = DEFAULT_JITTER,
    retry_after_seconds: float | None = None,
    rng: random.Random | None = None,
) -> datetime:
    """When to retry after ``attempts`` failed attempts, counted from ``now``.

    ``retry_after_seconds`` (from :attr:`DeliveryResult.retry_after_seconds`) is honoured as a
    minimum, even above ``cap``.
    """
    delay = backoff_seconds(attempts, base=base, cap=cap, jitter=jitter, rng=rng)
    if retry_after_seconds is not None:
        delay = max(delay, retry_after_seconds)
    return now + timedelta(seconds=delay)
