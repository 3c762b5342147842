"""Signed webhooks against a real local receiver: signature, payload, retry classification."""

from __future__ import annotations

import asyncio
import base64
import json
import time
from datetime import UTC, datetime

import pytest

from mimir.alerts.channels import parse_channel
from mimir.alerts.digest import render_alert
from mimir.alerts.notify import Notifier, send_test
from mimir.alerts.signing import verify
from mimir.model.alerts import AlertArticle, DeliveryResult, DigestItem, WatchRef
from tests.alerts.conftest import LOOPBACK
from tests.alerts.receiver import Receiver, Reply

pytestmark = pytest.mark.anyio

SECRET = "whsec_test-secret"
NOW = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)
WATCH = WatchRef(7, "ATSC 3.0")
ITEM = DigestItem(
    AlertArticle(
        101,
        "Brazil picks ATSC 3.0 for its <next> TV",
        "https://news.example/brazil-atsc?utm=x&a=1",
        "Reuters",
        datetime(2026, 3, 14, 8, 0, tzinfo=UTC),
        "The ATSC 3.0 launch is set for 2027.",
    ),
    matched_terms=("ATSC 3.0", "launch"),
    story_id=55,
    alert_id=9001,
    also=(AlertArticle(102, "Brazil adopts ATSC", "https://ap.example/x", "AP"),),
)


def hook(receiver: Receiver, path: str = "/hooks/mimir") -> str:
    return receiver.url(path, scheme="json")


async def deliver(receiver: Receiver) -> DeliveryResult:
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=3.0) as notifier:
        return await notifier.deliver(
            hook(receiver),
            render_alert(WATCH, ITEM),
            secret=SECRET,
            idempotency_key="outbox-42",
            now=NOW,
        )


async def test_signed_payload_arrives_and_verifies(receiver: Receiver) -> None:
    result = await deliver(receiver)
    assert result.ok and result.status_code == 200 and not result.retryable
    request = receiver.requests[-1]
    assert request.method == "POST" and request.path == "/hooks/mimir"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["idempotency-key"] == "outbox-42"
    stamp = int(request.headers["x-mimir-timestamp"])
    assert stamp == int(NOW.timestamp())
    # the receiver's check, over the exact bytes it got
    signature = request.headers["x-mimir-signature"]
    assert verify(SECRET, signature, request.body, now=stamp + 5) == stamp
    payload = json.loads(request.body)
    assert payload["event"] == "alert" and payload["version"] == 1
    assert payload["delivery_id"] == "outbox-42"
    assert payload["delivered_at"] == "2026-03-14T09:30:00Z"
    assert payload["alert_id"] == 9001
    assert payload["watch"] == {"id": 7, "name": "ATSC 3.0"}
    assert payload["article"] == {
        "id": 101,
        "title": "Brazil picks ATSC 3.0 for its <next> TV",
        "url": "https://news.example/brazil-atsc?utm=x&a=1",
        "published_at": "2026-03-14T08:00:00Z",
        "source": "Reuters",
    }
    assert payload["story"]["id"] == 55 and payload["story"]["other_sources"] == ["AP"]
    assert payload["matched_terms"] == ["ATSC 3.0", "launch"]


async def test_a_tampered_body_or_wrong_secret_fails_verification(receiver: Receiver) -> None:
    await deliver(receiver)
    request = receiver.requests[-1]
    header = request.headers["x-mimir-signature"]
    stamp = int(request.headers["x-mimir-timestamp"])
    with pytest.raises(ValueError, match="no signature matches"):
        verify(SECRET, header, request.body.replace(b"9001", b"9002"), now=stamp)
    with pytest.raises(ValueError, match="no signature matches"):
        verify("whsec_other", header, request.body, now=stamp)
    with pytest.raises(ValueError, match="outside the tolerance"):
        verify(SECRET, header, request.body, now=stamp + 3600)


async def test_headers_and_basic_auth_from_the_url(receiver: Receiver) -> None:
    url = receiver.url("/in?+X-Api-Key=k3y&-channel=news", scheme="json").replace(
        "json://", "json://bot:pa55word@"
    )
    async with Notifier(allowed_networks=LOOPBACK) as notifier:
        result = await notifier.deliver(url, render_alert(WATCH, ITEM), secret=SECRET, now=NOW)
    assert result.ok
    assert "pa55word" not in result.channel and "k3y" not in result.channel
    request = receiver.requests[-1]
    assert request.path == "/in?channel=news"
    assert request.headers["x-api-key"] == "k3y"
    assert request.headers["authorization"] == "Basic " + base64.b64encode(b"bot:pa55word").decode()
    assert len(request.headers["idempotency-key"]) == 32  # a fresh key when none is given


