"""The built-in default sources."""

from __future__ import annotations

import pytest

from mimir.importers.defaults import default_sources
from mimir.model import Selectors, SourceKind
from mimir.process.urls import is_http_url, url_key

EXPECTED = {
    "broadcaster": ["NBCUniversal", "Disney", "Warner Bros. Discovery", "Paramount",
                    "BBC Media Centre", "Sky", "RTL Group", "ProSiebenSat.1"],
    "standards": ["ATSC", "DVB", "SMPTE", "EBU", "NAB"],
    "trade_press": ["TV Technology", "Broadcasting & Cable", "Broadcast (UK)", "Digital TV Europe",
                    "BroadbandTV News", "Variety", "The Hollywood Reporter", "Deadline",
                    "C21Media", "TBI Vision"],
    "vendor": ["Harmonic", "MediaKind", "Grass Valley", "Imagine Communications"],
    "technology": ["BBC News Technology", "Ars Technica", "The Verge", "TechCrunch", "Engadget"],
}  # fmt: skip
KNOWN_FEEDS = {
    "DVB news": "https://dvb.org/feed/",
    "BroadbandTV News": "https://www.broadbandtvnews.com/feed/",
    "Variety": "https://variety.com/feed/",
    "Deadline": "https://deadline.com/feed/",
    "The Hollywood Reporter": "https://www.hollywoodreporter.com/feed/",
    "The Verge": "https://www.theverge.com/rss/index.xml",
    "Ars Technica": "https://feeds.arstechnica.com/arstechnica/index",
    "TechCrunch": "https://techcrunch.com/feed/",
    "Engadget": "https://www.engadget.com/rss.xml",
    "BBC News Technology": "https://feeds.bbci.co.uk/news/technology/rss.xml",
    "TV Technology": "https://www.tvtechnology.com/feeds/all",
    "Broadcasting & Cable (Next TV)": "https://www.nexttv.com/feeds/all",
}


def test_every_named_source_is_there_in_its_category() -> None:
    sources = default_sources()
    assert len(sources) == sum(len(v) for v in EXPECTED.values()) == 32
    for category, names in EXPECTED.items():
        in_category = [s.name for s in sources if s.category == category]
        assert len(in_category) == len(names), category
        for name in names:
            assert any(name in got for got in in_category), (category, name)


def test_all_disabled_valid_and_unique() -> None:
    sources = default_sources()
    assert not any(s.enabled for s in sources)
    assert all(is_http_url(s.url) and s.url.startswith("https://") for s in sources)
    assert len({s.name for s in sources}) == len(sources)
    assert len({url_key(s.url) for s in sources}) == len(sources)
    assert all(s.note for s in sources)


def test_known_feeds() -> None:
    by_name = {s.name: s for s in default_sources()}
    for name, url in KNOWN_FEEDS.items():
        assert (by_name[name].kind, by_name[name].url) == (SourceKind.FEED, url)


@pytest.mark.parametrize("spec", [s for s in default_sources() if s.kind is SourceKind.LISTING],
                         ids=lambda s: s.name)  # fmt: skip
def test_listing_defaults_have_selectors_to_check(spec: object) -> None:
    from mimir.model import SourceSpec

    assert isinstance(spec, SourceSpec)
    selectors = Selectors.from_dict(spec.settings["selectors"])
    assert selectors.article_link and selectors.article_list
    assert spec.note and "check" in spec.note


def test_fresh_objects_on_every_call() -> None:
    first = default_sources()
    first[0].settings["x"] = 1
    first[0].enabled = True
    assert "x" not in default_sources()[0].settings
    assert default_sources()[0].enabled is False
