"""`mimir sources import` (OPML, the earlier product's JSON) and `sources export` (OPML)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from tests.cli.conftest import Mimir

DATA = Path(__file__).parents[1] / "importers" / "data"


def _specs(mimir: Mimir) -> set[tuple[Any, ...]]:
    return {
        (
            s["name"], s["url"], s["kind"], s["enabled"], s["category"], s["note"],
            json.dumps(s["settings"], sort_keys=True),
        )
        for s in mimir.json("sources", "list")
    }  # fmt: skip


def test_opml_import(mimir: Mimir) -> None:
    report = mimir.json("sources", "import", str(DATA / "feedly_export.opml"))
    assert report["found"] == 9 and report["dry_run"] is False
    assert len(report["added"]) == 9 and report["already_present"] == []
    assert report["skipped"] == [
        {"entry": "TechCrunch", "reason": "same URL as source 'TechCrunch'"},
        {"entry": "A saved link", "reason": "no xmlUrl: not a feed"},
        {
            "entry": "Broken",
            "reason": "invalid feed URL 'javascript:alert(1)': not an absolute http(s) URL",
        },
    ]
    by_name = {s["name"]: s for s in mimir.json("sources", "list")}
    assert len(by_name) == 9
    assert by_name["DVB"]["category"] == "Standards" and by_name["DVB"]["enabled"] is True
    assert by_name["Ars Technica"]["url"] == "http://feeds.arstechnica.com/arstechnica/index"
    assert by_name["Variety"]["category"] == "Trade press"
    assert by_name["TV Tech"]["settings"] == {"homepage": "https://www.tvtechnology.com"}


def test_a_name_another_source_has_is_numbered_not_skipped(mimir: Mimir, tmp_path: Path) -> None:
    """Feeds share titles ("News"): an imported feed named like a source already here, at
    another address, is added as "News (2)" and the report says so; the same address is
    skipped as present."""
    mimir.ok("sources", "add", "https://a.example/feed", "--name", "News", "--kind", "feed")
    opml = tmp_path / "more.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="News" type="rss" xmlUrl="https://b.example/feed"/>'
        '<outline text="Our news" type="rss" xmlUrl="https://a.example/feed"/>'
        "</body></opml>"
    )
    report = mimir.json("sources", "import", str(opml))
    assert report["added"] == ["News (2)"]
    assert report["warnings"] == ["'News': name already used, imported as 'News (2)'"]
    assert [p["name"] for p in report["already_present"]] == ["Our news"]
    assert {s["name"]: s["url"] for s in mimir.json("sources", "list")} == {
        "News": "https://a.example/feed",
        "News (2)": "https://b.example/feed",
    }


def test_legacy_sites_file_text_report(mimir: Mimir) -> None:
    out = mimir.ok("sources", "import", str(DATA / "sites_to_scrape.json")).stdout
    lines = out.splitlines()
    assert lines[0] == "sites_to_scrape.json: 7 sources found, 7 added"
    assert "  ! skipped NAB: missing url" in lines
    assert "  ! skipped entry 12: not an object" in lines
    assert (
        "  ? Harmonic Press: unknown keys kept in settings.legacy: last_scraped, max_articles"
        in lines
    )
    assert "  ? ATSC: unknown keys kept in settings.legacy: selectors.thumbnail" in lines
    assert "  warning: 'Variety': name already used, imported as 'Variety (2)'" in lines
    assert lines[-1] == (
        "  1 of the added sources are disabled (as in the file): `mimir sources enable NAME`."
    )
    by_name = {s["name"]: s for s in mimir.json("sources", "list")}
    assert set(by_name) == {
        "DVB News", "Harmonic Press", "Sky Media Centre", "ATSC", "Paramount Press", "Variety",
        "Variety (2)",
    }  # fmt: skip
    harmonic = by_name["Harmonic Press"]
    assert harmonic["kind"] == "listing" and harmonic["note"] == "press room, no feed"
    assert harmonic["settings"]["legacy"] == {
        "last_scraped": "2024-03-02T10:00:00",
        "max_articles": 20,
    }
    assert harmonic["settings"]["selectors"]["article_link"] == "div.news-item a.read-more"
    assert by_name["Sky Media Centre"]["enabled"] is False  # `enabled` absent: off, as before
    assert by_name["DVB News"]["url"] == "https://dvb.org/feed/"


def test_legacy_json_report(mimir: Mimir) -> None:
    report = mimir.json("sources", "import", str(DATA / "sites_to_scrape.json"))
    assert report["found"] == 7 and len(report["added"]) == 7
    assert [s["entry"] for s in report["skipped"]] == [
        "entry 8 (https://www.ebu.ch/news)", "NAB", "Broken URL", "Old API", "entry 12",
    ]  # fmt: skip
    assert report["skipped"][3]["reason"] == "unknown type 'api' (expected rss, html or playwright)"
    assert report["unknown_keys"] == {
        "Harmonic Press": ["last_scraped", "max_articles"],
        "ATSC": ["selectors.thumbnail"],
    }
    assert report["keyword_rules"] == {}

    # the object dialect with file-level settings and filters; then the same file again
    first = mimir.json("sources", "import", str(DATA / "broadcast_sources.json"))
    assert first["added"] == ["BroadbandTV News", "TV Technology", "BBC Media Centre",
                              "Example Group"]  # fmt: skip
    assert set(first["keyword_rules"]) == {"relevance", "announcement_types"}
    again = mimir.json("sources", "import", str(DATA / "broadcast_sources.json"))
    assert again["added"] == []
    assert [a["name"] for a in again["already_present"]] == first["added"]
    assert again["already_present"][0]["reason"].startswith(
        "source already exists: #8 'BroadbandTV News' (https://"
    )
    assert len(mimir.json("sources", "list")) == 11


def test_settings_file_brings_no_sources_but_its_keyword_alerts_become_watches(
    mimir: Mimir,
) -> None:
    out = mimir.ok("sources", "import", str(DATA / "config.json")).stdout
    assert out.startswith("config.json: 0 sources found, 0 added\n")
    assert "environment variable SMTP_SERVER is not set, placeholder kept" in out
    assert mimir.json("sources", "list") == []
    watches = {w["name"]: w for w in mimir.json("watches", "list")}
    assert watches["Keyword: ATSC 3.0"]["query"] == '"ATSC 3.0"'
    assert watches["Keyword: AI"]["query"] == "AI"  # a word now, not a substring
    assert all(w["mode"] == "instant" and w["enabled"] for w in watches.values())
    assert all(w["channels"] == ["E-mail (imported)"] for w in watches.values())
    [channel] = mimir.json("channels", "list")
    assert channel["kind"] == "apprise" and "SMTP_PASSWORD" not in channel["url"]
    again = mimir.json("sources", "import", str(DATA / "config.json"))
    assert (
        again["watches"]["added"] == []
        and len(again["watches"]["already_present"]) == len(watches) + 1
    )


def test_dry_run_stores_nothing(mimir: Mimir) -> None:
    report = mimir.json("sources", "import", str(DATA / "sites_to_scrape.json"), "--dry-run")
    assert report["dry_run"] is True and report["found"] == 7 and report["added"] == []
    assert len(report["skipped"]) == 5
    out = mimir.ok("sources", "import", str(DATA / "feedly_export.opml"), "--dry-run").stdout
    assert out.splitlines()[0] == "feedly_export.opml: 9 sources found, 0 added (dry run)"
    assert mimir.counts()["sources"] == 0


def test_enable_all(mimir: Mimir) -> None:
    mimir.ok("sources", "import", str(DATA / "broadcast_sources.json"), "--enable-all")
    assert all(s["enabled"] for s in mimir.json("sources", "list"))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.opml", "", "empty.opml: the file is empty"),
        ("notes.txt", "just some words", "notes.txt: not OPML (XML) or a JSON sources/settings"),
        ("malformed.opml", None, "OPML: not well-formed XML"),
        ("broken.json", "[{", "broken.json"),
    ],
)
def test_unusable_files(
    mimir: Mimir, tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        path.write_bytes((DATA / name).read_bytes())
    else:
        path.write_text(content)
    result = mimir.fails(2, "sources", "import", str(path))
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert mimir.counts()["sources"] == 0


def test_missing_file_is_a_usage_error(mimir: Mimir, tmp_path: Path) -> None:
    result = mimir.fails(2, "sources", "import", str(tmp_path / "nope.opml"))
    assert "does not exist" in result.stderr


def test_export_round_trips(mimir: Mimir, tmp_path: Path) -> None:
    mimir.ok("sources", "import", str(DATA / "sites_to_scrape.json"))
    mimir.ok("sources", "import", str(DATA / "broadcast_sources.json"))
    mimir.ok("sources", "add", "https://example.com/press/", "--kind", "sitemap", "--name", "SM")
    mimir.ok("sources", "disable", "SM")
    before = _specs(mimir)
    assert len(before) == 12

    out = tmp_path / "sources.opml"
    result = mimir.ok("sources", "export", "-o", str(out))
    assert result.stderr == f"Wrote 12 sources to {out}\n" and result.stdout == ""
    stdout = mimir.ok("sources", "export").stdout_bytes
    assert stdout == out.read_bytes()  # the same document either way
    root = etree.fromstring(stdout)
    assert root.tag == "opml" and root.get("version") == "2.0"
    feeds = {s[1] for s in before if s[2] == "feed"}
    assert {o.get("xmlUrl") for o in root.iter("outline") if o.get("xmlUrl")} == feeds
    assert len(feeds) == 5  # the feeds, for any reader; sitemaps and listings as links

    other = Mimir(f"sqlite:///{tmp_path / 'other.db'}")
    other.ok("init")
    report = other.json("sources", "import", str(out))
    assert len(report["added"]) == 12 and report["skipped"] == [] and report["warnings"] == []
    assert _specs(other) == before
