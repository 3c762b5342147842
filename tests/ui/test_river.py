"""The river in Chromium: newest first with their stories, filters, older pages, j/k/o, and an
article stored while the page is open arriving on top without a reload (server-sent events);
the event stream's headers and format over HTTP; the arrivals query on both databases."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, select

from mimir.api.access import SESSION_COOKIE
from mimir.api.web import river
from mimir.db.database import Database
from mimir.db.tables import article_search
from mimir.storage import ui_river
from mimir.storage.listing import ArticleFilter
from tests.ui.conftest import Live, PageFactory, assert_clean
from tests.ui.test_dashboard import Newsroom, fill, words


@pytest.fixture(autouse=True)
def quick_polls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(river, "POLL_SECONDS", 0.1)


def newest_first(db: Database) -> list[int]:
    def read(conn: Connection) -> list[int]:
        s = article_search.c
        rows = conn.execute(select(s.article_id).order_by(s.sort_at.desc(), s.article_id.desc()))
        return [int(r[0]) for r in rows]

    return db.sync_read(read)  # type: ignore[no-any-return]


def shown_ids(page: Any) -> list[int]:
    return [
        int(i)
        for i in page.locator("#river [data-nav-item]").evaluate_all(
            "els => els.map(e => e.getAttribute('data-id'))"
        )
    ]


def wait_live(page: Any) -> None:
    page.wait_for_selector("#river[data-live=open]", state="attached")


def test_newest_first_with_their_stories(live: Live, page_as: PageFactory) -> None:
    room = fill(live.db)
    page = page_as(live.people.viewer)
    page.goto("/river")
    assert shown_ids(page) == newest_first(live.db)
    copy = page.locator(f"#river [data-id='{room.copy_id}'] a.copies")
    assert copy.inner_text().startswith("+1 copy")
    assert copy.get_attribute("href") == f"/stories/{room.story_id}"
    alone = page.locator(f"#river [data-id='{room.alone_id}']")
    assert alone.locator("a.copies").count() == 0
    assert alone.locator("a[data-open]").get_attribute("href") == f"/articles/{room.alone_id}"
    assert page.locator("#keys-hint").is_visible()
    wait_live(page)
    assert_clean(page)


def test_filters(live: Live, page_as: PageFactory) -> None:
    room = fill(live.db)
    page = page_as(live.people.viewer)
    page.goto("/river")
    page.select_option("#f-source", label="press")
    page.click("button[type=submit]")
    page.wait_for_url("**/river?source_id=*")
    sources = page.locator("#river .source").all_inner_texts()
    assert sources and set(sources) == {"press"}
    assert page.input_value("#f-source") == str(room.source_ids["press"])
    # a category is every source in it
    page.goto("/river")
    page.select_option("#f-category", "trade")
    page.click("button[type=submit]")
    assert set(page.locator("#river .source").all_inner_texts()) == {"wire", "tvtech"}
    # a language
    page.goto("/river")
    page.fill("#f-language", "de")
    page.press("#f-language", "Enter")
    page.wait_for_url("**/river?language=de")
    assert shown_ids(page) == [room.german_id]
    # a watch: the articles that alerted for it
    page.goto("/river")
    page.select_option("#f-watch", label="Sinclair")
    page.click("button[type=submit]")
    titles = page.locator("#river [data-open]").all_inner_texts()
    assert titles == ["Sinclair picks Harmonic for NextGen TV"]
    # nothing matches: said so; "Clear" goes back to everything
    page.goto("/river?language=fr")
    assert "No article matches" in page.locator("main").inner_text()
    page.click("text=Clear")
    page.wait_for_url(live.url("/river"))
    assert shown_ids(page) == newest_first(live.db)
    assert_clean(page)


def test_a_bad_filter_is_a_400_page(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    for query in (
        "source_id=abc",
        "language=%3Cscript%3E",
        "cursor=nonsense",
        "category=" + "x" * 300,
    ):
        answer = page.goto(f"/river?{query}")
        assert answer.status == 400, query
        assert page.locator("h1").count() == 1


def test_older_pages(live: Live, page_as: PageFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    fill(live.db)
    monkeypatch.setattr(river, "PAGE", 4)
    everything = newest_first(live.db)
    page = page_as(live.people.viewer)
    page.goto("/river")
    seen = shown_ids(page)
    assert seen == everything[:4]
    while page.locator("a[rel=next]").count():
        page.click("a[rel=next]")
        page.wait_for_load_state()
        assert "cursor=" in page.url
        assert page.locator("#river-live").count() == 0  # older pages are not live
        seen += shown_ids(page)
    assert seen == everything
    page.click("text=Newest articles")
    assert shown_ids(page) == everything[:4]


def test_keyboard_j_k_o(live: Live, page_as: PageFactory) -> None:
    fill(live.db)
    order = newest_first(live.db)
    page = page_as(live.people.viewer)
    page.goto("/river")
    page.keyboard.press("j")
    focused = "document.activeElement.getAttribute('data-id')"
    assert int(page.evaluate(focused)) == order[0]
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert int(page.evaluate(focused)) == order[2]
    assert page.locator("#river .item.current").count() == 1
    page.keyboard.press("k")
    assert int(page.evaluate(focused)) == order[1]
    page.keyboard.press("o")
    page.wait_for_url(live.url(f"/articles/{order[1]}"))


def test_an_article_arrives_on_top_without_a_reload(live: Live, page_as: PageFactory) -> None:
    room = fill(live.db)
    page = page_as(live.people.viewer)
    page.goto("/river")
    wait_live(page)
    page.evaluate("window.sameDocument = true")
    stored = room.store(
        "wire", "https://wire.example/breaking", "Breaking: a new tower", words(4242)
    )
    first = page.locator("#river [data-nav-item]").first
    first.locator(f"a[href='/articles/{stored.article_id}']").wait_for()
    assert first.locator("a[data-open]").inner_text() == "Breaking: a new tower"
    assert page.locator("#river-status").inner_text() == "1 new article"
    assert page.evaluate("window.sameDocument") is True  # no reload
    # the next one goes on top of it, and j starts from the top
    again = room.store("press", "https://press.example/next", "And another", words(4343))
    page.locator(f"#river [data-nav-item]:first-child[data-id='{again.article_id}']").wait_for()
    assert shown_ids(page)[:2] == [again.article_id, stored.article_id]
    assert page.locator("#river-status").inner_text() == "2 new articles"
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(live.url(f"/articles/{again.article_id}"))


def test_live_arrivals_keep_the_filters(live: Live, page_as: PageFactory) -> None:
    room = fill(live.db)
    page = page_as(live.people.viewer)
    page.goto(f"/river?source_id={room.source_ids['press']}")
    wait_live(page)
    before = shown_ids(page)
    other = room.store("wire", "https://wire.example/not-here", "Not for this river", words(77))
    match = room.store("press", "https://press.example/here", "For this river", words(78))
    assert other.article_id < match.article_id  # so the first was looked at no later
    page.locator(f"#river [data-id='{match.article_id}']").wait_for()
    assert shown_ids(page) == [match.article_id, *before]
    assert_clean(page)


@pytest.mark.parametrize("dark,mobile", [(True, False), (False, True), (True, True)])
def test_themes_and_phones(live: Live, page_as: PageFactory, dark: bool, mobile: bool) -> None:
    room = fill(live.db)
    page = page_as(live.people.viewer, dark=dark, mobile=mobile)
    page.goto("/river")
    wait_live(page)
    room.store("wire", "https://wire.example/fresh", "Fresh off the wire", words(555))
    page.locator("#river .item.new").wait_for()
    if mobile:
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
        assert page.locator("#f-source").is_visible()
    assert_clean(page)


def test_an_empty_river_fills_live(live: Live, page_as: PageFactory) -> None:
    room = fill_sources_only(live)
    page = page_as(live.people.viewer)
    page.goto("/river")
    assert page.locator("#river-empty").is_visible()
    wait_live(page)
    assert_clean(page)
    stored = room.store("wire", "https://wire.example/first", "The very first", words(1))
    page.locator(f"#river [data-id='{stored.article_id}']").wait_for()
    assert page.locator("#river-empty").is_hidden()


def fill_sources_only(live: Live) -> Newsroom:
    """fill()'s sources and watch, without its articles (they are deleted again)."""
    room = fill(live.db)

    def wipe(conn: Connection) -> None:
        from sqlalchemy import text

        for table in ("alerts", "outbox", "article_search", "story_bands", "stories", "articles"):
            conn.execute(text(f"DELETE FROM {table}"))

    live.db.sync_write(wipe)
    return room


