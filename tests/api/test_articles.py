"""/api/v1/articles: the list (filters, queries, cursors, ETags), one article, the export."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from typing import Any

import orjson
import pytest

from mimir.db.database import Database
from mimir.model import SourceSpec
from mimir.storage import articles as article_store
from mimir.storage import sources as source_store
from mimir.storage.listing import EXPORT_FIELDS
from tests.api.conftest import Scenario, TestClient
from tests.storage.test_articles import NOW, source, values

API = "/api/v1/articles"


def add(db: Database, sid: int, slug: str, at: datetime, **kw: Any) -> int:
    """An article of source ``sid`` dated ``at`` (found a day later, so the date is ``at``)."""
    url = f"https://{sid}.example/{slug}"
    kw.setdefault("title", f"Story {slug}")
    v = values(sid, url, text=f"Body of {slug}. " * 5, published_at=at, **kw)
    return db.sync_write(article_store.store, v, NOW + timedelta(days=1))[1]


def ids(r: Any) -> list[int]:
    assert r.status_code == 200, r.text
    return [item["id"] for item in r.json()["items"]]


def every_page(c: TestClient, params: dict[str, Any]) -> list[int]:
    """The ids of every page of the list, following next_cursor to the end."""
    seen: list[int] = []
    cursor = None
    for _ in range(100):
        r = c.get(API, params={**params, **({"cursor": cursor} if cursor else {})})
        seen += ids(r)
        cursor = r.json()["next_cursor"]
        if cursor is None:
            return seen
    raise AssertionError("the pages never end")


@pytest.fixture
def many(db: Database) -> dict[str, Any]:
    """23 articles over two sources (one with a category), several sharing a date."""
    a = source(db, "alpha")
    b = db.sync_write(
        source_store.add_source,
        SourceSpec(name="beta", url="https://beta.example/feed", category="Broadcast"),
        NOW,
    ).id
    made: dict[int, datetime] = {}
    for i in range(23):
        at = NOW - timedelta(hours=i // 3)  # threes share a date: the id breaks the tie
        sid = b if i % 2 else a
        lang = "pt-BR" if i % 5 == 0 else "en"
        made[add(db, sid, f"n{i}", at, language=lang, title=f"Tower {i} NextGen")] = at
    newest = sorted(made, key=lambda k: (made[k], k), reverse=True)
    return {"alpha": a, "beta": b, "dates": made, "newest": newest}


def test_the_list_is_newest_first_cards_without_text(
    as_viewer: TestClient, scenario: Scenario
) -> None:
    r = as_viewer.get(API)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    body = r.json()
    items = body["items"]
    assert body["next_cursor"] is None and len(items) == 4
    assert items[0]["url"] == scenario.brazil_url and items[0]["title"] == "Brazil picks ATSC 3.0"
    dates = [(i["date"], i["id"]) for i in items]
    assert dates == sorted(dates, reverse=True)
    assert items[0]["source"] == "globo" and items[0]["date"].endswith("Z")
    assert set(items[0]) == {
        "id",
        "title",
        "url",
        "source_id",
        "source",
        "language",
        "date",
        "published_at",
        "discovered_at",
        "story_id",
    }


def test_filters(as_viewer: TestClient, many: dict[str, Any]) -> None:
    newest, dates = many["newest"], many["dates"]
    alpha = many["alpha"]
    assert ids(as_viewer.get(API, params={"limit": 500})) == newest
    listed = as_viewer.get(API, params={"source_id": alpha, "limit": 500}).json()["items"]
    by_alpha = [i["id"] for i in listed]
    assert len(by_alpha) == 12 and {i["source_id"] for i in listed} == {alpha}
    assert by_alpha == [n for n in newest if n in set(by_alpha)]
    by_beta = ids(as_viewer.get(API, params={"category": "broadcast", "limit": 500}))
    assert sorted(by_alpha + by_beta) == sorted(newest) and not set(by_alpha) & set(by_beta)
    assert ids(as_viewer.get(API, params={"category": "weather"})) == []
    assert ids(as_viewer.get(API, params={"source_id": alpha, "category": "Broadcast"})) == []
    pt = ids(as_viewer.get(API, params={"language": "pt", "limit": 500}))
    assert len(pt) == 5 and pt == ids(as_viewer.get(API, params={"language": "PT-pt"}))
    since, until = NOW - timedelta(hours=3), NOW - timedelta(hours=1)
    window = ids(
        as_viewer.get(
            API, params={"since": since.isoformat(), "until": until.isoformat(), "limit": 500}
        )
    )
    assert window == [n for n in newest if since <= dates[n] < until] and len(window) == 6
    # a time without a zone is UTC
    naive = ids(as_viewer.get(API, params={"since": "2026-11-28T10:00:00", "limit": 500}))
    assert naive == [n for n in newest if dates[n] >= NOW - timedelta(hours=2)]


def test_watch_and_story_filters(as_viewer: TestClient, scenario: Scenario) -> None:
    items = as_viewer.get(API).json()["items"]
    by_url = {i["url"]: i for i in items}
    alerted = ids(as_viewer.get(API, params={"watch_id": scenario.watch_id}))
    assert alerted == [by_url[scenario.brazil_url]["id"], by_url[scenario.release_url]["id"]]
    story = by_url[scenario.release_url]["story_id"]
    assert by_url[scenario.copy_url]["story_id"] == story
    members = ids(as_viewer.get(API, params={"story_id": story}))
    assert sorted(members) == sorted(
        [by_url[scenario.release_url]["id"], by_url[scenario.copy_url]["id"]]
    )
    assert ids(as_viewer.get(API, params={"watch_id": scenario.watch_id + 100})) == []


def test_cursor_pages_cover_every_row_once(as_viewer: TestClient, many: dict[str, Any]) -> None:
    assert every_page(as_viewer, {"limit": 4}) == many["newest"]
    assert every_page(as_viewer, {"limit": 1, "source_id": many["beta"]}) == ids(
        as_viewer.get(API, params={"source_id": many["beta"], "limit": 500})
    )
    # with a query: the search's pages, and the source-restricted ones
    assert every_page(as_viewer, {"limit": 5, "q": "nextgen"}) == many["newest"]
    assert every_page(as_viewer, {"limit": 3, "q": "tower", "category": "broadcast"}) == [
        n
        for n in many["newest"]
        if n in set(ids(as_viewer.get(API, params={"category": "broadcast"})))
    ]
    ranked = every_page(as_viewer, {"limit": 4, "q": "nextgen", "order": "relevance"})
    assert sorted(ranked) == sorted(many["newest"])
    ranked = every_page(
        as_viewer, {"limit": 4, "q": "nextgen", "order": "relevance", "source_id": many["alpha"]}
    )
    assert sorted(ranked) == sorted(
        ids(as_viewer.get(API, params={"source_id": many["alpha"], "limit": 500}))
    )
    # a cursor of one list is refused by another
    cursor = as_viewer.get(API, params={"limit": 2}).json()["next_cursor"]
    r = as_viewer.get(API, params={"q": "nextgen", "cursor": cursor})
    assert r.status_code == 400 and r.json()["detail"].startswith("cursor:")


def test_queries(as_viewer: TestClient, scenario: Scenario) -> None:
    r = as_viewer.get(API, params={"q": '"NextGen TV"'})
    urls = [i["url"] for i in r.json()["items"]]
    assert urls == [scenario.brazil_url, scenario.copy_url, scenario.release_url]
    assert all(i["score"] == 1.0 for i in r.json()["items"])
    r = as_viewer.get(API, params={"q": "harmonic", "order": "relevance"})
    items = r.json()["items"]
    assert len(items) == 3 and all(i["score"] > 0 for i in items)
    scores = [i["score"] for i in items]
    assert scores == sorted(scores, reverse=True)
    # the filters and the query together, on both paths
    brazil = as_viewer.get(API, params={"q": "brazil"}).json()["items"][0]
    assert ids(as_viewer.get(API, params={"q": "atsc", "source_id": brazil["source_id"]})) == [
        brazil["id"]
    ]
    every = ids(as_viewer.get(API, params={"q": "atsc"}))
    early = ids(as_viewer.get(API, params={"q": "atsc", "until": "2026-11-28T13:00:00Z"}))
    late = ids(as_viewer.get(API, params={"q": "atsc", "since": "2026-11-28T13:00:00Z"}))
    assert late == [brazil["id"]] and late + early == every and early
    assert (
        len(ids(as_viewer.get(API, params={"q": "harmonic", "watch_id": scenario.watch_id}))) == 1
    )


@pytest.mark.parametrize(
    ("params", "status", "named"),
    [
        ({"q": "launch AND (atsc OR"}, 400, "q: 'OR' needs a term after it (at position 19)"),
        ({"q": "titel:merger"}, 400, "q: unknown field"),
        ({"order": "relevance"}, 400, "order:"),
        ({"order": "random"}, 422, "order"),
        ({"q": "a", "order": "relevance", "story_id": 1}, 400, "order:"),
        ({"limit": 0}, 422, "limit"),
        ({"limit": 501}, 422, "limit"),
        ({"cursor": "bm90IGEgY3Vyc29y"}, 400, "cursor:"),
        ({"cursor": "!!"}, 400, "cursor:"),
        ({"source_id": 0}, 422, "source_id"),
        ({"source_id": 2**63}, 422, "source_id"),
        ({"story_id": "x"}, 422, "story_id"),
        ({"watch_id": -1}, 422, "watch_id"),
        ({"language": "english!"}, 422, "language"),
        ({"category": "a\x00b"}, 422, "category"),
        ({"category": "x" * 101}, 422, "category"),
        ({"since": "yesterday"}, 422, "since"),
        ({"until": "0001-01-01T00:00:00+05:00"}, 400, "until:"),
        ({"since": "1900-01-01T00:00:00Z"}, 400, "since:"),
        ({"q": ""}, 422, "q"),
        ({"q": "x" * 1001}, 422, "q"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_parameter(
    as_viewer: TestClient, params: dict[str, Any], status: int, named: str
) -> None:
    r = as_viewer.get(API, params=params)
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert named in r.json()["detail"]


def test_forged_cursors_are_refused(as_viewer: TestClient, many: dict[str, Any]) -> None:
    from mimir.api.v1.common import encode_cursor

    for key in (
        ["0001-01-01T00:00:00+05:00", 1],
        ["2026-01-01T00:00:00Z", 2**63],
        [None, 1],
        ["2026-01-01T00:00:00Z", -1],
    ):
        r = as_viewer.get(API, params={"cursor": encode_cursor(key)})
        assert r.status_code == 400, (key, r.text)
    forged = "eyJvIjoibiIsInQiOiIwMDAxLTAxLTAxVDAwOjAwOjAwKzA1OjAwIiwiaSI6MX0"  # year 1, +05:00
    r = as_viewer.get(API, params={"q": "tower", "cursor": encode_cursor([forged])})
    assert r.status_code == 400
    r = as_viewer.get(
        API,
        params={
            "q": "tower",
            "order": "relevance",
            "source_id": 1,
            "cursor": encode_cursor([10**6]),
        },
    )
    assert r.status_code == 400


def test_etag_and_304(as_viewer: TestClient, scenario: Scenario, db: Database) -> None:
    r = as_viewer.get(API)
    tag = r.headers["etag"]
    again = as_viewer.get(API, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b""
    one = ids(r)[0]
    r = as_viewer.get(f"{API}/{one}")
    assert (
        as_viewer.get(f"{API}/{one}", headers={"If-None-Match": r.headers["etag"]}).status_code
        == 304
    )
    add(db, source(db, "late"), "late", NOW + timedelta(hours=5))
    assert as_viewer.get(API, headers={"If-None-Match": tag}).status_code == 200


def test_get_one_with_revisions_and_story(
    as_viewer: TestClient, db: Database, scenario: Scenario
) -> None:
    sid = source(db, "rev")
    url = "https://rev.example/a"
    first = values(sid, url, title="First title", text="Version one. " * 10)
    _, aid = db.sync_write(article_store.store, first, NOW)
    second = values(sid, url, title="Second title", text="Version two, longer. " * 10)
    db.sync_write(article_store.store, second, NOW + timedelta(hours=1))
    r = as_viewer.get(f"{API}/{aid}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["title"] == "Second title" and body["revision"] == 2
    assert body["text"].startswith("Version two") and body["authors"] == ["A. Writer"]
    assert [(v["revision"], v["title"]) for v in body["revisions"]] == [(1, "First title")]
    assert body["revisions"][0]["text"].startswith("Version one")
    release = next(
        i for i in as_viewer.get(API).json()["items"] if i["url"] == scenario.release_url
    )
    got = as_viewer.get(f"{API}/{release['id']}").json()
    assert got["story_id"] == release["story_id"] is not None and got["revisions"] == []
    r = as_viewer.get(f"{API}/999999")
    assert r.status_code == 404 and "article_id" in r.json()["detail"]
    db.sync_write(article_store.tombstone, aid, NOW)
    assert as_viewer.get(f"{API}/{aid}").status_code == 404
    for bad in ("0", str(2**62 + 1), "abc"):
        r = as_viewer.get(f"{API}/{bad}")
        assert r.status_code == 422 and "article_id" in r.json()["detail"]


def export(c: TestClient, **params: Any) -> Any:
    r = c.get(f"{API}/export", params=params)
    assert r.status_code == 200, r.text
    return r


def test_export_csv_is_safe_and_complete(
    as_viewer: TestClient, db: Database, many: dict[str, Any]
) -> None:
    sid = source(db, "odd")
    evil = add(db, sid, "evil", NOW + timedelta(hours=1), title='=HYPERLINK("http://x","y")')
    add(db, sid, "plus", NOW + timedelta(hours=1), title="+1 for São Paulo, Łódź, 東京")
    add(
        db,
        sid,
        "quote",
        NOW + timedelta(hours=1),
        title='He said "no",\nthen left',
        authors=["-x", "B"],
    )
    r = export(as_viewer, format="csv")
    assert r.headers["content-type"].startswith("text/csv")
    assert r.headers["content-disposition"].startswith('attachment; filename="mimir-articles-')
    assert r.headers["content-disposition"].endswith('.csv"')
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8"))))
    assert tuple(rows[0]) == EXPORT_FIELDS and len(rows) == 1 + 23 + 3
    by_id = {int(row[0]): dict(zip(EXPORT_FIELDS, row, strict=True)) for row in rows[1:]}
    assert by_id[evil]["title"] == '\'=HYPERLINK("http://x","y")'
    titles = {row["title"] for row in by_id.values()}
    assert "'+1 for São Paulo, Łódź, 東京" in titles
    assert 'He said "no",\nthen left' in titles
    assert "'-x; B" in {row["authors"] for row in by_id.values()}
    assert [int(row[0]) for row in rows[1:]][3:] == many["newest"]  # newest first
    # the filters apply
    rows = list(csv.reader(io.StringIO(export(as_viewer, source_id=sid).text)))
    assert len(rows) == 4
    rows = list(csv.reader(io.StringIO(export(as_viewer, q="hyperlink").text)))
    assert [int(r[0]) for r in rows[1:]] == [evil]
    rows = list(csv.reader(io.StringIO(export(as_viewer, category="nothing").text)))
    assert rows == [list(EXPORT_FIELDS)]


def test_export_ndjson_streams_in_batches(
    as_viewer: TestClient, db: Database, many: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from mimir.storage import listing

    monkeypatch.setattr(listing, "EXPORT_BATCH", 5)
    original = listing.export_rows
    batches: list[int] = []

    def counted(*args: Any, **kw: Any) -> Any:
        for batch in original(*args, **{**kw, "batch": 5}):
            batches.append(len(batch))
            yield batch

    monkeypatch.setattr(listing, "export_rows", counted)
    sid = source(db, "intl")
    add(db, sid, "intl", NOW + timedelta(hours=1), title="Ελλάδα: «ψηφιακή» TV")
    r = export(as_viewer, format="ndjson")
    assert r.headers["content-type"] == "application/x-ndjson"
    lines = [orjson.loads(line) for line in r.content.splitlines()]
    assert len(lines) == 24 and set(lines[0]) == set(EXPORT_FIELDS)
    assert lines[0]["title"] == "Ελλάδα: «ψηφιακή» TV" and lines[0]["date"].endswith("Z")
    assert [line["id"] for line in lines[1:]] == many["newest"]
    assert batches == [5, 5, 5, 5, 4]
    r = export(as_viewer, format="ndjson", story_id=123456)
    assert r.content == b""
    r = as_viewer.get(f"{API}/export", params={"format": "xml"})
    assert r.status_code == 422 and "format" in r.json()["detail"]
    r = as_viewer.get(f"{API}/export", params={"q": "(unclosed"})
    assert r.status_code == 400 and r.json()["detail"].startswith("q:")


@pytest.mark.parametrize("path", [API, f"{API}/1", f"{API}/export"])
def test_anonymous_callers_get_401(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 401 and r.headers["content-type"] == "application/problem+json"


def test_every_role_may_read(
    as_editor: TestClient, as_admin: TestClient, scenario: Scenario
) -> None:
    assert len(ids(as_editor.get(API))) == len(ids(as_admin.get(API))) == 4


def test_exports_at_once_are_limited(
    as_viewer: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    from mimir.api.v1 import articles as routes

    monkeypatch.setattr(routes, "_exports", threading.BoundedSemaphore(1))
    routes._exports.acquire()  # one export running
    r = as_viewer.get(f"{API}/export")
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    routes._exports.release()
    assert as_viewer.get(f"{API}/export").status_code == 200


def test_a_stream_closed_early_stops_its_query(db: Database) -> None:
    import asyncio
    import threading
    import time
    from collections.abc import Generator

    from sqlalchemy import Connection, text

    from mimir.api.v1 import articles as routes

    closed = threading.Event()

    def endless(conn: Connection) -> Generator[bytes, None, None]:
        try:
            while True:
                yield str(conn.execute(text("SELECT 1")).scalar()).encode()
        finally:
            closed.set()

    async def take_two() -> list[bytes]:
        chunks = routes.stream(db, endless)
        got = [await anext(chunks), await anext(chunks)]
        await chunks.aclose()
        return got

    assert asyncio.run(take_two()) == [b"1", b"1"]
    assert closed.wait(5)  # the producer's generator was closed, its connection returned
    deadline = time.monotonic() + 5
    while routes._exports._value < routes.MAX_EXPORTS:  # type: ignore[attr-defined]
        assert time.monotonic() < deadline
        time.sleep(0.05)
