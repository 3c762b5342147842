"""Process one queued article page: fetch, extract, merge with the feed's values, store."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog

from mimir import metrics, tracing
from mimir.errors import (
    BotChallenge,
    ExtractionError,
    FetchError,
    HTTPStatusError,
    NetworkDown,
    RateLimited,
    RobotsDenied,
)
from mimir.model import ArticleJob, Entry, ExtractedArticle, FetchResponse, Source
from mimir.monitor.context import Context
from mimir.monitor.entries import entry_from_dict, entry_hash, guid_hash
from mimir.monitor.ingest import AfterStore, Stored, store_article
from mimir.parse.pdf import is_pdf
from mimir.parse.tidy import DENSE_SCRIPT
from mimir.process import neardup
from mimir.process.fingerprint import normalize_text, normalized_fingerprint
from mimir.process.urls import canonicalize, url_hash
from mimir.process.walls import consent_wall
from mimir.storage import jobs as job_store
from mimir.storage.articles import ArticleValues, StoreOutcome

log = structlog.get_logger("mimir.article")

_HTML_TYPES = ("text/html", "application/xhtml+xml", "")
_PERMANENT_STATUS = {400, 401, 402, 403, 404, 405, 406, 410, 451}


@dataclass(slots=True)
class JobResult:
    outcome: str  # new | revised | unchanged | tombstoned | retry | failed
    article_id: int | None = None
    error: str | None = None


def pick_canonical(candidate: str | None, page_url: str) -> str:
    """Trust rel=canonical/og:url unless it obviously names a section or the home page."""
    page = canonicalize(page_url)
    if not candidate:
        return page
    try:
        canon = canonicalize(candidate, base=page_url)
    except Exception:
        return page
    c, p = urlsplit(canon), urlsplit(page)
    if c.scheme not in ("http", "https"):
        return page
    c_path = c.path.rstrip("/")
    if not c_path and p.path.rstrip("/"):
        return page  # canonical to the home page: a CMS misconfiguration
    if c.netloc == p.netloc and c_path and p.path.startswith(c_path + "/") and not c.query:
        return page  # canonical to a parent section
    return canon


#: a title's words: of four letters or more, numbers, and every two characters running in a
#: script written without spaces (Han, kana, Hangul)
_WORD = re.compile(r"[^\W\d_]{4,}|\d{2,}")
_DENSE_PAIR = re.compile(f"(?=((?:{DENSE_SCRIPT.pattern}){{2}}))")
_TEXT_HEAD = 3000  # characters of the article's text a headline's words are looked for in


def _title(page: str | None, feed: str | None, text: str) -> str | None:
    """The page's title, or the feed's where the two share no word and the feed's reads more
    like this article's headline (more of its words stand in the article's opening). A page's
    title can name no article at all: every one of AP's hosted pages is titled "News from
    The Associated Press" (newspaper4k's fixture), a site gives all its pages its own name.
    The feed's title can be as empty ("Press release"), so the article's text decides."""
    if not page or not feed:
        return page or feed
    page_words, feed_words = _words(page), _words(feed)
    if not page_words or not feed_words or page_words & feed_words:
        return page
    head = _words(text[:_TEXT_HEAD])
    in_text = len(feed_words & head) / len(feed_words), len(page_words & head) / len(page_words)
    return feed if in_text[0] > in_text[1] else page


def _words(text: str) -> set[str]:
    folded = text.casefold()
    return {*_WORD.findall(folded), *_DENSE_PAIR.findall(folded)}


def build_values(
    source_id: int | None,
    entry: Entry,
    entry_url: str,
    extracted: ExtractedArticle | None,
    response: FetchResponse | None,
    extraction: str,
) -> ArticleValues:
    """Merge: page metadata first (JSON-LD, OpenGraph, meta), then the feed's values."""
    page_url = response.url if response is not None else entry_url
    canon = pick_canonical(extracted.canonical_url if extracted else None, page_url)
    aliases = {url_hash(entry_url)}
    if response is not None:
        aliases.add(url_hash(canonicalize(response.url)))
    key = url_hash(canon)
    aliases.discard(key)
    ex = extracted
    text = (ex.text if ex else "") or (entry.summary or "")
    meta: dict[str, Any] = response.meta() if response is not None else {}
    title = _title(ex.title if ex else None, entry.title, text)
    normalized = normalize_text(text)  # once: the fingerprint and the signature both hash it
    sig = neardup.signature(title or "", text, normalized=normalized) if (title or text) else None
    return ArticleValues(
        source_id=source_id,
        url=entry_url,
        canonical_url=canon,
        url_hash=key,
        alias_hashes=tuple(sorted(aliases)),
        guid=entry.guid,
        guid_hash=guid_hash(source_id, entry.guid) if source_id is not None else None,
        fingerprint=normalized_fingerprint(normalized),
        entry_hash=entry_hash(entry) if entry.title or entry.summary else None,
        title=title,
        summary=entry.summary or (ex.description if ex else None),
        text=text,
        html=ex.html if ex else None,
        authors=list((ex.authors if ex and ex.authors else ()) or entry.authors),
        published_at=_published(ex, entry),
        updated_at=(ex.updated_at if ex else None) or entry.updated_at,
        language=(ex.language if ex else None) or entry.language,
        image_url=(ex.image if ex else None) or entry.image,
        section=ex.section if ex else None,
        tags=list(dict.fromkeys([*(ex.tags if ex else ()), *entry.tags])),
        fetch_meta=meta,
        extraction=extraction,
        signature=sig.to_bytes() if sig is not None else None,
        band_keys=tuple(neardup.band_keys(sig)) if sig is not None else (),
    )


