"""What the demo newsroom has published at a given moment: a pure function of elapsed ticks.

Tick ``k`` (``k >= 1``) happens ``k * interval`` seconds after the start and publishes one new
article on the next outlet in round-robin order; some ticks also update an earlier article, and
some new articles are a second outlet's write-up of the previous outlet's press release.
``initial_items`` articles exist before the first tick so a fresh demo is never empty.
"""

from __future__ import annotations

import random
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime

from mimir.demo.content import Article, generate_article, generate_story, update_paragraph

INITIAL_SPACING_SECONDS = 17 * 60.0  # initial items look like the last few hours of news
UPDATE_CHANCE = 1 / 8
ARTICLE_MEMO = 2048
PICKUP_CHANCE = 1 / 7


@dataclass(frozen=True, slots=True)
class Outlet:
    """One publication of the demo group, served under its own path prefix."""

    key: str
    name: str
    category: str
    charset: str = "utf-8"


OUTLETS: tuple[Outlet, ...] = (
    Outlet("wire", "Demo Broadcast News", "Broadcast"),
    Outlet("techdaily", "Demo TV Tech Daily", "Technology"),
    Outlet("streamwatch", "Demo StreamWatch", "Streaming"),
    Outlet("standards", "Demo Standards Report", "Standards"),
    Outlet("pressroom", "Demo Media Group Press Room", "Press releases", charset="windows-1252"),
)
OUTLET_BY_KEY = {o.key: o for o in OUTLETS}


@dataclass(frozen=True, slots=True)
class Update:
    """Revision ``number`` (1-based) of article ``index``, made at ``at`` (epoch seconds)."""

    index: int
    number: int
    at: float


@dataclass(frozen=True, slots=True)
class Revision:
    """An article as it reads at one moment."""

    article: Article
    published: datetime
    modified: datetime
    paragraphs: tuple[str, ...]

    @property
    def version(self) -> int:
        return len(self.paragraphs) - len(self.article.paragraphs)


def _chance(seed: int, kind: str, index: int) -> random.Random:
    return random.Random(f"mimir-demo/{seed}/{kind}/{index}")


class Timeline:
    """Deterministic publication history; thread-safe, computed incrementally and memoised."""

    def __init__(self, seed: int, interval: float, initial_items: int, start: float) -> None:
        if interval <= 0:
            raise ValueError("interval must be positive")
        self.seed = seed
        self.interval = interval
        self.initial_items = max(0, initial_items)
        self.start = start  # epoch seconds of tick 0
        self._lock = threading.Lock()
        self._articles: OrderedDict[int, Article] = OrderedDict()  # a bounded memo
        self._updates: list[Update] = []
        self._by_article: dict[int, list[Update]] = {}
        self._ticks = -1  # the last tick whose updates are in _updates

    # --- the schedule -------------------------------------------------------------------
    def published_at(self, index: int) -> float:
        if index < self.initial_items:
            return self.start - (self.initial_items - index) * INITIAL_SPACING_SECONDS
        return self.start + (index - self.initial_items + 1) * self.interval

    def ticks_at(self, now: float) -> int:
        return max(0, int((now - self.start) / self.interval + 1e-9))

    def count_at(self, ticks: int) -> int:
        return self.initial_items + ticks

    def outlet_of(self, index: int) -> Outlet:
        return OUTLETS[index % len(OUTLETS)]

    def is_pickup(self, index: int) -> bool:
        """A second write-up of the previous article's press release (never a chain)."""
        if index == 0:
            return False
        mine = _chance(self.seed, "pickup", index).random() < PICKUP_CHANCE
        return mine and not _chance(self.seed, "pickup", index - 1).random() < PICKUP_CHANCE

    def article(self, index: int) -> Article:
        with self._lock:
            found = self._articles.get(index)
            if found is not None:
                self._articles.move_to_end(index)
                return found
        outlet = self.outlet_of(index).key
        story = generate_story(self.seed, index - 1) if self.is_pickup(index) else None
        made = generate_article(self.seed, index, outlet, story)
        with self._lock:
            self._articles[index] = made
            while len(self._articles) > ARTICLE_MEMO:
                self._articles.popitem(last=False)
        return made

    # --- updates --------------------------------------------------------------------------
    def _advance(self, ticks: int) -> None:
        """Record update events up to ``ticks`` (caller holds the lock)."""
        while self._ticks < ticks:
            tick = self._ticks + 1
            if tick == 0:
                self._initial_updates()
            else:
                rng = _chance(self.seed, "update", tick)
                available = self.count_at(tick - 1)
                if rng.random() < UPDATE_CHANCE and available > 0:
                    index = rng.randrange(max(0, available - 10), available)
                    self._add(index, self.start + tick * self.interval)
            self._ticks = tick

    def _initial_updates(self) -> None:
        for index in range(self.initial_items - 1):
            if _chance(self.seed, "initial-update", index).random() < 1 / 5:
                at = min(self.published_at(index) + 1500.0, self.start - 1.0)
                self._add(index, at)

    def _add(self, index: int, at: float) -> None:
        revisions = self._by_article.setdefault(index, [])
        update = Update(index, len(revisions) + 1, at)
        revisions.append(update)
        self._updates.append(update)

    def revision(self, index: int, ticks: int) -> Revision:
        """Article ``index`` as it reads after ``ticks`` ticks."""
        article = self.article(index)
        limit = self.start + ticks * self.interval
        with self._lock:
            self._advance(ticks)
            applied = [u for u in self._by_article.get(index, ()) if u.at <= limit]
        published = _utc(self.published_at(index))
        paragraphs = list(article.paragraphs)
        modified = published
        for update in applied:
            modified = _utc(update.at)
            paragraphs.append(update_paragraph(article, update.number, modified))
        return Revision(article, published, modified, tuple(paragraphs))


def _utc(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, UTC)