@pytest.mark.parametrize(
    ("reply", "retryable", "error_class"),
    [
        (Reply(500, body=b"boom"), True, "http_500"),
        (Reply(503), True, "http_503"),
        (Reply(408), True, "http_408"),
        (Reply(404, body=b"no such hook"), False, "http_404"),
        (Reply(410), False, "http_410"),
        (Reply(401), False, "http_401"),
        (Reply(301, headers={"Location": "https://elsewhere.example/"}), False, "redirect"),
    ],
)
async def test_status_classification(
    receiver: Receiver, reply: Reply, retryable: bool, error_class: str
) -> None:
    receiver.reply(reply)
    result = await deliver(receiver)
    assert not result.ok
    assert result.retryable is retryable
    assert result.error_class == error_class
    assert result.status_code == reply.status
    assert len(receiver.requests) == 1  # one attempt per call: retrying is the outbox's job


async def test_error_message_quotes_the_receivers_answer(receiver: Receiver) -> None:
    receiver.reply(Reply(400, body=b'{"error":\n "unknown event"}'))
    result = await deliver(receiver)
    assert result.error_message == 'HTTP 400: {"error": "unknown event"}'


async def test_rate_limited_with_retry_after(receiver: Receiver) -> None:
    receiver.reply(Reply(429, headers={"Retry-After": "120"}))
    result = await deliver(receiver)
    assert not result.ok and result.retryable
    assert result.error_class == "rate_limited"
    assert result.retry_after_seconds == 120.0


async def test_slow_receiver_times_out_as_retryable(receiver: Receiver) -> None:
    receiver.reply(Reply(200, delay=5.0))
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=0.5) as notifier:
        started = time.monotonic()
        result = await notifier.deliver(hook(receiver), render_alert(WATCH, ITEM), secret=SECRET)
        elapsed = time.monotonic() - started
    assert not result.ok and result.retryable and result.error_class == "timeout"
    assert elapsed < 2.0


async def test_a_slow_channel_does_not_hold_up_the_others(receiver: Receiver) -> None:
    with Receiver() as fast:
        receiver.reply(Reply(200, delay=5.0))
        async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=1.0) as notifier:
            message = render_alert(WATCH, ITEM)

            async def timed(url: str) -> tuple[bool, float]:
                started = time.monotonic()
                result = await notifier.deliver(url, message, secret=SECRET)
                return result.ok, time.monotonic() - started

            slow_result, fast_result = await asyncio.gather(
                timed(hook(receiver)), timed(hook(fast))
            )
    assert fast_result[0] and fast_result[1] < 0.5
    assert not slow_result[0] and 0.9 < slow_result[1] < 2.0


async def test_connection_refused_is_retryable() -> None:
    with Receiver() as gone:
        url = hook(gone)
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=2.0) as notifier:
        result = await notifier.deliver(url, render_alert(WATCH, ITEM), secret=SECRET)
    assert not result.ok and result.retryable and result.error_class == "connect_error"


async def test_loopback_is_refused_unless_allowed(receiver: Receiver) -> None:
    for url in (hook(receiver), f"json://localhost:{receiver.port}/hooks/mimir"):
        async with Notifier() as notifier:  # no allowed networks: the default
            result = await notifier.deliver(url, render_alert(WATCH, ITEM), secret=SECRET)
        assert not result.ok and not result.retryable
        assert result.error_class == "blocked_address"
        assert "loopback" in (result.error_message or "")
    assert receiver.requests == []


async def test_a_webhook_without_secret_is_not_sent(receiver: Receiver) -> None:
    async with Notifier(allowed_networks=LOOPBACK) as notifier:
        result = await notifier.deliver(hook(receiver), render_alert(WATCH, ITEM))
    assert not result.ok and not result.retryable and result.error_class == "missing_secret"
    assert receiver.requests == []


async def test_rotation_signs_with_every_secret(receiver: Receiver) -> None:
    async with Notifier(allowed_networks=LOOPBACK) as notifier:
        result = await notifier.deliver(
            hook(receiver), render_alert(WATCH, ITEM), secret=["whsec_new", "whsec_old"]
        )
    assert result.ok
    request = receiver.requests[-1]
    header = request.headers["x-mimir-signature"]
    assert header.count("v1=") == 2
    stamp = int(request.headers["x-mimir-timestamp"])
    assert verify("whsec_old", header, request.body, now=stamp)
    assert verify("whsec_new", header, request.body, now=stamp)


async def test_send_test_posts_a_signed_test_event(receiver: Receiver) -> None:
    result = await send_test(hook(receiver), secret=SECRET, allowed_networks=LOOPBACK, now=NOW)
    assert result.ok
    request = receiver.requests[-1]
    payload = json.loads(request.body)
    assert payload["event"] == "test" and "works" in payload["message"]
    assert request.headers["idempotency-key"].startswith("test-")
    assert verify(SECRET, request.headers["x-mimir-signature"], request.body, now=NOW.timestamp())


async def test_an_invalid_channel_is_a_permanent_failure() -> None:
    async with Notifier() as notifier:
        result = await notifier.deliver("nosuch://x", render_alert(WATCH, ITEM))
    assert not result.ok and not result.retryable and result.error_class == "invalid_channel"
    assert parse_channel("jsons://hooks.example.org/x").webhook is not None
