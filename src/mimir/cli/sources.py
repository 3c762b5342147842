"""`mimir sources ...`: add (with discovery), list, show, enable/disable, remove, import, export."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import click

from mimir.cli.common import MimirGroup, now, open_db, state
from mimir.cli.output import ago, emit_json, table
from mimir.db.database import Database
from mimir.errors import InputError
from mimir.model import Selectors, Source, SourceKind, SourceSpec
from mimir.storage import sources as source_store


@click.group(cls=MimirGroup)
def sources() -> None:
    """Manage the sources Mimir follows."""


def _source_dict(s: Source) -> dict[str, Any]:
    return {
        "id": s.id,
        "name": s.name,
        "url": s.url,
        "kind": s.kind.value,
        "enabled": s.enabled,
        "category": s.category,
        "note": s.note,
        "status": s.status,
        "title": s.title,
        "site_url": s.site_url,
        "last_checked_at": s.last_checked_at,
        "last_success_at": s.last_success_at,
        "next_check_at": s.next_check_at,
        "interval_seconds": s.interval_seconds,
        "consecutive_errors": s.consecutive_errors,
        "last_error_class": s.last_error_class,
        "last_error_message": s.last_error_message,
        "article_count": s.article_count,
        "total_checks": s.total_checks,
        "total_errors": s.total_errors,
        "settings": s.settings,
    }


def _selectors(pairs: tuple[str, ...]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or key not in Selectors.__slots__:
            raise click.BadParameter(
                f"{pair!r}: use NAME=CSS with NAME one of {', '.join(Selectors.__slots__)}",
                param_hint="--selector",
            )
        if key == "max_pages":
            if not value.strip().isdigit() or int(value) < 1:
                raise click.BadParameter(
                    f"{pair!r}: max_pages must be a whole number of at least 1",
                    param_hint="--selector",
                )
            out[key] = int(value)
        elif not value.strip():
            raise click.BadParameter(
                f"{pair!r}: the CSS selector is empty", param_hint="--selector"
            )
        else:
            out[key] = value.strip()
    return out


@sources.command("add")
@click.argument("url")
@click.option("--name", help="Display name (default: the feed's title or the host).")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in SourceKind]),
    help="Skip discovery: read URL as this kind.",
)
@click.option("--category", help="A category label, e.g. trade_press.")
@click.option(
    "--selector",
    "selectors",
    multiple=True,
    metavar="NAME=CSS",
    help="CSS selector for listing pages / article pages (repeatable).",
)
@click.option("--full-content", is_flag=True, help="The feed carries whole articles.")
@click.option("--min-interval", type=click.IntRange(min=1), help="Minimum seconds between checks.")
@click.option("--max-interval", type=click.IntRange(min=1), help="Maximum seconds between checks.")
@click.option("--disabled", is_flag=True, help="Add without following it yet.")
@click.option("--json", "as_json", is_flag=True, help="Print the source and the report as JSON.")
@click.pass_context
def add(
    ctx: click.Context,
    url: str,
    name: str | None,
    kind: str | None,
    category: str | None,
    selectors: tuple[str, ...],
    full_content: bool,
    min_interval: int | None,
    max_interval: int | None,
    disabled: bool,
    as_json: bool,
) -> None:
    """Add a source. Without --kind, find out what URL is (feed, sitemap, page linking feeds,
    listing page) and pick the best, with a report."""
    # options first: a usage error must not wait for the network
    opts: dict[str, Any] = {}
    if selectors:
        opts["selectors"] = _selectors(selectors)
    if min_interval and max_interval and min_interval > max_interval:
        raise click.BadParameter(
            f"{min_interval} is more than --max-interval {max_interval}",
            param_hint="--min-interval",
        )
    settings = state(ctx).settings()
    db = open_db(settings)
    try:
        report: list[str] = []
        chosen_url, chosen_kind, title = url, SourceKind(kind) if kind else None, None
        if chosen_kind is None:
            d = asyncio.run(_discover(settings, db, url))
            report = d.report()
            if d.chosen is None:
                for line in report:
                    click.echo(line, err=True)
                raise InputError(f"no feed, sitemap or listing found at {url}")
            chosen_url, chosen_kind, title = d.chosen.url, d.chosen.kind, d.chosen.title
            from mimir.monitor.discover import sibling_followed

            urls = [c.url for c in d.candidates]
            why_not = sibling_followed(d, db.sync_read(source_store.followed, urls))
            if why_not:
                for line in report:
                    click.echo(line, err=True)
                raise InputError(why_not)
        if full_content:
            opts["full_content"] = True
        if min_interval:
            opts["min_interval_seconds"] = min_interval
        if max_interval:
            opts["max_interval_seconds"] = max_interval
        from urllib.parse import urlsplit

        spec = SourceSpec(
            name=name or (title or "").strip()[:200] or urlsplit(chosen_url).netloc,
            url=chosen_url,
            kind=chosen_kind,
            enabled=not disabled,
            category=category,
            settings=opts,
        )
        try:
            # a name read from the feed's title ("News") gets a number when another has it
            source = db.sync_write(source_store.add_source, spec, now(), rename=name is None)
        except InputError:
            for line in report:  # what was found, then why it is not added
                click.echo(line, err=True)
            raise
    finally:
        db.close()
    if as_json:
        emit_json({"source": _source_dict(source), "discovery": report})
        return
    for line in report:
        click.echo(line)
    click.echo(f"Added source #{source.id} {source.name!r} ({source.kind.value}) {source.url}")


async def _discover(settings: Any, db: Database, url: str) -> Any:
    # the worker stack (aiohttp, trafilatura ...) only for the command that fetches
    from mimir.jobs.runtime import open_context
    from mimir.monitor.discover import discover

    async with open_context(settings, db=db, extract_processes=-1) as c:
        return await discover(c.fetcher, url, c.clock())


@sources.command("list")
@click.option("--enabled/--disabled", "enabled", default=None, help="Filter by state.")
@click.option("--failing", is_flag=True, help="Only sources whose last check failed.")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array.")
@click.pass_context
def list_(ctx: click.Context, enabled: bool | None, failing: bool, as_json: bool) -> None:
    """List sources with their health."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        rows = db.sync_read(source_store.list_sources, enabled=enabled)
    if failing:
        rows = [
            s
            for s in rows
            if s.consecutive_errors or s.status in ("error", "robots_denied", "rate_limited")
        ]
    if as_json:
        emit_json([_source_dict(s) for s in rows])
        return
    t = now()
    table(
        ["id", "name", "kind", "on", "status", "articles", "last check", "next check", "error"],
        [
            (
                s.id,
                s.name,
                s.kind.value,
                "yes" if s.enabled else "no",
                s.status,
                s.article_count,
                ago(s.last_checked_at, t),
                ago(s.next_check_at, t) if s.enabled else "-",
                s.last_error_class and f"{s.last_error_class}: {s.last_error_message}",
            )
            for s in rows
        ],
        max_width=48,
    )


