"""`mimir refresh` (check sources now) and `mimir fetch` (a dry run that stores nothing)."""

from __future__ import annotations

import json

from tests.cli.conftest import Mimir
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


def test_refresh_one_source_by_name(mimir: Mimir, site: NewsSite) -> None:
    mimir.ok("sources", "add", site.feed_url(), "--name", "News")
    out = mimir.ok("refresh", "News").stdout.splitlines()
    new = [line for line in out if line.startswith("+ News: ")]
    assert sorted(new) == sorted(f"+ News: {i.title} [en]" for i in site.items)
    assert f"    {site.url(site.items[0])}" in out
    table = out[-3:]
    assert table[0].split() == ["ID", "SOURCE", "OUTCOME", "ENTRIES", "NEW", "NEXT", "CHECK",
                                "ERROR"]  # fmt: skip
    assert table[1].split()[:5] == ["1", "News", "ok", "4", "4"]
    assert table[2] == "1 sources checked, 4 new articles, 0 revisions, 0 failed."


def test_refresh_all_json_then_new_and_revised(mimir: Mimir, site: NewsSite) -> None:
    mimir.ok("sources", "add", site.feed_url("atom"), "--name", "Atom")
    first = mimir.json("refresh", "--all")
    assert (first["new_articles"], first["revised_articles"]) == (4, 0)
    [src] = first["sources"]
    assert (src["source_id"], src["name"], src["outcome"], src["entries"], src["new_entries"]) == (
        1,
        "Atom",
        "ok",
        4,
        4,
    )
    assert src["error_class"] is None and src["next_check_at"]

    second = mimir.json("refresh", "--all")
    assert second["sources"][0]["outcome"] == "not_modified"
    assert (second["new_articles"], second["revised_articles"]) == (0, 0)

    site.publish(1)
    site.edit(site.items[0], "Correction: the launch moved to March.")
    third = mimir.json("refresh", "Atom")
    assert (third["new_articles"], third["revised_articles"]) == (1, 1)
    assert third["sources"][0]["new_entries"] == 1 and third["sources"][0]["changed"] == 1
    assert len(mimir.json("articles", "list")) == 5


def test_refresh_by_id_url_and_several(mimir: Mimir, site: NewsSite) -> None:
    mimir.ok("sources", "add", site.feed_url(), "--name", "RSS")
    mimir.ok("sources", "add", site.feed_url("atom"), "--name", "Atom")
    data = mimir.json("refresh", "1", site.feed_url("atom"))
    assert sorted(s["name"] for s in data["sources"]) == ["Atom", "RSS"]
    assert data["new_articles"] == 4  # the same stories through two feeds, stored once


def test_refresh_needs_a_name_or_all(mimir: Mimir) -> None:
    result = mimir.fails(2, "refresh")
    assert "Usage: " in result.stderr
    assert "name one or more sources (id, name or URL), or use --all" in result.stderr


def test_refresh_of_an_unknown_source(mimir: Mimir) -> None:
    result = mimir.fails(2, "refresh", "Nope", entry=True)
    assert result.stderr == "error: no source 'Nope'\n"


def test_refresh_failures_show_and_exit_1_only_when_all_failed(
    mimir: Mimir, site: NewsSite, web: FixtureWeb
) -> None:
    web.route("/down.xml", "down", status=500, content_type="text/plain")
    mimir.ok("sources", "add", site.feed_url(), "--name", "Good")
    mimir.ok("sources", "add", web.url("/down.xml"), "--kind", "feed", "--name", "Down")

    mixed = mimir.ok("refresh", "--all")  # one failed, one did not: success
    assert "! Down: error http_500 " in mixed.stderr
    rows = {line.split()[1]: line for line in mixed.stdout.splitlines() if line[:1].isdigit()}
    assert rows["Down"].split()[2] == "error" and rows["Down"].rstrip().endswith("HTTP 500")
    assert rows["Good"].split()[2] == "ok"
    assert mixed.stdout.endswith("2 sources checked, 4 new articles, 0 revisions, 1 failed.\n")

    alone = mimir.fails(1, "refresh", "Down", "--json")
    data = json.loads(alone.stdout)
    assert [(s["name"], s["outcome"], s["error_class"]) for s in data["sources"]] == [
        ("Down", "error", "http_500")
    ]
    assert mimir.json("sources", "show", "Down")["consecutive_errors"] == 2


def test_refresh_all_with_nothing_to_do(mimir: Mimir) -> None:
    out = mimir.ok("refresh", "--all").stdout
    assert out.endswith("0 sources checked, 0 new articles, 0 revisions, 0 failed.\n")


def test_fetch_a_feed_stores_nothing(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    before = mimir.counts()
    out = mimir.ok("fetch", site.feed_url()).stdout
    lines = out.splitlines()
    assert lines[0] == f"{site.feed_url()}: feed rss20 Test Broadcast News"
    assert lines[1] == "4 entries:"
    newest = site.items[-1]
    assert lines[2] == f"  - {newest.title}  {site.url(newest)}"
    assert out.count("Title:     ") == 3  # --articles defaults to 3
    assert f"Title:     {newest.title}" in out
    assert "Authors:   Dana Reporter" in out and "Language:  en   Section: Technology" in out
    assert "Broadcasters in" in out or "Engineers in" in out
    assert web.hits("/news/feed.xml") == 1
    assert sum(web.hits(f"/news/{i.slug}/") for i in site.items) == 3
    # a dry run: not a single row anywhere
    assert mimir.counts() == before and set(before.values()) == {0}


def test_fetch_json_and_article_count(mimir: Mimir, site: NewsSite) -> None:
    data = mimir.json("fetch", site.feed_url("atom"), "--articles", "1")
    assert (data["kind"], data["format"], data["title"], data["error"]) == (
        "feed",
        "atom10",
        "Test Broadcast News (Atom)",
        None,
    )
    assert [e["url"] for e in data["entries"]] == [site.url(i) for i in reversed(site.items)]
    [art] = data["articles"]
    assert art["title"] == site.items[-1].title and art["authors"] == ["Dana Reporter"]
    assert art["extraction"] == "page" and art["language"] == "en"
    assert mimir.counts()["articles"] == 0


def test_fetch_page(mimir: Mimir, site: NewsSite) -> None:
    item = site.items[0]
    out = mimir.ok("fetch", site.url(item), "--page").stdout
    assert out.startswith(f"{site.url(item)}: page html {item.title}\n")
    assert f"URL:       {site.url(item)}" in out
    assert "Tags:      Broadcast, ATSC 3.0" in out
    assert "cookies" not in out and "All rights reserved" not in out
    data = mimir.json("fetch", site.url(item), "--page")
    assert data["entries"] == [] and len(data["articles"]) == 1
    assert data["articles"][0]["published_at"].startswith(item.published.date().isoformat())
    assert mimir.counts()["articles"] == 0


def test_fetch_errors_exit_1(mimir: Mimir, web: FixtureWeb) -> None:
    result = mimir.fails(1, "fetch", web.url("/misbehave/status?code=500"))
    assert "error: http_500: " in result.stderr
    data = mimir.fails(1, "fetch", web.url("/missing.xml"), "--json")
    assert '"error": "http_404: ' in data.stdout
