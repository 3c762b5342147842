"""The whole flow against the local fixture web, on SQLite and PostgreSQL."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from mimir.db.database import Database
from mimir.db.tables import article_jobs
from mimir.jobs import worker as worker_module
from mimir.model import SourceKind
from mimir.storage import articles as article_store
from tests.e2e.helpers import add, articles, now, refresh, source
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


def test_feed_to_articles_then_304_then_new_and_revised(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    site = NewsSite(web)
    first = site.publish(5)
    src = add(db, "Test RSS", site.feed_url())

    checked, events = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[src.id]["outcome"] == "ok" and checked[src.id]["new_entries"] == 5
    rows = articles(db)
    assert len(rows) == 5
    by_title = {r["title"]: r for r in rows}
    a = by_title[first[0].title]
    # identity: the canonical URL, tracking parameters stripped
    assert a["canonical_url"] == site.url(first[0])
    assert "utm_" not in a["url"]
    # extraction: main text without boilerplate, metadata from JSON-LD / OpenGraph / feed
    assert "Broadcasters in Denver switched on ATSC 3.0" in a["text"]
    assert "cookies" not in a["text"] and "All rights reserved" not in a["text"]
    assert a["authors"] == ["Dana Reporter"]
    assert a["language"] == "en"
    assert a["published_at"] is not None and a["section"] == "Technology"
    assert "ATSC 3.0" in a["tags"]
    assert a["source_name"] == "Test RSS"
    full = db.sync_read(article_store.get, a["id"])
    assert full["fetch_meta"]["status"] == 200 and full["html"] and "<script" not in full["html"]
    assert sum(1 for e in events if e.kind == "article_new") == 5

    # nothing changed: a conditional GET answers 304 and no page is fetched again
    web.clear_log()
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[src.id]["outcome"] == "not_modified"
    assert [r.path for r in web.requests] == ["/news/feed.xml"]
    assert web.requests[0].headers.get("if-none-match")

    # a new item and an edited one: one new article, one revision, never a second copy
    site.publish(1)
    old_title = first[1].title
    site.edit(
        first[1],
        "Update: the regulator approved two more transmitter sites today.",
        title=old_title + " - updated",
    )
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[src.id]["new_entries"] == 1 and checked[src.id]["changed"] == 1
    rows = articles(db)
    assert len(rows) == 6
    edited = next(r for r in rows if r["title"] == first[1].title)
    assert edited["revision"] == 2 and "regulator approved" in edited["text"]
    assert len(db.sync_read(article_store.get, edited["id"])["revisions"]) == 1
    assert db.sync_read(article_store.count_duplicates) == 0


def test_atom_updated_date_brings_a_revision(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    site = NewsSite(web)
    items = site.publish(3)
    add(db, "Atom", site.feed_url("atom"))
    refresh(settings, db)  # type: ignore[arg-type]
    web.clear_log()
    site.edit(items[2], "Correction: the launch date is in March, not February.")
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert next(iter(checked.values()))["changed"] == 1
    assert web.hits(f"/news/{items[2].slug}/") == 1  # only the edited page is fetched again
    row = next(r for r in articles(db) if r["title"] == items[2].title)
    assert row["revision"] == 2 and "Correction" in row["text"]
    assert len(articles(db)) == 3


def test_same_articles_through_two_feeds_are_stored_once(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    site = NewsSite(web)
    site.publish(4)
    add(db, "RSS", site.feed_url("rss"))
    add(db, "Atom", site.feed_url("atom"))
    refresh(settings, db)  # type: ignore[arg-type]
    assert len(articles(db)) == 4
    assert db.sync_read(article_store.count_duplicates) == 0


def test_deleted_article_stays_deleted(web: FixtureWeb, settings: object, db: Database) -> None:
    site = NewsSite(web)
    items = site.publish(3)
    add(db, "RSS", site.feed_url())
    refresh(settings, db)  # type: ignore[arg-type]
    victim = next(r for r in articles(db) if r["title"] == items[0].title)
    db.sync_write(article_store.tombstone, victim["id"], now())
    site.edit(items[0], "An edit after deletion must not bring it back.")
    refresh(settings, db)  # type: ignore[arg-type]
    titles = [r["title"] for r in articles(db)]
    assert items[0].title not in titles and len(titles) == 2


def test_full_content_feed_needs_no_page_fetch(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    body = (
        "<p>"
        + "Grass Valley ships a new cloud production switcher for live sport. " * 8
        + "</p>\n<p>The switcher runs in AWS and\nin the customer's own data centre.</p><p>"
        + "Pricing follows in May."
    )
    feed = f"""<?xml version="1.0"?><rss version="2.0"
 xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>Full</title>
