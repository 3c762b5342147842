"""Pages that send the reader on with a meta refresh (or a Refresh header) are followed like a
redirect: moved feeds and posts on static hosts, link wrappers. Reloading pages are not."""

from __future__ import annotations

import pytest

from mimir.config import Settings
from mimir.errors import BlockedAddress, TooManyRedirects
from mimir.fetch import Fetcher
from mimir.process.walls import meta_refresh, refresh_target
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio


def jekyll_redirect(target: str) -> str:
    """The page jekyll-redirect-from writes for a moved post or feed (its own template)."""
    return f"""<!DOCTYPE html>
<html lang="en-US">
  <meta charset="utf-8">
  <title>Redirecting&hellip;</title>
  <link rel="canonical" href="{target}">
  <script>location="{target}"</script>
  <meta http-equiv="refresh" content="0; url={target}">
  <meta name="robots" content="noindex">
  <h1>Redirecting&hellip;</h1>
  <a href="{target}">Click here if you are not redirected.</a>
</html>
"""


def hugo_alias(target: str) -> str:
    """The page Hugo writes for an alias of a moved page (its own template)."""
    return (
        f'<!DOCTYPE html><html lang="en-us"><head><title>{target}</title>'
        f'<link rel="canonical" href="{target}"><meta name="robots" content="noindex">'
        f'<meta charset="utf-8"><meta http-equiv="refresh" content="0; url={target}">'
        "</head></html>"
    )


FEED = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0"><channel><title>Moved</title><link>https://example.org/</link>
<item><title>One</title><link>https://example.org/one</link></item></channel></rss>"""


async def test_moved_feed_on_a_static_host_is_followed(web: FixtureWeb, settings: Settings) -> None:
    web.route("/feed.xml", jekyll_redirect(web.url("/blog/feed.xml")))
    web.route("/blog/feed.xml", FEED, content_type="application/rss+xml")
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/feed.xml"))
    assert response.body == FEED.encode()
    assert response.url == web.url("/blog/feed.xml")
    assert response.requested_url == web.url("/feed.xml")
    assert response.redirects == [web.url("/blog/feed.xml")]
    assert web.hits("/blog/feed.xml") == 1


async def test_relative_refresh_after_a_redirect(web: FixtureWeb, settings: Settings) -> None:
    web.route("/old", "", status=301, headers={"Location": "/posts/alias/"})
    web.route("/posts/alias/", hugo_alias("../real/?x=1&amp;y=2"))
    web.route("/posts/real/", "<html><body><p>the article</p></body></html>")
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/old"))
    assert response.body == b"<html><body><p>the article</p></body></html>"
    assert response.url == web.url("/posts/real/?x=1&y=2")  # resolved and unescaped
    assert response.redirects == [web.url("/posts/alias/"), web.url("/posts/real/?x=1&y=2")]


async def test_refresh_header_is_followed(web: FixtureWeb, settings: Settings) -> None:
    web.route("/wrapped", "<html></html>", headers={"Refresh": "0;url=/target"})
    web.route("/target", "arrived")
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/wrapped"))
    assert response.body == b"arrived"


@pytest.mark.parametrize(
    "page",
    [
        # a live page that reloads itself every five minutes
        '<head><meta http-equiv="refresh" content="300"></head><p>live</p>',
        # ... naming itself, or another page after a long wait
        '<head><meta http-equiv="refresh" content="600; url=/other"></head><p>live</p>',
        # what a browser running scripts ignores
        '<noscript><meta http-equiv="refresh" content="0; url=/other"></noscript><p>live</p>',
        # a refresh as a meta name (no http-equiv) means nothing to a browser
        '<meta name="refresh" content="0; url=/other"><p>live</p>',
        # nor one to an address no fetch can follow: the page is the page
        '<meta http-equiv="refresh" content="0; url=javascript:go()"><p>live</p>',
        '<meta http-equiv="refresh" content="0; url=http://[bad"><p>live</p>',
    ],
)
async def test_reloads_are_not_followed(web: FixtureWeb, settings: Settings, page: str) -> None:
    web.route("/live", page)
    web.route("/other", "elsewhere")
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/live"))
    assert response.body == page.encode()
    assert response.redirects == []
    assert web.hits("/other") == 0


async def test_refresh_to_itself_is_a_reload(web: FixtureWeb, settings: Settings) -> None:
    page = jekyll_redirect(web.url("/self"))
    web.route("/self", page)
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/self"))
    assert response.body == page.encode() and response.redirects == []
    assert web.hits("/self") == 1


async def test_refresh_loop_and_limit(web: FixtureWeb) -> None:
    web.route("/a", jekyll_redirect("/b"))
    web.route("/b", "", status=302, headers={"Location": "/a"})
    for n in range(4):
        web.route(f"/hop{n}", hugo_alias(f"/hop{n + 1}"))
    web.route("/hop4", "end")
    async with Fetcher(make_settings(max_redirects=3)) as fetcher:
        with pytest.raises(TooManyRedirects, match="loop"):
            await fetcher.fetch(web.url("/a"))
        with pytest.raises(TooManyRedirects, match="more than 3"):
            await fetcher.fetch(web.url("/hop0"))  # refreshes count with redirects
    assert web.hits("/hop4") == 0


async def test_refresh_to_a_blocked_address(web: FixtureWeb) -> None:
    web.route("/moved", jekyll_redirect("http://169.254.169.254/latest/meta-data/"))
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(BlockedAddress):
            await fetcher.fetch(web.url("/moved"))


async def test_refresh_in_a_feed_is_not_followed(web: FixtureWeb, settings: Settings) -> None:
    # only an HTML page sends a reader on; a feed quoting the markup is a feed
    feed = FEED.replace(
        "<title>One</title>",
        '<title>One</title><description>&lt;meta http-equiv="refresh" '
        'content="0; url=/x"&gt;</description>',
    )
    web.route("/feed", feed, content_type="application/rss+xml")
    async with Fetcher(settings) as fetcher:
        response = await fetcher.fetch(web.url("/feed"))
    assert response.body == feed.encode() and response.redirects == []


@pytest.mark.parametrize(
    ("value", "target"),
    [
        ("0; url=https://example.org/new", "https://example.org/new"),
        ("0;URL='/quoted'", "/quoted"),
        ('1, url = "/spaced"', "/spaced"),
        ("0; /no-url-keyword", "/no-url-keyword"),
        ("5;url=/slowest-followed", "/slowest-followed"),
        ("0.5; url=/half", "/half"),
        ("6; url=/too-slow", None),
        ("0", None),
        ("0; url=", None),
        ("soon; url=/x", None),
        ("", None),
    ],
)
def test_refresh_values(value: str, target: str | None) -> None:
    assert refresh_target(value) == target


def test_meta_tag_forms() -> None:
    assert meta_refresh({}, b"<META HTTP-EQUIV=Refresh CONTENT=0;URL=/caps>") == "/caps"
    assert meta_refresh({}, b"<meta content=\"0; url='/x'\" http-equiv='refresh'>") == "/x"
    # past the searched head: not seen (the refresh stands in the head)
    late = b"<p>" + b"x" * 40_000 + b'<meta http-equiv="refresh" content="0; url=/late">'
    assert meta_refresh({}, late) is None
