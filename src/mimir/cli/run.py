"""init / migrate / run / worker / refresh / fetch."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mimir.cli.common import now, open_db, safe_url, state, upgraded_db
from mimir.cli.output import ago, dumps, emit_json, table
from mimir.config import Settings
from mimir.db.database import Database
from mimir.errors import ConfigError
from mimir.logs import configure_logging
from mimir.model import SourceKind, SourceSpec
from mimir.model.watches import WatchSpec
from mimir.storage import sources as source_store
from mimir.storage import watches as watch_store

if TYPE_CHECKING:
    from mimir.monitor.context import Event

# The worker stack (mimir.jobs, mimir.monitor: aiohttp, trafilatura, lxml ...) and the demo
# site are imported inside the commands that use them, so `mimir --help` and the listing
# commands start quickly.


@click.command()
@click.pass_context
def init(ctx: click.Context) -> None:
    """Create or upgrade the database (Alembic migrations to the latest revision)."""
    settings = state(ctx).settings()
    db, revision = upgraded_db(settings)
    db.close()
    click.echo(f"Database ready: {safe_url(settings)} (revision {revision})")


@click.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply database migrations (the same as `init`; run once per deploy)."""
    ctx.invoke(init)


class ConsoleEvents:
    """Prints articles as they arrive and failing sources, one line each."""

    def __init__(self, names: dict[int, str], as_json: bool = False, quiet: bool = False) -> None:
        self.names = names
        self.as_json = as_json
        self.quiet = quiet
        self.new = 0
        self.revised = 0
        self.watches: dict[int, str] = {}

    def __call__(self, event: Event) -> None:
        d = event.data
        if event.kind in ("article_new", "article_revised"):
            if event.kind == "article_new":
                self.new += 1
            else:
                self.revised += 1
            if self.quiet:
                return
            if self.as_json:
                click.echo(dumps({"event": event.kind, **d}))
                return
            mark = "+" if event.kind == "article_new" else "~"
            name = self.names.get(d.get("source_id") or 0, "?")
            lang = f" [{d['language']}]" if d.get("language") else ""
            click.echo(f"{mark} {name}: {d.get('title') or '(untitled)'}{lang}")
            click.echo(f"    {d.get('url')}")
        elif event.kind == "alert" and not self.quiet:
            if self.as_json:
                click.echo(dumps({"event": event.kind, **d}))
                return
            watch = self.watches.get(d.get("watch_id") or 0, f"watch #{d.get('watch_id')}")
            terms = ", ".join(d.get("terms") or [])
            click.echo(f"  ★ {watch} ({terms}): story #{d.get('story_id')}")
        elif (
            event.kind == "source_checked"
            and d.get("outcome") not in ("ok", "not_modified")
            and not (self.as_json or self.quiet)
        ):
            click.echo(
                f"! {d.get('name')}: {d.get('outcome')} {d.get('error_class') or ''} "
                f"{(d.get('message') or '')[:120]} (next check {d.get('next_check_at')})",
                err=True,
            )


