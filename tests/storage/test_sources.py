"""Sources storage on real SQLite and PostgreSQL: claims, leases, takeovers, outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mimir.db.database import Database
from mimir.errors import InputError, NotFound
from mimir.model import SourceKind, SourceSpec
from mimir.storage import sources as store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def add(db: Database, n: int, **kw: object) -> list[int]:
    ids = []
    for i in range(n):
        spec = SourceSpec(name=f"src{i}", url=f"https://h{i % 3}.example.com/feed{i}", **kw)  # type: ignore[arg-type]
        ids.append(db.sync_write(store.add_source, spec, NOW).id)
    return ids


def test_add_find_and_duplicates(db: Database) -> None:
    s = db.sync_write(
        store.add_source,
        SourceSpec(
            name="Wire",
            url="HTTPS://Example.COM/feed?utm_source=x",
            kind=SourceKind.FEED,
            category="trade_press",
            settings={"full_content": True},
        ),
        NOW,
    )
    assert s.url == "https://example.com/feed"
    assert s.host == "example.com"
    assert s.next_check_at == NOW
    assert db.sync_read(store.find_source, "Wire").id == s.id
    assert db.sync_read(store.find_source, str(s.id)).full_content
    assert db.sync_read(store.find_source, "https://example.com/feed").id == s.id
    with pytest.raises(InputError):
        db.sync_write(
            store.add_source, SourceSpec(name="Other", url="https://example.com/feed"), NOW
        )
    with pytest.raises(InputError):
        db.sync_write(store.add_source, SourceSpec(name="Wire", url="https://x.example/feed"), NOW)
    with pytest.raises(NotFound):
        db.sync_read(store.find_source, "nope")


def test_claim_leases_and_never_double_claims(db: Database) -> None:
    add(db, 10)
    a = db.sync_write(store.claim_due, worker="a", now=NOW, limit=4, lease_seconds=60)
    b = db.sync_write(store.claim_due, worker="b", now=NOW, limit=100, lease_seconds=60)
    ids_a = {s.id for s in a.sources}
    ids_b = {s.id for s in b.sources}
    assert len(ids_a) == 4 and len(ids_b) == 6
    assert not ids_a & ids_b
    none = db.sync_write(store.claim_due, worker="c", now=NOW, limit=100, lease_seconds=60)
    assert none.sources == []


def test_expired_lease_is_taken_over(db: Database) -> None:
    add(db, 3)
    db.sync_write(store.claim_due, worker="dead", now=NOW, limit=10, lease_seconds=60)
    later = NOW + timedelta(seconds=61)
    c = db.sync_write(store.claim_due, worker="alive", now=later, limit=10, lease_seconds=60)
    assert len(c.sources) == 3
    assert c.takeovers == 3
    assert all(s.lease_owner == "alive" for s in c.sources)


def test_disabled_and_future_sources_are_not_claimed(db: Database) -> None:
    ids = add(db, 3)
    db.sync_write(store.set_enabled, ids[0], False, NOW)
    db.sync_write(
        store.record_check,
        ids[1],
        {"next_check_at": NOW + timedelta(hours=1), "status": "ok"},
        {"started_at": NOW, "duration_ms": 1, "outcome": "ok"},
    )
    c = db.sync_write(store.claim_due, worker="w", now=NOW, limit=10, lease_seconds=60)
    assert [s.id for s in c.sources] == [ids[2]]
    # a named one-shot claim takes a disabled source when it was made due
    db.sync_write(store.make_due, [ids[0]], NOW)
    c2 = db.sync_write(
        store.claim_due, worker="w", now=NOW, limit=10, lease_seconds=60, source_ids=[ids[0]]
    )
    assert [s.id for s in c2.sources] == [ids[0]]


def test_record_check_releases_lease_and_logs(db: Database) -> None:
    (sid,) = add(db, 1)
    db.sync_write(store.claim_due, worker="w", now=NOW, limit=1, lease_seconds=60)
    db.sync_write(
        store.record_check,
        sid,
        {
            "status": "error",
            "consecutive_errors": 1,
            "last_error_class": "http_500",
            "next_check_at": NOW + timedelta(minutes=5),
            "_error": True,
        },
        {
            "started_at": NOW,
            "duration_ms": 12,
            "outcome": "error",
            "status_code": 500,
            "error_class": "http_500",
            "message": "boom",
        },
    )
    s = db.sync_read(store.find_source, sid)
    assert s.lease_owner is None and s.status == "error" and s.total_errors == 1
    assert s.total_checks == 1
    hist = db.sync_read(store.fetch_history, sid)
    assert hist[0]["status_code"] == 500 and hist[0]["message"] == "boom"


def test_release_gives_back_leases(db: Database) -> None:
    add(db, 2)
    db.sync_write(store.claim_due, worker="w", now=NOW, limit=10, lease_seconds=600)
    assert db.sync_write(store.release, "w") == 2
    again = db.sync_write(store.claim_due, worker="x", now=NOW, limit=10, lease_seconds=60)
    assert len(again.sources) == 2 and again.takeovers == 0


def test_remove_keeps_articles_table_consistent(db: Database) -> None:
    (sid,) = add(db, 1)
    db.sync_write(store.remove_source, sid)
    with pytest.raises(NotFound):
        db.sync_read(store.find_source, sid)
