"""Mimir's feed parser over a directory of third-party test feeds (feedparser's own test suite).

Every ``*.xml``, ``*.rdf`` and ``*.atom`` file under DIR goes through ``parse_feed`` as a
fetched body would (no content type); the report counts the documents read, the ones that fail
grouped by error, and, for the documents Mimir's fast reader takes (``mimir.parse.fastfeed``),
whether its ``ParsedFeed`` equals the one feedparser's road gives. It also reports the slowest
document's CPU time (every document must parse in bounded time).

feedparser's test documents (BSD licence) are kept in the test suite's data, and its source
release holds them too:

    mkdir -p /tmp/fp && tar xzf tests/data/feedparser-tests.tar.gz -C /tmp/fp
    .venv/bin/python -m bench.feedsuite /tmp/fp/tests
    # or: pip download --no-binary :all: --no-deps feedparser==6.0.11 -d /tmp/real, untarred

    .venv/bin/python -m bench.feedsuite --smoke   # CI: a few documents written on the spot

It exits with an error when the two roads differ on a document.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import defaultdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from mimir.parse import fastfeed
from mimir.parse.feeds import parse_feed
from mimir.parse.language import detect_language
from mimir.parse.rss import parse_rss, utf8_xml
from mimir.parse.xmlsniff import root_name

NOW = datetime(2026, 12, 1, tzinfo=UTC)
_SUFFIXES = (".xml", ".rdf", ".atom")


def run(root: Path) -> dict[str, Any]:
    files = sorted(p for p in root.rglob("*") if p.suffix in _SUFFIXES and p.is_file())
    # the language identifier's model loads on first use (about 0.6 s, once per process, as
    # in a worker's extraction processes): not a document's cost
    detect_language("A sentence long enough for the language identifier to answer at once.")
    errors: dict[str, list[str]] = defaultdict(list)
    fast = differ = 0
    slowest = (0.0, "")
    differing: list[str] = []
    for path in files:
        body = path.read_bytes()
        url = f"http://feeds.example/{path.relative_to(root)}"
        started = time.process_time()
        try:
            parse_feed(body, url, now=NOW)
        except Exception as exc:  # every failure is counted, by its kind and message
            errors[f"{type(exc).__name__}: {str(exc)[:80]}"].append(str(path.relative_to(root)))
            continue
        spent = time.process_time() - started
        slowest = max(slowest, (spent, str(path.relative_to(root))))
        if fastfeed.parse(utf8_xml(body, None), url) is None:
            continue
        fast += 1
        kw: dict[str, Any] = {
            "content_type": None, "now": NOW, "max_entries": 2000, "root": root_name(body)
        }  # fmt: skip
        if parse_rss(body, url, **kw) != parse_rss(body, url, fast=False, **kw):
            differ += 1
            differing.append(str(path.relative_to(root)))
    failed = sum(len(v) for v in errors.values())
    return {
        "documents": len(files),
        "read": len(files) - failed,
        "failed": failed,
        "failures": {
            k: {"count": len(v), "first": v[:3]}
            for k, v in sorted(errors.items(), key=lambda kv: -len(kv[1]))
        },
        "fast_road": fast,
        "fast_road_differs": differ,
        "differing": differing[:20],
        "slowest_ms": round(1000 * slowest[0], 1),
        "slowest": slowest[1],
    }


def _smoke_documents(directory: Path) -> None:
    feed = (
        '<?xml version="1.0" encoding="{enc}"?><rss version="2.0"><channel><title>T\u00e9l\u00e9'
        "</title><link>https://t.example/</link><item><title>Un</title>"
        "<link>https://t.example/1</link></item></channel></rss>"
    )
    (directory / "utf8.xml").write_bytes(feed.format(enc="utf-8").encode())
    (directory / "utf16-no-bom.xml").write_bytes(feed.format(enc="utf-16").encode("utf-16-le"))
    (directory / "ebcdic.xml").write_bytes(feed.format(enc="cp500").encode("cp500"))
    (directory / "atom.atom").write_bytes(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><title>A</title><entry><title>E</title>'
        b'<link href="https://a.example/e"/><id>tag:a.example,2026:e</id>'
        b"<updated>2026-01-02T03:04:05Z</updated></entry></feed>"
    )
    (directory / "empty.xml").write_bytes(b"")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("directory", nargs="?", type=Path, help="test feeds, searched recursively")
    ap.add_argument("--smoke", action="store_true", help="a few documents written on the spot")
    args = ap.parse_args(argv)
    if args.smoke:
        with tempfile.TemporaryDirectory() as tmp:
            _smoke_documents(Path(tmp))
            report = run(Path(tmp))
        ok = report["read"] == 4 and report["failed"] == 1 and report["fast_road_differs"] == 0
    elif args.directory is None:
        ap.error("give a directory of test feeds, or --smoke")
    else:
        report = run(args.directory)
        ok = report["fast_road_differs"] == 0
    print(json.dumps(report, indent=2, ensure_ascii=False))
    if not ok:
        print("FAILED: see the report above", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
