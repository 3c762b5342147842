"""The REST API under load: ``mimir serve`` on the search benchmark's corpus, driven by Locust.

In one run, against one server (``mimir serve --workers N``, a real process on a real port):

1. **trivial**: ``GET /healthz`` as fast as the server answers: the framework's ceiling on this
   machine (uvicorn, FastAPI, our middleware; no database, no auth);
2. **list**: the first page of ``GET /api/v1/articles`` (50 cards, newest first, API key);
3. **deep**: pages of the same list far down (cursors taken at 10-90 % of the corpus);
4. **search**: ``GET /api/v1/articles?q=`` with the search benchmark's queries, 50 users
   arriving over 5 s, each waiting 1-3 s between searches (a person reading the results);
5. **soak**: the rest of the run (10 minutes in all by default), a mix of the above with 1-3 s
   waits per user: it must end with zero errors.

Locust runs headless in its own process (gevent), on the same two cores as the server, so its
CPU is part of the picture; the ratio to the trivial endpoint is what holds across machines.
Each phase's statistics start once all its users have started (``--reset-stats``).

Targets (issue 4), 1,000,000 articles in PostgreSQL: the article list (first page and a deep
page) at least 1,000 requests/s with p95 under 100 ms; search p95 under 200 ms at 50 users; no
error in the whole run.

    python -m bench.api_load --db postgresql+psycopg://postgres@127.0.0.1/mimir_bench_search
    python -m bench.api_load --db ... --duration 600 --users 32 --workers 2 --json out.json
    python -m bench.api_load --smoke     # 3,000 articles on SQLite, 5 s phases (CI)

The corpus is the search benchmark's (``python -m bench.search --db URL`` builds it; with
``--smoke`` this command builds a small one itself). The command adds a user and an API key
(``bench@example.org``) and migrates the database to this code's revision.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, delete, select, text
from sqlalchemy.engine import make_url

from bench.search import Corpus, load, queries
from mimir.db.migrate import upgrade
from mimir.db.tables import article_search, users
from mimir.model.users import Role
from mimir.storage import users as user_store

ROOT = Path(__file__).resolve().parent.parent
MIMIR = Path(sys.executable).parent / "mimir"
LOCUST = Path(sys.executable).parent / "locust"
LOCUSTFILE = Path(__file__).resolve().parent / "locustfile.py"
BENCH_USER = "bench@example.org"
#: users started per second: people arrive over a few seconds rather than in one instant (the
#: statistics restart once all have started, --reset-stats); saturating phases start at once
SPAWN_RATE = {"search": 10, "soak": 10}


def prepare(url: str) -> dict[str, Any]:
    """Migrate, make the bench user and key, and pick deep cursors, articles and queries."""
    engine = create_engine(url)
    upgrade(engine)
    now = datetime.now(UTC)
    with engine.begin() as conn:
        conn.execute(delete(users).where(users.c.email == BENCH_USER))
        user = user_store.create_user(conn, BENCH_USER, None, Role.VIEWER, now)
        key, _ = user_store.create_api_key(conn, user.id, "load test", ["read"], now)
    with engine.connect() as conn:
        total = conn.execute(select(text("count(*)")).select_from(article_search)).scalar_one()
        cursors, articles = [], []
        for share in (0.1, 0.3, 0.5, 0.7, 0.9):
            row = conn.execute(
                select(article_search.c.sort_at, article_search.c.article_id)
                .order_by(article_search.c.sort_at.desc(), article_search.c.article_id.desc())
                .offset(int(total * share))
                .limit(1)
            ).one()
            cursors.append(deep_cursor(row.sort_at, row.article_id))
            articles.append(int(row.article_id))
    found = queries(engine)
    engine.dispose()
    return {
        "key": key,
        "articles_total": int(total),
        "cursors": cursors,
        "articles": articles,
        "queries": [q for kind in found.values() for q in kind],
    }


def deep_cursor(sort_at: datetime, article_id: int) -> str:
    """The cursor the article list gives for a page that ends at (sort_at, article_id)."""
    from mimir.api.v1.common import encode_cursor

    return encode_cursor([sort_at, article_id])


def start_server(url: str, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [str(MIMIR), "serve", "--port", "0", "--workers", str(workers)],
        env={**env, "MIMIR_DATABASE_URL": url, "MIMIR_LOG_LEVEL": "warning"},
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.search(r"serving on (http://[\d.]+:\d+)", line)
    if not match:
        proc.kill()
        raise SystemExit(f"mimir serve did not start: {line!r}")
    base = match.group(1)
    import httpx

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                return proc, base
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("mimir serve did not get ready in 60 s")


def run_phase(
    base: str, phase: str, users: int, seconds: int, prep: dict[str, Any], out_dir: Path
) -> dict[str, Any]:
    prefix = out_dir / phase
    env = {
        **os.environ,
        "MIMIR_BENCH_PHASE": phase,
        "MIMIR_BENCH_KEY": prep["key"],
        "MIMIR_BENCH_CURSORS": json.dumps(prep["cursors"]),
        "MIMIR_BENCH_QUERIES": json.dumps(prep["queries"]),
        "MIMIR_BENCH_ARTICLES": json.dumps(prep["articles"]),
    }
    cmd = [
        str(LOCUST), "-f", str(LOCUSTFILE), "--headless", "--host", base,
        "-u", str(users), "-r", str(SPAWN_RATE.get(phase, users)), "-t", f"{seconds}s",
        "--csv", str(prefix), "--only-summary", "--stop-timeout", "5",
        "--exit-code-on-error", "0", "--reset-stats",
    ]  # fmt: skip
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv", encoding="utf-8")))  # noqa: SIM115
    failures = list(csv.DictReader(open(f"{prefix}_failures.csv", encoding="utf-8")))  # noqa: SIM115
    result: dict[str, Any] = {"phase": phase, "users": users, "seconds": seconds, "endpoints": {}}
    for row in rows:
        if row["Name"] == "Aggregated":
            continue
        result["endpoints"][row["Name"]] = {
            "requests": int(row["Request Count"]),
            "failures": int(row["Failure Count"]),
            "rps": round(float(row["Requests/s"]), 1),
            "p50_ms": float(row["50%"] or 0),
            "p95_ms": float(row["95%"] or 0),
            "p99_ms": float(row["99%"] or 0),
            "max_ms": round(float(row["Max Response Time"] or 0), 1),
        }
    result["errors"] = [
        {"name": f["Name"], "error": f["Error"], "count": int(f["Occurrences"])} for f in failures
    ]
    return result


def report(results: list[dict[str, Any]], smoke: bool) -> bool:
    print(f"\n{'phase':<8} {'endpoint':<20} {'users':>5} {'req/s':>8} {'p50':>7} {'p95':>7} "
          f"{'p99':>7} {'errors':>7}")  # fmt: skip
    by_name: dict[str, dict[str, Any]] = {}
    errors = 0
    for r in results:
        for name, e in r["endpoints"].items():
            by_name.setdefault(f"{r['phase']}:{name}", e)
            errors += e["failures"]
            print(f"{r['phase']:<8} {name:<20} {r['users']:>5} {e['rps']:>8.1f} "
                  f"{e['p50_ms']:>6.0f}  {e['p95_ms']:>6.0f}  {e['p99_ms']:>6.0f}  "
                  f"{e['failures']:>6}")  # fmt: skip
        for err in r["errors"]:
            print(f"  error in {r['phase']}: {err['name']}: {err['error']} x{err['count']}")
    ceiling = by_name.get("trivial:trivial: /healthz", {}).get("rps", 0.0)
    checks = []
    for key, what in (
        ("list:list: first page", "first page"),
        ("deep:list: deep page", "deep page"),
    ):
        e = by_name.get(key)
        if e:
            ok = e["rps"] >= 1000 and e["p95_ms"] < 100
            share = e["rps"] / ceiling if ceiling else 0.0
            checks.append(ok)
            print(f"article list, {what}: {e['rps']:.0f} req/s ({share:.0%} of the trivial "
                  f"endpoint's {ceiling:.0f}), p95 {e['p95_ms']:.0f} ms: "
                  f"{'met' if ok else 'NOT met'} (>= 1,000 req/s, p95 < 100 ms)")  # fmt: skip
    s = by_name.get("search:search")
    if s:
        ok = s["p95_ms"] < 200
        checks.append(ok)
        print(
            f"search at 50 users: p95 {s['p95_ms']:.0f} ms: {'met' if ok else 'NOT met'} (< 200 ms)"
        )
    checks.append(errors == 0)
    print(f"errors in the whole run: {errors} ({'met' if errors == 0 else 'NOT met'}: zero)")
    return smoke or all(checks)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", help="the corpus's database URL (built by bench.search)")
    ap.add_argument("--duration", type=int, default=600, help="seconds in all (default 600)")
    ap.add_argument("--phase-seconds", type=int, default=60, help="each measured phase")
    ap.add_argument("--users", type=int, default=32, help="users of the saturating phases")
    ap.add_argument("--search-users", type=int, default=50)
    ap.add_argument("--workers", type=int, default=2, help="mimir serve --workers")
    ap.add_argument("--smoke", action="store_true", help="3,000 articles on SQLite, 5 s phases")
    ap.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db
        if args.smoke:
            args.phase_seconds, args.duration, args.users, args.search_users = 5, 25, 8, 10
            url = url or f"sqlite:///{Path(tmp) / 'api.db'}"
            load(url, Corpus(3000, 40))
        if not url:
            ap.error("--db is needed (or --smoke)")
        print(f"preparing {make_url(url).render_as_string()}", flush=True)
        prep = prepare(url)
        proc, base = start_server(url, args.workers, dict(os.environ))
        results = []
        try:
            p = args.phase_seconds
            for phase, users, seconds in (
                ("trivial", args.users, p),
                ("list", args.users, p),
                ("deep", args.users, p),
                ("search", args.search_users, p),
                ("soak", args.search_users, max(p, args.duration - 4 * p)),
            ):
                print(f"{phase}: {users} users, {seconds} s", flush=True)
                results.append(run_phase(base, phase, users, seconds, prep, Path(tmp)))
        finally:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=60)
            if proc.stdout is not None:
                proc.stdout.close()
        out = {
            "database": make_url(url).get_backend_name(),
            "articles": prep["articles_total"],
            "workers": args.workers,
            "cpus": os.cpu_count(),
            "phases": results,
        }
        ok = report(results, args.smoke)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(out, indent=2))
    if not ok:
        print("a target was missed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
