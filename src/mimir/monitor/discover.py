"""What is this URL? A feed, a sitemap, a page that links feeds, or a listing page.

`discover` tries, in order: the URL itself as a feed or sitemap; the feeds the page announces
(`<link rel=alternate>`) and feed-like links; common feed paths on the site; sitemaps named in
robots.txt; finally the page itself as a listing page read with heuristic selectors. An
article page (one JSON-LD article, or og:type article with its publication time) is no listing:
its links are related stories; when it names no working feed, the site's home page is tried
(its feeds, else it as a listing) before the guesses. Every
attempt is reported, and the best candidate is picked: announced feeds over guessed ones, a
site's articles over its comments, feeds over news sitemaps over other sitemaps over listing
pages, then the most entries and the freshest, then the one the page names first. A feed the
page links on another site (a blogroll's) is tried last and ranked below everything of the
site's own; it does not stop the search for those. A feed or sitemap the page announces or
that was guessed gives way to the page the user gave (not a home page), read as a listing,
when it carries under half of the newest stories the page lists, by address or headline (a
press room's page on a WordPress site announces the site's feed, its blog's).

A comments feed is told by its address (WordPress's ``/comments/feed/``, Blogger's
``/feeds/comments/``, ``?feed=comments-rss2``) or by its title on the page or in the feed
(WordPress names them "Site » Comments Feed", "Comments for Site", "Comments on: Post", and so
in other languages). WordPress announces one beside the site's feed on every page, and one more
per post on article pages; comments come after the posts they answer, so their feed is often
the fresher of the two, and freshness alone picked it.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urljoin, urlsplit

from courlan import is_external

from mimir.errors import FetchError, InputError, MimirError, NotAFeed, ParseError
from mimir.fetch.client import Fetcher
from mimir.model import Entry, FetchResponse, ParsedFeed, Selectors, SourceKind
from mimir.parse.discovery import (
    COMMON_FEED_PATHS,
    article_page,
    find_feed_links,
    sitemaps_from_robots,
)
from mimir.parse.feeds import parse_feed
from mimir.parse.listing import parse_listing
from mimir.process.urls import url_key

_PREFERENCE = {
    "announced": 3,
    "linked": 2,
    "self": 3,
    "guessed": 1,
    "robots": 1,
    "listing": 0,
    "elsewhere": -1,
}
#: entries of each candidate remembered to compare them; the page's newest compared
_COMPARED = 50
_NEWEST = 10
_NOT_WORD = re.compile(r"[\W_]+")
_MIN_TITLE = 12  # characters: a shorter link text ("Read more") names no story
_COMMENTS_TITLE = re.compile(
    r"comment|kommentar|coment[aá]ri|reactie|komentarz|kommentti|коммент", re.IGNORECASE
)
_COMMENTS_URL = re.compile(
    r"/comments?/|/comments?(\.[a-z]+)?/?$|[?&]feed=comments|comments?[-_]?(rss|atom|feed)",
    re.IGNORECASE,
)


def looks_like_comments(url: str, *titles: str | None) -> bool:
    """Whether a feed carries a site's comments rather than its articles."""
    if _COMMENTS_URL.search(url):
        return True
    return any(t and _COMMENTS_TITLE.search(t) for t in titles)


@dataclass(slots=True)
class Candidate:
    url: str
    kind: SourceKind
    format: str
    how: str  # self | announced | linked | elsewhere | guessed | robots | listing
    title: str | None = None
    entries: int = 0
    newest: datetime | None = None
    error: str | None = None
    comments: bool = False  # a comments feed (looks_like_comments)
    links: tuple[tuple[str, str], ...] = ()  # its first entries' (url_key, headline), in order

    @property
    def usable(self) -> bool:
        """Read without error, with entries; the URL given, read as a feed, also when empty
        (a new blog's feed, a quiet press room's): it is what the user asked to follow."""
        return self.error is None and (self.entries > 0 or self.how == "self")

    def score(self) -> tuple[int, int, int, int, float]:
        """Higher is better; ``max`` keeps the first of equals, the one the page names first."""
        kind_rank = {SourceKind.FEED: 3, SourceKind.SITEMAP: 1, SourceKind.LISTING: 0}[self.kind]
        if self.format == "newssitemap":  # dated, titled, and only the last two days'
            kind_rank = 2
        newest = self.newest.timestamp() if self.newest else 0.0
        articles = 0 if self.comments else 1
        return (_PREFERENCE.get(self.how, 0), articles, kind_rank, min(self.entries, 50), newest)


