"""Watches at ingest: the percolator against evaluating every watch in turn, 10 to 10,000 watches.

For each new article Mimir must find the watches (saved searches) it matches. The baseline runs
every watch's query through the in-memory matcher (``matcher.match``): its cost grows with the
number of watches. The percolator (``mimir.search.percolator``) indexes the watches by the words
they require and verifies only those whose words the article has, with the same matcher.

Both sides get the same advantages: queries parsed once, and the article cut into words once
(one ``Document`` per article, shared by all the watches). Per article, in one process and
interleaved (percolator, then the loop, article by article), in wall-clock and in CPU time of
the thread (the machine is shared, so CPU time is the steadier measure of the cost):

- *percolator*: ``Document.of(article)`` + ``Percolator.match(doc, now)``;
- *loop*: ``Document.of(article)`` + ``match(query, doc, now)`` for every watch.

Both must return the same watches with the same matched terms, or the run fails. At the larger
sizes the loop is timed on fewer articles (it is slow); the ratio is taken on those articles.
Before it is timed the percolator sees 256 to 512 other articles, as a running worker has: it
counts the words of its keys in them and re-indexes itself (``Percolator.rekey``). "Cold" is the
same percolator before any article (keys chosen by word length only).

The watches (``make_watches``) are what an industry's users write, mostly one to four terms, in
these shares: a company name (28 %: one in ten of the sixty companies the articles write about,
each in about 5 % of them; the rest names the articles never mention, as most of the companies
users watch are absent from any one article), a company and a subject (12 %, ``Vectra (contract
OR deal)``), an OR of two to four companies (9 %), a person (5 %), a product (4 %), a term of
the trade (12 %: "ATSC 3.0", "5G Broadcast", ``HEVC``, some with a subject), a term and a place
(7 %), a term or a company with a NOT (8 %), a prefix (4 %, ``encod* AV1``, ``Lumenwave*``),
NEAR (3 %), fields (5 %: ``title:``, ``tag:``, ``url:``, ``author:``), a broad word of the trade
(1 %: ``streaming``, ``broadcast*``, in most articles) and no required word at all (0.5 %:
``lang:de source:techdaily``); one in ten gets ``lang:``, ``within:`` or ``-source:``. Users
overlap: the same company is watched in several ways by several people.

The articles (``make_articles``): half are copies of the stories generator's stories
(``bench/stories.py``: press releases, wire copies, syndicated copies with the sites'
boilerplate), three in ten the demo newsroom's articles (``mimir.demo.content``, with authors,
tags and URL, some in German or French), two in ten round-ups of two or three of those (a
newsletter's "this week"); all of 3 to 8 KB of text.

Targets (issue 3): with 10,000 watches at most 2 ms per article and at least 20x faster than
the loop; nearly flat from 10 to 10,000 watches.

    python -m bench.watches                  # 10, 100, 1,000, 10,000 watches; ~1 minute
    python -m bench.watches --smoke          # a few seconds: agreement and the numbers, no targets
    python -m bench.watches --sizes 10000 --articles 500 --json out.json
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

from bench.stories import PRODUCT_LINES, SITES, LabelledArticle
from bench.stories import generate as generate_stories
from mimir.demo import words as w
from mimir.demo.content import Article, generate_article, slugify
from mimir.demo.timeline import OUTLET_BY_KEY, OUTLETS
from mimir.search.matcher import ArticleFields, Document, match
from mimir.search.nodes import Node
from mimir.search.parser import parse
from mimir.search.percolator import REKEY_FIRST, Percolator, WatchMatch

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
SEED = 20260601
SIZES = (10, 100, 1_000, 10_000)
TARGET_MS, TARGET_RATIO = 2.0, 20.0
_SITES = {site.name: site for site in SITES}

# ---- the watches ------------------------------------------------------------------------------

#: the trade's vocabulary as users write it (phrases, abbreviations): some of it is in the
#: articles (a few per cent of them each), much of it is not (users watch what may come)
TECH = (
    '"ATSC 3.0"', '"NextGen TV"', "DVB-I", '"5G Broadcast"', "HEVC", "VVC", "AV1", "LCEVC",
    '"SMPTE ST 2110"', "CMAF", "HDR10+", '"cloud playout"', '"ad insertion"', '"service list"',
    '"hybrid TV"', "datacasting", '"emergency alerts"', '"low latency"', '"AC-4"', "C2PA",
    '"content credentials"', "HbbTV", "DVB-T2", "IPTV", '"private 5G"', '"set-top box"',
    '"smart TV"', "headend", "watermarking", '"free ad-supported"', "lighthouse", "simulcast",
    '"Dolby Vision"', '"remote production"', '"IP production"', "NDI", "SRT", "DVB-NIP",
    '"spectrum auction"', '"retransmission consent"', '"carriage dispute"', '"MPEG-H"',
    "HLG", '"ST 2110"', "SCTE-35", '"server-side ad insertion"', "SSAI", '"dynamic ad insertion"',
    "JPEG-XS", '"ATSC 1.0"', '"white spaces"', '"700 MHz"', '"UHF spectrum"', "DAB+",
    '"HD Radio"', '"Wi-Fi 7"', "OpenRAN", '"edge computing"', "multicast", '"ABR ladder"',
    '"per-title encoding"', '"content steering"', "DRM", "Widevine", "PlayReady", "MoQ",
    '"Media over QUIC"', "WebRTC", '"LL-HLS"', '"DASH-IF"', '"NextGen Broadcast"', "3GPP",
    '"Release 17"', "FeMBMS", '"network slicing"', '"vertical video"', '"generative AI"',
    '"AI dubbing"', '"automatic captioning"', '"audio description"', '"sign language"',
)  # fmt: skip
#: words that are in most articles of a trade's press: a few users watch them anyway
BROAD = (
    "streaming", "broadcast*", "FAST", "OTT", "advertising", "playout", "transmitter", "4K",
)  # fmt: skip
#: what a story is about (combined with a company or a technology)
TOPICS = (
    "launch*", "contract", "deal", "partnership", "acquisition", "merger", "appoint*", "hires",
    "results", "revenue", "trial", "pilot", "deploy*", "rollout", '"goes live"', "layoffs",
    "outage", "lawsuit", "regulator*", "funding", "investment", "shares", "price*", "expan*",
)  # fmt: skip
PREFIXES = (
    "encod*", "transmit*", "subscri*", "monetis*", "monetiz*", "acqui*", "interoperab*",
    "standardi*", "certif*", "virtuali*", "automat*", "upgrad*", "migrat*", "outag*",
    "licens*", "aggregat*",
)  # fmt: skip
NEGATIVES = (
    "sports", "football", "rumour", "opinion", "podcast", "radio", "sponsored", "webinar",
    '"press release"', "job*", "obituary", "trial", "appointment*",
)  # fmt: skip
#: parts of company names the articles do not mention (most watched companies are elsewhere)
_HEADS = (
    "Nova", "Astra", "Blue", "Clear", "Sky", "Star", "Terra", "Aero", "Quad", "Vox", "Lumen",
    "Pixel", "Signal", "Orbit", "Vertex", "Apex", "Zephyr", "Cobalt", "Argent", "Boreal",
    "Cinder", "Delta", "Ember", "Fjord", "Glacier", "Halcyon", "Iris", "Juniper", "Krypto",
    "Lyric", "Mosaic", "Nimbus", "Onyx", "Prism", "Quartz", "Radiant", "Solstice", "Tundra",
    "Umbra", "Vivid", "Willow", "Xeno", "Yarrow", "Zenit",
)  # fmt: skip
_TAILS = (
    "cast", "wave", "vision", "stream", "link", "media", "net", "tek", "view", "com", "play",
    "tel", "sat", "works", "labs", "screen", "frame", "beam", "path", "hub",
)  # fmt: skip
_KINDS = ("Media", "Networks", "Broadcasting", "Systems", "Labs", "TV", "Group", "Telecom")
_FILTER_ONLY = (
    "lang:de source:techdaily", "lang:fr source:wire", 'source:"Demo StreamWatch" lang:en',
    "category:Standards", "lang:de", "lang:fr within:1d", "source:pressroom -lang:en",
    "NOT lang:en category:Broadcast",
)  # fmt: skip
#: kinds of watches and their shares (per cent)
KINDS = {
    "company": 28, "company_topic": 12, "or": 9, "person": 5, "product": 4, "tech": 12,
    "tech_place": 7, "not": 8, "prefix": 4, "near": 3, "field": 5, "broad": 1,
    "filter_only": 0.5,
}  # fmt: skip


def _q(name: str) -> str:
    return f'"{name}"' if " " in name or "-" in name else name


def _group(items: Sequence[str]) -> str:
    return items[0] if len(items) == 1 else "(" + " OR ".join(items) + ")"


class _Maker:
    """Writes watches the way users do (see the module documentation)."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.demo = [
            *w.BROADCASTERS, *w.EU_BROADCASTERS, *w.VENDORS, *w.OPERATORS, *w.STREAMERS,
            *w.PLATFORM_NAMES,
        ]  # fmt: skip
        self.people = [f"{f} {last}" for f in w.FIRST_NAMES for last in w.LAST_NAMES]
        self.places = [p.removeprefix("the ") for p in (*w.US_MARKETS, *w.EU_CITIES,
                                                        *w.EU_COUNTRIES)]  # fmt: skip
        self.products = [p for names in PRODUCT_LINES.values() for p in names]

    def company(self) -> str:
        rng = self.rng
        if rng.random() < 0.1:  # one the newsroom writes about
            name = rng.choice(self.demo).replace("+", "")
            if " " in name and rng.random() < 0.5:
                return name.split()[0]  # "Vectra" for "Vectra Signal Systems"
            return _q(name)
        name = rng.choice(_HEADS) + rng.choice(_TAILS)
        if rng.random() < 0.4:
            name = f"{name} {rng.choice(_KINDS)}"
        return _q(name)

    def watch(self) -> tuple[str, str]:
        """(kind, query)"""
        rng = self.rng
        kind = rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
        tech = rng.choice(TECH)
        if kind == "company":
            query = self.company()
        elif kind == "company_topic":
            query = f"{self.company()} {_group(rng.sample(TOPICS, rng.randint(1, 3)))}"
        elif kind == "or":
            query = " OR ".join(self.company() for _ in range(rng.randint(2, 4)))
            if rng.random() < 0.3:
                query = f"({query}) {rng.choice(TOPICS)}"
        elif kind == "person":
            query = _q(rng.choice(self.people))
            if rng.random() < 0.2:
                query = f"author:{_q(rng.choice(w.JOURNALISTS))}"
        elif kind == "product":
            query = f"{self.company().split()[0].strip(chr(34))} {_q(rng.choice(self.products))}"
        elif kind == "tech":
            query = tech if rng.random() < 0.6 else f"{tech} {rng.choice(TOPICS)}"
        elif kind == "tech_place":
            query = f"{tech} {_group([_q(p) for p in rng.sample(self.places, rng.randint(1, 2))])}"
        elif kind == "not":
            base = tech if rng.random() < 0.6 else self.company()
            first, second = rng.sample(NEGATIVES, 2)
            query = (
                f"{base} -{first}" if rng.random() < 0.7 else f"{base} NOT ({first} OR {second})"
            )
        elif kind == "prefix":
            roll = rng.random()
            if roll < 0.5:
                query = f"{rng.choice(PREFIXES)} {tech}"
            elif roll < 0.8:
                query = self.company().strip('"').split()[0] + "*"  # the company's words
            else:
                query = f"{rng.choice(PREFIXES)} {self.company()}"
        elif kind == "near":
            query = f"{self.company()} NEAR/{rng.choice((3, 5, 10))} {rng.choice(TOPICS)}"
        elif kind == "field":
            query = rng.choice(
                [
                    f"title:{rng.choice(TOPICS)} {self.company()}",
                    f"title:({rng.choice(TOPICS)} OR {rng.choice(TOPICS)}) {tech}",
                    f"tag:{tech}",
                    f"title:{tech}",
                    f"url:{rng.choice(PREFIXES)} {self.company()}",
                ]
            )
        elif kind == "broad":
            query = rng.choice(BROAD)
        else:
            query = rng.choice(_FILTER_ONLY)
        if kind != "filter_only" and rng.random() < 0.1:
            query += rng.choice((" lang:en", " within:7d", " -lang:de", " -source:wire"))
        return kind, query


