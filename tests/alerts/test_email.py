"""E-mail through Apprise's mailto:// to a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mimir.alerts.digest import digest_window, render_alert, render_digest
from mimir.alerts.notify import Notifier, send_test
from mimir.model.alerts import AlertArticle, DigestItem, WatchRef
from mimir.model.watches import WatchMode
from tests.alerts.conftest import LOOPBACK
from tests.alerts.receiver import SMTPServer, free_port

pytestmark = pytest.mark.anyio

WATCH = WatchRef(3, "Broadcast standards")
LEAD = AlertArticle(
    11,
    'ATSC 3.0 launch in Brazil <script>alert("x")</script>',
    "https://news.example/atsc?a=1&b=2",
    "Reuters",
    datetime(2026, 3, 14, 8, 5, tzinfo=UTC),
    "Broadcasters confirmed the ATSC 3.0 launch for next year.",
)
ITEM = DigestItem(
    LEAD,
    matched_terms=("ATSC 3.0", "launch"),
    story_id=5,
    alert_id=77,
    also=(
        AlertArticle(12, "Brazil goes ATSC", "https://ap.example/1", "AP"),
        AlertArticle(13, "ATSC in Brazil", "https://bbc.example/2", "BBC"),
    ),
)


def mailto(server: SMTPServer, port: int | None = None) -> str:
    return (
        f"mailto://127.0.0.1:{port or server.port}"
        "?from=mimir@example.org&to=analyst@example.org&mode=insecure"
    )


def parts(message: object) -> tuple[str, str]:
    from email.message import EmailMessage

    assert isinstance(message, EmailMessage)
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None
    return str(text.get_content()), str(html.get_content())


async def test_an_alert_arrives_as_html_and_text(smtp: SMTPServer) -> None:
    notification = render_alert(WATCH, ITEM, tz="Europe/Berlin")
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=10) as notifier:
        result = await notifier.deliver(mailto(smtp), notification, idempotency_key="outbox-7")
    assert result.ok, result
    assert result.channel.startswith("mailto://127.0.0.1:")
    assert smtp.messages[0]["X-Mimir-Delivery-Id"] == "outbox-7"
    assert smtp.envelopes == [("mimir@example.org", ["analyst@example.org"])]
    message = smtp.messages[0]
    assert message["Subject"] == (
        '[Broadcast standards] ATSC 3.0 launch in Brazil <script>alert("x")</script>'
    )
    assert message.get_content_type() == "multipart/alternative"
    text, html = parts(message)
    # highlights, escaping, the link, the other sources, the time in the owner's zone
    assert "<mark><strong>ATSC 3.0</strong></mark> <mark><strong>launch</strong></mark>" in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html
    assert "<script>" not in html
    assert 'href="https://news.example/atsc?a=1&amp;b=2"' in html
    assert "Also in 2 other sources" in html
    assert "14 Mar 2026, 09:05 CET" in html
    # the text alternative (Apprise derives it from the HTML) keeps title, URL and sources
    assert 'ATSC 3.0 launch in Brazil <script>alert("x")</script>' in text
    assert "https://news.example/atsc?a=1&b=2" in text
    assert "Also in 2 other sources: AP, BBC" in text
    assert "<mark>" not in text


async def test_a_digest_groups_stories(smtp: SMTPServer) -> None:
    now = datetime(2026, 3, 14, 12, 0, tzinfo=UTC)
    window = digest_window(WatchMode.DAILY, "Europe/Berlin", now)
    second = DigestItem(
        AlertArticle(21, "Second story: DVB-I trials", "https://dvb.example/i", "Heise"),
        matched_terms=("DVB-I",),
        story_id=6,
    )
    notification = render_digest(
        WATCH, [ITEM, second], mode=WatchMode.DAILY, window=window, tz="Europe/Berlin"
    )
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=10) as notifier:
        result = await notifier.deliver(mailto(smtp), notification)
    assert result.ok, result
    message = smtp.messages[0]
    assert message["Subject"] == "[Broadcast standards] Daily digest: 2 stories (Sat 14 Mar 2026)"
    text, html = parts(message)
    assert html.index("ATSC 3.0") < html.index("DVB-I</strong></mark> trials")
    assert "<mark><strong>DVB-I</strong></mark>" in html
    assert "Second story: DVB-I trials" in text


async def test_send_test_message(smtp: SMTPServer) -> None:
    result = await send_test(mailto(smtp), allowed_networks=LOOPBACK, timeout_seconds=10)
    assert result.ok
    assert smtp.messages[0]["Subject"] == "Mimir test message"
    text, _ = parts(smtp.messages[0])
    assert "this channel works" in text


async def test_the_mail_server_address_is_checked(smtp: SMTPServer) -> None:
    async with Notifier(timeout_seconds=10) as notifier:  # loopback not allowed
        result = await notifier.deliver(mailto(smtp), render_alert(WATCH, ITEM))
    assert not result.ok and not result.retryable
    assert result.error_class == "blocked_address"
    assert smtp.messages == []


async def test_a_dead_mail_server_is_retryable() -> None:
    port = free_port()  # nothing listens there
    url = f"mailto://u:hunter22@127.0.0.1:{port}?from=mimir@example.org&to=a@example.org"
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=10) as notifier:
        result = await notifier.deliver(url, render_alert(WATCH, ITEM))
    assert not result.ok and result.retryable
    assert result.error_class == "connect_error"
    assert "hunter22" not in (result.error_message or "") + result.channel
    assert "127.0.0.1" in (result.error_message or "")


async def test_placeholders_are_filled_at_send_time(smtp: SMTPServer) -> None:
    url = (
        f"mailto://127.0.0.1:{smtp.port}"
        "?from=mimir@example.org&to=${ALERT_TO}&mode=insecure"
    )
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=10) as notifier:
        missing = await notifier.deliver(url, render_alert(WATCH, ITEM))
    assert not missing.ok and missing.retryable  # the operator may still configure it
    assert missing.error_class == "invalid_channel"
    assert "${ALERT_TO}" in (missing.error_message or "")
    assert smtp.messages == []
    secrets = {"ALERT_TO": "desk@example.org"}
    async with Notifier(allowed_networks=LOOPBACK, timeout_seconds=10, placeholders=secrets) as n:
        result = await n.deliver(url, render_alert(WATCH, ITEM))
    assert result.ok, result
    assert smtp.envelopes == [("mimir@example.org", ["desk@example.org"])]
