"""`mimir watches ...`, `mimir channels ...`, `mimir alerts ...`: saved searches that alert."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import click

from mimir.cli.common import now, open_db, state
from mimir.cli.output import emit_json, table
from mimir.model.watches import WatchMode, WatchSpec
from mimir.storage import alerts as alert_store
from mimir.storage import watches as watch_store


def _watch_dict(w: watch_store.Watch, names: dict[int, str]) -> dict[str, Any]:
    return {
        "id": w.id,
        "name": w.name,
        "query": w.query,
        "mode": w.mode.value,
        "timezone": w.timezone,
        "enabled": w.enabled,
        "channels": [names.get(c, str(c)) for c in w.channel_ids],
        "feed_token": w.feed_token,
        "next_digest_at": w.next_digest_at,
        "note": w.note,
        "created_at": w.created_at,
    }


@click.group("watches")
def watches() -> None:
    """Saved searches that alert: instantly, or in hourly or daily digests."""


@watches.command("add")
@click.argument("name")
@click.argument("query")
@click.option(
    "--mode",
    type=click.Choice([m.value for m in WatchMode]),
    default=WatchMode.INSTANT.value,
    show_default=True,
    help="instant: one message per new story; hourly/daily: a digest.",
)
@click.option("--timezone", "tz", default="UTC", show_default=True, help="The owner's zone.")
@click.option("--channel", "channels", multiple=True, help="A channel (name or id); repeatable.")
@click.option("--disabled", is_flag=True, help="Store it disabled.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def add(
    ctx: click.Context,
    name: str,
    query: str,
    mode: str,
    tz: str,
    channels: tuple[str, ...],
    disabled: bool,
    as_json: bool,
) -> None:
    """Add a watch: mimir watches add "NextGen TV" '"ATSC 3.0" OR "NextGen TV"' --channel ops"""
    from mimir.alerts.manage import add_watch

    settings = state(ctx).settings()
    spec = WatchSpec(name, query, WatchMode(mode), tz, channels, enabled=not disabled)
    with open_db(settings) as db:
        watch_id = db.sync_write(add_watch, spec, now(), daily_hour=settings.digest_daily_hour)
        watch = db.sync_read(watch_store.find_watch, watch_id)
        names = {c.id: c.name for c in db.sync_read(watch_store.list_channels)}
    if as_json:
        emit_json(_watch_dict(watch, names))
        return
    click.echo(f"Added watch #{watch.id} {watch.name} ({watch.mode.value})")
    click.echo(f"  feed token: {watch.feed_token} (Atom/RSS/JSON Feed of its matches)")


@watches.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def list_(ctx: click.Context, as_json: bool) -> None:
    """Every watch with its mode and channels."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        found = db.sync_read(watch_store.list_watches)
        names = {c.id: c.name for c in db.sync_read(watch_store.list_channels)}
    if as_json:
        emit_json([_watch_dict(w, names) for w in found])
        return
    table(
        ["id", "name", "mode", "enabled", "channels", "query"],
        [
            (
                w.id,
                w.name,
                w.mode.value,
                "yes" if w.enabled else "no",
                ",".join(names.get(c, str(c)) for c in w.channel_ids) or "-",
                w.query,
            )
            for w in found
        ],
    )


