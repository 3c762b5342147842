"""`mimir sources add`: discovery of what a URL is, options, output, errors."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from tests.cli.conftest import Mimir, listing_page
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


def test_a_feed_url_is_added_as_it_is(mimir: Mimir, site: NewsSite) -> None:
    out = mimir.ok("sources", "add", site.feed_url()).stdout.splitlines()
    assert out == [
        f"Discovery for {site.feed_url()}:",
        f" * [self] {site.feed_url()} - feed/rss20, 4 entries",
        f"Chosen: {site.feed_url()} (feed, self)",
        f"Added source #1 'Test Broadcast News' (feed) {site.feed_url()}",
    ]
    [src] = mimir.json("sources", "list")
    assert (src["name"], src["kind"], src["url"], src["enabled"], src["status"]) == (
        "Test Broadcast News",
        "feed",
        site.feed_url(),
        True,
        "new",
    )


def test_a_page_announcing_feeds_gets_one_of_them(mimir: Mimir, site: NewsSite) -> None:
    out = mimir.ok("sources", "add", site.web.url("/news/")).stdout
    assert f"[announced] {site.feed_url('rss')} - feed/rss20, 4 entries" in out
    assert f"[announced] {site.feed_url('atom')} - feed/atom10, 4 entries" in out
    [src] = mimir.json("sources", "list")
    assert src["kind"] == "feed"
    assert src["url"] in (site.feed_url("rss"), site.feed_url("atom"))
    assert f"Chosen: {src['url']} (feed, announced)" in out
    assert out.rstrip().endswith(f"Added source #{src['id']} {src['name']!r} (feed) {src['url']}")


def _comments_rss(title: str, minutes_ago: list[int]) -> str:
    now = datetime.now(UTC)
    items = "".join(
        f"<item><title>By reader {m}</title><link>https://x.example/c/{m}</link>"
        f"<pubDate>{format_datetime(now - timedelta(minutes=m), usegmt=True)}</pubDate></item>"
        for m in minutes_ago
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'


def test_a_wordpress_page_gets_the_articles_not_the_comments(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    """WordPress announces the comments feed beside the site's feed (and, on an article page,
    the post's own comments feed first); comments are fresher than the posts they answer."""
    web.route("/comments/feed/", _comments_rss("Comments for Test", [1, 2, 3, 4, 5]),
              content_type="application/rss+xml")  # fmt: skip
    web.route("/2026/11/post/feed/", _comments_rss("Kommentare zu: Post", [1, 2, 3, 4, 6]),
              content_type="application/rss+xml")  # fmt: skip
    web.route("/feed/", site.rss(), content_type="application/rss+xml")
    head = (
        '<link rel="alternate" type="application/rss+xml" title="Test &raquo; Post Kommentar-Feed"'
        f' href="{web.url("/2026/11/post/feed/")}">'
        '<link rel="alternate" type="application/rss+xml" title="Test &raquo; Feed"'
        f' href="{web.url("/feed/")}">'
        '<link rel="alternate" type="application/rss+xml" title="Test &raquo; Comments Feed"'
        f' href="{web.url("/comments/feed/")}">'
    )
    web.route("/2026/11/post/", f"<html><head>{head}</head><body><p>A post</p></body></html>")
    data = mimir.json("sources", "add", web.url("/2026/11/post/"))
    assert data["source"]["url"] == web.url("/feed/")
    assert f" * [announced] {web.url('/feed/')} - feed/rss20, 4 entries" in data["discovery"]
    assert (
        f"   [announced] {web.url('/comments/feed/')} - feed/rss20, 5 entries (comments)"
        in data["discovery"]
    )


