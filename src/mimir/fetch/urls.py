"""Small pure helpers: URL checks, host keys, origins, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from yarl import URL

from mimir.errors import InvalidURL

MAX_RETRY_AFTER_SECONDS = 24 * 3600.0
_DEFAULT_PORTS = {"http": 80, "https": 443}


def parse_url(url: str | URL) -> URL:
    """An absolute http(s) URL, or InvalidURL."""
    try:
        parsed = url if isinstance(url, URL) else URL(url.strip())
        host = parsed.raw_host
    except (TypeError, ValueError, UnicodeError) as exc:
        raise InvalidURL(f"{url!r} is not a valid URL: {exc}") from exc
    if parsed.scheme not in _DEFAULT_PORTS or not host:
        raise InvalidURL(f"{url!r} is not an absolute http(s) URL")
    return parsed


def host_key(url: URL) -> str:
    """The politeness key: ``host:port``."""
    return f"{url.raw_host}:{url.port or _DEFAULT_PORTS[url.scheme]}"


def origin(url: str | URL) -> str:
    """``scheme://host[:port]`` (default ports left out)."""
    parsed = parse_url(url)
    host = parsed.raw_host or ""
    netloc = f"[{host}]" if ":" in host else host
    if parsed.port is not None and parsed.port != _DEFAULT_PORTS[parsed.scheme]:
        netloc = f"{netloc}:{parsed.port}"
    return f"{parsed.scheme}://{netloc}"


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Retry-After as seconds (delta-seconds or HTTP-date), capped at 24 h; None if unusable."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        seconds = float(value)
    else:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
    return min(max(seconds, 0.0), MAX_RETRY_AFTER_SECONDS)
