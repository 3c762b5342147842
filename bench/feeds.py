"""Feed parsing CPU per item: Mimir's fast reader (mimir.parse.fastfeed) against feedparser.

``parse_feed`` reads well-formed RSS 2.0 and Atom 1.0 through ``mimir.parse.fastfeed`` and
everything else through feedparser. This parses the same feeds both ways, alternating rounds in
one process (so a noisy machine shifts both alike), checks that every feed gives the same
``ParsedFeed`` both ways, and reports CPU per item of the whole ``parse_rss`` (the mapping to
Mimir's entries and the sanitising of HTML content included) for three kinds of feed:

* ``bench``: the ingest benchmark's feeds (WordPress-style RSS 2.0, a short description each);
* ``demo``: the demo site's RSS 2.0 and Atom 1.0 feeds (summaries and full HTML content);
* ``full``: a WordPress feed carrying each article's full HTML in ``content:encoded``
  (about 7 KB of markup per item: links, images, figures).

    .venv/bin/python -m bench.feeds [--rounds 5] [--xml DIR]
    .venv/bin/python -m bench.feeds --smoke

``--xml DIR`` adds the ``*.xml`` files of DIR (saved real feeds, say) as a fourth kind.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import Corpus
from mimir.demo.routes import Router
from mimir.demo.timeline import Timeline
from mimir.parse import fastfeed
from mimir.parse.rss import parse_rss, utf8_xml
from mimir.parse.xmlsniff import root_name

NOW = datetime(2026, 1, 20, tzinfo=UTC)
Feed = tuple[str, bytes, str | None]  # url, body, content type

_PARAGRAPH = (
    '<p>Broadcasters in <a href="https://example.com/tag/europe/">Europe</a> are testing 5G '
    "Broadcast with <strong>mobile</strong> operators; the trial runs until March &amp; covers "
    "three cities, with a <a href=\"/2026/01/earlier-trial/\">first trial</a> last year.</p>\n"
)
_FIGURE = (
    '<figure class="wp-block-image"><img src="https://example.com/wp-content/uploads/2026/01/'
    'mast.jpg" alt="A transmitter mast" width="800" height="450" srcset="https://example.com/'
    'wp-content/uploads/2026/01/mast-300x169.jpg 300w" /><figcaption>The mast</figcaption>'
    "</figure>\n"
)


def full_content_feed(items: int = 50) -> bytes:
    """A WordPress RSS 2.0 feed whose items carry their article in content:encoded."""
    content = (_PARAGRAPH * 12 + _FIGURE) * 3
    entries = "".join(
        f"<item><title>Story {i} &#8211; 5G Broadcast trial</title>"
        f"<link>https://example.com/2026/01/story-{i}/</link>"
        "<dc:creator><![CDATA[Jo Smith]]></dc:creator>"
        "<pubDate>Thu, 15 Jan 2026 12:00:00 +0000</pubDate>"
        "<category><![CDATA[News]]></category><category><![CDATA[5G]]></category>"
        f'<guid isPermaLink="false">https://example.com/?p={i}</guid>'
        "<description><![CDATA[<p>Broadcasters are testing 5G [&#8230;]</p>]]></description>"
        f"<content:encoded><![CDATA[{content}]]></content:encoded>"
        "<slash:comments>0</slash:comments></item>"
        for i in range(items)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
        'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:slash="http://purl.org/rss/1.0/modules/slash/" '
        'xmlns:atom="http://www.w3.org/2005/Atom"><channel><title>Example</title>'
        '<atom:link href="https://example.com/feed/" rel="self" type="application/rss+xml"/>'
        "<link>https://example.com</link><language>en-US</language>"
        f"{entries}</channel></rss>"
    ).encode()


def feeds(count: int, xml_dir: Path | None) -> dict[str, list[Feed]]:
    corpus = Corpus(count, 50, count, 7, 8080)
    bench: list[Feed] = []
    for f in range(count):
        body = corpus.feed_document(f).body
        body = gzip.decompress(body) if body[:2] == b"\x1f\x8b" else body
        bench.append((corpus.feed_url(f), body, "application/rss+xml"))
    start = datetime(2026, 1, 15, 12, 0, tzinfo=UTC).timestamp()
    router = Router(Timeline(seed=7, interval=60, initial_items=60, start=start))
    base = "http://127.0.0.1:8765"
    demo: list[Feed] = []
    for path in ("/wire/feed.rss", "/techdaily/atom.xml"):
        document = router.document(base, path, "", ticks=40)
        demo.append((base + path, document.body, document.content_type))
    kinds = {
        "bench": bench,
        "demo": demo,
        "full": [("https://example.com/feed/", full_content_feed(), "application/rss+xml")],
    }
    if xml_dir is not None:
        kinds["xml"] = [
            (f"https://example.org/{p.stem}/feed", p.read_bytes(), None)
            for p in sorted(xml_dir.glob("*.xml"))
        ]
    return kinds


def _parse_all(docs: list[Feed], fast: bool) -> tuple[float, int, list[Any]]:
    out: list[Any] = []
    items = 0
    started = time.process_time()
    for url, body, content_type in docs:
        try:
            parsed = parse_rss(
                body, url, content_type=content_type, now=NOW, max_entries=2000,
                root=root_name(body), fast=fast,
            )  # fmt: skip
            items += len(parsed.entries)
            out.append(parsed)
        except Exception as exc:  # a document that is no feed: the same error both ways
            out.append(type(exc).__name__)
    return 1000 * (time.process_time() - started), items, out


def run(kinds: dict[str, list[Feed]], rounds: int) -> dict[str, Any]:
    report: dict[str, Any] = {}
    for kind, docs in kinds.items():
        accepted = sum(fastfeed.parse(utf8_xml(b, ct), u) is not None for u, b, ct in docs)
        for fast in (True, False):  # once each, untimed: patterns compiled, caches filled
            _parse_all(docs[:2], fast)
        spent = {True: 0.0, False: 0.0}
        items = 0
        identical = True
        for _ in range(rounds):
            results = {}
            for fast in (True, False):
                ms, items, results[fast] = _parse_all(docs, fast)
                spent[fast] += ms
            identical = identical and results[True] == results[False]
        fast_ms = spent[True] / rounds / max(items, 1)
        slow_ms = spent[False] / rounds / max(items, 1)
        report[kind] = {
            "feeds": len(docs),
            "items": items,
            "fast_path_feeds": accepted,
            "feedparser_ms_per_item": round(slow_ms, 3),
            "mimir_ms_per_item": round(fast_ms, 3),
            "speedup": round(slow_ms / max(fast_ms, 1e-9), 2),
            "identical": identical,
        }
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--feeds", type=int, default=40, help="bench corpus feeds (50 items each)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--xml", type=Path, help="a directory of saved feeds (*.xml) to add")
    parser.add_argument("--json", type=Path, help="write the report here too")
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, checks only (CI)")
    args = parser.parse_args(argv)
    if args.smoke:
        args.feeds, args.rounds = 3, 1
    report = run(feeds(args.feeds, args.xml), args.rounds)
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n")
    for kind, numbers in report.items():
        if not numbers["identical"]:
            raise SystemExit(f"{kind}: the fast reader and feedparser disagree")
        if kind != "xml" and numbers["fast_path_feeds"] != numbers["feeds"]:
            raise SystemExit(f"{kind}: a feed of the usual shape missed the fast path")
        if args.smoke:
            continue
        if kind != "xml" and numbers["speedup"] < 1.2:
            raise SystemExit(f"{kind}: the fast reader is not faster ({numbers['speedup']}x)")


if __name__ == "__main__":
    main()