@sources.command("show")
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON object.")
@click.pass_context
def show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show one source with its recent fetch history."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        s = db.sync_read(source_store.find_source, ref)
        s.article_count = next(
            (x.article_count for x in db.sync_read(source_store.list_sources) if x.id == s.id), 0
        )
        history = db.sync_read(source_store.fetch_history, s.id, 20)
    if as_json:
        emit_json({**_source_dict(s), "history": history})
        return
    t = now()
    for key, value in _source_dict(s).items():
        if key == "settings":
            continue
        if hasattr(value, "isoformat"):
            value = f"{value.isoformat()} ({ago(value, t)})"
        click.echo(f"{key:>20}: {value if value is not None else '-'}")
    if s.settings:
        import json

        click.echo(f"{'settings':>20}: {json.dumps(s.settings, ensure_ascii=False)}")
    click.echo("\nRecent checks:")
    table(
        ["when", "outcome", "status", "entries", "new", "ms", "error"],
        [
            (
                ago(h["started_at"], t),
                h["outcome"],
                h["status_code"],
                h["entries"],
                h["new_entries"],
                h["duration_ms"],
                h["message"],
            )
            for h in history
        ],
    )


def _find_all(db: Database, refs: tuple[str, ...]) -> list[Source]:
    """Every source named, or NotFound before anything is changed."""
    found: dict[int, Source] = {}
    for ref in refs:
        s = db.sync_read(source_store.find_source, ref)
        found.setdefault(s.id, s)
    return list(found.values())


def _set_enabled(ctx: click.Context, refs: tuple[str, ...], enabled: bool) -> None:
    settings = state(ctx).settings()
    with open_db(settings) as db:
        for s in _find_all(db, refs):
            db.sync_write(source_store.set_enabled, s.id, enabled, now())
            click.echo(f"{'Enabled' if enabled else 'Disabled'} #{s.id} {s.name}")


