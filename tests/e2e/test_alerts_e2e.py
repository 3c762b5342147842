"""An article appears on the fixture web; its alert arrives by signed webhook and by e-mail."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest

from mimir.alerts.manage import add_channel, add_watch
from mimir.alerts.signing import verify
from mimir.db.database import Database
from mimir.model.watches import WatchMode, WatchSpec
from mimir.storage import alerts as alert_store
from tests.alerts.receiver import Receiver, SMTPServer
from tests.conftest import make_settings
from tests.e2e.helpers import add, articles, now, refresh
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


@pytest.fixture
def alert_settings(db_url: str) -> Any:
    return make_settings(db_url, notify_allowed_networks="127.0.0.0/8")


@pytest.fixture
def alert_db(alert_settings: Any) -> Any:
    with Database(alert_settings) as db:
        yield db


def test_new_article_alerts_by_webhook_and_mail_once_per_story(
    web: FixtureWeb, alert_settings: Any, alert_db: Database, tmp_path: Path
) -> None:
    db = alert_db
    with Receiver() as hooks, SMTPServer() as smtp:
        hook = db.sync_write(add_channel, "hook", f"json://127.0.0.1:{hooks.port}/mimir", now())
        mail_url = (
            f"mailto://127.0.0.1:{smtp.port}?from=mimir@example.org&to=desk@example.org"
            "&mode=insecure"
        )
        db.sync_write(add_channel, "mail", mail_url, now())
        db.sync_write(
            add_watch,
            WatchSpec("ATSC", '"ATSC 3.0"', WatchMode.INSTANT, channels=("hook", "mail")),
            now(),
        )
        db.sync_write(
            add_watch,
            WatchSpec("Daily ATSC", '"ATSC 3.0"', WatchMode.DAILY, channels=("mail",)),
            now(),
        )
        site = NewsSite(web)
        site.publish(2)
        add(db, "Test RSS", site.feed_url())
        _, events = refresh(alert_settings, db)

        stored = articles(db)
        assert len(stored) == 2
        fired = [e for e in events if e.kind == "alert"]
        stories = {e.data["story_id"] for e in fired}
        # one alert per story and watch; the instant watch's ones are sent, the daily one waits
        by_watch: dict[int, int] = {}
        for e in fired:
            by_watch[e.data["watch_id"]] = by_watch.get(e.data["watch_id"], 0) + 1
        assert sorted(by_watch.values()) == [len(stories)] * 2
        assert len(hooks.requests) == len(stories)
        for request in hooks.requests:
            assert verify(
                [hook.webhook_secret or ""],
                request.headers["x-mimir-signature"],
                request.body,
                now=int(time.time()),
            )
            payload = json.loads(request.body)
            assert payload["watch"]["name"] == "ATSC"
            assert payload["article"]["title"] in {a["title"] for a in stored}
            assert request.headers["idempotency-key"] == str(payload["delivery_id"])
        assert len(smtp.messages) == len(stories)
        message = smtp.messages[0]
        assert message["Subject"].startswith("[ATSC] ")
        assert message["X-Mimir-Delivery-Id"]
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "<mark" in html and "ATSC 3.0" in html

        # nothing new: a second pass sends nothing again
        refresh(alert_settings, db)
        assert len(hooks.requests) == len(stories) and len(smtp.messages) == len(stories)
        rows = db.sync_read(alert_store.outbox_rows)
        assert {r["state"] for r in rows} == {"sent"} and len(rows) == 2 * len(stories)
        attempts = db.sync_read(alert_store.attempts_of, rows[0]["id"])
        assert len(attempts) == 1 and attempts[0]["ok"] is True
