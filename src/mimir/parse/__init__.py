"""Pure parsers: bytes in, values out (feeds, sitemaps, listing pages, articles, dates).

Nothing here does I/O: callers fetch, then hand the body, its URL and ``now`` to these
functions. Every failure is a :class:`mimir.errors.ParseError` (or a subclass).
"""

from __future__ import annotations

from mimir.parse.article import extract_article
from mimir.parse.charset import decode_html
from mimir.parse.dates import parse_date, sane
from mimir.parse.discovery import COMMON_FEED_PATHS, FeedLink, find_feed_links, sitemaps_from_robots
from mimir.parse.feeds import parse_feed
from mimir.parse.listing import parse_listing
from mimir.parse.sanitize import html_to_text, sanitize_html

__all__ = [
    "COMMON_FEED_PATHS",
    "FeedLink",
    "decode_html",
    "extract_article",
    "find_feed_links",
    "html_to_text",
    "parse_date",
    "parse_feed",
    "parse_listing",
    "sane",
    "sanitize_html",
    "sitemaps_from_robots",
]
