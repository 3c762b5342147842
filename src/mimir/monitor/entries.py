"""From parsed entries to work: which are new, which changed, what to queue or store."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urldefrag

from mimir.model import Entry, Source
from mimir.process.aggregators import is_google_news_link, publisher_url
from mimir.process.urls import anchored, canonicalize, host_of, is_http_url, url_hash
from mimir.storage.articles import Known


@dataclass(slots=True)
class Candidate:
    entry: Entry
    url: str  # canonical form of the entry link
    url_hash: str
    guid_hash: str | None
    #: stored from the feed, its page not fetched: an aggregator link that does not carry the
    #: article's address (mimir.process.aggregators), or an item on a shared page (below)
    feed_only: bool = False
    #: one of several items on one page, known by ``page#anchor`` (mimir.process.urls.anchored)
    anchored: bool = False


def candidates(source: Source, entries: list[Entry], home: str | None = None) -> list[Candidate]:
    """Entries with usable http(s) links, deduplicated, filtered by the source's categories.

    An aggregator's link (Google News, Google Alerts, Bing News) is replaced by the article's
    own address when it carries one, so the page comes from the publisher and the article is
    known by the publisher's address; one that does not is marked ``feed_only``.

    Entries sharing a page are one article when they say the same (titles, or lacking titles
    texts, that share 80 % of the shorter one's words: "UPDATE: ..." is the story again): the
    first is kept. Entries that differ are different items on one
    page (a press room's single news page with an anchor per release, live-blog updates,
    podcast episodes linking to the show, a feed whose items all link to the home page, items
    with no link at all), and so is a titled entry linking to the home page (``home``, the
    feed's site link), the site's root or the feed itself. When no item's link has a fragment
    and every GUID is an http(s) address of its own, the items are those addresses, fetched as
    any article. Otherwise each item is ``page#anchor``, with the link's own fragment when no
    other item has it, else ``item-<hash of its GUID or title>``, stored from the feed, since
    the shared page is not the item."""
    wanted = {c.casefold() for c in source.settings.get("filter_categories") or []}
    groups: dict[str, list[_Link]] = {}
    for order, e in enumerate(entries):
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
        groups.setdefault(h, []).append(_Link(order, e, url, h, target is not None))
    pages = {url_hash(u) for u in (home, source.url) if u and is_http_url(u)}
    out: dict[str, tuple[int, Candidate]] = {}
    for h, links in groups.items():
        first = links[0]
        # an aggregator's link that carried an address names the article itself
        items = _distinct(links) if len(links) > 1 and not first.decoded else [first]
        shared = len(items) > 1 or (
            (h in pages or _is_root(first.url)) and _item_key(first.entry) is not None
        )
        if not shared:
            only = not first.decoded and is_google_news_link(first.url)
            gh = guid_hash(source.id, first.entry.guid)
            out.setdefault(h, (first.order, Candidate(first.entry, first.url, h, gh, only)))
            continue
        for order, c in _shared(source, items, pages):
            out.setdefault(c.url_hash, (order, c))
    return [c for _, c in sorted(out.values(), key=lambda oc: oc[0])]


@dataclass(slots=True)
class _Link:
    order: int
    entry: Entry
    url: str
    hash: str
    decoded: bool  # an aggregator's link, replaced by the address it carried


def _is_root(url: str) -> bool:
    rest = url.split("://", 1)[-1]
    return "/" not in rest.rstrip("/") and "?" not in rest


def _item_key(e: Entry) -> str | None:
    """What tells one item from another on a shared page: its title, else its text."""
    said = e.title or e.summary or e.content_html
    return " ".join(said.split()).casefold()[:300] if said else None


def _distinct(links: list[_Link]) -> list[_Link]:
    """The first of each item among entries sharing a page. Entries that say nothing (a
    sitemap's URLs) are copies of the first, and so is an entry whose title is another's with
    a word or two more or less ("UPDATE: ..."): a story listed again after an edit."""
    kept: list[tuple[frozenset[str], _Link]] = []
    for link in links:
        key = _item_key(link.entry)
        if key is None and kept:
            continue
        words = frozenset(_WORDS.findall(key or ""))
        if not any(_same_words(words, other) for other, _ in kept):
            kept.append((words, link))
    return [link for _, link in kept]


_WORDS = re.compile(r"\w+")


def _same_words(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two titles say the same: 80 % of the shorter one's words are in the other."""
    if not a or not b:
        return a == b
    return len(a & b) >= 0.8 * min(len(a), len(b))


def _shared(source: Source, items: list[_Link], pages: set[str]) -> list[tuple[int, Candidate]]:
    """Candidates for items on one shared page (see ``candidates``)."""
    import hashlib

    frags = [urldefrag(i.entry.url).fragment.strip() for i in items]
    if not any(frags):
        own = _guid_pages(items, pages)
        if own is not None:
            return [
                (i.order, Candidate(replace(i.entry, url=u), u, h, _gh(source, i)))
                for i, (u, h) in zip(items, own, strict=True)
            ]
    # an item's own anchor when no other item has it (a tracking fragment such as
    # "#xtor=RSS-3208" is the same on every item), else one made from its GUID or title
    ids = [
        f
        if f and frags.count(f) == 1
        else "item-"
        + hashlib.sha256((i.entry.guid or _item_key(i.entry) or "").encode()).hexdigest()[:16]
        for i, f in zip(items, frags, strict=True)
    ]
    out: list[tuple[int, Candidate]] = []
    for i, frag in zip(items, ids, strict=True):
        url, h = anchored(i.url, frag)
        entry = replace(i.entry, url=url)
        out.append(
            (i.order, Candidate(entry, url, h, _gh(source, i), feed_only=True, anchored=True))
        )
    return out


def _gh(source: Source, link: _Link) -> str | None:
    return guid_hash(source.id, link.entry.guid)


def _guid_pages(items: list[_Link], pages: set[str]) -> list[tuple[str, str]] | None:
    """The items' GUIDs as their own addresses (canonical URL, hash), when every one is an
    http(s) address of its own (not the shared page, the home page or another item's)."""
    out: list[tuple[str, str]] = []
    for i in items:
        guid = (i.entry.guid or "").strip()
        if not guid.startswith(("http://", "https://")) or not is_http_url(guid):
            return None
        url = canonicalize(guid)
        h = url_hash(url)
        if h in pages or h == i.hash or _is_root(url):
            return None
        out.append((url, h))
    return out if len({h for _, h in out}) == len(out) else None


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
