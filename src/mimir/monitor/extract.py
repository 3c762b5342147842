"""Article extraction off the event loop: a process pool (CPU-bound) or inline."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
from concurrent.futures import Executor, ProcessPoolExecutor
from datetime import datetime
from typing import Any

from mimir.model import ExtractedArticle, Selectors
from mimir.parse.article import extract_article


def _warm() -> None:
    import trafilatura  # noqa: F401 - import once per process, not per page


def _run(
    body: bytes, url: str, content_type: str | None, selectors: dict[str, Any] | None, now: datetime
) -> ExtractedArticle:
    sel = Selectors.from_dict(selectors) if selectors else None
    return extract_article(body, url, content_type=content_type, selectors=sel, now=now)


class Extractor:
    """Runs `extract_article` in `processes` worker processes (0: one per CPU; -1: inline)."""

    def __init__(self, processes: int = 0) -> None:
        if processes == 0:
            processes = os.cpu_count() or 1
        self.processes = processes
        self._pool: Executor | None = None
        if processes > 0:
            ctx = multiprocessing.get_context("forkserver")
            self._pool = ProcessPoolExecutor(processes, mp_context=ctx, initializer=_warm)

    async def extract(
        self,
        body: bytes,
        url: str,
        *,
        content_type: str | None,
        selectors: dict[str, Any] | None,
        now: datetime,
    ) -> ExtractedArticle:
        if self._pool is None:
            return _run(body, url, content_type, selectors, now)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, _run, body, url, content_type, selectors, now)

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
