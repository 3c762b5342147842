"""`mimir articles ...`: list, show, export, delete."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

import click

from mimir.cli.common import MimirGroup, now, open_db, state
from mimir.cli.output import ago, dumps, emit_json, table, to_jsonable
from mimir.errors import NotFound
from mimir.storage import articles as article_store
from mimir.storage import sources as source_store

EXPORT_FIELDS = [
    "id",
    "url",
    "canonical_url",
    "title",
    "text",
    "summary",
    "authors",
    "published_at",
    "updated_at",
    "language",
    "image_url",
    "section",
    "tags",
    "source_id",
    "source_name",
    "fetched_at",
    "discovered_at",
    "revision",
    "extraction",
]


@click.group(cls=MimirGroup)
def articles() -> None:
    """Read and export stored articles."""


def _since(value: str | None) -> datetime | None:
    if not value:
        return None
    units = {"m": 60, "h": 3600, "d": 86400}
    if value[-1:] in units and value[:-1].isdigit():
        try:
            return now() - timedelta(seconds=int(value[:-1]) * units[value[-1]])
        except OverflowError as exc:
            raise click.BadParameter(
                f"{value!r} reaches too far back", param_hint="--since"
            ) from exc
    try:
        dt = datetime.fromisoformat(value)
    except ValueError as exc:
        raise click.BadParameter("use 24h, 7d or an ISO date", param_hint="--since") from exc
    return dt if dt.tzinfo else dt.replace(tzinfo=now().tzinfo)


@articles.command("list")
@click.option("--source", "source_ref", help="Only this source (id, name or URL).")
@click.option("--since", help="Discovered within (24h, 7d) or after an ISO date.")
@click.option(
    "--limit",
    default=20,
    show_default=True,
    type=click.IntRange(1, 10000),
    help="At most this many articles.",
)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_(
    ctx: click.Context, source_ref: str | None, since: str | None, limit: int, as_json: bool
) -> None:
    """The newest articles first."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        sid = db.sync_read(source_store.find_source, source_ref).id if source_ref else None
        rows = db.sync_read(
            article_store.list_recent, limit=limit, source_id=sid, since=_since(since)
        )
    if as_json:
        emit_json(rows)
        return
    t = now()
    table(
        ["id", "found", "source", "lang", "title"],
        [
            (r["id"], ago(r["discovered_at"], t), r["source_name"], r["language"], r["title"])
            for r in rows
        ],
        max_width=70,
    )


@articles.command("show")
@click.argument("article_id", type=int)
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_context
def show(ctx: click.Context, article_id: int, as_json: bool) -> None:
    """One article with its revisions."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        a = db.sync_read(article_store.get, article_id)
    if a is None:
        raise NotFound(f"no article {article_id}")
    if as_json:
        emit_json(a)
        return
    for key in (
        "id",
        "title",
        "canonical_url",
        "url",
        "source_name",
        "authors",
        "published_at",
        "updated_at",
        "language",
        "section",
        "tags",
        "image_url",
        "revision",
        "extraction",
        "discovered_at",
        "fetched_at",
        "deleted_at",
    ):
        click.echo(f"{key:>14}: {to_jsonable(a.get(key))}")
    click.echo("")
    click.echo(a["text"])
    for r in a["revisions"]:
        click.echo(f"\n--- revision {r['revision']} (fetched {r['fetched_at']}): {r['title']}")


@articles.command("delete")
@click.argument("article_ids", type=int, nargs=-1, required=True)
@click.pass_context
def delete(ctx: click.Context, article_ids: tuple[int, ...]) -> None:
    """Delete articles for good: a tombstone keeps them from coming back."""
    settings = state(ctx).settings()
    missing: list[int] = []
    with open_db(settings) as db:
        for aid in dict.fromkeys(article_ids):
            if db.sync_write(article_store.tombstone, aid, now()):
                click.echo(f"Deleted {aid}")
            elif db.sync_read(article_store.get, aid) is None:
                missing.append(aid)
            else:
                click.echo(f"Already deleted: {aid}")
    if missing:
        raise NotFound(f"no article {', '.join(map(str, missing))}")


@articles.command("export")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["ndjson", "csv", "json"]),
    default="ndjson",
    show_default=True,
    help="NDJSON (one object a line), CSV (with a header) or one JSON array.",
)
@click.option("--source", "source_ref", help="Only this source.")
@click.option("--since", help="Discovered within (24h, 7d) or after an ISO date.")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.pass_context
def export(
    ctx: click.Context, fmt: str, source_ref: str | None, since: str | None, output: Path | None
) -> None:
    """Stream every article (NDJSON: one JSON object per line; or CSV)."""
    since_dt = _since(since)
    settings = state(ctx).settings()
    with open_db(settings) as db:
        sid = db.sync_read(source_store.find_source, source_ref).id if source_ref else None
        with _open_output(output) as out:
            n = db.sync_read(_write, out, fmt, sid, since_dt)
    click.echo(f"Exported {n} articles", err=True)


@contextmanager
def _open_output(output: Path | None) -> Iterator[IO[str]]:
    """The file, or standard output; UTF-8 whatever the locale says (NDJSON and CSV are read
    as UTF-8), newlines written as they are (CSV rows end in CRLF, as RFC 4180 says)."""
    if output is not None:
        with output.open("w", encoding="utf-8", newline="") as f:
            yield f
        return
    buffer = getattr(sys.stdout, "buffer", None)
    if buffer is None:  # a text-only stand-in for standard output
        yield sys.stdout
        return
    sys.stdout.flush()
    out = io.TextIOWrapper(buffer, encoding="utf-8", newline="")
    try:
        yield out
    finally:
        out.flush()
        out.detach()  # standard output stays open


def _write(conn: Any, out: IO[str], fmt: str, source_id: int | None, since: datetime | None) -> int:
    n = 0
    rows = article_store.iter_export(conn, source_id=source_id, since=since)
    if fmt == "csv":
        w = csv.DictWriter(out, fieldnames=EXPORT_FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in rows:
            rec = to_jsonable(r)
            rec["authors"] = "; ".join(rec["authors"] or [])
            rec["tags"] = "; ".join(rec["tags"] or [])
            w.writerow(rec)
            n += 1
        return n
    if fmt == "json":
        out.write("[")
    for r in rows:
        if fmt == "json" and n:
            out.write(",")
        out.write(dumps({k: r.get(k) for k in EXPORT_FIELDS}))
        if fmt == "ndjson":
            out.write("\n")
        n += 1
    if fmt == "json":
        out.write("]\n")
    return n


__all__ = ["articles", "json"]
