"""`mimir search QUERY`: through the real command, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import create_engine

from mimir.cli.common import now
from tests.cli.conftest import Mimir
from tests.search.helpers import Art, Src, add_articles, add_sources


def _corpus(db_url: str) -> list[int]:
    at = now()
    engine = create_engine(db_url)
    try:
        with engine.begin() as conn:
            sids = add_sources(conn, [Src("TV Tech", "tvtech.example", "Broadcast")])
            return add_articles(
                conn,
                [
                    Art("ATSC 3.0 launch in Denver", "Stations deploy NextGen TV.",
                        discovered_at=at - timedelta(days=3)),
                    Art("Café news", "The ATSC 3.0 rollout reached Zürich.",
                        discovered_at=at - timedelta(days=1)),
                    Art("Sports", "Nothing about broadcasting.", discovered_at=at),
                ],
                sids,
            )  # fmt: skip
    finally:
        engine.dispose()


def test_search_json_pages_and_orders(db_url: str) -> None:
    launch, cafe, _ = _corpus(db_url)
    mimir = Mimir(db_url)
    out = mimir.json("search", '"atsc 3.0"')
    assert out["query"] == '"atsc 3.0"' and out["order"] == "newest"
    assert [h["id"] for h in out["hits"]] == [cafe, launch]
    assert out["next_cursor"] is None
    hit = out["hits"][1]
    assert hit["title"] == "ATSC 3.0 launch in Denver"
    assert hit["source_name"] == "TV Tech #0"
    assert hit["title_highlights"] == [[0, 8]]
    assert hit["snippet"] == "Stations deploy NextGen TV."
    assert hit["url"].startswith("https://example.org/a/")
    first = mimir.json("search", "atsc", "--limit", "1")
    assert [h["id"] for h in first["hits"]] == [cafe] and first["next_cursor"]
    second = mimir.json("search", "atsc", "--limit", "1", "--cursor", first["next_cursor"])
    assert [h["id"] for h in second["hits"]] == [launch]
    ranked = mimir.json("search", "title:atsc OR cafe", "--order", "relevance")
    assert ranked["order"] == "relevance" and {h["id"] for h in ranked["hits"]} == {launch, cafe}


def test_search_for_people(db_url: str) -> None:
    launch, _, _ = _corpus(db_url)
    result = Mimir(db_url).ok("search", "denver")
    lines = result.stdout.splitlines()
    assert lines[0].split()[0] == str(launch)
    assert "TV Tech #0" in lines[0] and "ATSC 3.0 launch in Denver" in lines[0]
    assert lines[1].strip() == "Stations deploy NextGen TV."
    assert lines[2].strip().startswith("https://example.org/a/")
    nothing = Mimir(db_url).ok("search", "zebra")
    assert nothing.stdout == "" and "No articles match." in nothing.stderr


def test_search_errors_point_at_the_problem(db_url: str) -> None:
    mimir = Mimir(db_url)
    bad = mimir.fails(2, "search", "launch AND (atsc OR")
    assert "error: 'OR' needs a term after it (at position 19)" in bad.stderr
    assert "  launch AND (atsc OR\n" in bad.stderr
    assert "                     ^" in bad.stderr
    assert "invalid cursor" in mimir.fails(2, "search", "a", "--cursor", "x").stderr
    assert "Invalid value for '--order'" in mimir.fails(2, "search", "a", "--order", "x").stderr
    # the console script's own error path
    entry = mimir.fails(2, "search", "titel:x", entry=True)
    assert "unknown field 'titel:'" in entry.stderr


def test_search_needs_an_initialised_database(fresh: Mimir) -> None:
    assert "mimir init" in fresh.fails(2, "search", "anything").stderr
