"""Screenshots of the web UI's main pages, light and dark, into docs/screenshots/ (for the README).

Runs what a new user runs, ``mimir run --demo`` (the bundled news site, SQLite in a temporary
directory), waits until the demo articles are in, signs in as an admin made for the occasion,
and photographs each page in Debian's Chromium (1280x860, and a phone for the river):

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--wait 45]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Connection, func, select

from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.tables import articles, sources, stories
from mimir.model.users import Role
from mimir.storage import users as user_store

ROOT = Path(__file__).resolve().parent.parent
MIMIR = Path(sys.executable).parent / "mimir"
CHROMIUM = os.environ.get("MIMIR_TEST_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--out", default=str(ROOT / "docs" / "screenshots"))
    ap.add_argument("--wait", type=float, default=45, help="seconds of demo news before shooting")
    args = ap.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/demo.db"
        port = free_port()
        env = {
            **os.environ,
            "MIMIR_DATABASE_URL": url,
            "MIMIR_HTTP_PORT": str(port),
            "MIMIR_LOG_LEVEL": "warning",
        }
        proc = subprocess.Popen(
            [str(MIMIR), "run", "--demo", "--demo-port", str(free_port())],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            shoot(url, f"http://127.0.0.1:{port}", out, args.wait)
        finally:
            proc.terminate()
            proc.wait(30)


def shoot(url: str, base: str, out: Path, wait: float) -> None:
    import httpx
    from playwright.sync_api import sync_playwright

    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(base + "/healthz", timeout=2).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            sys.exit("mimir run --demo did not start")
        time.sleep(0.5)
    time.sleep(wait)
    db = Database(Settings(database_url=url))
    try:
        now = datetime.now(UTC)

        def admin(conn: Connection) -> str:
            user = user_store.create_user(
                conn,
                "ann@example.org",
                None,
                Role.ADMIN,
                now,
                name="Ann Analyst",
                timezone="Europe/Berlin",
            )
            token, _ = user_store.create_session(conn, user.id, now, timedelta(hours=1))
            return token

        token = db.sync_write(admin)

        def ids(conn: Connection) -> tuple[int | None, int | None, int | None, int]:
            story = conn.execute(
                select(stories.c.id).order_by(stories.c.article_count.desc()).limit(1)
            ).scalar()
            article = conn.execute(select(func.max(articles.c.id))).scalar()
            source = conn.execute(select(func.min(sources.c.id))).scalar()
            count = conn.execute(select(func.count()).select_from(articles)).scalar()
            return story, article, source, int(count or 0)

        story, article, source, count = db.sync_read(ids)
    finally:
        db.close()
    print(f"{count} demo articles in; shooting")
    shots = [
        ("dashboard", "/"),
        ("river", "/river"),
        ("search", "/search?q=broadcast+OR+streaming"),
        ("sources", "/sources"),
        ("source-new", "/sources/new"),
        ("watches", "/watches"),
        ("admin", "/admin"),
    ]
    if story:
        shots.append(("story", f"/stories/{story}"))
    if article:
        shots.append(("article", f"/articles/{article}"))
    if source:
        shots.append(("source", f"/sources/{source}"))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for theme in ("light", "dark"):
            context = browser.new_context(
                base_url=base,
                viewport={"width": 1280, "height": 860},
                color_scheme=theme,  # type: ignore[arg-type]
                timezone_id="Europe/Berlin",
                locale="en-GB",
            )
            context.add_cookies([{"name": "mimir_session", "value": token, "url": base}])
            page = context.new_page()
            for name, path in shots:
                page.goto(path)
                page.wait_for_load_state("networkidle")
                target = out / f"{name}-{theme}.png"
                page.screenshot(path=str(target))
                print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target}")
            context.close()
        phone = browser.new_context(
            base_url=base,
            viewport={"width": 390, "height": 844},
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
            timezone_id="Europe/Berlin",
        )
        phone.add_cookies([{"name": "mimir_session", "value": token, "url": base}])
        page = phone.new_page()
        page.goto("/river")
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / "river-phone.png"))
        browser.close()
    names = sorted(p.name for p in out.glob("*.png"))
    print(f"{len(names)} screenshots in {out}: {', '.join(names)}")
    assert all(re.match(r"[a-z-]+\.png$", n) for n in names)


if __name__ == "__main__":
    main()
