"""Map a request path to a rendered document at one point of the timeline (no sockets here)."""

from __future__ import annotations

import gzip
import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

from mimir.demo import feeds, templates
from mimir.demo.timeline import OUTLET_BY_KEY, OUTLETS, Outlet, Revision, Timeline

FEED_SIZE = 20
LISTING_PAGE_SIZE = 10
SITEMAP_WINDOW = timedelta(days=2)  # Google news sitemaps list the last two days only
_ARTICLE_PATH = re.compile(r"^/([a-z]+)/(\d{4})/(\d{2})/([a-z0-9-]+-(\d+))/$")
_MEDIA_PATH = re.compile(r"^/media/(\d+)\.svg$")


@dataclass(slots=True)
class Document:
    """A response body with what conditional GET needs."""

    body: bytes
    content_type: str
    last_modified: datetime | None = None
    status: int = 200
    etag: str = field(init=False)
    _gzipped: bytes | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.etag = '"' + hashlib.sha1(self.body, usedforsecurity=False).hexdigest()[:24] + '"'

    @property
    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.body, compresslevel=6, mtime=0)
        return self._gzipped


def _xml(text: str, kind: str, modified: datetime | None) -> Document:
    return Document(text.encode("utf-8"), f"{kind}; charset=utf-8", modified)


def _html(text: str, charset: str, modified: datetime | None, status: int = 200) -> Document:
    body = text.encode(charset, errors="xmlcharrefreplace")
    return Document(body, f"text/html; charset={charset}", modified, status)


class Router:
    """Renders every document of the demo site from the timeline."""

    def __init__(self, timeline: Timeline) -> None:
        self.timeline = timeline

    def latest(self, ticks: int, outlet: Outlet | None, limit: int, skip: int = 0) -> list[int]:
        """Indices of the newest articles (of one outlet), newest first."""
        count = self.timeline.count_at(ticks)
        if outlet is None:
            return list(range(count - 1 - skip, max(-1, count - 1 - skip - limit), -1))
        position = OUTLETS.index(outlet)
        newest = count - 1 - ((count - 1 - position) % len(OUTLETS))
        first = newest - skip * len(OUTLETS)
        return [i for i in range(first, -1, -len(OUTLETS))][:limit]

    def _revisions(self, indices: list[int], ticks: int) -> list[Revision]:
        return [self.timeline.revision(i, ticks) for i in indices]

    def document(self, base: str, path: str, query: str, ticks: int) -> Document:
        """The document at ``path`` after ``ticks`` ticks; a 404 page when there is none."""
        found = self._route(base, path, query, ticks)
        if found is not None:
            return found
        return _html(
            "<!DOCTYPE html><html lang=en><head><meta charset=utf-8><title>Not found</title>"
            '</head><body><h1>Page not found</h1><p><a href="/">Home</a></p></body></html>',
            "utf-8",
            None,
            status=404,
        )

    def _route(self, base: str, path: str, query: str, ticks: int) -> Document | None:
        tl = self.timeline
        start = datetime.fromtimestamp(tl.start, UTC)
        if path == "/":
            revs = self._revisions(self.latest(ticks, None, 15), ticks)
            return _html(templates.render_home(base, revs), "utf-8", feeds.last_modified(revs))
        if path == "/robots.txt":
            return Document(
                templates.render_robots(base).encode(), "text/plain; charset=utf-8", start
            )
        if path == "/wire/feed.rss":
            revs = self._revisions(self.latest(ticks, OUTLET_BY_KEY["wire"], FEED_SIZE), ticks)
            rss = feeds.render_rss(base, OUTLET_BY_KEY["wire"], revs)
            return _xml(rss, "application/rss+xml", feeds.last_modified(revs))
        if path == "/techdaily/atom.xml":
            outlet = OUTLET_BY_KEY["techdaily"]
            revs = self._revisions(self.latest(ticks, outlet, FEED_SIZE), ticks)
            atom = feeds.render_atom(base, outlet, revs, start)
            return _xml(atom, "application/atom+xml", feeds.last_modified(revs) or start)
        if path == "/streamwatch/feed.json":
            outlet = OUTLET_BY_KEY["streamwatch"]
            revs = self._revisions(self.latest(ticks, outlet, FEED_SIZE), ticks)
            text = feeds.render_json_feed(base, outlet, revs)
            return Document(
                text.encode("utf-8"),
                "application/feed+json; charset=utf-8",
                feeds.last_modified(revs) or start,
            )
        if path == "/standards/news-sitemap.xml":
            return self._sitemap(base, ticks, start)
        if path.count("/") == 2 and path.endswith("/") and path[1:-1] in OUTLET_BY_KEY:
            return self._listing(base, OUTLET_BY_KEY[path[1:-1]], query, ticks)
        media = _MEDIA_PATH.match(path)
        if media or path == "/media/logo.svg":
            label = f"Demo Media Group #{media.group(1)}" if media else "Demo Media Group"
            return Document(templates.render_image(label).encode(), "image/svg+xml", start)
        return self._article(base, path, ticks)

    def _sitemap(self, base: str, ticks: int, start: datetime) -> Document:
        outlet = OUTLET_BY_KEY["standards"]
        now = datetime.fromtimestamp(self.timeline.start + ticks * self.timeline.interval, UTC)
        revs = [
            r
            for r in self._revisions(self.latest(ticks, outlet, 1000), ticks)
            if now - r.published <= SITEMAP_WINDOW
        ]
        text = feeds.render_news_sitemap(base, outlet, revs)
        return _xml(text, "application/xml", feeds.last_modified(revs) or start)

    def _listing(self, base: str, outlet: Outlet, query: str, ticks: int) -> Document | None:
        values = parse_qs(query).get("page", ["1"])
        if not values[0].isdigit() or int(values[0]) < 1:
            return None
        page = int(values[0])
        size = LISTING_PAGE_SIZE
        indices = self.latest(ticks, outlet, size + 1, skip=(page - 1) * size)
        if not indices and page > 1:
            return None
        revs = self._revisions(indices[:size], ticks)
        item_class = "press-item" if outlet.key == "pressroom" else "teaser"
        text = templates.render_listing(base, outlet, revs, page, len(indices) > size, item_class)
        return _html(text, outlet.charset, feeds.last_modified(revs))

    def _article(self, base: str, path: str, ticks: int) -> Document | None:
        match = _ARTICLE_PATH.match(path)
        if match is None or match.group(1) not in OUTLET_BY_KEY:
            return None
        index = int(match.group(5))
        published = index < self.timeline.count_at(ticks)
        if not published or self.timeline.outlet_of(index).key != match.group(1):
            return None
        rev = self.timeline.revision(index, ticks)
        if feeds.article_url(base, rev) != base + path:
            return None
        outlet = OUTLET_BY_KEY[match.group(1)]
        # the outlet's previous stories: the page stays the same until the article changes
        related = self._revisions(list(range(index - len(OUTLETS), -1, -len(OUTLETS)))[:4], ticks)
        text = templates.render_article(base, outlet, rev, related)
        return _html(text, outlet.charset, rev.modified)
