"""A small realistic news site for end-to-end tests, served by FixtureWeb.

Items are published and edited by the test; feeds (RSS 2.0, Atom) and article pages are
re-rendered on every change, with ETags so conditional GETs answer 304 when nothing changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from html import escape

from tests.fixtureweb.server import FixtureWeb

TOPICS = [
    (
        "ATSC 3.0 NextGen TV launches in {city}",
        "Broadcasters in {city} switched on ATSC 3.0 signals this week, bringing NextGen TV "
        "with 4K HDR, immersive audio and interactive features to viewers. The lighthouse "
        "station hosts five services while the ATSC 1.0 simulcast continues on partner "
        "transmitters.",
    ),
    (
        "DVB-I pilot brings broadcast and streaming together in {city}",
        "A DVB-I pilot in {city} presents broadcast channels and internet streams in one "
        "service list. Manufacturers showed televisions that switch seamlessly between "
        "terrestrial and broadband delivery as reception changes.",
    ),
    (
        "{company} agrees to acquire streaming vendor in {city}",
        "{company} announced an agreement to acquire a video streaming technology vendor "
        "based in {city}. The deal, expected to close next quarter, adds cloud playout and "
        "server-side ad insertion to its portfolio.",
    ),
    (
        "5G Broadcast trial in {city} reaches phones without SIM cards",
        "Engineers in {city} demonstrated 5G Broadcast to smartphones without SIM cards, "
        "delivering live television over a high-power high-tower network. Regulators are "
        "watching the trial closely ahead of spectrum decisions.",
    ),
]
CITIES = ["Denver", "Munich", "Lyon", "Osaka", "Toronto", "Madrid", "Oslo", "Austin"]
COMPANIES = ["Harmonic", "MediaKind", "Grass Valley", "Imagine Communications"]


@dataclass
class Item:
    slug: str
    title: str
    body: list[str]
    published: datetime
    updated: datetime
    author: str
    tags: list[str]


@dataclass
class NewsSite:
    web: FixtureWeb
    prefix: str = "/news"
    items: list[Item] = field(default_factory=list)
    counter: int = 0
    utm_links: bool = True
    start: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(days=1))

    def publish(self, n: int = 1) -> list[Item]:
        out = []
        for _ in range(n):
            i = self.counter
            self.counter += 1
            title_t, para_t = TOPICS[i % len(TOPICS)]
            city, company = CITIES[i % len(CITIES)], COMPANIES[i % len(COMPANIES)]
            title = title_t.format(city=city, company=company) + f" ({i})"
            body = [
                para_t.format(city=city, company=company),
                f"Story number {i} continues with details that matter to operators. "
                "Network engineers described the rollout plan, the transmitter sites and "
                "the receivers that already support the service in retail stores.",
                "Industry analysts said the move reflects a wider shift in how audiences "
                "reach live television, with hybrid delivery becoming the norm for "
                "public and commercial broadcasters alike across the region.",
                "The companies expect to publish audience figures after the first full "
                "quarter of operation and will present results at the next trade show.",
            ]
            when = self.start + timedelta(minutes=30 * i)
            item = Item(
                f"story-{i}",
                title,
                body,
                when,
                when,
                "Dana Reporter",
                ["Broadcast", "ATSC 3.0" if i % 2 == 0 else "Streaming"],
            )
            self.items.append(item)
            out.append(item)
        self.render()
        return out

    def edit(self, item: Item, extra: str, title: str | None = None) -> None:
        item.body.append(extra)
        if title:
            item.title = title
        item.updated = item.updated + timedelta(hours=2)
        self.render()

    def url(self, item: Item) -> str:
        return self.web.url(f"{self.prefix}/{item.slug}/")

    def feed_url(self, kind: str = "rss") -> str:
        return self.web.url(f"{self.prefix}/feed.{'xml' if kind == 'rss' else 'atom'}")

    def render(self) -> None:
        for item in self.items:
            self.web.route(
                f"{self.prefix}/{item.slug}/", self.page(item), etag=_etag(self.page(item).encode())
            )
        rss = self.rss()
        self.web.route(
            f"{self.prefix}/feed.xml",
            rss,
            content_type="application/rss+xml",
            etag=_etag(rss.encode()),
            last_modified=format_datetime(self._last(), usegmt=True),
        )
        atom = self.atom()
        self.web.route(
            f"{self.prefix}/feed.atom",
            atom,
            content_type="application/atom+xml",
            etag=_etag(atom.encode()),
        )
        self.web.route(f"{self.prefix}/", self.home())

    def _last(self) -> datetime:
        return max((i.updated for i in self.items), default=self.start)

    def link(self, item: Item) -> str:
        u = self.url(item)
        return u + "?utm_source=rss&utm_medium=feed" if self.utm_links else u

    def rss(self) -> str:
        entries = "".join(
            f"""<item><title>{escape(i.title)}</title><link>{escape(self.link(i))}</link>
