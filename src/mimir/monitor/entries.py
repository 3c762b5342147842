"""From parsed entries to work: which are new, which changed, what to queue or store."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from mimir.model import Entry, Source
from mimir.process.aggregators import is_google_news_link, publisher_url
from mimir.process.urls import canonicalize, host_of, url_hash
from mimir.storage.articles import Known


@dataclass(slots=True)
class Candidate:
    entry: Entry
    url: str  # canonical form of the entry link
    url_hash: str
    guid_hash: str | None
    #: stored from the feed, its page not fetched: an aggregator link that does not carry the
    #: article's address (mimir.process.aggregators)
    feed_only: bool = False


def candidates(source: Source, entries: list[Entry]) -> list[Candidate]:
    """Entries with usable http(s) links, deduplicated, filtered by the source's categories.

    An aggregator's link (Google News, Google Alerts, Bing News) is replaced by the article's
    own address when it carries one, so the page comes from the publisher and the article is
    known by the publisher's address; one that does not is marked ``feed_only``."""
    wanted = {c.casefold() for c in source.settings.get("filter_categories") or []}
    out: dict[str, Candidate] = {}
    for e in entries:
        if wanted and not wanted.intersection(t.casefold() for t in e.tags):
            continue
        target = publisher_url(e.url)
        if target is not None:
            e = replace(e, url=target)
        try:
            url = canonicalize(e.url)
        except Exception:  # noqa: S112 - a bad link drops one entry, not the feed
            continue
        if not url.startswith(("http://", "https://")):
            continue
        h = url_hash(url)
        if h not in out:  # a link that carried an address was replaced by it above
            only = target is None and is_google_news_link(url)
            out[h] = Candidate(e, url, h, guid_hash(source.id, e.guid), only)
    return list(out.values())


def guid_hash(source_id: int, guid: str | None) -> str | None:
    if not guid:
        return None
    import hashlib

    return hashlib.sha256(f"{source_id}\x00{guid.strip()}".encode()).hexdigest()


@dataclass(slots=True)
class Plan:
    new: list[Candidate]
    changed: list[tuple[Candidate, Known]]
    known: int


def plan_entries(
    cands: list[Candidate],
    by_url: dict[str, Known],
    by_guid: dict[str, Known],
    queued: set[str],
) -> Plan:
    new: list[Candidate] = []
    changed: list[tuple[Candidate, Known]] = []
    known = 0
    for c in cands:
        k = by_url.get(c.url_hash) or (by_guid.get(c.guid_hash) if c.guid_hash else None)
        if k is None:
            if c.url_hash in queued:
                known += 1
            else:
                new.append(c)
            continue
        known += 1
        if k.deleted or c.url_hash in queued:
            continue
        upd = c.entry.updated_at
        newer = upd is not None and k.updated_at is not None and upd > k.updated_at + _SLACK
        edited = k.entry_hash is not None and k.entry_hash != entry_hash(c.entry)
        if newer or edited:
            changed.append((c, k))
    return Plan(new, changed, known)


_SLACK = timedelta(seconds=1)


def entry_hash(e: Entry) -> str:
    """What the feed says about an entry; when it changes, the page is checked again."""
    import hashlib

    parts = [
        e.title or "",
        e.summary or "",
        e.content_html or "",
        e.updated_at.isoformat() if e.updated_at else "",
    ]
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def entry_to_dict(e: Entry) -> dict[str, Any]:
    """JSON-ready (dataclasses.asdict deep-copies: measurably slow on the hot path)."""
    return {
        "url": e.url,
        "guid": e.guid,
        "title": e.title,
        "summary": e.summary,
        "content_html": e.content_html,
        "authors": list(e.authors),
        "published_at": e.published_at.isoformat() if e.published_at else None,
        "updated_at": e.updated_at.isoformat() if e.updated_at else None,
        "tags": list(e.tags),
        "image": e.image,
        "language": e.language,
    }


def entry_from_dict(d: dict[str, Any]) -> Entry:
    def dt(v: Any) -> datetime | None:
        return datetime.fromisoformat(v) if isinstance(v, str) and v else None

    return Entry(
        url=d.get("url") or "",
        guid=d.get("guid"),
        title=d.get("title"),
        summary=d.get("summary"),
        content_html=d.get("content_html"),
        authors=tuple(d.get("authors") or ()),
        published_at=dt(d.get("published_at")),
        updated_at=dt(d.get("updated_at")),
        tags=tuple(d.get("tags") or ()),
        image=d.get("image"),
        language=d.get("language"),
    )


def job_row(source: Source, c: Candidate, article_id: int | None = None) -> dict[str, Any]:
    return {
        "source_id": source.id,
        "url": c.url,
        "url_hash": c.url_hash,
        "host": host_of(c.url),
        "article_id": article_id,
        "entry": entry_to_dict(c.entry),
    }
