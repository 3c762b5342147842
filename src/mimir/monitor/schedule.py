"""When to check a source next: adaptive polling, server hints, back-off with jitter.

Pure: every input (the source, what the check saw, `now`, the random generator) is passed in.

On success the interval follows the source's publishing rate (poll about twice per typical
gap between items), shrinks when most returned links were new (we may be missing items) and
grows when every link was already known, never goes below what the server asks for (RSS ttl,
sy:updatePeriod, Cache-Control max-age, Expires) and stays within the source's minimum and
maximum. Errors back off exponentially with full jitter up to a cap (24 h by default); a source
is never disabled. Failures while Mimir itself is offline are not counted.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime

from mimir.config import Settings
from mimir.model import Outcome, Source


@dataclass(slots=True)
class CheckSummary:
    """What one check of a source saw (input to the scheduler)."""

    outcome: Outcome
    entries: int = 0
    new_entries: int = 0
    counts_as_error: bool = False
    retry_after_seconds: float | None = None
    server_min_seconds: float | None = None  # ttl / updatePeriod / max-age / Expires
    publish_interval_seconds: float | None = None  # estimated from entry dates
    hint_sources: list[str] = field(default_factory=list)


@dataclass(slots=True, frozen=True)
class Decision:
    next_check_at: datetime
    interval_seconds: int
    consecutive_errors: int
    publish_interval_seconds: float | None
    reason: str


def bounds(source: Source, settings: Settings) -> tuple[int, int]:
    lo = int(source.settings.get("min_interval_seconds") or settings.min_interval_seconds)
    hi = int(source.settings.get("max_interval_seconds") or settings.max_interval_seconds)
    return lo, max(lo, hi)


def plan(
    source: Source,
    check: CheckSummary,
    now: datetime,
    settings: Settings,
    rng: random.Random | None = None,
) -> Decision:
    rng = rng or random.Random()
    lo, hi = bounds(source, settings)
    publish = _blend(source.publish_interval_seconds, check.publish_interval_seconds)

    if check.outcome == Outcome.OFFLINE:
        # our own outage: retry soon, count nothing against the source
        wait = min(float(lo), 60.0) * (1 + rng.random())
        return Decision(
            now + timedelta(seconds=wait),
            source.interval_seconds or settings.default_interval_seconds,
            source.consecutive_errors,
            publish,
            "offline",
        )

    if check.counts_as_error:
        errors = source.consecutive_errors + 1
        cap = settings.error_backoff_cap_seconds
        ceiling = min(cap, lo * (2 ** min(errors, 30)))
        wait = rng.uniform(ceiling / 2, ceiling)  # "equal jitter": never hammers, never stalls
        reason = f"error backoff #{errors}"
        if check.retry_after_seconds:
            wait = max(wait, min(check.retry_after_seconds, cap))
            reason += " (Retry-After)"
        return Decision(
            now + timedelta(seconds=wait),
            source.interval_seconds or settings.default_interval_seconds,
            errors,
            publish,
            reason,
        )

    interval = float(source.interval_seconds or settings.default_interval_seconds)
    reason = "steady"
    if publish:
        interval = publish / 2
        reason = "publishing rate"
    if check.outcome == Outcome.OK and check.entries:
        known_ratio = 1 - check.new_entries / check.entries
        if check.new_entries and known_ratio < 0.5:
            interval *= 0.5
            reason += ", most links new: sooner"
        elif check.new_entries == 0:
            interval *= 1.5
            reason += ", all links known: later"
    elif check.outcome == Outcome.NOT_MODIFIED:
        interval *= 1.25
        reason += ", not modified: later"
    interval = min(max(interval, lo), hi)
    if check.server_min_seconds and check.server_min_seconds > interval:
        interval = min(check.server_min_seconds, max(hi, lo))
        reason += ", server hint"
    if check.retry_after_seconds:
        interval = max(interval, min(check.retry_after_seconds, settings.error_backoff_cap_seconds))
        reason += ", Retry-After"
    jitter = 1 + rng.uniform(-settings.jitter_ratio, settings.jitter_ratio)
    wait = max(lo * (1 - settings.jitter_ratio), interval * jitter)
    return Decision(now + timedelta(seconds=wait), int(interval), 0, publish, reason)


def _blend(old: float | None, new: float | None) -> float | None:
    """Exponentially weighted estimate of the gap between a source's items."""
    if new is None:
        return old
    if old is None:
        return new
    return 0.7 * old + 0.3 * new


def publish_interval(dates: list[datetime], now: datetime) -> float | None:
    """Typical gap between items, from the dates the feed shows (last 30 days, median gap)."""
    recent = sorted(d for d in dates if d and (now - d).days <= 30 and d <= now)
    if len(recent) < 3:
        return None
    gaps = sorted((b - a).total_seconds() for a, b in itertools.pairwise(recent) if b > a)
    if not gaps:
        return None
    return max(60.0, gaps[len(gaps) // 2])


def http_cache_seconds(headers: dict[str, str], now: datetime) -> float | None:
    """Freshness the server declares: Cache-Control max-age (or s-maxage), else Expires."""
    cc = headers.get("cache-control", "").lower()
    if "no-cache" in cc or "no-store" in cc:
        return None
    for part in cc.split(","):
        name, _, value = part.strip().partition("=")
        if name in ("max-age", "s-maxage") and value.strip().isdigit():
            return float(value.strip())
    expires = headers.get("expires")
    if expires:
        try:
            when = parsedate_to_datetime(expires)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        secs = (when - now).total_seconds()
        return secs if secs > 0 else None
    return None
