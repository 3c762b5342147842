"""/api/v1/stories: the list (the last seen first, filters, cursors) and one story."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from mimir.alerts.matching import WatchSet
from mimir.db.database import Database
from mimir.monitor.ingest import AfterStore
from tests.api.conftest import Scenario, TestClient, store
from tests.storage.test_articles import NOW, source
from tests.storage.test_stories_alerts import article

API = "/api/v1/stories"


def ids(r: Any) -> list[int]:
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


def titles(r: Any) -> list[str]:
    assert r.status_code == 200, r.text
    return [item["title"] for item in r.json()["items"]]


def test_the_list_is_last_seen_first(as_viewer: TestClient, scenario: Scenario) -> None:
    r = as_viewer.get(API)
    assert r.headers["content-type"] == "application/json"
    items = r.json()["items"]
    assert [i["title"] for i in items] == [
        "Brazil picks ATSC 3.0",
        "Sinclair picks Harmonic for NextGen TV",
        "Harmonic results",
    ]
    assert r.json()["next_cursor"] is None
    release = items[1]
    assert release["article_count"] == 2 and release["source_count"] == 2
    assert release["last_seen_at"] > release["first_seen_at"]
    assert release["last_seen_at"].endswith("Z")


def test_filters(as_viewer: TestClient, scenario: Scenario) -> None:
    assert titles(as_viewer.get(API, params={"min_size": 2})) == [
        "Sinclair picks Harmonic for NextGen TV"
    ]
    since = (NOW + timedelta(minutes=90)).isoformat()
    assert titles(as_viewer.get(API, params={"since": since})) == ["Brazil picks ATSC 3.0"]
    until = (NOW + timedelta(minutes=30)).isoformat()
    assert titles(as_viewer.get(API, params={"until": until})) == ["Harmonic results"]


def test_the_query_looks_at_the_leads_title(as_viewer: TestClient, scenario: Scenario) -> None:
    assert titles(as_viewer.get(API, params={"q": "harmonic"})) == [
        "Sinclair picks Harmonic for NextGen TV",
        "Harmonic results",
    ]
    assert titles(as_viewer.get(API, params={"q": "brazil OR results"})) == [
        "Brazil picks ATSC 3.0",
        "Harmonic results",
    ]
    # "Globo" is in the Brazilian article's text only: a plain word is looked for in the title,
    # a field written out is kept
    assert titles(as_viewer.get(API, params={"q": "globo"})) == []
    assert titles(as_viewer.get(API, params={"q": "text:globo"})) == ["Brazil picks ATSC 3.0"]
    r = as_viewer.get(API, params={"q": "picks AND ("})
    assert r.status_code == 400 and r.json()["detail"].startswith("q: ")
    assert "(at position" in r.json()["detail"]


def test_cursor_pages_cover_every_story_once(as_viewer: TestClient, db: Database) -> None:
    after = AfterStore(WatchSet.empty())
    sid = source(db, "many")
    for i in range(13):
        text = " ".join(f"w{i}x{j}" for j in range(80))
        at = NOW + timedelta(minutes=10 * (i // 2))  # pairs share a time: the id breaks the tie
        v = article(sid, f"https://many.example/{i}", f"Item {i}", text, published_at=at)
        store(db, v, after, at)
    everything = ids(as_viewer.get(API, params={"limit": 500}))
    assert len(everything) == 13
    seen: list[int] = []
    cursor = None
    while True:
        r = as_viewer.get(API, params={"limit": 4, **({"cursor": cursor} if cursor else {})})
        seen += ids(r)
        cursor = r.json()["next_cursor"]
        if cursor is None:
            break
    assert seen == everything


def test_one_story_with_its_lead_and_members(as_viewer: TestClient, scenario: Scenario) -> None:
    release = next(
        i
        for i in as_viewer.get(API).json()["items"]
        if i["title"] == "Sinclair picks Harmonic for NextGen TV"
    )
    r = as_viewer.get(f"{API}/{release['id']}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["lead"]["url"] == scenario.release_url and body["members_truncated"] is False
    assert body["lead_article_id"] == body["lead"]["id"]
    assert [m["url"] for m in body["members"]] == [scenario.release_url, scenario.copy_url]
    assert {m["source"] for m in body["members"]} == {"wire", "tvtech"}
    assert all(m["story_id"] == release["id"] for m in body["members"])
    tag = r.headers["etag"]
    again = as_viewer.get(f"{API}/{release['id']}", headers={"If-None-Match": tag})
    assert again.status_code == 304
    r = as_viewer.get(f"{API}/424242")
    assert r.status_code == 404 and "story_id" in r.json()["detail"]
    for bad in ("0", str(2**62 + 1), "x"):
        r = as_viewer.get(f"{API}/{bad}")
        assert r.status_code == 422 and "story_id" in r.json()["detail"]


def test_list_etag(as_viewer: TestClient, scenario: Scenario) -> None:
    r = as_viewer.get(API)
    assert as_viewer.get(API, headers={"If-None-Match": r.headers["etag"]}).status_code == 304


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({"min_size": 0}, 422, "min_size"),
        ({"min_size": "many"}, 422, "min_size"),
        ({"since": "soon"}, 422, "since"),
        ({"until": "0001-01-01T00:00:00+01:00"}, 400, "until:"),
        ({"q": ""}, 422, "q"),
        ({"q": "a\x00b"}, 422, "q"),
        ({"q": "title:"}, 400, "q:"),
        ({"cursor": "nope"}, 400, "cursor:"),
        ({"limit": 1000}, 422, "limit"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_parameter(
    as_viewer: TestClient, params: dict[str, Any], status: int, named: str
) -> None:
    r = as_viewer.get(API, params=params)
    assert r.status_code == status, r.text
    assert named in r.json()["detail"]


@pytest.mark.parametrize("path", [API, f"{API}/1"])
def test_anonymous_callers_get_401(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401
