"""Pure helpers: URL checks, host keys, origins, Retry-After."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mimir.errors import InvalidURL
from mimir.fetch import host_key, origin, parse_retry_after
from mimir.fetch.urls import parse_url

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("http://example.com/a", "example.com:80"),
        ("https://Example.COM/a?b", "example.com:443"),
        ("https://example.com:8443/", "example.com:8443"),
        ("http://[2001:db8::1]:8080/", "2001:db8::1:8080"),
    ],
)
def test_host_key(url: str, key: str) -> None:
    assert host_key(parse_url(url)) == key


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://example.com/a/b?c", "http://example.com"),
        ("https://example.com:443/", "https://example.com"),
        ("https://example.com:8443/x", "https://example.com:8443"),
        ("http://[2001:db8::1]:81/", "http://[2001:db8::1]:81"),
    ],
)
def test_origin(url: str, expected: str) -> None:
    assert origin(url) == expected


@pytest.mark.parametrize("url", ["", "example.com", "//example.com/", "ftp://x/", "http:///x"])
def test_parse_url_refuses(url: str) -> None:
    with pytest.raises(InvalidURL):
        parse_url(url)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("120", 120.0),
        (" 5 ", 5.0),
        ("0", 0.0),
        ("Thu, 01 Jan 2026 12:01:00 GMT", 60.0),
        ("Thu, 01 Jan 2026 11:00:00 GMT", 0.0),  # in the past
        ("999999999", 86400.0),  # capped
        ("Fri, 01 Jan 2100 00:00:00 GMT", 86400.0),
        ("soon", None),
        ("-5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_retry_after(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value, NOW) == seconds
