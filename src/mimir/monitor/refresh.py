"""`refresh_source`: the one orchestrator that checks a source (worker, CLI and API call it).

fetch (polite, conditional) -> parse (feed / sitemap / listing, with pagination) -> decide which
entries are new or changed -> queue their pages (or store full-content entries directly) ->
record the outcome and the next check, all in one transaction.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import Connection

from mimir import tracing
from mimir.errors import FetchError, MimirError, NotAFeed, ParseError, RateLimited, RobotsDenied
from mimir.model import Entry, FetchResponse, Outcome, ParsedFeed, Source, SourceKind
from mimir.monitor import schedule
from mimir.monitor.article import build_values, emit_stored
from mimir.monitor.context import Context
from mimir.monitor.entries import Candidate, Plan, candidates, job_row, plan_entries
from mimir.monitor.ingest import AfterStore, Stored, store_article
from mimir.parse.fragment import text_from_html
from mimir.process.fingerprint import text_fingerprint
from mimir.storage import articles as article_store
from mimir.storage import jobs as job_store
from mimir.storage import sources as source_store
from mimir.storage.articles import ArticleValues, StoreOutcome

log = structlog.get_logger("mimir.refresh")

MAX_CHILD_SITEMAPS = 3


@dataclass(slots=True)
class RefreshResult:
    source_id: int
    outcome: Outcome
    status_code: int | None = None
    entries: int = 0
    new_entries: int = 0
    queued: int = 0
    stored: int = 0
    changed: int = 0
    error_class: str | None = None
    message: str | None = None
    next_check_at: datetime | None = None
    reason: str = ""
    duration_ms: int = 0
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "source_id": self.source_id,
            "outcome": self.outcome.value,
            "status_code": self.status_code,
            "entries": self.entries,
            "new_entries": self.new_entries,
            "queued": self.queued,
            "stored": self.stored,
            "changed": self.changed,
            "error_class": self.error_class,
            "message": self.message,
            "next_check_at": self.next_check_at.isoformat() if self.next_check_at else None,
            "reason": self.reason,
            "duration_ms": self.duration_ms,
        }


@dataclass(slots=True)
class Fetched:
    """The documents one check read (several for paginated listings and sitemap indexes)."""

    first: FetchResponse
    parsed: ParsedFeed
    pages: int = 1


async def refresh_source(
    ctx: Context, source: Source, *, force_full: bool = False
) -> RefreshResult:
    """Check one source now and record the outcome; never raises for the source's own faults."""
    with tracing.span("ingest.check", {"mimir.source_id": source.id}) as span:
        result = await _refresh(ctx, source, force_full=force_full)
        span.set_attribute("mimir.outcome", result.outcome.value)
        return result


async def _refresh(ctx: Context, source: Source, *, force_full: bool) -> RefreshResult:
    started = ctx.clock()
    t0 = time.monotonic()
    result = RefreshResult(source.id, Outcome.OK)
    check = schedule.CheckSummary(Outcome.OK)
    fetched: Fetched | None = None
    full = force_full or _full_fetch_due(ctx, source, started)
    try:
        fetched = await _read(ctx, source, conditional=not full)
    except FetchError as exc:
        _failed(result, check, exc)
    except ParseError as exc:
        _failed(result, check, exc)
    plan: Plan | None = None
    direct: list[ArticleValues] = []
    jobs: list[dict[str, Any]] = []
    if fetched is not None:
        result.status_code = fetched.first.status
        if fetched.first.not_modified:
            result.outcome = check.outcome = Outcome.NOT_MODIFIED
        else:
            result.warnings = fetched.parsed.warnings[:20]
            cands = candidates(source, fetched.parsed.entries, fetched.parsed.link)
            with tracing.span("ingest.plan", {"mimir.entries": len(cands)}):
                plan = await ctx.db.read(_plan, source.id, cands)
            limit = int(source.settings.get("article_limit_per_run") or 0)
            new = plan.new[:limit] if limit else plan.new
            result.entries, result.new_entries = len(cands), len(plan.new)
            result.changed = len(plan.changed)
            # stored from the feed: a full-content source's entries, and aggregator links that
            # lead to no article page (mimir.process.aggregators); the rest are page jobs
            for c, known in [*((c, None) for c in new), *plan.changed]:
                if source.full_content or c.feed_only:
                    direct.append(_direct_values(source, c))
                else:
                    jobs.append(job_row(source, c, known.article_id if known else None))
            request_id = structlog.contextvars.get_contextvars().get("request_id")
            if request_id:  # the pages' jobs name the API request that caused them
                for j in jobs:
                    j["request_id"] = request_id
            check.entries, check.new_entries = result.entries, result.new_entries
            check.publish_interval_seconds = schedule.publish_interval(
                [d for e in fetched.parsed.entries if (d := e.published_at)], started
            )
        check.server_min_seconds = _server_hint(fetched, started)
    decision = schedule.plan(source, check, started, ctx.settings, ctx.rng)
    result.next_check_at = decision.next_check_at
    result.reason = decision.reason
    result.duration_ms = int((time.monotonic() - t0) * 1000)
    values = _source_values(source, result, check, decision, fetched, started, full)
    log_row = {
        "started_at": started,
        "duration_ms": result.duration_ms,
        "outcome": result.outcome.value,
        "status_code": result.status_code,
        "error_class": result.error_class,
        "message": result.message,
        "entries": result.entries,
        "new_entries": result.new_entries,
        "bytes": len(fetched.first.body) if fetched else 0,
        "worker": ctx.worker_id,
    }
    with tracing.span("ingest.store", {"mimir.jobs": len(jobs), "mimir.direct": len(direct)}):
        if jobs or direct:  # carried: the writer thread's spans and log lines join this check
            queued, stored = await ctx.db.write(
                tracing.carry(_commit),
                source.id,
                jobs,
                direct,
                values,
                log_row,
                started,
                ctx.after_store(source),
            )
        else:  # the common case (304, nothing new): merged with other checks (executemany)
            await ctx.db.write_many(source_store.record_checks, (source.id, values, log_row))
            queued, stored = 0, []
    changed = (StoreOutcome.NEW, StoreOutcome.REVISED)
    result.queued = queued
    result.stored = sum(1 for st, _v in stored if st.outcome in changed)
    for st, v in stored:
        emit_stored(ctx, st, v)
    _log(source, result)
    ctx.emit("source_checked", name=source.name, **result.as_dict())
    return result


