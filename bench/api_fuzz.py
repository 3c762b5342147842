"""Schemathesis against the running API: no 5xx, no answer that breaks the OpenAPI document.

Builds a throw-away SQLite store (a few hundred generated articles, a source, a watch, a
channel, users and an admin API key), starts ``mimir serve`` on a free port, and runs
``st run`` over ``/api/v1/openapi.json`` with the checks that matter here: no server error,
status codes, content types, headers and bodies as documented. Operations that reach the
network (discovery, test fetches, refreshes, test notifications) are left out: the fuzzer's
random URLs would be looked up in DNS; their input validation has its own tests.

    python -m bench.api_fuzz                     # the long form: 200 examples per operation
    python -m bench.api_fuzz --max-examples 15   # the short form the test suite runs
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert

from bench.api_load import start_server
from bench.search import Corpus, load
from mimir.alerts import manage
from mimir.db.tables import users
from mimir.model.users import Role
from mimir.model.watches import WatchSpec
from mimir.storage import users as user_store

BIN = Path(sys.executable).parent
#: far from the ids the fuzzer tries first (1, 2, 0, huge): the key's owner is rarely its target
KEY_OWNER_ID = 987_654_321
NETWORK = (
    "POST /api/v1/sources",
    "POST /api/v1/sources/{source_id}/test",
    "POST /api/v1/sources/{source_id}/refresh",
    "POST /api/v1/channels/{channel_id}/test",
)
CHECKS = [
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
]


def seed(url: str) -> str:
    """The store the fuzzer works on; returns an admin API key with every scope."""
    load(url, Corpus(400, 8))
    engine = create_engine(url)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(
            insert(users).values(
                id=KEY_OWNER_ID,
                email="fuzz@example.org",
                name="fuzz",
                role=Role.ADMIN.value,
                timezone="UTC",
                disabled=False,
                created_at=now,
                updated_at=now,
            )
        )
        user_store.create_user(conn, "viewer@example.org", None, Role.VIEWER, now)
        key, _ = user_store.create_api_key(
            conn, KEY_OWNER_ID, "fuzz", ["read", "write", "admin"], now
        )
        manage.add_channel(conn, "desk", "json://hooks.example.org/mimir", now)
        manage.add_watch(conn, WatchSpec(name="atsc", query='"ATSC 3.0"', channels=("desk",)), now)
    engine.dispose()
    return key


def run(max_examples: int, seed_value: int | None = None, report_dir: str | None = None) -> int:
    """The exit code of ``st run`` (0: nothing found)."""
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'fuzz.db'}"
        key = seed(url)
        proc, base = start_server(url, 1, dict(os.environ))
        try:
            cmd = [
                str(BIN / "st"), "run", f"{base}/api/v1/openapi.json",
                "-H", f"Authorization: Bearer {key}",
                "--checks", ",".join(CHECKS),
                "--max-examples", str(max_examples),
                *(arg for name in NETWORK for arg in ("--exclude-name", name)),
                "--request-timeout", "30",
                "--workers", "1",
                "--no-color",
            ]  # fmt: skip
            if seed_value is not None:
                cmd += ["--seed", str(seed_value)]
            if report_dir:
                cmd += ["--report", "junit", "--report-dir", report_dir]
            env = {**os.environ, "SCHEMATHESIS_TELEMETRY": "false"}
            return subprocess.run(cmd, env=env, check=False).returncode
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)
            if proc.stdout is not None:
                proc.stdout.close()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--max-examples", type=int, default=200, help="per operation")
    ap.add_argument("--seed", type=int, default=None, help="repeat a run exactly")
    ap.add_argument("--report-dir", default=None, help="write a JUnit report there")
    args = ap.parse_args(argv)
    sys.exit(run(args.max_examples, args.seed, args.report_dir))


if __name__ == "__main__":
    main()
