"""The web UI in a real browser: Mimir served by uvicorn on a free port (in this process, on the
test's database), Playwright driving Debian's Chromium, axe-core checking accessibility.

Chromium comes from apt (/usr/bin/chromium; ``MIMIR_TEST_CHROMIUM`` overrides); Playwright's
own browser download is never used. Without Chromium these tests skip, except under CI, where
they fail.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy import create_engine

from mimir.api.access import SESSION_COOKIE
from mimir.api.app import create_app
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.migrate import upgrade
from mimir.storage import users as user_store
from mimir.storage.users import User
from tests.api.conftest import FAST_HASH, PASSWORD, People
from tests.conftest import IN_CI, make_settings

CHROMIUM = os.environ.get("MIMIR_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
#: the flags a closed network needs (no background calls home), as root in a container
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
__all__ = ["PASSWORD", "Live", "People"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """uvicorn serving ``app`` on 127.0.0.1 in a thread (its own event loop)."""

    def __init__(self, app: Any) -> None:
        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="on"
        )
        self.server = uvicorn.Server(config)
        self.server.install_signal_handlers = lambda: None  # type: ignore[method-assign]
        self.thread = threading.Thread(target=self._run, daemon=True, name="ui-server")

    def _run(self) -> None:
        asyncio.run(self.server.serve())

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the UI test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Live:
    """A running Mimir: its address, database, settings and three users."""

    base: str
    db: Database
    settings: Settings
    people: People

    def url(self, path: str) -> str:
        return self.base + path

    def session(self, user: User) -> tuple[str, str]:
        """A new session of ``user``: (cookie value, CSRF token)."""
        return self.db.sync_write(  # type: ignore[no-any-return]
            user_store.create_session, user.id, datetime.now(UTC), timedelta(hours=2)
        )


def make_people(db: Database) -> People:
    from mimir.model.users import Role

    now = datetime.now(UTC)
    made = [
        db.sync_write(user_store.create_user, f"{role.value}@example.org", FAST_HASH, role, now)
        for role in (Role.ADMIN, Role.EDITOR, Role.VIEWER)
    ]
    return People(*made)


@pytest.fixture
def ui_settings(tmp_path: Path) -> Settings:
    url = f"sqlite:///{tmp_path / 'mimir.db'}"
    engine = create_engine(url)
    upgrade(engine)
    engine.dispose()
    return make_settings(url)


@pytest.fixture
def live(ui_settings: Settings) -> Iterator[Live]:
    """Mimir on SQLite with an admin, an editor and a viewer (password: PASSWORD)."""
    db = Database(ui_settings)
    try:
        people = make_people(db)
        with ServerThread(create_app(ui_settings, db=db)) as server:
            yield Live(server.base, db, ui_settings, people)
    finally:
        db.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Chromium for one test module: Playwright's sync API keeps an event loop running in this
    thread while it lives, so it must not outlive the module (a later test's asyncio.run would
    fail)."""
    if not Path(CHROMIUM).exists():
        if IN_CI:
            pytest.fail(f"Chromium is required in CI and not found at {CHROMIUM}")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


PageFactory = Callable[..., Any]


@pytest.fixture
def page_as(browser: Any, live: Live) -> Iterator[PageFactory]:
    """``page_as(user, dark=False, mobile=False)``: a new browser page signed in as ``user``
    (``None``: anonymous), in its own context (cookies, storage)."""
    contexts: list[Any] = []

    def make(user: User | None, *, dark: bool = False, mobile: bool = False) -> Any:
        options: dict[str, Any] = {
            "base_url": live.base,
            "color_scheme": "dark" if dark else "light",
            "timezone_id": "Europe/Berlin",
            "locale": "en-GB",
        }
        if mobile:
            options.update(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
        else:
            options.update(viewport={"width": 1280, "height": 900})
        context = browser.new_context(**options)
        contexts.append(context)
        if user is not None:
            token, _ = live.session(user)
            context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live.base}])
        page = context.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def on_console(msg: Any) -> None:
            # an API error answer is logged as "Failed to load resource": the page shows it
            if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
                errors.append(msg.text)

        page.on("console", on_console)
        page.js_errors = errors  # checked by assert_clean
        return page

    yield make
    for context in contexts:
        context.close()


def axe_violations(page: Any) -> list[str]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA, and best practice)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        where = [", ".join(node["target"]) for node in violation["nodes"][:3]]
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} at {where}")
    return found


def assert_clean(page: Any) -> None:
    """No accessibility violation and no JavaScript error (a CSP refusal shows as one)."""
    violations = axe_violations(page)
    assert not violations, "axe-core:\n" + "\n".join(violations)
    assert not page.js_errors, f"JavaScript errors: {page.js_errors}"
