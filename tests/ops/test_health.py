"""/readyz with Redis (configured: PING with a short timeout) and `mimir healthcheck`'s exit
codes against real servers."""

from __future__ import annotations

import http.server
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from mimir.api.app import create_app
from mimir.db.database import Database
from tests.api.conftest import TestClient
from tests.conftest import IN_CI, make_settings

REDIS_URL = os.environ.get("MIMIR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def redis_url() -> str:
    host, port = REDIS_URL.split("//")[1].split("/")[0].split(":")
    try:
        socket.create_connection((host, int(port)), timeout=1).close()
    except OSError as exc:
        if IN_CI:
            pytest.fail(f"Redis is required in CI and not reachable at {REDIS_URL}: {exc}")
        pytest.skip(f"Redis not reachable: {exc}")
    return REDIS_URL


def test_ready_with_redis_answering(sqlite_settings, redis_url: str) -> None:  # type: ignore[no-untyped-def]
    settings = sqlite_settings.model_copy(update={"redis_url": redis_url})
    with TestClient(create_app(settings)) as client:
        r = client.get("/readyz")
        assert r.status_code == 200, r.text
        assert r.json() == {"status": "ok", "checks": {"database": "ok", "redis": "ok"}}


def test_not_ready_when_redis_is_on_a_wrong_port(sqlite_settings) -> None:  # type: ignore[no-untyped-def]
    port = _free_port()  # nothing listens there: refused at once
    url = f"redis://:secret-password@127.0.0.1:{port}/0"
    settings = sqlite_settings.model_copy(update={"redis_url": url})
    with TestClient(create_app(settings)) as client:
        assert client.get("/healthz").status_code == 200  # alive: no dependencies
        started = time.monotonic()
        r = client.get("/readyz")
        assert time.monotonic() - started < 5
        assert r.status_code == 503
        detail = r.json()["detail"]
        assert detail.startswith(f"Redis is unreachable at 127.0.0.1:{port}: ")
        assert "ConnectionError" in detail and "secret-password" not in r.text


def test_not_ready_when_redis_does_not_answer(sqlite_settings) -> None:  # type: ignore[no-untyped-def]
    """A port that accepts and never answers (a black hole): the probe gives up in time."""
    hole = socket.socket()
    hole.bind(("127.0.0.1", 0))
    hole.listen(8)
    try:
        url = f"redis://127.0.0.1:{hole.getsockname()[1]}/0"
        settings = sqlite_settings.model_copy(update={"redis_url": url})
        with TestClient(create_app(settings)) as client:
            started = time.monotonic()
            r = client.get("/readyz")
            assert time.monotonic() - started < 5
            assert r.status_code == 503 and "Redis is unreachable" in r.json()["detail"]
    finally:
        hole.close()


# ---- mimir healthcheck ------------------------------------------------------------------------


def _healthcheck(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "mimir.cli.main", "healthcheck", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[dict[str, str], int]]:
    """`mimir serve` on a migrated SQLite database (a real process), with a wrong Redis port,
    so it is alive but not ready."""
    url = f"sqlite:///{tmp_path / 'mimir.db'}"
    env = {
        **os.environ,
        "MIMIR_DATABASE_URL": url,
        "MIMIR_LOG_FORMAT": "json",
        "MIMIR_REDIS_URL": f"redis://127.0.0.1:{_free_port()}/0",
    }
    subprocess.run(
        [sys.executable, "-m", "mimir.cli.main", "migrate"],
        env=env,
        check=True,
        capture_output=True,
    )
    port = _free_port()
    env["MIMIR_HTTP_PORT"] = str(port)
    proc = subprocess.Popen(
        [sys.executable, "-m", "mimir.cli.main", "serve"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                break
            except OSError:
                assert proc.poll() is None, "mimir serve exited"
                assert time.monotonic() < deadline, "mimir serve did not listen"
                time.sleep(0.1)
        yield env, port
    finally:
        proc.terminate()
        proc.wait(30)


def test_healthcheck_exit_codes_against_mimir_serve(served: tuple[dict[str, str], int]) -> None:
    env, port = served
    alive = _healthcheck(env)
    assert alive.returncode == 0, alive.stderr
    assert f"http://127.0.0.1:{port}/healthz" in alive.stdout
    ready = _healthcheck(env, "--ready")  # Redis on a wrong port: not ready
    assert ready.returncode == 1
    assert "/readyz answered 503" in ready.stderr and "Redis is unreachable" in ready.stderr
    by_url = _healthcheck(env, "--url", f"http://127.0.0.1:{port}")
    assert by_url.returncode == 0
    full = _healthcheck(env, "--url", f"http://127.0.0.1:{port}/healthz")
    assert full.returncode == 0
    ready_ok = _healthcheck({**env, "MIMIR_REDIS_URL": ""}, "--ready")
    assert ready_ok.returncode == 1  # the server's own settings decide, not the checker's


def test_healthcheck_fails_fast_when_nothing_listens() -> None:
    env = {**os.environ, "MIMIR_HTTP_PORT": str(_free_port())}
    started = time.monotonic()
    out = _healthcheck(env, "--timeout", "2")
    assert out.returncode == 1 and "unhealthy" in out.stderr and "refused" in out.stderr
    assert time.monotonic() - started < 10


class _Metrics(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        ok = self.path == "/metrics"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"mimir_news_build_info 1\n" if ok else b"")

    def log_message(self, *_args: object) -> None:
        return


def test_healthcheck_of_a_worker_asks_its_metrics_port() -> None:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Metrics)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        port = server.server_address[1]
        env = {**os.environ, "MIMIR_METRICS_PORT": str(port)}
        out = _healthcheck(env, "--worker")
        assert out.returncode == 0, out.stderr
        assert f"http://127.0.0.1:{port}/metrics" in out.stdout
        assert _healthcheck(env, "--url", f"http://127.0.0.1:{port}/metrics").returncode == 0
        off = _healthcheck({**env, "MIMIR_METRICS_PORT": "0"}, "--worker")
        assert off.returncode == 1 and "MIMIR_METRICS_PORT is 0" in off.stderr
    finally:
        server.shutdown()
        server.server_close()
    gone = _healthcheck({**os.environ, "MIMIR_METRICS_PORT": str(port)}, "--worker")
    assert gone.returncode == 1


def test_readyz_database_checks_still_come_first(tmp_path: Path) -> None:
    """A database that is not migrated is the reason given, Redis or not."""
    settings = make_settings(f"sqlite:///{tmp_path / 'fresh.db'}", redis_url=REDIS_URL)
    db = Database(settings)
    try:
        with TestClient(create_app(settings, db=db)) as client:
            r = client.get("/readyz")
            assert r.status_code == 503 and "mimir migrate" in r.json()["detail"]
    finally:
        db.close()
