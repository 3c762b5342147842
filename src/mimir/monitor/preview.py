"""Dry runs: what a source would yield and what would be stored, without storing anything.

Uses the same steps as `refresh_source` (read, candidates, article processing) with the
database left out, so a preview shows exactly what the real flow would keep.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mimir.errors import ExtractionError, MimirError, NotAFeed
from mimir.model import Source, SourceKind, SourceSpec
from mimir.monitor.article import build_values
from mimir.monitor.context import Context
from mimir.monitor.entries import Candidate, candidates
from mimir.monitor.refresh import _direct_values, _read
from mimir.process.aggregators import feed_only, publisher_url
from mimir.process.urls import canonicalize, host_of
from mimir.storage.articles import ArticleValues


@dataclass(slots=True)
class Preview:
    url: str
    kind: str
    format: str | None = None
    title: str | None = None
    entries: list[dict[str, Any]] = field(default_factory=list)
    articles: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error: str | None = None


def transient_source(spec: SourceSpec) -> Source:
    url = canonicalize(spec.url)
    return Source(
        id=0,
        name=spec.name,
        url=url,
        kind=spec.kind,
        enabled=True,
        host=host_of(url),
        settings=dict(spec.settings),
    )


def values_dict(v: ArticleValues) -> dict[str, Any]:
    return {
        "url": v.url,
        "canonical_url": v.canonical_url,
        "title": v.title,
        "authors": v.authors,
        "published_at": v.published_at,
        "updated_at": v.updated_at,
        "language": v.language,
        "image_url": v.image_url,
        "section": v.section,
        "tags": v.tags,
        "summary": v.summary,
        "text": v.text,
        "extraction": v.extraction,
        "fetch": v.fetch_meta,
    }


async def preview_source(ctx: Context, spec: SourceSpec, *, articles: int = 3) -> Preview:
    """Read a source once and extract its first `articles` entries."""
    source = transient_source(spec)
    out = Preview(source.url, source.kind.value)
    try:
        fetched = await _read(ctx, source, conditional=False)
    except NotAFeed:
        return await preview_page(ctx, spec.url)
    except MimirError as exc:
        out.error = f"{exc.code}: {exc.message}"
        return out
    out.format, out.title = fetched.parsed.format, fetched.parsed.title
    out.warnings = fetched.parsed.warnings
    cands = candidates(source, fetched.parsed.entries, fetched.parsed.link)
    out.entries = [
        {
            "url": c.url,
            "title": c.entry.title,
            "published_at": c.entry.published_at,
            "guid": c.entry.guid,
            "tags": list(c.entry.tags),
        }
        for c in cands
    ]
    for c in cands[:articles]:
        try:
            v = await _article(ctx, source, c.url, c.entry, c)
            out.articles.append(values_dict(v))
        except MimirError as exc:
            out.articles.append({"url": c.url, "error": f"{exc.code}: {exc.message}"})
    return out


async def preview_page(ctx: Context, url: str) -> Preview:
    """Extract one article page."""
    from mimir.model import Entry

    out = Preview(url, "page", format="html")
    source = transient_source(SourceSpec(name="preview", url=url, kind=SourceKind.LISTING))
    try:
        v = await _article(ctx, source, source.url, Entry(url=source.url))
    except MimirError as exc:
        out.error = f"{exc.code}: {exc.message}"
        return out
    out.title = v.title
    out.articles.append(values_dict(v))
    return out


async def _article(
    ctx: Context, source: Source, url: str, entry: Any, cand: Candidate | None = None
) -> ArticleValues:
    """What would be stored for one entry: from the feed (a full-content source, or a
    candidate marked ``feed_only``, as refresh stores them), else from its fetched page."""
    if cand is not None and cand.feed_only and (entry.content_html or entry.summary or entry.title):
        return _direct_values(source, cand)
    if (source.full_content or feed_only(url)) and (entry.content_html or entry.summary):
        return _direct_values(source, cand or Candidate(entry, url, "", None))
    url = publisher_url(url) or url  # an aggregator's link that carries the article's address
    resp = await ctx.fetcher.fetch(url, check_robots=ctx.settings.respect_robots_txt, kind="page")
    selectors = source.settings.get("selectors")
    try:
        return await ctx.extractor.article_values(None, entry, url, resp, selectors, ctx.clock())
    except ExtractionError as exc:
        if not (entry.title or entry.summary):
            raise
        return build_values(None, entry, url, None, resp, f"feed_fallback ({exc.message})")