#: how far from a day's midnight UTC a timestamp may lie and still fall on that day somewhere
#: (UTC-12 to UTC+14)
_DAY_BEFORE, _DAY_AFTER = timedelta(hours=14), timedelta(hours=36)


def _published(ex: ExtractedArticle | None, entry: Entry) -> datetime | None:
    """The page's stated date, the feed's, then one the page's text suggests. A page that
    states only the day yields to a feed timestamp on that day: "2014-12-27" is midnight UTC,
    shown as the 26th in New York, while the feed says 12:06 that day."""
    stated = ex.published_at if ex else None
    feed = entry.published_at
    day_only = ex is not None and ex.published_day_only
    if day_only and stated is not None and feed is not None:
        same_day = stated - _DAY_BEFORE <= feed < stated + _DAY_AFTER
        if same_day:
            return feed
    return stated or feed or (ex.published_guess if ex else None)


async def process_job(ctx: Context, job: ArticleJob, source: Source | None) -> JobResult:
    """Fetch and store one article page; failures retry with back-off, then fall back."""
    entry = entry_from_dict(job.entry)
    now = ctx.clock()
    respect = ctx.settings.respect_robots_txt
    if source is not None and "respect_robots_txt" in source.settings:
        respect = bool(source.settings["respect_robots_txt"])
    selectors = source.settings.get("selectors") if source is not None else None
    source_id = source.id if source is not None else job.source_id
    try:
        with tracing.span("ingest.fetch"):
            resp = await ctx.fetcher.fetch(job.url, check_robots=respect, kind="page")
    except NetworkDown as exc:
        await ctx.db.write(job_store.retry_later, job.id, now + timedelta(seconds=60), str(exc))
        return JobResult("retry", error=exc.code)
    except FetchError as exc:
        permanent = isinstance(exc, RobotsDenied | BotChallenge) or (
            isinstance(exc, HTTPStatusError) and exc.status_code in _PERMANENT_STATUS
        )
        if not permanent and job.attempts + 1 < ctx.settings.article_retry_limit:
            wait = 60 * 2**job.attempts
            if isinstance(exc, RateLimited) and exc.retry_after_seconds:
                wait = max(wait, exc.retry_after_seconds)
            due = now + timedelta(seconds=ctx.rng.uniform(wait / 2, wait))
            await ctx.db.write(job_store.retry_later, job.id, due, f"{exc.code}: {exc.message}")
            return JobResult("retry", error=exc.code)
        return await _fallback(ctx, job, entry, source, source_id, f"{exc.code}: {exc.message}")
    if resp.content_type not in _HTML_TYPES and not is_pdf(resp.content_type, resp.body):
        return await _fallback(
            ctx, job, entry, source, source_id, f"not a page: {resp.content_type}"
        )
    if consent_wall(job.url, resp.url):  # the wall's text is no article's; its address neither
        return await _fallback(ctx, job, entry, source, source_id, f"consent page: {resp.url}")
    try:
        with tracing.span("ingest.extract"):
            values = await ctx.extractor.article_values(
                source_id, entry, job.url, resp, selectors, now
            )
    except ExtractionError as exc:
        return await _fallback(
            ctx, job, entry, source, source_id, f"{exc.code}: {exc.message}", resp
        )
    return await _store(ctx, job, values, source)


