"""Plain domain values shared by every layer (no I/O here)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class SourceKind(StrEnum):
    """What a source URL is read as."""

    FEED = "feed"  # RSS 0.9x/1.0/2.0, Atom 0.3/1.0, RDF, JSON Feed 1.x
    SITEMAP = "sitemap"  # sitemap, news sitemap, sitemap index
    LISTING = "listing"  # an HTML page read through CSS selectors


class Outcome(StrEnum):
    """How one check of a source ended (also the metric label set)."""

    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"
    ROBOTS_DENIED = "robots_denied"
    RATE_LIMITED = "rate_limited"
    OFFLINE = "offline"  # Mimir itself had no network: not counted against the source


@dataclass(frozen=True, slots=True)
class Selectors:
    """Per-source CSS selectors.

    Listing pages: ``article_list`` (containers, optional), ``article_link`` (the link, inside a
    container when ``article_list`` is set, else anywhere on the page), ``title``/``date``/
    ``summary`` inside a container, ``next_page`` and ``max_pages`` for pagination.
    Article pages: ``detail_*`` override what extraction found.
    """

    article_list: str | None = None
    article_link: str | None = None
    title: str | None = None
    date: str | None = None
    summary: str | None = None
    next_page: str | None = None
    max_pages: int = 1
    detail_title: str | None = None
    detail_date: str | None = None
    detail_content: str | None = None
    detail_author: str | None = None
    detail_summary: str | None = None
    date_format: str | None = None  # strptime format for listing/detail dates

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__ if getattr(self, k) not in (None,)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Selectors:
        if not data:
            return cls()
        known = {k: v for k, v in data.items() if k in cls.__slots__}
        return cls(**known)


@dataclass(frozen=True, slots=True)
class Entry:
    """One item a source lists: a feed entry, a sitemap URL or a listing-page link."""

    url: str
    guid: str | None = None
    title: str | None = None
    summary: str | None = None
    content_html: str | None = None  # full content when the feed carries it
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None  # timezone-aware UTC, sanity-checked
    updated_at: datetime | None = None
    tags: tuple[str, ...] = ()
    image: str | None = None
    language: str | None = None


@dataclass(frozen=True, slots=True)
class FeedHints:
    """Polling hints a document gives about itself."""

    ttl_seconds: int | None = None  # RSS <ttl>
    update_period_seconds: int | None = None  # sy:updatePeriod / sy:updateFrequency


@dataclass(slots=True)
class ParsedFeed:
    """What a feed, sitemap or listing page said."""

    format: str  # rss20, rss10, rss09x, atom10, atom03, jsonfeed10, jsonfeed11, sitemap, ...
    title: str | None = None
    link: str | None = None  # the site's home page
    language: str | None = None
    entries: list[Entry] = field(default_factory=list)
    hints: FeedHints = field(default_factory=FeedHints)
    next_urls: list[str] = field(default_factory=list)  # child sitemaps, next listing page
    warnings: list[str] = field(default_factory=list)  # recoverable problems (bozo, dropped items)


@dataclass(slots=True)
class ExtractedArticle:
    """What extraction found on an article page (every field optional but text)."""

    text: str
    html: str | None = None  # sanitized HTML for reading
    title: str | None = None
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None  # as the page states it (JSON-LD, meta, selectors)
    updated_at: datetime | None = None
    language: str | None = None
    image: str | None = None
    section: str | None = None
    tags: tuple[str, ...] = ()
    canonical_url: str | None = None
    description: str | None = None
    site_name: str | None = None
    #: a date found in the page's text and markup by heuristics (htmldate, through trafilatura)
    #: where the page states none: below the feed's own date, which is the publisher's
    published_guess: datetime | None = None
    #: the page states its publication day but no time of day (``published_at`` is then that
    #: day's midnight UTC): a feed's timestamp on the same day is the more precise one
    published_day_only: bool = False


@dataclass(slots=True)
class FetchResponse:
    """A completed HTTP exchange (bodies are bounded and decompressed)."""

    url: str  # the final URL after redirects
    status: int
    headers: dict[str, str]  # lower-cased names
    body: bytes
    requested_url: str = ""
    redirects: list[str] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    http_version: str = "HTTP/1.1"

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def etag(self) -> str | None:
        return self.headers.get("etag")

    @property
    def last_modified(self) -> str | None:
        return self.headers.get("last-modified")

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "").split(";")[0].strip().lower()

    def meta(self) -> dict[str, Any]:
        """The raw fetch metadata kept with an article."""
        keep = ("content-type", "etag", "last-modified", "content-language", "server", "date")
        return {
            "url": self.url,
            "requested_url": self.requested_url or self.url,
            "status": self.status,
            "redirects": list(self.redirects),
            "elapsed_seconds": round(self.elapsed_seconds, 4),
            "bytes": len(self.body),
            "http_version": self.http_version,
            "headers": {k: v for k, v in self.headers.items() if k in keep},
        }


@dataclass(slots=True)
class SourceSpec:
    """A source as a user or an import file describes it, before it is stored.

    ``settings`` keys understood by the engine (all optional):
    ``selectors`` (a Selectors dict), ``full_content`` (bool: the feed carries whole articles,
    do not fetch pages), ``min_interval_seconds``, ``max_interval_seconds``,
    ``fallback_url`` (a feed to try when the listing fails), ``filter_categories`` (list: keep
    only entries carrying one of these tags), ``respect_robots_txt`` (bool), ``js_required``
    (bool), ``article_limit_per_run`` (int), ``legacy`` (dict of unknown keys kept from an
    import).
    """

    name: str
    url: str
    kind: SourceKind = SourceKind.FEED
    enabled: bool = True
    category: str | None = None
    note: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ImportReport:
    """What an import produced: sources to create, and what could not be used, with reasons."""

    sources: list[SourceSpec] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (entry label, reason)
    unknown_keys: dict[str, list[str]] = field(default_factory=dict)  # source name -> keys kept
    warnings: list[str] = field(default_factory=list)
    # relevance rules and keyword alerts of the legacy product, kept for the watches feature
    keyword_rules: dict[str, Any] = field(default_factory=dict)
    file_settings: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Source:
    """A stored source with its schedule and health."""

    id: int
    name: str
    url: str
    kind: SourceKind
    enabled: bool
    host: str
    category: str | None = None
    note: str | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    status: str = "new"
    title: str | None = None
    site_url: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_full_fetch_at: datetime | None = None
    next_check_at: datetime | None = None
    interval_seconds: int | None = None
    consecutive_errors: int = 0
    last_error_class: str | None = None
    last_error_message: str | None = None
    last_checked_at: datetime | None = None
    last_success_at: datetime | None = None
    last_new_item_at: datetime | None = None
    publish_interval_seconds: float | None = None
    lease_owner: str | None = None
    lease_expires_at: datetime | None = None
    created_at: datetime | None = None
    total_checks: int = 0
    total_errors: int = 0
    article_count: int = 0

    @property
    def selectors(self) -> Selectors:
        return Selectors.from_dict(self.settings.get("selectors"))

    @property
    def full_content(self) -> bool:
        return bool(self.settings.get("full_content"))

    def to_spec(self) -> SourceSpec:
        return SourceSpec(
            name=self.name,
            url=self.url,
            kind=self.kind,
            enabled=self.enabled,
            category=self.category,
            note=self.note,
            settings=dict(self.settings),
        )


@dataclass(slots=True)
class ArticleJob:
    """A due article-page fetch (a row of the article queue)."""

    id: int
    source_id: int
    url: str
    url_hash: str
    entry: dict[str, Any]
    attempts: int = 0
    article_id: int | None = None  # set when the job re-checks a stored article for a revision
    lease_owner: str | None = None
    host: str = ""