def _failed(result: RefreshResult, check: schedule.CheckSummary, exc: MimirError) -> None:
    result.error_class, result.message = exc.code, exc.message[:1000]
    if isinstance(exc, FetchError):
        result.status_code = getattr(exc, "status_code", None)
        if not exc.counts_against_source:
            result.outcome = check.outcome = Outcome.OFFLINE
            return
        if isinstance(exc, RateLimited):
            result.outcome = check.outcome = Outcome.RATE_LIMITED
            check.retry_after_seconds = exc.retry_after_seconds
        elif isinstance(exc, RobotsDenied):
            result.outcome = check.outcome = Outcome.ROBOTS_DENIED
        else:
            result.outcome = check.outcome = Outcome.ERROR
    else:
        result.outcome = check.outcome = Outcome.ERROR
    check.counts_as_error = True


def _full_fetch_due(ctx: Context, source: Source, now: datetime) -> bool:
    last = source.last_full_fetch_at
    return last is None or (now - last).total_seconds() >= ctx.settings.full_fetch_seconds


async def _read(ctx: Context, source: Source, *, conditional: bool) -> Fetched:
    """Fetch and parse the source, following pagination and sitemap indexes politely."""
    now = ctx.clock()
    listing = source.kind == SourceKind.LISTING
    respect = bool(source.settings.get("respect_robots_txt", ctx.settings.respect_robots_txt))
    first = await _fetch(
        ctx,
        source.url,
        etag=source.etag if conditional else None,
        last_modified=source.last_modified if conditional else None,
        check_robots=listing and respect,
    )
    if first.not_modified:
        return Fetched(first, ParsedFeed(format="not_modified"))
    try:
        parsed = await _parse(ctx, source.kind, first, source.settings.get("selectors"), now)
    except NotAFeed:
        fallback = source.settings.get("fallback_url")
        if not fallback:
            raise
        first = await _fetch(ctx, fallback)
        parsed = await _parse(ctx, SourceKind.FEED, first, None, now)
    fetched = Fetched(first, parsed)
    if parsed.format == "sitemapindex":
        merged = ParsedFeed(format="sitemapindex", warnings=list(parsed.warnings))
        for child in parsed.next_urls[:MAX_CHILD_SITEMAPS]:
            resp = await _fetch(ctx, child)
            sub = await _parse(ctx, SourceKind.SITEMAP, resp, None, now)
            merged.entries.extend(sub.entries)
            merged.warnings.extend(sub.warnings)
            fetched.pages += 1
        fetched.parsed = merged
    elif listing:
        max_pages = max(1, source.selectors.max_pages)
        nxt = parsed.next_urls[:1]
        seen = {first.url}
        while nxt and fetched.pages < max_pages and nxt[0] not in seen:
            seen.add(nxt[0])
            resp = await _fetch(ctx, nxt[0], check_robots=respect)
            page = await _parse(
                ctx, SourceKind.LISTING, resp, source.settings.get("selectors"), now
            )
            parsed.entries.extend(page.entries)
            fetched.pages += 1
            nxt = page.next_urls[:1]
    return fetched


