"""Webhook signatures: the header format, verification, rotation and replay protection."""

from __future__ import annotations

import hashlib
import hmac

import pytest

from mimir.alerts.signing import (
    InvalidSignature,
    compute,
    mint_webhook_secret,
    parse_header,
    signature_header,
    verify,
)

BODY = b'{"event":"test"}'


def test_known_answer() -> None:
    # the example in the module docstring, recomputed by hand
    expected = hmac.new(b"whsec_example", b"1773480600." + BODY, hashlib.sha256).hexdigest()
    assert compute("whsec_example", 1773480600, BODY) == expected
    assert signature_header("whsec_example", 1773480600, BODY) == f"t=1773480600,v1={expected}"
    assert expected == "5d20f0985d50fa0ec70f2075e9712534e3fe6126a56f20a2360ec39a3335c071"


def test_verify_accepts_within_the_tolerance_and_returns_the_timestamp() -> None:
    header = signature_header("s3cret", 1000, BODY)
    assert verify("s3cret", header, BODY, now=1000) == 1000
    assert verify("s3cret", header, BODY, now=1300) == 1000
    assert verify(["old", "s3cret"], header, BODY, now=700) == 1000
    with pytest.raises(InvalidSignature, match="tolerance"):
        verify("s3cret", header, BODY, now=1301)


@pytest.mark.parametrize(
    ("header", "reason"),
    [
        (None, "no X-Mimir-Signature"),
        ("", "no X-Mimir-Signature"),
        ("v1=abcd", "no t= timestamp"),
        ("t=abc,v1=abcd", "not an integer"),
        ("t=1000", "no v1= signature"),
        ("t=1000,v1=" + "0" * 64, "no signature matches"),
    ],
)
def test_bad_headers(header: str | None, reason: str) -> None:
    with pytest.raises(InvalidSignature, match=reason):
        verify("s3cret", header, BODY, now=1000)


def test_the_timestamp_is_part_of_what_is_signed() -> None:
    header = signature_header("s3cret", 1000, BODY)
    moved = header.replace("t=1000", "t=1100")
    with pytest.raises(InvalidSignature, match="no signature matches"):
        verify("s3cret", moved, BODY, now=1100)


def test_rotation_header_and_parsing() -> None:
    header = signature_header(["new", "old"], 5, BODY)
    timestamp, signatures = parse_header(header)
    assert timestamp == 5 and signatures == [compute("new", 5, BODY), compute("old", 5, BODY)]


def test_secrets() -> None:
    secret = mint_webhook_secret()
    assert secret.startswith("whsec_") and len(secret) >= 6 + 43
    assert mint_webhook_secret() != secret
    with pytest.raises(ValueError, match="empty"):
        compute("", 1, BODY)
