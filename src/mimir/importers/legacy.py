"""Import the earlier product's JSON files (sources files and ``config.json``).

Accepted forms: a bare array of sites; an object with ``sites`` and/or ``sources`` plus
optional ``settings`` and ``filters``; a settings file (``config.json``); a single site object.

Mapping decisions:

- ``type``: ``rss`` -> feed; ``html``/``playwright`` -> listing (``playwright`` also sets
  ``js_required``: Mimir reads the page statically and warns); ``sitemap`` -> sitemap; no type
  -> listing when selectors are given, else feed (warned); anything else is skipped.
- ``rss_url`` always wins: the source becomes a feed of ``rss_url`` and ``url`` is kept as
  ``settings["homepage"]``. A feed is the cheaper, politer way to learn of new articles and
  Mimir fetches the article pages anyway; the selectors are kept (``detail_*`` still apply to
  the article pages) and the choice is reported.
- Selectors: dialect A's ``overview_article_link`` and ``detail_*`` map one to one. In dialects
  B and C every selector but the link is read *inside each article element of the listing
  page* (B has no detail scope at all, C says so), so ``title``/``date`` stay listing fields
  and ``content``/``content_selector`` become the listing ``summary``: full text comes from
  Mimir's own extraction of the article page, which beats a generic ``p``. C's ``author``
  becomes ``detail_author`` (no listing author field exists). Containers without a link
  selector get ``article_link = "a[href]"``.
- ``pagination`` -> ``next_page``/``max_pages`` (5 when unset) when enabled with a selector and
  not scroll-driven; otherwise kept unapplied. ``date_format`` -> ``Selectors.date_format``;
  ``filters.categories`` -> ``filter_categories``; ``rss_alternative`` -> ``fallback_url``;
  ``js_required``, ``playwright_settings``, ``robots_friendly`` kept in settings.
- ``enabled`` absent -> False, as in the old scraper.
- Unknown keys are kept in ``settings["legacy"]`` and listed in ``report.unknown_keys``;
  known values Mimir cannot apply are kept there too, with a warning.
- File ``settings`` -> ``report.file_settings``; the per-source article limit
  (``article_limit_per_source``, else ``article_limit_per_run``) also goes to each source.
  File ``filters`` and ``keywords_monitoring`` -> ``report.keyword_rules``.
- ``${ENV}`` placeholders in ``config.json`` are resolved from the environment, except secrets
  (``smtp_password``...), which are kept only as a ``${NAME}`` reference, never in plain text.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from mimir.errors import InputError
from mimir.importers.collector import Collector
from mimir.importers.legacy_config import (
    CONFIG_KEYS,
    apply_config,
    apply_file_settings,
    apply_filters,
)
from mimir.importers.legacy_sites import SiteDefaults, import_site
from mimir.model import ImportReport

_LIST_KEYS = ("sites", "sources")
_FILE_KEYS = frozenset({*_LIST_KEYS, "settings", "filters"})


def parse_legacy(
    data: bytes, filename: str = "", env: Mapping[str, str] | None = None
) -> ImportReport:
    """Sources, settings and keyword rules of a legacy JSON file; InputError if unreadable."""
    label = filename or "legacy JSON file"
    document = load_json(data, label)
    collector = Collector()
    if isinstance(document, list):
        _import_sites(document, collector, SiteDefaults())
    elif isinstance(document, dict):
        _import_object(document, collector, os.environ if env is None else env, label)
    else:
        raise InputError(f"{label}: expected a JSON array of sites or an object")
    if not collector.report.sources and not collector.report.skipped and isinstance(document, list):
        collector.warn(f"{label}: the file lists no sites")
    return collector.report


def load_json(data: bytes, label: str) -> Any:
    """Decoded JSON; InputError naming the line and column of a syntax error."""
    try:
        text = data.decode("utf-16") if data.startswith((b"\xff\xfe", b"\xfe\xff")) else None
        text = text if text is not None else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    text = text.lstrip("\ufeff")
    if not text.strip():
        raise InputError(f"{label}: the file is empty")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"{label}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None


def _import_object(
    document: dict[str, Any], collector: Collector, env: Mapping[str, str], label: str
) -> None:
    if "name" in document and "url" in document and not _FILE_KEYS & document.keys():
        _import_sites([document], collector, SiteDefaults())  # a single site
        return
    if not (_FILE_KEYS | CONFIG_KEYS) & document.keys():
        raise InputError(
            f"{label}: neither a sources file ('sites' or 'sources') nor a settings file "
            f"(keys: {', '.join(sorted(document)[:8]) or 'none'})"
        )
    defaults = SiteDefaults()
    if "settings" in document:
        defaults.article_limit_per_run = apply_file_settings(document["settings"], collector)
    if "filters" in document:
        apply_filters(document["filters"], collector)
    apply_config(document, collector, env)
    for key in _LIST_KEYS:
        if key in document:
            sites = document[key]
            if not isinstance(sites, list):
                raise InputError(f"{label}: {key!r} must be an array of sites")
            _import_sites(sites, collector, defaults)
    for key in sorted(document.keys() - _FILE_KEYS - CONFIG_KEYS):
        collector.report.file_settings.setdefault("legacy", {})[key] = document[key]
        collector.warn(f"{key}: unknown top-level key, kept in file_settings['legacy']")


def _import_sites(sites: list[Any], collector: Collector, defaults: SiteDefaults) -> None:
    for index, entry in enumerate(sites, start=1):
        import_site(entry, index, collector, defaults)