<guid isPermaLink="false">site-{i.slug}</guid>
<pubDate>{format_datetime(i.published, usegmt=True)}</pubDate>
<dc:creator>{escape(i.author)}</dc:creator>
{"".join(f"<category>{escape(t)}</category>" for t in i.tags)}
<description>{escape(i.body[0][:140])}</description></item>"""
            for i in reversed(self.items)
        )
        return f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"
 xmlns:sy="http://purl.org/rss/1.0/modules/syndication/">
<channel><title>Test Broadcast News</title><link>{self.web.url(self.prefix + "/")}</link>
<description>News</description><language>en</language>
<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>1</sy:updateFrequency>
{entries}</channel></rss>"""

    def atom(self) -> str:
        entries = "".join(
            f"""<entry><title>{escape(i.title)}</title>
<link rel="alternate" href="{escape(self.url(i))}"/><id>urn:site:{i.slug}</id>
<published>{i.published.isoformat()}</published><updated>{i.updated.isoformat()}</updated>
<author><name>{escape(i.author)}</name></author>
<summary>{escape(i.body[0][:140])}</summary></entry>"""
            for i in reversed(self.items)
        )
        return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Test Broadcast News (Atom)</title>
<id>urn:site</id><updated>{self._last().isoformat()}</updated>
<link rel="self" href="{self.feed_url("atom")}"/>{entries}</feed>"""

    def page(self, item: Item) -> str:
        paras = "".join(f"<p>{escape(p)}</p>" for p in item.body)
        return f"""<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>{escape(item.title)} | Test Broadcast News</title>
<link rel="canonical" href="{self.url(item)}">
<meta property="og:title" content="{escape(item.title)}">
<meta property="og:url" content="{self.url(item)}">
<meta property="og:image" content="{self.web.url("/img/" + item.slug + ".jpg")}">
<script type="application/ld+json">
{{"@context":"https://schema.org","@type":"NewsArticle","headline":"{escape(item.title)}",
"datePublished":"{item.published.isoformat()}","dateModified":"{item.updated.isoformat()}",
"author":{{"@type":"Person","name":"{item.author}"}},"articleSection":"Technology",
"keywords":"{", ".join(item.tags)}","inLanguage":"en"}}
</script><script>window.dataLayer=[];</script></head>
<body><header><nav><a href="/">Home</a> <a href="/news/">News</a> <a href="/about">About</a>
</nav></header><div class="cookie-banner">We use cookies to improve your experience.
<button>Accept all cookies</button></div>
<main><article><h1>{escape(item.title)}</h1><p class="byline">By {item.author}</p>
<div class="article-body">{paras}</div></article>
<aside class="related"><h3>Related</h3><ul><li><a href="/news/x/">Other story</a></li></ul>
</aside></main><footer>© 2026 Test Broadcast News. All rights reserved.</footer>
</body></html>"""

    def home(self) -> str:
        links = "".join(
            f'<article class="teaser"><h2><a href="{self.url(i)}">{escape(i.title)}</a></h2>'
            f'<time datetime="{i.published.isoformat()}">{i.published:%B %d, %Y}</time>'
            "</article>"
            for i in reversed(self.items)
        )
        return f"""<!DOCTYPE html><html><head><title>Test Broadcast News</title>
<link rel="alternate" type="application/rss+xml" title="RSS" href="{self.prefix}/feed.xml">
<link rel="alternate" type="application/atom+xml" title="Atom" href="{self.prefix}/feed.atom">
</head><body><main>{links}</main></body></html>"""


def _etag(data: bytes) -> str:
    return '"' + hashlib.sha1(data).hexdigest()[:16] + '"'