def make_watches(n: int, seed: int = SEED) -> list[tuple[str, str]]:
    """``n`` watches as (kind, query), all valid; the first ``k`` are the same for every
    ``n``."""
    maker = _Maker(seed)
    return [maker.watch() for _ in range(n)]


# ---- the articles -----------------------------------------------------------------------------


def _from_story(article: LabelledArticle, found: datetime) -> ArticleFields:
    site = _SITES[article.site]
    return ArticleFields(
        title=article.title,
        text=article.text,
        url=f"https://{site.domain}/2026/{slugify(article.title)}/",
        source_name=site.name,
        source_host=site.domain,
        source_category=site.kind,
        language="en",
        published_at=found - timedelta(minutes=5),
        discovered_at=found,
    )


def _from_demo(article: Article, found: datetime, text: str) -> ArticleFields:
    outlet = OUTLET_BY_KEY[article.outlet]
    return ArticleFields(
        title=article.title,
        text=text,
        authors=(article.author,),
        tags=article.keywords,
        url=f"https://demo.mimir.invalid/{outlet.key}/2026/05/{article.slug}/",
        source_name=outlet.name,
        source_host="demo.mimir.invalid",
        source_category=outlet.category,
        language=article.language,
        published_at=found - timedelta(minutes=5),
        discovered_at=found,
    )