@dataclass(slots=True)
class Discovery:
    url: str
    candidates: list[Candidate] = field(default_factory=list)
    chosen: Candidate | None = None
    notes: list[str] = field(default_factory=list)

    def report(self) -> list[str]:
        lines = [f"Discovery for {self.url}:"]
        for c in self.candidates:
            mark = "*" if c is self.chosen else " "
            what = f"{c.kind.value}/{c.format}, {c.entries} entries" if not c.error else c.error
            if c.comments and not c.error:
                what += " (comments)"
            lines.append(f" {mark} [{c.how}] {c.url} - {what}")
        lines.extend(f"   note: {n}" for n in self.notes)
        if self.chosen:
            lines.append(f"Chosen: {self.chosen.url} ({self.chosen.kind.value}, {self.chosen.how})")
        else:
            lines.append("Nothing usable found.")
        return lines


def _found(d: Discovery) -> bool:
    """Whether the site's own feed, sitemap or listing is among the candidates (a feed linked
    on the page from another site is no reason to stop looking)."""
    return any(c.usable and c.how != "elsewhere" for c in d.candidates)


def sibling_followed(d: Discovery, followed: Mapping[str, tuple[int, str]]) -> str | None:
    """Why not to add ``d.chosen``: another feed the same page offers (its RSS beside the
    Atom one, the same articles) is followed already; ``followed`` maps the candidates' URLs
    a source has to (id, name). A feed's own URL, given as such, is never refused so."""
    if d.chosen is None or d.chosen.how == "self" or d.chosen.kind is SourceKind.LISTING:
        return None  # a page read as a listing: chosen because no feed carries its stories
    for c in d.candidates:
        if c is not d.chosen and c.usable and not c.comments and c.url in followed:
            sid, name = followed[c.url]
            return (
                f"this site's {c.kind.value} {c.url} is followed already as source #{sid} "
                f"{name!r}; to follow {d.chosen.url} as well, add that URL"
            )
    return None


def _kind_of(parsed: ParsedFeed) -> SourceKind:
    return SourceKind.SITEMAP if "sitemap" in parsed.format else SourceKind.FEED


async def _try_feed(
    fetcher: Fetcher, url: str, how: str, now: datetime, link_title: str | None = None
) -> Candidate:
    try:
        resp = await fetcher.fetch(url)
        parsed = parse_feed(resp.body, resp.url, content_type=resp.content_type, now=now)
    except (FetchError, ParseError) as exc:
        return Candidate(url, SourceKind.FEED, "-", how, error=f"{exc.code}: {exc.message}")
    dates = [d for e in parsed.entries if (d := e.published_at)]
    return Candidate(
        resp.url,
        _kind_of(parsed),
        parsed.format,
        how,
        parsed.title,
        len(parsed.entries) or len(parsed.next_urls),
        max(dates, default=None),
        comments=looks_like_comments(resp.url, link_title, parsed.title),
        links=_links(parsed.entries),
    )


def _links(entries: Sequence[Entry]) -> tuple[tuple[str, str], ...]:
    """The first entries' identities: address (``url_key``) and headline, to compare a feed
    with a page whose links may differ from the feed's (FeedBurner's redirects)."""
    stories: list[tuple[str, str]] = []
    for entry in entries[:_COMPARED]:
        with contextlib.suppress(InputError):
            title = " ".join(_NOT_WORD.sub(" ", (entry.title or "").casefold()).split())
            stories.append((url_key(entry.url), title if len(title) >= _MIN_TITLE else ""))
    return tuple(stories)


