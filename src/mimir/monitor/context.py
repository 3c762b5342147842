"""What an orchestrator needs: settings, database, fetcher, extractor, clock, event hook."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from mimir.config import Settings
from mimir.db.database import Database
from mimir.fetch.client import Fetcher
from mimir.monitor.extract import Extractor


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

    def emit(self, kind: str, **data: Any) -> None:
        if self.on_event is not None:
            self.on_event(Event(kind, data))
