"""The installed `mimir` console script, run as a real process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.conftest import BASE_ENV
from tests.conftest import IN_CI, _truncate
from tests.e2e.newsite import NewsSite
from tests.fixtureweb.server import FixtureWeb

MIMIR = Path(sys.executable).with_name("mimir")


def _env(database_url: str, extra: dict[str, str]) -> dict[str, str]:
    full = {k: v for k, v in os.environ.items() if not k.startswith("MIMIR_")}
    full |= {k: v for k, v in BASE_ENV.items() if v is not None}
    return full | {"MIMIR_DATABASE_URL": database_url, **extra}


def run(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [str(MIMIR), *args],
        env=_env(database_url, env),
        capture_output=True,
        timeout=60,
        check=False,
    )


def run_together(
    *calls: tuple[str, list[str]],
) -> list[subprocess.CompletedProcess[bytes]]:
    """Independent invocations at the same time (each pays the interpreter start-up)."""
    procs = [
        (args, subprocess.Popen(
            [str(MIMIR), *args], env=_env(url, {}), stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ))
        for url, args in calls
    ]  # fmt: skip
    out = []
    for args, proc in procs:
        stdout, stderr = proc.communicate(timeout=60)
        out.append(subprocess.CompletedProcess(args, proc.returncode, stdout, stderr))
    return out


def _databases(request: pytest.FixtureRequest, tmp_path: Path) -> list[str]:
    """A fresh SQLite path, and the emptied PostgreSQL database when there is one."""
    urls = [f"sqlite:///{tmp_path / 'flow.db'}"]
    try:
        pg = request.getfixturevalue("pg_url")
    except pytest.skip.Exception:
        if IN_CI:
            raise
        return urls
    _truncate(pg)
    return [*urls, pg]


@pytest.mark.skipif(not MIMIR.exists(), reason="the console script is not installed")
def test_init_add_refresh_export(
    request: pytest.FixtureRequest, tmp_path: Path, site: NewsSite
) -> None:
    """The same four commands on SQLite and PostgreSQL side by side (one start-up each)."""
    urls = _databases(request, tmp_path)

    def step(*args: str) -> list[subprocess.CompletedProcess[bytes]]:
        done = run_together(*((url, list(args)) for url in urls))
        for proc in done:
            assert proc.returncode == 0, (args, proc.stderr)
        return done

    for init in step("init"):
        assert init.stdout.startswith(b"Database ready: ")

    for add in step("sources", "add", site.web.url("/news/"), "--name", "News"):
        assert b"Added source #1 'News' (feed) " in add.stdout

    for refresh in step("refresh", "--all", "--json"):
        result = json.loads(refresh.stdout)
        assert result["new_articles"] == 4
        assert [(s["name"], s["outcome"], s["new_entries"]) for s in result["sources"]] == [
            ("News", "ok", 4)
        ]

    for export in step("articles", "export", "--format", "ndjson"):
        assert export.stderr.endswith(b"Exported 4 articles\n")
        rows = [json.loads(line) for line in export.stdout.decode("utf-8").splitlines()]
        assert {r["title"] for r in rows} == {i.title for i in site.items}
        assert {r["source_name"] for r in rows} == {"News"}


@pytest.mark.skipif(not MIMIR.exists(), reason="the console script is not installed")
def test_errors_exit_codes_and_utf8_export(tmp_path: Path, web: FixtureWeb) -> None:
    fresh, url = f"sqlite:///{tmp_path / 'fresh.db'}", f"sqlite:///{tmp_path / 'm.db'}"
    web.route("/nothing/", "<html><body><p>nothing</p></body></html>")
    # a full-content feed in German and Japanese, to be exported under an ASCII-only locale
    body = "Die Übertragung in 東京 beginnt morgen früh mit einem Testsignal. " * 6
    web.route(
        "/intl.xml",
        f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Intl</title>
<link>{web.url("/")}</link><description>d</description>
<item><title>Übertragung in 東京</title><link>{web.url("/intl/1")}</link><guid>i1</guid>
<description>{body}</description></item></channel></rss>""",
        content_type="application/rss+xml; charset=utf-8",
    )

    early, init = run_together((fresh, ["articles", "list"]), (url, ["init"]))
    # not initialised: a one-line message, exit 2, no traceback
    assert early.returncode == 2 and early.stdout == b""
    assert early.stderr == (
        b"error: the database is not initialised or not up to date: run `mimir init` first\n"
    )
    assert init.returncode == 0

    nothing, add = run_together(
        (url, ["sources", "add", web.url("/nothing/")]),
        (url, ["sources", "add", web.url("/intl.xml"), "--full-content", "--name", "Intl"]),
    )
    assert nothing.returncode == 2 and b"Traceback" not in nothing.stderr
    assert b"error: no feed, sitemap or listing found at " in nothing.stderr
    assert add.returncode == 0, add.stderr

    refresh = run(url, "refresh", "Intl")
    assert refresh.returncode == 0, refresh.stderr
    assert "+ Intl: Übertragung in 東京" in refresh.stdout.decode("utf-8")

    export = run(url, "articles", "export", PYTHONIOENCODING="ascii")
    assert export.returncode == 0, export.stderr
    [row] = [json.loads(x) for x in export.stdout.decode("utf-8").splitlines()]
    assert row["title"] == "Übertragung in 東京" and "früh" in row["text"]
    assert "Übertragung in 東京".encode() in export.stdout  # raw UTF-8, not \\u escapes
