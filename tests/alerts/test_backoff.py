"""Back-off for failed deliveries: exponential, capped, jittered, Retry-After as a floor."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from mimir.alerts.backoff import backoff_seconds, next_attempt_at

NOW = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)


def test_doubles_until_the_cap_without_jitter() -> None:
    delays = [backoff_seconds(n, base=30, cap=3600, jitter=0) for n in range(1, 10)]
    assert delays == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]


def test_jitter_stays_within_the_band_and_spreads() -> None:
    rng = random.Random(7)
    samples = [backoff_seconds(4, base=30, cap=3600, jitter=0.5, rng=rng) for _ in range(500)]
    assert all(120 <= s <= 240 for s in samples)
    assert max(samples) - min(samples) > 100  # not all the same instant


def test_huge_attempt_counts_do_not_overflow() -> None:
    assert backoff_seconds(10_000, base=30, cap=3600, jitter=0) == 3600


def test_next_attempt_at_counts_from_now() -> None:
    at = next_attempt_at(3, NOW, base=10, cap=100, jitter=0)
    assert at == NOW + timedelta(seconds=40)


def test_retry_after_is_a_floor_even_above_the_cap() -> None:
    at = next_attempt_at(1, NOW, base=10, cap=100, jitter=0, retry_after_seconds=7200)
    assert at == NOW + timedelta(hours=2)
    sooner = next_attempt_at(5, NOW, base=10, cap=100, jitter=0, retry_after_seconds=5)
    assert sooner == NOW + timedelta(seconds=100)


@pytest.mark.parametrize(
    "kwargs",
    [{"attempts": 0}, {"attempts": 1, "base": 0}, {"attempts": 1, "cap": 1, "base": 2},
     {"attempts": 1, "jitter": 1.5}],
)
def test_bad_arguments(kwargs: dict[str, float]) -> None:
    attempts = int(kwargs.pop("attempts"))
    with pytest.raises(ValueError):
        backoff_seconds(attempts, **kwargs)
