"""The database writer's CPU per stored article on SQLite, and how it divides.

Every article Mimir stores goes through one call in the writer thread,
``mimir.monitor.ingest.store_article``: the identity ladder and the article row (with its
aliases), the full-text index (an SQLite trigger feeds FTS5), and story placement (the LSH
candidate lookup, the near-duplicate decision, the article's band rows, the story row). In the
ingest benchmark the writer thread is the largest cost outside extraction (docs/benchmarks.md);
this splits it.

The values to store are built the way the worker builds them (the ingest benchmark's corpus:
feeds parsed, pages extracted, ``build_values``), once, in two processes. Then each variant
stores all of them into a fresh copy of a migrated database, ten articles per commit (about
what the worker's writer commits at a time), timing the writer's CPU. Variants alternate,
round after round, in one process, so a noisy machine shifts them alike:

* ``full``: as the worker stores;
* ``no_fts``: the FTS5 insert trigger dropped;
* ``no_bands``: that, and no band rows written (placement looks up and finds nothing);
* ``no_stories``: the FTS5 trigger dropped and no story placement at all.

The differences between neighbours are the parts: full-text index, band rows with the matches
they lead to, candidate lookup with the story rows, and what is left (identity and the row).

    .venv/bin/python -m bench.writer [--feeds 20] [--rounds 5]
    .venv/bin/python -m bench.writer --smoke
"""

from __future__ import annotations

import argparse
import gzip
import json
import multiprocessing
import shutil
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, func, select

from bench.corpus import Corpus
from mimir.alerts.matching import WatchSet
from mimir.config import Settings
from mimir.db.database import Database
from mimir.db.migrate import upgrade
from mimir.db.tables import articles, stories
from mimir.model import FetchResponse, SourceKind, SourceSpec
from mimir.monitor import ingest
from mimir.storage import sources as source_store
from mimir.storage import stories as story_store
from mimir.storage.articles import ArticleValues

NOW = datetime(2026, 3, 4, 12, tzinfo=UTC)
PER_COMMIT = 10
VARIANTS = ("full", "no_fts", "no_bands", "no_stories")
_HEADERS = {
    "content-type": "text/html; charset=utf-8",
    "etag": '"bench"',
    "last-modified": "Wed, 04 Mar 2026 10:00:00 GMT",
    "server": "bench",
    "date": "Wed, 04 Mar 2026 10:00:00 GMT",
}


def _feed_values(args: tuple[int, int, int]) -> list[ArticleValues]:
    """The values the worker would store for every item of one feed of the corpus."""
    from mimir.monitor.article import build_values
    from mimir.parse.article import extract_article
    from mimir.parse.feeds import parse_feed

    feeds, items, feed = args
    c = Corpus(feeds, items, feeds, 1, 8080)
    doc = c.feed_document(feed)
    parsed = parse_feed(gzip.decompress(doc.gz), c.feed_url(feed), now=NOW)
    out = []
    for i, entry in enumerate(parsed.entries):
        index = feed * items + i
        url, page = c.article_url(index), c.page(index)
        resp = FetchResponse(url=url, status=200, headers=dict(_HEADERS), body=page)
        extracted = extract_article(page, url, content_type=_HEADERS["content-type"], now=NOW)
        out.append(build_values(feed + 1, entry, url, extracted, resp, "page"))
    return out


def build(feeds: int, items: int, processes: int = 2) -> list[ArticleValues]:
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        parts = pool.map(_feed_values, [(feeds, items, f) for f in range(feeds)])
    return [v for part in parts for v in part]


def template(workdir: Path, feeds: int) -> Path:
    """A migrated SQLite database holding the sources (ids 1..feeds)."""
    path = workdir / "template.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    db = Database(Settings(database_url=f"sqlite:///{path}", log_level="warning"))

    def add(conn: Any) -> None:
        for i in range(feeds):
            spec = SourceSpec(name=f"bench {i}", url=f"http://10.0.0.{i}/feed.rss",
                              kind=SourceKind.FEED)  # fmt: skip
            source_store.add_source(conn, spec, NOW)

    db.sync_write(add)
    db.close()
    return path


