"""`mimir sources list / show / enable / disable / remove`."""

from __future__ import annotations

from tests.cli.conftest import Mimir
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb


def _three(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    mimir.ok("sources", "add", site.feed_url(), "--name", "Good", "--category", "trade_press")
    mimir.ok("sources", "add", web.url("/broken.xml"), "--kind", "feed", "--name", "Broken")
    mimir.ok("sources", "add", site.feed_url("atom"), "--name", "Quiet", "--disabled")
    web.route("/broken.xml", "oops", status=500, content_type="text/plain")


def test_list_table_and_json(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    assert mimir.ok("sources", "list").stdout.splitlines() == [
        "ID  NAME  KIND  ON  STATUS  ARTICLES  LAST CHECK  NEXT CHECK  ERROR"
    ]
    _three(mimir, site, web)
    mimir.ok("refresh", "--all")

    lines = mimir.ok("sources", "list").stdout.splitlines()
    assert lines[0].split() == [
        "ID", "NAME", "KIND", "ON", "STATUS", "ARTICLES", "LAST", "CHECK", "NEXT", "CHECK",
        "ERROR",
    ]  # fmt: skip
    rows = {line.split()[1]: line.split() for line in lines[1:]}
    assert rows["Good"][:6] == ["1", "Good", "feed", "yes", "ok", "4"]
    assert rows["Broken"][:6] == ["2", "Broken", "feed", "yes", "error", "0"]
    assert "http_500:" in lines[2]
    assert rows["Quiet"][:6] == ["3", "Quiet", "feed", "no", "new", "0"]
    assert rows["Quiet"][6:] == ["-", "-", "-"]  # never checked, not scheduled, no error

    listed = mimir.json("sources", "list")
    assert [(s["id"], s["name"], s["enabled"], s["article_count"]) for s in listed] == [
        (1, "Good", True, 4),
        (2, "Broken", True, 0),
        (3, "Quiet", False, 0),
    ]
    assert listed[0]["category"] == "trade_press" and listed[0]["total_checks"] == 1
    assert listed[1]["last_error_class"] == "http_500"
    assert listed[1]["consecutive_errors"] == 1 and listed[1]["total_errors"] == 1


def test_list_filters(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    _three(mimir, site, web)
    mimir.ok("refresh", "--all")

    def names(*args: str) -> list[str]:
        return [s["name"] for s in mimir.json("sources", "list", *args)]

    assert names("--failing") == ["Broken"]
    assert names("--enabled") == ["Good", "Broken"]
    assert names("--disabled") == ["Quiet"]
    assert names("--disabled", "--failing") == []
    table = mimir.ok("sources", "list", "--failing").stdout.splitlines()
    assert len(table) == 2 and table[1].split()[1] == "Broken"


def test_show_with_history(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    _three(mimir, site, web)
    mimir.ok("refresh", "Good")
    mimir.ok("refresh", "Good")  # nothing changed: 304
    data = mimir.json("sources", "show", "Good")
    assert (data["id"], data["name"], data["status"], data["article_count"]) == (
        1,
        "Good",
        "not_modified",
        4,
    )
    assert data["title"] == "Test Broadcast News" and data["total_checks"] == 2
    hist = data["history"]
    assert [(h["outcome"], h["status_code"], h["entries"], h["new_entries"]) for h in hist] == [
        ("not_modified", 304, 0, 0),
        ("ok", 200, 4, 4),
    ]  # newest first
    # by URL too, and as a table for people
    assert mimir.json("sources", "show", site.feed_url())["id"] == 1
    out = mimir.ok("sources", "show", "1").stdout
    assert "                name: Good" in out
    assert "            category: trade_press" in out
    assert "       article_count: 4" in out
    assert "Recent checks:" in out
    checks = out.split("Recent checks:")[1].strip().splitlines()
    assert checks[0].split() == ["WHEN", "OUTCOME", "STATUS", "ENTRIES", "NEW", "MS", "ERROR"]
    assert [c.split()[2:6] for c in checks[1:]] == [
        ["not_modified", "304", "0", "0"],
        ["ok", "200", "4", "4"],
    ]

    mimir.fails(1, "refresh", "Broken")  # its only source failed
    broken = mimir.json("sources", "show", "Broken")
    assert broken["history"][0]["outcome"] == "error"
    assert broken["history"][0]["status_code"] == 500
    assert "HTTP 500" in broken["history"][0]["message"]


def test_show_settings_and_unknown(mimir: Mimir, web: FixtureWeb) -> None:
    mimir.ok(
        "sources", "add", web.url("/p/"), "--kind", "listing", "--selector", "title=h2", "--name",
        "Press",
    )  # fmt: skip
    out = mimir.ok("sources", "show", "Press").stdout
    assert '            settings: {"selectors": {"title": "h2"}}' in out
    assert mimir.json("sources", "show", "Press")["history"] == []
    result = mimir.fails(2, "sources", "show", "Nope")
    assert "error: no source 'Nope'" in result.stderr
    assert "error: no source '42'" in mimir.fails(2, "sources", "show", "42").stderr


def test_enable_and_disable(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    _three(mimir, site, web)
    result = mimir.ok("sources", "disable", "Good", "2")
    assert result.stdout.splitlines() == ["Disabled #1 Good", "Disabled #2 Broken"]
    assert [s["name"] for s in mimir.json("sources", "list", "--enabled")] == []

    assert mimir.ok("sources", "enable", "Quiet").stdout == "Enabled #3 Quiet\n"
    quiet = mimir.json("sources", "show", "Quiet")
    assert quiet["enabled"] is True and quiet["next_check_at"] is not None
    assert [s["name"] for s in mimir.json("refresh", "--all")["sources"]] == ["Quiet"]

    # an unknown name changes nothing, even for the names before it
    result = mimir.fails(2, "sources", "enable", "Good", "Nope")
    assert "error: no source 'Nope'" in result.stderr and result.stdout == ""
    assert mimir.json("sources", "show", "Good")["enabled"] is False
    # no name at all is a usage error
    assert "Missing argument 'REFS...'" in mimir.fails(2, "sources", "enable").stderr


def test_remove(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    _three(mimir, site, web)
    mimir.ok("refresh", "Good")
    assert mimir.ok("sources", "remove", "Good", "--yes").stdout == "Removed #1 Good\n"
    assert [s["name"] for s in mimir.json("sources", "list")] == ["Broken", "Quiet"]
    # its articles stay, without a source; its history goes
    counts = mimir.counts()
    assert counts["articles"] == 4 and counts["fetch_log"] == 0
    assert {a["source_id"] for a in mimir.json("articles", "list")} == {None}
    assert "error: no source 'Good'" in mimir.fails(2, "sources", "remove", "Good", "--yes").stderr


def test_remove_asks_first(mimir: Mimir, site: NewsSite, web: FixtureWeb) -> None:
    _three(mimir, site, web)
    no = mimir.fails(1, "sources", "remove", "Broken", input="n\n")
    assert "Remove #2 Broken? [y/N]" in no.stdout and "Aborted" in no.stderr
    eof = mimir.fails(1, "sources", "remove", "Broken")  # no answer (a script without --yes)
    assert "Aborted" in eof.stderr
    assert len(mimir.json("sources", "list")) == 3
    yes = mimir.ok("sources", "remove", "Broken", "Quiet", input="y\ny\n")
    assert "Removed #2 Broken" in yes.stdout and "Removed #3 Quiet" in yes.stdout
    assert [s["name"] for s in mimir.json("sources", "list")] == ["Good"]