def _page_over_site_feed(d: Discovery) -> None:
    """Follow the page the user gave, read as a listing, rather than a feed or sitemap the
    page announces or that was guessed for the site, when that carries under half of the
    newest stories the page lists: a press room's page (/press/) on a site whose /feed is its
    blog's (WordPress announces the site's feed on every page). Where the feed carries them,
    it is the better way to follow the page (titles, dates, one request); a site's home page
    is followed by its feed."""
    site, page = d.chosen, next((c for c in d.candidates if c.how == "listing"), None)
    if site is None or page is None or site.how not in ("announced", "guessed", "robots"):
        return
    if urlsplit(page.url).path in ("", "/") or not page.links:
        return
    newest = page.links[:_NEWEST]
    keys = {key for key, _ in site.links}
    titles = {title for _, title in site.links if title}
    carried = sum(1 for key, title in newest if key in keys or title in titles)
    if 2 * carried < len(newest):
        d.notes.append(
            f"{site.url} carries {carried} of the {len(newest)} newest stories {page.url} "
            "lists: the page is followed as a listing"
        )
        d.chosen = page


async def discover(fetcher: Fetcher, url: str, now: datetime, *, max_guesses: int = 6) -> Discovery:
    """Find the best way to follow `url`; never raises for a bad site (errors are in the report)."""
    d = Discovery(url)
    try:
        resp = await fetcher.fetch(url, kind="page")  # a site's page, or its feed
    except FetchError as exc:
        d.notes.append(f"cannot fetch {url}: {exc.code}: {exc.message}")
        return d
    try:
        parsed = parse_feed(resp.body, resp.url, content_type=resp.content_type, now=now)
        dates = [x for e in parsed.entries if (x := e.published_at)]
        d.candidates.append(
            Candidate(
                resp.url,
                _kind_of(parsed),
                parsed.format,
                "self",
                parsed.title,
                len(parsed.entries) or len(parsed.next_urls),
                max(dates, default=None),
            )
        )
    except NotAFeed:
        await _from_page(fetcher, d, resp.url, resp.body, resp.content_type, now, max_guesses)
    except MimirError as exc:
        d.notes.append(f"{url} is not readable as a feed: {exc.message}")
        await _from_page(fetcher, d, resp.url, resp.body, resp.content_type, now, max_guesses)
    usable = [c for c in d.candidates if c.usable]
    d.chosen = max(usable, key=Candidate.score) if usable else None
    _page_over_site_feed(d)
    if d.chosen is not None and not d.chosen.entries:
        d.notes.append(f"{d.chosen.url} lists nothing yet; it is checked like any other source")
    return d


async def _from_page(
    fetcher: Fetcher,
    d: Discovery,
    page_url: str,
    body: bytes,
    content_type: str,
    now: datetime,
    max_guesses: int,
) -> None:
    seen: set[str] = set()
    await _announced(fetcher, d, page_url, body, seen, now)
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(page_url))
    article = article_page(body)
    home_page = None
    if article and not _found(d) and page_url != origin + "/":
        # an article's own links are related stories: the site's news is on its home page
        d.notes.append(f"{page_url} is an article page ({article}); looking at {origin}/")
        home_page = await _home(fetcher, d, origin + "/", seen, now)
    if not _found(d):
        for path in COMMON_FEED_PATHS[:max_guesses]:
            guess = urljoin(origin, path)
            if guess in seen:
                continue
            seen.add(guess)
            cand = await _try_feed(fetcher, guess, "guessed", now)
            if cand.usable:
                d.candidates.append(cand)
                break
        else:
            d.notes.append(
                f"none of {len(COMMON_FEED_PATHS[:max_guesses])} common feed paths answered"
            )
        if not _found(d):
            await _from_robots(fetcher, d, origin, seen, now)
    if not article:
        _listing(d, page_url, body, content_type, now)
        return
    d.notes.append(
        f"not used as a listing page: {page_url} is one article, its links are related "
        "stories and navigation"
    )
    if home_page is not None and not _found(d):
        _listing(d, home_page.url, home_page.body, home_page.content_type, now)


