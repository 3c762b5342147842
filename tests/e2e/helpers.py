"""Run the real flow in-process: make sources due, run a worker until nothing is due."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from mimir.config import Settings
from mimir.db.database import Database
from mimir.jobs.runtime import run_worker
from mimir.model import Source, SourceKind, SourceSpec
from mimir.monitor.context import Event
from mimir.storage import articles as article_store
from mimir.storage import sources as source_store


def now() -> datetime:
    return datetime.now(UTC)


def add(
    db: Database, name: str, url: str, kind: SourceKind = SourceKind.FEED, **settings: Any
) -> Source:
    return db.sync_write(
        source_store.add_source, SourceSpec(name=name, url=url, kind=kind, settings=settings), now()
    )


def refresh(
    settings: Settings, db: Database, ids: Sequence[int] | None = None
) -> tuple[dict[int, dict[str, Any]], list[Event]]:
    """One pass: every (or the named) source checked now, their pages fetched, then return."""
    db.sync_write(source_store.make_due, list(ids) if ids is not None else None, now())
    events: list[Event] = []
    asyncio.run(run_worker(settings, once=True, source_ids=ids, on_event=events.append, db=db))
    checked = {e.data["source_id"]: e.data for e in events if e.kind == "source_checked"}
    return checked, events


def articles(db: Database) -> list[dict[str, Any]]:
    def collect(conn: Any) -> list[dict[str, Any]]:
        return list(article_store.iter_export(conn))

    return db.sync_read(collect)


def source(db: Database, ref: int | str) -> Source:
    return db.sync_read(source_store.find_source, ref)
