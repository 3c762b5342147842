"""Signed generic webhooks (``json://``/``jsons://`` channels), delivered by Mimir over aiohttp.

One POST of ``application/json`` with the signature headers of :mod:`mimir.alerts.signing` and
``Idempotency-Key`` (the outbox row id: a receiver that sees a key twice has seen the delivery
before). Redirects are not followed. The target's addresses go through the same SSRF guard as
fetching: loopback, private, link-local and metadata addresses are refused unless the operator
allows their network explicitly (``allowed_networks``), since a webhook URL is user input that
would otherwise let a user probe the network Mimir runs in.

How it ended, for the outbox sender: 2xx delivered; 408, 425, 429 and 5xx, timeouts and network
errors retryable (with the receiver's ``Retry-After`` when given); other statuses, redirects
and refused addresses permanent.
"""

from __future__ import annotations

import asyncio
import base64
import time
from collections.abc import Sequence
from types import TracebackType

import aiohttp
from yarl import URL

from mimir.alerts.channels import Channel, WebhookTarget
from mimir.alerts.signing import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature_header
from mimir.config import DEFAULT_USER_AGENT
from mimir.errors import BlockedAddress, DNSError
from mimir.fetch.client import ssl_context
from mimir.fetch.ssrf import GuardedResolver, IPNetwork, check_literal
from mimir.fetch.urls import parse_retry_after
from mimir.model.alerts import DeliveryResult

RETRYABLE_STATUSES = frozenset({408, 425, 429})
ERROR_BODY_CHARS = 200
_READ_LIMIT_BYTES = 4096


def classify_status(status: int) -> tuple[bool, bool, str | None]:
    """``(ok, retryable, error_class)`` for an HTTP status a receiver answered with."""
    if 200 <= status < 300:
        return True, False, None
    if status == 429:
        return False, True, "rate_limited"
    if status in RETRYABLE_STATUSES or status >= 500:
        return False, True, f"http_{status}"
    if 300 <= status < 400:
        return False, False, "redirect"
    return False, False, f"http_{status}"


class WebhookSender:
    """Posts signed JSON bodies; one aiohttp session (and connection pool) for all channels."""

    def __init__(
        self,
        *,
        allowed_networks: Sequence[IPNetwork] = (),
        timeout_seconds: float = 30.0,
        connect_timeout_seconds: float = 10.0,
        user_agent: str = DEFAULT_USER_AGENT,
    ) -> None:
        self.allowed_networks = tuple(allowed_networks)
        self.timeout_seconds = timeout_seconds
        self.connect_timeout_seconds = min(connect_timeout_seconds, timeout_seconds)
        self.user_agent = user_agent
        self._session: aiohttp.ClientSession | None = None

    def _session_now(self) -> aiohttp.ClientSession:
        if self._session is None:
            connector = aiohttp.TCPConnector(
                resolver=GuardedResolver(self.allowed_networks, self.connect_timeout_seconds),
                ssl=ssl_context(),
                limit=100,
                limit_per_host=8,
                ttl_dns_cache=60,
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.user_agent},
                trust_env=False,  # an environment proxy would bypass the address guard
                cookie_jar=aiohttp.DummyCookieJar(),
                timeout=aiohttp.ClientTimeout(
                    total=self.timeout_seconds, sock_connect=self.connect_timeout_seconds
                ),
            )
        return self._session

    async def aclose(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def __aenter__(self) -> WebhookSender:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def send(
        self,
        channel: Channel,
        body: bytes,
        *,
        secret: str | Sequence[str],
        idempotency_key: str,
        timestamp: int,
    ) -> DeliveryResult:
        """POST ``body`` to the channel's webhook, signed; never raises for delivery problems."""
        started = time.monotonic()

        def result(
            ok: bool,
            retryable: bool,
            error: str | None,
            message: str | None,
            status: int | None = None,
            retry_after: float | None = None,
        ) -> DeliveryResult:
            return DeliveryResult(
                ok=ok,
                channel=channel.display,
                duration_seconds=time.monotonic() - started,
                retryable=retryable,
                error_class=error,
                error_message=message,
                status_code=status,
                retry_after_seconds=retry_after,
            )

        target = channel.webhook
        if target is None:
            return result(False, False, "invalid_channel", "not a webhook channel")
        if not secret:
            return result(False, False, "missing_secret", "the webhook channel has no secret")
        headers = {
            **target.headers,
            "Content-Type": "application/json",
            "Idempotency-Key": idempotency_key,
            TIMESTAMP_HEADER: str(int(timestamp)),
            SIGNATURE_HEADER: signature_header(secret, timestamp, body),
        }
        if target.username:
            pair = f"{target.username}:{target.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
        try:
            async with asyncio.timeout(self.timeout_seconds):
                status, response_headers, excerpt = await self._post(target, headers, body)
        except BlockedAddress as exc:
            return result(False, False, "blocked_address", _safe(exc.message, target))
        except DNSError as exc:
            return result(False, True, "dns_error", _safe(exc.message, target))
        except TimeoutError:
            return result(False, True, "timeout", f"no answer within {self.timeout_seconds:g} s")
        except aiohttp.ClientConnectorCertificateError as exc:
            return result(False, True, "tls_error", _safe(str(exc), target))
        except aiohttp.ClientConnectorError as exc:
            return result(False, True, "connect_error", _safe(str(exc), target))
        except (aiohttp.ClientError, ConnectionError) as exc:
            detail = str(exc) or "connection closed"
            return result(False, True, "connect_error", f"{type(exc).__name__}: {detail}")
        ok, retryable, error = classify_status(status)
        if ok:
            return result(True, False, None, None, status)
        retry_after = parse_retry_after(response_headers.get("retry-after"))
        message = f"HTTP {status}"
        if error == "redirect":
            message += " redirect; redirects are not followed, update the channel URL"
        elif excerpt:
            message += f": {excerpt}"
        return result(False, retryable, error, message, status, retry_after)

    async def _post(
        self, target: WebhookTarget, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, str], str]:
        url = URL(target.url, encoded=True)
        check_literal(url.raw_host or "", self.allowed_networks)
        session = self._session_now()
        async with session.post(
            url,
            data=body,
            headers=headers,
            allow_redirects=False,
            ssl=ssl_context() if target.verify_tls else False,
        ) as response:
            excerpt = b""
            if response.status >= 300:
                excerpt = await response.content.read(_READ_LIMIT_BYTES)
            else:
                await response.content.read(_READ_LIMIT_BYTES)
            text = " ".join(excerpt.decode("utf-8", "replace").split())[:ERROR_BODY_CHARS]
            return response.status, {k.lower(): v for k, v in response.headers.items()}, text


def _safe(message: str, target: WebhookTarget) -> str:
    """An error message without the target's credentials or query (which may hold tokens)."""
    url = URL(target.url, encoded=True)
    for secret in (target.password, url.raw_query_string, *target.headers.values()):
        if secret and len(secret) >= 3:
            message = message.replace(secret, "****")
    return message