<link>{web.url("/")}</link><description>d</description>
<item><title>Switcher ships</title><link>{web.url("/full/1")}</link><guid>f1</guid>
<content:encoded><![CDATA[{body}</p><script>alert(1)</script>]]></content:encoded></item>
</channel></rss>"""
    web.route("/full.xml", feed, content_type="application/rss+xml")
    add(db, "Full", web.url("/full.xml"), full_content=True)
    refresh(settings, db)  # type: ignore[arg-type]
    rows = articles(db)
    assert len(rows) == 1 and "cloud production switcher" in rows[0]["text"]
    assert rows[0]["extraction"] == "feed"
    assert web.hits("/full/1") == 0
    # one paragraph a line, as an extracted page's text; the source's line break a space
    assert rows[0]["text"].split("\n")[1:] == [
        "The switcher runs in AWS and in the customer's own data centre.",
        "Pricing follows in May.",
    ]
    full = db.sync_read(article_store.get, rows[0]["id"])
    assert "alert(1)" not in (full["html"] or "")


def test_listing_page_with_pagination(web: FixtureWeb, settings: object, db: Database) -> None:
    site = NewsSite(web)
    items = site.publish(4)

    def listing(page: int, chunk: list[object], nxt: str | None) -> str:
        arts = "".join(
            f'<article class="press-item"><h2><a href="{site.url(i)}">{i.title}</a></h2>'  # type: ignore[attr-defined]
            f'<time datetime="{i.published.isoformat()}">x</time></article>'  # type: ignore[attr-defined]
            for i in chunk
        )
        more = f'<a class="next" href="{nxt}">Next</a>' if nxt else ""
        return f"<html><body><h1>Press</h1>{arts}{more}</body></html>"

    web.route("/press/", listing(1, items[:2], "/press/page-2/"))
    web.route("/press/page-2/", listing(2, items[2:], None))
    add(
        db,
        "Press",
        web.url("/press/"),
        SourceKind.LISTING,
        selectors={
            "article_list": "article.press-item",
            "article_link": "h2 a",
            "title": "h2",
            "date": "time",
            "next_page": "a.next",
            "max_pages": 3,
        },
    )
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert next(iter(checked.values()))["entries"] == 4
    assert {r["title"] for r in articles(db)} == {i.title for i in items}


def test_news_sitemap_source(web: FixtureWeb, settings: object, db: Database) -> None:
    site = NewsSite(web)
    items = site.publish(3)
    urls = "".join(
        f"<url><loc>{site.url(i)}</loc><news:news><news:publication><news:name>T</news:name>"
        f"<news:language>en</news:language></news:publication>"
        f"<news:publication_date>{i.published.isoformat()}</news:publication_date>"
        f"<news:title>{i.title}</news:title></news:news></url>"
        for i in items
    )
    sm = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset '
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>"
    )
    web.route("/news-sitemap.xml", sm, content_type="application/xml")
    add(db, "Sitemap", web.url("/news-sitemap.xml"), SourceKind.SITEMAP)
    refresh(settings, db)  # type: ignore[arg-type]
    assert len(articles(db)) == 3


def test_misbehaving_sources_are_recorded_and_others_carry_on(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    other = FixtureWeb().start()
    try:
        _misbehaving(web, other, settings, db)
    finally:
        other.stop()


def _misbehaving(web: FixtureWeb, other: FixtureWeb, settings: object, db: Database) -> None:
    site = NewsSite(web)
    site.publish(3)
    good = add(db, "Good", site.feed_url())
    refresh(settings, db)  # type: ignore[arg-type]
    assert len(articles(db)) == 3
    web.route(
        "/truncated.xml", site.rss()[: len(site.rss()) // 3], content_type="application/rss+xml"
    )
    web.route("/empty.xml", "", content_type="application/rss+xml")
    bad = {
        "bomb": add(db, "Bomb", web.url("/misbehave/gzip-bomb?mb=64")),
        "loop": add(db, "Loop", web.url("/misbehave/redirect-loop")),
        "html": add(db, "HTML", web.url("/misbehave/html-as-feed")),
        "err": add(db, "500", web.url("/misbehave/status?code=500")),
        "gone": add(db, "404", web.url("/nothing-here.xml")),
        # on another host: a 429 rightly pauses every request to its host
        "limited": add(db, "429", other.url("/misbehave/retry-after?code=429&seconds=7200")),
        "drip": add(db, "Drip", web.url("/misbehave/drip?bytes_per_second=50&total=100000")),
        "drop": add(db, "Drop", web.url("/misbehave/drop")),
        "empty": add(db, "Empty", web.url("/empty.xml")),
        "truncated": add(db, "Truncated", web.url("/truncated.xml")),
    }
    site.publish(2)
    start = now()
    checked, _ = refresh(settings.model_copy(update={"total_timeout_seconds": 5.0}), db)  # type: ignore[attr-defined]
    assert checked[good.id]["outcome"] == "ok" and checked[good.id]["new_entries"] == 2
    assert len(articles(db)) == 5  # nothing stored before was lost, the good source went on
    expect = {
        "bomb": "body_too_large",
        "loop": "too_many_redirects",
        "html": "not_a_feed",
        "err": "http_500",
        "gone": "http_404",
        "limited": "rate_limited",
        "drip": "timeout",
        "drop": "connect_error",
    }
    for key, code in expect.items():
        s = source(db, bad[key].id)
        assert s.last_error_class == code, (key, s.last_error_class, s.last_error_message)
        assert s.last_error_message
        assert s.consecutive_errors == 1 and s.enabled
        assert s.next_check_at is not None and s.next_check_at > start
    assert source(db, bad["limited"].id).next_check_at >= start + timedelta(seconds=7000)
    assert source(db, bad["empty"].id).status == "error"
    # a truncated feed keeps the entries that could be read
    assert checked[bad["truncated"].id]["outcome"] == "ok"
    assert checked[bad["truncated"].id]["entries"] >= 1


def _google_news_id(url: str) -> str:
    """A Google News article ID of the pre-2024 kind: the address inside (field 4)."""
    raw = url.encode()
    return base64.urlsafe_b64encode(b"\x08\x13\x22" + bytes([len(raw)]) + raw + b"\xd2\x01\x00")


def test_aggregator_links_lead_to_the_publisher_or_stay_in_the_feed(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A Google News search feed and a Google Alert: links that carry the article's address
    are followed to the publisher (one request each, the article known by its own address);
    a Google News link that does not is stored from the feed, never fetched."""
    site = NewsSite(web)
    first, second = site.publish(2)
    opaque = "CBMiakFVX3lxTE1ZZ3ZQbzBuY2VqZXFVOHpLU3BpUXhXN2dTQ3N0d0dzZDRNX1hoc0JFWA"
    gn = "https://news.google.com/rss/articles/"
    ga = "https://www.google.com/url?rct=j&amp;sa=t&amp;url="
    feed = f"""<?xml version="1.0"?><rss version="2.0"><channel><title>"ATSC" - Google News</title>
<link>https://news.google.com/search?q=atsc</link><description>Google News</description>
<item><title>{first.title} - Test Broadcast News</title>
<link>{gn}{_google_news_id(site.url(first)).decode().rstrip("=")}?oc=5</link></item>
<item><title>{second.title} - Test Broadcast News</title>
<link>{ga}{site.url(second)}&amp;ct=ga&amp;cd=CAIyGjE&amp;usg=AOvVaw2</link></item>
<item><title>Sinclair expands NextGen TV to four markets - TV Tech</title>
<link>{gn}{opaque}?oc=5</link><guid isPermaLink="false">{opaque}</guid>
<description>&lt;a href="{gn}{opaque}?oc=5"&gt;Sinclair expands NextGen TV to four markets&lt;/a&gt;
&amp;nbsp;&lt;font color="#6f6f6f"&gt;TV Tech&lt;/font&gt;</description></item>
</channel></rss>"""
    web.route("/gnews.xml", feed, content_type="application/rss+xml")
    add(db, "Google News: ATSC", web.url("/gnews.xml"))
    refresh(settings, db)  # type: ignore[arg-type]
    rows = {r["canonical_url"]: r for r in articles(db)}
    assert set(rows) == {site.url(first), site.url(second), f"{gn}{opaque}?oc=5"}
    for item in (first, second):
        row = rows[site.url(item)]
        assert (row["title"], row["extraction"]) == (item.title, "page")
        assert web.hits(f"{site.prefix}/{item.slug}/") == 1
    stored = rows[f"{gn}{opaque}?oc=5"]
    assert stored["extraction"] == "feed"
    assert stored["title"] == "Sinclair expands NextGen TV to four markets - TV Tech"
    assert "TV Tech" in stored["text"]


