"""The article behind a news aggregator's link: Google News, Google Alerts, Bing News.

Monitoring teams follow these feeds (a Google News or Bing News search as RSS, a Google Alert
delivered to a feed), and their items do not link to the article: they link to the
aggregator, which sends a browser on.

* Google Alerts and Google's redirector: ``https://www.google.com/url?...&url=ARTICLE&...``.
* Bing News: ``https://www.bing.com/news/apiclick.aspx?...&url=ARTICLE&...``.
* Google News: ``https://news.google.com/rss/articles/ID`` (also ``/articles/ID``,
  ``/read/ID``). Until mid-2024 the ID was a small protobuf message holding the article's
  address (base64url: field 4, a length-prefixed string); since then it holds an opaque token,
  and the link leads to a page whose script asks Google's private RPC for the address. Mimir
  does not call that RPC (undocumented, changed by Google at will, and the feed's terms limit
  it to reading the feed).

``publisher_url`` gives the article's address when the link carries it; the page is then
fetched from the publisher and the article's identity is the publisher's. A Google News link
that does not carry it is ``feed_only``: fetching it brings back Google's script page (or, in
Europe, its consent page), whose title and text would stand in for every article of the feed.
Such an entry is stored from what the feed says (headline, publisher, related coverage), as a
full-content feed's entries are.
"""

from __future__ import annotations

import base64
import binascii
import re
from urllib.parse import parse_qs, urlsplit

from mimir.process.urls import is_http_url

_GOOGLE_NEWS_PATH = re.compile(r"^/(?:__i/)?(?:rss/(?:rd/)?)?(?:articles|read)/([A-Za-z0-9_-]+)")
_GOOGLE_HOST = re.compile(r"^(?:www\.)?google\.[a-z]{2,3}(?:\.[a-z]{2})?$")


def _http(value: str) -> str | None:
    value = value.strip()
    return value if is_http_url(value) else None


def _host_path(url: str) -> tuple[str, str, str]:
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return "", "", ""
    return (parts.hostname or "").lower(), parts.path, parts.query


def _param(query: str, *names: str) -> str | None:
    values = parse_qs(query, keep_blank_values=False)
    for name in names:
        for value in values.get(name, ()):
            found = _http(value)
            if found:
                return found
    return None


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    value = shift = 0
    while pos < len(data) and shift < 35:
        byte = data[pos]
        value |= (byte & 0x7F) << shift
        pos += 1
        if not byte & 0x80:
            return value, pos
        shift += 7
    raise ValueError("truncated varint")


def google_news_id_url(article_id: str) -> str | None:
    """The article address inside a Google News article ID of the pre-2024 kind, else None."""
    try:
        data = base64.urlsafe_b64decode(article_id + "=" * (-len(article_id) % 4))
    except (binascii.Error, ValueError):
        return None
    pos = 0
    try:
        while pos < len(data):  # the message's fields: the address is the first string
            key, pos = _varint(data, pos)
            wire = key & 7
            if wire == 0:
                _, pos = _varint(data, pos)
            elif wire == 2:
                size, pos = _varint(data, pos)
                value = data[pos : pos + size]
                pos += size
                if key >> 3 == 4:
                    text = value.decode("utf-8", "strict")
                    return _http(text)
            else:
                return None
    except (ValueError, UnicodeDecodeError):
        return None
    return None


def is_google_news_link(url: str) -> bool:
    host, path, _ = _host_path(url)
    return host == "news.google.com" and _GOOGLE_NEWS_PATH.match(path) is not None


def publisher_url(url: str) -> str | None:
    """The article's own address when ``url`` is an aggregator link that carries it."""
    host, path, query = _host_path(url)
    if not host:
        return None
    if _GOOGLE_HOST.match(host) and path == "/url":
        return _param(query, "url", "q")
    if (host == "bing.com" or host.endswith(".bing.com")) and path.lower() == "/news/apiclick.aspx":
        return _param(query, "url")
    if host == "news.google.com":
        m = _GOOGLE_NEWS_PATH.match(path)
        if m:
            return google_news_id_url(m.group(1))
    return None


def feed_only(url: str) -> bool:
    """Whether the entry must be stored from the feed: a Google News link without the address."""
    return is_google_news_link(url) and publisher_url(url) is None