def make_articles(n: int, seed: int = SEED) -> list[ArticleFields]:
    """``n`` articles of 3-8 KB of text, found over the two days before ``NOW``: half copies
    of the stories generator's stories (press releases, wire copies, syndicated copies with the
    sites' boilerplate), three in ten the demo newsroom's articles (some in German or French),
    two in ten round-ups of two or three demo articles (a newsletter's "this week")."""
    rng = random.Random(seed)
    stories = [a for a in generate_stories(seed, max(20, n // 2)) if len(a.text) >= 3_000]
    rng.shuffle(stories)
    out: list[ArticleFields] = []
    demo = 0
    for i in range(n):
        found = NOW - timedelta(minutes=rng.randrange(2 * 24 * 60))
        roll = rng.random()
        if roll < 0.5 and stories:
            out.append(_from_story(stories.pop(), found))
            continue
        first = generate_article(seed, demo, OUTLETS[i % len(OUTLETS)].key)
        demo += 1
        # a round-up, or an article short of 3 KB, gets the next articles' paragraphs
        size = rng.randint(5_000, 8_000) if roll >= 0.8 else 3_000
        paragraphs = list(first.paragraphs)
        while len("\n\n".join(paragraphs)) < size:
            more = generate_article(seed, demo, first.outlet)
            demo += 1
            if more.language == first.language:
                paragraphs += [more.title, *more.paragraphs]
        text = "\n\n".join(paragraphs)
        if roll >= 0.8:
            text = text[:size].rsplit(" ", 1)[0]
        out.append(_from_demo(first, found, text))
    return out


# ---- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Row:
    """One size's results; times in milliseconds (per article unless said otherwise)."""

    watches: int
    queries: int  #: distinct parsed queries
    unindexed: int  #: distinct queries with no required word (checked every time)
    build_ms: float  #: replace_all from the query texts (parsing and indexing), once
    rekey_ms: float  #: one rekey (indexing again with the word counts), once
    articles: int
    doc_ms: float  #: Document.of alone (CPU; part of both sides)
    mean_ms: float  #: the percolator, Document.of included (wall clock)
    p95_ms: float
    cpu_ms: float  #: the same in CPU time of the thread
    cpu_p95_ms: float
    cold_mean_ms: float  #: the percolator before it has counted any words (required's keys)
    cold_verified: float  #: queries it verified per article
    loop_articles: int
    loop_mean_ms: float
    loop_p95_ms: float
    loop_cpu_ms: float
    ratio: float  #: loop / percolator, mean CPU time on the loop's articles
    candidates: float  #: indexed queries found by the index, per article
    verified: float  #: queries run through the matcher, per article
    matches: float  #: watches matched, per article


def _p95(values: Sequence[int]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def _ms(ns: float) -> float:
    return ns / 1e6


def _warm_up(percolator: Percolator, pool: Sequence[ArticleFields], articles: int) -> None:
    """Run ``percolator`` over ``pool`` (in turn) as a running worker would have, until its
    automatic re-indexing has happened and the next is further than ``articles`` away."""
    seen = REKEY_FIRST
    while seen <= articles:
        seen *= 2
    for n in range(seen):
        percolator.match(pool[n % len(pool)], now=NOW)


def measure(
    watches: Sequence[str],
    articles: Sequence[ArticleFields],
    warm_up: Sequence[ArticleFields],
    loop_articles: int,
) -> Row:
    """Time both sides over ``articles`` (the loop over the first ``loop_articles``) and check
    that they agree."""
    gc.collect()
    started = time.perf_counter_ns()
    percolator = Percolator()
    rejected = percolator.replace_all(enumerate(watches))
    build_ns = time.perf_counter_ns() - started
    assert not rejected, rejected
    queries: list[tuple[int, Node]] = [(i, parse(q)) for i, q in enumerate(watches)]

    cold = Percolator(rekey_after=None)
    cold.replace_all(enumerate(watches))
    cold_ns = []
    for article in articles:
        t0 = time.perf_counter_ns()
        cold.match(Document.of(article), now=NOW)
        cold_ns.append(time.perf_counter_ns() - t0)
    cold_verified = cold.stats.verified / len(articles)
    del cold

    _warm_up(percolator, warm_up, len(articles))
    started = time.perf_counter_ns()
    percolator.rekey()
    rekey_ns = time.perf_counter_ns() - started
    before = percolator.stats

    doc_cpu, wall, cpu, loop_wall, loop_cpu = [], [], [], [], []
    for n, article in enumerate(articles):
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        doc = Document.of(article)
        c1 = time.thread_time_ns()
        found = percolator.match(doc, now=NOW)
        t2, c2 = time.perf_counter_ns(), time.thread_time_ns()
        doc_cpu.append(c1 - c0)
        wall.append(t2 - t0)
        cpu.append(c2 - c0)
        if n >= loop_articles:
            continue
        t0, c0 = time.perf_counter_ns(), time.thread_time_ns()
        doc = Document.of(article)
        expected: list[WatchMatch] = []
        for watch_id, query in queries:
            result = match(query, doc, now=NOW)
            if result.matched:
                expected.append((watch_id, result))
        loop_wall.append(time.perf_counter_ns() - t0)
        loop_cpu.append(time.thread_time_ns() - c0)
        if found != expected:
            raise AssertionError(f"article {n}: percolator {found!r} != loop {expected!r}")

    stats = percolator.stats
    done = stats.articles - before.articles
    return Row(
        watches=len(watches),
        queries=percolator.queries,
        unindexed=percolator.unindexed,
        build_ms=_ms(build_ns),
        rekey_ms=_ms(rekey_ns),
        articles=len(articles),
        doc_ms=_ms(statistics.fmean(doc_cpu)),
        mean_ms=_ms(statistics.fmean(wall)),
        p95_ms=_ms(_p95(wall)),
        cpu_ms=_ms(statistics.fmean(cpu)),
        cpu_p95_ms=_ms(_p95(cpu)),
        cold_mean_ms=_ms(statistics.fmean(cold_ns)),
        cold_verified=cold_verified,
        loop_articles=len(loop_wall),
        loop_mean_ms=_ms(statistics.fmean(loop_wall)),
        loop_p95_ms=_ms(_p95(loop_wall)),
        loop_cpu_ms=_ms(statistics.fmean(loop_cpu)),
        ratio=statistics.fmean(loop_cpu) / statistics.fmean(cpu[: len(loop_cpu)]),
        candidates=(stats.candidates - before.candidates) / done,
        verified=(stats.verified - before.verified) / done,
        matches=(stats.matches - before.matches) / done,
    )


def report(rows: Sequence[Row]) -> list[str]:
    """The results as a Markdown table."""
    lines = [
        "| Watches | Distinct queries (no key) | Build / rekey | Percolator mean / p95 "
        "(CPU mean / p95) | Cold mean (verified) | One by one mean / p95 (CPU mean) | Ratio (CPU) "
        "| Found / verified / matched |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r.watches:,} | {r.queries:,} ({r.unindexed}) "
            f"| {r.build_ms:,.0f} / {r.rekey_ms:,.0f} ms "
            f"| {r.mean_ms:.2f} / {r.p95_ms:.2f} ms ({r.cpu_ms:.2f} / {r.cpu_p95_ms:.2f}) "
            f"| {r.cold_mean_ms:.2f} ms ({r.cold_verified:.0f}) "
            f"| {r.loop_mean_ms:,.2f} / {r.loop_p95_ms:,.2f} ms ({r.loop_cpu_ms:,.2f}) "
            f"| {r.ratio:,.1f}x | {r.candidates:.0f} / {r.verified:.0f} / {r.matches:.0f} |"
        )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: [int(x) for x in s.split(",")],
        default=list(SIZES),
        help="numbers of watches, comma-separated",
    )
    parser.add_argument("--articles", type=int, default=300, help="articles per size")
    parser.add_argument(
        "--loop-budget",
        type=int,
        default=1_000_000,
        help="the loop runs on at most this many (watch, article) pairs per size",
    )
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, no targets")
    parser.add_argument("--json", metavar="PATH", help="write the rows as JSON")
    args = parser.parse_args(argv)
    sizes: list[int] = [10, 1_000] if args.smoke else args.sizes
    n_articles = 20 if args.smoke else args.articles
    articles = make_articles(n_articles)
    warm_up = make_articles(256, seed=SEED + 1)
    lengths = sorted(len(a.text or "") for a in articles)
    print(
        f"{n_articles} articles, text {lengths[0]:,}-{lengths[-1]:,} characters "
        f"(median {lengths[len(lengths) // 2]:,}); now {NOW:%Y-%m-%d %H:%M} UTC",
        flush=True,
    )
    all_watches = [query for _, query in make_watches(max(sizes))]
    rows = []
    for size in sizes:
        loop_articles = max(20, min(n_articles, args.loop_budget // size))
        r = measure(all_watches[:size], articles, warm_up, loop_articles)
        rows.append(r)
        print(
            f"{size:>6} watches: percolator {r.mean_ms:.3f} ms (p95 {r.p95_ms:.3f}, "
            f"CPU {r.cpu_ms:.3f}), loop {r.loop_mean_ms:.3f} ms on {r.loop_articles} "
            f"articles, {r.ratio:.1f}x",
            flush=True,
        )
    print("\n" + "\n".join(report(rows)))
    print(
        f"\nDocument.of (in every number above): {statistics.fmean(r.doc_ms for r in rows):.2f} ms"
    )
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump([asdict(r) for r in rows], fh, indent=2)
    if args.smoke or 10_000 not in sizes:
        return 0
    big = next(r for r in rows if r.watches == 10_000)
    ok = big.cpu_ms <= TARGET_MS and big.ratio >= TARGET_RATIO
    print(
        f"\n10,000 watches: {big.cpu_ms:.2f} ms of CPU per article (target <= {TARGET_MS} ms), "
        f"{big.ratio:.1f}x the loop (target >= {TARGET_RATIO:.0f}x): "
        + ("met" if ok else "NOT met")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
