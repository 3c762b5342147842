"""`mimir init` and what every other command does on a database that is not ready."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import create_engine

from mimir.db.migrate import head_revision
from tests.cli.conftest import Mimir
from tests.e2e.newsite import NewsSite

NOT_READY = "error: the database is not initialised or not up to date: run `mimir init` first"


def test_init_creates_a_fresh_sqlite_database_and_is_idempotent(
    fresh: Mimir, tmp_path: Path
) -> None:
    path = tmp_path / "data" / "fresh.db"
    assert not path.exists()
    first = fresh.ok("init")
    assert path.is_file()
    assert first.stdout.startswith(f"Database ready: sqlite:///{path} (revision ")
    assert fresh.counts()["sources"] == 0

    fresh.ok("sources", "add", "https://example.com/feed.xml", "--kind", "feed", "--name", "Ex")
    second = fresh.ok("init")  # again: nothing changes, nothing is lost
    assert second.stdout == first.stdout
    assert [s["name"] for s in fresh.json("sources", "list")] == ["Ex"]
    assert fresh.ok("migrate").stdout == first.stdout  # the same thing under its deploy name


def test_init_on_an_already_migrated_database(mimir: Mimir) -> None:
    out = mimir.ok("init").stdout
    head = head_revision(create_engine("sqlite://"))
    assert out.startswith("Database ready: ") and f"(revision {head})" in out
    assert mimir.json("sources", "list") == []


def test_init_hides_the_password(fresh: Mimir) -> None:
    # a URL with a password is never printed back in clear (SQLite ignores it)
    fresh.database_url = fresh.database_url.replace("sqlite:///", "sqlite://user:s3cret@/")
    result = fresh("init")
    assert "s3cret" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("sources", "list"),
        ("sources", "show", "1"),
        ("sources", "add", "https://example.com/feed.xml", "--kind", "feed"),
        ("sources", "enable", "1"),
        ("sources", "remove", "1", "--yes"),
        ("sources", "export"),
        ("articles", "list"),
        ("articles", "show", "1"),
        ("articles", "export"),
        ("articles", "delete", "1"),
    ],
    ids=lambda a: "-".join(a[:2]),
)
def test_commands_refuse_an_uninitialised_database(fresh: Mimir, args: tuple[str, ...]) -> None:
    for entry in (False, True):  # click's standalone mode and the console script agree
        result = fresh.fails(2, *args, entry=entry)
        assert NOT_READY in result.stderr
        assert result.stdout == ""


@pytest.mark.parametrize("args", [("refresh", "--all"), ("worker",)], ids=str)
def test_top_level_commands_refuse_an_uninitialised_database(
    fresh: Mimir, args: tuple[str, ...]
) -> None:
    result = fresh.fails(2, *args, entry=True)
    assert NOT_READY in result.stderr and result.stdout == ""


def test_top_level_commands_fail_cleanly_in_standalone_mode(fresh: Mimir) -> None:
    result = fresh.fails(2, "refresh", "--all")
    assert NOT_READY in result.stderr


@pytest.mark.parametrize("command", ["init", "migrate"])
@pytest.mark.parametrize("entry", [False, True], ids=["standalone", "entry"])
def test_init_on_an_unreachable_postgresql_is_one_clear_line(command: str, entry: bool) -> None:
    m = Mimir("postgresql://mimir:hunter2@127.0.0.1:9/nowhere")  # port 9: discard, closed
    result = m.fails(2, command, entry=entry)
    assert result.stderr.startswith(
        "error: cannot use the database postgresql+psycopg://mimir:***@127.0.0.1:9/nowhere: "
    ), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
    assert "hunter2" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "url",
    ["postgresql+nodriver://mimir:hunter2@db/x", "sqlite+nodriver:///x.db"],
    ids=["unknown-postgresql-driver", "unknown-sqlite-driver"],
)
def test_init_with_an_unusable_database_url_is_one_clear_line(url: str) -> None:
    result = Mimir(url).fails(2, "init")
    assert result.stderr.startswith("error: cannot use the database "), result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "hunter2" not in result.stdout + result.stderr


def test_import_refuses_an_uninitialised_database_but_a_dry_run_works(
    fresh: Mimir, tmp_path: Path
) -> None:
    opml = Path(__file__).parents[1] / "importers" / "data" / "feedly_export.opml"
    assert NOT_READY in fresh.fails(2, "sources", "import", str(opml)).stderr
    assert (
        "sources found, 0 added (dry run)"
        in fresh.ok("sources", "import", str(opml), "--dry-run").stdout
    )


def test_an_unreachable_postgresql_is_a_clear_error(tmp_path: Path) -> None:
    m = Mimir("postgresql://mimir:hunter2@127.0.0.1:9/nowhere")  # port 9: discard, closed
    for args in (("sources", "list"), ("articles", "list")):
        result = m.fails(2, *args)
        assert result.stderr.startswith(
            "error: cannot use the database postgresql+psycopg://mimir:***@127.0.0.1:9/nowhere: "
        ), result.stderr
        assert "hunter2" not in result.stderr


def test_a_bad_setting_names_the_variable(mimir: Mimir) -> None:
    mimir.env["MIMIR_PER_HOST_INTERVAL_SECONDS"] = "-3"
    result = mimir.fails(2, "sources", "list")
    assert result.stderr.startswith("error: MIMIR_PER_HOST_INTERVAL_SECONDS: ")


def test_database_url_option_overrides_the_environment(
    fresh: Mimir, mimir: Mimir, site: NewsSite
) -> None:
    mimir.ok("sources", "add", site.feed_url(), "--name", "Here")
    # the environment names the uninitialised database, the option the ready one
    result = fresh.ok("--database-url", mimir.database_url, "sources", "list", "--json")
    assert '"name": "Here"' in result.stdout