@watches.command("test")
@click.argument("query")
@click.option(
    "--limit", default=20, show_default=True, type=click.IntRange(1, 500), help="At most this many."
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def test(ctx: click.Context, query: str, limit: int, as_json: bool) -> None:
    """What QUERY (or the query of the watch named QUERY) would have matched in 7 days."""
    from mimir.alerts.manage import last_week
    from mimir.errors import NotFound

    settings = state(ctx).settings()
    with open_db(settings) as db:
        with contextlib.suppress(NotFound):
            query = db.sync_read(watch_store.find_watch, query).query
        page = db.sync_read(last_week, query, now(), limit)
    if as_json:
        emit_json(
            {
                "query": query,
                "matches": [
                    {"id": h.id, "title": h.title, "url": h.url, "source": h.source_name,
                     "date": h.date}
                    for h in page.hits
                ],
            }
        )  # fmt: skip
        return
    if not page.hits:
        click.echo("Nothing in the last 7 days matches.", err=True)
        return
    for h in page.hits:
        click.echo(f"{h.id:>8}  {h.date:%Y-%m-%d %H:%M}  {h.source_name or '-'}  {h.title}")
    click.echo(f"{len(page.hits)} matches" + (" (more exist)" if page.next_cursor else ""))


def _set(ctx: click.Context, refs: tuple[str, ...], enabled: bool) -> None:
    settings = state(ctx).settings()
    with open_db(settings) as db:
        for ref in refs:
            w = db.sync_read(watch_store.find_watch, ref)
            db.sync_write(watch_store.set_enabled, w.id, enabled, now())
            click.echo(f"{'Enabled' if enabled else 'Disabled'} watch #{w.id} {w.name}")


@watches.command("enable")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def enable(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Enable watches (by id or name)."""
    _set(ctx, refs, True)


@watches.command("disable")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def disable(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Disable watches (by id or name); their alerts stay."""
    _set(ctx, refs, False)


@watches.command("remove")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def remove(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Remove watches and their alerts."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        for ref in refs:
            w = db.sync_read(watch_store.find_watch, ref)
            db.sync_write(watch_store.remove_watch, w.id)
            click.echo(f"Removed watch #{w.id} {w.name}")


# ---- channels -------------------------------------------------------------------------------


@click.group("channels")
def channels() -> None:
    """Where alerts go: Apprise URLs (mailto://, slack://, msteams://, ntfy://, json:// ...)."""


@channels.command("add")
@click.argument("name")
@click.argument("url")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def channel_add(ctx: click.Context, name: str, url: str, as_json: bool) -> None:
    """Add a channel. Secrets can stay in the environment: mailtos://me:${SMTP_PASS}@host
    (with SMTP_PASS listed in MIMIR_CHANNEL_SECRETS). A json:// webhook gets a signing secret,
    printed once."""
    from mimir.alerts.manage import add_channel

    settings = state(ctx).settings()
    with open_db(settings) as db:
        made = db.sync_write(add_channel, name, url, now())
    if as_json:
        emit_json(
            {"id": made.id, "name": made.name, "url": made.display, "kind": made.kind,
             "webhook_secret": made.webhook_secret}
        )  # fmt: skip
        return
    click.echo(f"Added channel #{made.id} {made.name}: {made.display}")
    if made.webhook_secret:
        click.echo(f"  webhook signing secret (shown once): {made.webhook_secret}")


@channels.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def channel_list(ctx: click.Context, as_json: bool) -> None:
    """Every channel (URLs shown with their secrets hidden)."""
    from mimir.alerts.channels import PLACEHOLDER, parse_channel

    def display(url: str) -> str:
        try:
            dummy = {n: "placeholder" for n in PLACEHOLDER.findall(url)}
            return parse_channel(url, placeholders=dummy).display
        except Exception:
            return "(invalid)"

    settings = state(ctx).settings()
    with open_db(settings) as db:
        found = db.sync_read(watch_store.list_channels)
    rows = [
        {"id": c.id, "name": c.name, "kind": c.kind, "url": display(c.url), "enabled": c.enabled}
        for c in found
    ]
    if as_json:
        emit_json(rows)
        return
    table(["id", "name", "kind", "url"], [(r["id"], r["name"], r["kind"], r["url"]) for r in rows])


@channels.command("test")
@click.argument("ref")
@click.pass_context
def channel_test(ctx: click.Context, ref: str) -> None:
    """Send a test message to a channel now and say how it went."""
    from mimir.alerts.notify import Notifier

    settings = state(ctx).settings()
    with open_db(settings) as db:
        channel = db.sync_read(watch_store.find_channel, ref)

    async def send() -> Any:
        async with Notifier(
            allowed_networks=settings.notify_networks,
            timeout_seconds=settings.notify_timeout_seconds,
            user_agent=settings.user_agent,
            placeholders=settings.channel_placeholders(),
        ) as notifier:
            return await notifier.send_test(channel.url, secret=channel.webhook_secret)

    result = asyncio.run(send())
    if result.ok:
        click.echo(f"Sent a test message to {channel.name} ({result.duration_seconds:.2f} s)")
        return
    raise click.ClickException(f"{channel.name}: {result.error_class}: {result.error_message}")


@channels.command("remove")
@click.argument("refs", nargs=-1, required=True)
@click.pass_context
def channel_remove(ctx: click.Context, refs: tuple[str, ...]) -> None:
    """Remove channels (watches stay, without them)."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        for ref in refs:
            c = db.sync_read(watch_store.find_channel, ref)
            db.sync_write(watch_store.remove_channel, c.id)
            click.echo(f"Removed channel #{c.id} {c.name}")


# ---- alerts -----------------------------------------------------------------------------------


@click.group("alerts")
def alerts() -> None:
    """What the watches matched, and what was sent."""


@alerts.command("list")
@click.option("--watch", "watch_ref", help="Only this watch (id or name).")
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="At most this many.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def alerts_list(ctx: click.Context, watch_ref: str | None, limit: int, as_json: bool) -> None:
    """The latest alerts, newest first."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        watch_id = db.sync_read(watch_store.find_watch, watch_ref).id if watch_ref else None
        found = db.sync_read(lambda c: alert_store.list_alerts(c, watch_id=watch_id, limit=limit))
        cards = db.sync_read(alert_store.article_cards, [a.article_id for a in found])
        names = {w.id: w.name for w in db.sync_read(watch_store.list_watches)}
    rows: list[dict[str, Any]] = [
        {
            "id": a.id,
            "watch": names.get(a.watch_id, str(a.watch_id)),
            "story_id": a.story_id,
            "article_id": a.article_id,
            "title": (cards.get(a.article_id) or {}).get("title"),
            "url": (cards.get(a.article_id) or {}).get("canonical_url"),
            "matched_terms": list(a.matched_terms),
            "created_at": a.created_at,
        }
        for a in found
    ]
    if as_json:
        emit_json(rows)
        return
    table(
        ["id", "when", "watch", "terms", "title"],
        [
            (r["id"], f"{r['created_at']:%Y-%m-%d %H:%M}", r["watch"],
             ", ".join(r["matched_terms"]), r["title"])
            for r in rows
        ],
    )  # fmt: skip


@alerts.command("outbox")
@click.option(
    "--state",
    "state_",
    type=click.Choice(["pending", "sent", "dead"]),
    help="Only rows in this state.",
)
@click.option(
    "--limit",
    default=50,
    show_default=True,
    type=click.IntRange(1, 10_000),
    help="At most this many.",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts).")
@click.pass_context
def alerts_outbox(ctx: click.Context, state_: str | None, limit: int, as_json: bool) -> None:
    """Notifications queued, sent, or given up, with their attempts."""
    settings = state(ctx).settings()
    with open_db(settings) as db:
        rows = db.sync_read(lambda c: alert_store.outbox_rows(c, state=state_, limit=limit))
    if as_json:
        emit_json(rows)
        return
    table(
        ["id", "kind", "state", "attempts", "channel", "error"],
        [
            (r["id"], r["kind"], r["state"], r["attempts"], r["channel_id"], r["last_error"] or "")
            for r in rows
        ],
    )
