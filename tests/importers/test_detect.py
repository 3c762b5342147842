"""parse_import chooses the importer by content."""

from __future__ import annotations

import pytest

from mimir.errors import InputError
from mimir.importers.detect import parse_import
from tests.importers.samples import sample

OPML = b'<opml version="1.0"><body><outline text="A" xmlUrl="https://a.example/f"/></body></opml>'
JSON = b'[{"name": "A", "url": "https://a.example/f", "type": "rss"}]'


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (OPML, "subscriptions.opml"),
        (OPML, "export.json"),  # content wins over the name
        (b"\n  " + OPML, ""),
        (b"\xef\xbb\xbf" + OPML, "x.opml"),
        (b'<?xml version="1.0" encoding="UTF-8"?>\n' + OPML, "feeds.xml"),
        (JSON, "sites.json"),
        (JSON, "sites.opml"),
        (b"\xef\xbb\xbf  " + JSON, ""),
        ('{"sites": []}'.encode("utf-16"), "sites.json"),
    ],
)
def test_detects_format(data: bytes, filename: str) -> None:
    report = parse_import(data, filename)
    assert [s.name for s in report.sources] in (["A"], [])


@pytest.mark.parametrize(
    ("name", "sources"),
    [
        ("sites_to_scrape.json", 7),
        ("broadcast_sources.json", 4),
        ("config.json", 0),
        ("feedly_export.opml", 9),
    ],
)
def test_samples(name: str, sources: int) -> None:
    assert len(parse_import(sample(name), name).sources) == sources


@pytest.mark.parametrize(
    ("data", "filename", "message"),
    [
        (b"", "x.json", "empty"),
        (b"   \n", "", "empty"),
        (b"name,url\nA,https://a.example/f\n", "sources.csv", "not OPML (XML) or a JSON"),
        (b"garbage", "sources.opml", "not well-formed XML"),
        (b"garbage", "sources.json", "invalid JSON at line 1, column 1"),
        (sample("malformed.opml"), "malformed.opml", "line 6"),
    ],
)
def test_rejects(data: bytes, filename: str, message: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_import(data, filename)
    assert message in caught.value.message