def test_articles_behind_a_consent_wall_keep_the_feed_values(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A publisher that sends every article to its consent page (as Yahoo and others do in
    Europe): the wall's one title and text must not become every article, nor fold them all
    into the first through the content fingerprint."""
    wall = (
        "<html><head><title>Before you continue</title></head><body><main><h1>Before you "
        "continue</h1>"
        + "<p>We and our partners use cookies and data to deliver and maintain services, "
        "measure audience engagement and personalise content and advertising. </p>"
        * 6
        + "<form><button>Accept all</button><button>Reject all</button></form></main></body></html>"
    )
    web.route("/v2/collectConsent", wall)
    items = "".join(
        f"<item><title>Story {n} about ATSC 3.0</title><link>{web.url(f'/news/story-{n}.html')}"
        f"</link><description>The summary of story {n}, as the feed gives it.</description></item>"
        for n in (1, 2)
    )
    for n in (1, 2):
        web.route(
            f"/news/story-{n}.html",
            "",
            status=302,
            headers={"Location": f"/v2/collectConsent?sessionId=s{n}"},
        )
    feed = f'<rss version="2.0"><channel><title>Walled</title>{items}</channel></rss>'
    web.route("/walled.xml", feed, content_type="application/rss+xml")
    add(db, "Walled", web.url("/walled.xml"))
    refresh(settings, db)  # type: ignore[arg-type]
    rows = sorted(articles(db), key=lambda r: r["title"])
    assert [(r["title"], r["canonical_url"], r["extraction"]) for r in rows] == [
        (f"Story {n} about ATSC 3.0", web.url(f"/news/story-{n}.html"), "feed_fallback")
        for n in (1, 2)
    ]
    assert "as the feed gives it" in rows[0]["text"]
    full = db.sync_read(article_store.get, rows[0]["id"])
    assert full["fetch_meta"]["fallback_reason"].startswith("consent page: ")


def test_items_sharing_one_page_are_separate_articles(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A press room whose feed links every release to its one news page (an anchor each, or
    none), and an item with no link at all: each is an article of its own, stored from the
    feed; the shared page is never taken for any of them, and the next poll adds nothing."""
    news = web.url("/press/news.html")
    web.route("/press/news.html", "<html><body><h1>All our news</h1></body></html>")
    items = [
        (f"{news}#r-3", "Arclight ships DVB-NIP gateways", "g3"),
        (f"{news}#r-2", "Arclight names Elena Brennan CFO", "g2"),
        (news, "Arclight joins the 5G Broadcast trial", "g1"),
        (news, "Arclight opens a Singapore office", "g0"),
    ]
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><guid isPermaLink='false'>{g}</guid>"
        f"<description>{t}, the release says in full.</description></item>"
        for link, t, g in items
    )
    body += "<item><title>Statement on spectrum</title><description>No link.</description></item>"
    feed = f"""<rss version="2.0"><channel><title>Arclight press</title>
<link>{web.url("/press/")}</link><description>d</description>{body}</channel></rss>"""
    web.route("/press/feed.xml", feed, content_type="application/rss+xml")
    src = add(db, "Arclight press", web.url("/press/feed.xml"))
    checked, events = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[src.id]["new_entries"] == 5
    rows = {r["title"]: r for r in articles(db)}
    assert sorted(rows) == sorted([t for _, t, _ in items] + ["Statement on spectrum"])
    assert rows[items[0][1]]["canonical_url"] == f"{news}#r-3"
    assert rows[items[2][1]]["canonical_url"].startswith(f"{news}#item-")
    assert rows["Statement on spectrum"]["canonical_url"].startswith(web.url("/press/#item-"))
    assert {r["extraction"] for r in rows.values()} == {"feed"}
    assert "the release says in full" in rows[items[1][1]]["text"]
    assert web.hits("/press/news.html") == 0
    assert sum(1 for e in events if e.kind == "article_new") == 5
    # the next poll (the feed answered in full, its items unchanged): nothing new
    web.route("/press/feed.xml", feed.replace("<description>d<", "<description>e<"))
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[src.id]["outcome"] == "ok" and checked[src.id]["entries"] == 5
    assert (checked[src.id]["new_entries"], checked[src.id]["changed"]) == (0, 0)
    assert len(articles(db)) == 5


