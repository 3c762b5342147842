"""The fixture web itself, checked with a plain httpx client."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import httpx
import pytest

from tests.fixtureweb import FixtureWeb


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, trust_env=False) as c:
        yield c


def test_routes_and_log(web: FixtureWeb, client: httpx.Client) -> None:
    web.route("/a", "first", headers={"X-Test": "yes"}, content_type="text/plain")
    response = client.get(web.url("/a?x=1"), headers={"X-Mine": "1"})
    assert response.text == "first"
    assert response.headers["x-test"] == "yes"
    assert response.headers["content-type"] == "text/plain"
    web.route("/a", "second")
    assert client.get(web.url("/a")).text == "second"
    assert web.hits("/a") == 2
    assert web.hits("/a?x=1") == 1
    logged = web.requests[0]
    assert logged.method == "GET" and logged.path == "/a?x=1"
    assert logged.headers["x-mine"] == "1"
    assert logged.client[0] == "127.0.0.1"
    assert tuple(logged)[:3] == (logged.time, "GET", "/a?x=1")  # a plain tuple too
    web.clear_log()
    assert web.requests == [] and web.hits("/a") == 0


def test_head_and_unknown_paths(web: FixtureWeb, client: httpx.Client) -> None:
    web.route("/a", "body")
    head = client.head(web.url("/a"))
    assert head.status_code == 200 and head.content == b""
    assert head.headers["content-length"] == "4"
    assert client.get(web.url("/nothing")).status_code == 404
    assert client.get(web.url("/misbehave/nothing")).status_code == 404


def test_conditional_answers(web: FixtureWeb, client: httpx.Client) -> None:
    lm = "Wed, 21 Oct 2026 07:28:00 GMT"
    web.route("/f", "x", etag='W/"abc"', last_modified=lm)
    assert client.get(web.url("/f"), headers={"If-None-Match": '"zzz", W/"abc"'}).status_code == 304
    assert client.get(web.url("/f"), headers={"If-None-Match": "*"}).status_code == 304
    assert client.get(web.url("/f"), headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(web.url("/f"), headers={"If-Modified-Since": lm}).status_code == 304
    old = "Tue, 20 Oct 2026 07:28:00 GMT"
    assert client.get(web.url("/f"), headers={"If-Modified-Since": old}).status_code == 200
    assert client.get(web.url("/f"), headers={"If-Modified-Since": "junk"}).status_code == 200
    not_modified = client.get(web.url("/f"), headers={"If-None-Match": 'W/"abc"'})
    assert not_modified.headers["etag"] == 'W/"abc"' and not_modified.content == b""


def test_gzip_only_when_accepted(web: FixtureWeb, client: httpx.Client) -> None:
    web.route("/g", "hello " * 100, gzip=True)
    assert client.get(web.url("/g")).headers["content-encoding"] == "gzip"
    plain = client.get(web.url("/g"), headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers and plain.text == "hello " * 100


def test_status_and_removal(web: FixtureWeb, client: httpx.Client) -> None:
    web.route("/p", "page")
    web.set_status("/p", 410)
    gone = client.get(web.url("/p"))
    assert gone.status_code == 410 and gone.text == "page"
    web.set_status("/new", 503)
    assert client.get(web.url("/new")).status_code == 503
    web.remove("/p")
    assert client.get(web.url("/p")).status_code == 404


def test_robots_default_and_custom(web: FixtureWeb, client: httpx.Client) -> None:
    assert "Disallow:" in client.get(web.url("/robots.txt")).text
    web.set_robots("User-agent: *\nDisallow: /\n")
    assert client.get(web.url("/robots.txt")).text.endswith("Disallow: /\n")


def test_charset_and_feed_lies(web: FixtureWeb, client: httpx.Client) -> None:
    cp1252 = client.get(web.url("/misbehave/wrong-charset"))
    assert cp1252.headers["content-type"].endswith("charset=utf-8")
    with pytest.raises(UnicodeDecodeError):
        cp1252.content.decode("utf-8")
    assert "Café" in cp1252.content.decode("windows-1252")
    utf8 = client.get(web.url("/misbehave/wrong-charset?declared=windows-1252"))
    assert utf8.headers["content-type"].endswith("charset=windows-1252")
    assert "Café" in utf8.content.decode("utf-8")
    feed = client.get(web.url("/misbehave/html-as-feed"))
    assert feed.headers["content-type"].startswith("application/rss+xml")
    assert feed.text.startswith("<!doctype html>")


def test_retry_after_variants(web: FixtureWeb, client: httpx.Client) -> None:
    seconds = client.get(web.url("/misbehave/retry-after?seconds=7"))
    assert seconds.status_code == 429 and seconds.headers["retry-after"] == "7"
    dated = client.get(web.url("/misbehave/retry-after?code=503&seconds=7&date=1"))
    assert dated.status_code == 503 and dated.headers["retry-after"].endswith("GMT")


def test_redirects(web: FixtureWeb, client: httpx.Client) -> None:
    hop = client.get(web.url("/misbehave/redirect-to?url=/x&code=301"))
    assert hop.status_code == 301 and hop.headers["location"] == "/x"
    end = client.get(web.url("/misbehave/redirect-chain?n=2"), follow_redirects=True)
    assert end.status_code == 200 and len(end.history) == 2


def test_max_in_flight(web: FixtureWeb) -> None:
    web.route("/slow", "ok", delay=1.0)
    # every client is built before any request starts: building one (its SSL context) took
    # longer than the answer's delay on a loaded machine, and the first request was over
    # before the third began
    ready = threading.Barrier(3)

    def get() -> None:
        with httpx.Client(timeout=10, trust_env=False) as c:
            ready.wait(timeout=30)
            c.get(web.url("/slow"))

    threads = [threading.Thread(target=get) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert web.max_in_flight == 3
    assert web.min_spacing("/nothing") is None


def test_stop_does_not_wait_for_hanging_requests() -> None:
    web = FixtureWeb().start()
    sock = socket.create_connection(("127.0.0.1", web.port))
    try:
        sock.sendall(b"GET /misbehave/hang HTTP/1.1\r\nHost: x\r\n\r\n")
        idle = socket.create_connection(("127.0.0.1", web.port))  # a keep-alive doing nothing
        while not web.hits("/misbehave/hang"):
            time.sleep(0.01)
        started = time.monotonic()
        web.stop()
        assert time.monotonic() - started < 5
        idle.close()
    finally:
        sock.close()
    web.stop()  # twice is fine


def test_url_helpers() -> None:
    with FixtureWeb() as web:
        assert web.base_url == f"http://127.0.0.1:{web.port}"
        assert web.url("x") == web.url("/x") == web.base_url + "/x"
    with pytest.raises(RuntimeError):
        _ = web.port
