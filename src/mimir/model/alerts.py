"""Plain values for alerts and notifications (no I/O here).

The watch matcher produces :class:`DigestItem` values (a story, its lead article, the terms that
matched); :mod:`mimir.alerts.digest` renders them into a :class:`Notification`; the notifier
delivers that to a channel and answers with a :class:`DeliveryResult`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class WatchRef:
    """The watch an alert belongs to, as messages and payloads name it."""

    id: int
    name: str


@dataclass(frozen=True, slots=True)
class AlertArticle:
    """One article as an alert shows it (``snippet`` is plain text, never markup)."""

    id: int
    title: str
    url: str
    source: str | None = None  # the source's name, e.g. "Reuters"
    published_at: datetime | None = None  # timezone-aware
    snippet: str | None = None


@dataclass(frozen=True, slots=True)
class DigestItem:
    """One story in an alert, a digest or an output feed.

    ``lead`` is the article shown; ``also`` are the story's other articles (copies of the same
    news on other sources); ``matched_terms`` are the watch's terms that matched, highlighted
    wherever the title and snippet contain them.
    """

    lead: AlertArticle
    matched_terms: tuple[str, ...] = ()
    story_id: int | None = None
    alert_id: int | None = None
    also: tuple[AlertArticle, ...] = ()

    @property
    def other_sources(self) -> tuple[str, ...]:
        """Names of the other sources carrying the story (the lead's own source left out)."""
        lead = (self.lead.source or "").casefold()
        seen: dict[str, str] = {}
        for article in self.also:
            name = article.source or article.url
            key = name.casefold()
            if key != lead and key not in seen:
                seen[key] = name
        return tuple(seen.values())


@dataclass(frozen=True, slots=True)
class Notification:
    """A message rendered for people (subject, text, HTML) and as data (``event``).

    ``event`` is the JSON payload a signed webhook receives; the notifier adds
    ``delivered_at`` and ``delivery_id`` when it sends.
    """

    subject: str
    text: str
    html: str
    event: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """How one attempt to deliver a notification to one channel ended.

    ``retryable`` tells the outbox sender whether to try again later (network errors,
    timeouts, HTTP 429 and 5xx) or to give up (HTTP 4xx, a refused address, a broken channel).
    ``retry_after_seconds`` is the receiver's own ``Retry-After``, when it sent one.
    """

    ok: bool
    channel: str  # the channel's redacted display form, safe to log and store
    duration_seconds: float
    retryable: bool = False
    error_class: str | None = None  # a stable code: timeout, http_404, blocked_address ...
    error_message: str | None = None  # never contains the channel's secrets
    status_code: int | None = None
    retry_after_seconds: float | None = None