def test_bot_challenges_are_named_and_not_retried(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A feed behind Cloudflare's challenge fails as bot_challenge, naming the service; an
    article page behind one is stored from the feed at once, not retried, and the challenge
    page's text never becomes the article."""
    challenge = (
        "<html><head><title>Just a moment...</title></head><body><script>window._cf_chl_opt="
        "{cType: 'managed'};</script></body></html>"
    )
    web.route("/guarded.xml", challenge, status=403, headers={"cf-mitigated": "challenge"})
    web.route("/news/guarded-story.html", challenge, status=503)
    feed = f"""<rss version="2.0"><channel><title>Open feed</title><item>
<title>Guarded story about DVB-I</title><link>{web.url("/news/guarded-story.html")}</link>
<description>DVB-I services launch in three countries.</description></item></channel></rss>"""
    web.route("/open.xml", feed, content_type="application/rss+xml")
    guarded = add(db, "Guarded", web.url("/guarded.xml"))
    add(db, "Open", web.url("/open.xml"))
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[guarded.id]["outcome"] == "error"
    assert checked[guarded.id]["error_class"] == "bot_challenge"
    assert "Cloudflare" in source(db, guarded.id).last_error_message
    (row,) = articles(db)
    assert (row["title"], row["extraction"]) == ("Guarded story about DVB-I", "feed_fallback")
    assert "Just a moment" not in row["text"] and "DVB-I services launch" in row["text"]
    full = db.sync_read(article_store.get, row["id"])
    assert full["fetch_meta"]["fallback_reason"].startswith("bot_challenge: ")
    assert web.hits("/news/guarded-story.html") == 1  # once: a challenge is not retried


def test_a_page_past_the_extraction_deadline_falls_back_to_the_feed(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A 9 MB page of blocks keeps an extraction process busy for several seconds (about 7 on
    the development machine): past the deadline (1.5 s here) its process is replaced, the
    article is stored from the feed, and the page queued behind it is extracted as usual."""
    para = "<p>" + "Broadcasters in Denver switched on ATSC 3.0 transmitters this week. " * 5
    huge = "<html><body><article>" + ("<div>" + para + "</p></div>") * 24000 + "</article>"
    web.route("/news/huge.html", huge + "</body></html>")
    site = NewsSite(web)
    (normal,) = site.publish(1)
    items = (
        f"<item><title>A very long page</title><link>{web.url('/news/huge.html')}</link>"
        "<description>The feed's own summary of the long page.</description></item>"
        f"<item><title>{normal.title}</title><link>{site.url(normal)}</link></item>"
    )
    web.route(
        "/two.xml",
        f'<rss version="2.0"><channel><title>Two</title>{items}</channel></rss>',
        content_type="application/rss+xml",
    )
    add(db, "Two", web.url("/two.xml"))
    pooled = settings.model_copy(  # type: ignore[attr-defined]
        update={"extract_processes": 1, "extract_timeout_seconds": 1.5}
    )
    refresh(pooled, db)
    rows = {r["title"]: r for r in articles(db)}
    long_one = rows["A very long page"]
    assert long_one["extraction"] == "feed_fallback"
    assert "the feed's own summary" in long_one["text"].lower()
    full = db.sync_read(article_store.get, long_one["id"])
    assert full["fetch_meta"]["fallback_reason"].startswith("extraction_timeout: took longer")
    other = db.sync_read(article_store.get, rows[normal.title]["id"])
    assert other["extraction"] == "page", other["fetch_meta"].get("fallback_reason")


def test_a_release_published_as_pdf_is_read(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A press feed whose item links to a PDF: its text and metadata are the article's."""
    from tests.pdfs import RELEASE_LINES, make_pdf

    pdf = make_pdf(
        [RELEASE_LINES],
        {"Title": "Arclight ships DVB-NIP gateways", "CreationDate": "D:20261128100000Z"},
    )
    web.route("/releases/dvb-nip.pdf", pdf, content_type="application/pdf")
    feed = f"""<rss version="2.0"><channel><title>IR</title><item><title>DVB-NIP (PDF)</title>
<link>{web.url("/releases/dvb-nip.pdf")}</link><description>Release.</description></item>
</channel></rss>"""
    web.route("/ir.xml", feed, content_type="application/rss+xml")
    add(db, "IR", web.url("/ir.xml"))
    refresh(settings, db)  # type: ignore[arg-type]
    (row,) = articles(db)
    assert (row["title"], row["extraction"]) == ("Arclight ships DVB-NIP gateways", "pdf")
    assert "viewers without broadband can watch" in row["text"] and row["language"] == "en"
    published = row["published_at"]
    assert (published.year, published.month, published.day, published.hour) == (2026, 11, 28, 10)


def test_a_blog_moved_on_a_static_host_is_followed_through_its_refresh_pages(
    web: FixtureWeb, settings: object, db: Database
) -> None:
    """A site moved on a static host (GitHub Pages and the like cannot answer 301): its old
    feed address and its old post addresses serve jekyll-redirect-from's refresh pages. The
    feed is read at its new address and each article from its new page, known by that page's
    address; no refresh page is taken for a feed or an article."""
    from tests.fetch.test_meta_refresh import jekyll_redirect

    site = NewsSite(web)
    items = site.publish(2)
    web.route("/old/feed.xml", jekyll_redirect(site.feed_url()))
    old_feed = f"""<rss version="2.0"><channel><title>Old address</title>{
        "".join(
            f"<item><title>{i.title}</title><link>{web.url(f'/old/{i.slug}/')}</link></item>"
            for i in items
        )
    }</channel></rss>"""
    web.route("/old/feed-with-old-links.xml", old_feed, content_type="application/rss+xml")
    for i in items:
        web.route(f"/old/{i.slug}/", jekyll_redirect(site.url(i)))
    moved = add(db, "Moved feed", web.url("/old/feed.xml"))
    old_links = add(db, "Old links", web.url("/old/feed-with-old-links.xml"))
    checked, _ = refresh(settings, db)  # type: ignore[arg-type]
    assert checked[moved.id]["outcome"] == "ok" and checked[moved.id]["new_entries"] == 2
    assert checked[old_links.id]["outcome"] == "ok"
    rows = {r["canonical_url"]: r for r in articles(db)}
    assert set(rows) == {site.url(i) for i in items}  # stored once each, at the new address
    for i in items:
        assert (rows[site.url(i)]["title"], rows[site.url(i)]["extraction"]) == (i.title, "page")
        assert "Redirecting" not in rows[site.url(i)]["text"]


def test_an_article_job_that_crashes_every_time_is_given_up_visibly(
    web: FixtureWeb, settings: object, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A job whose processing raises (a bug, not a page's fault) is retried later with the
    error kept, and once it has crashed as many times as a page may be retried it fails,
    with the error, instead of being retried every ten minutes for ever."""

    async def crash(*_args: object) -> None:
        raise RuntimeError("boom in storing")

    monkeypatch.setattr(worker_module, "process_job", crash)
    site = NewsSite(web)
    site.publish(1)
    add(db, "News", site.feed_url())
    limited = settings.model_copy(update={"article_retry_limit": 2})  # type: ignore[attr-defined]

    def job() -> Any:
        return db.sync_read(lambda c: c.execute(select(article_jobs)).mappings().one())

    refresh(limited, db)
    first = job()
    assert first["state"] == "pending" and first["attempts"] == 1
    assert first["last_error"] == "internal error: RuntimeError: boom in storing"
    db.sync_write(lambda c: c.execute(update(article_jobs).values(due_at=now())))
    refresh(limited, db)
    second = job()
    assert second["state"] == "failed" and second["attempts"] == 2
    assert "boom in storing" in second["last_error"]