# ---- the event stream over HTTP -------------------------------------------------------------


def test_the_stream_over_http(live: Live) -> None:
    token, _ = live.session(live.people.viewer)
    room_less = httpx.Client(base_url=live.base, cookies={SESSION_COOKIE: token}, timeout=10)
    with room_less, room_less.stream("GET", "/river/events?after=0") as answer:
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/event-stream")
        assert answer.headers["cache-control"] == "no-store"
        assert answer.headers["x-accel-buffering"] == "no"
        assert answer.headers["x-content-type-options"] == "nosniff"  # through the Boundary
        first = next(answer.iter_lines())
        assert first == f"retry: {river.RETRY_MS}"
    anonymous = httpx.get(live.url("/river/events"), follow_redirects=False)
    assert anonymous.status_code == 303 and "/login" in anonymous.headers["location"]


def test_the_stream_ends_and_resumes_where_it_was(
    live: Live, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = fill(live.db)
    top = live.db.sync_read(ui_river.newest_id)
    monkeypatch.setattr(river, "STREAM_SECONDS", 1.0)
    monkeypatch.setattr(river, "HEARTBEAT_SECONDS", 0.0)
    token, _ = live.session(live.people.viewer)
    client = httpx.Client(base_url=live.base, cookies={SESSION_COOKIE: token}, timeout=10)

    def lines(url: str, **headers: str) -> list[str]:
        with client.stream("GET", url, headers=headers) as answer:
            return list(answer.iter_lines())  # to its end: the server closes it

    with client:
        got = lines(f"/river/events?after={top - 1}")
        assert "event: article" in got
        assert any(f'data-id="{top}"' in line for line in got)
        assert f"id: {top}" in got
        assert ": keep-alive" in got
        # the browser reconnects with the last id it was given: nothing again
        again = lines(f"/river/events?after={top - 1}", **{"Last-Event-ID": str(top)})
        assert "event: article" not in again
        # what arrived in between comes with the next connection, in the stream's filter
        press = room.source_ids["press"]
        other = room.store("wire", "https://wire.example/between", "Between", words(61))
        later = room.store("press", "https://press.example/between", "Later", words(62))
        resumed = lines(f"/river/events?source_id={press}&after={top}")
        assert any(f'data-id="{later.article_id}"' in line for line in resumed)
        assert not any(f'data-id="{other.article_id}"' in line for line in resumed)
        assert f"id: {later.article_id}" in resumed


def test_sse_event_format() -> None:
    html = '<li class="item">\n  <a href="/articles/1">One</a>\n</li>\n'
    assert river.sse_event("article", html) == (
        'event: article\ndata: <li class="item">\ndata:   <a href="/articles/1">One</a>\n'
        "data: </li>\n\n"
    )


# ---- arrivals, on SQLite and PostgreSQL ---------------------------------------------------------


def test_arrivals(db: Database) -> None:
    room = fill(db)
    top = db.sync_read(ui_river.newest_id)
    assert top > 0
    nothing = db.sync_read(
        ui_river.arrivals, ArticleFilter(), floor=top, last=top, limit=20, max_scan=2000
    )
    assert nothing.top == top and nothing.cards == []
    one = room.store("press", "https://press.example/a1", "Arrival one", words(901))
    two = room.store("wire", "https://wire.example/a2", "Arrival two", words(902))
    three = room.store("press", "https://press.example/a3", "Arrival three", words(903))
    found = db.sync_read(
        ui_river.arrivals, ArticleFilter(), floor=top, last=top, limit=20, max_scan=2000
    )
    assert found.top == three.article_id
    assert [c["id"] for c in found.cards] == [one.article_id, two.article_id, three.article_id]
    assert all("copies" in c for c in found.cards)
    press = ArticleFilter(source_id=room.source_ids["press"])
    only = db.sync_read(ui_river.arrivals, press, floor=top, last=top, limit=20, max_scan=2000)
    assert [c["id"] for c in only.cards] == [one.article_id, three.article_id]
    newest = db.sync_read(
        ui_river.arrivals, ArticleFilter(), floor=top, last=top, limit=2, max_scan=2000
    )
    assert [c["id"] for c in newest.cards] == [two.article_id, three.article_id]
    short = db.sync_read(
        ui_river.arrivals, ArticleFilter(), floor=0, last=top, limit=20, max_scan=1
    )
    assert [c["id"] for c in short.cards] == [three.article_id]
    by_category = db.sync_read(
        ui_river.arrivals,
        ArticleFilter(category="TRADE"),
        floor=top,
        last=top,
        limit=20,
        max_scan=2000,
    )
    assert [c["id"] for c in by_category.cards] == [two.article_id]
    watched = db.sync_read(
        ui_river.arrivals,
        ArticleFilter(watch_id=room.watch_id),
        floor=0,
        last=0,
        limit=20,
        max_scan=2000,
    )
    assert [c["title"] for c in watched.cards] == ["Sinclair picks Harmonic for NextGen TV"]
