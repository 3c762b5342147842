"""Watches and channels in Chromium: create a watch with the 7-day test, its alert history,
ownership, a channel's send-test reaching a real local receiver."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Connection, create_engine, update

from mimir.alerts import manage
from mimir.alerts.matching import SourceInfo, WatchSet
from mimir.api.access import SESSION_COOKIE
from mimir.config import Settings
from mimir.db.migrate import upgrade
from mimir.db.tables import watches
from mimir.model.watches import WatchMode, WatchSpec
from mimir.monitor.ingest import AfterStore, store_article
from mimir.storage import watches as watch_store
from tests.alerts.receiver import Receiver, Reply
from tests.api.conftest import Scenario, make_scenario
from tests.conftest import make_settings
from tests.storage.test_articles import source
from tests.storage.test_stories_alerts import article
from tests.ui.conftest import Live, PageFactory, assert_clean

FRESH_TITLE = "Denver stations switch on NextGen TV"
FRESH_TEXT = (
    "DENVER - Four Denver stations switched on NextGen TV broadcasts this week, bringing the "
    "ATSC 3.0 signal to about 1.6 million homes in the market.\n\n"
    "The stations share one transmitter on Lookout Mountain and will keep their current "
    "signals running for at least five years, the group said."
)


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    """As the shared fixture, with loopback allowed for notifications (the local receiver)."""
    url = f"sqlite:///{tmp_path / 'mimir.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return make_settings(url, notify_allowed_networks="127.0.0.0/8")


def fill_news(live: Live) -> Scenario:
    """The API tests' scenario, its watch given to the viewer, and an article from an hour ago
    (the scenario's own are dated; the 7-day window moves with the clock)."""
    scenario = make_scenario(live.db)

    def give(conn: Connection) -> None:
        conn.execute(
            update(watches)
            .where(watches.c.id == scenario.watch_id)
            .values(owner_id=live.people.viewer.id)
        )

    live.db.sync_write(give)
    now = datetime.now(UTC) - timedelta(hours=1)
    denver = source(live.db, "denver")
    after = AfterStore(live.db.sync_read(WatchSet.load), SourceInfo("Denver", "denver.example", ""))
    live.db.sync_write(
        store_article,
        article(
            denver, "https://denver.example/nextgen", FRESH_TITLE, FRESH_TEXT, published_at=now
        ),
        now,
        after,
    )
    return scenario


def test_a_viewer_creates_a_watch_after_testing_its_query(live: Live, page_as: PageFactory) -> None:
    fill_news(live)
    page = page_as(live.people.viewer)
    page.goto("/watches")
    assert_clean(page)
    page.click("text=New watch")
    page.wait_for_url(live.url("/watches/new"))
    page.fill("#name", "Denver broadcast")
    # a query with an error: shown with its position
    page.fill("#query", '("NextGen TV" denver')
    page.click("[data-watch-test]")
    error = page.locator(".query-error")
    error.wait_for()
    assert "never closed" in error.inner_text()
    assert error.get_attribute("data-position") == "0"
    assert page.locator(".error-at").inner_text() == "("
    assert page.get_attribute("#query", "aria-invalid") == "true"
    assert_clean(page)
    # the fixed query: the matching articles of the last 7 days, the words marked
    page.fill("#query", '"NextGen TV" denver')
    page.click("[data-watch-test]")
    summary = page.locator("[data-test-count]")
    summary.wait_for()
    assert summary.get_attribute("data-test-count") == "1"
    match = page.locator(".test-matches .item")
    assert match.count() == 1
    assert FRESH_TITLE in match.inner_text()
    marks = {m.inner_text() for m in match.locator("mark").all()}
    assert {"NextGen TV", "Denver"} <= marks, marks  # the phrase and the word
    assert_clean(page)
    page.check("#mode-daily")
    page.fill("#timezone", "Europe/Berlin")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/watches/\d+$"))
    watch_id = int(page.url.rsplit("/", 1)[1])
    made = live.db.sync_read(watch_store.get_watch, watch_id)
    assert (made.name, made.query, made.mode, made.owner_id) == (
        "Denver broadcast",
        '"NextGen TV" denver',
        WatchMode.DAILY,
        live.people.viewer.id,
    )
    assert page.locator("h1").inner_text() == "Denver broadcast"
    # its feeds: the owner sees the token
    assert page.locator(f'a[href="/feeds/{made.feed_token}.atom"]').count() == 1
    # the saved watch's own test
    page.click("[data-watch-test][data-watch-id]")
    page.locator("[data-test-count]").wait_for()
    assert FRESH_TITLE in page.locator(".test-matches").inner_text()
    assert_clean(page)


def test_a_viewer_sees_the_alert_history_of_their_watch(live: Live, page_as: PageFactory) -> None:
    scenario = fill_news(live)
    page = page_as(live.people.viewer)
    page.goto("/watches")
    row = page.locator(f'tr[data-watch-id="{scenario.watch_id}"]')
    assert "yours" in row.inner_text() and "desk" in row.inner_text()
    assert row.locator("time").count() == 1  # the last alert
    row.locator("a").first.click()
    page.wait_for_url(live.url(f"/watches/{scenario.watch_id}"))
    # the name is escaped, not markup
    assert page.locator("h1").inner_text() == "NextGen <TV> & co"
    history = page.locator(".alert-list .item")
    titles = history.all_inner_texts()
    # newest first: the Brazil story, the Denver one (stored after the watch), the release
    assert len(titles) == 3
    assert "Denver stations" in titles[0]
    assert "Brazil picks ATSC 3.0" in titles[1]
    assert "Sinclair picks Harmonic" in titles[2]
    assert page.locator(f'a[href="/feeds/{scenario.token}.json"]').count() == 1
    assert_clean(page)
    # delete, after confirming
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button.danger")
    page.wait_for_url(live.url("/watches"))
    assert scenario.watch_id not in [w.id for w in live.db.sync_read(watch_store.list_watches)]


def test_a_viewer_cannot_change_another_users_watch(live: Live, page_as: PageFactory) -> None:
    def make(conn: Connection) -> int:
        return manage.add_watch(
            conn,
            WatchSpec(name="Editor's watch", query="harmonic"),
            datetime.now(UTC),
            owner_id=live.people.editor.id,
        )

    watch_id = live.db.sync_write(make)
    token = live.db.sync_read(watch_store.get_watch, watch_id).feed_token
    page = page_as(live.people.viewer)
    page.goto(f"/watches/{watch_id}")
    assert page.locator("h1").inner_text() == "Editor's watch"
    assert page.locator(f'a[href="/watches/{watch_id}/edit"]').count() == 0
    assert page.locator("button.danger").count() == 0
    assert token not in page.content()  # the feed token is the owner's and editors'
    assert_clean(page)
    response = page.goto(f"/watches/{watch_id}/edit")
    assert response.status == 403
    assert page.locator("h1").inner_text() == "Not allowed"
    assert_clean(page)
    # and the API says no to a forged change from this session
    status = page.evaluate(
        """async (id) => {
            const csrf = document.querySelector('meta[name="csrf-token"]').content;
            const r = await fetch('/api/v1/watches/' + id, {method: 'PATCH',
                headers: {'Content-Type': 'application/json', 'X-CSRF-Token': csrf},
                body: JSON.stringify({enabled: false})});
            return r.status;
        }""",
        watch_id,
    )
    assert status == 403
    assert live.db.sync_read(watch_store.get_watch, watch_id).enabled
    # the editor may
    editor = page_as(live.people.editor)
    editor.goto(f"/watches/{watch_id}/edit")
    editor.uncheck("#enabled")
    editor.click("button[type=submit]")
    editor.wait_for_url(live.url(f"/watches/{watch_id}"))
    assert not live.db.sync_read(watch_store.get_watch, watch_id).enabled


def test_a_channels_send_test_reaches_a_local_receiver(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    with Receiver() as hooks:
        page.goto("/watches/channels")
        assert_clean(page)
        page.fill("#channel-name", "Desk hook")
        page.fill("#channel-url", f"json://127.0.0.1:{hooks.port}/hook?token=s3cretpath")
        page.click("form[data-channel-create] button[type=submit]")
        # a signed webhook: its secret, once
        dialog = page.locator("#secret-dialog")
        dialog.wait_for(state="visible")
        secret = page.input_value("#secret-value")
        assert len(secret) >= 20
        assert_clean(page)
        page.click("[data-dialog-close]")
        page.wait_for_load_state("load")
        item = page.locator(".channel-list .item", has_text="Desk hook")
        item.wait_for()
        assert secret not in page.content()
        channel = live.db.sync_read(watch_store.find_channel, "Desk hook")
        assert channel.owner_id == live.people.viewer.id
        shown = item.locator("[data-channel-url]").inner_text()
        assert shown.startswith("json://127.0.0.1") and "s3cretpath" not in shown
        item.locator("button[data-send-test]").click()
        result = item.locator("[data-send-result]")
        page.wait_for_function("el => el.textContent.length > 0", arg=result.element_handle())
        assert "delivered" in result.inner_text(), result.inner_text()
        assert len(hooks.requests) == 1
        assert hooks.requests[0].path.startswith("/hook")
        assert b"test" in hooks.requests[0].body.lower()
        # a receiver that fails: the error is shown
        hooks.reply(Reply(status=500, body=b"broken"))
        item.locator("button[data-send-test]").click()
        page.wait_for_function(
            "el => el.textContent.includes('failed')", arg=result.element_handle()
        )
        assert "500" in result.inner_text()
        assert len(hooks.requests) == 2
        assert_clean(page)
    # an address Apprise refuses: the error beside the field
    page.fill("#channel-name", "Broken")
    page.fill("#channel-url", "nosuchservice://x")
    page.click("form[data-channel-create] button[type=submit]")
    page.locator("#channel-url-error").wait_for()
    assert page.get_attribute("#channel-url", "aria-invalid") == "true"


def test_others_channels_cannot_be_test_sent_by_a_viewer(live: Live, page_as: PageFactory) -> None:
    def make(conn: Connection) -> None:
        manage.add_channel(
            conn,
            "Editors' mail",
            "json://hooks.example/x",
            datetime.now(UTC),
            owner_id=live.people.editor.id,
        )

    live.db.sync_write(make)
    channel = live.db.sync_read(watch_store.find_channel, "Editors' mail")
    page = page_as(live.people.viewer)
    page.goto("/watches/channels")
    item = page.locator(f"#channel-{channel.id}")
    assert "Editors' mail" in item.inner_text()
    assert item.locator("button").count() == 0
    response = page.goto(f"/watches/channels/{channel.id}/edit")
    assert response.status == 403


@pytest.mark.parametrize("dark,mobile", [(True, False), (False, True), (True, True)])
def test_watch_pages_are_clean_dark_and_on_a_phone(
    live: Live, page_as: PageFactory, dark: bool, mobile: bool
) -> None:
    scenario = fill_news(live)
    page = page_as(live.people.viewer, dark=dark, mobile=mobile)
    for path in (
        "/watches",
        "/watches/new?query=%22NextGen%20TV%22",
        f"/watches/{scenario.watch_id}",
        f"/watches/{scenario.watch_id}/edit",
        "/watches/channels",
    ):
        page.goto(path)
        assert_clean(page)
        if mobile:  # nothing wider than the phone
            assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.goto("/watches/new?query=%22NextGen%20TV%22")
    assert page.input_value("#query") == '"NextGen TV"'
    page.click("[data-watch-test]")
    page.locator("[data-test-count]").wait_for()
    assert_clean(page)


def test_addresses_without_a_browser(live: Live) -> None:
    """The anonymous are sent to sign in; an address that is no watch is the HTML 404 page."""
    anonymous = httpx.get(live.url("/watches/channels"), headers={"Accept": "text/html"})
    assert anonymous.status_code == 303
    assert anonymous.headers["location"] == "/login?next=/watches/channels"
    token, _ = live.session(live.people.viewer)
    cookies = {SESSION_COOKIE: token}
    with httpx.Client(base_url=live.base, cookies=cookies, headers={"Accept": "text/html"}) as c:
        for path in ("/watches/nope", "/watches/999", "/watches/channels/999/edit"):
            answer = c.get(path)
            assert answer.status_code == 404, path
            assert "text/html" in answer.headers["content-type"]
        page = c.get("/watches/new?query=%22ATSC%203.0%22&name=ATSC")
        assert page.status_code == 200
        assert "&#34;ATSC 3.0&#34;</textarea>" in page.text or "&quot;ATSC 3.0&quot;" in page.text
