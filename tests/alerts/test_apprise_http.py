"""Apprise really posting: ntfy (a self-hosted server) against the local receiver."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

import pytest

from mimir.alerts.digest import render_alert
from mimir.alerts.notify import Notifier
from mimir.model.alerts import AlertArticle, DigestItem, WatchRef
from tests.alerts.conftest import LOOPBACK
from tests.alerts.receiver import Receiver, Reply

pytestmark = pytest.mark.anyio

WATCH = WatchRef(1, "Energy")
ITEM = DigestItem(
    AlertArticle(
        5,
        "Grid operator <b>warns</b> of winter shortfall",
        "https://energy.example/grid",
        "FT",
        datetime(2026, 1, 5, 7, 0, tzinfo=UTC),
        "The grid operator warns of a shortfall.",
    ),
    matched_terms=("shortfall",),
)


def ntfy(receiver: Receiver, query: str = "") -> str:
    return f"ntfy://127.0.0.1:{receiver.port}/mimir-alerts{query}"


async def test_ntfy_gets_the_text_body(receiver: Receiver) -> None:
    receiver.reply(Reply(200, headers={"Content-Type": "application/json"}, body=b'{"id":"1"}'))
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=5) as notifier:
        result = await notifier.deliver(ntfy(receiver), render_alert(WATCH, ITEM))
    assert result.ok, result
    payload = json.loads(receiver.requests[-1].body)
    assert payload["topic"] == "mimir-alerts"
    assert payload["title"] == "[Energy] Grid operator <b>warns</b> of winter shortfall"
    message = payload["message"]
    assert "Grid operator <b>warns</b> of winter **shortfall**" in message
    assert "https://energy.example/grid" in message
    assert "<mark>" not in message and "&lt;" not in message


async def test_markdown_services_get_the_html_as_markdown(receiver: Receiver) -> None:
    receiver.reply(Reply(200, headers={"Content-Type": "application/json"}, body=b'{"id":"1"}'))
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=5) as notifier:
        url = ntfy(receiver, "?format=markdown")
        result = await notifier.deliver(url, render_alert(WATCH, ITEM))
    assert result.ok, result
    message = json.loads(receiver.requests[-1].body)["message"]
    # a link with the (escaped) title, and the highlight in bold
    assert "(<https://energy.example/grid>)" in message
    assert r"\<b\>warns\</b\>" in message
    assert "**shortfall**" in message


@pytest.mark.parametrize(
    ("status", "retryable", "error_class"),
    [(404, False, "http_404"), (403, False, "http_403"), (500, True, "http_500"),
     (502, True, "http_502"), (429, True, "rate_limited")],
)
async def test_apprise_failures_are_classified_by_status(
    receiver: Receiver, status: int, retryable: bool, error_class: str
) -> None:
    receiver.reply(Reply(status, body=b"{}"))
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=5) as notifier:
        result = await notifier.deliver(ntfy(receiver), render_alert(WATCH, ITEM))
    assert not result.ok
    assert (result.retryable, result.error_class, result.status_code) == (
        retryable, error_class, status
    )
    assert f"error={status}" in (result.error_message or "")


async def test_a_slow_service_times_out(receiver: Receiver) -> None:
    receiver.reply(Reply(200, delay=3.0))
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=0.5) as notifier:
        started = time.monotonic()
        result = await notifier.deliver(ntfy(receiver), render_alert(WATCH, ITEM))
        elapsed = time.monotonic() - started
    assert not result.ok and result.retryable and result.error_class == "timeout"
    assert elapsed < 2.0


async def test_a_self_hosted_service_on_loopback_is_refused_by_default(receiver: Receiver) -> None:
    async with Notifier(timeout_seconds=5) as notifier:
        result = await notifier.deliver(ntfy(receiver), render_alert(WATCH, ITEM))
    assert not result.ok and result.error_class == "blocked_address" and not result.retryable
    assert receiver.requests == []
