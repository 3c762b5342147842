"""A new user's first morning, end to end, in Chromium against a real ``mimir run`` process.

The fixture web serves a small news site, aiosmtpd a real mailbox. The user opens the set-up
link Mimir printed, signs out and in again, adds the site with the wizard (discovery, preview,
save), watches articles arrive live in the river, searches, saves the search as a watch, adds
an e-mail channel to it, and receives the alert mail when the site publishes a matching story.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import httpx

from tests.alerts.receiver import SMTPServer
from tests.e2e.newsite import NewsSite
from tests.e2e.test_demo_run import Running, _env
from tests.fixtureweb.server import FixtureWeb
from tests.ui.conftest import assert_clean

PASSWORD = "a long morning passphrase"
SETUP = re.compile(r"^\s*(http://[^/ ]+)/setup\?token=(\S+)$")


def start_mimir(tmp_path: Path) -> tuple[Running, str, str]:
    env = _env(
        tmp_path,
        MIMIR_DATABASE_URL=f"sqlite:///{tmp_path / 'mimir.db'}",
        MIMIR_LOG_FORMAT="console",
        MIMIR_FETCH_ALLOWED_NETWORKS="127.0.0.0/8",
        MIMIR_NOTIFY_ALLOWED_NETWORKS="127.0.0.0/8",
        MIMIR_PER_HOST_INTERVAL_SECONDS="0",
        MIMIR_MIN_INTERVAL_SECONDS="1",
        MIMIR_DEFAULT_INTERVAL_SECONDS="2",
        MIMIR_MAX_INTERVAL_SECONDS="3",
        MIMIR_EXTRACT_PROCESSES="-1",
        MIMIR_IDLE_SLEEP_SECONDS="0.2",
    )
    mimir = Running(["run"], env, tmp_path / "stderr.log")
    mimir.read_until(lambda lines: any(SETUP.match(x) for x in lines), timeout=60)
    found = next(m for x in mimir.lines if (m := SETUP.match(x)))
    base = found[1]
    deadline = time.monotonic() + 30  # the link is printed just before the server listens
    while True:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        assert time.monotonic() < deadline, f"mimir run did not listen:\n{mimir.output()}"
        time.sleep(0.1)
    return mimir, base, found[2]


def test_a_new_users_first_morning(web: FixtureWeb, browser: Any, tmp_path: Path) -> None:
    site = NewsSite(web)
    site.publish(3)
    mimir, base, token = start_mimir(tmp_path)
    try:
        with SMTPServer() as smtp:
            context = browser.new_context(
                base_url=base, timezone_id="Europe/Berlin", viewport={"width": 1280, "height": 900}
            )
            page = context.new_page()
            page.set_default_timeout(20_000)
            page.js_errors = []  # what assert_clean checks
            page.on("pageerror", lambda exc: page.js_errors.append(str(exc)))
            morning(page, site, smtp, base, token, mimir)
            context.close()
    finally:
        mimir.interrupt(timeout=30)
        mimir.close()


def morning(
    page: Any, site: NewsSite, smtp: SMTPServer, base: str, token: str, mimir: Running
) -> None:
    # the set-up link makes the first admin and signs them in
    page.goto(f"/setup?token={token}")
    page.fill("#name", "Ann Analyst")
    page.fill("#email", "ann@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    # sign out, and in again with the password
    page.click("text=Sign out")
    page.wait_for_url(f"{base}/login")
    page.fill("#email", "ann@example.org")
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    assert "Ann Analyst" in page.locator(".who").inner_text()

    # the wizard: a page that announces its feeds -> the feed chosen -> a preview -> saved
    page.goto("/sources/new")
    page.fill("#new-url", site.web.url("/news/"))
    page.click("#discover-form button[type=submit]")
    page.locator("#choose-form").wait_for()
    page.locator("#save-form").wait_for()  # the chosen feed's preview loads by itself
    preview = page.locator("#wizard-preview").inner_text()
    assert site.items[2].title in preview  # the newest entry, as the feed lists it
    page.click("#save-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/sources/\d+$"))

    # the river: the site's articles arrive, then a new one appears live, without a reload
    page.goto("/river")
    river = page.locator("#river")
    for item in site.items:
        river.locator("li", has_text=item.title).wait_for(timeout=60_000)
    assert_clean(page)
    page.evaluate("window.__sameDocument = true")
    [live] = site.publish(1)
    river.locator("li", has_text=live.title).wait_for(timeout=60_000)
    assert page.evaluate("window.__sameDocument === true")  # the page was never reloaded
    assert river.locator("li").first.inner_text().startswith(live.title)

    # search, then save the search as a watch
    page.goto("/search?q=%22NextGen+TV%22")
    results = page.locator("[data-nav-item]")
    results.first.wait_for()
    assert site.items[0].title.split(" (")[0] in results.first.inner_text()
    assert page.locator("mark", has_text="NextGen").count() >= 1
    page.fill("#watch-name", "NextGen TV launches")
    page.click("#watch-name >> xpath=ancestor::form//button[@type='submit']")
    page.wait_for_url(f"{base}/watches")

    # an e-mail channel, then the watch sends to it
    page.goto("/watches/channels")
    page.fill("#channel-name", "Desk mail")
    page.fill(
        "#channel-url",
        f"mailto://127.0.0.1:{smtp.port}?from=mimir@example.org&to=desk@example.org&mode=insecure",
    )
    page.click("text=Add channel")
    page.locator(".channel-list li", has_text="Desk mail").wait_for()
    page.goto("/watches")
    page.click("text=NextGen TV launches")
    page.click("a:has-text('Edit')")
    page.locator("label", has_text="Desk mail").click()
    page.click("#watch-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/watches/\d+$"))
    assert "Desk mail" in page.locator("main").inner_text()

    # the site publishes a NextGen TV launch (its fifth item): the alert arrives by mail. The
    # worker picks up changed watches every 5 s (mimir.jobs.runtime): a story that lands in
    # between is stored unmatched, so the site publishes after that
    time.sleep(6)
    site.publish(1)
    nextgen = site.items[-1]
    assert "NextGen TV" in nextgen.title
    assert smtp.arrived.wait(90), f"no alert mail within 90 s:\n{mimir.output()[-6000:]}"
    mail = smtp.messages[-1]
    assert "NextGen TV launches" in str(mail["Subject"])
    body = mail.get_body(preferencelist=("plain",))
    assert body is not None and nextgen.title.split(" (")[0] in str(body.get_content())
