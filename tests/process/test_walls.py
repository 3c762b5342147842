"""Consent walls: an article page redirected to one is not extracted."""

from __future__ import annotations

import pytest

from mimir.process.walls import consent_wall

ARTICLE = "https://www.example-news.de/2026/11/atsc-3-0-in-europe.html"


@pytest.mark.parametrize(
    "final",
    [
        "https://consent.yahoo.com/v2/collectConsent?sessionId=3_cc-session_1a2b",
        "https://guce.yahoo.com/consent?brandType=nonEu&gcrumb=x",
        "https://consent.google.com/ml?continue=https://news.google.com/",
        "https://myprivacy.dpgmedia.nl/consent?siteKey=abc&callbackUrl=https%3a%2f%2fx",
        "https://www.example-news.de/cookie-wall?return=/2026/11/atsc-3-0-in-europe.html",
        "https://www.example-news.de/gdpr/accept?next=/2026/11/",
    ],
)
def test_redirects_to_a_consent_page(final: str) -> None:
    assert consent_wall(ARTICLE, final)


@pytest.mark.parametrize(
    ("requested", "final"),
    [
        (ARTICLE, ARTICLE),  # no redirect
        (ARTICLE, ""),
        ("http://www.example-news.de/a", "https://www.example-news.de/a"),  # to https
        ("https://feeds.example.com/~r/x/~3/abc/", ARTICLE),  # a feed proxy to the article
        # an article about consent, reached without a wall
        ("https://ex.com/ofcom-consent-ruling", "https://ex.com/ofcom-consent-ruling"),
        ("https://ex.com/a", "https://www.ex.com/a?utm_source=consent"),  # the word in the query
    ],
)
def test_other_redirects_are_not_walls(requested: str, final: str) -> None:
    assert not consent_wall(requested, final)
