"""parse_legacy over realistic files of the earlier product."""

from __future__ import annotations

from typing import Any

import pytest

from mimir.importers.legacy import parse_legacy
from mimir.model import ImportReport, SourceKind, SourceSpec
from tests.importers.samples import sample

ENV = {
    "SMTP_SERVER": "smtp.example.com",
    "SMTP_USER": "alerts@example.com",
    "SMTP_PASSWORD": "s3cret!",
}


def by_name(report: ImportReport) -> dict[str, SourceSpec]:
    return {s.name: s for s in report.sources}


@pytest.fixture(scope="module")
def sites() -> ImportReport:
    return parse_legacy(sample("sites_to_scrape.json"), "sites_to_scrape.json")


def test_sites_counts(sites: ImportReport) -> None:
    assert len(sites.sources) == 7
    assert len(sites.skipped) == 5
    assert sites.keyword_rules == {} and sites.file_settings == {}


def test_sites_skipped_with_reasons(sites: ImportReport) -> None:
    assert sites.skipped == [
        ("entry 8 (https://www.ebu.ch/news)", "missing name"),
        ("NAB", "missing url"),
        ("Broken URL", "invalid URL 'www.example.com/news': not an absolute http(s) URL"),
        ("Old API", "unknown type 'api' (expected rss, html or playwright)"),
        ("entry 12", "not an object"),
    ]


def test_sites_unknown_keys_kept_and_reported(sites: ImportReport) -> None:
    assert sites.unknown_keys == {
        "Harmonic Press": ["last_scraped", "max_articles"],
        "ATSC": ["selectors.thumbnail"],
    }
    legacy = by_name(sites)["Harmonic Press"].settings["legacy"]
    assert legacy == {"last_scraped": "2024-03-02T10:00:00", "max_articles": 20}
    atsc = by_name(sites)["ATSC"].settings["legacy"]
    assert atsc == {"selectors": {"thumbnail": "img.wp-post-image"}}


def test_rss_with_rss_url_reads_the_feed(sites: ImportReport) -> None:
    dvb = by_name(sites)["DVB News"]
    assert (dvb.kind, dvb.url, dvb.enabled, dvb.category) == (
        SourceKind.FEED,
        "https://dvb.org/feed/",
        True,
        "standards",
    )
    assert dvb.settings == {
        "homepage": "https://dvb.org/news/",
        "filter_categories": ["Press Release", "DVB-I"],
        "robots_friendly": True,
    }


def test_dialect_a(sites: ImportReport) -> None:
    harmonic = by_name(sites)["Harmonic Press"]
    assert harmonic.kind is SourceKind.LISTING and harmonic.note == "press room, no feed"
    assert harmonic.settings["selectors"] == {
        "article_link": "div.news-item a.read-more",
        "next_page": "a.next",
        "max_pages": 3,
        "detail_title": "h1.page-title",
        "detail_date": "span.date",
        "detail_content": "div.article-body",
        "detail_author": "span.author",
        "detail_summary": "p.lead",
        "date_format": "%B %d, %Y",
    }


def test_dialect_b(sites: ImportReport) -> None:
    sky = by_name(sites)["Sky Media Centre"]
    assert sky.kind is SourceKind.LISTING
    assert sky.enabled is False  # "enabled" absent
    assert sky.settings == {
        "selectors": {
            "article_list": "article.card",
            "article_link": "a[href]",
            "title": "h3",
            "summary": "p.card__summary",
            "max_pages": 1,
        }
    }


def test_dialect_c(sites: ImportReport) -> None:
    atsc = by_name(sites)["ATSC"]
    assert atsc.settings["selectors"] == {
        "article_list": "article.post",
        "article_link": "h2 a",
        "title": "h2",
        "date": "time",
        "summary": "div.entry-content",
        "detail_author": ".byline",
        "max_pages": 1,
    }
    assert atsc.settings["fallback_url"] == "https://www.atsc.org/feed/"


def test_playwright_site_is_read_statically(sites: ImportReport) -> None:
    paramount = by_name(sites)["Paramount Press"]
    assert paramount.kind is SourceKind.LISTING
    assert paramount.settings["js_required"] is True
    assert paramount.settings["playwright_settings"]["wait_for_selector"] == "div.press-list"
    assert paramount.settings["legacy"]["pagination"]["type"] == "scroll"
    assert "next_page" not in paramount.settings["selectors"]
    assert "'Paramount Press': needs a browser; Mimir will read it as a static page" in (
        sites.warnings
    )
    assert any("pagination by 'scroll' needs a browser" in w for w in sites.warnings)


