"""Extraction CPU per page: Mimir's stand-ins for trafilatura's prunes against stock trafilatura.

``mimir.parse.speedups`` replaces trafilatura's costliest XPath prunes with Python selections
that choose the same elements. This runs ``extract_article`` over the same pages with and
without them, alternating rounds in one process (so a noisy machine shifts both alike), checks
that every page gives the same text, HTML and title both ways, and reports CPU per page.

    .venv/bin/python -m bench.extract [--pages 100] [--rounds 3] [--html DIR]
    .venv/bin/python -m bench.extract --smoke

``--html DIR`` adds the ``*.html`` files of DIR (saved real pages, say) to the corpus pages.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.corpus import Corpus
from mimir.parse import speedups
from mimir.parse.article import extract_article, warm_up

NOW = datetime(2026, 1, 20, tzinfo=UTC)


def _pages(count: int, html_dir: Path | None) -> list[tuple[str, bytes]]:
    corpus = Corpus(max(1, count // 50 + 1), 50, 8, 7, 8080)
    pages = [(corpus.article_url(i), corpus.page(i)) for i in range(count)]
    if html_dir is not None:
        pages += [
            (f"https://example.org/{p.stem}", p.read_bytes())
            for p in sorted(html_dir.glob("*.html"))
        ]
    return pages


def _extract_all(pages: list[tuple[str, bytes]]) -> tuple[float, list[Any]]:
    out: list[Any] = []
    started = time.process_time()
    for url, body in pages:
        try:
            a = extract_article(body, url, content_type="text/html", now=NOW)
            out.append((a.text, a.html, a.title))
        except Exception as exc:  # a page without an article: the same error both ways
            out.append(type(exc).__name__)
    return 1000 * (time.process_time() - started) / len(pages), out


def run(pages: list[tuple[str, bytes]], rounds: int) -> dict[str, Any]:
    warm_up()
    # both ways once, untimed: first calls compile patterns and fill caches on either side
    speedups.uninstall()
    try:
        _extract_all(pages[:10])
    finally:
        speedups.install()
    _extract_all(pages[:10])
    stock_ms: list[float] = []
    fast_ms: list[float] = []
    for _ in range(rounds):
        speedups.uninstall()
        try:
            ms, stock = _extract_all(pages)
        finally:
            speedups.install()
        stock_ms.append(ms)
        ms, fast = _extract_all(pages)
        fast_ms.append(ms)
        if fast != stock:
            differ = sum(1 for a, b in zip(fast, stock, strict=True) if a != b)
            raise SystemExit(f"extraction differs with the stand-ins on {differ} pages")
    stock_total, fast_total = sum(stock_ms), sum(fast_ms)
    return {
        "pages": len(pages),
        "rounds": rounds,
        "lists": speedups.active(),
        "stock_cpu_ms_per_page": round(stock_total / rounds, 2),
        "mimir_cpu_ms_per_page": round(fast_total / rounds, 2),
        "ratio": round(fast_total / stock_total, 3),
        "per_round": [[round(a, 2), round(b, 2)] for a, b in zip(stock_ms, fast_ms, strict=True)],
        "identical": True,
    }


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--html", type=Path, default=None, help="a folder of saved *.html pages")
    ap.add_argument("--smoke", action="store_true", help="10 pages, 1 round (CI)")
    args = ap.parse_args(argv)
    if args.smoke:
        args.pages, args.rounds = 10, 1
    print(json.dumps(run(_pages(args.pages, args.html), args.rounds)))


if __name__ == "__main__":
    main()
