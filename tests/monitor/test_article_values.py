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