async def _announced(
    fetcher: Fetcher, d: Discovery, page_url: str, body: bytes, seen: set[str], now: datetime
) -> None:
    """Try the feeds a page names: ``<link rel=alternate>``, then feed-like links to the same
    site, then those to other sites (a blogroll's feeds: tried, ranked below the site's own
    guessed paths and its page as a listing)."""
    links = find_feed_links(body, page_url)
    ranked = sorted(
        (("elsewhere" if _elsewhere(link.url, page_url) else "linked", link)
         if link.type == "guess" else ("announced", link) for link in links),
        key=lambda pair: pair[0] == "elsewhere",
    )  # fmt: skip
    for how, link in ranked[:8]:
        if link.url in seen:
            continue
        seen.add(link.url)
        d.candidates.append(await _try_feed(fetcher, link.url, how, now, link.title))


def _elsewhere(url: str, page_url: str) -> bool:
    """Whether ``url`` is on another site than ``page_url``: another registrable domain
    (``feeds.example.co.uk`` is example.co.uk's), or another address where hosts are IPs."""
    host, page_host = urlsplit(url).hostname, urlsplit(page_url).hostname
    if host == page_host:
        return False
    if _is_ip(host) or _is_ip(page_host):
        return True
    return bool(is_external(url, page_url))


def _is_ip(host: str | None) -> bool:
    try:
        ipaddress.ip_address(host or "")
    except ValueError:
        return False
    return True


async def _home(
    fetcher: Fetcher, d: Discovery, home: str, seen: set[str], now: datetime
) -> FetchResponse | None:
    """Try the feeds the site's home page names; the page, to be read as a listing page when
    nothing better is found (None when it cannot be had or is an article itself)."""
    try:
        resp = await fetcher.fetch(home, kind="page")
    except FetchError as exc:
        d.notes.append(f"cannot fetch {home}: {exc.code}: {exc.message}")
        return None
    await _announced(fetcher, d, resp.url, resp.body, seen, now)
    return None if article_page(resp.body) else resp


def _listing(d: Discovery, page_url: str, body: bytes, content_type: str, now: datetime) -> None:
    """The page as a listing page read with heuristic selectors, if it lists enough."""
    try:
        listing = parse_listing(body, page_url, Selectors(), content_type=content_type, now=now)
    except ParseError as exc:
        d.notes.append(f"not usable as a listing page: {exc.message}")
        return
    if len(listing.entries) < 3:
        if not _found(d):  # nothing found: say why not this either
            why = listing.warnings[0] if listing.warnings else "fewer than 3 article links"
            d.notes.append(f"not usable as a listing page: {why}")
    else:
        dates = [x for e in listing.entries if (x := e.published_at)]
        d.candidates.append(
            Candidate(
                page_url,
                SourceKind.LISTING,
                "listing",
                "listing",
                listing.title,
                len(listing.entries),
                max(dates, default=None),
                links=_links(listing.entries),
            )
        )


async def _from_robots(
    fetcher: Fetcher, d: Discovery, origin: str, seen: set[str], now: datetime
) -> None:
    try:
        resp = await fetcher.fetch(urljoin(origin, "/robots.txt"), kind="robots")
    except FetchError as exc:
        d.notes.append(f"robots.txt: {exc.code}")
        return
    text = resp.body.decode("utf-8", "replace")
    for sm in sitemaps_from_robots(text, origin)[:3]:
        if sm not in seen:
            seen.add(sm)
            d.candidates.append(await _try_feed(fetcher, sm, "robots", now))
