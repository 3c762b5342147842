"""/api/v1/sources: discovery, health, changes, the dry run, refresh now, history, import and
export; against the local fixture web (loopback allowed through MIMIR_FETCH_ALLOWED_NETWORKS)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from lxml import etree
from sqlalchemy import func, select

from mimir.api.v1.sources import MAX_IMPORT_BYTES, SourceCreate, SourceUpdate
from mimir.db.database import Database
from mimir.db.tables import article_jobs, articles, fetch_log, sources
from mimir.model import SourceKind, SourceSpec
from mimir.storage import sources as source_store
from tests.api.conftest import TestClient
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

API = "/api/v1/sources"
DATA = Path(__file__).parents[1] / "importers" / "data"


@pytest.fixture
def site(web: FixtureWeb) -> NewsSite:
    s = NewsSite(web)
    s.publish(4)
    return s


def add(c: TestClient, url: str, **body: Any) -> dict[str, Any]:
    r = c.post(API, json={"url": url, **body})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def spec(db: Database, name: str, url: str, **kw: Any) -> int:
    made = db.sync_write(
        source_store.add_source, SourceSpec(name=name, url=url, **kw), datetime.now(UTC)
    )
    return made.id


def count(db: Database, table: Any) -> int:
    return int(
        db.sync_read(lambda conn: conn.execute(select(func.count()).select_from(table)).scalar())
    )


# ---- create, read, list ---------------------------------------------------------------------


def test_create_discovers_the_feed_a_page_announces(as_editor: TestClient, site: NewsSite) -> None:
    body = add(as_editor, site.web.url("/news/"), category="trade_press")
    src, found = body["source"], body["discovery"]
    assert src["kind"] == "feed" and src["url"] in (site.feed_url("rss"), site.feed_url("atom"))
    assert src["name"].startswith("Test Broadcast News") and src["category"] == "trade_press"
    assert found["chosen"]["url"] == src["url"] and found["chosen"]["how"] == "announced"
    assert {c["url"] for c in found["candidates"]} >= {site.feed_url("rss"), site.feed_url("atom")}
    assert found["report"][0] == f"Discovery for {site.web.url('/news/')}:"
    assert found["report"][-1] == f"Chosen: {src['url']} (feed, announced)"
    health = src["health"]
    assert health["status"] == "new" and health["failing"] is False
    assert health["articles"] == 0 and health["consecutive_failures"] == 0

    r = as_editor.get(f"{API}/{src['id']}")
    assert r.status_code == 200 and r.json() == src
    again = as_editor.get(f"{API}/{src['id']}", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304


def test_create_without_discovery_and_its_defaults(as_editor: TestClient, web: FixtureWeb) -> None:
    body = add(
        as_editor,
        web.url("/press/"),
        kind="listing",
        enabled=False,
        settings={"selectors": {"article_link": "h2 a", "max_pages": 2}, "full_content": False},
    )
    src = body["source"]
    assert body["discovery"] is None and web.hits("/press/") == 0  # nothing was fetched
    assert (src["kind"], src["name"], src["enabled"]) == ("listing", f"127.0.0.1:{web.port}", False)
    assert src["settings"] == {"selectors": {"article_link": "h2 a", "max_pages": 2},
                               "full_content": False}  # fmt: skip
    assert src["health"]["next_check_at"] is None  # disabled: not scheduled


def test_nothing_to_follow_is_a_400_with_the_report(as_editor: TestClient, web: FixtureWeb) -> None:
    web.route("/empty/", "<html><head><title>Hi</title></head><body><p>Nothing</p></body></html>")
    r = as_editor.post(API, json={"url": web.url("/empty/")})
    assert r.status_code == 400 and r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["detail"].startswith("url: no feed, sitemap or listing page found")
    assert problem["code"] == "nothing_found"
    assert problem["discovery"]["report"][-1] == "Nothing usable found."


def test_duplicates_are_409_naming_the_field(as_editor: TestClient, site: NewsSite) -> None:
    add(as_editor, site.feed_url(), name="News", kind="feed")
    r = as_editor.post(API, json={"url": site.feed_url(), "name": "Other", "kind": "feed"})
    assert r.status_code == 409 and r.json()["detail"].startswith("url: source #")
    r = as_editor.post(API, json={"url": site.feed_url("atom"), "name": "News", "kind": "feed"})
    assert r.status_code == 409 and r.json()["detail"].startswith("name: source #")
    # a name read from the feed's title, not chosen, takes the first free number
    rss = '<rss version="2.0"><channel><title>Desk</title><item><title>One</title></item></rss>'
    for path in ("/desk-a.xml", "/desk-b.xml"):
        site.web.route(path, rss, content_type="application/rss+xml")
    assert add(as_editor, site.web.url("/desk-a.xml"))["source"]["name"] == "Desk"
    assert add(as_editor, site.web.url("/desk-b.xml"))["source"]["name"] == "Desk (2)"


def test_a_page_whose_feed_is_followed_is_409_with_the_report(
    as_editor: TestClient, site: NewsSite
) -> None:
    add(as_editor, site.feed_url(), name="News", kind="feed")
    r = as_editor.post(API, json={"url": site.web.url("/news/")})
    assert r.status_code == 409 and r.json()["code"] == "followed_already"
    assert r.json()["detail"].startswith(f"url: this site's feed {site.feed_url()} is followed")
    assert site.feed_url("atom") in r.json()["discovery"]["report"][-1]


def test_list_filters_and_pages(as_viewer: TestClient, db: Database) -> None:
    a = spec(db, "Alpha Wire", "https://alpha.example/feed")
    b = spec(db, "Beta Press", "https://beta.example/press/", kind=SourceKind.LISTING)
    c = spec(db, "Gamma 100%", "https://gamma.example/rss", enabled=False)
    db.sync_write(
        lambda conn: conn.execute(
            sources.update()
            .where(sources.c.id == b)
            .values(status="error", consecutive_errors=3, last_error_class="http_500")
        )
    )

    def ids(**params: Any) -> list[int]:
        r = as_viewer.get(API, params=params)
        assert r.status_code == 200, r.text
        return [s["id"] for s in r.json()["items"]]

    assert ids() == [a, b, c]
    assert ids(enabled="false") == [c] and ids(enabled="true") == [a, b]
    assert ids(kind="listing") == [b]
    assert ids(failing="true") == [b] and ids(failing="false") == [a, c]
    assert ids(q="PRESS") == [b] and ids(q="gamma.example") == [c]
    assert ids(q="100%") == [c] and ids(q="%") == [c]  # wildcards are literal
    first = as_viewer.get(API, params={"limit": 2}).json()
    assert [s["id"] for s in first["items"]] == [a, b] and first["next_cursor"]
    rest = as_viewer.get(API, params={"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [s["id"] for s in rest["items"]] == [c] and rest["next_cursor"] is None
    failing = as_viewer.get(f"{API}/{b}").json()["health"]
    assert failing["failing"] is True and failing["consecutive_failures"] == 3


# ---- changes --------------------------------------------------------------------------------


def test_patch_enable_disable_delete(as_editor: TestClient, db: Database) -> None:
    sid = spec(db, "Wire", "https://wire.example/feed", settings={"legacy": {"x": 1}})
    r = as_editor.patch(
        f"{API}/{sid}",
        json={
            "name": "The Wire",
            "category": "wires",
            "settings": {"min_interval_seconds": 600, "selectors": {"detail_content": "main"}},
        },
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert (got["name"], got["category"]) == ("The Wire", "wires")
    assert got["settings"] == {"legacy": {"x": 1}, "min_interval_seconds": 600,
                               "selectors": {"detail_content": "main"}}  # fmt: skip
    r = as_editor.patch(f"{API}/{sid}", json={"settings": {"min_interval_seconds": None}})
    assert "min_interval_seconds" not in r.json()["settings"]
    r = as_editor.patch(f"{API}/{sid}", json={"url": "https://wire.example/atom", "kind": "feed"})
    assert r.json()["url"] == "https://wire.example/atom"

    off = as_editor.post(f"{API}/{sid}/disable")
    assert off.status_code == 200 and off.json()["enabled"] is False
    on = as_editor.post(f"{API}/{sid}/enable").json()
    assert on["enabled"] is True and on["health"]["next_check_at"] is not None

    assert as_editor.delete(f"{API}/{sid}").status_code == 204
    assert as_editor.get(f"{API}/{sid}").status_code == 404
    assert as_editor.delete(f"{API}/{sid}").status_code == 404


def test_viewers_read_but_do_not_change(
    as_viewer: TestClient, client: TestClient, db: Database
) -> None:
    sid = spec(db, "Wire", "https://wire.example/feed")
    assert as_viewer.get(API).status_code == 200
    assert as_viewer.get(f"{API}/{sid}").status_code == 200
    assert as_viewer.get(f"{API}/{sid}/history").status_code == 200
    assert as_viewer.get(f"{API}/export.opml").status_code == 200
    changes = [
        ("post", API, {"json": {"url": "https://x.example/feed", "kind": "feed"}}),
        ("patch", f"{API}/{sid}", {"json": {"name": "x"}}),
        ("delete", f"{API}/{sid}", {}),
        ("post", f"{API}/{sid}/enable", {}),
        ("post", f"{API}/{sid}/disable", {}),
        ("post", f"{API}/{sid}/test", {}),
        ("post", f"{API}/{sid}/refresh", {}),
        ("post", f"{API}/import", {"content": b"<opml/>"}),
    ]
    for method, path, kw in changes:
        r = getattr(as_viewer, method)(path, **kw)
        assert r.status_code == 403, (method, path, r.text)
        assert "editor" in r.json()["detail"]
        assert getattr(client, method)(path, **kw).status_code == 401
    assert client.get(API).status_code == 401
    assert as_viewer.get(f"{API}/{sid}").json()["name"] == "Wire"


# ---- dry run, refresh now, history ----------------------------------------------------------


def test_the_dry_run_shows_what_would_be_stored_and_writes_nothing(
    as_editor: TestClient, db: Database, site: NewsSite
) -> None:
    sid = spec(db, "News", site.feed_url())
    before = as_editor.get(f"{API}/{sid}").json()
    r = as_editor.post(f"{API}/{sid}/test", params={"articles": 2})
    assert r.status_code == 200, r.text
    p = r.json()
    assert (p["kind"], p["format"], p["title"], p["error"]) == (
        "feed", "rss20", "Test Broadcast News", None,
    )  # fmt: skip
    assert p["entries_total"] == 4 and len(p["entries"]) == 4
    assert len(p["articles"]) == 2
    art = p["articles"][0]
    assert art["error"] is None and art["title"] == site.items[-1].title
    assert art["canonical_url"] == site.url(site.items[-1])  # tracking parameters gone
    assert "Story number 3" in art["text"]
    for table in (articles, article_jobs, fetch_log):
        assert count(db, table) == 0
    assert as_editor.get(f"{API}/{sid}").json() == before


def test_the_dry_run_reports_a_broken_source(
    as_editor: TestClient, db: Database, web: FixtureWeb
) -> None:
    web.route("/gone.xml", "gone", status=500, content_type="text/plain")
    sid = spec(db, "Broken", web.url("/gone.xml"))
    p = as_editor.post(f"{API}/{sid}/test").json()
    assert p["error"].startswith("http_500") and p["entries"] == []
    assert count(db, fetch_log) == 0


def test_refresh_and_wait_stores_the_articles(
    as_editor: TestClient, db: Database, site: NewsSite
) -> None:
    sid = spec(db, "News", site.feed_url())
    r = as_editor.post(f"{API}/{sid}/refresh", params={"wait": "true", "timeout": 30})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["finished"] is True and out["timed_out"] is False
    assert (out["outcome"], out["status_code"], out["entries"], out["new_entries"]) == (
        "ok", 200, 4, 4,
    )  # fmt: skip
    assert out["queued"] == 4 and out["stored"] == 4 and out["error_class"] is None
    assert count(db, articles) == 4
    health = as_editor.get(f"{API}/{sid}").json()["health"]
    assert health["status"] == "ok" and health["articles"] == health["articles_last_7_days"] == 4
    assert health["last_checked_at"] and health["next_check_at"] > health["last_checked_at"]
    [check] = as_editor.get(f"{API}/{sid}/history").json()["items"]
    assert (check["outcome"], check["entries"], check["new_entries"]) == ("ok", 4, 4)

    again = as_editor.post(f"{API}/{sid}/refresh", params={"wait": "true"}).json()
    assert again["outcome"] == "not_modified" and again["stored"] == 0


def test_refresh_marks_the_source_due_for_a_worker(as_editor: TestClient, db: Database) -> None:
    sid = spec(db, "Wire", "https://wire.example/feed")
    later = datetime.now(UTC) + timedelta(hours=3)
    db.sync_write(
        lambda conn: conn.execute(
            sources.update().where(sources.c.id == sid).values(next_check_at=later)
        )
    )
    r = as_editor.post(f"{API}/{sid}/refresh")
    assert r.status_code == 202, r.text
    due = datetime.fromisoformat(r.json()["due_at"])
    assert abs((due - datetime.now(UTC)).total_seconds()) < 30
    stored = db.sync_read(source_store.get_source, sid)
    assert stored.next_check_at is not None and stored.next_check_at <= datetime.now(UTC)
    assert count(db, fetch_log) == 0  # nothing ran here: a worker will claim it
    as_editor.post(f"{API}/{sid}/disable")
    r = as_editor.post(f"{API}/{sid}/refresh")
    assert r.status_code == 409 and "disabled" in r.json()["detail"]


def test_history_pages_newest_first(as_viewer: TestClient, db: Database) -> None:
    sid = spec(db, "Wire", "https://wire.example/feed")
    start = datetime(2026, 3, 1, 8, 0, tzinfo=UTC)
    for i in range(5):
        db.sync_write(
            source_store.record_check,
            sid,
            {"status": "ok", "last_checked_at": start + timedelta(minutes=i)},
            {
                "started_at": start + timedelta(minutes=i),
                "duration_ms": 10 + i,
                "outcome": "ok",
                "entries": i,
                "new_entries": 0,
                "bytes": 100,
                "worker": "w1",
            },
        )
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = as_viewer.get(f"{API}/{sid}/history", params=params).json()
        seen += [c["entries"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == [4, 3, 2, 1, 0]
    assert as_viewer.get(f"{API}/999/history").status_code == 404


# ---- import and export ----------------------------------------------------------------------


def test_import_opml_as_a_form_upload(as_editor: TestClient, db: Database) -> None:
    data = (DATA / "feedly_export.opml").read_bytes()
    r = as_editor.post(f"{API}/import", files={"file": ("feedly.opml", data, "text/x-opml")})
    assert r.status_code == 200, r.text
    report = r.json()
    assert (report["filename"], report["format"], report["found"]) == ("feedly.opml", "opml", 9)
    assert len(report["added"]) == 9 and report["already_present"] == []
    assert {s["entry"] for s in report["skipped"]} == {"TechCrunch", "A saved link", "Broken"}
    assert count(db, sources) == 9
    again = as_editor.post(f"{API}/import", content=data).json()
    assert again["added"] == [] and len(again["already_present"]) == 9
    assert again["already_present"][0]["reason"].startswith("source already exists")


def test_import_legacy_json_raw_with_a_report(as_editor: TestClient, db: Database) -> None:
    data = (DATA / "sites_to_scrape.json").read_bytes()
    dry = as_editor.post(f"{API}/import", params={"dry_run": "true"}, content=data).json()
    assert dry["dry_run"] is True and dry["found"] == 7 and dry["added"] == []
    assert count(db, sources) == 0
    r = as_editor.post(
        f"{API}/import",
        params={"filename": "sites_to_scrape.json"},
        content=data,
        headers={"Content-Type": "application/json"},
    )
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["format"] == "legacy_json" and len(report["added"]) == 7
    assert [s["entry"] for s in report["skipped"]] == [
        "entry 8 (https://www.ebu.ch/news)", "NAB", "Broken URL", "Old API", "entry 12",
    ]  # fmt: skip
    assert report["unknown_keys"]["Harmonic Press"] == ["last_scraped", "max_articles"]
    assert "'Variety': name already used, imported as 'Variety (2)'" in report["warnings"]
    harmonic = next(s for s in as_editor.get(API).json()["items"] if s["name"] == "Harmonic Press")
    assert harmonic["kind"] == "listing"

    watches = as_editor.post(f"{API}/import", content=(DATA / "config.json").read_bytes()).json()
    assert watches["found"] == 0 and "Keyword: ATSC 3.0" in watches["watches"]["added"]


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"", "file: import file: the file is empty"),
        (b"just words", "file: import file: not OPML (XML) or a JSON"),
        (b"<html><body/></html>", "file: not an OPML document"),
        (b"[{", "file: "),
        (b"<opml><body><outline " + b"x" * 10 + b"</opml>", "file: OPML: not well-formed"),
    ],
)
def test_unusable_import_files_are_400(
    as_editor: TestClient, db: Database, content: bytes, detail: str
) -> None:
    r = as_editor.post(f"{API}/import", content=content)
    assert r.status_code == 400, r.text
    assert r.json()["detail"].startswith(detail)
    assert count(db, sources) == 0


def test_import_bodies_are_bounded(as_editor: TestClient) -> None:
    big = b"<opml>" + b" " * (MAX_IMPORT_BYTES + 100 * 1024) + b"</opml>"
    r = as_editor.post(f"{API}/import", content=big)
    assert r.status_code == 413 and r.json()["detail"].startswith("body: larger than")
    r = as_editor.post(f"{API}/import", files={"other": ("a.txt", b"x", "text/plain")})
    assert r.status_code == 400 and r.json()["detail"].startswith("file:")


def test_export_round_trips(as_editor: TestClient, db: Database) -> None:
    as_editor.post(f"{API}/import", content=(DATA / "sites_to_scrape.json").read_bytes())
    as_editor.post(f"{API}/import", content=(DATA / "broadcast_sources.json").read_bytes())
    before = {
        (s["name"], s["url"], s["kind"], s["enabled"], s["category"], s["note"],
         json.dumps(s["settings"], sort_keys=True))
        for s in as_editor.get(API, params={"limit": 500}).json()["items"]
    }  # fmt: skip
    r = as_editor.get(f"{API}/export.opml")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/x-opml")
    assert "attachment" in r.headers["content-disposition"]
    root = etree.fromstring(r.content)
    assert root.tag == "opml" and root.get("version") == "2.0"
    assert (
        as_editor.get(
            f"{API}/export.opml", headers={"If-None-Match": r.headers["etag"]}
        ).status_code
        == 304
    )

    for s in as_editor.get(API, params={"limit": 500}).json()["items"]:
        assert as_editor.delete(f"{API}/{s['id']}").status_code == 204
    report = as_editor.post(f"{API}/import", content=r.content).json()
    assert len(report["added"]) == len(before) and report["skipped"] == []
    after = {
        (s["name"], s["url"], s["kind"], s["enabled"], s["category"], s["note"],
         json.dumps(s["settings"], sort_keys=True))
        for s in as_editor.get(API, params={"limit": 500}).json()["items"]
    }  # fmt: skip
    assert after == before


# ---- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://example.org/feed"}, "body.url"),
        ({"url": "not a url"}, "body.url"),
        ({"url": "https://x.example/f", "kind": "podcast"}, "body.kind"),
        ({"url": "https://x.example/f", "colour": "red"}, "body.colour"),
        ({"url": "https://x.example/f", "name": ""}, "body.name"),
        ({"url": "https://x.example/f", "settings": {"min_interval_seconds": 5}},
         "body.settings.min_interval_seconds"),
        ({"url": "https://x.example/f",
          "settings": {"min_interval_seconds": 7200, "max_interval_seconds": 600}},
         "body.settings"),
        ({"url": "https://x.example/f", "settings": {"selectors": {"title": "h1[["}}},
         "body.settings.selectors.title"),
        ({"url": "https://x.example/f", "settings": {"selectors": {"bogus": "a"}}},
         "body.settings.selectors.bogus"),
    ],
)  # fmt: skip
def test_bad_bodies_are_422_naming_the_field(
    as_editor: TestClient, body: dict[str, Any], field: str
) -> None:
    r = as_editor.post(API, json=body)
    assert r.status_code == 422, r.text
    assert r.json()["detail"].startswith(f"{field}: "), r.json()["detail"]


def test_bad_parameters_and_patches(as_editor: TestClient, db: Database) -> None:
    sid = spec(db, "Wire", "https://wire.example/feed")
    assert as_editor.get(f"{API}/0").status_code == 422
    assert as_editor.get(f"{API}/{2**63}").status_code == 422
    assert as_editor.get(f"{API}/abc").status_code == 422
    assert as_editor.get(f"{API}/424242").status_code == 404
    r = as_editor.get(API, params={"cursor": "garbage"})
    assert r.status_code == 400 and r.json()["detail"].startswith("cursor:")
    r = as_editor.get(f"{API}/{sid}/history", params={"cursor": "WzEsMl0"})
    assert r.status_code == 400 and r.json()["detail"].startswith("cursor:")
    assert as_editor.get(API, params={"kind": "podcast"}).status_code == 422
    assert as_editor.post(f"{API}/{sid}/refresh", params={"timeout": 0}).status_code == 422
    assert as_editor.post(f"{API}/{sid}/test", params={"articles": 99}).status_code == 422
    r = as_editor.patch(f"{API}/{sid}", json={"name": None})
    assert r.status_code == 400 and r.json()["detail"].startswith("name:")
    r = as_editor.patch(f"{API}/{sid}", json={"settings": None})
    assert r.status_code == 400 and r.json()["detail"].startswith("settings:")
    as_editor.patch(f"{API}/{sid}", json={"settings": {"max_interval_seconds": 600}})
    r = as_editor.patch(f"{API}/{sid}", json={"settings": {"min_interval_seconds": 3600}})
    assert r.status_code == 400 and r.json()["detail"].startswith("settings.min_interval")
    assert as_editor.patch(f"{API}/424242", json={"name": "x"}).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "http://10.0.0.1/feed.xml",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]:8080/feed",
        "http://192.168.1.1/",
    ],
)
@pytest.mark.parametrize("discover", [True, False])
def test_addresses_the_ssrf_guard_refuses_are_400(
    as_editor: TestClient, db: Database, url: str, discover: bool
) -> None:
    r = as_editor.post(API, json={"url": url, "discover": discover})
    assert r.status_code == 400, r.text
    detail = r.json()["detail"]
    assert detail.startswith("url: ") and "refused" in detail
    assert count(db, sources) == 0
    sid = spec(db, "Wire", "https://wire.example/feed")
    r = as_editor.patch(f"{API}/{sid}", json={"url": url})
    assert r.status_code == 400 and "refused" in r.json()["detail"]


def test_the_documented_examples_are_valid() -> None:
    for model in (SourceCreate, SourceUpdate):
        examples = model.model_config.get("json_schema_extra", {})["examples"]  # type: ignore[index,union-attr]
        for example in examples:
            model.model_validate(example)
