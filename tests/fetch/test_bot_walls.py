"""Bot-protection challenge and block pages: told apart from the resource, by service."""

from __future__ import annotations

import pytest

from mimir.config import Settings
from mimir.errors import BotChallenge, HTTPStatusError
from mimir.fetch import Fetcher
from mimir.process.walls import bot_wall
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio

#: the shape of Cloudflare's managed challenge (trimmed; the markers are the real ones)
CLOUDFLARE_CHALLENGE = (
    "<!DOCTYPE html><html lang='en-US'><head><title>Just a moment...</title>"
    "<meta http-equiv='refresh' content='390'></head><body><div class='main-wrapper'>"
    "<noscript>Enable JavaScript and cookies to continue</noscript></div><script>"
    "(function(){window._cf_chl_opt={cvId: '3',cZone: 'www.example.com',cType: 'managed'};"
    "var a = document.createElement('script');a.src = '/cdn-cgi/challenge-platform/h/b/orchestrate"
    "/chl_page/v1?ray=8f1a';document.getElementsByTagName('head')[0].appendChild(a);}());"
    "</script></body></html>"
)
DATADOME_BLOCK = (
    "<html><head><title>example.com</title></head><body><p>Please enable JS and disable any ad"
    " blocker</p><script>var dd={'rt':'c','cid':'AHrlqAAA','hsh':'2211F5','t':'bv','host':"
    "'geo.captcha-delivery.com'}</script><script src='https://ct.captcha-delivery.com/c.js'>"
    "</script></body></html>"
)


async def test_cloudflare_challenge_by_header_and_body(
    web: FixtureWeb, settings: Settings
) -> None:
    web.route(
        "/feed.xml",
        CLOUDFLARE_CHALLENGE,
        status=403,
        headers={"cf-mitigated": "challenge", "server": "cloudflare"},
        gzip=True,
    )
    web.route("/news/", CLOUDFLARE_CHALLENGE, status=503, headers={"server": "cloudflare"})
    async with Fetcher(settings) as fetcher:
        with pytest.raises(BotChallenge) as by_header:
            await fetcher.fetch(web.url("/feed.xml"))
        with pytest.raises(BotChallenge) as by_body:  # no header: the page's own settings
            await fetcher.fetch(web.url("/news/"), kind="page")
    assert by_header.value.code == "bot_challenge" and by_header.value.status_code == 403
    assert by_header.value.service == by_body.value.service == "Cloudflare"
    assert "refused by Cloudflare bot protection" in by_header.value.message
    assert "retrying will not help" in by_header.value.message
    assert by_body.value.status_code == 503


async def test_challenge_answered_with_200(web: FixtureWeb, settings: Settings) -> None:
    """DataDome (and others) can answer 200 with the captcha page: it is no feed."""
    web.route("/rss", DATADOME_BLOCK)
    async with Fetcher(settings) as fetcher:
        with pytest.raises(BotChallenge) as caught:
            await fetcher.fetch(web.url("/rss"))
    assert caught.value.service == "DataDome" and caught.value.status_code == 200


async def test_ordinary_errors_and_pages_are_not_challenges(
    web: FixtureWeb, settings: Settings
) -> None:
    """A plain 403 or a Cloudflare 522 stays an HTTP error; a normal page of a protected site
    (it loads Cloudflare's and DataDome's scripts) is a page."""
    web.route("/private", "<h1>Forbidden</h1>", status=403, headers={"server": "nginx"})
    web.route(
        "/origin-down",
        "<title>example.com | 522: Connection timed out</title><div id='cf-error-details'>",
        status=522,
        headers={"server": "cloudflare"},
    )
    normal = (
        "<html><head><title>ATSC 3.0 in Denver</title><script src='/cdn-cgi/challenge-platform/"
        "scripts/jsd/main.js'></script><script src='https://js.datadome.co/tags.js'></script>"
        "</head><body><article><p>Broadcasters switched on ATSC 3.0.</p></article></body></html>"
    )
    web.route("/article", normal, headers={"server": "cloudflare", "x-datadome": "protected"})
    async with Fetcher(settings) as fetcher:
        for path, status in (("/private", 403), ("/origin-down", 522)):
            with pytest.raises(HTTPStatusError) as caught:
                await fetcher.fetch(web.url(path))
            assert type(caught.value) is HTTPStatusError
            assert caught.value.code == f"http_{status}"
        page = await fetcher.fetch(web.url("/article"), kind="page")
    assert page.status == 200 and b"ATSC 3.0" in page.body


@pytest.mark.parametrize(
    ("status", "headers", "body", "service"),
    [
        (403, {"x-datadome": "protected"}, b"", "DataDome"),
        (404, {"x-datadome": "protected"}, b"<h1>Not found</h1>", None),
        (403, {"server": "AkamaiGHost"}, b"<H1>Access Denied</H1>Reference #18.5", "Akamai"),
        (403, {"x-iinfo": "12-345"}, b"", "Imperva (Incapsula)"),
        (200, {}, b"<html>Request unsuccessful. Incapsula incident ID: 1-2</html>", "Imperva (Incapsula)"),  # noqa: E501
        (405, {"x-amzn-waf-action": "captcha"}, b"", "AWS WAF"),
        (200, {}, b"<html><script>var sucuri_cloudproxy_js='';</script></html>", "Sucuri"),
        (403, {}, b'<div id="px-captcha"></div>', "PerimeterX (HUMAN)"),
        (403, {}, b"<title>Attention Required! | Cloudflare</title>", "Cloudflare"),
        (200, {}, b"<p>" + b"x" * 40_000 + b"_cf_chl_opt", None),  # a long page: not searched
    ],
)
def test_bot_wall(status: int, headers: dict[str, str], body: bytes, service: str | None) -> None:
    assert bot_wall(status, headers, body) == service
