"""The Fetcher against the fixture web: statuses, conditional GET, encodings, redirects."""

from __future__ import annotations

import pytest

from mimir.config import Settings
from mimir.errors import BodyTooLarge, HTTPStatusError, InvalidURL, TooManyRedirects
from mimir.fetch import Fetcher
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio

LAST_MODIFIED = "Wed, 21 Oct 2026 07:28:00 GMT"


async def test_ok_response(web: FixtureWeb, settings: Settings) -> None:
    web.route("/page", "<p>hello</p>", headers={"X-Thing": "1"})
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/page"))
    assert response.status == 200
    assert response.body == b"<p>hello</p>"
    assert response.url == response.requested_url == web.url("/page")
    assert response.redirects == []
    assert response.headers["x-thing"] == "1"
    assert all(name == name.lower() for name in response.headers)
    assert response.content_type == "text/html"
    assert response.elapsed_seconds > 0
    assert response.http_version == "HTTP/1.1"


async def test_request_headers(web: FixtureWeb, settings: Settings) -> None:
    web.route("/feed", "<rss/>")
    async with Fetcher(settings) as fetcher:
        await fetcher.fetch(web.url("/feed"), accept="application/rss+xml")
    sent = web.requests[-1].headers
    assert sent["user-agent"] == settings.user_agent
    assert sent["accept"] == "application/rss+xml"
    assert sent["accept-encoding"] == "gzip, deflate"
    assert "if-none-match" not in sent and "if-modified-since" not in sent


async def test_conditional_get_with_etag(web: FixtureWeb, settings: Settings) -> None:
    web.route("/feed", "<rss>v1</rss>", etag='"v1"')
    async with Fetcher(settings) as fetcher:
        first = await fetcher.fetch(web.url("/feed"))
        assert first.etag == '"v1"'
        again = await fetcher.fetch(web.url("/feed"), etag=first.etag)
        assert again.status == 304 and again.not_modified and again.body == b""
        assert web.requests[-1].headers["if-none-match"] == '"v1"'
        web.route("/feed", "<rss>v2</rss>", etag='"v2"')  # publish a new version
        changed = await fetcher.fetch(web.url("/feed"), etag=first.etag)
    assert changed.status == 200 and changed.body == b"<rss>v2</rss>"
    assert changed.etag == '"v2"'


async def test_conditional_get_with_last_modified(web: FixtureWeb, settings: Settings) -> None:
    web.route("/feed", "<rss/>", last_modified=LAST_MODIFIED)
    async with Fetcher(settings) as fetcher:
        first = await fetcher.fetch(web.url("/feed"))
        assert first.last_modified == LAST_MODIFIED
        again = await fetcher.fetch(web.url("/feed"), last_modified=first.last_modified)
        older = await fetcher.fetch(web.url("/feed"), last_modified="Mon, 01 Jan 2024 00:00:00 GMT")
    assert again.status == 304
    assert web.requests[-2].headers["if-modified-since"] == LAST_MODIFIED
    assert older.status == 200 and older.body == b"<rss/>"


async def test_gzip_body_is_decoded(web: FixtureWeb, settings: Settings) -> None:
    text = "<p>compressible</p>" * 500
    web.route("/big", text, gzip=True)
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/big"))
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(text) // 10
    assert response.body == text.encode()


async def test_redirect_chain(web: FixtureWeb, settings: Settings) -> None:
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/misbehave/redirect-chain?n=3"))
    assert response.status == 200
    assert b"end of chain" in response.body
    assert response.url == web.url("/misbehave/redirect-chain?n=0")
    assert response.requested_url == web.url("/misbehave/redirect-chain?n=3")
    assert response.redirects == [web.url(f"/misbehave/redirect-chain?n={n}") for n in (2, 1, 0)]


async def test_relative_and_absolute_redirects(web: FixtureWeb, settings: Settings) -> None:
    web.route("/new", "here")
    web.route("/old", "", status=301, headers={"Location": "/new"})
    web.route("/older", "", status=308, headers={"Location": web.url("/old")})
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/older"))
    assert response.body == b"here"
    assert response.redirects == [web.url("/old"), web.url("/new")]


async def test_redirect_loop(web: FixtureWeb, settings: Settings) -> None:
    async with Fetcher(settings) as fetcher:
        with pytest.raises(TooManyRedirects, match="loop"):
            await fetcher.fetch(web.url("/misbehave/redirect-loop"))
    assert web.hits("/misbehave/redirect-loop") == 2


async def test_too_many_redirects(web: FixtureWeb) -> None:
    async with Fetcher(make_settings(max_redirects=2)) as fetcher:
        ok = await fetcher.fetch(web.url("/misbehave/redirect-chain?n=2"))
        assert len(ok.redirects) == 2
        with pytest.raises(TooManyRedirects, match="more than 2") as caught:
            await fetcher.fetch(web.url("/misbehave/redirect-chain?n=3"))
    assert caught.value.code == "too_many_redirects"


async def test_redirect_to_other_scheme_is_invalid(web: FixtureWeb, settings: Settings) -> None:
    async with Fetcher(settings) as fetcher:
        with pytest.raises(InvalidURL):
            await fetcher.fetch(web.url("/misbehave/redirect-to?url=file:///etc/passwd"))


@pytest.mark.parametrize("code", [400, 403, 404, 410, 500, 502])
async def test_error_statuses(web: FixtureWeb, settings: Settings, code: int) -> None:
    async with Fetcher(settings) as fetcher:
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.fetch(web.url(f"/misbehave/status?code={code}"))
    assert caught.value.status_code == code
    assert caught.value.code == f"http_{code}"


async def test_removed_and_gone_routes(web: FixtureWeb, settings: Settings) -> None:
    web.route("/item", "x")
    async with Fetcher(settings) as fetcher:
        assert (await fetcher.fetch(web.url("/item"))).status == 200
        web.set_status("/item", 410)
        with pytest.raises(HTTPStatusError, match="410"):
            await fetcher.fetch(web.url("/item"))
        web.remove("/item")
        with pytest.raises(HTTPStatusError) as caught:
            await fetcher.fetch(web.url("/item"))
    assert caught.value.status_code == 404


@pytest.mark.parametrize(
    "url",
    ["", "feed.xml", "/feed.xml", "ftp://example.com/", "mailto:a@b.c", "http://", "javascript:x"],
)
async def test_invalid_urls(settings: Settings, url: str) -> None:
    async with Fetcher(settings) as fetcher:
        with pytest.raises(InvalidURL):
            await fetcher.fetch(url)


async def test_body_cap_per_call(web: FixtureWeb, settings: Settings) -> None:
    web.route("/page", "x" * 5000)
    async with Fetcher(settings) as fetcher:
        assert len((await fetcher.fetch(web.url("/page"), max_bytes=5000)).body) == 5000
        with pytest.raises(BodyTooLarge):
            await fetcher.fetch(web.url("/page"), max_bytes=4999)
