"""The article reader and the story page, in Chromium: sanitized content, revisions with a diff,
highlighted terms, every copy of a story on its timeline with the lead and the watches."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from mimir.alerts.matching import WatchSet
from mimir.api.web.reader import content_html, diff, query_terms
from mimir.db.database import Database
from mimir.db.tables import articles, stories, users
from mimir.monitor.ingest import AfterStore, store_article
from mimir.parse.sanitize import sanitize_html
from mimir.process.fingerprint import text_fingerprint
from mimir.search.nodes import Field, Term
from tests.api.conftest import make_scenario
from tests.storage.test_articles import NOW, source, values
from tests.ui.conftest import Live, PageFactory, assert_clean

LAB_URL = "https://lab.example/vectra"
LAB_TEXT = "The Vectra encoder ships.\n\nVectra pricing starts at 10 dollars."
LAB_TEXT_2 = "The Vectra encoder ships in May.\n\nVectra pricing starts at 12 dollars."


def lab_html(base: str, price: int) -> str:
    """What a page held: a script, an event handler and a javascript: link among the text."""
    return (
        "<p>The <strong>Vectra</strong> encoder ships"
        + (" in May" if price == 12 else "")
        + ".</p><script>alert('script ran')</script>"
        + f'<img src="{base}/static/favicon.svg" onerror="alert(\'onerror ran\')" alt="chart">'
        + f'<p>Vectra <a href="javascript:alert(1)">pricing</a> starts at {price} dollars.</p>'
    )


@dataclass(frozen=True)
class Corpus:
    release: int  # the wire's release: first of a story of two, alerted by a watch
    copy: int  # its copy on TV Tech
    press: int  # Harmonic's results: a story of its own
    brazil: int  # another alerted story
    lab: int  # stored from HTML with a script and onerror, then revised
    story: int  # the release's story
    watch_id: int


def article_id(db: Database, url: str) -> int:
    query = select(articles.c.id).where(articles.c.url == url)
    return int(db.sync_read(lambda c: c.execute(query).scalar_one()))


def fill(live: Live) -> Corpus:
    """The API tests' scenario plus an article with dangerous HTML and two revisions."""
    db = live.db
    scenario = make_scenario(db)
    lab = source(db, "lab")
    after = AfterStore(WatchSet.empty())
    first = values(
        lab,
        LAB_URL,
        text=LAB_TEXT,
        title="Vectra <beta> encoder ships",
        html=sanitize_html(lab_html(live.base, 10), LAB_URL),
        tags=["encoders"],
        authors=["Ann Lab"],
    )
    db.sync_write(store_article, first, NOW, after)
    second = replace(
        first,
        text=LAB_TEXT_2,
        fingerprint=text_fingerprint(LAB_TEXT_2),
        html=sanitize_html(lab_html(live.base, 12), LAB_URL),
    )
    db.sync_write(store_article, second, NOW + timedelta(hours=2), after)
    release = article_id(db, scenario.release_url)
    story = db.sync_read(
        lambda c: c.execute(select(articles.c.story_id).where(articles.c.id == release)).one()[0]
    )
    return Corpus(
        release,
        article_id(db, scenario.copy_url),
        article_id(db, "https://press.example/q1"),
        article_id(db, scenario.brazil_url),
        article_id(db, LAB_URL),
        int(story),
        scenario.watch_id,
    )


@pytest.fixture
def corpus(live: Live) -> Corpus:
    return fill(live)


def dialogs_of(page: Any) -> list[str]:
    seen: list[str] = []

    def on_dialog(dialog: Any) -> None:
        seen.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    return seen


# ---- the reader ---------------------------------------------------------------------------


