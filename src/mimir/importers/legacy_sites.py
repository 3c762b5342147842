"""One site entry of the earlier product's sources files, as a ``SourceSpec``.

Selector mapping (see ``parse_legacy`` for the reasoning):

- dialect A: ``selectors.overview_article_link`` -> ``article_link``; ``detail_*`` -> ``detail_*``.
- dialect B: ``article_selector`` -> ``article_list``; ``title_selector`` -> ``title``;
  ``content_selector`` -> ``summary`` (all three read inside each article element of the
  listing page).
- dialect C: ``article_list``/``article_link``/``title``/``date`` keep their names;
  ``content`` -> ``summary`` (inside the container); ``author`` -> ``detail_author``.
- any dialect: Mimir's own names (``summary``, ``next_page``, ``detail_*``) are accepted;
  containers without a link selector get ``article_link = "a[href]"`` (the first link).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from mimir.importers.collector import Collector
from mimir.importers.values import as_bool, as_positive_int, as_str_list, as_text
from mimir.model import Selectors, SourceKind, SourceSpec
from mimir.process.urls import is_http_url

#: keys inside ``selectors`` -> Selectors field
SELECTOR_KEYS: dict[str, str] = {
    "overview_article_link": "article_link",
    "detail_title": "detail_title",
    "detail_date": "detail_date",
    "detail_content": "detail_content",
    "detail_author": "detail_author",
    "detail_summary": "detail_summary",
    "article_list": "article_list",
    "article_link": "article_link",
    "title": "title",
    "date": "date",
    "content": "summary",
    "author": "detail_author",
    "summary": "summary",
    "next_page": "next_page",
}
#: dialect B's flat keys -> Selectors field
FLAT_SELECTOR_KEYS: dict[str, str] = {
    "article_selector": "article_list",
    "title_selector": "title",
    "content_selector": "summary",
}
TYPES: dict[str, SourceKind] = {
    "rss": SourceKind.FEED,
    "atom": SourceKind.FEED,
    "feed": SourceKind.FEED,
    "html": SourceKind.LISTING,
    "playwright": SourceKind.LISTING,
    "sitemap": SourceKind.SITEMAP,
}
SITE_KEYS = frozenset(
    {"name", "url", "type", "enabled", "category", "note", "robots_friendly", "js_required",
     "rss_url", "rss_alternative", "date_format", "pagination", "playwright_settings",
     "filters", "selectors", *FLAT_SELECTOR_KEYS}
)  # fmt: skip
PAGINATION_KEYS = frozenset({"enabled", "next_page_selector", "max_pages", "type", "scroll_times"})
STATIC_PAGINATION_TYPES = frozenset({"", "click", "link", "next", "next_page", "url", "button"})
DEFAULT_LINK = "a[href]"
DEFAULT_MAX_PAGES = 5  # pagination enabled without max_pages
BROWSER_NOTE = "needs a browser; Mimir will read it as a static page"


@dataclass(slots=True)
class SiteDefaults:
    """File-level values applied to every site."""

    article_limit_per_run: int | None = None


class _Site:
    """The state of one entry while it is mapped."""

    def __init__(self, entry: dict[str, Any], name: str, collector: Collector) -> None:
        self.entry = entry
        self.name = name
        self.collector = collector
        self.settings: dict[str, Any] = {}
        self.legacy: dict[str, Any] = {}
        self.unknown: list[str] = []
        self.selectors: dict[str, Any] = {}

    def warn(self, message: str) -> None:
        self.collector.warn(f"{self.name!r}: {message}")

    def keep(self, key: str, value: Any, *, unknown: bool = False, sub: str | None = None) -> None:
        """Keep a value Mimir does not apply in ``settings['legacy']`` (unknown ones reported)."""
        if sub is None:
            self.legacy[key] = value
        else:
            self.legacy.setdefault(sub, {})[key] = value
        if unknown:
            self.unknown.append(key if sub is None else f"{sub}.{key}")

    def selector(self, field: str, value: Any, source_key: str, sub: str | None) -> None:
        text = as_text(value)
        if text is None:
            self.warn(f"selector {source_key!r} is not a non-empty string, kept unapplied")
            self.keep(source_key, value, sub=sub)
        elif field in self.selectors and self.selectors[field] != text:
            self.warn(
                f"{source_key!r} conflicts with another selector for {field!r}, kept unapplied"
            )
            self.keep(source_key, value, sub=sub)
        else:
            self.selectors[field] = text


def import_site(entry: Any, index: int, collector: Collector, defaults: SiteDefaults) -> None:
    """Map one entry and add it to ``collector`` (or record why it was skipped)."""
    label = f"entry {index}"
    if not isinstance(entry, dict):
        collector.skip(label, "not an object")
        return
    name = as_text(entry.get("name"))
    url = as_text(entry.get("url")) or as_text(entry.get("rss_url"))
    if name is None:
        collector.skip(f"{label} ({url})" if url else label, "missing name")
        return
    if url is None:
        collector.skip(name, "missing url")
        return
    site = _Site(entry, name, collector)
    kind = _kind(site)
    if kind is None:
        collector.skip(
            name, f"unknown type {entry.get('type')!r} (expected rss, html or playwright)"
        )
        return
    kind, url = _feed_or_listing(site, kind, url)
    if not is_http_url(url):
        collector.skip(name, f"invalid URL {url!r}: not an absolute http(s) URL")
        return
    enabled = as_bool(entry.get("enabled"), False)
    if enabled is None:
        site.warn(f"enabled={entry.get('enabled')!r} is not a boolean, imported disabled")
        site.keep("enabled", entry.get("enabled"))
    _map_keys(site)
    _finish_selectors(site, kind)
    if defaults.article_limit_per_run is not None:
        site.settings.setdefault("article_limit_per_run", defaults.article_limit_per_run)
    category, note = _text_field(site, "category"), _text_field(site, "note")
    if site.legacy:
        site.settings["legacy"] = site.legacy
    spec = SourceSpec(
        name=name,
        url=url,
        kind=kind,
        enabled=bool(enabled),
        category=category,
        note=note,
        settings=site.settings,
    )
    if collector.add(spec, name) and site.unknown:
        collector.report.unknown_keys[spec.name] = sorted(site.unknown)


def _kind(site: _Site) -> SourceKind | None:
    raw = site.entry.get("type")
    if raw is None:
        flat = any(k in site.entry for k in FLAT_SELECTOR_KEYS)
        guess = SourceKind.LISTING if flat or site.entry.get("selectors") else SourceKind.FEED
        if guess is SourceKind.LISTING or not site.entry.get("rss_url"):
            site.warn(f"no type given, read as a {guess.value}")
        return guess
    if not isinstance(raw, str):
        return None
    if raw.strip().lower() == "playwright":
        site.settings["js_required"] = True
        site.warn(BROWSER_NOTE)
    return TYPES.get(raw.strip().lower())


def _feed_or_listing(site: _Site, kind: SourceKind, url: str) -> tuple[SourceKind, str]:
    """Prefer ``rss_url`` as the source URL; the page URL is kept as ``homepage``."""
    rss_url = site.entry.get("rss_url")
    if rss_url is None:
        return kind, url
    feed = as_text(rss_url)
    if feed is None or not is_http_url(feed):
        site.warn(f"rss_url {rss_url!r} is not an http(s) URL, kept unapplied")
        site.keep("rss_url", rss_url)
        return kind, url
    page = as_text(site.entry.get("url"))
    if page and page != feed:
        if is_http_url(page):
            site.settings["homepage"] = page
        else:
            site.warn(f"url {page!r} is not an http(s) URL; the feed rss_url is used alone")
            site.keep("url", site.entry.get("url"))
    if kind is SourceKind.LISTING:
        site.warn("has a feed (rss_url) and a listing page: imported as the feed, selectors kept")
    return SourceKind.FEED, feed


def _map_keys(site: _Site) -> None:
    entry = site.entry
    for key, value in entry.items():
        if key in FLAT_SELECTOR_KEYS:
            site.selector(FLAT_SELECTOR_KEYS[key], value, key, None)
        elif key not in SITE_KEYS:
            site.keep(key, value, unknown=True)
    _map_selectors(site, entry.get("selectors"))
    _map_pagination(site, entry.get("pagination"))
    _map_filters(site, entry.get("filters"))
    if "date_format" in entry:
        site.selector("date_format", entry["date_format"], "date_format", None)
    if "robots_friendly" in entry:
        robots = as_bool(entry["robots_friendly"], False)
        if robots is None:
            site.keep("robots_friendly", entry["robots_friendly"])
        else:
            site.settings["robots_friendly"] = robots
    if "js_required" in entry:
        js = as_bool(entry["js_required"], False)
        if js is None:
            site.keep("js_required", entry["js_required"])
        elif js and not site.settings.get("js_required"):
            site.settings["js_required"] = True
            site.warn(BROWSER_NOTE)
        else:
            site.settings.setdefault("js_required", js)
    if "playwright_settings" in entry:
        site.settings["playwright_settings"] = entry["playwright_settings"]
    if "rss_alternative" in entry:
        fallback = as_text(entry["rss_alternative"])
        if fallback and is_http_url(fallback):
            site.settings["fallback_url"] = fallback
        else:
            site.warn(f"rss_alternative {entry['rss_alternative']!r} is not an http(s) URL")
            site.keep("rss_alternative", entry["rss_alternative"])


def _map_selectors(site: _Site, raw: Any) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        site.warn("selectors is not an object, kept unapplied")
        site.keep("selectors", raw)
        return
    for key, value in raw.items():
        if key in SELECTOR_KEYS:
            site.selector(SELECTOR_KEYS[key], value, key, "selectors")
        else:
            site.keep(key, value, unknown=True, sub="selectors")


def _map_pagination(site: _Site, raw: Any) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        site.warn("pagination is not an object, kept unapplied")
        site.keep("pagination", raw)
        return
    for key in sorted(set(raw) - PAGINATION_KEYS):
        site.unknown.append(f"pagination.{key}")
    selector = as_text(raw.get("next_page_selector"))
    mode = str(raw.get("type") or "").strip().lower()
    enabled = as_bool(raw.get("enabled"), selector is not None or bool(mode))
    if not enabled:
        site.keep("pagination", raw)  # switched off: kept as it was
        return
    if mode not in STATIC_PAGINATION_TYPES:
        site.warn(f"pagination by {mode!r} needs a browser; Mimir reads only the first page")
        site.keep("pagination", raw)
        return
    if selector is None:
        site.warn("pagination has no next_page_selector, kept unapplied")
        site.keep("pagination", raw)
        return
    site.selector("next_page", selector, "next_page_selector", "pagination")
    site.selectors["max_pages"] = as_positive_int(raw.get("max_pages")) or DEFAULT_MAX_PAGES
    applied = {"enabled", "next_page_selector", "max_pages"}
    extra = {k: v for k, v in raw.items() if k not in applied}
    if extra:
        site.legacy["pagination"] = extra


def _map_filters(site: _Site, raw: Any) -> None:
    if raw is None:
        return
    if not isinstance(raw, dict):
        site.keep("filters", raw, unknown=True)
        return
    for key, value in raw.items():
        if key == "categories":
            categories, bad = as_str_list(value)
            if categories:
                site.settings["filter_categories"] = categories
            if bad:
                site.warn(f"filters.categories: ignored non-text items {bad!r}")
        else:
            site.keep(key, value, unknown=True, sub="filters")


def _finish_selectors(site: _Site, kind: SourceKind) -> None:
    fields = site.selectors
    if fields.get("article_list") and not fields.get("article_link"):
        fields["article_link"] = DEFAULT_LINK
    if kind is SourceKind.LISTING and not fields.get("article_link"):
        site.warn("no listing selectors: set them before enabling this source")
    if any(k != "max_pages" for k in fields):
        site.settings["selectors"] = Selectors.from_dict(fields).to_dict()


def _text_field(site: _Site, key: str) -> str | None:
    value = site.entry.get(key)
    if value is None:
        return None
    text = as_text(value)
    if text is None:
        site.warn(f"{key} {value!r} is not text, kept unapplied")
        site.keep(key, value)
    return text
