"""The article list's hot path answers exactly as the route would, and only when it may."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from mimir.api.app import create_app
from mimir.api.v1.fast_list import FastArticleList
from mimir.config import Settings
from mimir.db.database import Database
from tests.api.conftest import People, Scenario, TestClient, signed_in, with_key


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bool]]:
    """Whether each request went the fast way (True) or on to the route (False)."""
    seen: list[bool] = []
    original = FastArticleList.answer

    async def spy(self: FastArticleList, scope: Any) -> Any:
        response = await original(self, scope)
        seen.append(response is not None)
        return response

    monkeypatch.setattr(FastArticleList, "answer", spy)
    yield seen


SAME_HEADERS = ("content-type", "etag", "cache-control", "content-security-policy")


def both(client: TestClient, query: str, **headers: str) -> tuple[Any, Any]:
    """The fast answer and the route's (an extra parameter sends a request to the route,
    which ignores it)."""
    sep = "&" if query else ""
    fast = client.get(f"/api/v1/articles?{query}", headers=headers)
    slow = client.get(f"/api/v1/articles?{query}{sep}route=1", headers=headers)
    return fast, slow


def test_the_same_answer_both_ways(
    settings: Settings, db: Database, people: People, scenario: Scenario, taken: list[bool]
) -> None:
    for client in (signed_in(settings, db, people.viewer), with_key(settings, db, people.viewer)):
        with client:
            fast, slow = both(client, "")
            assert taken[-2:] == [True, False]
            assert fast.status_code == slow.status_code == 200
            assert fast.content == slow.content and len(fast.json()["items"]) == 4
            for name in SAME_HEADERS:
                assert fast.headers.get(name) == slow.headers.get(name), name
            # pages: the cursor of one way works the other way
            fast, slow = both(client, "limit=3")
            assert fast.content == slow.content
            cursor = fast.json()["next_cursor"]
            assert cursor
            fast, slow = both(client, f"limit=3&cursor={cursor}")
            assert taken[-2:] == [True, False]
            assert fast.content == slow.content and len(fast.json()["items"]) == 1
            # a client's current copy: 304 both ways
            tag = fast.headers["etag"]
            fast, slow = both(client, f"limit=3&cursor={cursor}", **{"If-None-Match": tag})
            assert fast.status_code == slow.status_code == 304


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("limit=0", 422),
        ("limit=501", 422),
        ("limit=abc", 422),
        ("limit=5&limit=6", 200),  # the route takes one of them: the fast way never guesses
        ("cursor=not-a-cursor", 400),
        ("q=harmonic", 200),
        ("source_id=1", 200),
    ],
)
def test_what_the_fast_way_does_not_know_goes_to_the_route(
    settings: Settings,
    db: Database,
    people: People,
    scenario: Scenario,
    taken: list[bool],
    query: str,
    status: int,
) -> None:
    with signed_in(settings, db, people.viewer) as client:
        response = client.get(f"/api/v1/articles?{query}")
    assert taken == [False]
    assert response.status_code == status, response.text


def test_who_may_not_list_gets_the_routes_answer(
    settings: Settings, db: Database, people: People, scenario: Scenario, taken: list[bool]
) -> None:
    with TestClient(create_app(settings, db=db)) as anonymous:
        assert anonymous.get("/api/v1/articles").status_code == 401
        wrong = anonymous.get("/api/v1/articles", headers={"Authorization": "Bearer mimir_x_y"})
        assert wrong.status_code == 401
    assert taken == [False, False]


def test_the_fast_way_is_logged_and_counted_as_the_route(
    settings: Settings, db: Database, people: People, scenario: Scenario, taken: list[bool]
) -> None:
    with signed_in(settings, db, people.viewer) as client:
        assert client.get("/api/v1/articles?limit=1").status_code == 200
        assert taken == [True]
        scrape = client.get("/metrics").text
    counted = [
        line
        for line in scrape.splitlines()
        if line.startswith("mimir_news_http_requests_total{")
        and 'route="/api/v1/articles"' in line
        and 'status="200"' in line
    ]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 1
