"""The JSON a signed webhook receives (see docs/alerts.md, "Webhook payload").

Version 1. Every event carries ``event`` (``alert``, ``digest`` or ``test``) and ``version``;
the notifier adds ``delivery_id`` (the same value as the ``Idempotency-Key`` header) and
``delivered_at`` when it sends. Times are RFC 3339 in UTC.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from mimir.model.alerts import AlertArticle, DigestItem, WatchRef
from mimir.model.watches import WatchMode

PAYLOAD_VERSION = 1


def iso(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z`` (None stays None)."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass timezone-aware values")
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def article_data(article: AlertArticle) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "published_at": iso(article.published_at),
        "source": article.source,
    }


def watch_data(watch: WatchRef) -> dict[str, Any]:
    return {"id": watch.id, "name": watch.name}


def item_data(item: DigestItem) -> dict[str, Any]:
    """One story: the alert, the story, its lead article and the terms that matched."""
    return {
        "alert_id": item.alert_id,
        "story": {
            "id": item.story_id,
            "other_sources": list(item.other_sources),
            "also": [article_data(a) for a in item.also],
        },
        "article": article_data(item.lead),
        "matched_terms": list(item.matched_terms),
    }


def alert_event(watch: WatchRef, item: DigestItem) -> dict[str, Any]:
    """An instant alert: one story that matched a watch."""
    return {
        "event": "alert",
        "version": PAYLOAD_VERSION,
        "watch": watch_data(watch),
        **item_data(item),
    }


def digest_event(
    watch: WatchRef,
    items: Sequence[DigestItem],
    mode: WatchMode,
    window: tuple[datetime, datetime],
) -> dict[str, Any]:
    """An hourly or daily digest: the stories that matched a watch within the window."""
    return {
        "event": "digest",
        "version": PAYLOAD_VERSION,
        "watch": watch_data(watch),
        "mode": str(mode),
        "window": {"start": iso(window[0]), "end": iso(window[1])},
        "items": [item_data(item) for item in items],
    }


def test_event() -> dict[str, Any]:
    """What "send a test message" posts to a webhook."""
    return {
        "event": "test",
        "version": PAYLOAD_VERSION,
        "message": "Test message from Mimir: this channel works.",
    }