def test_a_page_without_feed_links_finds_a_common_feed_path(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    web.route("/about/", "<html><head><title>About</title></head><body><p>Hi</p></body></html>")
    web.route("/feed", site.rss(), content_type="application/rss+xml")
    data = mimir.json("sources", "add", web.url("/about/"))
    assert data["source"]["url"] == web.url("/feed")
    assert data["source"]["kind"] == "feed"
    assert f" * [guessed] {web.url('/feed')} - feed/rss20, 4 entries" in data["discovery"]


def test_a_sitemap_named_in_robots_txt(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    urls = "".join(f"<url><loc>{site.url(i)}</loc></url>" for i in site.items)
    web.route(
        "/sitemap-news.xml",
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        + urls
        + "</urlset>",
        content_type="application/xml",
    )
    web.set_robots(f"User-agent: *\nDisallow:\nSitemap: {web.url('/sitemap-news.xml')}\n")
    web.route("/corp/", "<html><body><p>Corporate site</p></body></html>")
    data = mimir.json("sources", "add", web.url("/corp/"), "--name", "Corp")
    assert (data["source"]["kind"], data["source"]["url"], data["source"]["name"]) == (
        "sitemap",
        web.url("/sitemap-news.xml"),
        "Corp",
    )
    assert any(line.startswith(" * [robots] ") for line in data["discovery"])
    assert any("common feed paths answered" in line for line in data["discovery"])


def test_a_text_sitemap_named_in_robots_txt(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    """sitemaps.org's third format, one URL per line (``sitemap.txt``): found through
    robots.txt, followed as a sitemap, and its pages fetched and stored on refresh."""
    web.route(
        "/sitemap.txt",
        "".join(f"{site.url(i)}\n" for i in site.items),
        content_type="text/plain; charset=utf-8",
    )
    web.set_robots(f"User-agent: *\nDisallow:\nSitemap: {web.url('/sitemap.txt')}\n")
    web.route("/corp/", "<html><body><p>Corporate site</p></body></html>")
    data = mimir.json("sources", "add", web.url("/corp/"), "--name", "Corp")
    assert (data["source"]["kind"], data["source"]["url"]) == ("sitemap", web.url("/sitemap.txt"))
    assert (
        f" * [robots] {web.url('/sitemap.txt')} - sitemap/sitemap, 4 entries" in data["discovery"]
    )
    assert mimir.json("refresh", "Corp")["new_articles"] == len(site.items)
    stored = {row["url"] for row in mimir.json("articles", "list", "--source", "Corp")}
    assert stored == {site.url(i) for i in site.items}


def test_robots_txt_news_sitemap_over_the_site_index(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    """A news site's robots.txt names its sitemap index (hundreds of children) first and its
    news sitemap (the last two days) second: the news sitemap is the one to follow."""
    children = "".join(
        f"<sitemap><loc>{web.url(f'/sitemaps/posts-{n}.xml')}</loc></sitemap>" for n in range(60)
    )
    web.route(
        "/sitemap_index.xml",
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"{children}</sitemapindex>",
        content_type="application/xml",
    )
    news = "".join(
        f"<url><loc>{site.url(i)}</loc><news:news><news:publication><news:name>T</news:name>"
        "<news:language>en</news:language></news:publication><news:publication_date>"
        f"{i.published.isoformat()}</news:publication_date><news:title>{i.title}</news:title>"
        "</news:news></url>"
        for i in site.items
    )
    web.route(
        "/news-sitemap.xml",
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{news}</urlset>',
        content_type="application/xml",
    )
    web.set_robots(
        f"User-agent: *\nDisallow:\nSitemap: {web.url('/sitemap_index.xml')}\n"
        f"Sitemap: {web.url('/news-sitemap.xml')}\n"
    )
    web.route("/corp/", "<html><body><p>Corporate site</p></body></html>")
    data = mimir.json("sources", "add", web.url("/corp/"))
    assert data["source"]["url"] == web.url("/news-sitemap.xml")
    assert (
        f"   [robots] {web.url('/sitemap_index.xml')} - sitemap/sitemapindex, 60 entries"
        in (data["discovery"])
    )


def test_a_listing_page_without_feeds(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    web.route("/press/", listing_page(site))
    data = mimir.json("sources", "add", web.url("/press/"))
    src = data["source"]
    assert (src["kind"], src["url"], src["name"]) == ("listing", web.url("/press/"), "Press room")
    assert data["discovery"][-1] == f"Chosen: {web.url('/press/')} (listing, listing)"
    # and the listing really yields the stories
    result = mimir.json("refresh", src["name"])
    assert result["sources"][0]["outcome"] == "ok"
    assert result["sources"][0]["entries"] == 4 and result["new_articles"] == 4


def test_a_press_page_beats_a_guessed_feed_that_lacks_its_stories(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    """A press room's page announces no feed; the site's /feed is its blog's, other stories:
    the page is followed as a listing. Where /feed carries the page's stories, the feed is."""
    web.route("/press/", listing_page(site))
    web.route("/feed", _feed("Our Blog", web.url("/blog")), content_type="application/rss+xml")
    out = mimir.ok("sources", "add", web.url("/press/")).stdout
    assert f"   [guessed] {web.url('/feed')} - feed/rss20, 5 entries" in out
    assert (
        f"note: {web.url('/feed')} carries 0 of the 4 newest stories {web.url('/press/')} lists: "
        "the page is followed as a listing"
    ) in out
    assert out.rstrip().endswith(f"Added source #1 'Press room' (listing) {web.url('/press/')}")

    web.route("/feed", site.rss(), content_type="application/rss+xml")
    mimir.ok("sources", "remove", "Press room", "--yes")
    out = mimir.ok("sources", "add", web.url("/press/")).stdout
    assert f" * [guessed] {web.url('/feed')} - feed/rss20, 4 entries" in out
    assert "carries" not in out


def test_a_press_page_beats_the_blog_feed_it_announces(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    """WordPress announces the site's feed on every page: on the press page it is the blog's,
    other stories, and the page is followed. A feed whose links are redirects (FeedBurner's)
    but whose headlines are the page's stories carries them: the feed is followed."""
    blog = '<link rel="alternate" type="application/rss+xml" href="/blog/feed/">'
    web.route("/press/", listing_page(site).replace("</head>", blog + "</head>"))
    web.route("/blog/feed/", _feed("Our Blog", web.url("/blog")),
              content_type="application/rss+xml")  # fmt: skip
    mimir.ok("sources", "add", web.url("/blog/feed/"))  # the blog is followed already
    out = mimir.ok("sources", "add", web.url("/press/")).stdout
    assert f"carries 0 of the 4 newest stories {web.url('/press/')} lists" in out
    assert out.rstrip().endswith(f"(listing) {web.url('/press/')}")

    redirected = re.sub(r"<link>[^<]*/news/([^<]*)</link>",
                        lambda m: f"<link>{web.url('/r/')}{m[1]}</link>", site.rss())  # fmt: skip
    assert "/r/" in redirected
    web.route("/blog/feed/", redirected, content_type="application/rss+xml")
    mimir.ok("sources", "remove", "Press room", "Our Blog", "--yes")
    out = mimir.ok("sources", "add", web.url("/press/")).stdout
    assert f" * [announced] {web.url('/blog/feed/')} - feed/rss20, 4 entries" in out
    assert "carries" not in out


@pytest.mark.parametrize(
    "path",
    ["/plain/", "/missing/"],
    ids=["page-with-nothing", "404"],
)
def test_nothing_usable_is_a_clear_error(mimir: Mimir, web: FixtureWeb, path: str) -> None:
    web.route("/plain/", "<html><body><p>Nothing to follow here.</p></body></html>")
    url = web.url(path)
    result = mimir.fails(2, "sources", "add", url)
    assert result.stdout == ""
    assert f"error: no feed, sitemap or listing found at {url}" in result.stderr
    assert f"Discovery for {url}:" in result.stderr
    assert "Nothing usable found." in result.stderr
    assert mimir.json("sources", "list") == []


def test_a_page_built_in_the_browser_is_named_as_such(mimir: Mimir, web: FixtureWeb) -> None:
    """A newsroom that is a JavaScript application: the report says why it cannot be read."""
    web.route(
        "/newsroom",
        '<html><head><title>Newsroom</title><script src="/app.js"></script></head>'
        '<body><div id="root"></div><noscript>Enable JavaScript</noscript></body></html>',
    )
    result = mimir.fails(2, "sources", "add", web.url("/newsroom"))
    assert "note: not usable as a listing page: no article links found on the page as" in (
        result.stderr
    )
    assert "built by JavaScript in the browser" in result.stderr


def test_an_invalid_url_is_a_clear_error(mimir: Mimir) -> None:
    result = mimir.fails(2, "sources", "add", "not a url", "--kind", "feed")
    assert "error: " in result.stderr and "not an absolute http(s) URL" in result.stderr


def test_kind_skips_discovery(mimir: Mimir, web: FixtureWeb) -> None:
    url = web.url("/press-room/")  # not even served: nothing is fetched
    data = mimir.json(
        "sources", "add", url, "--kind", "listing", "--name", "Press", "--category", "vendor"
    )
    assert data["discovery"] == []
    assert web.requests == []
    src = data["source"]
    assert (src["kind"], src["url"], src["name"], src["category"]) == (
        "listing",
        url,
        "Press",
        "vendor",
    )


def test_selectors_and_settings_are_stored(mimir: Mimir, web: FixtureWeb) -> None:
    data = mimir.json(
        "sources",
        "add",
        web.url("/press/"),
        "--kind",
        "listing",
        "--selector",
        "article_link=h2 a",
        "--selector",
        "next_page=a.next",
        "--selector",
        "max_pages=3",
        "--full-content",
        "--min-interval",
        "600",
        "--max-interval",
        "7200",
    )
    assert data["source"]["settings"] == {
        "selectors": {"article_link": "h2 a", "next_page": "a.next", "max_pages": 3},
        "full_content": True,
        "min_interval_seconds": 600,
        "max_interval_seconds": 7200,
    }
    assert mimir.json("sources", "show", "1")["settings"] == data["source"]["settings"]


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--selector", "bogus=h2"], "'bogus=h2': use NAME=CSS with NAME one of article_list"),
        (["--selector", "article_link"], "'article_link': use NAME=CSS"),
        (["--selector", "max_pages=many"], "max_pages must be a whole number of at least 1"),
        (["--selector", "title="], "the CSS selector is empty"),
        (["--min-interval", "0"], "0 is not in the range x>=1"),
        (["--min-interval", "900", "--max-interval", "60"], "900 is more than --max-interval"),
        (["--kind", "podcast"], "'podcast' is not one of 'feed', 'sitemap', 'listing'"),
    ],
)
def test_bad_options_are_usage_errors_before_any_fetch(
    mimir: Mimir, web: FixtureWeb, option: list[str], message: str
) -> None:
    result = mimir.fails(2, "sources", "add", web.url("/press/"), *option)
    assert "Usage: " in result.stderr and message in result.stderr
    assert web.requests == []  # refused before discovery went to the network
    assert mimir.counts()["sources"] == 0


def test_disabled(mimir: Mimir, site: NewsSite) -> None:
    data = mimir.json("sources", "add", site.feed_url(), "--disabled")
    assert data["source"]["enabled"] is False
    assert mimir.json("sources", "list", "--enabled") == []
    # a refresh of every enabled source leaves it alone
    assert mimir.json("refresh", "--all") == {
        "sources": [],
        "new_articles": 0,
        "revised_articles": 0,
    }


def test_json_output_shape(mimir: Mimir, site: NewsSite) -> None:
    data = mimir.json("sources", "add", site.feed_url("atom"))
    assert set(data) == {"source", "discovery"}
    assert set(data["source"]) == {
        "id", "name", "url", "kind", "enabled", "category", "note", "status", "title",
        "site_url", "last_checked_at", "last_success_at", "next_check_at", "interval_seconds",
        "consecutive_errors", "last_error_class", "last_error_message", "article_count",
        "total_checks", "total_errors", "settings",
    }  # fmt: skip
    src = data["source"]
    assert (src["id"], src["name"], src["kind"], src["article_count"]) == (
        1,
        "Test Broadcast News (Atom)",
        "feed",
        0,
    )
    assert src["next_check_at"] is not None  # due now
    assert data["discovery"][0] == f"Discovery for {site.feed_url('atom')}:"


def test_duplicates_are_refused(mimir: Mimir, site: NewsSite) -> None:
    mimir.ok("sources", "add", site.feed_url(), "--name", "News")
    # the same URL (tracking parameters and all are canonicalised away)
    result = mimir.fails(2, "sources", "add", site.feed_url() + "?utm_source=x", "--kind", "feed")
    assert f"error: source already exists: #1 'News' ({site.feed_url()})" in result.stderr
    # the same name, chosen
    result = mimir.fails(2, "sources", "add", site.feed_url("atom"), "--name", "News")
    assert (
        f"error: the name 'News' is taken by source #1 ({site.feed_url()}); choose another"
    ) in result.stderr
    # the same URL found through discovery: the report says what was found, then why not
    result = mimir.fails(2, "sources", "add", site.feed_url())
    assert f" * [self] {site.feed_url()} - feed/rss20, 4 entries" in result.stderr
    assert "error: source already exists: #1 'News'" in result.stderr
    assert len(mimir.json("sources", "list")) == 1


def test_a_page_whose_feed_is_followed_adds_no_sibling(mimir: Mimir, site: NewsSite) -> None:
    """A site's page announces its RSS and its Atom feed, the same articles: with the RSS one
    followed, adding the page again says so rather than adding the Atom one beside it; the
    Atom feed's own URL still adds it."""
    mimir.ok("sources", "add", site.feed_url(), "--name", "News")
    result = mimir.fails(2, "sources", "add", site.web.url("/news/"))
    assert f"[announced] {site.feed_url('atom')} - feed/atom10, 4 entries" in result.stderr
    assert (
        f"error: this site's feed {site.feed_url()} is followed already as source #1 'News'; "
        f"to follow {site.feed_url('atom')} as well, add that URL"
    ) in result.stderr
    assert len(mimir.json("sources", "list")) == 1
    mimir.ok("sources", "add", site.feed_url("atom"))
    assert len(mimir.json("sources", "list")) == 2


def _feed(title: str, base: str) -> str:
    items = "".join(
        f"<item><title>Post {i}</title><link>{base}/p/{i}</link></item>" for i in range(5)
    )
    return f'<rss version="2.0"><channel><title>{title}</title>{items}</channel></rss>'


def test_a_blogrolls_feed_is_not_the_sites_own(mimir: Mimir, web: FixtureWeb) -> None:
    """A page that announces no feed but links another site's (a blogroll): the site's own
    feed, found at a common path, is followed; the other site's is reported, ranked below."""
    with FixtureWeb(host="127.0.0.2") as friend:
        friend_feed = friend.url("/feed/")
        friend.route("/feed/", _feed("Friend", friend.url("")), content_type="application/rss+xml")
        web.route("/feed", _feed("Our Blog", web.url("")), content_type="application/rss+xml")
        web.route(
            "/blog/post",
            "<html><head><title>A post</title></head><body><article><h1>A post</h1>"
            "<p>Text.</p></article><aside><h3>Blogroll</h3>"
            f'<a href="{friend_feed}">Friend (RSS)</a></aside></body></html>',
        )
        out = mimir.ok("sources", "add", web.url("/blog/post")).stdout
    assert f"[elsewhere] {friend_feed} - feed/rss20, 5 entries" in out
    assert f" * [guessed] {web.url('/feed')} - feed/rss20, 5 entries" in out
    assert out.rstrip().endswith(f"Added source #1 'Our Blog' (feed) {web.url('/feed')}")


def test_a_feed_title_another_source_has_gets_a_number(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    """Feeds share titles ("News", "Press releases"): a name read from the feed's title gets
    the first free number; a name the user chose is theirs to change."""
    mimir.ok("sources", "add", site.feed_url())
    rss = '<rss version="2.0"><channel><title>Test Broadcast News</title>{}</channel></rss>'
    item = "<item><title>One</title><link>https://other.example/one</link></item>"
    web.route("/other.xml", rss.format(item), content_type="application/rss+xml")
    web.route("/third.xml", rss.format(item), content_type="application/rss+xml")
    out = mimir.ok("sources", "add", web.url("/other.xml")).stdout
    assert f"Added source #2 'Test Broadcast News (2)' (feed) {web.url('/other.xml')}" in out
    out = mimir.ok("sources", "add", web.url("/third.xml")).stdout
    assert "Added source #3 'Test Broadcast News (3)'" in out
    names = [s["name"] for s in mimir.json("sources", "list")]
    assert sorted(names) == ["Test Broadcast News", "Test Broadcast News (2)",
                             "Test Broadcast News (3)"]  # fmt: skip


def test_an_empty_feed_given_as_such_is_followed(mimir: Mimir, web: FixtureWeb) -> None:
    """A new blog's feed or a quiet press room's lists nothing yet: the URL the user gave is a
    feed, and it is followed (a page announcing only an empty feed still finds nothing)."""
    web.route(
        "/press/feed/",
        '<rss version="2.0"><channel><title>Quiet Press Room</title></channel></rss>',
        content_type="application/rss+xml",
    )
    out = mimir.ok("sources", "add", web.url("/press/feed/")).stdout.splitlines()
    assert out == [
        f"Discovery for {web.url('/press/feed/')}:",
        f" * [self] {web.url('/press/feed/')} - feed/rss20, 0 entries",
        f"   note: {web.url('/press/feed/')} lists nothing yet; it is checked like any other"
        " source",
        f"Chosen: {web.url('/press/feed/')} (feed, self)",
        f"Added source #1 'Quiet Press Room' (feed) {web.url('/press/feed/')}",
    ]
    result = mimir.json("refresh", "Quiet Press Room")
    assert result["sources"][0]["outcome"] == "ok" and result["new_articles"] == 0


def _article_page(related: list[str], *, feed: str | None = None) -> str:
    """A news article page: one JSON-LD NewsArticle, a body, and links to related stories."""
    links = "".join(f'<li><a href="{u}">Related story {n}</a></li>' for n, u in enumerate(related))
    head = f'<link rel="alternate" type="application/rss+xml" href="{feed}">' if feed else ""
    return (
        f"<html><head><title>Tuner prices fall</title>{head}"
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"NewsArticle", "headline": "Tuner prices fall", "datePublished": "2026-11-27T09:00:00Z"}'
        "</script></head><body><article><h1>Tuner prices fall</h1>"
        + "<p>Prices of ATSC 3.0 tuners fell again this quarter, makers said.</p>" * 5
        + f"</article><aside><h2>Related</h2><ul>{links}</ul></aside></body></html>"
    )


def test_an_article_page_leads_to_the_sites_feed(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    """An article's URL pasted in: its related-story links are no listing; the site's home
    page names the feed, which is chosen."""
    web.route("/2026/11/27/tuner-prices/", _article_page([site.url(i) for i in site.items]))
    web.route("/", listing_page(site, feeds=True))
    data = mimir.json("sources", "add", web.url("/2026/11/27/tuner-prices/"))
    assert (data["source"]["kind"], data["source"]["url"]) == ("feed", site.feed_url())
    report = "\n".join(data["discovery"])
    assert "is an article page (its JSON-LD describes one NewsArticle)" in report
    assert "not used as a listing page" in report


def test_an_article_page_of_a_site_without_feeds_leads_to_its_home_page(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    web.route("/2026/11/27/tuner-prices/", _article_page([site.url(i) for i in site.items]))
    web.route("/", listing_page(site))
    data = mimir.json("sources", "add", web.url("/2026/11/27/tuner-prices/"))
    assert (data["source"]["kind"], data["source"]["url"]) == ("listing", web.url("/"))