async def _fetch(ctx: Context, url: str, **kw: Any) -> FetchResponse:
    """One polite fetch, in a span of its own (the HTTP client's span is its child)."""
    with tracing.span("ingest.fetch") as span:
        resp = await ctx.fetcher.fetch(url, **kw)
        span.set_attribute("http.response.status_code", resp.status)
        return resp


async def _parse(
    ctx: Context, kind: SourceKind, resp: FetchResponse, selectors: Any, now: datetime
) -> ParsedFeed:
    with tracing.span("ingest.parse", {"mimir.source_kind": kind.value}) as span:
        parsed = await ctx.extractor.parse(kind, resp, selectors, now)
        span.set_attribute("mimir.entries", len(parsed.entries))
        return parsed


def _plan(conn: Connection, source_id: int, cands: list[Candidate]) -> Plan:
    hashes = [c.url_hash for c in cands]
    by_url = article_store.known_by_url(conn, hashes)
    guids = [c.guid_hash for c in cands if c.guid_hash and c.url_hash not in by_url]
    by_guid = article_store.known_by_guid(conn, source_id, guids)
    queued = job_store.queued_hashes(conn, hashes)
    return plan_entries(cands, by_url, by_guid, queued)


def _direct_values(source: Source, c: Candidate) -> ArticleValues:
    """A full-content feed entry stored as it is (no page fetch)."""
    e: Entry = c.entry
    html = e.content_html or e.summary or ""
    text, clean = text_from_html(html, c.url)
    values = build_values(source.id, e, c.url, None, None, "feed")
    values.text = text or values.text
    values.html = clean
    values.fingerprint = text_fingerprint(values.text)
    if c.anchored:  # an item on a shared page: known by page#anchor, not by the page
        values.canonical_url, values.url_hash, values.alias_hashes = c.url, c.url_hash, ()
    return values


def _server_hint(fetched: Fetched, now: datetime) -> float | None:
    hints = [
        fetched.parsed.hints.ttl_seconds,
        fetched.parsed.hints.update_period_seconds,
        schedule.http_cache_seconds(fetched.first.headers, now),
    ]
    present = [float(h) for h in hints if h]
    return max(present) if present else None


def _source_values(
    source: Source,
    result: RefreshResult,
    check: schedule.CheckSummary,
    decision: schedule.Decision,
    fetched: Fetched | None,
    now: datetime,
    full: bool,
) -> dict[str, Any]:
    values: dict[str, Any] = {
        "status": result.outcome.value,
        "last_checked_at": now,
        "next_check_at": decision.next_check_at,
        "interval_seconds": decision.interval_seconds,
        "consecutive_errors": decision.consecutive_errors,
        "publish_interval_seconds": decision.publish_interval_seconds,
        "updated_at": now,
        "_error": check.counts_as_error,
    }
    if result.outcome in (Outcome.OK, Outcome.NOT_MODIFIED):
        values.update(last_success_at=now, last_error_class=None, last_error_message=None)
    elif result.outcome != Outcome.OFFLINE:
        values.update(last_error_class=result.error_class, last_error_message=result.message)
    if fetched is not None and not fetched.first.not_modified:
        values["etag"] = fetched.first.etag
        values["last_modified"] = fetched.first.last_modified
        if full:
            values["last_full_fetch_at"] = now
        if fetched.parsed.title:
            values["title"] = fetched.parsed.title[:1000]
        if fetched.parsed.link:
            values["site_url"] = fetched.parsed.link
        if result.new_entries:
            values["last_new_item_at"] = now
    return values


def _commit(
    conn: Connection,
    source_id: int,
    jobs: list[dict[str, Any]],
    direct: list[ArticleValues],
    values: dict[str, Any],
    log_row: dict[str, Any],
    now: datetime,
    after: AfterStore,
) -> tuple[int, list[tuple[Stored, ArticleValues]]]:
    queued = job_store.enqueue(conn, jobs, now)
    stored = [(store_article(conn, v, now, after), v) for v in direct]
    source_store.record_checks(conn, [(source_id, values, log_row)])
    return queued, stored


def _log(source: Source, r: RefreshResult) -> None:
    if r.outcome in (Outcome.OK, Outcome.NOT_MODIFIED):
        log.info(
            "source_checked",
            source_id=source.id,
            outcome=r.outcome.value,
            entries=r.entries,
            new_entries=r.new_entries,
            queued=r.queued,
            duration_ms=r.duration_ms,
            next_check_at=r.next_check_at,
        )
    else:
        log.warning(
            "source_check_failed",
            source_id=source.id,
            outcome=r.outcome.value,
            error_class=r.error_class,
            message=r.message,
            duration_ms=r.duration_ms,
            next_check_at=r.next_check_at,
        )
