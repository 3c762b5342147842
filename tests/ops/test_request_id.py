"""X-Request-ID: taken when sane, made otherwise, returned, bound into every log line of the
request, and followed from the API's log line through the worker's to the notification's."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select

from mimir.alerts.manage import add_channel, add_watch
from mimir.api.request_context import sane
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.tables import sources
from mimir.jobs.runtime import run_worker
from mimir.logs import configure_logging
from mimir.model import SourceSpec
from mimir.model.watches import WatchMode, WatchSpec
from mimir.storage import sources as source_store
from tests.alerts.receiver import Receiver
from tests.api.conftest import TestClient
from tests.conftest import make_settings
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


@pytest.fixture
def settings(db_url: str) -> Settings:
    """The test database's settings; webhooks may go to the loopback receiver."""
    return make_settings(db_url, notify_allowed_networks="127.0.0.0/8")


def _lines(capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    return [json.loads(x) for x in capsys.readouterr().err.splitlines() if x.startswith("{")]


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("abc-123_X.y", True),
        ("a" * 128, True),
        ("a" * 129, False),
        ("", False),
        ("has space", False),
        ("new\nline", False),
        ("caf\u00e9", False),
        ("<script>", False),
    ],
)
def test_which_ids_are_taken(given: str, kept: bool) -> None:
    assert (sane(given) == given) is kept


def test_the_id_is_returned_and_in_every_log_line_of_the_request(
    as_editor: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("info", "json")
    r = as_editor.get("/api/v1/sources", headers={"X-Request-ID": "client-chosen.id_1"})
    assert r.status_code == 200 and r.headers["x-request-id"] == "client-chosen.id_1"
    made = as_editor.get("/api/v1/sources", headers={"X-Request-ID": "x" * 129})
    rid = made.headers["x-request-id"]
    assert len(rid) == 32 and int(rid, 16) >= 0  # a new uuid4, hex
    other = as_editor.get("/healthz").headers["x-request-id"]
    assert other != rid and len(other) == 32
    lines = _lines(capsys)
    requests = [e for e in lines if e["event"] == "http_request"]
    assert [e["request_id"] for e in requests][:2] == ["client-chosen.id_1", rid]
    # stable keys on every line
    for e in lines:
        assert {"timestamp", "level", "logger", "event"} <= set(e)
    assert "request_id" not in _after_request(as_editor, capsys)


def _after_request(client: TestClient, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    """A log line written outside any request: no request id leaks into it."""
    import structlog

    structlog.get_logger("mimir.test").info("outside")
    return next(e for e in _lines(capsys) if e["event"] == "outside")


def test_one_request_id_from_the_api_through_the_worker_to_the_notification(
    as_editor: TestClient,
    db: Database,
    settings: Settings,
    web: FixtureWeb,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """POST .../refresh (no wait) marks the source due and records the request; the worker that
    claims it logs the check with the request id and source id, each article job with its job
    id, and the notification the articles raise with the watch id, all with the request id."""
    now = datetime.now(UTC)
    site = NewsSite(web)
    site.publish(2)
    source = db.sync_write(
        source_store.add_source, SourceSpec(name="News", url=site.feed_url()), now
    )
    with Receiver() as hooks:
        db.sync_write(add_channel, "hook", f"json://127.0.0.1:{hooks.port}/mimir", now)
        watch_id = db.sync_write(
            add_watch, WatchSpec("ATSC", '"ATSC 3.0"', WatchMode.INSTANT, channels=("hook",)), now
        )
        configure_logging("info", "json")
        rid = "follow-me.0001"
        r = as_editor.post(f"/api/v1/sources/{source.id}/refresh", headers={"X-Request-ID": rid})
        assert r.status_code == 202 and r.headers["x-request-id"] == rid
        asyncio.run(run_worker(settings, once=True, db=db))
        assert hooks.requests, "no notification was sent"
    lines = _lines(capsys)
    api = [e for e in lines if e["event"] == "http_request" and e.get("request_id") == rid]
    assert len(api) == 1 and api[0]["status"] == 202
    checked = [e for e in lines if e["event"] == "source_checked"]
    assert len(checked) == 1
    assert checked[0]["request_id"] == rid and checked[0]["source_id"] == source.id
    jobs = [e for e in lines if e["event"] == "article_job_done"]
    assert len(jobs) == 2
    for e in jobs:
        assert e["request_id"] == rid and e["source_id"] == source.id and e["job_id"] > 0
    sent = [e for e in lines if e["event"] == "notification_sent"]
    assert sent
    for e in sent:
        assert e["request_id"] == rid and e["watch_id"] == watch_id and e["outbox_id"] > 0
    # taken once: the next scheduled check is nobody's request
    left = db.sync_read(
        lambda conn: conn.execute(
            select(sources.c.refresh_request_id).where(sources.c.id == source.id)
        ).scalar()
    )
    assert left is None
