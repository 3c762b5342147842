"""Webhook signatures: HMAC-SHA256 over the timestamp and the exact body bytes.

Every signed webhook request carries (secret ``whsec_example``, body ``{"event":"test"}``)::

    X-Mimir-Timestamp: 1773480600
    X-Mimir-Signature: t=1773480600,
        v1=5d20f0985d50fa0ec70f2075e9712534e3fe6126a56f20a2360ec39a3335c071

where ``v1`` is ``hex(HMAC-SHA256(key=secret, msg=f"{t}.".encode() + body))`` and the secret is
the channel's signing secret as UTF-8 bytes (the header is one line; it is wrapped here). A
receiver recomputes it over the raw body (before any JSON parsing), compares in constant time,
and refuses timestamps too far from its own clock (replays). While a secret is being rotated
the header may carry several ``v1=`` values; one matching is enough. docs/alerts.md has a
stand-alone verification snippet.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

SIGNATURE_HEADER = "X-Mimir-Signature"
TIMESTAMP_HEADER = "X-Mimir-Timestamp"
DEFAULT_TOLERANCE_SECONDS = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


class InvalidSignature(ValueError):
    """The signature header is missing, malformed, stale, or does not match the body."""


def mint_webhook_secret() -> str:
    """A new signing secret (256 random bits), shown to the user once when the channel is made."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def compute(secret: str, timestamp: int, body: bytes) -> str:
    """The ``v1`` value: hex HMAC-SHA256 of ``f"{timestamp}.".encode() + body``."""
    if not secret:
        raise ValueError("an empty signing secret signs nothing")
    message = f"{int(timestamp)}.".encode() + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets_: str | Sequence[str], timestamp: int, body: bytes) -> str:
    """The ``X-Mimir-Signature`` value; several secrets (rotation) give several ``v1=``."""
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    return ",".join([f"t={int(timestamp)}", *(f"v1={compute(k, timestamp, body)}" for k in keys)])


def parse_header(header: str) -> tuple[int, list[str]]:
    """``(timestamp, [v1 signatures])`` from an ``X-Mimir-Signature`` value."""
    timestamp: int | None = None
    signatures: list[str] = []
    for part in header.split(","):
        key, sep, value = part.strip().partition("=")
        if not sep:
            continue
        if key == "t":
            try:
                timestamp = int(value)
            except ValueError:
                raise InvalidSignature("the t= timestamp is not an integer") from None
        elif key == "v1":
            signatures.append(value.strip())
    if timestamp is None:
        raise InvalidSignature("no t= timestamp in the signature header")
    if not signatures:
        raise InvalidSignature("no v1= signature in the signature header")
    return timestamp, signatures


def verify(
    secrets_: str | Sequence[str],
    header: str | None,
    body: bytes,
    *,
    now: float,
    tolerance_seconds: float = DEFAULT_TOLERANCE_SECONDS,
) -> int:
    """Check a signature header against ``body``; the signed timestamp, or InvalidSignature.

    ``now`` is the receiver's clock (Unix seconds); timestamps further than
    ``tolerance_seconds`` from it are refused, so a captured request cannot be replayed later.
    """
    if not header:
        raise InvalidSignature(f"no {SIGNATURE_HEADER} header")
    timestamp, signatures = parse_header(header)
    if abs(now - timestamp) > tolerance_seconds:
        raise InvalidSignature(f"timestamp {timestamp} is outside the tolerance window")
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    for key in keys:
        expected = compute(key, timestamp, body)
        if any(hmac.compare_digest(expected, given) for given in signatures):
            return timestamp
    raise InvalidSignature("no signature matches the body")
