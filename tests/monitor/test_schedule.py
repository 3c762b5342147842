"""The scheduler is pure: every case is a table row with `now` and a seeded random generator."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from mimir.config import Settings
from mimir.model import Outcome, Source, SourceKind
from mimir.monitor.schedule import CheckSummary, http_cache_seconds, plan, publish_interval

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
S = Settings(database_url="sqlite://", jitter_ratio=0.0)


def src(**kw: object) -> Source:
    base: dict[str, object] = dict(
        id=1,
        name="s",
        url="https://example.com/feed",
        kind=SourceKind.FEED,
        enabled=True,
        host="example.com",
        interval_seconds=1800,
    )
    base.update(kw)
    return Source(**base)  # type: ignore[arg-type]


def secs(d: datetime) -> float:
    return (d - NOW).total_seconds()


def test_all_known_polls_later_and_mostly_new_polls_sooner() -> None:
    later = plan(src(), CheckSummary(Outcome.OK, entries=20, new_entries=0), NOW, S)
    sooner = plan(src(), CheckSummary(Outcome.OK, entries=20, new_entries=15), NOW, S)
    steady = plan(src(), CheckSummary(Outcome.OK, entries=20, new_entries=3), NOW, S)
    assert secs(sooner.next_check_at) < secs(steady.next_check_at) < secs(later.next_check_at)
    assert later.interval_seconds == 2700 and sooner.interval_seconds == 900


def test_publishing_rate_drives_interval_within_bounds() -> None:
    d = plan(
        src(),
        CheckSummary(Outcome.OK, entries=10, new_entries=2, publish_interval_seconds=1200),
        NOW,
        S,
    )
    assert d.interval_seconds == 600  # two polls per typical gap
    fast = plan(
        src(),
        CheckSummary(Outcome.OK, entries=10, new_entries=2, publish_interval_seconds=10),
        NOW,
        S,
    )
    assert fast.interval_seconds == S.min_interval_seconds  # never below the minimum
    slow = plan(
        src(),
        CheckSummary(Outcome.OK, entries=10, new_entries=1, publish_interval_seconds=10 * 86400),
        NOW,
        S,
    )
    assert slow.interval_seconds == S.max_interval_seconds  # never above the maximum


def test_per_source_bounds_override_defaults() -> None:
    s = src(settings={"min_interval_seconds": 5, "max_interval_seconds": 60})
    d = plan(s, CheckSummary(Outcome.OK, entries=10, new_entries=0), NOW, S)
    assert d.interval_seconds == 60


@pytest.mark.parametrize("hint", [3600.0, 7200.0])
def test_server_hints_are_a_floor(hint: float) -> None:
    d = plan(
        src(), CheckSummary(Outcome.OK, entries=5, new_entries=5, server_min_seconds=hint), NOW, S
    )
    assert d.interval_seconds == hint
    assert "server hint" in d.reason


def test_server_hint_is_capped_by_maximum() -> None:
    d = plan(src(), CheckSummary(Outcome.OK, server_min_seconds=7 * 86400), NOW, S)
    assert d.interval_seconds == S.max_interval_seconds


def test_errors_back_off_exponentially_with_jitter_to_the_cap() -> None:
    rng = random.Random(7)
    s = src()
    waits = []
    for _ in range(20):
        d = plan(s, CheckSummary(Outcome.ERROR, counts_as_error=True), NOW, S, rng)
        waits.append(secs(d.next_check_at))
        s.consecutive_errors = d.consecutive_errors
    assert s.consecutive_errors == 20  # counted, never disabled
    assert waits[0] <= S.min_interval_seconds * 2
    assert waits[5] > waits[0]
    assert max(waits) <= S.error_backoff_cap_seconds
    assert waits[-1] >= S.error_backoff_cap_seconds / 2


def test_retry_after_is_honoured() -> None:
    d = plan(
        src(),
        CheckSummary(Outcome.RATE_LIMITED, counts_as_error=True, retry_after_seconds=5000),
        NOW,
        S,
        random.Random(1),
    )
    assert secs(d.next_check_at) >= 5000


def test_offline_is_not_counted_against_the_source() -> None:
    s = src(consecutive_errors=3)
    d = plan(s, CheckSummary(Outcome.OFFLINE), NOW, S, random.Random(1))
    assert d.consecutive_errors == 3
    assert secs(d.next_check_at) <= 120


def test_success_resets_errors() -> None:
    d = plan(src(consecutive_errors=9), CheckSummary(Outcome.NOT_MODIFIED), NOW, S)
    assert d.consecutive_errors == 0


def test_jitter_spreads_checks() -> None:
    js = Settings(database_url="sqlite://", jitter_ratio=0.1)
    rng = random.Random(3)
    times = {plan(src(), CheckSummary(Outcome.OK), NOW, js, rng).next_check_at for _ in range(20)}
    assert len(times) > 15
    for t in times:
        assert 0.89 * 1800 <= secs(t) <= 1.11 * 1800


def test_publish_interval_median_gap() -> None:
    dates = [NOW - timedelta(hours=h) for h in (1, 2, 3, 5, 6)]
    assert publish_interval(dates, NOW) == 3600
    assert publish_interval(dates[:2], NOW) is None
    old = [NOW - timedelta(days=60 + i) for i in range(5)]
    assert publish_interval(old, NOW) is None


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"cache-control": "public, max-age=900"}, 900.0),
        ({"cache-control": "s-maxage=120"}, 120.0),
        ({"cache-control": "no-cache, max-age=900"}, None),
        ({"expires": "Sat, 28 Nov 2026 13:00:00 GMT"}, 3600.0),
        ({"expires": "0"}, None),
        ({"expires": "Sat, 28 Nov 2026 11:00:00 GMT"}, None),
        ({}, None),
    ],
)
def test_http_cache_hints(headers: dict[str, str], expected: float | None) -> None:
    assert http_cache_seconds(headers, NOW) == expected
