"""Digest watches: alerts wait for the window to close, then one digest per channel is sent."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

from sqlalchemy import update

from mimir.alerts.manage import add_channel, add_watch
from mimir.alerts.matching import WatchSet
from mimir.alerts.sender import OutboxSender, run_digests
from mimir.db.database import Database
from mimir.db.tables import watches
from mimir.model.watches import WatchMode, WatchSpec
from mimir.monitor.ingest import AfterStore, store_article
from mimir.storage import alerts as alert_store
from mimir.storage import watches as watch_store
from tests.alerts.receiver import SMTPServer
from tests.conftest import make_settings
from tests.storage.test_articles import NOW, source
from tests.storage.test_stories_alerts import OTHER, RELEASE, article


def test_daily_digest_groups_the_day_by_story_and_is_sent_once(db_url: str) -> None:
    settings = make_settings(db_url, notify_allowed_networks="127.0.0.0/8")
    with Database(settings) as db, SMTPServer() as smtp:
        mail = (
            f"mailto://127.0.0.1:{smtp.port}?from=mimir@example.org&to=desk@example.org"
            "&mode=insecure"
        )
        db.sync_write(add_channel, "mail", mail, NOW)
        spec = WatchSpec("Harmonic daily", "harmonic", WatchMode.DAILY, "Europe/Berlin", ("mail",))
        watch_id = db.sync_write(add_watch, spec, NOW)
        watch = db.sync_read(watch_store.find_watch, watch_id)
        assert watch.next_digest_at is not None and watch.next_digest_at > NOW  # 07:00 Berlin

        after = AfterStore(db.sync_read(WatchSet.load))
        a, b = source(db, "wire"), source(db, "trade")
        day = NOW - timedelta(hours=10)
        for sid, url, title, text in [
            (a, "https://wire.example/1", "Sinclair picks Harmonic", RELEASE),
            (b, "https://trade.example/2", "Harmonic lands Sinclair", RELEASE + "\nMore."),
            (a, "https://wire.example/3", "Harmonic results", OTHER),
        ]:
            db.sync_write(store_article, replace(article(sid, url, title, text)), day, after)
        alerts = db.sync_read(alert_store.list_alerts)
        assert len(alerts) == 2  # two stories: the release (two copies) and the results
        assert db.sync_read(alert_store.outbox_rows) == []  # a digest watch waits

        assert db.sync_write(run_digests, NOW, 7) == 0  # not due yet
        due = watch.next_digest_at
        db.sync_write(
            lambda c: c.execute(
                update(watches).where(watches.c.id == watch_id).values(next_digest_at=NOW)
            )
        )
        # the window ending at the latest 07:00 Berlin before now holds both alerts
        at = due + timedelta(minutes=1)
        assert db.sync_write(run_digests, at, 7) == 1
        assert db.sync_write(run_digests, at, 7) == 0  # queued once
        assert db.sync_read(watch_store.find_watch, watch_id).next_digest_at > at

        sender = OutboxSender(db, settings, "test-worker", clock=lambda: at + timedelta(seconds=5))

        async def send() -> int:
            n = await sender.run_once()
            await sender.close()
            return n

        assert asyncio.run(send()) == 1
        [message] = smtp.messages
        assert "Daily digest: 2 stories" in message["Subject"]
        html = message.get_body(preferencelist=("html",)).get_content()
        assert "Sinclair" in html and "results" in html
        assert "also in" in html.lower() or "1 other source" in html.lower() or "trade" in html
        assert [r["state"] for r in db.sync_read(alert_store.outbox_rows)] == ["sent"]
        assert all(a.digested_at is not None for a in db.sync_read(alert_store.list_alerts))
