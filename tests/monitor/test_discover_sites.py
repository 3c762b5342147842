"""Which feed links on a page are the site's own (``monitor.discover._elsewhere``)."""

from __future__ import annotations

import pytest

from mimir.monitor.discover import _elsewhere


@pytest.mark.parametrize(
    ("url", "page", "elsewhere"),
    [
        ("https://www.example.co.uk/feed/", "https://www.example.co.uk/news/a", False),
        ("https://feeds.example.co.uk/rss", "https://www.example.co.uk/news/a", False),
        ("https://example.com/feed", "https://blog.example.com/post", False),
        ("https://another.co.uk/feed", "https://www.example.co.uk/news/a", True),
        ("http://jessenoller.com/feed/", "http://blog.python.org/2016/12/a.html", True),
        ("http://127.0.0.2:8080/feed/", "http://127.0.0.1:8080/blog", True),
        ("http://127.0.0.1:9090/feed/", "http://127.0.0.1:8080/blog", False),
        ("http://[::1]:8080/feed/", "http://127.0.0.1:8080/blog", True),
    ],
)
def test_another_site(url: str, page: str, elsewhere: bool) -> None:
    assert _elsewhere(url, page) is elsewhere
