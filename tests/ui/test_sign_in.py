"""Signing in and out, the first admin's set-up link, the profile page, the theme: in Chromium."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import expect

from mimir.storage import users as user_store
from tests.ui.conftest import PASSWORD, Live, PageFactory, assert_clean


def test_sign_in_returns_to_the_page_asked_for(live: Live, page_as: PageFactory) -> None:
    page = page_as(None)
    page.goto("/me")
    assert page.url.endswith("/login?next=/me")
    assert_clean(page)
    page.fill("#email", "editor@example.org")
    page.fill("#password", "wrong password")
    page.click("button[type=submit]")
    error = page.locator(".form-error")
    error.wait_for(state="visible")
    assert "wrong" in error.inner_text()
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(live.url("/me"))
    assert page.locator("h1").inner_text() == "Your profile"
    assert "editor@example.org" in page.locator("main").inner_text()
    assert_clean(page)


def test_a_field_error_is_shown_beside_its_field(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    page.goto("/me")
    page.fill("#current_password", PASSWORD)
    page.fill("#password", "short")
    page.locator("form", has=page.locator("#password")).locator("button").click()
    field_error = page.locator("#password-error")
    field_error.wait_for()
    assert page.get_attribute("#password", "aria-invalid") == "true"
    assert "10" in field_error.inner_text()  # the minimum length, from the API's validation


def test_profile_changes_go_through_the_api(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    page.goto("/me")
    page.fill("#name", "Vera Viewer")
    page.fill("#timezone", "Asia/Tokyo")
    page.locator("form", has=page.locator("#name")).locator("button").click()
    # a locator assertion, not wait_for_function: a string predicate may need eval, which the
    # page's CSP (script-src 'self') refuses, and a loaded run then failed on the test's wait
    expect(page.locator(".who")).to_contain_text("Vera Viewer")
    user = live.db.sync_read(user_store.get_user, live.people.viewer.id)
    assert (user.name, user.timezone) == ("Vera Viewer", "Asia/Tokyo")


def test_sign_out_ends_the_session(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    page.goto("/me")
    page.click("text=Sign out")
    page.wait_for_url(live.url("/login"))
    page.goto("/me")
    assert "/login" in page.url


def test_first_admin_through_the_set_up_link(live: Live, page_as: PageFactory) -> None:
    # a fresh install: no user yet
    def wipe(conn: Any) -> None:
        from sqlalchemy import text

        for table in ("sessions", "api_keys", "users"):
            conn.execute(text(f"DELETE FROM {table}"))

    live.db.sync_write(wipe)
    token = live.db.sync_write(user_store.create_setup_token, datetime.now(UTC), timedelta(hours=1))
    page = page_as(None)
    page.goto("/login")
    assert "set-up link" in page.locator("main").inner_text()
    page.goto(f"/setup?token={token}")
    assert page.input_value("#timezone") == "Europe/Berlin"  # the browser's zone
    assert_clean(page)
    page.fill("#email", "ann@example.org")
    page.fill("#password", "a long enough passphrase")
    page.click("button[type=submit]")
    page.wait_for_url(live.url("/"))
    user, _ = live.db.sync_read(user_store.password_of, "ann@example.org")
    assert user is not None and user.role.value == "admin" and user.timezone == "Europe/Berlin"
    # the link works once: with an admin in place it leads to signing in
    other = page_as(None)
    other.goto(f"/setup?token={token}")
    assert other.url == live.url("/login")


def test_theme_toggle_is_remembered(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    page.goto("/me")
    assert page.get_attribute("html", "data-theme") is None  # the system's preference
    page.click("[data-theme-toggle]")
    assert page.get_attribute("html", "data-theme") == "dark"
    page.reload()
    assert page.get_attribute("html", "data-theme") == "dark"  # from the cookie, no flash
    background = page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(18, 21, 26)"
    assert_clean(page)


def test_pages_run_under_a_strict_policy(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    response = page.goto("/me")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    # an injected inline script is refused by the browser
    page.evaluate(
        "() => { const s = document.createElement('script');"
        " s.textContent = 'window.__ran = true'; document.body.appendChild(s); }"
    )
    assert page.evaluate("window.__ran === undefined")
