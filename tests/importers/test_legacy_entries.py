"""parse_legacy: one behaviour per case, on small hand-built documents."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mimir.errors import InputError
from mimir.importers.legacy import parse_legacy
from mimir.model import ImportReport, SourceKind


def run(document: Any, env: dict[str, str] | None = None) -> ImportReport:
    return parse_legacy(json.dumps(document).encode(), "test.json", env=env or {})


def one(site: dict[str, Any]) -> ImportReport:
    report = run([site])
    assert len(report.sources) == 1, report
    return report


# The three examples of the reference document, verbatim.
DIALECT_A = {
    "name": "Example Press",
    "url": "https://example.com/press",
    "type": "html",
    "enabled": True,
    "selectors": {
        "overview_article_link": "article.post a.post-link",
        "detail_title": "h1.title",
        "detail_date": "time.date",
        "detail_content": "div.body",
        "detail_author": "span.author",
        "detail_summary": "p.lead",
    },
    "date_format": "%B %d, %Y",
    "pagination": {"enabled": True, "next_page_selector": "a.next", "max_pages": 5},
}
DIALECT_B = {
    "name": "Example Group",
    "url": "https://example.org/",
    "type": "html",
    "enabled": False,
    "article_selector": "article",
    "title_selector": "h1",
    "content_selector": "p",
}
DIALECT_C = {
    "name": "Example Standards Body",
    "url": "https://example.net/news/",
    "type": "html",
    "category": "standards",
    "enabled": True,
    "selectors": {
        "article_list": "article.post",
        "article_link": "h2 a",
        "title": "h2",
        "date": "time",
        "content": "div.entry-content",
        "author": ".byline",
    },
}


@pytest.mark.parametrize(
    ("site", "selectors"),
    [
        (
            DIALECT_A,
            {
                "article_link": "article.post a.post-link",
                "next_page": "a.next",
                "max_pages": 5,
                "detail_title": "h1.title",
                "detail_date": "time.date",
                "detail_content": "div.body",
                "detail_author": "span.author",
                "detail_summary": "p.lead",
                "date_format": "%B %d, %Y",
            },
        ),
        (
            DIALECT_B,
            {
                "article_list": "article",
                "article_link": "a[href]",
                "title": "h1",
                "summary": "p",
                "max_pages": 1,
            },
        ),
        (
            DIALECT_C,
            {
                "article_list": "article.post",
                "article_link": "h2 a",
                "title": "h2",
                "date": "time",
                "summary": "div.entry-content",
                "detail_author": ".byline",
                "max_pages": 1,
            },
        ),
    ],
    ids=["A", "B", "C"],
)
def test_reference_dialects(site: dict[str, Any], selectors: dict[str, Any]) -> None:
    report = one(site)
    spec = report.sources[0]
    assert spec.kind is SourceKind.LISTING
    assert spec.enabled is site["enabled"]
    assert spec.settings == {"selectors": selectors}
    assert report.unknown_keys == {} and report.skipped == [] and report.warnings == []


def test_all_dialects_mixed_in_one_file() -> None:
    report = run({"sites": [DIALECT_A, DIALECT_B, DIALECT_C]})
    assert [s.name for s in report.sources] == [
        "Example Press",
        "Example Group",
        "Example Standards Body",
    ]
    assert report.sources[2].category == "standards"


@pytest.mark.parametrize(
    ("site", "kind", "url", "settings"),
    [
        ({"type": "rss", "url": "https://e.com/feed"}, SourceKind.FEED, "https://e.com/feed", {}),
        ({"type": "RSS", "url": "https://e.com/feed"}, SourceKind.FEED, "https://e.com/feed", {}),
        (
            {"type": "rss", "url": "https://e.com/", "rss_url": "https://e.com/feed"},
            SourceKind.FEED,
            "https://e.com/feed",
            {"homepage": "https://e.com/"},
        ),
        (
            {"type": "html", "url": "https://e.com/", "rss_url": "https://e.com/rss"},
            SourceKind.FEED,
            "https://e.com/rss",
            {"homepage": "https://e.com/"},
        ),
        (
            {"type": "html", "url": "https://e.com/", "rss_url": "not a url"},
            SourceKind.LISTING,
            "https://e.com/",
            {"legacy": {"rss_url": "not a url"}},
        ),
        (
            {"type": "playwright", "url": "https://e.com/"},
            SourceKind.LISTING,
            "https://e.com/",
            {"js_required": True},
        ),
        (
            {"type": "sitemap", "url": "https://e.com/sitemap.xml"},
            SourceKind.SITEMAP,
            "https://e.com/sitemap.xml",
            {},
        ),
        ({"url": "https://e.com/feed"}, SourceKind.FEED, "https://e.com/feed", {}),
        (
            {"rss_url": "https://e.com/feed"},  # url missing, the feed alone is enough
            SourceKind.FEED,
            "https://e.com/feed",
            {},
        ),
        (
            {"url": "https://e.com/", "article_selector": "li.news"},
            SourceKind.LISTING,
            "https://e.com/",
            {
                "selectors": {
                    "article_list": "li.news",
                    "article_link": "a[href]",
                    "max_pages": 1,
                }
            },
        ),
    ],
)
def test_type_mapping(
    site: dict[str, Any], kind: SourceKind, url: str, settings: dict[str, Any]
) -> None:
    spec = one({"name": "S", **site}).sources[0]
    assert (spec.kind, spec.url, spec.settings) == (kind, url, settings)


@pytest.mark.parametrize(
    ("enabled", "expected"),
    [(None, False), (True, True), (False, False), ("true", True), ("no", False), (1, True)],
)
def test_enabled(enabled: Any, expected: bool) -> None:
    site: dict[str, Any] = {"name": "S", "url": "https://e.com/feed", "type": "rss"}
    if enabled is not None:
        site["enabled"] = enabled
    assert one(site).sources[0].enabled is expected


def test_unreadable_enabled_imports_disabled_and_warns() -> None:
    report = one({"name": "S", "url": "https://e.com/feed", "type": "rss", "enabled": "maybe"})
    assert report.sources[0].enabled is False
    assert report.sources[0].settings["legacy"] == {"enabled": "maybe"}
    assert any("not a boolean" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("site", "label", "reason"),
    [
        ({"url": "https://e.com/"}, "entry 1 (https://e.com/)", "missing name"),
        ({"name": "  ", "url": "https://e.com/"}, "entry 1 (https://e.com/)", "missing name"),
        ({"name": "S"}, "S", "missing url"),
        ({"name": "S", "url": ""}, "S", "missing url"),
        ({"name": "S", "url": 42}, "S", "missing url"),
        (
            {"name": "S", "url": "ftp://e.com/x"},
            "S",
            "invalid URL 'ftp://e.com/x': not an absolute http(s) URL",
        ),
        (
            {"name": "S", "url": "https://e.com/", "type": "api"},
            "S",
            "unknown type 'api' (expected rss, html or playwright)",
        ),
        (
            {"name": "S", "url": "https://e.com/", "type": 3},
            "S",
            "unknown type 3 (expected rss, html or playwright)",
        ),
    ],
)
def test_unusable_entries_are_skipped(site: dict[str, Any], label: str, reason: str) -> None:
    report = run([site, {"name": "Good", "url": "https://good.example/feed", "type": "rss"}])
    assert report.skipped == [(label, reason)]
    assert [s.name for s in report.sources] == ["Good"]


def test_non_object_entries_are_skipped() -> None:
    report = run([None, "https://e.com/feed", ["x"]])
    assert report.skipped == [
        ("entry 1", "not an object"),
        ("entry 2", "not an object"),
        ("entry 3", "not an object"),
    ]


def test_same_url_twice_is_skipped() -> None:
    report = run(
        [
            {"name": "One", "url": "https://e.com/feed/", "type": "rss"},
            {"name": "Two", "url": "http://E.com/feed?utm_source=x", "type": "rss"},
        ]
    )
    assert [s.name for s in report.sources] == ["One"]
    assert report.skipped == [("Two", "same URL as source 'One'")]


def test_names_are_deduplicated_case_insensitively() -> None:
    report = run(
        [
            {"name": "BBC", "url": "https://a.example/feed", "type": "rss"},
            {"name": "bbc", "url": "https://b.example/feed", "type": "rss"},
            {"name": "BBC", "url": "https://c.example/feed", "type": "rss"},
        ]
    )
    assert [s.name for s in report.sources] == ["BBC", "bbc (2)", "BBC (3)"]


def test_site_level_extras() -> None:
    report = one(
        {
            "name": "S",
            "url": "https://e.com/news",
            "type": "html",
            "selectors": {"overview_article_link": "a.more", "image": "img"},
            "rss_alternative": "https://e.com/feed",
            "robots_friendly": False,
            "js_required": False,
            "filters": {"categories": ["Tech", "tech", 5], "keywords": ["x"]},
            "pagination": {"enabled": True, "next_page_selector": "a.next", "pages": 2},
            "owner": "jane",
        }
    )
    spec = report.sources[0]
    assert spec.settings["fallback_url"] == "https://e.com/feed"
    assert spec.settings["robots_friendly"] is False
    assert spec.settings["js_required"] is False
    assert spec.settings["filter_categories"] == ["Tech"]
    assert spec.settings["selectors"]["next_page"] == "a.next"
    assert spec.settings["selectors"]["max_pages"] == 5  # enabled without max_pages
    assert spec.settings["legacy"] == {
        "selectors": {"image": "img"},
        "filters": {"keywords": ["x"]},
        "pagination": {"pages": 2},
        "owner": "jane",
    }
    assert report.unknown_keys == {
        "S": ["filters.keywords", "owner", "pagination.pages", "selectors.image"]
    }


def test_bad_values_are_kept_unapplied_with_warnings() -> None:
    report = one(
        {
            "name": "S",
            "url": "https://e.com/news",
            "type": "html",
            "category": ["a"],
            "selectors": {"overview_article_link": "", "detail_title": "h1", "title": "h2"},
            "title_selector": "h3",
            "rss_alternative": "nope",
        }
    )
    spec = report.sources[0]
    assert spec.category is None
    assert spec.settings["legacy"] == {
        "category": ["a"],
        "selectors": {"overview_article_link": "", "title": "h2"},
        "rss_alternative": "nope",
    }
    assert spec.settings["selectors"] == {"title": "h3", "detail_title": "h1", "max_pages": 1}
    assert any("no listing selectors" in w for w in report.warnings)
    assert any("conflicts with another selector" in w for w in report.warnings)


def test_single_site_object_and_sources_key() -> None:
    assert len(run({"name": "S", "url": "https://e.com/feed", "type": "rss"}).sources) == 1
    report = run({"sources": [{"name": "S", "url": "https://e.com/feed", "type": "rss"}]})
    assert [s.name for s in report.sources] == ["S"]


def test_article_limit_per_source_wins() -> None:
    report = run(
        {
            "settings": {"article_limit_per_run": 100, "article_limit_per_source": 10},
            "sites": [{"name": "S", "url": "https://e.com/feed", "type": "rss"}],
        }
    )
    assert report.sources[0].settings == {"article_limit_per_run": 10}


def test_file_level_unknowns_and_robots_off() -> None:
    report = run(
        {
            "settings": {"respect_robots_txt": False, "proxy": "http://p:3128"},
            "filters": {"keywords": {"must_have_one": ["a"], "maybe": ["b"]}, "regions": ["EU"]},
            "sites": [],
            "version": 2,
        }
    )
    assert report.file_settings == {
        "respect_robots_txt": False,
        "legacy": {"proxy": "http://p:3128", "version": 2},
    }
    assert report.keyword_rules == {
        "relevance": {"must_have_one": ["a"]},
        "legacy": {"keywords": {"maybe": ["b"]}, "regions": ["EU"]},
    }
    assert any("respect_robots_txt is false" in w for w in report.warnings)


@pytest.mark.parametrize(
    ("password", "stored", "warning"),
    [
        ("${SMTP_PASSWORD}", "${SMTP_PASSWORD}", "kept as the reference ${SMTP_PASSWORD}"),
        ("${SMTP_PASSWORD:-hunter2}", "${SMTP_PASSWORD}", "kept as the reference"),
        ("hunter2", None, "plain-text secret is not imported"),
    ],
)
def test_smtp_password_is_never_stored_in_plain_text(
    password: str, stored: str | None, warning: str
) -> None:
    report = run(
        {"notification_email": {"smtp_password": password, "smtp_port": "25"}},
        env={"SMTP_PASSWORD": "from-env"},
    )
    email = report.file_settings["notification_email"]
    assert email.get("smtp_password") == stored
    assert email["smtp_port"] == 25
    assert "hunter2" not in repr(report) and "from-env" not in repr(report)
    assert any(warning in w for w in report.warnings)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b'[{"name": "a",\n  "url": }]', "line 2, column 10"),
        (b"", "empty"),
        (b"  \n", "empty"),
        (b"\xff\xfe\x00\xd8", "not UTF-8"),
        (b'"just a string"', "expected a JSON array"),
        (b'{"hello": "world"}', "neither a sources file"),
        (b'{"sites": {"name": "x"}}', "'sites' must be an array"),
    ],
)
def test_unreadable_files(data: bytes, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_legacy(data, "sites.json")
    assert message in caught.value.message
    assert caught.value.message.startswith("sites.json")


def test_utf8_bom_and_empty_list() -> None:
    report = parse_legacy(b"\xef\xbb\xbf[]")
    assert report.sources == [] and report.warnings == ["legacy JSON file: the file lists no sites"]
