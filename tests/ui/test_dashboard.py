"""The dashboard in Chromium: today's numbers are what the database holds (in the reader's zone),
the chart has a bar per day with the right totals, by category and by source, the latest stories
and articles link to their pages; and the chart's arithmetic, quickly."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Connection, select, update

from mimir.alerts import manage
from mimir.alerts.matching import SourceInfo, WatchSet
from mimir.api.web import dashboard
from mimir.db.database import Database
from mimir.db.tables import alerts, article_search, articles, sources, stories, users
from mimir.model import SourceSpec
from mimir.model.watches import WatchSpec
from mimir.monitor.ingest import AfterStore, Stored, store_article
from mimir.storage import sources as source_store
from tests.storage.test_stories_alerts import OTHER, RELEASE, article
from tests.ui.conftest import Live, PageFactory, assert_clean

BERLIN = ZoneInfo("Europe/Berlin")  # the test browser's zone (tests/ui/conftest.py)


def words(seed: int, count: int = 80) -> str:
    """A text that is no near-duplicate of any other seed's."""
    return " ".join(f"w{seed}q{i * 7919 % 1000}" for i in range(count)) + "."


@dataclass
class Newsroom:
    """Sources in two categories and none, articles over the last days (a story with a copy
    today), a watch that alerted today, and a failing source."""

    db: Database
    now: datetime
    source_ids: dict[str, int]
    watch_id: int
    after: AfterStore
    story_id: int
    copy_id: int
    alone_id: int
    german_id: int

    def store(
        self, name: str, url: str, title: str, text: str, at: datetime | None = None, **kw: Any
    ) -> Stored:
        """An article of source ``name``, found ``at`` (default: now)."""
        values = article(self.source_ids[name], url, title, text, **kw)
        return self.db.sync_write(store_article, values, at or datetime.now(UTC), self.after)


def fill(db: Database) -> Newsroom:
    now = datetime.now(UTC)
    categories = {"wire": "trade", "tvtech": "trade", "press": "finance", "globo": None}
    ids = {
        name: db.sync_write(
            source_store.add_source,
            SourceSpec(name=name, url=f"https://{name}.example/feed", category=category),
            now,
        ).id
        for name, category in categories.items()
    }
    ids["broken"] = db.sync_write(
        source_store.add_source, SourceSpec(name="broken", url="https://broken.example/feed"), now
    ).id

    def break_it(conn: Connection) -> None:
        conn.execute(
            update(sources)
            .where(sources.c.id == ids["broken"])
            .values(
                status="error",
                consecutive_errors=3,
                last_error_class="HTTPError",
                last_error_message="503 from the server",
            )
        )

    db.sync_write(break_it)

    def add_watch(conn: Connection) -> int:
        return manage.add_watch(conn, WatchSpec(name="Sinclair", query="Sinclair"), now)

    watch_id = db.sync_write(add_watch)
    after = AfterStore(db.sync_read(WatchSet.load), SourceInfo("Wire", "wire.example", "trade"))
    room = Newsroom(db, now, ids, watch_id, after, 0, 0, 0, 0)
    # the last days: none, one or two articles a day, on rotating sources, found when
    # published but for one found today
    names = ["wire", "press", "globo", "tvtech"]
    for back in range(1, 16):
        for k in range(back % 3):
            published = now - timedelta(days=back, minutes=7 * k)
            room.store(
                names[(back + k) % 4],
                f"https://{names[(back + k) % 4]}.example/old-{back}-{k}",
                f"Older news {back}/{k}",
                words(back * 10 + k),
                at=published if (back, k) != (5, 1) else None,
                published_at=published,
            )
    # today: a release with a copy (one story, one alert), another article, a German one
    first = room.store(
        "wire",
        "https://wire.example/sinclair",
        "Sinclair picks Harmonic for NextGen TV",
        RELEASE,
        published_at=now - timedelta(minutes=3),
    )
    copy = room.store(
        "tvtech",
        "https://tvtech.example/sinclair",
        "Harmonic lands Sinclair NextGen TV deal",
        "By Staff | TV Tech\n\n" + RELEASE.rsplit("\n\n", 2)[0],
        published_at=now - timedelta(minutes=2),
    )
    assert copy.story_id == first.story_id
    alone = room.store(
        "press", "https://press.example/q1", "Harmonic results", OTHER, published_at=now
    )
    german = room.store(
        "globo",
        "https://globo.example/de",
        "Fernsehen in Brasilien",
        words(999),
        published_at=now - timedelta(minutes=1),
        language="de",
    )
    assert first.story_id is not None
    room.story_id, room.copy_id = first.story_id, copy.article_id
    room.alone_id, room.german_id = alone.article_id, german.article_id
    return room


