"""URL helpers shared by the parsers (resolution only; canonicalisation lives in process)."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


def is_http_url(value: str) -> bool:
    """An absolute http(s) URL with a host."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme in {"http", "https"} and bool(parts.netloc)


def absolute_http_url(value: str | None, base: str | None) -> str | None:
    """``value`` resolved against ``base``; None unless the result is an http(s) URL."""
    if not value:
        return None
    cleaned = value.strip()
    if not cleaned:
        return None
    try:
        resolved = urljoin(base, cleaned) if base else cleaned
    except ValueError:
        return None
    return resolved if is_http_url(resolved) else None
