"""How a stored article's values are merged from its page and its feed entry."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from mimir.model import Entry, ExtractedArticle
from mimir.monitor.article import build_values

PAGE = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)
FEED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
GUESS = datetime(2025, 1, 1, tzinfo=UTC)
TEXT = "The report on the tuner market. " * 20


@pytest.mark.parametrize(
    ("stated", "in_feed", "guess", "expected"),
    [
        (PAGE, FEED, None, PAGE),  # the page's stated date first (often the more precise)
        (None, FEED, GUESS, FEED),  # the feed's date before a date found in the page's text
        (None, None, GUESS, GUESS),  # a guess is better than none (sitemaps, listings)
        (None, None, None, None),
    ],
)
def test_publication_date_precedence(
    stated: datetime | None,
    in_feed: datetime | None,
    guess: datetime | None,
    expected: datetime | None,
) -> None:
    entry = Entry(url="https://ledger.example/tuners", title="Tuners", published_at=in_feed)
    page = ExtractedArticle(text=TEXT, title="Tuners", published_at=stated, published_guess=guess)
    values = build_values(1, entry, entry.url, page, None, "page")
    assert values.published_at == expected


DAY = datetime(2014, 12, 27, tzinfo=UTC)  # a page's "2014-12-27": midnight UTC


@pytest.mark.parametrize(
    ("in_feed", "expected"),
    [
        (datetime(2014, 12, 27, 17, 6, tzinfo=UTC), datetime(2014, 12, 27, 17, 6, tzinfo=UTC)),
        # 6 pm in New York on the 27th is the 28th in UTC: still that day, somewhere
        (datetime(2014, 12, 28, 2, 0, tzinfo=UTC), datetime(2014, 12, 28, 2, 0, tzinfo=UTC)),
        # another day altogether: the page's own day stands
        (datetime(2014, 12, 20, 12, 0, tzinfo=UTC), DAY),
        (None, DAY),
    ],
)
def test_a_day_without_time_yields_to_the_feeds_timestamp_that_day(
    in_feed: datetime | None, expected: datetime
) -> None:
    """A page that states only the day ("2014-12-27", midnight UTC: the 26th in New York)
    yields to the feed's timestamp on that day, which has the time."""
    entry = Entry(url="https://ledger.example/tuners", title="Tuners", published_at=in_feed)
    page = ExtractedArticle(text=TEXT, title="Tuners", published_at=DAY, published_day_only=True)
    assert build_values(1, entry, entry.url, page, None, "page").published_at == expected
    timed = ExtractedArticle(text=TEXT, title="Tuners", published_at=DAY)  # "...T00:00:00Z"
    assert build_values(1, entry, entry.url, timed, None, "page").published_at == DAY


AP_TEXT = (
    "KABUL, Afghanistan (AP) -- The father of the Orlando nightclub gunman came to the U.S. "
    "from Afghanistan more than 30 years ago and has made a series of rambling political "
    "videos about his former homeland. "
) * 3


@pytest.mark.parametrize(
    ("page_title", "feed_title", "text", "expected"),
    [
        # AP's hosted pages are all "News from The Associated Press": the feed's headline
        (
            "News from The Associated Press",
            "Father of Orlando gunman known for rambling political videos",
            AP_TEXT,
            "Father of Orlando gunman known for rambling political videos",
        ),
        # a press room's feed that titles every item alike: the page's headline
        (
            "Father of Orlando gunman known for rambling political videos",
            "Press release",
            AP_TEXT,
            "Father of Orlando gunman known for rambling political videos",
        ),
        # the page rewords the feed's headline (TIME): words in common, the page's stands
        (
            "We Need Geoengineering to Stop Warming, Warns James Hansen",
            "James Hansen Calls for Geoengineering as a Climate Solution",
            TEXT,
            "We Need Geoengineering to Stop Warming, Warns James Hansen",
        ),
        # nothing in common and nothing in the text either way: the page's
        ("Tuner prices fall", "Weekly roundup", TEXT, "Tuner prices fall"),
        # Chinese, no spaces: two characters in common are a word in common
        (
            "外国专家说中美合作共赢",
            "中美合作共赢符合国际社会利益",
            "国际社会利益" * 50,
            "外国专家说中美合作共赢",
        ),
        (None, "Weekly roundup", TEXT, "Weekly roundup"),
        ("Tuner prices fall", None, TEXT, "Tuner prices fall"),
    ],
)
def test_the_title_is_the_pages_unless_it_names_no_article(
    page_title: str | None, feed_title: str | None, text: str, expected: str
) -> None:
    entry = Entry(url="https://ledger.example/tuners", title=feed_title)
    page = ExtractedArticle(text=text, title=page_title)
    assert build_values(1, entry, entry.url, page, None, "page").title == expected
