"""/api/v1/stats: counts and per-day series against known data, UTC days, bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, insert, select, update

from mimir.alerts.matching import WatchSet
from mimir.db.database import Database
from mimir.db.tables import alerts, fetch_log, sources
from mimir.monitor.ingest import AfterStore
from mimir.storage import articles as article_store
from tests.api.conftest import Scenario, TestClient, store
from tests.storage.test_articles import NOW, source
from tests.storage.test_stories_alerts import article

API = "/api/v1"
LATE = datetime(2026, 11, 27, 23, 30, tzinfo=UTC)  # the day before NOW in UTC, not in Berlin


@pytest.fixture
def known(db: Database, scenario: Scenario) -> dict[str, int]:
    """The scenario (four articles on 2026-11-28, two alerts), plus: an article late on the
    27th (UTC), a deleted one, a failing source, and fetches on the 26th to the 28th."""
    late = source(db, "late")
    after = AfterStore(WatchSet.empty())
    text = "A late night report on spectrum auctions and tower sharing deals. " * 3
    store(db, article(late, "https://late.example/a", "Late", text, published_at=LATE), after, LATE)
    gone = store(
        db,
        article(late, "https://late.example/gone", "Gone", text.upper() + " Withdrawn."),
        after,
    )
    db.sync_write(article_store.tombstone, gone.article_id, NOW)

    def setup(conn: Any) -> None:
        conn.execute(update(sources).where(sources.c.id == late).values(consecutive_errors=3))
        rows = [
            ("ok", datetime(2026, 11, 26, 8, tzinfo=UTC)),
            ("ok", datetime(2026, 11, 27, 8, tzinfo=UTC)),
            ("not_modified", datetime(2026, 11, 27, 9, tzinfo=UTC)),
            ("error", datetime(2026, 11, 28, 0, 0, tzinfo=UTC)),
            ("ok", datetime(2026, 11, 28, 23, 59, tzinfo=UTC)),
            ("ok", datetime(2026, 11, 29, 0, 0, tzinfo=UTC)),  # after the window
        ]
        conn.execute(
            insert(fetch_log),
            [
                {"source_id": late, "started_at": at, "duration_ms": 12, "outcome": outcome}
                for outcome, at in rows
            ],
        )

    db.sync_write(setup)
    return {"late": late}


def test_counts(as_viewer: TestClient, known: dict[str, int]) -> None:
    r = as_viewer.get(f"{API}/stats")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["sources"] == {"total": 5, "enabled": 5, "failing": 1}
    assert body["articles"] == 5  # the deleted one is not counted
    assert body["stories"] >= 4  # the release and its copy are one story
    assert body["watches"] == {"total": 2, "enabled": 1}
    assert body["channels"] == 1
    assert body["alerts"]["total"] == 2
    assert body["outbox"] == {"pending": 2, "due": 2, "sent": 0, "dead": 0}
    again = as_viewer.get(f"{API}/stats", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_articles_per_day_per_source_in_utc_days(
    as_viewer: TestClient, known: dict[str, int]
) -> None:
    params = {"days": 3, "until": "2026-11-28"}
    r = as_viewer.get(f"{API}/stats/articles-per-day", params=params)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["days"] == ["2026-11-26", "2026-11-27", "2026-11-28"]
    assert body["totals"] == [0, 1, 4]
    by_name = {s["name"]: s for s in body["sources"]}
    assert set(by_name) == {"wire", "tvtech", "press", "globo", "late"}
    assert by_name["late"]["counts"] == [0, 1, 0] and by_name["late"]["total"] == 1
    assert by_name["globo"]["counts"] == [0, 0, 1]
    assert by_name["late"]["source_id"] == known["late"]

    one = as_viewer.get(
        f"{API}/stats/articles-per-day", params={**params, "source_id": known["late"]}
    ).json()
    assert one["totals"] == [0, 1, 0] and [s["name"] for s in one["sources"]] == ["late"]
    empty = as_viewer.get(
        f"{API}/stats/articles-per-day", params={"days": 2, "until": "2026-11-25"}
    ).json()
    assert empty == {"days": ["2026-11-24", "2026-11-25"], "totals": [0, 0], "sources": []}
    default = as_viewer.get(f"{API}/stats/articles-per-day").json()
    assert len(default["days"]) == 30
    assert default["days"][-1] == datetime.now(UTC).date().isoformat()


def test_fetches_per_day_by_outcome(as_viewer: TestClient, known: dict[str, int]) -> None:
    body = as_viewer.get(f"{API}/stats/fetches", params={"days": 2, "until": "2026-11-28"}).json()
    assert body["days"] == ["2026-11-27", "2026-11-28"]
    assert body["totals"] == [2, 2]
    assert body["outcomes"] == [
        {"outcome": "ok", "counts": [1, 1], "total": 2},
        {"outcome": "error", "counts": [0, 1], "total": 1},
        {"outcome": "not_modified", "counts": [1, 0], "total": 1},
    ]


def test_alerts_per_day_per_watch(as_viewer: TestClient, scenario: Scenario) -> None:
    body = as_viewer.get(f"{API}/stats/alerts", params={"days": 7, "until": "2026-11-30"}).json()
    assert body["days"][0] == "2026-11-24" and body["days"][-1] == "2026-11-30"
    assert body["totals"] == [0, 0, 0, 0, 2, 0, 0]
    assert body["watches"] == [
        {
            "watch_id": scenario.watch_id,
            "name": "NextGen <TV> & co",
            "counts": [0, 0, 0, 0, 2, 0, 0],
            "total": 2,
        }
    ]


@pytest.mark.parametrize(
    ("path", "params", "field"),
    [
        ("/stats/articles-per-day", {"days": 0}, "days"),
        ("/stats/articles-per-day", {"days": 367}, "days"),
        ("/stats/articles-per-day", {"days": "many"}, "days"),
        ("/stats/articles-per-day", {"source_id": 0}, "source_id"),
        ("/stats/articles-per-day", {"until": "2026-13-01"}, "until"),
        ("/stats/articles-per-day", {"until": "9999-12-31"}, "until"),
        ("/stats/fetches", {"until": "0001-01-01"}, "until"),
        ("/stats/alerts", {"days": -1}, "days"),
    ],
)
def test_bad_input_names_the_parameter(
    as_viewer: TestClient, path: str, params: dict[str, Any], field: str
) -> None:
    r = as_viewer.get(API + path, params=params)
    assert r.status_code == 422 and field in r.json()["detail"], r.text


def test_the_widest_window_works(as_viewer: TestClient) -> None:
    for path in ("/stats/articles-per-day", "/stats/fetches", "/stats/alerts"):
        r = as_viewer.get(API + path, params={"days": 366, "until": "9999-12-30"})
        assert r.status_code == 200 and len(r.json()["days"]) == 366, r.text
        r = as_viewer.get(API + path, params={"days": 366, "until": "1970-01-01"})
        assert r.status_code == 200 and r.json()["totals"] == [0] * 366


def test_stats_need_a_signed_in_caller(client: TestClient) -> None:
    for path in ("/stats", "/stats/articles-per-day", "/stats/fetches", "/stats/alerts"):
        assert client.get(API + path).status_code == 401


def test_last_24h_counts_recent_alerts_only(
    as_viewer: TestClient, scenario: Scenario, db: Database
) -> None:
    now = datetime.now(UTC)

    def age(conn: Any) -> None:
        for pick, at in ((func.max, now - timedelta(hours=1)), (func.min, now - timedelta(days=3))):
            which = select(pick(alerts.c.id)).scalar_subquery()
            conn.execute(update(alerts).where(alerts.c.id == which).values(created_at=at))

    db.sync_write(age)
    assert as_viewer.get(f"{API}/stats").json()["alerts"] == {"total": 2, "last_24h": 1}
