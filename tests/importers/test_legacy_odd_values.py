"""parse_legacy on values of the wrong shape: kept, warned about, never fatal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from mimir.importers.collector import Collector
from mimir.importers.legacy import parse_legacy
from mimir.model import ImportReport, SourceKind, SourceSpec

SITE = {"name": "S", "url": "https://e.com/news", "type": "html"}


def run(document: Any) -> ImportReport:
    return parse_legacy(json.dumps(document).encode(), env={})


@pytest.mark.parametrize(
    ("extra", "legacy", "warning"),
    [
        ({"selectors": "a.link"}, {"selectors": "a.link"}, "selectors is not an object"),
        ({"pagination": True}, {"pagination": True}, "pagination is not an object"),
        ({"robots_friendly": "sure"}, {"robots_friendly": "sure"}, None),
        ({"js_required": "perhaps"}, {"js_required": "perhaps"}, None),
        (
            {"pagination": {"enabled": True, "max_pages": 3}},
            {"pagination": {"enabled": True, "max_pages": 3}},
            "pagination has no next_page_selector",
        ),
        (
            {"note": 7, "filters": ["x"]},
            {"note": 7, "filters": ["x"]},
            "note 7 is not text",
        ),
    ],
)
def test_wrong_shapes_are_kept(
    extra: dict[str, Any], legacy: dict[str, Any], warning: str | None
) -> None:
    report = run([{**SITE, **extra}])
    (spec,) = report.sources
    assert spec.settings["legacy"] == legacy
    if warning:
        assert any(warning in w for w in report.warnings), report.warnings


def test_click_pagination_applies_and_keeps_its_type() -> None:
    report = run(
        [
            {
                **SITE,
                "selectors": {"article_link": "a"},
                "pagination": {"type": "click", "next_page_selector": "a.more", "max_pages": "4"},
            }
        ]
    )
    settings = report.sources[0].settings
    assert settings["selectors"] == {"article_link": "a", "next_page": "a.more", "max_pages": 4}
    assert settings["legacy"] == {"pagination": {"type": "click"}}


def test_js_required_true_on_a_static_type() -> None:
    report = run([{**SITE, "selectors": {"article_link": "a"}, "js_required": "yes"}])
    assert report.sources[0].settings["js_required"] is True
    assert report.warnings == ["'S': needs a browser; Mimir will read it as a static page"]


def test_rss_url_with_a_broken_page_url() -> None:
    report = run([{"name": "S", "type": "rss", "url": "not-a-url", "rss_url": "https://e.com/f"}])
    spec = report.sources[0]
    assert (spec.kind, spec.url) == (SourceKind.FEED, "https://e.com/f")
    assert spec.settings == {"legacy": {"url": "not-a-url"}}


@pytest.mark.parametrize(
    ("document", "warning"),
    [
        ({"settings": [1], "sites": []}, "settings: not an object"),
        ({"filters": "x", "sites": []}, "filters: not an object"),
        ({"keywords_monitoring": ["a"]}, "keywords_monitoring: not an object"),
        ({"notification_email": "a@b.c"}, "notification_email: not an object"),
        (
            {"keywords_monitoring": {"enabled": True, "keywords": ["a", 3, None]}},
            "ignored items that are not text: [3, None]",
        ),
    ],
)
def test_file_level_wrong_shapes(document: dict[str, Any], warning: str) -> None:
    report = run(document)
    assert any(warning in w for w in report.warnings), report.warnings


def test_keywords_monitoring_without_keywords_has_no_substring_warning() -> None:
    report = run({"keywords_monitoring": {"enabled": False}})
    assert report.keyword_rules == {
        "alerts": {"enabled": False, "keywords": [], "alert_on_match": False, "match": "words"}
    }
    assert report.warnings == []


def test_non_string_config_values_pass_through() -> None:
    report = run({"notification_email": {"smtp_port": 465, "send_email": "no", "token": None}})
    assert report.file_settings["notification_email"] == {"smtp_port": 465, "send_email": False}


def test_collector_ignores_unparseable_urls_for_duplicates() -> None:
    collector = Collector()
    assert collector.add(SourceSpec("A", "not a url"))
    assert collector.add(SourceSpec("B", "not a url"))
    assert [s.name for s in collector.report.sources] == ["A", "B"]