def local_day(value: datetime, tz: ZoneInfo = BERLIN) -> date:
    at = value if value.tzinfo else value.replace(tzinfo=UTC)
    return at.astimezone(tz).date()


def expected(db: Database, today: date) -> dict[str, Any]:
    """The dashboard's numbers counted here, in Python, from every row."""

    def read(conn: Connection) -> dict[str, Any]:
        dated = [r[0] for r in conn.execute(select(article_search.c.sort_at))]
        found = [
            r[0]
            for r in conn.execute(
                select(articles.c.discovered_at).where(articles.c.deleted_at.is_(None))
            )
        ]
        firsts = [r[0] for r in conn.execute(select(stories.c.first_seen_at))]
        made = [r[0] for r in conn.execute(select(alerts.c.created_at))]
        per_day: dict[date, int] = {}
        for at in dated:
            per_day[local_day(at)] = per_day.get(local_day(at), 0) + 1
        return {
            "articles": sum(1 for at in found if local_day(at) == today),
            "stories": sum(1 for at in firsts if local_day(at) == today),
            "alerts": sum(1 for at in made if local_day(at) == today),
            "per_day": per_day,
        }

    return db.sync_read(read)


def in_berlin(live: Live) -> None:
    """The viewer's own zone: Europe/Berlin (the browser's too)."""

    def set_zone(conn: Connection) -> None:
        conn.execute(
            update(users)
            .where(users.c.id == live.people.viewer.id)
            .values(timezone="Europe/Berlin")
        )

    live.db.sync_write(set_zone)


def open_dashboard(page: Any, path: str = "/") -> None:
    page.goto(path)


def segment_counts(bar: Any) -> list[int]:
    return [
        int(c)
        for c in bar.locator("rect.segment").evaluate_all(
            "els => els.map(e => e.getAttribute('data-count'))"
        )
    ]


def number(page: Any, selector: str) -> int:
    return int(page.locator(f"{selector} .value").inner_text().replace(",", ""))


def test_the_numbers_are_the_databases(live: Live, page_as: PageFactory) -> None:
    room = fill(live.db)
    in_berlin(live)
    page = page_as(live.people.viewer)
    open_dashboard(page)
    assert "Europe/Berlin" in page.locator(".page-head").inner_text()
    days = page.locator("#articles-chart g.day")
    assert days.count() == dashboard.CHART_DAYS
    today = date.fromisoformat(days.nth(dashboard.CHART_DAYS - 1).get_attribute("data-day"))
    assert today == local_day(datetime.now(UTC))
    want = expected(live.db, today)
    assert want["articles"] >= 5 and want["stories"] >= 4 and want["alerts"] == 1
    assert number(page, "#stat-articles") == want["articles"]
    assert number(page, "#stat-stories") == want["stories"]
    assert number(page, "#stat-alerts") == want["alerts"]
    assert number(page, "#stat-failing") == 1
    assert page.locator("#stat-failing a").get_attribute("href") == "/sources?status=failing"
    # a bar per day, oldest first, each with the day's total (stacked segments add up to it)
    for i in range(dashboard.CHART_DAYS):
        bar = days.nth(i)
        day = today - timedelta(days=dashboard.CHART_DAYS - 1 - i)
        assert bar.get_attribute("data-day") == day.isoformat()
        assert int(bar.get_attribute("data-total")) == want["per_day"].get(day, 0)
        assert sum(segment_counts(bar)) == want["per_day"].get(day, 0)
    # by category: the categories and the uncategorised in the legend and the table
    legend = page.locator(".legend").inner_text()
    for label in ("trade", "finance", dashboard.NO_CATEGORY):
        assert label in legend
    table_total = page.locator(".chart-table tbody tr").last.locator("td").last.text_content()
    assert int(table_total) == want["per_day"][today]
    # the latest stories and articles link to their pages
    story = page.locator("#latest-stories a", has_text="Sinclair")
    assert story.get_attribute("href") == f"/stories/{room.story_id}"
    newest = page.locator("#latest-articles .item").first.locator("a")
    assert newest.get_attribute("href") == f"/articles/{room.alone_id}"
    failing = page.locator("#failing-sources")
    assert "broken" in failing.inner_text() and "3 errors in a row" in failing.inner_text()
    assert_clean(page)


