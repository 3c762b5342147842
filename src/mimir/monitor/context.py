"""What an orchestrator needs: settings, database, fetcher, extractor, clock, event hook."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from mimir.alerts.matching import SourceInfo, WatchSet
from mimir.config import Settings
from mimir.db.database import Database
from mimir.fetch.client import Fetcher
from mimir.monitor.extract import Extractor
from mimir.monitor.ingest import AfterStore


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Event:
    """Something a user may want to see as it happens (console, later the UI)."""

    kind: str  # article_new | article_revised | source_checked | source_failed
    data: dict[str, Any]


@dataclass
class Context:
    settings: Settings
    db: Database
    fetcher: Fetcher
    extractor: Extractor
    worker_id: str
    clock: Callable[[], datetime] = utcnow
    rng: random.Random = field(default_factory=random.Random)
    on_event: Callable[[Event], None] | None = None
    #: the enabled watches, swapped whole when they change (jobs.worker refreshes it)
    watches: WatchSet = field(default_factory=WatchSet.empty)
    #: called when notifications were queued, so the sender sends them at once
    wake_sender: Callable[[], None] | None = None

    def after_store(self, source: Any | None) -> AfterStore:
        """The watches and story window an article stored now is matched against."""
        info = None
        if source is not None:
            info = SourceInfo(source.name, source.host, source.category)
        max_age = self.settings.alert_max_age_hours
        return AfterStore(
            self.watches,
            info,
            timedelta(hours=self.settings.story_window_hours),
            timedelta(hours=max_age) if max_age else None,
        )

    def emit(self, kind: str, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind, data))