@contextmanager
def _variant(name: str, db: Database) -> Iterator[None]:
    """The variant's changes to the database and to story placement, undone afterwards."""
    place, add_bands = story_store.place, story_store._add_bands
    if name != "full":
        db.sync_write(lambda c: c.exec_driver_sql("DROP TRIGGER article_search_insert"))
    if name == "no_bands":
        story_store._add_bands = lambda *a, **k: None  # type: ignore[assignment]
    if name == "no_stories":

        def no_place(conn: Any, article_id: int, *a: Any, **k: Any) -> Any:
            return story_store.Placement(0, False, article_id)

        story_store.place = no_place  # type: ignore[assignment]
    try:
        yield
    finally:
        story_store.place, story_store._add_bands = place, add_bands  # type: ignore[assignment]


def store_all(name: str, values: list[ArticleValues], path: Path) -> dict[str, Any]:
    db = Database(Settings(database_url=f"sqlite:///{path}", log_level="warning"))
    after = ingest.AfterStore(WatchSet.empty(), None, timedelta(hours=72))
    try:
        with _variant(name, db):
            started = time.process_time()
            for i in range(0, len(values), PER_COMMIT):
                with db.engine.begin() as conn:
                    for v in values[i : i + PER_COMMIT]:
                        ingest.store_article(conn, v, NOW, after)
            cpu = time.process_time() - started

        def count(conn: Any) -> tuple[int, int]:
            n = conn.execute(select(func.count()).select_from(articles)).scalar_one()
            s = conn.execute(select(func.count()).select_from(stories)).scalar_one()
            return int(n), int(s)

        stored, story_count = db.sync_read(count)
    finally:
        db.close()
    return {"ms": 1000 * cpu / len(values), "stored": stored, "stories": story_count}


def run(values: list[ArticleValues], base: Path, rounds: int) -> dict[str, Any]:
    times: dict[str, list[float]] = {v: [] for v in VARIANTS}
    counts: dict[str, tuple[int, int]] = {}
    # round 0 is a warm-up, not counted: the first stores compile and cache the statements
    for round_ in range(rounds + 1):
        for name in VARIANTS:
            work = Path(tempfile.mkdtemp(dir=base.parent))
            try:
                db_path = work / "w.db"
                shutil.copy(base, db_path)
                r = store_all(name, values if round_ else values[: 2 * PER_COMMIT], db_path)
            finally:
                shutil.rmtree(work)
            if not round_:
                continue
            times[name].append(r["ms"])
            counts[name] = (r["stored"], r["stories"])
    med = {k: statistics.median(v) for k, v in times.items()}
    parts = {
        "full_text_index": med["full"] - med["no_fts"],
        "band_rows_and_matching": med["no_fts"] - med["no_bands"],
        "lookup_and_story_rows": med["no_bands"] - med["no_stories"],
        "identity_and_row": med["no_stories"],
    }
    return {
        "articles": len(values),
        "per_commit": PER_COMMIT,
        "rounds": rounds,
        "ms_per_article": {k: round(v, 3) for k, v in med.items()},
        "runs": {k: [round(x, 3) for x in v] for k, v in times.items()},
        "parts_ms": {k: round(v, 3) for k, v in parts.items()},
        "stored": {k: c[0] for k, c in counts.items()},
        "stories": {k: c[1] for k, c in counts.items()},
    }


def check(result: dict[str, Any], expected: int) -> list[str]:
    problems = [f"{k} stored {n} of {expected}" for k, n in result["stored"].items()
                if n != expected]  # fmt: skip
    s = result["stories"]
    if s["full"] < 1 or s["full"] > expected:
        problems.append(f"full placement formed {s['full']} stories for {expected} articles")
    if s["no_bands"] != expected:  # nothing to find: every article opens a story of its own
        problems.append(f"no_bands formed {s['no_bands']} stories, expected {expected}")
    return problems


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--feeds", type=int, default=20, help="feeds of the corpus (50 items each)")
    ap.add_argument("--items", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--smoke", action="store_true", help="tiny sizes, for CI")
    ap.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.smoke:
        args.feeds, args.items, args.rounds = 2, 10, 1
    started = time.perf_counter()
    values = build(args.feeds, args.items)
    print(f"{len(values)} articles built in {time.perf_counter() - started:.1f} s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        result = run(values, template(Path(tmp), args.feeds), args.rounds)
    for name in VARIANTS:
        runs = " ".join(f"{x:.3f}" for x in result["runs"][name])
        print(f"{name:11s} {result['ms_per_article'][name]:7.3f} ms per article   ({runs})")
    print("parts (ms per article):", result["parts_ms"])
    if args.json_out:
        Path(args.json_out).write_text(json.dumps(result, indent=2))
    problems = check(result, len(values))
    if problems:
        raise SystemExit("FAILED: " + "; ".join(problems))


if __name__ == "__main__":
    main()
