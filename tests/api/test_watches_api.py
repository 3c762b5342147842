"""/api/v1 watches, channels and alerts: ownership, CRUD, the test routes, alert pages, input."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from mimir.alerts import manage
from mimir.alerts.matching import WatchSet
from mimir.alerts.signing import verify
from mimir.api.v1.common import encode_cursor
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.tables import users
from mimir.model.watches import WatchSpec
from mimir.monitor.ingest import AfterStore
from tests.alerts.receiver import Receiver, Reply, SMTPServer
from tests.api.conftest import People, Scenario, TestClient, signed_in, store, with_key
from tests.storage.test_articles import source
from tests.storage.test_stories_alerts import OTHER, article

API = "/api/v1"
HOOK = "json://hooks.example.org/mimir"
STATIONS = ("WKRN in Nashville", "KOMO in Seattle", "WRAL in Raleigh")


def watch_body(**kw: Any) -> dict[str, Any]:
    return {"name": "NextGen", "query": '"NextGen TV" OR "ATSC 3.0"', **kw}


def created(r: Any) -> dict[str, Any]:
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


@pytest.fixture
def local(settings: Settings) -> Settings:
    """Settings that let channels point at this machine (the test receivers)."""
    return settings.model_copy(update={"notify_allowed_networks": "127.0.0.0/8"})


@pytest.fixture
def viewer_here(local: Settings, db: Database, people: People) -> Iterator[TestClient]:
    with signed_in(local, db, people.viewer) as c:
        yield c


# ---- access -------------------------------------------------------------------------------------


def test_anonymous_callers_get_401(client: TestClient) -> None:
    for method, path in (
        ("GET", "/watches"),
        ("POST", "/watches"),
        ("GET", "/watches/1"),
        ("POST", "/watches/test"),
        ("GET", "/watches/1/alerts"),
        ("GET", "/channels"),
        ("POST", "/channels/1/test"),
        ("GET", "/alerts"),
    ):
        r = client.request(method, API + path, json={})
        assert r.status_code == 401, f"{method} {path}: {r.status_code}"
        assert r.headers["content-type"] == "application/problem+json"


def test_a_read_only_key_reads_but_does_not_create(
    settings: Settings, db: Database, people: People, scenario: Scenario
) -> None:
    with with_key(settings, db, people.viewer, "read") as bot:
        assert bot.get(f"{API}/watches").status_code == 200
        assert bot.get(f"{API}/alerts").status_code == 200
        r = bot.post(f"{API}/watches", json=watch_body())
        assert r.status_code == 403 and "write scope" in r.json()["detail"]
    with with_key(settings, db, people.viewer, "read", "write") as bot:
        assert (
            created(bot.post(f"{API}/watches", json=watch_body()))["owner_id"] == people.viewer.id
        )


# ---- watches ------------------------------------------------------------------------------------


def test_a_viewer_creates_reads_changes_and_deletes_their_watch(
    as_viewer: TestClient, db: Database, people: People
) -> None:
    db.sync_write(
        lambda conn: conn.execute(
            update(users).where(users.c.id == people.viewer.id).values(timezone="Europe/Berlin")
        )
    )
    r = as_viewer.post(f"{API}/watches", json=watch_body(note="  for the desk "))
    watch = created(r)
    assert r.headers["location"].endswith(f"/api/v1/watches/{watch['id']}")
    assert watch["owner_id"] == people.viewer.id and watch["timezone"] == "Europe/Berlin"
    assert watch["mode"] == "instant" and watch["next_digest_at"] is None
    assert watch["note"] == "for the desk" and watch["channel_ids"] == []
    assert len(watch["feed_token"]) >= 32 and watch["enabled"] is True

    one = as_viewer.get(f"{API}/watches/{watch['id']}")
    assert one.status_code == 200 and one.json() == watch
    again = as_viewer.get(
        f"{API}/watches/{watch['id']}", headers={"If-None-Match": one.headers["etag"]}
    )
    assert again.status_code == 304

    r = as_viewer.patch(
        f"{API}/watches/{watch['id']}",
        json={"mode": "daily", "query": '"ATSC 3.0" -sports', "note": ""},
    )
    assert r.status_code == 200, r.text
    changed = r.json()
    assert changed["mode"] == "daily" and changed["query"] == '"ATSC 3.0" -sports'
    assert changed["note"] is None and changed["next_digest_at"] is not None
    digest_at = datetime.fromisoformat(changed["next_digest_at"])
    assert timedelta(0) < digest_at - datetime.now(UTC) <= timedelta(days=1)
    assert changed["updated_at"] >= watch["updated_at"]
    assert as_viewer.get(f"{API}/watches/{watch['id']}").json() == changed
    r = as_viewer.patch(f"{API}/watches/{watch['id']}", json={"mode": "instant", "enabled": False})
    assert r.json()["next_digest_at"] is None and r.json()["enabled"] is False

    assert as_viewer.delete(f"{API}/watches/{watch['id']}").status_code == 204
    r = as_viewer.get(f"{API}/watches/{watch['id']}")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert as_viewer.delete(f"{API}/watches/{watch['id']}").status_code == 404


def test_only_owners_and_editors_change_a_watch(
    as_viewer: TestClient, as_editor: TestClient, as_admin: TestClient, scenario: Scenario
) -> None:
    theirs = created(as_editor.post(f"{API}/watches", json=watch_body(name="Editor's")))
    mine = created(as_viewer.post(f"{API}/watches", json=watch_body(name="Mine")))

    seen = as_viewer.get(f"{API}/watches/{theirs['id']}").json()
    assert seen["owner_id"] == theirs["owner_id"] and seen["feed_token"] is None  # read, no feed
    for r in (
        as_viewer.patch(f"{API}/watches/{theirs['id']}", json={"enabled": False}),
        as_viewer.delete(f"{API}/watches/{theirs['id']}"),
        # made from the shell (no owner): editors' business
        as_viewer.patch(f"{API}/watches/{scenario.watch_id}", json={"enabled": False}),
    ):
        assert r.status_code == 403 and "someone else" in r.json()["detail"], r.text
    assert as_editor.get(f"{API}/watches/{theirs['id']}").json()["enabled"] is True

    assert (
        as_viewer.patch(f"{API}/watches/{mine['id']}", json={"name": "Mine, renamed"}).json()[
            "name"
        ]
        == "Mine, renamed"
    )
    r = as_editor.patch(f"{API}/watches/{mine['id']}", json={"enabled": False})
    assert r.status_code == 200 and r.json()["feed_token"] == mine["feed_token"]
    assert r.json()["owner_id"] == mine["owner_id"]  # an editor's change keeps the owner
    assert as_admin.delete(f"{API}/watches/{theirs['id']}").status_code == 204

    listed = as_viewer.get(f"{API}/watches", params={"owner_id": mine["owner_id"]}).json()
    assert [w["id"] for w in listed["items"]] == [mine["id"]]


def test_a_watch_gets_only_channels_its_caller_may_use(
    as_viewer: TestClient, as_editor: TestClient, scenario: Scenario
) -> None:
    mine = created(as_viewer.post(f"{API}/channels", json={"name": "mine", "url": HOOK}))
    theirs = created(as_editor.post(f"{API}/channels", json={"name": "theirs", "url": HOOK}))
    desk = as_viewer.get(f"{API}/channels").json()["items"][0]  # the shell's, no owner
    assert desk["name"] == "desk" and desk["owner_id"] is None

    watch = created(as_viewer.post(f"{API}/watches", json=watch_body(channel_ids=[mine["id"]])))
    assert watch["channel_ids"] == [mine["id"]]
    for ids in ([theirs["id"]], [mine["id"], desk["id"]]):
        r = as_viewer.patch(f"{API}/watches/{watch['id']}", json={"channel_ids": ids})
        assert r.status_code == 403 and "channel_ids" in r.json()["detail"], r.text
        r = as_viewer.post(f"{API}/watches", json=watch_body(name="other", channel_ids=ids))
        assert r.status_code == 403
    # an editor may attach any channel; the viewer keeps it when changing something else
    r = as_editor.patch(
        f"{API}/watches/{watch['id']}", json={"channel_ids": [mine["id"], theirs["id"]]}
    )
    assert r.status_code == 200 and r.json()["channel_ids"] == sorted([mine["id"], theirs["id"]])
    r = as_viewer.patch(
        f"{API}/watches/{watch['id']}", json={"channel_ids": [theirs["id"], mine["id"]]}
    )
    assert r.status_code == 200, r.text
    r = as_viewer.patch(f"{API}/watches/{watch['id']}", json={"channel_ids": []})
    assert r.json()["channel_ids"] == []


def test_watch_lists_are_keyset_pages(as_viewer: TestClient) -> None:
    made = [
        created(as_viewer.post(f"{API}/watches", json=watch_body(name=f"w{i}")))["id"]
        for i in range(5)
    ]
    seen: list[int] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        body = as_viewer.get(f"{API}/watches", params=params).json()
        seen += [w["id"] for w in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
        created(as_viewer.post(f"{API}/watches", json=watch_body(name=f"late{len(seen)}")))
    everything = [w["id"] for w in as_viewer.get(f"{API}/watches").json()["items"]]
    assert seen[:5] == made and seen == everything  # new rows join the end: none missed or repeated


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        (watch_body(query='"ATSC 3.0'), 400, "query"),
        (watch_body(query="title:"), 400, "query"),
        (watch_body(query=""), 422, "query"),
        (watch_body(query="a" * 4001), 422, "query"),
        (watch_body(name="   "), 400, "name"),
        (watch_body(name=""), 422, "name"),
        (watch_body(timezone="Mars/Olympus"), 400, "timezone"),
        (watch_body(timezone="x" * 64), 400, "timezone"),
        (watch_body(mode="weekly"), 422, "mode"),
        (watch_body(channel_ids=[987654]), 400, "channel_ids"),
        (watch_body(channel_ids=[0]), 422, "channel_ids"),
        (watch_body(channel_ids=[2**63]), 422, "channel_ids"),
        (watch_body(owner_id=5), 422, "owner_id"),
        (watch_body(name="a\x00b"), 400, "name"),
        (watch_body(query="atsc\x00nextgen"), 400, "query"),
        (watch_body(note="\x00"), 400, "note"),
        ({"query": "atsc"}, 422, "name"),
    ],
)
def test_bad_watch_input_names_the_field(
    as_viewer: TestClient, body: dict[str, Any], status: int, field: str
) -> None:
    r = as_viewer.post(f"{API}/watches", json=body)
    assert r.status_code == status and field in r.json()["detail"], r.text


def test_a_bad_query_points_at_the_position_and_names_are_unique(
    as_viewer: TestClient, as_editor: TestClient
) -> None:
    r = as_viewer.post(f"{API}/watches", json=watch_body(query="atsc AND (nextgen"))
    assert r.status_code == 400 and r.json()["code"] == "query_syntax"
    assert "position" in r.json()["detail"] and "^" in r.json()["detail"]
    watch = created(as_viewer.post(f"{API}/watches", json=watch_body()))
    r = as_editor.post(f"{API}/watches", json=watch_body())
    assert r.status_code == 409 and "name" in r.json()["detail"]
    other = created(as_viewer.post(f"{API}/watches", json=watch_body(name="Other")))
    r = as_viewer.patch(f"{API}/watches/{other['id']}", json={"name": "NextGen"})
    assert r.status_code == 409
    r = as_viewer.patch(f"{API}/watches/{watch['id']}", json={"query": "NEAR/5 x"})
    assert r.status_code == 400 and r.json()["detail"].startswith("query:")
    for path in ("/watches/0", "/watches/abc", f"/watches/{2**62 + 1}"):
        assert as_viewer.get(API + path).status_code == 422
    r = as_viewer.get(f"{API}/watches", params={"cursor": "not-a-cursor"})
    assert r.status_code == 400 and "cursor" in r.json()["detail"]
    r = as_viewer.patch(f"{API}/watches/{watch['id']}", json={"enabled": "sometimes"})
    assert r.status_code == 422 and "enabled" in r.json()["detail"]


# ---- the 7-day test ------------------------------------------------------------------------------


def test_what_a_query_or_a_watch_would_have_matched(as_viewer: TestClient, db: Database) -> None:
    now = datetime.now(UTC)
    wire, press = source(db, "wire"), source(db, "press")
    after = AfterStore(WatchSet.empty())
    for i, days in enumerate((1, 3, 10)):  # the last is older than the window
        when = now - timedelta(days=days)
        title = f"Sinclair picks Harmonic for NextGen TV, part {i}"
        url = f"https://wire.example/nextgen-{i}"
        text = f"{STATIONS[i]} switched on NextGen TV with a Harmonic encoder. " * 3
        store(db, article(wire, url, title, text, published_at=when), after, when)
    store(
        db,
        article(press, "https://press.example/q", "Results", OTHER, published_at=now),
        after,
        now,
    )

    r = as_viewer.post(f"{API}/watches/test", json={"query": '"NextGen TV"'})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [m["url"] for m in body["matches"]] == [
        "https://wire.example/nextgen-0",
        "https://wire.example/nextgen-1",
    ]
    assert body["more"] is False and body["query"] == '"NextGen TV"'
    first = body["matches"][0]
    assert first["source_name"] == "wire" and first["title_highlight"]["highlights"]
    start, end = first["title_highlight"]["highlights"][0]
    assert first["title_highlight"]["text"][start:end] == "NextGen TV"

    watch = created(as_viewer.post(f"{API}/watches", json=watch_body(query="harmonic")))
    r = as_viewer.post(f"{API}/watches/{watch['id']}/test", params={"limit": 1})
    assert r.status_code == 200 and len(r.json()["matches"]) == 1 and r.json()["more"] is True
    assert r.json()["query"] == "harmonic"

    r = as_viewer.post(f"{API}/watches/test", json={"query": "(harmonic"})
    assert r.status_code == 400 and "position" in r.json()["detail"]
    r = as_viewer.post(f"{API}/watches/test", json={"query": "x", "limit": 0})
    assert r.status_code == 422 and "limit" in r.json()["detail"]
    assert as_viewer.post(f"{API}/watches/987654/test").status_code == 404


# ---- alerts --------------------------------------------------------------------------------------


def test_alert_history_in_pages(as_viewer: TestClient, scenario: Scenario) -> None:
    path = f"{API}/watches/{scenario.watch_id}/alerts"
    r = as_viewer.get(path, params={"limit": 1})
    assert r.status_code == 200, r.text
    first = r.json()
    [newest] = first["items"]
    assert newest["watch_id"] == scenario.watch_id and newest["matched_terms"]
    assert newest["article"]["url"] == scenario.brazil_url
    assert newest["article"]["source"] == "globo"
    second = as_viewer.get(path, params={"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [a["article"]["url"] for a in second["items"]] == [scenario.release_url]
    assert second["next_cursor"] is None  # the copy joined the story: no second alert
    assert second["items"][0]["id"] < newest["id"]

    everything = as_viewer.get(f"{API}/alerts").json()
    assert [a["id"] for a in everything["items"]] == [newest["id"], second["items"][0]["id"]]
    since = "2026-11-28T13:00:00Z"  # between the two (stored at 12:00 and 14:00)
    assert [a["id"] for a in as_viewer.get(f"{API}/alerts", params={"since": since}).json()[
        "items"
    ]] == [newest["id"]]  # fmt: skip
    r = as_viewer.get(path, params={"since": "2026-11-28T15:00:00+01:00"})
    assert [a["id"] for a in r.json()["items"]] == [newest["id"]]  # 14:00 UTC
    none = as_viewer.get(f"{API}/alerts", params={"watch_id": scenario.watch_id + 1}).json()
    assert none == {"items": [], "next_cursor": None}
    etag = as_viewer.get(path).headers["etag"]
    assert as_viewer.get(path, headers={"If-None-Match": etag}).status_code == 304

    assert as_viewer.get(f"{API}/watches/987654/alerts").status_code == 404
    for params in (
        {"since": "yesterday"},
        {"since": "0001-01-01T00:00:00+01:00"},
        {"watch_id": 0},
        {"limit": 501},
    ):
        r = as_viewer.get(f"{API}/alerts", params=params)
        assert r.status_code == 422 and next(iter(params)) in r.json()["detail"], r.text
    for cursor in (encode_cursor([2**63 - 1]), encode_cursor([-1]), encode_cursor(["x"])):
        r = as_viewer.get(f"{API}/alerts", params={"cursor": cursor})
        assert r.status_code == 400 and "cursor" in r.json()["detail"]


# ---- channels ------------------------------------------------------------------------------------


def test_channels_hide_their_secrets(as_viewer: TestClient, as_editor: TestClient) -> None:
    url = "mailtos://alice:s3cret-passw0rd@smtp.example.org?to=desk@example.org"
    mail = as_viewer.post(f"{API}/channels", json={"name": "mail", "url": url})
    made = created(mail)
    assert mail.headers["cache-control"] == "no-store"
    assert made["kind"] == "apprise" and made["service"] == "E-Mail"
    assert made["webhook_secret"] is None and made["url"].startswith("mailtos://alice:")
    hook = created(
        as_viewer.post(
            f"{API}/channels",
            json={
                "name": "hook",
                "url": "jsons://bot:hunter2hunter2@hooks.example.org/x/abcd1234efgh",
            },
        )
    )
    assert hook["kind"] == "webhook" and len(hook["webhook_secret"]) >= 32
    secret = hook["webhook_secret"]
    for caller in (as_viewer, as_editor):
        texts = [
            caller.get(f"{API}/channels").text,
            caller.get(f"{API}/channels/{made['id']}").text,
            caller.get(f"{API}/channels/{hook['id']}").text,
        ]
        for text in texts:
            assert "s3cret" not in text and "hunter2" not in text and secret not in text
            assert "webhook_secret" not in text
    shown = as_editor.get(f"{API}/channels/{hook['id']}").json()
    assert shown["url"].startswith("jsons://bot:****@hooks.example.org/x/")
    assert shown["owner_id"] == made["owner_id"]


def test_channel_changes_ownership_and_deletion(
    as_viewer: TestClient, as_editor: TestClient, scenario: Scenario
) -> None:
    mine = created(as_viewer.post(f"{API}/channels", json={"name": "mine", "url": HOOK}))
    theirs = created(as_editor.post(f"{API}/channels", json={"name": "theirs", "url": HOOK}))
    r = as_viewer.patch(f"{API}/channels/{mine['id']}", json={"name": "Mine", "enabled": False})
    assert r.status_code == 200 and r.json()["name"] == "Mine" and r.json()["enabled"] is False
    assert r.json()["webhook_secret"] is None  # the webhook keeps its secret

    r = as_viewer.patch(
        f"{API}/channels/{mine['id']}", json={"url": "ntfy://my-secret-topic-12345"}
    )
    assert r.json()["kind"] == "apprise" and r.json()["webhook_secret"] is None
    r = as_viewer.patch(f"{API}/channels/{mine['id']}", json={"url": HOOK})
    assert r.json()["kind"] == "webhook" and len(r.json()["webhook_secret"]) >= 32  # a new one

    for r in (
        as_viewer.patch(f"{API}/channels/{theirs['id']}", json={"enabled": False}),
        as_viewer.delete(f"{API}/channels/{theirs['id']}"),
        as_viewer.post(f"{API}/channels/{theirs['id']}/test"),
    ):
        assert r.status_code == 403 and "someone else" in r.json()["detail"], r.text
    r = as_viewer.post(f"{API}/channels", json={"name": "theirs", "url": HOOK})
    assert r.status_code == 409 and "name" in r.json()["detail"]
    for bad in ("notascheme://x", "form://h/x", "json://h:99999/x", "json://h/\x00"):
        r = as_viewer.post(f"{API}/channels", json={"name": "x", "url": bad})
        assert r.status_code == 400 and r.json()["detail"].startswith("url:"), r.text
    r = as_viewer.patch(f"{API}/channels/{mine['id']}", json={"url": "xml://h/x"})
    assert r.status_code == 400 and r.json()["code"] == "invalid_channel"
    r = as_viewer.post(f"{API}/channels", json={"name": "x", "url": HOOK, "secret": "mine"})
    assert r.status_code == 422 and "secret" in r.json()["detail"]

    assert as_editor.delete(f"{API}/channels/{mine['id']}").status_code == 204
    assert as_viewer.get(f"{API}/channels/{mine['id']}").status_code == 404
    assert as_editor.delete(f"{API}/channels/{theirs['id']}").status_code == 204


def test_a_test_message_reaches_a_signed_webhook(viewer_here: TestClient) -> None:
    with Receiver() as hooks:
        made = created(
            viewer_here.post(
                f"{API}/channels",
                json={"name": "hooks", "url": f"json://127.0.0.1:{hooks.port}/in"},
            )
        )
        r = viewer_here.post(f"{API}/channels/{made['id']}/test")
        assert r.status_code == 200, r.text
        assert r.json()["ok"] is True and r.json()["error_class"] is None
        [request] = hooks.requests
        now = int(datetime.now(UTC).timestamp())
        assert request.path == "/in"
        assert verify(
            [made["webhook_secret"]], request.headers["x-mimir-signature"], request.body, now=now
        )

        hooks.reply(Reply(status=404))
        r = viewer_here.post(f"{API}/channels/{made['id']}/test")
        assert r.status_code == 200  # the call worked; the delivery did not
        assert r.json()["ok"] is False and r.json()["error_class"] == "http_404"
        assert r.json()["status_code"] == 404


def test_a_test_message_reaches_a_mail_server(viewer_here: TestClient) -> None:
    with SMTPServer() as smtp:
        url = (
            f"mailto://127.0.0.1:{smtp.port}?from=mimir@example.org&to=analyst@example.org"
            "&mode=insecure"
        )
        made = created(viewer_here.post(f"{API}/channels", json={"name": "mail", "url": url}))
        r = viewer_here.post(f"{API}/channels/{made['id']}/test")
        assert r.status_code == 200 and r.json()["ok"] is True, r.text
        assert smtp.arrived.wait(5)
        [message] = smtp.messages
        assert "test" in str(message["subject"]).lower()
        assert smtp.envelopes[0][1] == ["analyst@example.org"]


def test_a_test_message_is_refused_for_private_addresses_and_bounded_in_time(
    as_viewer: TestClient, viewer_here: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Receiver() as hooks:
        url = f"json://127.0.0.1:{hooks.port}/in"
        made = created(as_viewer.post(f"{API}/channels", json={"name": "lan", "url": url}))
        r = as_viewer.post(f"{API}/channels/{made['id']}/test")  # loopback not allowed here
        assert r.json()["ok"] is False and r.json()["error_class"] == "blocked_address"
        assert hooks.requests == []

        monkeypatch.setattr(manage, "TEST_SEND_SECONDS", 0.5)
        hooks.reply(Reply(delay=10))
        started = datetime.now(UTC)
        r = viewer_here.post(f"{API}/channels/{made['id']}/test")
        assert r.status_code == 200 and r.json()["ok"] is False
        assert r.json()["error_class"] == "timeout"
        assert datetime.now(UTC) - started < timedelta(seconds=5)


def test_watches_made_from_the_shell_still_work(db: Database, as_editor: TestClient) -> None:
    def shell(conn: Any) -> int:
        manage.add_channel(conn, "ops", HOOK, datetime.now(UTC))
        return manage.add_watch(
            conn, WatchSpec("Shell", "atsc", channels=("ops",)), datetime.now(UTC)
        )

    watch_id = db.sync_write(shell)
    shown = as_editor.get(f"{API}/watches/{watch_id}").json()
    assert shown["owner_id"] is None and shown["feed_token"] and len(shown["channel_ids"]) == 1
