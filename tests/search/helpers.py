"""Building small corpora for the search tests: sources and articles in a real database."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, insert

from mimir.db.tables import articles, sources
from mimir.search.matcher import ArticleFields

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Src:
    name: str
    host: str
    category: str | None = None


@dataclass(frozen=True)
class Art:
    title: str | None = None
    text: str = ""
    authors: Sequence[str] = ()
    tags: Sequence[str] = ()
    url: str = ""
    source: int | None = 0  # index into the corpus's sources, or None
    language: str | None = "en"
    published_at: datetime | None = None
    discovered_at: datetime = field(default=NOW - timedelta(hours=1))


def add_sources(conn: Connection, srcs: Sequence[Src]) -> list[int]:
    ids = []
    for i, s in enumerate(srcs):
        row = conn.execute(
            insert(sources)
            .values(
                name=f"{s.name} #{i}",
                url=f"https://{s.host}/feed/{i}",
                url_hash=hashlib.sha256(f"{s.host}/{i}".encode()).hexdigest(),
                kind="feed",
                host=s.host,
                category=s.category,
                settings={},
                created_at=NOW,
                updated_at=NOW,
            )
            .returning(sources.c.id)
        ).scalar_one()
        ids.append(int(row))
    return ids


def source_name(srcs: Sequence[Src], index: int) -> str:
    return f"{srcs[index].name} #{index}"


def add_articles(
    conn: Connection, arts: Sequence[Art], source_ids: Sequence[int], *, start: int = 0
) -> list[int]:
    ids = []
    for n, a in enumerate(arts, start=start):
        url = a.url or f"https://example.org/a/{n}"
        row: dict[str, Any] = {
            "source_id": None if a.source is None else source_ids[a.source],
            "url": url,
            "canonical_url": url,
            "url_hash": hashlib.sha256(f"{n}:{url}".encode()).hexdigest(),
            "title": a.title,
            "text": a.text,
            "authors": list(a.authors),
            "tags": list(a.tags),
            "language": a.language,
            "published_at": a.published_at,
            "discovered_at": a.discovered_at,
            "fetched_at": a.discovered_at,
            "fetch_meta": {},
        }
        ids.append(
            int(conn.execute(insert(articles).values(**row).returning(articles.c.id)).scalar_one())
        )
    return ids


def fields(a: Art, srcs: Sequence[Src], n: int) -> ArticleFields:
    """What the in-memory matcher sees of article number ``n`` (as add_articles stores it)."""
    src = None if a.source is None else srcs[a.source]
    return ArticleFields(
        title=a.title,
        text=a.text,
        authors=a.authors,
        tags=a.tags,
        url=a.url or f"https://example.org/a/{n}",
        source_name=None if src is None or a.source is None else source_name(srcs, a.source),
        source_host=None if src is None else src.host,
        source_category=None if src is None else src.category,
        language=a.language,
        published_at=a.published_at,
        discovered_at=a.discovered_at,
    )
