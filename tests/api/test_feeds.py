"""GET /feeds/{token}.atom|.rss|.json: every watch is a feed any reader can follow."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import feedparser
import pytest
from fastapi import FastAPI

from mimir.alerts.feeds_query import FEED_FORMATS, feed_url
from mimir.alerts.outfeeds import CONTENT_TYPES, mint_feed_token
from mimir.api.boundary import SECURITY_HEADERS
from mimir.db.database import Database
from mimir.storage import watches as watch_store
from tests.api.conftest import Scenario, TestClient
from tests.storage.test_articles import NOW

PROBLEM = "application/problem+json"


def assert_secured(response: object) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    for name, value in SECURITY_HEADERS.items():
        assert headers[name] == value, name
    assert headers["content-security-policy"] == "default-src 'none'; frame-ancestors 'none'"
    assert "server" not in headers or "uvicorn" not in headers["server"]


def test_atom_feed_lists_the_watch_alerts_newest_first(
    client: TestClient, scenario: Scenario
) -> None:
    url = f"/feeds/{scenario.token}.atom"
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == CONTENT_TYPES["atom"]
    assert r.headers["cache-control"] == "max-age=60"
    assert_secured(r)
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "atom10"
    assert parsed.feed.title == "NextGen <TV> & co"
    self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
    assert self_links == [f"http://testserver{url}"]
    assert [e.title for e in parsed.entries] == [
        "Brazil picks ATSC 3.0",
        "Sinclair picks Harmonic for NextGen TV",
    ]
    assert [e.link for e in parsed.entries] == [scenario.brazil_url, scenario.release_url]
    assert [e.id for e in parsed.entries] == [scenario.brazil_url, scenario.release_url]
    release = parsed.entries[1]
    # the story's copy on another source is named and linked, the matched term highlighted
    assert "Also in 1 other source" in release.content[0].value
    assert scenario.copy_url in release.content[0].value
    assert "<strong>NextGen TV</strong>" in release.content[0].value
    assert release.author == "wire"
    assert [t.term for t in release.tags] == ['"nextgen tv"']


def test_rss_feed(client: TestClient, scenario: Scenario) -> None:
    r = client.get(f"/feeds/{scenario.token}.rss")
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == CONTENT_TYPES["rss"]
    assert_secured(r)
    parsed = feedparser.parse(r.content)
    assert not parsed.bozo, parsed.bozo_exception
    assert parsed.version == "rss20"
    assert parsed.feed.title == "NextGen <TV> & co"
    assert [e.title for e in parsed.entries] == [
        "Brazil picks ATSC 3.0",
        "Sinclair picks Harmonic for NextGen TV",
    ]
    assert [e.link for e in parsed.entries] == [scenario.brazil_url, scenario.release_url]
    assert parsed.entries[0].published_parsed > parsed.entries[1].published_parsed
    assert scenario.copy_url in parsed.entries[1].description


def test_json_feed(client: TestClient, scenario: Scenario) -> None:
    url = f"/feeds/{scenario.token}.json?utm=x"
    r = client.get(url)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == CONTENT_TYPES["json"]
    assert_secured(r)
    doc = json.loads(r.content)
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert doc["title"] == "NextGen <TV> & co"
    assert doc["feed_url"] == f"http://testserver{url}"  # the request's own URL
    items = doc["items"]
    assert [i["title"] for i in items] == [
        "Brazil picks ATSC 3.0",
        "Sinclair picks Harmonic for NextGen TV",
    ]
    assert [i["url"] for i in items] == [scenario.brazil_url, scenario.release_url]
    assert items[0]["date_published"] > items[1]["date_published"]
    assert items[0]["_mimir"]["alert_id"] > items[1]["_mimir"]["alert_id"]
    assert items[1]["_mimir"]["other_sources"] == ["tvtech"]
    assert items[0]["_mimir"]["other_sources"] == []
    assert items[1]["authors"] == [{"name": "wire"}]


def test_the_three_formats_carry_the_same_entries(client: TestClient, scenario: Scenario) -> None:
    atom = feedparser.parse(client.get(f"/feeds/{scenario.token}.atom").content)
    rss = feedparser.parse(client.get(f"/feeds/{scenario.token}.rss").content)
    items = client.get(f"/feeds/{scenario.token}.json").json()["items"]
    assert [e.link for e in atom.entries] == [e.link for e in rss.entries]
    assert [e.link for e in atom.entries] == [i["url"] for i in items]


def test_unknown_and_disabled_tokens_get_the_same_404(
    client: TestClient, scenario: Scenario
) -> None:
    answers = [
        client.get(f"/feeds/{token}.{fmt}")
        for token in (mint_feed_token(), scenario.disabled_token, "not a token", "a" * 500)
        for fmt in FEED_FORMATS
    ]
    for r in answers:
        assert r.status_code == 404
        assert r.headers["content-type"] == PROBLEM
        assert_secured(r)
        assert r.json() == answers[0].json()
        assert "etag" not in r.headers
    assert set(answers[0].json()) == {"type", "title", "status", "detail"}
    assert answers[0].json()["status"] == 404
    assert scenario.disabled_token not in answers[0].text
    # a format that does not exist, or a right token under another path: 404 too
    for path in (f"/feeds/{scenario.token}.xml", f"/feeds/{scenario.token}", "/feeds/"):
        r = client.get(path)
        assert r.status_code == 404 and r.headers["content-type"] == PROBLEM, path
        assert scenario.token not in r.text


def test_a_disabled_watch_stops_its_feed_and_enabling_brings_it_back(
    client: TestClient, scenario: Scenario, db: Database
) -> None:
    url = f"/feeds/{scenario.token}.atom"
    db.sync_write(watch_store.set_enabled, scenario.watch_id, False, NOW)
    assert client.get(url).status_code == 404
    db.sync_write(watch_store.set_enabled, scenario.watch_id, True, NOW)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("fmt", FEED_FORMATS)
def test_etag_and_if_none_match(client: TestClient, scenario: Scenario, fmt: str) -> None:
    url = f"/feeds/{scenario.token}.{fmt}"
    first = client.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert client.get(url).headers["etag"] == etag  # the same content, the same tag
    for header in (etag, f"W/{etag}", f'"other", {etag}', "*"):
        r = client.get(url, headers={"If-None-Match": header})
        assert r.status_code == 304, header
        assert r.content == b""
        assert r.headers["etag"] == etag and r.headers["cache-control"] == "max-age=60"
        assert_secured(r)
    changed = client.get(url, headers={"If-None-Match": '"stale"'})
    assert changed.status_code == 200 and changed.content == first.content


def test_a_new_alert_changes_the_feed_and_its_etag(
    client: TestClient, scenario: Scenario, db: Database
) -> None:
    from mimir.alerts.matching import WatchSet
    from mimir.monitor.ingest import AfterStore
    from tests.api.conftest import store
    from tests.storage.test_articles import source
    from tests.storage.test_stories_alerts import article

    url = f"/feeds/{scenario.token}.atom"
    before = client.get(url)
    text = (
        "Korean broadcasters will add NextGen TV channels in Busan next spring, the regulator "
        "said on Tuesday, after trials of mobile reception on buses and trains went well. " * 3
    )
    sid = source(db, "yonhap")
    store(
        db,
        article(sid, "https://yonhap.example/busan", "Busan gets NextGen TV", text),
        AfterStore(db.sync_read(WatchSet.load)),
    )
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert after.headers["etag"] != before.headers["etag"]
    assert feedparser.parse(after.content).entries[0].title == "Busan gets NextGen TV"


def test_head_answers_like_get_without_a_body(client: TestClient, scenario: Scenario) -> None:
    url = f"/feeds/{scenario.token}.rss"
    get, head = client.get(url), client.head(url)
    assert head.status_code == 200 and head.content == b""
    assert head.headers["etag"] == get.headers["etag"]
    assert head.headers["content-type"] == CONTENT_TYPES["rss"]
    assert client.head(f"/feeds/{mint_feed_token()}.rss").status_code == 404


def test_an_empty_watch_is_an_empty_feed(client: TestClient, db: Database) -> None:
    from mimir.alerts import manage
    from mimir.model.watches import WatchSpec

    wid = db.sync_write(lambda conn: manage.add_watch(conn, WatchSpec("quiet", "satellite"), NOW))
    token = db.sync_read(watch_store.find_watch, wid).feed_token
    for fmt in FEED_FORMATS:
        r = client.get(f"/feeds/{token}.{fmt}")
        assert r.status_code == 200, r.text
        if fmt == "json":
            assert r.json()["items"] == []
        else:
            parsed = feedparser.parse(r.content)
            assert not parsed.bozo and parsed.entries == [] and parsed.feed.title == "quiet"


def test_feed_url_pattern() -> None:
    assert feed_url("https://mimir.example.org/", "abc", "rss") == (
        "https://mimir.example.org/feeds/abc.rss"
    )
    assert urlsplit(feed_url("http://127.0.0.1:8080", "t")).path == "/feeds/t.atom"


def test_errors_are_problem_json_with_security_headers(client: TestClient) -> None:
    r = client.get("/no/such/page")
    assert r.status_code == 404 and r.headers["content-type"] == PROBLEM
    assert r.json()["title"] == "Not Found"
    assert_secured(r)
    r = client.post("/healthz")
    assert r.status_code == 405 and r.headers["content-type"] == PROBLEM
    assert r.headers["allow"] == "GET"
    assert_secured(r)


def test_an_unexpected_error_is_a_500_problem_that_keeps_the_token_out(
    client: TestClient,
) -> None:
    app = client.app
    assert isinstance(app, FastAPI)

    async def broken(token: str) -> None:
        raise RuntimeError(f"something broke while reading {token}")

    # a route of the test's own, under the feeds' path, that fails
    app.router.add_api_route("/feeds/{token}.broken", broken)
    token = mint_feed_token()
    r = client.get(f"/feeds/{token}.broken")
    assert r.status_code == 500
    assert r.headers["content-type"] == PROBLEM
    assert r.json() == {
        "type": "about:blank",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "Mimir could not answer this request.",
    }
    assert token not in r.text
    assert_secured(r)
