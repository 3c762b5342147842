"""The search page in Chromium: results with highlighted snippets, the two orders, keyset pages,
errors at their position, save as a watch, export links, keyboard navigation."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from mimir.alerts.matching import WatchSet
from mimir.monitor.ingest import AfterStore, store_article
from mimir.process.fingerprint import text_fingerprint
from mimir.storage import watches as watch_store
from tests.storage.test_articles import NOW, source, values
from tests.ui.conftest import Live, PageFactory, assert_clean
from tests.ui.test_reader import Corpus, fill

FILLER = "Broadcast engineers met in the spring to compare notes on transmitters. " * 12


@pytest.fixture
def corpus(live: Live) -> Corpus:
    return fill(live)


def result_ids(page: object) -> list[int]:
    ids = page.locator(".results [data-nav-item]").evaluate_all(  # type: ignore[attr-defined]
        "els => els.map(e => e.dataset.articleId)"
    )
    return [int(i) for i in ids]


def add_ranked(live: Live) -> tuple[int, int]:
    """Two articles on "lumenwave": an older one all about it, a newer one mentioning it once."""
    sid = source(live.db, "ranker")
    after = AfterStore(WatchSet.empty())
    about = "Lumenwave ships the Lumenwave X2. Lumenwave says Lumenwave X2 doubles output."
    older = values(
        sid,
        "https://ranker.example/lumenwave-x2",
        text=about,
        fingerprint=text_fingerprint(about),
        title="Lumenwave Lumenwave X2 review",
        published_at=NOW - timedelta(days=3),
    )
    passing = FILLER + "One vendor, Lumenwave, had a stand. " + FILLER
    newer = replace(
        older,
        url="https://ranker.example/show-report",
        canonical_url="https://ranker.example/show-report",
        url_hash="f" * 64,
        title="Spring show report",
        text=passing,
        fingerprint=text_fingerprint(passing),
        published_at=NOW,
    )
    a = live.db.sync_write(store_article, older, NOW, after).article_id
    b = live.db.sync_write(store_article, newer, NOW, after).article_id
    return a, b


def test_search_finds_articles_with_highlighted_snippets(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer)
    page.goto("/search")
    assert_clean(page)
    page.fill("[data-search-box]", "harmonic -brazil")
    page.click("button:has-text('Search')")
    page.wait_for_url("**/search?q=harmonic*")
    assert set(result_ids(page)) == {corpus.release, corpus.copy, corpus.press}
    # newest first: the three share a date, then by id
    assert result_ids(page) == sorted(result_ids(page), reverse=True)
    snippets = page.locator(".results .snippet")
    assert snippets.count() == 3
    for i in range(3):
        marks = snippets.nth(i).locator("mark").all_inner_texts()
        assert marks and {m.lower() for m in marks} == {"harmonic"}
    assert page.locator(".results .title mark").first.inner_text() == "Harmonic"
    # a title is text, never markup
    page.goto("/search?q=vectra")
    title = page.locator(f"[data-article-id='{corpus.lab}'] .title a")
    assert title.inner_text() == "Vectra <beta> encoder ships"
    assert "&lt;beta&gt;" in title.inner_html() and title.locator("mark").count() == 1
    assert_clean(page)


@pytest.mark.parametrize("look", ["dark", "mobile"])
def test_results_are_clean_in_every_look(
    live: Live, corpus: Corpus, page_as: PageFactory, look: str
) -> None:
    page = page_as(live.people.viewer, dark=look == "dark", mobile=look == "mobile")
    page.goto("/search?q=harmonic")
    assert len(result_ids(page)) == 3
    page.click("summary:has-text('Query syntax')")
    assert page.locator(".cheat-sheet table").is_visible()
    assert_clean(page)
    page.goto("/search?q=launch%20AND%20(atsc%20OR")
    assert_clean(page)


def test_newest_and_relevance_orders(live: Live, corpus: Corpus, page_as: PageFactory) -> None:
    about, passing = add_ranked(live)
    page = page_as(live.people.viewer)
    page.goto("/search?q=lumenwave")
    assert result_ids(page) == [passing, about]  # the newer first
    page.click(".order-links a:has-text('Relevance')")
    page.wait_for_url("**order=relevance*")
    assert result_ids(page) == [about, passing]  # the one all about it first
    assert page.locator(".results .score").count() == 2
    assert page.input_value("#order") == "relevance"
    assert_clean(page)


def test_a_syntax_error_is_shown_at_its_position(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer)
    response = page.goto("/search?q=launch%20AND%20(atsc%20OR")
    assert response.status == 400
    alert = page.locator("[role=alert]#q-error")
    assert "needs a term after it" in alert.inner_text()
    assert "character 20" in alert.locator("h2").inner_text()
    caret = alert.locator("pre.caret").inner_text().split("\n")
    assert caret[0].rstrip() == "launch AND (atsc OR"  # the error is at its end
    assert caret[1] == " " * 19 + "^"
    assert page.get_attribute("[data-search-box]", "aria-invalid") == "true"
    assert page.input_value("[data-search-box]") == "launch AND (atsc OR"  # to fix in place
    page.goto("/search?q=titel%3Amerger")
    assert "unknown field 'titel:'" in page.locator("#q-error").inner_text()
    assert page.locator("#q-error .caret .at").inner_text() == "t"
    assert page.locator(".results").count() == 0
    assert_clean(page)


def test_filters_narrow_with_snippets_and_pages(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer)
    page.goto("/search?q=harmonic")
    wire = page.locator("#source_id option", has_text="wire").get_attribute("value")
    page.select_option("#source_id", wire)
    page.click("button:has-text('Search')")
    page.wait_for_url(f"**source_id={wire}*")
    assert result_ids(page) == [corpus.release]
    assert page.locator(".results .snippet mark").count() >= 1
    page.goto("/search?q=harmonic&order=sideways&source_id=x")  # odd values: the defaults
    assert len(result_ids(page)) == 3
    response = page.goto("/search?q=" + "harmonic%20" * 150)
    assert response.status == 400
    assert "too long" in page.locator("[role=alert]").inner_text()
    page.goto("/search?q=harmonic&language=de")
    assert result_ids(page) == []
    assert "Nothing matches" in page.locator(".results").inner_text()


def test_keyset_pages_and_keyboard(live: Live, corpus: Corpus, page_as: PageFactory) -> None:
    sid = source(live.db, "many")
    after = AfterStore(WatchSet.empty())
    for n in range(25):
        text = f"Zephyrcast bulletin number {n}. " + FILLER
        v = values(
            sid,
            f"https://many.example/{n}",
            text=text,
            fingerprint=text_fingerprint(text),
            title=f"Zephyrcast bulletin {n}",
            published_at=NOW - timedelta(hours=n),
        )
        live.db.sync_write(store_article, v, NOW, after)
    page = page_as(live.people.viewer)
    page.goto("/search?q=zephyrcast")
    first = result_ids(page)
    assert len(first) == 20
    titles = page.locator(".results .title a").all_inner_texts()
    assert titles[:2] == ["Zephyrcast bulletin 0", "Zephyrcast bulletin 1"]  # newest first
    page.click("a:has-text('More results')")
    page.wait_for_url("**cursor=*")
    second = result_ids(page)
    assert len(second) == 5 and not set(first) & set(second)
    assert page.locator("a:has-text('More results')").count() == 0
    assert page.locator("a:has-text('First page')").count() == 1
    # j / k / o
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    current = page.locator(".results .item.current")
    assert int(current.get_attribute("data-article-id")) == second[1]
    page.keyboard.press("o")
    page.wait_for_url(live.url(f"/articles/{second[1]}?q=zephyrcast"))
    assert page.locator("h1 mark").inner_text() == "Zephyrcast"
    # / goes back to the search box
    page.go_back()
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"


def test_save_as_watch_in_one_step(live: Live, corpus: Corpus, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    page.goto("/search?q=%22NextGen%20TV%22%20-sports&language=en")
    assert page.input_value("#watch-name") == '"NextGen TV" -sports'
    assert page.input_value("#watch-query") == '("NextGen TV" -sports) lang:en'
    page.fill("#watch-name", "NextGen desk")
    page.click("button:has-text('Save watch')")
    page.wait_for_url(live.url("/watches"))
    saved = {w.name: w for w in live.db.sync_read(watch_store.list_watches)}
    assert saved["NextGen desk"].query == '("NextGen TV" -sports) lang:en'
    assert saved["NextGen desk"].owner_id == live.people.viewer.id


def test_save_as_watch_shows_the_api_error(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer)
    page.goto("/search?q=harmonic")
    page.fill("#watch-query", "harmonic AND")
    page.click("button:has-text('Save watch')")
    error = page.locator(".search-side .form-error")
    error.wait_for(state="visible")
    assert "AND" in error.inner_text()
    assert page.url.startswith(live.url("/search"))
    assert_clean(page)


def test_export_links_carry_the_query(live: Live, corpus: Corpus, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    page.goto("/search?q=harmonic%20-brazil&order=relevance&category=")
    links = page.locator(".export-links a")
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert len(hrefs) == 2
    for href, fmt in zip(hrefs, ("csv", "ndjson"), strict=True):
        parts = urlsplit(href)
        assert parts.path == "/api/v1/articles/export"
        assert parse_qs(parts.query) == {"q": ["harmonic -brazil"], "format": [fmt]}
    answer = page.request.get(hrefs[0])
    assert answer.status == 200
    rows = list(csv.DictReader(io.StringIO(answer.text())))
    assert {int(r["id"]) for r in rows} == {corpus.release, corpus.copy, corpus.press}