@click.command()
@click.option("--demo", is_flag=True, help="Also start a bundled local news site and follow it.")
@click.option("--demo-port", default=8765, show_default=True, help="Port of the demo site.")
@click.option("--json", "as_json", is_flag=True, help="Print events as JSON lines.")
@click.pass_context
def run(ctx: click.Context, demo: bool, demo_port: int, as_json: bool) -> None:
    """Run everything in one process (the embedded default: SQLite, no other service)."""
    from mimir.jobs.runtime import settle_heap

    st = state(ctx)
    extra: dict[str, Any] = {}
    if demo:
        base = st.settings()
        nets = ",".join(filter(None, [base.fetch_allowed_networks, "127.0.0.1/32"]))
        extra["fetch_allowed_networks"] = nets
        if "MIMIR_PER_HOST_INTERVAL_SECONDS" not in os.environ:
            # every demo source is on one local host, our own: 1 s between its pages would
            # make the 60-article backlog take a minute and a Ctrl-C wait for it to drain
            extra["per_host_interval_seconds"] = min(base.per_host_interval_seconds, 0.1)
        if "database_url" not in st.overrides and not os.environ.get("MIMIR_DATABASE_URL"):
            data = Path(os.environ.get("MIMIR_DATA_DIR", "~/.local/share/mimir")).expanduser()
            extra["database_url"] = f"sqlite:///{data / 'demo.db'}"
    settings = _console_logging(st.settings(**extra) if extra else st.settings())

    db, _revision = upgraded_db(settings)
    with db:
        site = None
        if demo:
            site = _start_demo(demo_port)
            _ensure_sources(db, site.source_specs(), replace_urls=True)
            _ensure_demo_watch(db)
            click.echo(f"Demo news site running at {site.url}")
        elif not db.sync_read(source_store.list_sources):
            from mimir.importers.defaults import default_sources

            _ensure_sources(db, default_sources(), replace_urls=False)
            click.echo(
                "Added the media/broadcast-industry default sources, disabled: "
                "`mimir sources list`, then `mimir sources enable NAME`."
            )
        srcs = db.sync_read(source_store.list_sources)
        names = {s.id: s.name for s in srcs}
        enabled = sum(1 for s in srcs if s.enabled)
        printer = ConsoleEvents(names, as_json)
        printer.watches = {w.id: w.name for w in db.sync_read(watch_store.list_watches)}
        try:
            # the handlers go in before the banner: a Ctrl-C right after it must stop cleanly
            with _stop_on_signals() as stop:
                click.echo(
                    f"Mimir is running on {safe_url(settings)}: {enabled} of {len(srcs)} "
                    "sources enabled. New articles appear below; Ctrl-C stops."
                )
                api = _api_server(settings, db)
                settle_heap()
                asyncio.run(_worker_and_api(settings, db, api, stop, printer))
        finally:
            if site is not None:
                site.stop()
        click.echo(f"Stopped: {printer.new} new articles, {printer.revised} revisions this run.")


def _console_logging(settings: Settings) -> Settings:
    """``settings`` for a command whose console lines report every article, alert and
    failing source (`mimir run`, `mimir refresh`): unless a log level was asked for, only
    warnings and errors are logged. The info-level lines (each job's, the web server's) are
    for a log collector, as `mimir worker` and `mimir serve` write them; here they would say
    it all twice. MIMIR_LOG_LEVEL=info (or --log-level info) brings them back."""
    if "log_level" in settings.model_fields_set:
        return settings
    quiet = settings.model_copy(update={"log_level": "warning"})
    configure_logging(quiet.log_level, quiet.log_format)
    return quiet


@contextmanager
def _stop_on_signals() -> Iterator[asyncio.Event]:
    """SIGINT/SIGTERM ask the worker to stop gracefully, even before its loop has started.

    The worker installs the same handlers on its event loop; these cover the moments before
    (a Ctrl-C right after "Mimir is running" would otherwise be a KeyboardInterrupt).
    """
    stop = asyncio.Event()
    previous = {sig: signal.signal(sig, lambda *_: stop.set()) for sig in _STOP_SIGNALS}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


_STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _start_demo(port: int) -> Any:
    from mimir.demo.site import DemoSite

    for p in (port, 0):
        try:
            site = DemoSite(port=p)
            site.start()
            return site
        except OSError:
            continue
    raise click.ClickException("cannot start the demo site")


def _ensure_sources(db: Database, specs: list[SourceSpec], *, replace_urls: bool) -> None:
    def apply(conn: Any) -> None:
        existing = {s.name: s for s in source_store.list_sources(conn)}
        t = now()
        for spec in specs:
            old = existing.get(spec.name)
            if old is None:
                source_store.add_source(conn, spec, t)
            elif replace_urls and old.url != spec.url:
                source_store.update_url(conn, old.id, spec.url, t)
                source_store.update_settings(conn, old.id, spec.settings, t)

    db.sync_write(apply)


