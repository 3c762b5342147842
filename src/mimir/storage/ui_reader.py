"""What the web UI's search, story and reader pages read beyond the API's own functions.

Each function is one or two indexed reads: the page's search goes through
:func:`mimir.storage.search.search` (or :func:`mimir.storage.listing.search_articles` when a
source or category filter needs exact source ids) and adds the snippets of the page's hits
only; the reader adds the article's stored HTML and original URL to
:func:`mimir.storage.listing.get_article`; the story page adds the watches that alerted for it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select

from mimir.db.tables import alerts, articles, sources, watches
from mimir.search.nodes import And, Lang, Node, positive_terms
from mimir.search.snippets import Highlighted, highlight, snippet
from mimir.search.sql import Order
from mimir.storage import listing
from mimir.storage.listing import ArticleFilter
from mimir.storage.search import search

#: hits per page of the search page
PAGE_SIZE = 20
#: the watches shown with a story (one alert per watch and story)
STORY_WATCHES = 100


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result as the page shows it."""

    id: int
    title: Highlighted
    snippet: Highlighted
    url: str
    source: str | None
    language: str | None
    date: datetime
    story_id: int | None
    score: float


@dataclass(frozen=True, slots=True)
class HitPage:
    hits: list[Hit]
    #: the search's own cursor (a string) or the sort key of a filtered search (a list)
    next_cursor: str | list[Any] | None


def search_page(
    conn: Connection,
    tree: Node,
    flt: ArticleFilter,
    *,
    now: datetime,
    order: Order,
    cursor: str | list[Any] | None,
    limit: int = PAGE_SIZE,
) -> HitPage:
    """A page of hits with highlighted titles and snippets. Without an exact source filter
    this is :func:`search` itself (its snippets included); with one, the API's filtered search
    and the snippets of its page."""
    if not flt.exact_sources:
        if flt.primary_language is not None:
            parts = tree.children if isinstance(tree, And) else (tree,)
            tree = And((*parts, Lang(flt.primary_language)))
        inner = cursor if isinstance(cursor, str) else None
        if inner is not None:
            listing.check_search_cursor(inner)
        found = search(conn, tree, now=now, order=order, limit=limit, cursor=inner)
        story_of = _stories(conn, [h.id for h in found.hits])
        hits = [
            Hit(
                h.id,
                h.title_highlight,
                h.snippet,
                h.url,
                h.source_name,
                h.language,
                h.date,
                story_of.get(h.id),
                h.score,
            )
            for h in found.hits
        ]
        return HitPage(hits, found.next_cursor)
    page = listing.search_articles(
        conn,
        tree,
        flt,
        now=now,
        order=order,
        limit=limit,
        cursor=cursor if isinstance(cursor, list) else None,
    )
    texts = _texts(conn, [item["id"] for item in page.items])
    terms = positive_terms(tree)
    hits = [
        Hit(
            item["id"],
            highlight(item["title"], terms),
            snippet(texts.get(item["id"]), terms),
            item["url"],
            item["source"],
            item["language"],
            item["date"],
            item["story_id"],
            float(item.get("score") or 1.0),
        )
        for item in page.items
    ]
    return HitPage(hits, page.next_cursor)


def _texts(conn: Connection, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = conn.execute(select(articles.c.id, articles.c.text).where(articles.c.id.in_(list(ids))))
    return {int(r.id): r.text for r in rows}


def _stories(conn: Connection, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = conn.execute(
        select(articles.c.id, articles.c.story_id).where(articles.c.id.in_(list(ids)))
    )
    return {int(r.id): int(r.story_id) for r in rows if r.story_id is not None}


def source_choices(conn: Connection, limit: int = 500) -> list[tuple[int, str]]:
    """(id, name) of the sources, by name: the search page's source filter."""
    rows = conn.execute(
        select(sources.c.id, sources.c.name).order_by(sources.c.name, sources.c.id).limit(limit)
    )
    return [(int(r.id), r.name) for r in rows]


# ---- the reader and the story ---------------------------------------------------------------


def reader_article(conn: Connection, article_id: int) -> dict[str, Any]:
    """The API's article (NotFound if there is none) with its stored sanitized HTML, the URL
    it was found at, its source's category, and the watches that alerted for its story."""
    out = listing.get_article(conn, article_id)
    row = conn.execute(
        select(articles.c.html, articles.c.url.label("found_url"), sources.c.category)
        .select_from(articles.outerjoin(sources, sources.c.id == articles.c.source_id))
        .where(articles.c.id == article_id)
    ).one()
    out["html"] = row.html
    out["found_url"] = row.found_url
    out["category"] = row.category
    out["watches"] = story_watches(conn, out["story_id"]) if out["story_id"] else []
    return out


def story_watches(conn: Connection, story_id: int) -> list[dict[str, Any]]:
    """The watches that alerted for ``story_id``: name, the terms they matched, when, and for
    which article, the first alert first."""
    rows = conn.execute(
        select(
            alerts.c.watch_id,
            watches.c.name,
            alerts.c.article_id,
            alerts.c.matched_terms,
            alerts.c.created_at,
        )
        .select_from(alerts.join(watches, watches.c.id == alerts.c.watch_id))
        .where(alerts.c.story_id == story_id)
        .order_by(alerts.c.created_at, alerts.c.id)
        .limit(STORY_WATCHES)
    )
    return [
        {
            "watch_id": int(r.watch_id),
            "name": r.name,
            "article_id": int(r.article_id),
            "terms": [str(t) for t in (r.matched_terms or [])],
            "created_at": r.created_at,
        }
        for r in rows
    ]


def story_page(conn: Connection, story_id: int) -> dict[str, Any]:
    """The API's story (NotFound if there is none) and the watches that alerted for it."""
    out = listing.get_story(conn, story_id)
    out["watches"] = story_watches(conn, story_id)
    return out


__all__ = [
    "PAGE_SIZE",
    "Hit",
    "HitPage",
    "reader_article",
    "search_page",
    "source_choices",
    "story_page",
    "story_watches",
]
