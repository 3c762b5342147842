"""The CPU-bound steps off the event loop: a process pool (or inline).

Parsing feeds and listing pages, extracting article pages, and building the values to store
(canonical URL, fingerprints, merged metadata) all run here, so a worker's main process only
fetches, schedules and writes. On a 2-core machine that is what lets the full pipeline come
close to the extract-only ceiling (docs/benchmarks.md).
"""

from __future__ import annotations

import os
import signal
import time
from datetime import datetime
from typing import TYPE_CHECKING, Any

from mimir import metrics
from mimir.model import Entry, FetchResponse, ParsedFeed, Selectors, SourceKind
from mimir.monitor.pool import LoopPool
from mimir.parse.article import extract_article, warm_up
from mimir.parse.feeds import parse_feed
from mimir.parse.listing import parse_listing
from mimir.parse.pdf import extract_pdf, is_pdf

if TYPE_CHECKING:
    from mimir.storage.articles import ArticleValues


#: imported once by the pool's fork server, so every pool process starts with them
_PRELOAD = ("mimir.monitor.extract", "mimir.monitor.article")


def _warm() -> None:
    # a terminal's Ctrl-C reaches the whole process group, and so does a stop by systemd
    # (KillMode=control-group), `timeout` or `kill -TERM -PGID`: the parent stops the pool
    # itself, letting each process finish its page (it kills one that does not)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    warm_up()


def _parse(
    kind: str,
    body: bytes,
    url: str,
    content_type: str | None,
    selectors: dict[str, Any] | None,
    now: datetime,
) -> ParsedFeed:
    if kind == SourceKind.LISTING.value:
        return parse_listing(
            body, url, Selectors.from_dict(selectors), content_type=content_type, now=now
        )
    return parse_feed(body, url, content_type=content_type, now=now)


def _article_values(
    source_id: int | None,
    entry: Entry,
    job_url: str,
    response: FetchResponse,
    selectors: dict[str, Any] | None,
    now: datetime,
) -> tuple[ArticleValues, float]:
    """The values to store, and the CPU seconds the page's extraction took (this thread's:
    a pool process has one, and inline the writer's time is not counted in). A PDF document
    is read as one (``extraction = "pdf"``)."""
    from mimir.monitor.article import build_values

    started = time.thread_time()
    content_type = response.headers.get("content-type")
    if is_pdf(content_type, response.body):
        extracted, how = extract_pdf(response.body, response.url, now=now), "pdf"
    else:
        extracted = extract_article(
            response.body,
            response.url,
            content_type=content_type,
            selectors=Selectors.from_dict(selectors) if selectors else None,
            now=now,
        )
        how = "page"
    cpu = time.thread_time() - started
    return build_values(source_id, entry, job_url, extracted, response, how), cpu


class Extractor:
    """Runs the CPU-bound steps in `processes` worker processes (0: one per CPU; -1: inline).

    With a ``timeout`` (seconds), a document that takes longer costs its process, which is
    killed and replaced, and fails with ExtractionTimeout: an article page then falls back to
    the feed's values, a feed records the error (inline, there is no deadline)."""

    def __init__(self, processes: int = 0, *, timeout: float | None = None) -> None:
        if processes == 0:
            processes = os.cpu_count() or 1
        self.processes = processes
        self._pool: LoopPool | None = None
        if processes > 0:
            self._pool = LoopPool(processes, initializer=_warm, preload=_PRELOAD, timeout=timeout)

    async def _call(self, fn: Any, *args: Any) -> Any:
        if self._pool is None:
            return fn(*args)
        return await self._pool.run(fn, *args)

    async def parse(
        self,
        kind: SourceKind,
        response: FetchResponse,
        selectors: dict[str, Any] | None,
        now: datetime,
    ) -> ParsedFeed:
        """parse_feed / parse_listing of a fetched document."""
        parsed: ParsedFeed = await self._call(
            _parse,
            kind.value,
            response.body,
            response.url,
            response.content_type,
            selectors,
            now,
        )
        return parsed

    async def article_values(
        self,
        source_id: int | None,
        entry: Entry,
        job_url: str,
        response: FetchResponse,
        selectors: dict[str, Any] | None,
        now: datetime,
    ) -> ArticleValues:
        """Extract an article page and merge it with the feed's values, ready to store."""
        values: ArticleValues
        values, cpu = await self._call(
            _article_values, source_id, entry, job_url, response, selectors, now
        )
        metrics.observe_extract_cpu(cpu)
        return values

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None