def _api_server(settings: Settings, db: Database) -> Any:
    """The HTTP side (output feeds, probes) next to the worker; a busy port is a warning, not
    a reason to stop ingesting (the zero-setup default must start)."""
    from mimir.api.server import ApiServer
    from mimir.api.setup import setup_message

    try:
        api = ApiServer(settings, db=db)
    except ConfigError as exc:
        click.echo(f"warning: {exc.message}; no HTTP (set MIMIR_HTTP_PORT)", err=True)
        return None
    click.echo(
        f"Web UI on {api.url}/ ; API on {api.url}/api/v1 (OpenAPI: /api/v1/openapi.json); "
        "output feeds at /feeds/TOKEN.atom; probes /healthz, /readyz"
    )
    message = setup_message(db, settings.public_url or api.url)
    if message:
        click.echo(message)
    return api


async def _worker_and_api(
    settings: Settings, db: Database, api: Any, stop: asyncio.Event, printer: ConsoleEvents
) -> dict[str, Any]:
    from mimir.jobs.runtime import run_worker

    served = asyncio.create_task(api.serve(stop)) if api is not None else None
    try:
        return await run_worker(settings, stop=stop, on_event=printer, db=db)
    finally:
        stop.set()  # the worker may end on its own: take the API down with it
        if served is not None:
            await served


DEMO_WATCH = WatchSpec(
    "Next-generation broadcast (demo)",
    '"NextGen TV" OR "ATSC 3.0" OR "DVB-I" OR "5G Broadcast"',
    note="created by mimir run --demo; alerts print in the console (add a channel to send them)",
)


def _ensure_demo_watch(db: Database) -> None:
    """A watch on the demo's subjects, so the console shows alerts (once per story)."""
    from mimir.alerts.manage import add_watch

    def apply(conn: Any) -> None:
        if not any(w.name == DEMO_WATCH.name for w in watch_store.list_watches(conn)):
            add_watch(conn, DEMO_WATCH, now())

    db.sync_write(apply)


@click.command()
@click.pass_context
def worker(ctx: click.Context) -> None:
    """Claim due sources and article pages and process them until SIGTERM (scale by replicas)."""
    from mimir.jobs.runtime import run_worker, settle_heap
    from mimir.samplers import worker_metrics_server

    settings = state(ctx).settings()
    db = open_db(settings)
    try:
        # /metrics on MIMIR_METRICS_PORT (docs/metrics.md); `mimir run` has it on its HTTP port
        with _stop_on_signals() as stop, worker_metrics_server(settings):
            settle_heap()
            stats = asyncio.run(run_worker(settings, stop=stop, db=db))
    finally:
        db.close()
    click.echo(dumps({"event": "worker_stopped", **stats}), err=True)


