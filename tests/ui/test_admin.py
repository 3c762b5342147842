"""The admin's pages in Chromium: users and roles, API keys shown once, system status; and
nobody else gets in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import Connection, select

from mimir.db.tables import article_jobs, outbox, sources
from mimir.model.users import Role
from mimir.storage import alerts as alert_store
from mimir.storage import jobs as job_store
from mimir.storage import sources as source_store
from mimir.storage import users as user_store
from mimir.storage import watches as watch_store
from tests.api.conftest import make_scenario
from tests.ui.conftest import Live, PageFactory, assert_clean


def test_an_admin_adds_a_user_and_changes_their_role(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.admin)
    page.goto("/admin/users")
    assert_clean(page)
    page.fill("#new-email", "Nora@Example.org")
    page.fill("#new-name", "Nora")
    page.select_option("#new-role", "editor")
    page.fill("#new-password", "short")
    page.click("form[data-api='/api/v1/users'] button[type=submit]")
    page.locator("#new-password-error").wait_for()  # the API's rule, beside the field
    page.fill("#new-password", "a long enough passphrase")
    page.click("form[data-api='/api/v1/users'] button[type=submit]")
    row = page.locator("tr", has_text="nora@example.org")
    row.wait_for()
    nora = live.db.sync_read(user_store.find_user, "nora@example.org")
    assert nora is not None and nora.role is Role.EDITOR and nora.name == "Nora"
    assert row.locator("select").input_value() == "editor"
    assert_clean(page)
    # a new role (the page reloads with it)
    with page.expect_navigation():
        row.locator("select").select_option("viewer")
        row.locator("button[type=submit]").click()
    assert page.locator(f"#role-{nora.id}").input_value() == "viewer"
    assert live.db.sync_read(user_store.get_user, nora.id).role is Role.VIEWER
    # sign them out everywhere, then disable and enable them
    token, _ = live.db.sync_write(
        user_store.create_session, nora.id, datetime.now(UTC), timedelta(hours=1)
    )
    row = page.locator(f'tr[data-user-id="{nora.id}"]')
    page.once("dialog", lambda d: d.accept())
    row.locator("button", has_text="Sign out everywhere").click()
    page.locator("#toast", has_text="Signed out everywhere").wait_for()
    ended = live.db.sync_read(user_store.find_session, token, datetime.now(UTC), timedelta(days=1))
    assert ended is None
    page.once("dialog", lambda d: d.accept())
    row.locator("button", has_text="Disable").click()
    page.locator(f'tr[data-user-id="{nora.id}"] .badge.bad').wait_for()
    assert live.db.sync_read(user_store.get_user, nora.id).disabled
    page.locator(f'tr[data-user-id="{nora.id}"] button', has_text="Enable").click()
    page.locator(f'tr[data-user-id="{nora.id}"] .badge.ok').wait_for()
    assert not live.db.sync_read(user_store.get_user, nora.id).disabled
    # the last admin cannot be demoted: the API's answer is shown
    me = page.locator(f'tr[data-user-id="{live.people.admin.id}"]')
    me.locator("select").select_option("viewer")
    me.locator("button[type=submit]").click()
    page.locator("#toast.error").wait_for()
    assert live.db.sync_read(user_store.get_user, live.people.admin.id).role is Role.ADMIN


def test_an_api_key_is_shown_once_works_and_is_revoked(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.admin)
    page.goto("/admin/api-keys")
    assert_clean(page)
    page.fill("#key-name", "BI dashboard")
    page.select_option("#key-owner", str(live.people.viewer.id))
    page.check("#scope-write")
    page.fill("#key-expires", (datetime.now(UTC) + timedelta(days=30)).strftime("%Y-%m-%d"))
    page.click("form[data-key-create] button[type=submit]")
    dialog = page.locator("#key-dialog")
    dialog.wait_for(state="visible")
    key = page.input_value("#key-value")
    assert key.startswith("mimir_")
    assert_clean(page)
    # the key works against the API, as its owner
    me = httpx.get(live.url("/api/v1/me"), headers={"Authorization": f"Bearer {key}"})
    assert me.status_code == 200 and me.json()["email"] == "viewer@example.org"
    page.click("#key-dialog [data-dialog-close]")
    row = page.locator("tr", has_text="BI dashboard")
    row.wait_for()
    page.wait_for_load_state("load")
    # never shown again: only the prefix
    assert key not in page.content()
    record = live.db.sync_read(user_store.list_api_keys)[0]
    assert row.locator("[data-key-prefix]").inner_text().startswith(record.prefix)
    assert key.startswith(record.prefix)
    assert "viewer@example.org" in row.inner_text() and "write" in row.inner_text()
    assert record.expires_at is not None
    assert row.locator("time").count() >= 2  # created, expires (and last used)
    assert_clean(page)
    page.once("dialog", lambda d: d.accept())
    row.locator("button", has_text="Revoke").click()
    page.locator("tr", has_text="BI dashboard").locator(".badge.bad").wait_for()
    assert live.db.sync_read(user_store.get_api_key, record.id).revoked_at is not None
    gone = httpx.get(live.url("/api/v1/me"), headers={"Authorization": f"Bearer {key}"})
    assert gone.status_code == 401


@pytest.mark.parametrize("who", ["editor", "viewer"])
def test_only_admins_reach_the_admin_pages(live: Live, page_as: PageFactory, who: str) -> None:
    page = page_as(getattr(live.people, who))
    page.goto("/watches")
    assert page.locator('.main-nav a[href="/admin"]').count() == 0
    for path in ("/admin", "/admin/users", "/admin/api-keys"):
        response = page.goto(path)
        assert response.status == 403
        assert page.locator("h1").inner_text() == "Not allowed"
        assert "Add a user" not in page.content()
    assert_clean(page)


def _db_numbers(conn: Connection, now: datetime) -> dict[str, int]:
    """The queue counted the plain way, row by row in Python."""
    srcs = conn.execute(select(sources.c.enabled, sources.c.next_check_at)).all()
    jobs = conn.execute(select(article_jobs.c.state, article_jobs.c.due_at)).all()
    rows = conn.execute(select(outbox.c.state, outbox.c.due_at)).all()
    return {
        "sources-due": sum(1 for e, at in srcs if e and at is not None and at <= now),
        "jobs-due": sum(1 for s, at in jobs if s == "pending" and at <= now),
        "jobs-pending": sum(1 for s, _ in jobs if s == "pending"),
        "jobs-failed": sum(1 for s, _ in jobs if s == "failed"),
        "outbox-due": sum(1 for s, at in rows if s == "pending" and at <= now),
        "outbox-pending": sum(1 for s, _ in rows if s == "pending"),
        "outbox-dead": sum(1 for s, _ in rows if s == "dead"),
    }


def test_the_status_page_shows_the_queues_as_the_database_has_them(
    live: Live, page_as: PageFactory
) -> None:
    make_scenario(live.db)  # four sources, due since yesterday
    now = datetime.now(UTC)

    def fill(conn: Connection) -> None:
        source_ids = [s.id for s in source_store.list_sources(conn)]
        source_store.set_enabled(conn, source_ids[0], False, now)  # not due: disabled
        job_rows = [
            {
                "source_id": source_ids[1],
                "url": f"https://wire.example/{i}",
                "url_hash": f"{i:064d}",
                "host": "wire.example",
                "due_at": now - timedelta(minutes=i) if i < 5 else now + timedelta(hours=1),
            }
            for i in range(7)
        ]
        job_store.enqueue(conn, job_rows, now)
        job_store.fail(
            conn,
            job_store.claim(conn, worker="w-fetch", now=now, limit=1, lease_seconds=60, per_host=1)[
                0
            ][0].id,
            "gone",
        )
        job_store.claim(conn, worker="w-fetch", now=now, limit=2, lease_seconds=300, per_host=5)
        source_store.claim_due(conn, worker="w-fetch", now=now, limit=1, lease_seconds=300)
        channel = watch_store.find_channel(conn, "desk").id
        alert_store.enqueue(
            conn,
            [
                {"channel_id": channel, "kind": "test"},
                {"channel_id": channel, "kind": "test", "due_at": now + timedelta(hours=1)},
            ],
            now - timedelta(minutes=3),
        )

    live.db.sync_write(fill)
    page = page_as(live.people.admin)
    page.goto("/admin")
    expected = live.db.sync_read(_db_numbers, datetime.now(UTC))
    shown = {
        name: int(page.locator(f'[data-stat="{name}"]').inner_text().replace(",", ""))
        for name in expected
    }
    assert shown == expected
    assert expected["sources-due"] == 3 and expected["jobs-due"] == 4  # nonzero: a real check
    assert expected["jobs-failed"] == 1 and expected["outbox-pending"] == 4  # two alerts, two tests
    worker = page.locator('tr[data-worker="w-fetch"]')
    cells = worker.locator("td").all_inner_texts()
    assert cells[1:4] == ["1", "2", "0"]  # one source, two fetches held
    assert page.locator('[data-stat="dialect"]').inner_text() == "sqlite"
    assert "current" in page.locator("main").inner_text()
    assert "not configured" in page.locator('[data-stat="redis"]').inner_text()
    assert_clean(page)


@pytest.mark.parametrize("dark,mobile", [(True, False), (False, True), (True, True)])
def test_admin_pages_are_clean_dark_and_on_a_phone(
    live: Live, page_as: PageFactory, dark: bool, mobile: bool
) -> None:
    live.db.sync_write(
        user_store.create_api_key, live.people.editor.id, "reader", ["read"], datetime.now(UTC)
    )
    page = page_as(live.people.admin, dark=dark, mobile=mobile)
    for path in ("/admin", "/admin/users", "/admin/api-keys"):
        page.goto(path)
        assert_clean(page)
