"""The quick start for real: `mimir run --demo` and `mimir run` as processes, stopped by SIGINT."""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

import feedparser
import httpx
import pytest

MIMIR = Path(sys.executable).with_name("mimir")
NEW_ARTICLE = re.compile(r"^\+ (?P<source>[^:]+): (?P<title>.+)$")
STOPPED = re.compile(r"^Stopped: (\d+) new articles, (\d+) revisions this run\.$")


def _env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The caller's environment without any MIMIR_* setting, the data in `data_dir`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MIMIR_")}
    base = {"MIMIR_DATA_DIR": str(data_dir), "MIMIR_LOG_FORMAT": "json", "MIMIR_HTTP_PORT": "0"}
    return env | base | extra


class Running:
    """`mimir ARGS` as a process; its stdout lines read in a thread, stderr kept in a file."""

    def __init__(self, args: list[str], env: dict[str, str], stderr_path: Path) -> None:
        self.lines: list[str] = []
        self.stderr_path = stderr_path
        self._stderr = stderr_path.open("wb")
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen(
            [str(MIMIR), *args],
            env=env,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            encoding="utf-8",
            start_new_session=True,  # a Ctrl-C at the test's terminal is not sent to it
        )
        assert self.proc.stdout is not None
        self._reader = threading.Thread(target=self._read, args=(self.proc.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def read_until(self, done: Any, timeout: float) -> None:
        """Collect stdout lines until `done(lines)` is true; fail with the output on timeout."""
        deadline = time.monotonic() + timeout
        while not done(self.lines):
            left = deadline - time.monotonic()
            try:
                line = self._queue.get(timeout=max(0.0, left))
            except queue.Empty:
                pytest.fail(f"timed out after {timeout} s:\n{self.output()}")
            if line is None:
                pytest.fail(f"mimir exited early ({self.proc.wait()}):\n{self.output()}")
            self.lines.append(line)

    def interrupt(self, timeout: float) -> int:
        """SIGINT, as Ctrl-C; then the exit code, and every remaining stdout line read."""
        self.proc.send_signal(signal.SIGINT)
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still running {timeout} s after SIGINT:\n{self.output()}")
        self._reader.join(timeout=10)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is None:
                break
            self.lines.append(line)
        return code

    def stderr(self) -> str:
        self._stderr.flush()
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def output(self) -> str:
        return "--- stdout\n" + "\n".join(self.lines) + "\n--- stderr\n" + self.stderr()[-5000:]

    def close(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self._reader.join(timeout=10)
        if self.proc.stdout is not None:
            self.proc.stdout.close()
        self._stderr.close()


@pytest.fixture
def start(tmp_path: Path) -> Iterator[Any]:
    started: list[Running] = []

    def go(*args: str, **env: str) -> Running:
        running = Running(list(args), _env(tmp_path, **env), tmp_path / f"stderr{len(started)}")
        started.append(running)
        return running

    yield go
    for running in started:
        running.close()


def mimir_json(tmp_path: Path, *args: str) -> Any:
    database = f"sqlite:///{tmp_path / args[0]}"
    done = subprocess.run(
        [str(MIMIR), *args[1:], "--json"],
        env=_env(tmp_path, MIMIR_DATABASE_URL=database),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)


def export(tmp_path: Path, db_name: str) -> list[dict[str, Any]]:
    done = subprocess.run(
        [str(MIMIR), "articles", "export", "--format", "ndjson"],
        env=_env(tmp_path, MIMIR_DATABASE_URL=f"sqlite:///{tmp_path / db_name}"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def _errors(stderr: str) -> list[str]:
    """Log lines at error level or worse, and anything that is not a JSON log line."""
    bad = []
    for line in stderr.splitlines():
        try:
            event = json.loads(line)
        except ValueError:
            bad.append(line)
            continue
        if event.get("level") in ("error", "critical", "exception"):
            bad.append(line)
    return bad


def test_demo_run_follows_the_bundled_site_and_stops_on_sigint(start: Any, tmp_path: Path) -> None:
    mimir = start("run", "--demo", "--demo-port", "0")

    def enough(lines: list[str]) -> bool:
        found = [m for line in lines if (m := NEW_ARTICLE.match(line))]
        return len(found) >= 5 and len({m["source"] for m in found}) >= 3

    mimir.read_until(enough, timeout=90)
    # the HTTP side runs next to the worker: probes, and the demo watch's output feed
    banner = r"Web UI on (http://[^/ ]+)/ ; API on "
    http = next(m for line in mimir.lines if (m := re.match(banner, line)))
    assert httpx.get(f"{http[1]}/healthz", timeout=10).status_code == 200
    mimir.read_until(lambda lines: any("★" in x for x in lines), timeout=60)
    [watch] = mimir_json(tmp_path, "demo.db", "watches", "list")
    feed = httpx.get(f"{http[1]}/feeds/{watch['feed_token']}.atom", timeout=10)
    assert feed.status_code == 200 and feed.headers["content-type"].startswith("application/atom")
    entries = feedparser.parse(feed.content).entries
    assert entries and all(e.link.startswith("http://127.0.0.1:") for e in entries)
    assert mimir.interrupt(timeout=30) == 0, mimir.output()

    site = re.fullmatch(r"Demo news site running at (http://127\.0\.0\.1:(\d+))", mimir.lines[0])
    assert site is not None and int(site[2]) > 0, mimir.output()
    assert mimir.lines[1].startswith(
        f"Mimir is running on sqlite:///{tmp_path / 'demo.db'}: 5 of 5 sources enabled."
    ), mimir.output()
    new = [m for line in mimir.lines if (m := NEW_ARTICLE.match(line))]
    sources = {m["source"] for m in new}
    assert len(sources) >= 3 and all(s.startswith("Demo ") for s in sources), sources
    # every article line is followed by its URL, on the demo site
    for i, line in enumerate(mimir.lines):
        if NEW_ARTICLE.match(line):
            assert mimir.lines[i + 1].startswith(f"    {site[1]}/"), mimir.output()
    stopped = STOPPED.match(mimir.lines[-1])
    assert stopped is not None, mimir.output()
    assert int(stopped[1]) == len(new)
    assert not any(line.startswith("!") for line in mimir.lines)  # no failing source
    assert _errors(mimir.stderr()) == [], mimir.output()
    # the console's lines are the report: no info-level log line says each article again
    assert "article_job_done" not in mimir.stderr() and "source_checked" not in mimir.stderr()

    stored = export(tmp_path, "demo.db")
    by_url = {a["url"]: a for a in stored}
    assert len(stored) >= len(new)
    urls = [mimir.lines[i + 1].strip() for i, line in enumerate(mimir.lines) if line[:2] == "+ "]
    for url in urls:
        article = by_url[url]
        assert article["title"] and article["source_name"] in sources
        assert article["extraction"] == "page"
        assert len(article["text"]) > 200, article
    listed = mimir_json(tmp_path, "demo.db", "articles", "list", "--limit", "1000")
    assert {a["url"] for a in listed} == set(by_url)


def test_run_without_demo_adds_the_default_sources_disabled_and_fetches_nothing(
    start: Any, tmp_path: Path
) -> None:
    mimir = start("run")
    mimir.read_until(lambda lines: any("Mimir is running" in x for x in lines), timeout=60)
    assert mimir.interrupt(timeout=30) == 0, mimir.output()

    assert mimir.lines[0].startswith("Added the media/broadcast-industry default sources")
    running = re.match(
        rf"Mimir is running on sqlite:///{re.escape(str(tmp_path / 'mimir.db'))}: "
        r"0 of (\d+) sources enabled\.",
        mimir.lines[1],
    )
    assert running is not None, mimir.output()
    assert mimir.lines[-1] == "Stopped: 0 new articles, 0 revisions this run."
    assert _errors(mimir.stderr()) == [], mimir.output()

    sources = mimir_json(tmp_path, "mimir.db", "sources", "list")
    assert len(sources) == int(running[1]) > 0
    assert all(not s["enabled"] for s in sources)
    assert all(s["last_checked_at"] is None and s["total_checks"] == 0 for s in sources)
    assert mimir_json(tmp_path, "mimir.db", "articles", "list") == []
    assert not (tmp_path / "demo.db").exists()


def test_a_stop_sent_to_the_whole_process_group_is_graceful(start: Any, tmp_path: Path) -> None:
    """systemd's stop (KillMode=control-group), `timeout` and `kill -TERM -PGID` send SIGTERM
    to every process of the group at once, the extraction processes too: they leave their
    stop to the parent, which closes the pool after the worker's last batch. They used to
    die first ("extract_process_died" warnings, the pages in hand failed)."""
    mimir = start("run", "--demo", "--demo-port", "0", MIMIR_LOG_LEVEL="info")
    mimir.read_until(lambda lines: sum(1 for x in lines if NEW_ARTICLE.match(x)) >= 3, 90)
    assert "article_job_done" in mimir.stderr()  # asked for: the info lines are back
    os.killpg(mimir.proc.pid, signal.SIGTERM)
    try:
        code = mimir.proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        pytest.fail(f"still running 30 s after SIGTERM:\n{mimir.output()}")
    assert code == 0, mimir.output()
    assert "extract_process_died" not in mimir.stderr(), mimir.output()
    assert _errors(mimir.stderr()) == [], mimir.output()