def test_reader_shows_sanitized_content_and_metadata(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer)
    dialogs = dialogs_of(page)
    page.goto(f"/articles/{corpus.lab}")
    assert page.locator("h1").inner_text() == "Vectra <beta> encoder ships"  # escaped, shown
    content = page.locator("[data-content]")
    assert content.locator("strong").inner_text() == "Vectra"  # the markup that is allowed stays
    assert content.locator("img[alt=chart]").count() == 1
    html = page.content()
    assert "<script>alert" not in html and "onerror" not in html and "javascript:" not in html
    assert content.locator("script").count() == 0
    assert page.locator("[onerror]").count() == 0
    assert dialogs == []
    original = page.locator("a", has_text="Read the original")
    assert original.get_attribute("href") == LAB_URL
    assert original.get_attribute("target") == "_blank"
    assert set(original.get_attribute("rel").split()) >= {"noopener", "noreferrer"}
    head = page.locator(".reader-head").inner_text()
    assert "Ann Lab" in head and "encoders" in head and "lab" in head
    assert_clean(page)


def test_html_stored_unsanitized_is_cleaned_when_shown(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    raw = (
        "<p>Harmonic <em>results</em></p><script>alert('raw script')</script>"
        '<img src="x" onerror="alert(\'raw onerror\')"><p onclick="alert(3)">Revenue fell.</p>'
    )
    live.db.sync_write(
        lambda c: c.execute(update(articles).where(articles.c.id == corpus.press).values(html=raw))
    )
    page = page_as(live.people.viewer)
    dialogs = dialogs_of(page)
    page.goto(f"/articles/{corpus.press}?q=revenue")
    content = page.locator("[data-content]")
    assert content.locator("em").inner_text() == "results"
    assert content.locator("mark").inner_text() == "Revenue"
    html = page.content()
    assert "raw script" not in html and "onerror" not in html and "onclick" not in html
    assert dialogs == []
    assert_clean(page)


def test_revisions_with_a_diff(live: Live, corpus: Corpus, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer, dark=True)
    page.goto(f"/articles/{corpus.lab}")
    revisions = page.locator("#revisions")
    assert "This is revision 2" in revisions.inner_text()
    assert revisions.locator(".revision-list li").count() == 1
    changes = page.locator("[data-diff]")
    assert changes.locator("del").all_inner_texts() == ["10"]
    assert [t.strip() for t in changes.locator("ins").all_inner_texts()] == ["in May", "12"]
    assert "starts at" in changes.inner_text()
    assert_clean(page)


def test_diff_escapes_and_keeps_context() -> None:
    old = "One.\n\nTwo.\n\nThree.\n\nFour <b>x</b>.\n\nFive."
    new = "One.\n\nTwo.\n\nThree.\n\nFour <b>y</b>.\n\nFive.\n\nSix."
    blocks = diff(old, new)
    kinds = [b.kind for b in blocks]
    assert kinds == ["gap", "same", "change", "same", "change"]
    assert blocks[0].skipped == 2
    assert ("del", "x") in blocks[2].parts and ("ins", "y") in blocks[2].parts
    assert blocks[2].parts[0] == ("same", "Four <b>")
    assert blocks[-1].parts == (("ins", "Six."),)


def test_terms_are_highlighted_without_breaking_the_markup(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer)
    page.goto(f"/articles/{corpus.lab}?q=" + "vectra%20%22starts%20at%22%20-nothing")
    content = page.locator("[data-content]")
    marks = content.locator("mark").all_inner_texts()
    assert marks == ["Vectra", "Vectra", "starts at"]
    assert content.locator("strong mark").inner_text() == "Vectra"  # inside the tag, not over it
    assert content.locator("p").count() == 2
    assert page.locator("h1 mark").inner_text() == "Vectra"
    back = page.locator("a", has_text="back to the results")
    assert "/search?q=vectra" in back.get_attribute("href")
    assert_clean(page)


def test_watch_terms_are_highlighted_in_plain_text(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(live.people.viewer, mobile=True)
    page.goto(f"/articles/{corpus.release}")  # its story alerted for "NextGen TV"; no HTML kept
    content = page.locator("[data-content]")
    assert content.locator("p").count() >= 3
    assert set(content.locator("mark").all_inner_texts()) == {"NextGen TV"}
    watched = page.locator(".watched")
    assert "NextGen <TV> & co" in watched.inner_text()
    assert page.locator("a", has_text="The story").get_attribute("href") == (
        f"/stories/{corpus.story}"
    )
    assert_clean(page)


def test_a_missing_article_or_story_is_a_404_page(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    for path in ("/articles/987654", "/stories/987654", "/articles/x1", "/stories/-2"):
        response = page.goto(path)
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Not found"
        assert_clean(page)


def test_the_anonymous_are_sent_to_sign_in(
    live: Live, corpus: Corpus, page_as: PageFactory
) -> None:
    page = page_as(None)
    page.goto(f"/articles/{corpus.lab}")
    assert "/login?next=/articles/" in page.url


# ---- the story ----------------------------------------------------------------------------


@pytest.mark.parametrize("look", ["light", "dark", "mobile"])
def test_story_lists_every_copy_in_time_order_with_the_lead(
    live: Live, corpus: Corpus, page_as: PageFactory, look: str
) -> None:
    lead = live.db.sync_read(
        lambda c: c.execute(
            select(stories.c.lead_article_id).where(stories.c.id == corpus.story)
        ).one()[0]
    )
    live.db.sync_write(  # the viewer's own zone: dates are shown in it
        lambda c: c.execute(
            update(users).where(users.c.id == live.people.viewer.id).values(timezone="Asia/Tokyo")
        )
    )
    page = page_as(live.people.viewer, dark=look == "dark", mobile=look == "mobile")
    page.goto(f"/stories/{corpus.story}")
    items = page.locator(".timeline [data-nav-item]")
    ids = [int(i) for i in items.evaluate_all("els => els.map(e => e.dataset.articleId)")]
    assert ids == [corpus.release, corpus.copy]  # oldest first (same date: by id)
    sources = [items.nth(i).locator(".meta").inner_text() for i in range(2)]
    assert "wire" in sources[0] and "tvtech" in sources[1]
    leads = page.locator(".timeline .item.lead")
    assert leads.count() == 1
    assert int(leads.get_attribute("data-article-id")) == lead
    assert "Lead article" in leads.inner_text()
    times = items.locator("time").evaluate_all("els => els.map(e => e.getAttribute('title'))")
    assert times == ["2026-11-28 21:00 JST"] * 2  # NOW, 12:00 UTC, in Tokyo
    watch = page.locator(f"[data-watch-id='{corpus.watch_id}']")
    assert "NextGen <TV> & co" in watch.inner_text()
    assert watch.locator("mark").inner_text() == '"nextgen tv"'
    assert "First seen" in page.locator(".facts").inner_text()
    # keyboard: j focuses the first copy, o opens it
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("o")
    page.wait_for_url(live.url(f"/articles/{corpus.copy}"))
    assert_clean(page)
    page.goto(f"/stories/{corpus.story}")
    assert_clean(page)


def test_highlighting_touches_text_nodes_only() -> None:
    stored = (
        '<p>Read <a href="https://x.example/vectra">Vectra news</a> and vectra, '
        '<img src="https://x.example/vectra.png">more vectra</p><pre>vectra code</pre>'
        '<p>A &lt;vectra&gt; tag, <a href="/relative">relative</a></p>'
    )
    out = str(content_html(stored, query_terms(["vectra"])))
    assert 'href="https://x.example/vectra"' in out  # attributes untouched
    assert '<a href="https://x.example/vectra" rel="noopener nofollow noreferrer">' in out
    assert "<mark>Vectra</mark> news</a> and <mark>vectra</mark>, " in out
    assert 'alt=""' in out and "more <mark>vectra</mark></p>" in out
    assert "<pre>vectra code</pre>" in out  # code is left alone
    assert "&lt;<mark>vectra</mark>&gt;" in out  # text stays escaped
    assert "/relative" not in out  # a relative link would point into Mimir
    assert query_terms(["title:(merger OR xy*)", "a AND (", "-gone author:doe"]) == [
        Term(("merger",), field=Field.TITLE),
        Term(("xy",), prefix=True, field=Field.TITLE),
    ]
