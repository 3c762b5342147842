"""The search page (``/search``): the query language with its cheat sheet, errors shown where
they are, highlighted results newest first or by relevance, keyset pages, "save as watch" (a
form calling ``POST /api/v1/watches``) and export links to the API's streamed export.

A page is one call of :func:`mimir.storage.ui_reader.search_page`: the search the API runs,
with the snippets of the page's hits.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from sqlalchemy import Connection

from mimir.api.deps import database_of
from mimir.api.v1.common import decode_cursor, encode_cursor
from mimir.api.web.pages import ViewerPage, render
from mimir.api.web.reader import marked
from mimir.errors import InputError, QuerySyntaxError
from mimir.search.parser import parse
from mimir.search.sql import Order
from mimir.storage import listing, ui_reader
from mimir.storage.listing import ArticleFilter

router = APIRouter(include_in_schema=False)

MAX_ID = 2**62
#: the API's longest query
MAX_QUERY = 1000
LANGUAGE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8}){0,4}$")
PRINTABLE = re.compile(r"^[^\x00-\x1f\x7f]+$")

#: the cheat sheet: (what to write, what it finds)
SYNTAX: tuple[tuple[str, str], ...] = (
    ("merger acquisition", "both words (a space is AND)"),
    ("merger OR takeover", "either word"),
    ("-rumour  or  NOT rumour", "without the word"),
    ('"ATSC 3.0"', "the exact phrase"),
    ("broadcast*", "words starting with broadcast"),
    ("ATSC NEAR/5 launch", "both, at most 5 words apart"),
    ("(launch OR deploy) ATSC", "parentheses group"),
    ("title:merger", "in the title (also text:, author:, tag:, url:)"),
    ('source:"TV Tech"', "from a source whose name or host has these words"),
    ("category:broadcast", "from sources of this category"),
    ("lang:en", "in this language"),
    ("after:2026-01-01  before:2026-02", "dated in a range (UTC)"),
    ("within:24h", "dated in the last 24 hours (90m, 7d, 2w)"),
)
EXAMPLES: tuple[str, ...] = (
    '"ATSC 3.0" launch -sports',
    "title:(merger OR acquisition) within:7d",
    'author:"jane doe" -tag:opinion',
)


def _filter(
    source_id: int | None, category: str | None, language: str | None
) -> tuple[ArticleFilter, str | None]:
    """The filters, or an error naming the bad one."""
    if category is not None and not PRINTABLE.match(category):
        return ArticleFilter(), "category: only printable characters"
    if language is not None and not LANGUAGE.match(language):
        return ArticleFilter(), "language: a language code such as en, fr or pt-BR"
    return ArticleFilter(source_id=source_id, category=category, language=language), None


def _source_id(raw: str | None) -> int | None:
    """The source filter's id: the form sends an empty value for any source."""
    raw = (raw or "").strip()
    return int(raw) if raw.isdigit() and 1 <= int(raw) <= MAX_ID else None


def _watch_query(q: str, flt: ArticleFilter, source_name: str | None) -> str:
    """The query a watch saved from this search gets: the filters in the language's words."""
    extra = []
    if flt.primary_language:
        extra.append(f"lang:{flt.primary_language}")
    if flt.category:
        extra.append('category:"{}"'.format(flt.category.replace('"', " ")))
    if source_name:
        extra.append('source:"{}"'.format(source_name.replace('"', " ")))
    if not extra:
        return q
    return f"({q}) " + " ".join(extra)


def _cursor_in(cursor: str | None, flt: ArticleFilter, order: Order) -> str | list[Any] | None:
    """The page's cursor: the search's own (a string), or an API cursor of a filtered one."""
    if not cursor:
        return None
    if not flt.exact_sources:
        return cursor
    kinds = listing.cursor_kinds(flt, True, order)
    return decode_cursor(cursor, kinds)


def _cursor_out(found: str | list[Any] | None) -> str | None:
    if found is None or isinstance(found, str):
        return found
    return encode_cursor(found)


@router.get("/search", response_class=HTMLResponse)
async def search_page(
    request: Request,
    me: ViewerPage,
    q: Annotated[str | None, Query(max_length=20_000)] = None,
    order_name: Annotated[str | None, Query(alias="order", max_length=20)] = None,
    cursor: Annotated[str | None, Query(max_length=400)] = None,
    source: Annotated[str | None, Query(alias="source_id", max_length=20)] = None,
    category: Annotated[str | None, Query(max_length=100)] = None,
    language: Annotated[str | None, Query(max_length=35)] = None,
) -> HTMLResponse:
    db = database_of(request)
    source_id = _source_id(source)
    order = Order.RELEVANCE if order_name == Order.RELEVANCE.value else Order.NEWEST
    q = (q or "").strip().replace("\x00", "") or None
    category = (category or "").strip() or None
    language = (language or "").strip() or None
    flt, filter_error = _filter(source_id, category, language)
    if q is not None and len(q) > MAX_QUERY:
        filter_error = f"the query is too long: at most {MAX_QUERY:,} characters"
    choices = await db.read_quick(ui_reader.source_choices)
    source_name = next((name for sid, name in choices if sid == source_id), None)
    syntax: QuerySyntaxError | None = None
    error = filter_error
    page: ui_reader.HitPage | None = None
    if q is not None and error is None:
        try:
            tree = parse(q)
        except QuerySyntaxError as exc:
            syntax = exc
        else:
            now = datetime.now(UTC)

            def run(conn: Connection) -> ui_reader.HitPage:
                return ui_reader.search_page(
                    conn, tree, flt, now=now, order=order, cursor=_cursor_in(cursor, flt, order)
                )

            try:
                page = await db.read(run)
            except QuerySyntaxError as exc:
                syntax = exc
            except (InputError, OverflowError) as exc:
                error = str(exc) if isinstance(exc, InputError) else "a date is out of range"
    params: dict[str, str] = {}
    if q:
        params["q"] = q
    if source_id is not None:
        params["source_id"] = str(source_id)
    if category:
        params["category"] = category
    if language:
        params["language"] = language
    export_params = urlencode(params)
    next_url = None
    if page is not None and page.next_cursor is not None:
        next_url = "/search?" + urlencode(
            {**params, "order": order.value, "cursor": _cursor_out(page.next_cursor) or ""}
        )
    status = 400 if syntax is not None or error is not None else 200
    return render(
        request,
        "search.html",
        status=status,
        title=f"Search: {q}" if q else "Search",
        q=q or "",
        order=order.value,
        cursor=cursor or "",
        flt=flt,
        choices=choices,
        syntax=syntax,
        error=error,
        page=page,
        mark=marked,
        next_url=next_url,
        first_url="/search?" + urlencode({**params, "order": order.value}),
        order_urls={o.value: "/search?" + urlencode({**params, "order": o.value}) for o in Order},
        export_params=export_params,
        article_suffix=("?" + urlencode({"q": q})) if q else "",
        watch_query=_watch_query(q, flt, source_name) if q else "",
        watch_name=(q or "")[:200],
        syntax_rows=SYNTAX,
        examples=EXAMPLES,
    )