def test_duplicate_names_are_renamed(sites: ImportReport) -> None:
    names = [s.name for s in sites.sources]
    assert names.count("Variety") == 1 and "Variety (2)" in names
    assert by_name(sites)["Variety (2)"].url == "https://variety.com/v/tv/feed/"


@pytest.fixture(scope="module")
def broadcast() -> ImportReport:
    return parse_legacy(sample("broadcast_sources.json"), "broadcast_sources.json")


def test_object_form_with_settings_and_filters(broadcast: ImportReport) -> None:
    assert [s.name for s in broadcast.sources] == [
        "BroadbandTV News",
        "TV Technology",
        "BBC Media Centre",
        "Example Group",
    ]
    assert broadcast.skipped == [] and broadcast.unknown_keys == {}
    assert broadcast.file_settings == {
        "article_limit_per_run": 50,
        "enable_smart_extraction": True,
        "respect_robots_txt": True,
        "user_agent": "Mozilla/5.0 (compatible; BroadcastNewsBot/1.0)",
    }
    assert all(s.settings["article_limit_per_run"] == 50 for s in broadcast.sources)


def test_file_filters_become_keyword_rules(broadcast: ImportReport) -> None:
    rules = broadcast.keyword_rules
    assert rules["relevance"] == {
        "must_have_one": ["broadcast", "streaming", "OTT", "ATSC 3.0", "DVB"],  # deduplicated
        "exclude": ["celebrity", "recipe"],
        "boost": ["merger", "acquisition", "partnership", "launch", "standard"],
    }
    assert len(rules["announcement_types"]) == 8
    assert rules["announcement_types"][0] == "technology_partnership"


def test_html_with_rss_url_prefers_the_feed(broadcast: ImportReport) -> None:
    tvt = broadcast.sources[1]
    assert (tvt.kind, tvt.url) == (SourceKind.FEED, "https://www.tvtechnology.com/feeds/all")
    assert tvt.settings["homepage"] == "https://www.tvtechnology.com/"
    assert tvt.settings["selectors"]["detail_content"] == "div#article-body"
    assert any("imported as the feed, selectors kept" in w for w in broadcast.warnings)


def test_disabled_pagination_is_kept_unapplied(broadcast: ImportReport) -> None:
    bbc = broadcast.sources[2]
    assert bbc.settings["selectors"]["max_pages"] == 1
    assert "next_page" not in bbc.settings["selectors"]
    assert bbc.settings["legacy"]["pagination"]["enabled"] is False


def test_settings_file_resolves_environment() -> None:
    report = parse_legacy(sample("config.json"), "config.json", env=ENV)
    assert report.sources == [] and report.skipped == []
    settings: dict[str, Any] = report.file_settings
    assert settings["user_agent"].startswith("Mozilla/5.0 (compatible; MediaMonitor/2.1")
    assert settings["default_request_delay_seconds"] == 2
    assert (settings["max_retries"], settings["retry_delay_seconds"]) == (3, 5)
    assert settings["database_name"] == "news_monitor.db"
    assert settings["notification_email"] == {
        "send_email": True,
        "smtp_server": "smtp.example.com",
        "smtp_port": 587,  # ${SMTP_PORT:-587} with SMTP_PORT unset
        "smtp_user": "alerts@example.com",
        "smtp_password": "${SMTP_PASSWORD}",
        "recipient_email": "newsdesk@example.com",
    }
    assert "s3cret!" not in repr(report)
    assert report.keyword_rules == {
        "alerts": {
            "enabled": True,
            "keywords": ["ATSC 3.0", "NextGen TV", "DVB-I", "5G Broadcast", "AI"],
            "alert_on_match": True,
            "match": "words",
        }
    }
    assert any("matched substrings" in w for w in report.warnings)
    assert any("${SMTP_PASSWORD}" in w for w in report.warnings)


def test_settings_file_with_unset_variables_keeps_placeholders() -> None:
    report = parse_legacy(sample("config.json"), "config.json", env={})
    email = report.file_settings["notification_email"]
    assert email["smtp_server"] == "${SMTP_SERVER}"
    assert any("SMTP_SERVER is not set" in w for w in report.warnings)


def test_settings_file_uses_os_environ_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SMTP_SERVER", "mail.from-environ.example")
    report = parse_legacy(sample("config.json"), "config.json")
    assert report.file_settings["notification_email"]["smtp_server"] == (
        "mail.from-environ.example"
    )
