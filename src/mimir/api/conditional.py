"""Conditional GET: a strong ETag from the body's hash, and If-None-Match (RFC 9110 §13.1.2)."""

from __future__ import annotations

import hashlib


def etag_of(body: bytes) -> str:
    """A strong entity tag: the first 128 bits of the body's SHA-256, quoted."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """True when ``If-None-Match`` names ``etag`` (weak comparison, as the RFC asks) or is
    ``*``: the client's copy is current, answer 304."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    ours = etag.removeprefix("W/")
    return any(tag.strip().removeprefix("W/") == ours for tag in if_none_match.split(","))
