"""`mimir serve` as a real process: it listens, answers, keeps tokens out of its logs, and
stops cleanly (exit 0) on SIGTERM."""

from __future__ import annotations

import json
import os
import selectors
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from mimir.alerts.outfeeds import mint_feed_token
from mimir.api.redact import token_prefix
from tests.api.conftest import Scenario
from tests.cli.conftest import BASE_ENV

MIMIR = Path(sys.executable).with_name("mimir")


def _env(database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMIR_")}
    env |= {k: v for k, v in BASE_ENV.items() if v is not None}
    return env | {
        "MIMIR_DATABASE_URL": database_url,
        "MIMIR_LOG_LEVEL": "debug",  # every line there is, to check none carries a token
        "MIMIR_LOG_FORMAT": "json",
    }


def _first_line(proc: subprocess.Popen[bytes], timeout: float = 30) -> str:
    assert proc.stdout is not None
    with selectors.DefaultSelector() as sel:
        sel.register(proc.stdout, selectors.EVENT_READ)
        if not sel.select(timeout):
            raise AssertionError("mimir serve printed nothing")
    return proc.stdout.readline().decode()


@pytest.fixture
def served(db_url: str, scenario: Scenario) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    proc = subprocess.Popen(
        [str(MIMIR), "serve", "--host", "127.0.0.1", "--port", "0"],
        env=_env(db_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        line = _first_line(proc)
        assert line.startswith("Mimir is serving on http://127.0.0.1:"), line
        base = line.split(" on ", 1)[1].split(":", 2)
        url = ":".join(base[:2]) + ":" + base[2].split(":", 1)[0]
        deadline = time.monotonic() + 30
        while True:  # bound before the banner; accepting a moment later
            try:
                httpx.get(f"{url}/healthz", timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline and proc.poll() is None
                time.sleep(0.05)
        yield proc, url
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=30)


def test_serve_answers_and_stops_cleanly_on_sigterm(
    served: tuple[subprocess.Popen[bytes], str], scenario: Scenario, db_url: str
) -> None:
    proc, url = served
    # the token as users find it (docs/alerts.md), then the URL pattern the docs give
    listed = subprocess.run(
        [str(MIMIR), "watches", "list", "--json"],
        env=_env(db_url),
        capture_output=True,
        timeout=60,
        check=True,
    )
    tokens = {w["name"]: w["feed_token"] for w in json.loads(listed.stdout)}
    assert tokens["NextGen <TV> & co"] == scenario.token
    r = httpx.get(f"{url}/healthz", timeout=5)
    assert r.status_code == 200 and r.json() == {"status": "ok"}
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "server" not in r.headers  # no server banner
    assert httpx.get(f"{url}/readyz", timeout=10).status_code == 200
    feed = httpx.get(f"{url}/feeds/{scenario.token}.atom", timeout=10)
    assert feed.status_code == 200 and b"Brazil picks ATSC 3.0" in feed.content
    unknown = mint_feed_token()
    assert httpx.get(f"{url}/feeds/{unknown}.rss", timeout=10).status_code == 404
    again = httpx.get(
        f"{url}/feeds/{scenario.token}.atom", headers={"If-None-Match": feed.headers["etag"]}
    )
    assert again.status_code == 304

    proc.send_signal(signal.SIGTERM)
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err.decode()
    assert out.decode().rstrip().endswith("Stopped.")
    log = err.decode()
    # requests are logged, tokens only by their prefix
    assert '"event": "http_request"' in log and token_prefix(scenario.token) in log
    assert scenario.token not in log and unknown not in log
    assert "Traceback" not in log


def test_serve_refuses_a_port_in_use(db_url: str) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [str(MIMIR), "serve", "--port", str(port)],
            env=_env(db_url),
            capture_output=True,
            timeout=60,
            check=False,
        )
    assert done.returncode == 2, done.stderr.decode()
    assert f"error: cannot listen on 127.0.0.1:{port}" in done.stderr.decode()
    assert b"Traceback" not in done.stderr