@sources.command("enable")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def enable(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Start following sources (id, name or URL); they are checked right away."""
    _set_enabled(ctx, refs, True)


@sources.command("disable")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def disable(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Stop following sources; their articles stay."""
    _set_enabled(ctx, refs, False)


@sources.command("remove")
@click.argument("refs", nargs=-1, required=True)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation (for scripts).")
@click.pass_context
def remove(ctx: click.Context, refs: tuple[str, ...], yes: bool) -> None:
    """Remove sources and their fetch history (their stored articles are kept)."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        for s in _find_all(db, refs):
            if not yes:
                click.confirm(f"Remove #{s.id} {s.name}?", abort=True)
            db.sync_write(source_store.remove_source, s.id)
            click.echo(f"Removed #{s.id} {s.name}")


@sources.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--enable-all", is_flag=True, help="Enable every imported source.")
@click.option("--dry-run", is_flag=True, help="Report only; store nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the import report as JSON.")
@click.pass_context
def import_(ctx: click.Context, file: Path, enable_all: bool, dry_run: bool, as_json: bool) -> None:
    """Import OPML 2.0 or the earlier product's JSON files (all three dialects)."""
    from mimir.importers.detect import parse_import

    settings = state(ctx).settings()
    report = parse_import(file.read_bytes(), file.name)
    from mimir.alerts.manage import ImportedWatches, import_watches
    from mimir.importers.watches import watches_from_rules

    added: list[str] = []
    existing: list[tuple[str, str]] = []
    found_watches = watches_from_rules(report.keyword_rules, report.file_settings)
    made = ImportedWatches(notes=list(found_watches.notes))
    if not dry_run:
        with open_db(settings) as db:
            for spec in report.sources:
                if enable_all:
                    spec.enabled = True
                original = spec.name
                try:
                    db.sync_write(source_store.add_source, spec, now(), rename=True)
                    added.append(spec.name)
                    if spec.name != original:
                        report.warnings.append(source_store.renamed_note(original, spec.name))
                except InputError as exc:
                    existing.append((spec.name, exc.message))
            if found_watches.watches or found_watches.channels:
                made = db.sync_write(
                    import_watches, found_watches, now(), daily_hour=settings.digest_daily_hour
                )
    out = {
        "file": str(file),
        "found": len(report.sources),
        "added": added,
        "already_present": [{"name": n, "reason": r} for n, r in existing],
        "skipped": [{"entry": n, "reason": r} for n, r in report.skipped],
        "unknown_keys": report.unknown_keys,
        "warnings": report.warnings,
        "keyword_rules": report.keyword_rules,
        "watches": {
            "found": [w.name for w in found_watches.watches],
            "added": made.watches,
            "channels_added": made.channels,
            "already_present": made.existing,
            "notes": made.notes,
        },
        "dry_run": dry_run,
    }
    if as_json:
        emit_json(out)
        return
    click.echo(
        f"{file.name}: {len(report.sources)} sources found, {len(added)} added"
        + (" (dry run)" if dry_run else "")
    )
    for n, r in existing:
        click.echo(f"  = {n}: {r}")
    for n, r in report.skipped:
        click.echo(f"  ! skipped {n}: {r}")
    for n, keys in report.unknown_keys.items():
        click.echo(f"  ? {n}: unknown keys kept in settings.legacy: {', '.join(keys)}")
    for w in report.warnings:
        click.echo(f"  warning: {w}")
    if found_watches.watches:
        click.echo(
            f"  {len(found_watches.watches)} watches from the keyword rules, "
            f"{len(made.watches)} added"
            + (" (dry run)" if dry_run else "")
            + ": `mimir watches list`"
        )
        for name in made.channels:
            click.echo(f"  + channel {name}")
        for name in made.existing:
            click.echo(f"  = {name}: exists already")
    for note in made.notes:
        click.echo(f"  note: {note}")
    added_names = set(added)
    disabled = sum(1 for s in report.sources if not s.enabled and s.name in added_names)
    if disabled:
        click.echo(
            f"  {disabled} of the added sources are disabled (as in the file): "
            "`mimir sources enable NAME`."
        )


@sources.command("export")
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file instead of standard output.",
)
@click.pass_context
def export(ctx: click.Context, output: Path | None) -> None:
    """Export every source as OPML 2.0."""
    from mimir.importers.opml import export_opml

    settings = state(ctx).settings()
    with open_db(settings) as db:
        specs = db.sync_read(source_store.all_specs)
    data = export_opml(specs)
    if output:
        output.write_bytes(data)
        click.echo(f"Wrote {len(specs)} sources to {output}", err=True)
    else:
        click.echo(data, nl=False)
