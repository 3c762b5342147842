"""The notifier: deliver one rendered notification to one channel, say how it went.

``Notifier.deliver`` never raises for a delivery problem; it answers a :class:`DeliveryResult`
(ok, error class and message without secrets, duration, retryable?) for the outbox sender to
record. Generic webhooks go through :class:`~mimir.alerts.webhook.WebhookSender` (signed);
everything else through Apprise. Apprise is synchronous, so each send runs in a thread of the
notifier's own pool under a deadline: a slow or dead channel costs one thread for at most the
timeout and never holds up the others (the caller sends to several channels concurrently).

Which body a service gets: services that render HTML (e-mail, Telegram ...) get the HTML;
Markdown services (Slack, Teams workflows, Rocket.Chat ...) get the HTML too, which Apprise
turns into Markdown with links and bold highlights; plain-text services (ntfy, SMS ...) get the
text. For e-mail the text/plain alternative is derived from the HTML by Apprise, which is why
the HTML shows each article's URL as text.

Apprise channels with a user-chosen host (a mail server, a self-hosted ntfy or Gotify) are
checked against the same address policy as webhooks before sending. Apprise resolves the name
again when it connects, so this check stops mistakes and casual probing, not a hostile DNS
server; that is what the webhook path (our own guarded resolver) is for.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
import uuid
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import structlog
from apprise import Apprise, AppriseResultStatus, NotifyFormat

from mimir.alerts.channels import (
    PLACEHOLDER,
    Channel,
    ChannelKind,
    InvalidChannel,
    MissingPlaceholder,
    asset,
    instantiate,
    network_host,
    parse_channel,
    redact,
    visible_parts,
)
from mimir.alerts.digest import render_test
from mimir.alerts.payloads import iso
from mimir.alerts.webhook import WebhookSender, classify_status
from mimir.config import DEFAULT_USER_AGENT
from mimir.errors import DNSError
from mimir.fetch.ssrf import IPNetwork, is_blocked, resolve
from mimir.model.alerts import DeliveryResult, Notification

log = structlog.get_logger("mimir.notify")

DELIVERY_HEADER = "X-Mimir-Delivery-Id"
_HTTP_ERROR = re.compile(r"error=(\d{3})\b")
_MAX_MESSAGES = 3
_DEADLINE_GRACE_SECONDS = 5.0


@dataclass(frozen=True, slots=True)
class _AppriseOutcome:
    status: AppriseResultStatus
    messages: tuple[str, ...]
    http_status: int | None


class Notifier:
    """Delivers notifications to channels. ``async with Notifier(...) as n: await n.deliver(...)``.

    ``allowed_networks``: networks a channel may point into despite the address guard (for
    example the LAN with the mail server); empty refuses every non-public address.
    ``timeout_seconds``: the most one delivery may take, connection and answer included.
    ``placeholders``: values for the ``${NAME}`` secrets channel URLs may name (see
    :mod:`mimir.alerts.channels`); a channel naming one that is missing fails, retryably.
    """

    def __init__(
        self,
        *,
        allowed_networks: Sequence[IPNetwork] = (),
        timeout_seconds: float = 30.0,
        threads: int = 8,
        user_agent: str = DEFAULT_USER_AGENT,
        placeholders: Mapping[str, str] | None = None,
    ) -> None:
        self.allowed_networks = tuple(allowed_networks)
        self.placeholders = dict(placeholders or {})
        self.timeout_seconds = timeout_seconds
        self.webhooks = WebhookSender(
            allowed_networks=self.allowed_networks,
            timeout_seconds=timeout_seconds,
            user_agent=user_agent,
        )
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="mimir-notify")

    async def __aenter__(self) -> Notifier:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self.webhooks.aclose()
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def deliver(
        self,
        channel: Channel | str,
        notification: Notification,
        *,
        secret: str | Sequence[str] | None = None,
        idempotency_key: str | None = None,
        now: datetime | None = None,
    ) -> DeliveryResult:
        """Send ``notification`` to ``channel`` once.

        ``secret``: the webhook signing secret (several while rotating); required for
        webhook channels, ignored by the others. ``idempotency_key``: the outbox row id, sent
        as ``Idempotency-Key`` and ``delivery_id``. ``now``: the delivery time stamped on the
        payload and the signature.
        """
        started = time.monotonic()
        if isinstance(channel, str) or (PLACEHOLDER.search(channel.url) and not channel.send_url):
            written = channel if isinstance(channel, str) else channel.url
            try:
                channel = parse_channel(written, placeholders=self.placeholders)
            except InvalidChannel as exc:
                refused = DeliveryResult(
                    ok=False,
                    channel="(invalid channel)",
                    duration_seconds=time.monotonic() - started,
                    # a secret the operator has not configured yet may come: try again later
                    retryable=isinstance(exc, MissingPlaceholder),
                    error_class=exc.code,
                    error_message=exc.message,
                )
                _log(refused, idempotency_key or "")
                return refused
        moment = now or datetime.now(UTC)
        key = idempotency_key or uuid.uuid4().hex
        if channel.kind is ChannelKind.WEBHOOK:
            body = json.dumps(
                {**notification.event, "delivery_id": key, "delivered_at": iso(moment)},
                ensure_ascii=False,
                separators=(",", ":"),
            ).encode()
            outcome = await self.webhooks.send(
                channel,
                body,
                secret=secret or "",
                idempotency_key=key,
                timestamp=int(moment.timestamp()),
            )
        else:
            outcome = await self._send_apprise(channel, notification, key, started)
        _log(outcome, key)
        return outcome

    async def send_test(
        self,
        channel: Channel | str,
        *,
        secret: str | Sequence[str] | None = None,
        now: datetime | None = None,
    ) -> DeliveryResult:
        """Send the test message ("this channel works") to ``channel``."""
        key = f"test-{uuid.uuid4().hex}"
        test = render_test()
        return await self.deliver(channel, test, secret=secret, idempotency_key=key, now=now)

    # ---- Apprise --------------------------------------------------------------------------------

    async def _send_apprise(
        self, channel: Channel, notification: Notification, key: str, started: float
    ) -> DeliveryResult:
        def result(
            ok: bool,
            retryable: bool,
            error: str | None,
            message: str | None,
            status: int | None = None,
        ) -> DeliveryResult:
            return DeliveryResult(
                ok=ok,
                channel=channel.display,
                duration_seconds=time.monotonic() - started,
                retryable=retryable,
                error_class=error,
                error_message=message,
                status_code=status,
            )

        loop = asyncio.get_running_loop()
        try:
            async with asyncio.timeout(self.timeout_seconds + _DEADLINE_GRACE_SECONDS):
                refusal = await self._check_host(channel)
                if refusal is not None:
                    return result(False, refusal[0], refusal[1], refusal[2])
                outcome = await loop.run_in_executor(
                    self._pool, self._notify_blocking, channel, notification, key
                )
        except TimeoutError:
            return result(False, True, "timeout", f"no answer within {self.timeout_seconds:g} s")
        except InvalidChannel as exc:
            return result(False, False, exc.code, exc.message)
        message = "; ".join(outcome.messages) or None
        if outcome.status is AppriseResultStatus.SUCCESS:
            return result(True, False, None, None, outcome.http_status)
        if outcome.status is AppriseResultStatus.TIMEOUT:
            return result(False, True, "timeout", message or "the service did not answer in time")
        if outcome.http_status is not None:
            _, retryable, error = classify_status(outcome.http_status)
            return result(False, retryable, error, message, outcome.http_status)
        if message and "connection error" in message.lower():
            return result(False, True, "connect_error", message)
        return result(False, True, "delivery_failed", message or "the service refused the message")

    async def _check_host(self, channel: Channel) -> tuple[bool, str, str] | None:
        """``(retryable, error class, message)`` when the channel's host may not be used."""
        host = network_host(instantiate(channel.target_url))
        if host is None:
            return None
        try:
            addresses = await resolve(host, 0, self.timeout_seconds)
        except DNSError as exc:
            return True, exc.code, exc.message
        for address in addresses:
            reason = is_blocked(address, self.allowed_networks)
            if reason:
                return False, "blocked_address", f"{host} resolves to {address}: {reason}; refused"
        return None

    def _notify_blocking(
        self, channel: Channel, notification: Notification, key: str
    ) -> _AppriseOutcome:
        plugin = instantiate(channel.target_url)
        headers = getattr(plugin, "headers", None)
        if getattr(plugin, "smtp_host", None) and isinstance(headers, dict):
            headers[DELIVERY_HEADER] = key  # lets a mail filter drop a retried duplicate
        wants = plugin.resolve_format(None)
        if wants in (NotifyFormat.HTML, NotifyFormat.MARKDOWN):
            body, body_format = notification.html, NotifyFormat.HTML
        else:
            body, body_format = notification.text, NotifyFormat.TEXT
        app = Apprise(asset=asset())
        app.add(plugin)
        with app.notify(
            body=body,
            title=notification.subject,
            body_format=body_format,
            timeout=self.timeout_seconds,
        ) as outcome:
            entries = [e for e in outcome.logs() if e.level in ("WARNING", "ERROR", "CRITICAL")]
            keep = visible_parts(channel.display)
            messages = tuple(
                dict.fromkeys(redact(e.message, channel.target_url, keep) for e in entries)
            )[-_MAX_MESSAGES:]
            codes = [int(m.group(1)) for e in entries for m in _HTTP_ERROR.finditer(e.message)]
            return _AppriseOutcome(outcome.status, messages, codes[-1] if codes else None)


def _log(outcome: DeliveryResult, key: str) -> None:
    if outcome.ok:
        log.info(
            "notification_sent",
            channel=outcome.channel,
            delivery_id=key,
            duration_seconds=round(outcome.duration_seconds, 3),
        )
    else:
        log.warning(
            "notification_failed",
            channel=outcome.channel,
            delivery_id=key,
            error_class=outcome.error_class,
            error=outcome.error_message,
            retryable=outcome.retryable,
            status_code=outcome.status_code,
            duration_seconds=round(outcome.duration_seconds, 3),
        )


async def send_test(
    channel: Channel | str,
    *,
    secret: str | Sequence[str] | None = None,
    allowed_networks: Sequence[IPNetwork] = (),
    timeout_seconds: float = 30.0,
    now: datetime | None = None,
) -> DeliveryResult:
    """Send a test message to one channel (the "send a test message" button)."""
    async with Notifier(allowed_networks=allowed_networks, timeout_seconds=timeout_seconds) as n:
        return await n.send_test(channel, secret=secret, now=now)
