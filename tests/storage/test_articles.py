"""Article storage: the identity ladder, revisions, tombstones, the page queue."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from mimir.db.database import Database
from mimir.model import SourceSpec
from mimir.process.fingerprint import text_fingerprint
from mimir.process.urls import url_hash
from mimir.storage import articles as store
from mimir.storage import jobs as jobs_store
from mimir.storage import sources as sources_store
from mimir.storage.articles import ArticleValues, StoreOutcome

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TEXT = "ATSC 3.0 NextGen TV reaches another 40 markets this quarter. " * 10


def source(db: Database, name: str = "s") -> int:
    return db.sync_write(
        sources_store.add_source, SourceSpec(name=name, url=f"https://{name}.example/feed"), NOW
    ).id


def job_row(sid: int, host: str, i: int) -> dict[str, object]:
    """A queued page job, as a feed check enqueues it."""
    url = f"https://{host}/{i}"
    return {"source_id": sid, "url": url, "url_hash": url_hash(url), "host": host,
            "entry": {"url": url}}  # fmt: skip


def values(sid: int, url: str, text: str = TEXT, **kw: object) -> ArticleValues:
    v = ArticleValues(
        source_id=sid,
        url=url,
        canonical_url=url,
        url_hash=url_hash(url),
        alias_hashes=(),
        guid=None,
        guid_hash=None,
        fingerprint=text_fingerprint(text),
        entry_hash=None,
        title="NextGen TV",
        summary=None,
        text=text,
        html=None,
        authors=["A. Writer"],
        published_at=NOW,
        updated_at=None,
        language="en",
        image_url=None,
        section=None,
        tags=["atsc"],
        fetch_meta={},
        extraction="page",
    )
    return replace(v, **kw)  # type: ignore[arg-type]


def test_new_then_unchanged_is_idempotent(db: Database) -> None:
    sid = source(db)
    v = values(sid, "https://s.example/a")
    assert db.sync_write(store.store, v, NOW)[0] == StoreOutcome.NEW
    assert db.sync_write(store.store, v, NOW)[0] == StoreOutcome.UNCHANGED
    assert db.sync_read(store.count) == 1
    assert db.sync_read(store.count_duplicates) == 0


def test_changed_text_is_a_revision_with_history(db: Database) -> None:
    sid = source(db)
    v1 = values(sid, "https://s.example/a")
    _, aid = db.sync_write(store.store, v1, NOW)
    new_text = TEXT + " Update: two more stations signed on."
    v2 = values(sid, "https://s.example/a", text=new_text, title="NextGen TV (updated)")
    out, aid2 = db.sync_write(store.store, v2, NOW + timedelta(hours=1))
    assert out == StoreOutcome.REVISED and aid2 == aid
    a = db.sync_read(store.get, aid)
    assert a["revision"] == 2 and a["title"] == "NextGen TV (updated)"
    assert a["text"].endswith("signed on.")
    assert [r["revision"] for r in a["revisions"]] == [1]
    assert a["revisions"][0]["title"] == "NextGen TV"
    assert db.sync_read(store.count) == 1


def test_alias_url_guid_and_fingerprint_rungs(db: Database) -> None:
    sid = source(db)
    v = values(
        sid,
        "https://s.example/canonical",
        alias_hashes=(url_hash("https://s.example/?p=1"),),
        guid="tag:s.example,2026:1",
        guid_hash="g1",
    )
    _, aid = db.sync_write(store.store, v, NOW)
    # the same article reached through its alias URL
    via_alias = values(sid, "https://s.example/?p=1")
    assert db.sync_write(store.store, via_alias, NOW) == (StoreOutcome.UNCHANGED, aid)
    # a new URL but the same GUID in the same source
    via_guid = values(sid, "https://s.example/moved", guid_hash="g1")
    assert db.sync_write(store.store, via_guid, NOW)[1] == aid
    # a new URL, no GUID, the same long text in the same source
    via_fp = values(sid, "https://s.example/amp/canonical")
    assert db.sync_write(store.store, via_fp, NOW)[1] == aid
    # the same text in ANOTHER source is another article (stories cluster them later)
    other = source(db, "t")
    assert db.sync_write(store.store, values(other, "https://t.example/x"), NOW)[0] == "new"
    assert db.sync_read(store.count) == 2


def test_tombstone_stays_deleted(db: Database) -> None:
    sid = source(db)
    v = values(sid, "https://s.example/gone")
    _, aid = db.sync_write(store.store, v, NOW)
    assert db.sync_write(store.tombstone, aid, NOW)
    again = values(sid, "https://s.example/gone", text=TEXT + " changed")
    assert db.sync_write(store.store, again, NOW)[0] == StoreOutcome.TOMBSTONED
    assert db.sync_read(store.count) == 0
    assert db.sync_read(store.known_by_url, [v.url_hash])[v.url_hash].deleted


def test_feed_fallback_never_overwrites_a_page_extraction(db: Database) -> None:
    sid = source(db)
    _, aid = db.sync_write(store.store, values(sid, "https://s.example/a"), NOW)
    weak = values(sid, "https://s.example/a", text="short summary", extraction="feed_fallback")
    assert db.sync_write(store.store, weak, NOW) == (StoreOutcome.UNCHANGED, aid)


def test_export_streams_everything(db: Database) -> None:
    sid = source(db)
    for i in range(30):
        db.sync_write(store.store, values(sid, f"https://s.example/{i}", text=f"{TEXT} {i}"), NOW)

    def collect(conn: object) -> list[dict[str, object]]:
        return list(store.iter_export(conn))  # type: ignore[arg-type]

    rows = db.sync_read(collect)
    assert len(rows) == 30
    assert rows[0]["source_name"] == "s" and rows[0]["authors"] == ["A. Writer"]
    assert len(db.sync_read(store.list_recent, limit=5)) == 5


def test_job_queue_is_idempotent_fair_per_host_and_leased(db: Database) -> None:
    sid = source(db)
    rows = [job_row(sid, f"h{i % 2}.example", i) for i in range(10)]
    assert db.sync_write(jobs_store.enqueue, rows, NOW) == 10
    assert db.sync_write(jobs_store.enqueue, rows, NOW) == 0
    jobs, _ = db.sync_write(
        jobs_store.claim, worker="a", now=NOW, limit=10, lease_seconds=60, per_host=2
    )
    assert len(jobs) == 4
    assert sorted({j.url.split("/")[2] for j in jobs}) == ["h0.example", "h1.example"]
    more, _ = db.sync_write(
        jobs_store.claim, worker="b", now=NOW, limit=10, lease_seconds=60, per_host=100
    )
    assert len(more) == 6 and not {j.id for j in more} & {j.id for j in jobs}
    later = NOW + timedelta(seconds=61)
    taken, takeovers = db.sync_write(
        jobs_store.claim, worker="c", now=later, limit=100, lease_seconds=60, per_host=100
    )
    assert len(taken) == 10 and takeovers == 10
    db.sync_write(jobs_store.finish, taken[0].id)
    db.sync_write(jobs_store.fail, taken[1].id, "http_404")
    db.sync_write(jobs_store.retry_later, taken[2].id, later + timedelta(hours=1), "timeout")
    c = db.sync_read(jobs_store.counts, later)
    assert c["pending"] == 8 and c["failed"] == 1


def test_claim_serves_the_longest_host_backlog_first(db: Database) -> None:
    """Each host is read at its polite rate, so the host with the most pages waiting bounds
    when the work ends: with a full batch, it goes before hosts whose feeds were read earlier
    (which used to drain first and leave one host's whole backlog for the end)."""
    sid = source(db)
    db.sync_write(jobs_store.enqueue, [job_row(sid, "small.example", i) for i in range(3)], NOW)
    later = NOW + timedelta(seconds=30)  # the big host's feed was read after the small one's
    db.sync_write(jobs_store.enqueue, [job_row(sid, "big.example", i) for i in range(12)], later)
    db.sync_write(jobs_store.enqueue, [job_row(sid, "mid.example", i) for i in range(6)], later)
    jobs, _ = db.sync_write(
        jobs_store.claim, worker="a", now=later, limit=2, lease_seconds=60, per_host=1
    )
    assert [j.host for j in jobs] == ["big.example", "mid.example"]
    # one per host still comes before a second from any host: the small host gets one now,
    # and jobs come back in the order they were dealt (the worker starts them in that order)
    jobs, _ = db.sync_write(
        jobs_store.claim, worker="a", now=later, limit=3, lease_seconds=60, per_host=2,
        busy_hosts={"big.example": 1, "mid.example": 1},
    )  # fmt: skip
    assert [j.host for j in jobs] == ["big.example", "mid.example", "small.example"]


def test_claim_counts_only_due_jobs_of_the_asked_sources(db: Database) -> None:
    """A host's put-off retries neither count towards its backlog nor come out; a claim for
    some sources (`mimir refresh SOURCE`) ranks and takes only those sources' jobs."""
    sid, other = source(db), source(db, "o")
    queue = [job_row(sid, "a.example", i) for i in range(2)]
    queue += [job_row(sid, "b.example", 10 + i) for i in range(3)]
    queue += [job_row(sid, "c.example", 20 + i) for i in range(5)]
    queue += [job_row(other, "b.example", 30 + i) for i in range(9)]
    db.sync_write(jobs_store.enqueue, queue, NOW)
    everything, _ = db.sync_write(
        jobs_store.claim, worker="x", now=NOW, limit=100, lease_seconds=60, per_host=100
    )
    assert len(everything) == 19
    later = NOW + timedelta(hours=1)
    for j in everything:  # c.example's pages are put off for an hour, the rest let go
        due = later if j.host == "c.example" else NOW
        db.sync_write(jobs_store.retry_later, j.id, due, "timeout")
    ours, _ = db.sync_write(
        jobs_store.claim, worker="y", now=NOW, limit=2, lease_seconds=60, per_host=1,
        source_ids=[sid],
    )  # fmt: skip
    # b.example: 3 due of this source (12 with the other's); c.example's 5 are not due yet
    assert [(j.host, j.source_id) for j in ours] == [("b.example", sid), ("a.example", sid)]
    theirs, _ = db.sync_write(
        jobs_store.claim, worker="z", now=NOW, limit=100, lease_seconds=60, per_host=100,
        source_ids=[other],
    )  # fmt: skip
    assert len(theirs) == 9 and {j.source_id for j in theirs} == {other}
    rest, _ = db.sync_write(
        jobs_store.claim, worker="w", now=later, limit=100, lease_seconds=3600, per_host=100
    )
    assert len(rest) == 19  # an hour on, every lease has run out and the put-off pages are due


def test_the_claims_bench_runs_and_claims(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import claims

    claims.main(["--jobs", "200"])
    out = capsys.readouterr().out
    assert re.fullmatch(
        r"\s+200 jobs pending:\s+\d+\.\d\d ms of CPU,\s+\d+\.\d\d ms wall per claim of 16\n", out
    )
