"""robots.txt: disallow, crawl-delay, caching, and what failures mean."""

from __future__ import annotations

import pytest

from mimir.errors import RobotsDenied
from mimir.fetch import Fetcher, RobotsCache
from tests.fetch.conftest import make_settings
from tests.fixtureweb import FixtureWeb

pytestmark = pytest.mark.anyio

RULES = """User-agent: *
Disallow: /private/
Crawl-delay: 0.5
"""


async def test_disallowed_url_is_denied(web: FixtureWeb) -> None:
    web.set_robots(RULES)
    web.route("/private/page", "secret")
    web.route("/public", "ok")
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RobotsDenied) as caught:
            await fetcher.fetch(web.url("/private/page"), check_robots=True)
        assert (await fetcher.fetch(web.url("/public"), check_robots=True)).body == b"ok"
        # without check_robots (feeds) robots.txt is not consulted
        assert (await fetcher.fetch(web.url("/private/page"))).body == b"secret"
    assert caught.value.code == "robots_denied"
    assert web.hits("/robots.txt") == 1  # cached
    assert web.hits("/private/page") == 1


async def test_rules_for_our_user_agent(web: FixtureWeb) -> None:
    web.set_robots("User-agent: Mimir\nDisallow: /\n\nUser-agent: *\nDisallow:\n")
    web.route("/page", "ok")
    async with Fetcher(make_settings()) as fetcher:
        with pytest.raises(RobotsDenied):
            await fetcher.fetch(web.url("/page"), check_robots=True)


async def test_setting_can_turn_robots_off(web: FixtureWeb) -> None:
    web.set_robots("User-agent: *\nDisallow: /\n")
    web.route("/page", "ok")
    async with Fetcher(make_settings(respect_robots_txt=False)) as fetcher:
        assert (await fetcher.fetch(web.url("/page"), check_robots=True)).status == 200
    assert web.hits("/robots.txt") == 0


async def test_crawl_delay_spaces_requests(web: FixtureWeb) -> None:
    web.set_robots(RULES)
    for name in "abc":
        web.route(f"/{name}", name)
    async with Fetcher(make_settings()) as fetcher:
        for name in "abc":
            await fetcher.fetch(web.url(f"/{name}"), check_robots=True)
        assert fetcher.robots.crawl_delay(web.base_url) == 0.5
        assert fetcher.politeness.interval(f"127.0.0.1:{web.port}") == 0.5  # type: ignore[attr-defined]
    gaps = [web.min_spacing(f"/{n}") for n in "abc"]
    assert gaps == [None, None, None]
    spacing = web.min_spacing()
    assert spacing is not None and spacing >= 0.4


@pytest.mark.parametrize("code", [404, 403, 410])
async def test_robots_4xx_allows_everything(web: FixtureWeb, code: int) -> None:
    web.set_status("/robots.txt", code)
    web.route("/page", "ok")
    async with Fetcher(make_settings()) as fetcher:
        assert (await fetcher.fetch(web.url("/page"), check_robots=True)).status == 200


@pytest.mark.parametrize("path", ["/misbehave/status?code=500", "/misbehave/reset"])
async def test_robots_unreachable_allows_and_retries_sooner(web: FixtureWeb, path: str) -> None:
    now = [1000.0]
    settings = make_settings(robots_cache_seconds=3600)
    robots = RobotsCache(settings, clock=lambda: now[0])
    web.set_status("/robots.txt", 500)
    async with Fetcher(settings, robots=robots) as fetcher:
        assert await robots.allowed(web.url("/page"))
        assert await robots.allowed(web.url("/other"))
        assert web.hits("/robots.txt") == 1
        now[0] += 301  # the retry time, far less than the cache time
        web.set_robots("User-agent: *\nDisallow: /page\n")
        assert not await robots.allowed(web.url("/page"))
        assert web.hits("/robots.txt") == 2
        now[0] += 3000  # a good answer is kept for the full cache time
        assert not await robots.allowed(web.url("/page"))
        assert web.hits("/robots.txt") == 2
        assert fetcher.robots is robots


async def test_last_good_rules_survive_a_server_error(web: FixtureWeb) -> None:
    now = [0.0]
    settings = make_settings(robots_cache_seconds=60)
    robots = RobotsCache(settings, clock=lambda: now[0])
    web.set_robots("User-agent: *\nDisallow: /x\n")
    async with Fetcher(settings, robots=robots):
        assert not await robots.allowed(web.url("/x"))
        web.set_status("/robots.txt", 500)
        now[0] += 61
        assert not await robots.allowed(web.url("/x"))  # stale but still the site's wishes
        assert web.hits("/robots.txt") == 2


async def test_concurrent_lookups_fetch_once(web: FixtureWeb) -> None:
    import anyio

    web.route("/robots.txt", "User-agent: *\nDisallow:\n", delay=0.2)
    robots = RobotsCache(make_settings())
    async with Fetcher(make_settings(), robots=robots), anyio.create_task_group() as tg:
        for i in range(10):
            tg.start_soon(robots.allowed, web.url(f"/p{i}"))
    assert web.hits("/robots.txt") == 1


async def test_unattached_cache_refuses_to_guess() -> None:
    robots = RobotsCache(make_settings())
    with pytest.raises(RuntimeError):
        await robots.allowed("http://example.com/")
    assert robots.crawl_delay("http://example.com") is None


async def test_request_rate_counts_as_crawl_delay(web: FixtureWeb) -> None:
    web.set_robots("User-agent: *\nRequest-rate: 1/5\n")
    async with Fetcher(make_settings()) as fetcher:
        assert await fetcher.robots.allowed(web.url("/a"))
        assert fetcher.robots.crawl_delay(web.url("/anything")) == 5