@click.command()
@click.argument("refs", nargs=-1)
@click.option("--all", "all_", is_flag=True, help="Every enabled source.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def refresh(ctx: click.Context, refs: tuple[str, ...], all_: bool, as_json: bool) -> None:
    """Check sources now, in the foreground, fetch their new articles, then exit (for cron)."""
    if not refs and not all_:
        raise click.UsageError("name one or more sources (id, name or URL), or use --all")
    from mimir.jobs.runtime import run_worker

    settings = _console_logging(state(ctx).settings())
    db = open_db(settings)
    try:
        ids: list[int] | None = None
        if refs:
            ids = [db.sync_read(source_store.find_source, r).id for r in refs]
        db.sync_write(source_store.make_due, ids, now())
        results: dict[int, dict[str, Any]] = {}
        names = {s.id: s.name for s in db.sync_read(source_store.list_sources)}
        printer = ConsoleEvents(names, quiet=as_json)

        def on_event(event: Event) -> None:
            if event.kind == "source_checked":
                results[event.data["source_id"]] = event.data
            printer(event)

        asyncio.run(run_worker(settings, once=True, source_ids=ids, on_event=on_event, db=db))
    finally:
        db.close()
    failed = [r for r in results.values() if r["outcome"] not in ("ok", "not_modified")]
    if as_json:
        emit_json(
            {
                "sources": list(results.values()),
                "new_articles": printer.new,
                "revised_articles": printer.revised,
            }
        )
    else:
        t = now()
        table(
            ["id", "source", "outcome", "entries", "new", "next check", "error"],
            [
                (
                    r["source_id"],
                    r["name"],
                    r["outcome"],
                    r["entries"],
                    r["new_entries"],
                    ago(_dt(r["next_check_at"]), t),
                    r.get("message"),
                )
                for r in results.values()
            ],
        )
        click.echo(
            f"{len(results)} sources checked, {printer.new} new articles, "
            f"{printer.revised} revisions, {len(failed)} failed."
        )
    if failed and len(failed) == len(results):
        sys.exit(1)


def _dt(v: Any) -> Any:
    from datetime import datetime

    return datetime.fromisoformat(v) if isinstance(v, str) else v


@click.command()
@click.argument("url")
@click.option(
    "--kind",
    type=click.Choice([k.value for k in SourceKind]),
    default=None,
    help="Read the URL as this kind (default: feed, or a page when it is not a feed).",
)
@click.option("--page", is_flag=True, help="The URL is an article page: extract it.")
@click.option(
    "--articles",
    "n_articles",
    default=3,
    show_default=True,
    help="How many entries to fetch and extract.",
)
@click.option("--json", "as_json", is_flag=True, help="Print everything as JSON.")
@click.pass_context
def fetch(
    ctx: click.Context, url: str, kind: str | None, page: bool, n_articles: int, as_json: bool
) -> None:
    """Dry run: fetch, parse and extract URL and print what would be stored (stores nothing)."""
    from mimir.jobs.runtime import open_context
    from mimir.monitor.preview import preview_page, preview_source

    settings = state(ctx).settings()

    async def go() -> Any:
        db = Database(settings)
        try:
            async with open_context(settings, db=db, extract_processes=-1) as c:
                if page:
                    return await preview_page(c, url)
                spec = SourceSpec(name="preview", url=url, kind=SourceKind(kind or "feed"))
                return await preview_source(c, spec, articles=n_articles)
        finally:
            db.close()

    result = asyncio.run(go())
    if as_json:
        from dataclasses import asdict

        emit_json(asdict(result))
    else:
        _print_preview(result)
    if result.error:
        sys.exit(1)


def _print_preview(p: Any) -> None:
    click.echo(f"{p.url}: {p.kind} {p.format or ''} {p.title or ''}".rstrip())
    if p.error:
        click.echo(f"error: {p.error}", err=True)
    for w in p.warnings[:10]:
        click.echo(f"warning: {w}")
    if p.entries:
        click.echo(f"{len(p.entries)} entries:")
        for e in p.entries[:20]:
            click.echo(f"  - {e.get('title') or '(untitled)'}  {e['url']}")
    for a in p.articles:
        click.echo("")
        if a.get("error"):
            click.echo(f"{a['url']}: {a['error']}")
            continue
        click.echo(f"Title:     {a['title']}")
        click.echo(f"URL:       {a['canonical_url']}")
        click.echo(f"Authors:   {', '.join(a['authors']) or '-'}")
        click.echo(f"Published: {a['published_at'] or '-'}   Updated: {a['updated_at'] or '-'}")
        click.echo(f"Language:  {a['language'] or '-'}   Section: {a['section'] or '-'}")
        click.echo(f"Tags:      {', '.join(a['tags']) or '-'}")
        click.echo(f"Image:     {a['image_url'] or '-'}")
        click.echo(f"Extracted: {a['extraction']}, {len(a['text'])} characters")
        click.echo("")
        text = a["text"]
        click.echo(text[:800] + ("…" if len(text) > 800 else ""))