def test_the_chart_by_source(live: Live, page_as: PageFactory) -> None:
    fill(live.db)
    page = page_as(live.people.viewer)
    open_dashboard(page)
    page.click("text=By source")
    page.wait_for_url(live.url("/?by=source"))
    assert page.locator("h2#chart-heading").inner_text() == "Articles per day by source"
    assert page.locator(".toggle a[aria-current=true]").inner_text() == "By source"
    legend = page.locator(".legend").inner_text()
    for name in ("wire", "tvtech", "press", "globo"):
        assert name in legend
    assert "trade" not in legend
    # the segments of today's bar are per source and add up to the bar
    bar = page.locator("#articles-chart g.day").last
    assert len(segment_counts(bar)) >= 3  # wire, tvtech, press, globo: today's sources
    assert sum(segment_counts(bar)) == int(bar.get_attribute("data-total"))
    assert_clean(page)


@pytest.mark.parametrize("dark,mobile", [(True, False), (False, True), (True, True)])
def test_themes_and_phones(live: Live, page_as: PageFactory, dark: bool, mobile: bool) -> None:
    fill(live.db)
    page = page_as(live.people.viewer, dark=dark, mobile=mobile)
    open_dashboard(page)
    assert page.locator("#articles-chart g.day").count() == dashboard.CHART_DAYS
    if mobile:  # nothing wider than the screen
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0
    page.locator(".chart-table summary").click()
    assert page.locator(".chart-table table").is_visible()
    assert_clean(page)


def test_an_empty_install(live: Live, page_as: PageFactory) -> None:
    page = page_as(live.people.viewer)
    open_dashboard(page)
    assert number(page, "#stat-articles") == 0
    assert page.locator("#articles-chart g.day").count() == dashboard.CHART_DAYS
    assert "No articles yet" in page.locator("main").inner_text()
    assert_clean(page)


def test_the_anonymous_sign_in_first(live: Live, page_as: PageFactory) -> None:
    page = page_as(None)
    page.goto("/")
    assert page.url.endswith("/login?next=/")


# ---- quick: the chart's arithmetic ----------------------------------------------------------


def test_day_bounds_follow_the_zone_across_a_clock_change() -> None:
    days, bounds = dashboard.day_bounds(date(2026, 10, 26), BERLIN, 3)
    assert days == [date(2026, 10, 24), date(2026, 10, 25), date(2026, 10, 26)]
    assert bounds[0] == datetime(2026, 10, 23, 22, tzinfo=UTC)  # summer time: UTC+2
    assert bounds[-1] == datetime(2026, 10, 26, 23, tzinfo=UTC)  # winter time: UTC+1
    assert bounds[2] - bounds[1] == timedelta(hours=25)  # the long day


def test_build_chart_stacks_ranks_and_folds_the_rest() -> None:
    days = [date(2026, 11, 1) + timedelta(days=i) for i in range(3)]
    labels = {i: (f"source {i}", "cat" if i % 2 else None) for i in range(1, 11)}
    rows = [(d, s, s) for d in range(3) for s in range(1, 11)] + [(2, None, 5)]
    chart = dashboard.build_chart("source", days, rows, labels)
    assert [s.label for s in chart.series][:2] == ["source 10", "source 9"]
    assert chart.series[-1].label.startswith("Other (")
    assert len(chart.series) == dashboard.MAX_SERIES + 1
    assert chart.totals == [55, 55, 60]
    assert sum(s.total for s in chart.series) == 170
    bar = chart.bars[2]
    assert sum(seg.count for seg in bar.segments) == 60
    assert chart.ticks[-1].value >= 60
    heights = sum(seg.height for seg in bar.segments)
    assert heights == pytest.approx((chart.base - chart.ticks[-1].y) * 60 / chart.ticks[-1].value)
    by_category = dashboard.build_chart("category", days, rows, labels)
    assert {s.label for s in by_category.series} == {
        "cat",
        dashboard.NO_CATEGORY,
        dashboard.DELETED_SOURCE,
    }


def test_nice_ceiling() -> None:
    assert [dashboard.nice_ceiling(v) for v in (0, 1, 3, 7, 9, 11, 61, 99, 101, 2500)] == [
        2,
        2,
        4,
        8,
        10,
        20,
        80,
        100,
        200,
        4000,
    ]