async def _fallback(
    ctx: Context,
    job: ArticleJob,
    entry: Entry,
    source: Source | None,
    source_id: int | None,
    reason: str,
    resp: FetchResponse | None = None,
) -> JobResult:
    """Keep what the feed said when the page cannot be had; nothing listed is lost."""
    if not (entry.title or entry.summary):
        await ctx.db.write(job_store.fail, job.id, reason)
        log.info("article_failed", url=job.url, source_id=source_id, reason=reason)
        return JobResult("failed", error=reason)
    values = build_values(source_id, entry, job.url, None, resp, "feed_fallback")
    values.fetch_meta["fallback_reason"] = reason
    log.info("article_feed_fallback", url=job.url, source_id=source_id, reason=reason)
    return await _store(ctx, job, values, source)


async def _store(
    ctx: Context, job: ArticleJob, values: ArticleValues, source: Source | None
) -> JobResult:
    now = ctx.clock()
    # carried: the writer's spans and log lines join this job's (mimir.tracing.carry)
    finish = tracing.carry(_store_and_finish)
    stored = await ctx.db.write_soon(finish, values, job.id, now, ctx.after_store(source))
    emit_stored(ctx, stored, values, fresh=job.article_id is None)
    return JobResult(stored.outcome.value, stored.article_id)


def emit_stored(ctx: Context, stored: Stored, v: ArticleValues, *, fresh: bool = False) -> None:
    """Count what was stored (committed) in the metrics, and tell listeners (console, the UI)
    about a new article or revision, and alerts. ``fresh``: the entry was not known before (a
    page job for a new entry), so finding it stored already makes it a duplicate."""
    _count_stored(stored, fresh)
    if stored.outcome in (StoreOutcome.NEW, StoreOutcome.REVISED):
        ctx.emit(
            f"article_{stored.outcome.value}",
            article_id=stored.article_id,
            title=v.title,
            url=v.canonical_url,
            source_id=v.source_id,
            language=v.language,
            story_id=stored.story_id,
            joined_story=stored.joined_story,
        )
    if ctx.wake_sender is not None and any(m.queued for m in stored.matched):
        ctx.wake_sender()
    for m in stored.matched:
        ctx.emit(
            "alert",
            alert_id=m.alert_id,
            watch_id=m.watch_id,
            article_id=stored.article_id,
            story_id=stored.story_id,
            title=v.title,
            terms=list(m.terms),
        )


def _count_stored(stored: Stored, fresh: bool) -> None:
    outcome = stored.outcome.value
    if fresh and stored.outcome is StoreOutcome.UNCHANGED:
        outcome = "duplicate"  # the identity ladder found it under another address
    metrics.count_article(outcome)
    if stored.outcome is StoreOutcome.NEW and stored.story_id is not None:
        if stored.joined_story:
            metrics.STORIES_JOINED.inc()
        else:
            metrics.STORIES_FORMED.inc()
    if stored.matched:
        metrics.ALERTS_MATCHED.inc(len(stored.matched))


def _store_and_finish(
    conn: Any, values: ArticleValues, job_id: int, now: datetime, after: AfterStore
) -> Stored:
    stored = store_article(conn, values, now, after)
    job_store.finish(conn, job_id)
    return stored
