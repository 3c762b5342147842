"""The small parts of the HTTP side, on hand-built values: redaction, conditional GET, the
socket, the settings."""

from __future__ import annotations

import socket

import pytest

from mimir.api.conditional import etag_of, none_match
from mimir.api.redact import redact, scrub, token_prefix
from mimir.api.server import bind
from mimir.config import Settings, load_settings
from mimir.errors import ConfigError

TOKEN = "Zk3q9PmWv0uJ1r8sT2yX4aB6cD8eF0gH2iJ4kL6mN8o"


@pytest.mark.parametrize(
    ("path", "logged"),
    [
        (f"/feeds/{TOKEN}.atom", "/feeds/Zk3q9P***.atom"),
        (f"/feeds/{TOKEN}.json", "/feeds/Zk3q9P***.json"),
        (f"/feeds/{TOKEN}", "/feeds/Zk3q9P***"),
        ("/feeds/ab.rss", "/feeds/***.rss"),  # short tokens: nothing of them
        ("/healthz", "/healthz"),
        ("/api/v1/articles", "/api/v1/articles"),
    ],
)
def test_paths_are_logged_without_the_feed_token(path: str, logged: str) -> None:
    assert redact(path) == logged


def test_token_prefix_and_scrub() -> None:
    assert token_prefix(TOKEN) == "Zk3q9P***"
    trace = f"Traceback ...\nRuntimeError: no row for {TOKEN} in {TOKEN!r}"
    cleaned = scrub(trace, f"/feeds/{TOKEN}.rss")
    assert TOKEN not in cleaned and cleaned.count("Zk3q9P***") == 2
    assert scrub(trace, "/healthz") == trace


def test_etag_is_a_quoted_hash_of_the_body() -> None:
    tag = etag_of(b"<feed/>")
    assert tag.startswith('"') and tag.endswith('"') and len(tag) == 34
    assert etag_of(b"<feed/>") == tag != etag_of(b"<feed />")


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x" ,W/"abc" ', True),
        ("*", True),
        ('"abcd"', False),
        ("abc", False),
    ],
)
def test_if_none_match(header: str | None, matches: bool) -> None:
    assert none_match(header, '"abc"') is matches


def test_bind_reports_a_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1:{port}"):
            bind("127.0.0.1", port)
    sock = bind("127.0.0.1", 0)
    try:
        assert sock.getsockname()[1] > 0
    finally:
        sock.close()


def test_http_settings_defaults_and_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("MIMIR_HTTP_HOST", "MIMIR_HTTP_PORT", "MIMIR_PUBLIC_URL", "MIMIR_CONFIG_FILE"):
        monkeypatch.delenv(name, raising=False)
    s = Settings(database_url="sqlite:///x.db")
    assert (s.http_host, s.http_port, s.public_url) == ("127.0.0.1", 8080, "")
    s = Settings(database_url="sqlite:///x.db", public_url=" https://news.example.org/mimir/ ")
    assert s.public_url == "https://news.example.org/mimir"
    monkeypatch.setenv("MIMIR_HTTP_PORT", "9090")
    monkeypatch.setenv("MIMIR_HTTP_HOST", "0.0.0.0")
    s = load_settings(database_url="sqlite:///x.db")
    assert (s.http_host, s.http_port) == ("0.0.0.0", 9090)
    for bad in ({"http_port": 70000}, {"public_url": "news.example.org"},
                {"public_url": "javascript:alert(1)"}, {"http_host": "a b"}):  # fmt: skip
        with pytest.raises(ConfigError, match="MIMIR_"):
            load_settings(database_url="sqlite:///x.db", **bad)
