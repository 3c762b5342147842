"""`mimir search QUERY`: the articles a query matches (the language is in docs/search.md)."""

from __future__ import annotations

from typing import Any

import click

from mimir.cli.common import now, open_db, state
from mimir.cli.output import emit_json
from mimir.search.snippets import Highlighted
from mimir.storage import search as search_store
from mimir.storage.search import Order, SearchHit, SearchPage


@click.command("search")
@click.argument("query")
@click.option(
    "--order",
    type=click.Choice([o.value for o in Order]),
    default=Order.NEWEST.value,
    show_default=True,
    help="newest: by date, newest first; relevance: by BM25/ts_rank_cd with a recency boost.",
)
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, search_store.MAX_LIMIT),
    help="At most this many articles.",
)
@click.option("--cursor", help="Continue after a previous page (its next_cursor).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object with the hits.")
@click.pass_context
def search(
    ctx: click.Context, query: str, order: str, limit: int, cursor: str | None, as_json: bool
) -> None:
    """Search the stored articles: words, "phrases", AND/OR/NOT, -word, word*, NEAR/5,
    fields (title: text: author: tag: url: source: category: lang:), after: before: within:.

    Example: mimir search '"ATSC 3.0" AND (launch OR deploy) -sports within:7d'
    """
    settings = state(ctx).settings()
    with open_db(settings) as db:
        page = db.sync_read(
            search_store.search, query, now=now(), order=Order(order), limit=limit, cursor=cursor
        )
    if as_json:
        emit_json(_page_dict(page))
        return
    if not page.hits:
        click.echo("No articles match.", err=True)
        return
    for hit in page.hits:
        source = hit.source_name or "-"
        title = _styled(hit.title_highlight) or "(no title)"
        click.echo(f"{hit.id:>8}  {hit.date:%Y-%m-%d %H:%M}  {source}  {title}")
        if hit.snippet.text:
            click.echo(f"{'':>8}  {_styled(hit.snippet)}")
        click.echo(f"{'':>8}  {hit.url}")
    if page.next_cursor:
        click.echo(f"More: mimir search ... --cursor {page.next_cursor}", err=True)


def _styled(text: Highlighted) -> str:
    """One line; the matched words in bold on a terminal (click drops the codes elsewhere)."""
    out: list[str] = []
    at = 0
    for a, b in text.highlights:
        out += [text.text[at:a], click.style(text.text[a:b], bold=True)]
        at = b
    out.append(text.text[at:])
    return " ".join("".join(out).split())


def _hit_dict(hit: SearchHit) -> dict[str, Any]:
    return {
        "id": hit.id,
        "title": hit.title,
        "url": hit.url,
        "source_id": hit.source_id,
        "source_name": hit.source_name,
        "language": hit.language,
        "date": hit.date,
        "published_at": hit.published_at,
        "discovered_at": hit.discovered_at,
        "score": hit.score,
        "title_highlights": [list(h) for h in hit.title_highlight.highlights],
        "snippet": hit.snippet.text,
        "snippet_highlights": [list(h) for h in hit.snippet.highlights],
    }


def _page_dict(page: SearchPage) -> dict[str, Any]:
    return {
        "query": page.query,
        "order": page.order.value,
        "hits": [_hit_dict(h) for h in page.hits],
        "next_cursor": page.next_cursor,
    }
