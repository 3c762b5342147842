"""The sources pages in Chromium, against the local fixture web: the add-source wizard
(discovery, preview, save), the selector editor's live preview, the health table and its
filters, refresh now and enable/disable, the OPML import report, and what viewers see."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from mimir.db.tables import fetch_log, sources
from mimir.model import SourceKind, SourceSpec
from mimir.storage import sources as source_store
from tests.api.conftest import signed_in
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb
from tests.ui.conftest import Live, PageFactory, assert_clean

DATA = Path(__file__).parents[1] / "importers" / "data"


@pytest.fixture
def site(web: FixtureWeb) -> NewsSite:
    s = NewsSite(web)
    s.publish(4)
    return s


def add(live: Live, name: str, url: str, **kw: Any) -> int:
    made = live.db.sync_write(
        source_store.add_source, SourceSpec(name=name, url=url, **kw), datetime.now(UTC)
    )
    return int(made.id)


def set_health(live: Live, source_id: int, **values: Any) -> None:
    live.db.sync_write(
        lambda conn: conn.execute(
            sources.update().where(sources.c.id == source_id).values(**values)
        )
    )


def row_of(live: Live, source_id: int) -> dict[str, Any]:
    return dict(  # type: ignore[no-any-return]
        live.db.sync_read(
            lambda conn: (
                conn.execute(select(sources).where(sources.c.id == source_id)).one()._mapping
            )
        )
    )


# ---- the wizard -----------------------------------------------------------------------------


def test_the_wizard_discovers_previews_and_saves(
    live: Live, page_as: PageFactory, site: NewsSite
) -> None:
    page = page_as(live.people.editor)
    page.goto("/sources/new")
    assert page.locator("h1").inner_text() == "Add a source"
    assert_clean(page)
    page.fill("#new-url", site.web.url("/news/"))
    page.click("text=Discover")
    # step 2: the feeds the page announces, the best one chosen
    chosen = page.locator("#choose-form input[name=choice]:checked")
    chosen.wait_for(state="attached")
    assert chosen.get_attribute("value") in (
        f"feed {site.feed_url('rss')}",
        f"feed {site.feed_url('atom')}",
    )
    report = page.locator("#choose-form details.report pre").text_content() or ""
    assert report.startswith(f"Discovery for {site.web.url('/news/')}:")
    assert "announced" in page.locator("#choose-form").inner_text()
    # step 3: the dry run of the chosen feed, loaded at once
    count = page.locator("#wizard-preview .entries-count")
    count.wait_for()
    assert count.inner_text() == "4"
    entries = page.locator("#wizard-preview .preview-entries li").all_inner_texts()
    assert any(site.items[-1].title in e for e in entries)
    article = page.locator("#wizard-preview .preview-article")
    assert article.locator(".article-title").inner_text() == site.items[-1].title
    assert "Story number 3 continues" in article.inner_text()  # the extracted text
    assert_clean(page)
    # choosing another candidate previews that one
    other = page.locator("#choose-form input[name=choice]:not(:checked):not([disabled])").first
    other_value = other.get_attribute("value") or ""
    other.check()
    page.wait_for_function(
        "v => document.querySelector('#save-form input[name=url]')?.value === v",
        arg=other_value.split(" ", 1)[1],
    )
    # step 4: save, then the new source's page
    page.fill("#new-name", "Broadcast News")
    page.fill("#new-category", "trade_press")
    page.click("text=Save the source")
    page.wait_for_url(re.compile(r".*/sources/\d+$"))
    source_id = int(page.url.rsplit("/", 1)[1])
    stored = row_of(live, source_id)
    assert (stored["name"], stored["kind"], stored["url"], stored["category"]) == (
        "Broadcast News",
        "feed",
        other_value.split(" ", 1)[1],
        "trade_press",
    )
    assert page.locator("h1").inner_text() == "Broadcast News"
    assert_clean(page)


def test_the_wizard_saves_a_listing_page_with_its_selectors(
    live: Live, page_as: PageFactory, web: FixtureWeb
) -> None:
    teasers = "".join(
        f'<div class="card"><h3><a href="/press/{i}/">Press release {i}</a></h3></div>'
        for i in range(6)
    )
    web.route("/press/", f"<html><head><title>Press</title></head><body>{teasers}</body></html>")
    for i in range(6):
        body = "<p>" + f"Release {i} says a great deal about broadcasting. " * 20 + "</p>"
        web.route(f"/press/{i}/", f"<html><body><article><h1>Release {i}</h1>{body}</article>")
    page = page_as(live.people.editor)
    page.goto("/sources/new")
    page.fill("#new-url", web.url("/press/"))
    page.click("text=Discover")
    chosen = page.locator("#choose-form input[name=choice]:checked")
    chosen.wait_for(state="attached")
    assert chosen.get_attribute("value") == f"listing {web.url('/press/')}"
    expect(page.locator("#wizard-preview .entries-count")).to_have_text("6")
    page.fill("#w-article_list", "div.card")
    page.fill("#w-article_link", "h3 a")
    page.click("#choose-form button[type=submit]")
    expect(page.locator("#save-form input[name='settings.selectors.article_link']")).to_have_value(
        "h3 a"
    )
    expect(page.locator("#wizard-preview .preview-article .article-title")).to_have_text(
        "Release 0"
    )
    page.click("text=Save the source")
    page.wait_for_url(re.compile(r".*/sources/\d+$"))
    stored = row_of(live, int(page.url.rsplit("/", 1)[1]))
    assert (stored["kind"], stored["name"]) == ("listing", "Press")
    assert stored["settings"] == {"selectors": {"article_list": "div.card", "article_link": "h3 a"}}
    assert page.input_value("#sel-article_link") == "h3 a"


def test_the_wizard_reports_an_address_it_cannot_use(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.editor, mobile=True)
    page.goto("/sources/new")
    page.fill("#new-url", "not a url")
    page.click("text=Discover")
    error = page.locator("#wizard-found .form-error")
    error.wait_for()
    assert "not an absolute http(s) URL" in error.inner_text()
    page.fill("#new-url", "http://10.1.2.3/feed")  # refused by the SSRF guard (not allowed)
    page.click("text=Discover")
    expect(page.locator("#wizard-found .form-error")).to_contain_text("10.1.2.3")
    assert_clean(page)


# ---- the selector editor --------------------------------------------------------------------


def test_the_selector_editor_previews_a_listing_page_live(
    live: Live, page_as: PageFactory, site: NewsSite
) -> None:
    site.publish(1)  # five teasers on /news/
    sid = add(live, "Teasers", site.web.url("/news/"), kind=SourceKind.LISTING)
    page = page_as(live.people.editor, dark=True)
    page.goto(f"/sources/{sid}")
    assert_clean(page)
    # a selector that finds nothing, by pressing Preview
    page.fill("#sel-article_link", "h3.nothing a")
    page.click("#preview-button")
    page.locator("#selector-preview .entries-count").wait_for()
    expect(page.locator("#selector-preview .entries-count")).to_have_text("0")
    # typing a better one updates the preview by itself
    page.fill("#sel-article_list", "article.teaser")
    page.fill("#sel-article_link", "h2 a")
    expect(page.locator("#selector-preview .entries-count")).to_have_text("5")
    titles = page.locator("#selector-preview .preview-entries li a").all_inner_texts()
    assert titles[0] == site.items[-1].title and len(titles) == 5
    assert page.locator("#selector-preview .preview-article .article-title").inner_text() == (
        site.items[-1].title
    )
    assert_clean(page)
    # a selector that does not compile is named
    page.fill("#sel-date", "time[")
    expect(page.locator("#selector-preview .form-error")).to_have_text(re.compile(r"^date:"))
    page.fill("#sel-date", "time")
    expect(page.locator("#selector-preview .entries-count")).to_have_text("5")
    # nothing was saved by the previews; Save stores them through the API
    assert row_of(live, sid)["settings"] == {}
    with page.expect_navigation():  # saved, then the page reloads
        page.click("text=Save selectors")
    assert page.input_value("#sel-article_list") == "article.teaser"
    assert row_of(live, sid)["settings"] == {
        "selectors": {"article_list": "article.teaser", "article_link": "h2 a", "date": "time"}
    }


# ---- the table ------------------------------------------------------------------------------


def _three(live: Live) -> tuple[int, int, int]:
    now = datetime.now(UTC)
    good = add(live, "Alpha Wire", "https://alpha.example/feed")
    bad = add(live, "Beta Press", "https://beta.example/press/", kind=SourceKind.LISTING)
    off = add(live, "Gamma Radio", "https://gamma.example/rss", enabled=False)
    set_health(live, good, status="ok", last_checked_at=now - timedelta(minutes=5),
               last_success_at=now - timedelta(minutes=5), total_checks=3)  # fmt: skip
    set_health(
        live,
        bad,
        status="error",
        consecutive_errors=1,
        last_error_class="http_500",
        last_error_message="the server answered 500 Internal Server Error",
        last_checked_at=now - timedelta(minutes=2),
    )
    return good, bad, off


def test_the_table_shows_health_and_filters_failing_sources(
    live: Live, page_as: PageFactory
) -> None:
    good, bad, off = _three(live)
    page = page_as(live.people.editor)
    page.goto("/sources")
    assert page.locator("h1").inner_text() == "Sources"

    def badge(sid: int) -> str:
        return page.locator(f"tr[data-source-id='{sid}'] .badge").first.inner_text()

    assert (badge(good), badge(bad), badge(off)) == ("ok", "failing", "disabled")
    failing_row = page.locator(f"tr[data-source-id='{bad}']")
    assert "http_500: the server answered 500" in failing_row.inner_text()
    spark = failing_row.locator("svg.spark")
    assert "total 0" in (spark.get_attribute("aria-label") or "")
    assert spark.locator("title").text_content() == spark.get_attribute("aria-label")
    assert page.locator(".status-tabs a[href='/sources?status=failing'] .count").inner_text() == "1"
    assert_clean(page)

    page.select_option("#f-status", "failing")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r".*status=failing.*"))
    ids = page.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.sourceId)")
    assert ids == [str(bad)]

    page.goto("/sources?q=gamma")
    ids = page.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.sourceId)")
    assert ids == [str(off)]
    page.goto("/sources?kind=listing")
    ids = page.locator("tbody tr").evaluate_all("rows => rows.map(r => r.dataset.sourceId)")
    assert ids == [str(bad)]
    page.goto("/sources?status=disabled&q=alpha")
    assert "No source matches" in page.locator("main").inner_text()
    assert_clean(page)


def test_the_table_pages_by_keys(live: Live, page_as: PageFactory) -> None:
    def fill(conn: Any) -> None:
        now = datetime.now(UTC)
        for i in range(120):
            source_store.add_source(
                conn, SourceSpec(name=f"Source {i:03}", url=f"https://s{i}.example/feed"), now
            )

    live.db.sync_write(fill)
    page = page_as(live.people.viewer, mobile=True)
    page.goto("/sources")
    names = page.locator("tbody .source-name").all_inner_texts()
    assert len(names) == 50 and names[0] == "Source 000"
    page.click("text=Next page")
    page.click("text=Next page")
    names = page.locator("tbody .source-name").all_inner_texts()
    assert names[0] == "Source 100" and len(names) == 20
    assert page.locator("text=Next page").count() == 0
    page.click("text=Previous page")
    names = page.locator("tbody .source-name").all_inner_texts()
    assert names[0] == "Source 050" and names[-1] == "Source 099"
    assert_clean(page)


# ---- refresh now, enable and disable --------------------------------------------------------


def test_refresh_now_and_enable_disable(live: Live, page_as: PageFactory, site: NewsSite) -> None:
    sid = add(live, "Broadcast News", site.feed_url())
    page = page_as(live.people.editor)
    page.goto(f"/sources/{sid}")
    assert "Not checked yet." in page.locator("main").inner_text()
    page.click("button:has-text('Refresh now')")  # checks it in the request, then reloads
    page.locator(".history-table tbody tr").first.wait_for()
    assert page.locator(".history-table tbody tr .badge").first.inner_text() == "ok"
    assert page.locator("#health-badge").inner_text() == "ok"
    recent = page.locator("section[aria-labelledby=recent-h] .item .title").all_inner_texts()
    assert len(recent) == 4 and recent[0] == site.items[-1].title
    assert (
        live.db.sync_read(
            lambda conn: conn.execute(select(func.count()).select_from(fetch_log)).scalar()
        )
        == 1
    )
    assert_clean(page)

    page.click("button:has-text('Disable')")
    expect(page.locator("#health-badge")).to_have_text("disabled")
    assert row_of(live, sid)["enabled"] is False
    page.click("button:has-text('Enable')")
    expect(page.locator("#health-badge")).to_have_text("ok")
    assert row_of(live, sid)["enabled"] is True

    # from the table: the sparkline counts the stored articles; refresh marks it due
    later = datetime.now(UTC) + timedelta(hours=5)
    set_health(live, sid, next_check_at=later)
    page.goto("/sources")
    row = page.locator(f"tr[data-source-id='{sid}']")
    assert "total 4" in (row.locator("svg.spark").get_attribute("aria-label") or "")
    row.locator("button:has-text('Refresh')").click()
    page.locator("#toast.show").wait_for()
    assert "due now" in page.locator("#toast").inner_text()
    due = row_of(live, sid)["next_check_at"]
    assert due is not None and due.replace(tzinfo=UTC) < later
    row.locator("button:has-text('Disable')").click()
    expect(row.locator(".badge").first).to_have_text("disabled")
    assert row_of(live, sid)["enabled"] is False


# ---- import ---------------------------------------------------------------------------------


def test_an_opml_import_shows_its_report(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.editor)
    page.goto("/sources/import")
    assert page.locator("a:has-text('Export OPML')").get_attribute("href") == (
        "/api/v1/sources/export.opml"
    )
    assert_clean(page)
    page.click("button:has-text('Import')")  # no file yet
    assert page.locator("#import-form .form-error").inner_text() == "Choose a file first."
    page.set_input_files("#import-file", str(DATA / "feedly_export.opml"))
    page.click("button:has-text('Import')")
    summary = page.locator("#import-report .report-summary")
    summary.wait_for()
    assert summary.inner_text().startswith("feedly_export.opml (opml): 9 found, 9 added")
    report = page.locator("#import-report").inner_text()
    assert "Skipped (3)" in report and "TechCrunch" in report
    assert page.locator("#import-report a[href^='/sources/']").count() == 9
    assert (
        live.db.sync_read(
            lambda conn: conn.execute(select(func.count()).select_from(sources)).scalar()
        )
        == 9
    )
    assert_clean(page)
    # again: every one is there already
    page.click("button:has-text('Import')")
    expect(page.locator("#import-report")).to_contain_text("Already present (9)")
    # a file that is not OPML: the API's message
    page.set_input_files("#import-file", str(DATA / "malformed.opml"))
    page.click("button:has-text('Import')")
    error = page.locator("#import-form .form-error")
    error.wait_for()
    assert error.inner_text().startswith("file:")


# ---- viewers --------------------------------------------------------------------------------


def test_viewers_see_no_change_buttons(live: Live, page_as: PageFactory) -> None:
    good, bad, _ = _three(live)
    page = page_as(live.people.viewer, dark=True)
    page.goto("/sources")
    assert page.locator("tbody tr").count() == 3
    assert page.locator("main button[data-api]").count() == 0
    assert page.locator("a[href='/sources/new'], a[href='/sources/import']").count() == 0
    assert_clean(page)
    page.goto(f"/sources/{bad}")
    assert page.locator("h1").inner_text() == "Beta Press"
    assert page.locator("main button, main form").count() == 0
    assert "http_500" in page.locator("main").inner_text()
    assert_clean(page)
    for path in ("/sources/new", "/sources/import"):
        response = page.goto(path)
        assert response.status == 403
        assert page.locator("h1").inner_text() == "Not allowed"
    mobile = page_as(live.people.viewer, mobile=True)
    mobile.goto(f"/sources/{good}")
    assert_clean(mobile)


def test_the_preview_routes_are_for_editors_with_the_csrf_token(live: Live) -> None:
    sid = add(live, "Alpha Wire", "https://alpha.example/feed")
    body = {"settings.selectors.article_link": "h2 a"}
    with signed_in(live.settings, live.db, live.people.viewer) as viewer:
        assert viewer.post(f"/sources/{sid}/preview", data=body).status_code == 403
        assert viewer.post("/sources/new/discover", data={"url": "x"}).status_code == 403
    with signed_in(live.settings, live.db, live.people.editor) as editor:
        bad = editor.post(f"/sources/{sid}/preview", data={"settings.selectors.title": "a["})
        assert bad.status_code == 200 and "title:" in bad.text and "form-error" in bad.text
        assert editor.post("/sources/999/preview", data=body).status_code == 404
        del editor.headers["X-CSRF-Token"]
        assert editor.post(f"/sources/{sid}/preview", data=body).status_code == 403


# ---- every page on a phone, in the dark -----------------------------------------------------

FITS = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def test_every_page_fits_a_phone_in_the_dark(
    live: Live, page_as: PageFactory, site: NewsSite
) -> None:
    _, bad, _ = _three(live)
    page = page_as(live.people.editor, dark=True, mobile=True)
    for path in ("/sources", f"/sources/{bad}", "/sources/new", "/sources/import"):
        page.goto(path)
        assert page.evaluate(FITS), f"{path} is wider than the phone"
        assert_clean(page)
    page.goto("/sources/new")
    page.fill("#new-url", site.web.url("/news/"))
    page.click("text=Discover")
    expect(page.locator("#wizard-preview .entries-count")).to_have_text("4")
    assert page.evaluate(FITS)
    assert_clean(page)


def test_settings_are_saved_and_a_source_deleted_through_the_api(
    live: Live, page_as: PageFactory
) -> None:
    good, _, _ = _three(live)
    page = page_as(live.people.editor)
    page.goto(f"/sources/{good}")
    page.fill("#s-name", "Alpha Wire (trade)")
    page.fill("#s-category", "trade_press")
    page.fill("#s-min", "900")
    with page.expect_navigation():
        page.click("text=Save settings")
    stored = row_of(live, good)
    assert (stored["name"], stored["category"]) == ("Alpha Wire (trade)", "trade_press")
    assert stored["settings"]["min_interval_seconds"] == 900
    # the API's validation, shown beside the field it names
    page.fill("#s-min", "30")
    page.click("text=Save settings")
    expect(page.locator("#s-min")).to_have_attribute("aria-invalid", "true")
    assert row_of(live, good)["settings"]["min_interval_seconds"] == 900
    # a name taken by another source: the API's 409
    page.fill("#s-min", "900")
    page.fill("#s-name", "Beta Press")
    page.click("text=Save settings")
    expect(page.locator("#settings-form .form-error")).to_contain_text("name:")
    # delete, after confirming
    page.on("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Delete')")
    page.wait_for_url(live.url("/sources"))
    assert page.locator(f"tr[data-source-id='{good}']").count() == 0
    assert (
        live.db.sync_read(
            lambda conn: conn.execute(select(func.count()).select_from(sources)).scalar()
        )
        == 2
    )


def test_the_fetch_history_pages_back(live: Live, page_as: PageFactory) -> None:
    sid = add(live, "Wire", "https://wire.example/feed")
    start = datetime.now(UTC) - timedelta(hours=3)
    for i in range(25):
        failed = i % 5 == 4
        live.db.sync_write(
            source_store.record_check,
            sid,
            {"status": "error" if failed else "ok", "last_checked_at": start},
            {
                "started_at": start + timedelta(minutes=i),
                "duration_ms": 10 + i,
                "outcome": "error" if failed else "ok",
                "status_code": 503 if failed else 200,
                "error_class": "http_503" if failed else None,
                "entries": i,
                "new_entries": 0,
                "bytes": 100,
                "worker": "w1",
            },
        )
    page = page_as(live.people.viewer)
    page.goto(f"/sources/{sid}")
    rows = page.locator(".history-table tbody tr")
    assert rows.count() == 20
    assert rows.first.locator("td").nth(3).inner_text() == "24"  # entries of the newest
    assert "http_503" in rows.first.inner_text()
    page.click("text=Older checks")
    # links to whole pages: expect() waits for the next page, a bare count() may read the
    # one being left
    expect(page.locator(".history-table tbody tr td:nth-child(4)")).to_have_text(
        ["4", "3", "2", "1", "0"]
    )
    assert page.locator("text=Older checks").count() == 0
    assert_clean(page)
    page.click("text=Newest checks")
    expect(page.locator(".history-table tbody tr")).to_have_count(20)


def test_odd_addresses_get_pages_not_json(live: Live) -> None:
    sid = add(live, "Alpha Wire", "https://alpha.example/feed")
    with signed_in(live.settings, live.db, live.people.viewer) as viewer:
        viewer.headers["Accept"] = "text/html"
        for path in ("/sources?after=abc&before=-1", "/sources?status=odd&kind=nope"):
            r = viewer.get(path)
            assert r.status_code == 200 and f'data-source-id="{sid}"' in r.text
        for path in ("/sources/999", f"/sources/{sid}?older=nonsense"):
            r = viewer.get(path)
            assert r.headers["content-type"].startswith("text/html")
        assert viewer.get("/sources/999").status_code == 404
        assert viewer.get("/sources/abc").status_code == 404
