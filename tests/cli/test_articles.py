"""`mimir articles list / show / export / delete`."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from mimir.cli.articles import EXPORT_FIELDS
from tests.cli.conftest import Mimir
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

REQUIRED = {
    "id", "url", "canonical_url", "title", "text", "authors", "published_at", "language",
    "source_id", "source_name", "fetched_at",
}  # fmt: skip


@pytest.fixture
def stored(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> NewsSite:
    """Two sources: News (4 stories) then Other (2 stories), all fetched."""
    other = NewsSite(web, prefix="/other", counter=10)
    other.publish(2)
    mimir.ok("sources", "add", site.feed_url(), "--name", "News")
    mimir.ok("refresh", "News")
    mimir.ok("sources", "add", other.feed_url(), "--name", "Other")
    mimir.ok("refresh", "Other")
    return site


def test_list(mimir: Mimir, stored: NewsSite) -> None:
    lines = mimir.ok("articles", "list").stdout.splitlines()
    assert lines[0].split() == ["ID", "FOUND", "SOURCE", "LANG", "TITLE"]
    assert len(lines) == 7
    assert all(" News " in line or " Other " in line for line in lines[1:])
    rows = mimir.json("articles", "list")
    assert len(rows) == 6
    assert [r["source_name"] for r in rows[:2]] == ["Other", "Other"]  # newest first
    assert {r["title"] for r in rows if r["source_name"] == "News"} == {
        i.title for i in stored.items
    }
    assert "text" not in rows[0]  # listings stay light
    assert {"id", "url", "title", "language", "discovered_at", "source_id"} <= set(rows[0])


def test_list_filters(mimir: Mimir, stored: NewsSite) -> None:
    assert len(mimir.json("articles", "list", "--source", "News")) == 4
    assert len(mimir.json("articles", "list", "--source", "2")) == 2
    assert [r["id"] for r in mimir.json("articles", "list", "--limit", "2")] == [
        r["id"] for r in mimir.json("articles", "list")[:2]
    ]
    assert len(mimir.json("articles", "list", "--since", "24h")) == 6
    assert len(mimir.json("articles", "list", "--since", "7d", "--source", "Other")) == 2
    future = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    assert mimir.json("articles", "list", "--since", future) == []
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    assert len(mimir.json("articles", "list", "--since", past)) == 6


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "yesterday"], "use 24h, 7d or an ISO date"),
        (["--since", "99999999d"], "reaches too far back"),
        (["--limit", "0"], "0 is not in the range 1<=x<=10000"),
    ],
)
def test_list_bad_options(mimir: Mimir, args: list[str], message: str) -> None:
    result = mimir.fails(2, "articles", "list", *args)
    assert "Usage: " in result.stderr and message in result.stderr


def test_list_unknown_source(mimir: Mimir) -> None:
    assert mimir.fails(2, "articles", "list", "--source", "Nope").stderr == (
        "error: no source 'Nope'\n"
    )


def test_show_with_revisions(mimir: Mimir, stored: NewsSite) -> None:
    item = stored.items[1]
    [row] = [r for r in mimir.json("articles", "list") if r["title"] == item.title]
    out = mimir.ok("articles", "show", str(row["id"])).stdout
    assert f"            id: {row['id']}\n" in out
    assert f"         title: {item.title}\n" in out
    assert f" canonical_url: {stored.url(item)}\n" in out
    assert "       authors: ['Dana Reporter']\n" in out
    assert "      revision: 1\n" in out and "    deleted_at: None\n" in out
    assert item.body[0] in out
    assert "--- revision" not in out

    old_title = item.title
    stored.edit(item, "Update: two more transmitter sites were approved.", title="New title")
    assert mimir.json("refresh", "News")["revised_articles"] == 1
    data = mimir.json("articles", "show", str(row["id"]))
    assert (data["title"], data["revision"]) == ("New title", 2)
    assert "two more transmitter sites" in data["text"]
    assert [(r["revision"], r["title"]) for r in data["revisions"]] == [(1, old_title)]
    out = mimir.ok("articles", "show", str(row["id"])).stdout
    assert "--- revision 1 (fetched " in out and out.rstrip().endswith(old_title)


def test_show_unknown(mimir: Mimir) -> None:
    assert mimir.fails(2, "articles", "show", "999").stderr == "error: no article 999\n"
    assert "'x' is not a valid integer" in mimir.fails(2, "articles", "show", "x").stderr


def test_export_ndjson(mimir: Mimir, stored: NewsSite) -> None:
    result = mimir.ok("articles", "export", "--format", "ndjson")
    assert result.stderr.endswith("Exported 6 articles\n")
    lines = result.stdout.splitlines()
    assert len(lines) == 6
    rows = [json.loads(line) for line in lines]
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    for r in rows:
        assert set(r) >= REQUIRED, REQUIRED - set(r)
        assert r["authors"] == ["Dana Reporter"] and r["language"] == "en"
        assert r["source_name"] in ("News", "Other") and r["text"]
        assert datetime.fromisoformat(r["fetched_at"]).tzinfo is not None
        assert r["url"] == r["canonical_url"] and "utm_" not in r["url"]
    assert {r["title"] for r in rows if r["source_name"] == "News"} == {
        i.title for i in stored.items
    }
    # the default format, filtered
    only = mimir.ok("articles", "export", "--source", "Other").stdout.splitlines()
    assert [json.loads(x)["source_name"] for x in only] == ["Other", "Other"]


def test_export_csv_and_json_to_files(mimir: Mimir, stored: NewsSite, tmp_path: Path) -> None:
    result = mimir.ok("articles", "export", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode("utf-8"), newline="")))
    assert len(rows) == 6
    assert list(rows[0]) == EXPORT_FIELDS
    by_title = {r["title"]: r for r in rows}
    item = stored.items[0]
    r = by_title[item.title]
    assert r["authors"] == "Dana Reporter" and r["tags"] == "Broadcast; ATSC 3.0"
    assert r["source_name"] == "News" and r["canonical_url"] == stored.url(item)
    assert item.body[1] in r["text"]  # multi-line text survives the quoting

    target = tmp_path / "out" / "articles.csv"
    target.parent.mkdir()
    written = mimir.ok("articles", "export", "--format", "csv", "-o", str(target))
    assert written.stdout == "" and written.stderr.endswith("Exported 6 articles\n")
    assert target.read_bytes() == result.stdout_bytes

    as_json = tmp_path / "articles.json"
    mimir.ok("articles", "export", "--format", "json", "--output", str(as_json))
    data = json.loads(as_json.read_text(encoding="utf-8"))
    assert len(data) == 6 and set(data[0]) == set(EXPORT_FIELDS)


def test_export_of_nothing(mimir: Mimir) -> None:
    assert mimir.ok("articles", "export").stdout == ""
    assert mimir.ok("articles", "export", "--format", "json").stdout == "[]\n"
    header = mimir.ok("articles", "export", "--format", "csv").stdout_bytes
    assert header == (",".join(EXPORT_FIELDS) + "\r\n").encode()  # RFC 4180 line ends


def test_delete_is_for_good(mimir: Mimir, stored: NewsSite) -> None:
    item = stored.items[2]
    [row] = [r for r in mimir.json("articles", "list") if r["title"] == item.title]
    aid = str(row["id"])
    assert mimir.ok("articles", "delete", aid).stdout == f"Deleted {aid}\n"
    assert mimir.ok("articles", "delete", aid).stdout == f"Already deleted: {aid}\n"
    gone = mimir.json("articles", "show", aid)
    assert gone["deleted_at"] is not None and gone["text"] == "" and gone["revisions"] == []
    assert len(mimir.json("articles", "list")) == 5
    assert mimir.json("sources", "show", "News")["article_count"] == 3

    # the site edits it and the feed still lists it: it does not come back
    stored.edit(item, "An edit after deletion must not bring it back.")
    stored.publish(1)
    assert mimir.json("refresh", "--all")["new_articles"] == 1
    titles = [json.loads(x)["title"] for x in mimir.ok("articles", "export").stdout.splitlines()]
    assert item.title not in titles and len(titles) == 6

    result = mimir.fails(2, "articles", "delete", "9999", aid)
    assert result.stdout == f"Already deleted: {aid}\n"
    assert result.stderr == "error: no article 9999\n"
