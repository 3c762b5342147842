"""Search benchmark: p95 latency of typical queries over 1,000,000 articles, SQLite and PostgreSQL.

A generated corpus that looks like a year of industry news: 400 sources in 10 categories, seven
languages (70 % English), dates spread over 365 days and stored in the order they were found,
titles of 6-14 words, texts of 80-2,500 words (log-normal, median ~420), words drawn from
function words, a general news vocabulary, twelve topics (each article has one) and a long
Zipf tail of 150,000 rarer words, plus the multi-word names of the trade ("ATSC 3.0",
"NextGen TV", "5G Broadcast", "FAST channels"). It goes into Mimir's own tables: SQLite through
the normal triggers, PostgreSQL by COPY with the sync trigger off and then the migration's own
row function (``mimir_article_search_row``) and GIN index builds, which give the same index.

Three kinds of typical queries, a dozen of each, every one run in both orders through
``mimir.storage.search.search`` (parse, source lookup, SQL, the page's rows, snippets: what a
user waits for), one warm-up pass and then ``--repeat`` timed passes:

- two words (``streaming subscribers``);
- a phrase and a source (``"ATSC 3.0" source:northwind``);
- a boolean with NOT and a date (``(merger OR acquisition) -rumor after:2026-09-01``).

Targets: p95 <= 50 ms newest first, <= 200 ms by relevance.

    python -m bench.search --db sqlite:////var/tmp/mimir-search.db --size 1000000
    python -m bench.search --db postgresql+psycopg://postgres@127.0.0.1/mimir_bench_search
    python -m bench.search --smoke            # 3,000 articles on SQLite, a few seconds
    python -m bench.search --db ... --reuse   # measure again without rebuilding the corpus
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, create_engine, func, insert, select, text
from sqlalchemy.engine import make_url

from mimir.db.migrate import upgrade
from mimir.db.tables import articles, sources
from mimir.storage.search import Order, matching_ids, search

NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)
SEED = 20261130


def _w(text: str, sep: str | None = None) -> list[str]:
    """A word list written as one string (spaces, or ``sep``, between the words)."""
    return text.split(sep)


FUNCTION_WORDS = {
    "en": _w(
        "the of and to a in that is for on it with as was said by at from he be this has have "
        "are its will an which but not they were been their more also would had than who one "
        "about after new or all up two over out when there other some into year can could last "
        "first people time we his she her our now just so only most what because while where "
        "three those these us may many like since before under then between both well them any "
        "each such during against through per including however"
    ),
    "de": _w(
        "der die das und in den von zu mit sich des auf für ist im dem nicht ein eine als auch "
        "es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über "
        "einen so zum war haben nur oder aber vor zur bis mehr durch man"
    ),
    "fr": _w(
        "de la le et les des en un du une est que pour dans qui par sur au avec plus ne pas se "
        "ce il sont a été aux ou son sa leur cette mais comme selon après entre elle nous deux "
        "ans fait"
    ),
    "es": _w(
        "de la que el en y a los del se las por un para con no una su al lo como más pero sus "
        "le ya o este fue ha sí porque esta entre cuando muy sin sobre también me hasta"
    ),
    "it": _w(
        "di e il la che in un a per è una del della le con non si da al i sono alla come ha "
        "anche gli più ma dei nel ne delle lo se"
    ),
    "pt": _w(
        "de a o que e do da em um para é com não uma os no se na por mais as dos como mas foi "
        "ao ele das tem à seu sua ou ser quando"
    ),
    "nl": _w(
        "de van het een en in is dat op te zijn voor met die niet aan er om ook als bij of "
        "maar door naar dan nog wel uit tot over"
    ),
}
LANGUAGES = {"en": 0.70, "de": 0.08, "fr": 0.08, "es": 0.05, "it": 0.03, "pt": 0.03, "nl": 0.03}

COMMON = _w(
    "company market million billion service network customers announced report industry "
    "executive chief deal revenue quarter growth plans launch deploy content video audio "
    "viewers audience platform technology system partner partners partnership agreement "
    "operator operators broadcaster broadcasters station stations channel channels media "
    "digital data cloud software hardware devices users subscribers price prices cost costs "
    "investment investors shares stock results earnings sales global europe america asia "
    "government regulator rules policy court ruling decision trial test tests pilot rollout "
    "delay delayed expected plan strategy team staff jobs cuts hiring president director "
    "officer board record week month today monday tuesday wednesday thursday friday news "
    "series live event events rights league sports football season coverage production studio "
    "studios film films show shows streaming stream streams service services tv television radio "
    "satellite cable fiber mobile wireless spectrum license licence public private national local "
    "regional international standard standards new latest major small large first second"
)
TOPICS: dict[str, list[str]] = {
    "atsc3": _w(
        "ATSC 3.0|NextGen TV|stations|broadcast|transmitter|tuner|markets|FCC|lighthouse"
        "|simulcast|datacasting|receivers|gateway|signal|coverage|single-frequency|watermark|"
        "HDR|Dolby|interactive|encryption|A/300|host|sunset|ATSC|1.0|converter",
        "|",
    ),
    "streaming": _w(
        "streaming|subscribers|churn|SVOD|AVOD|originals|catalogue|bundle|app|"
        "subscription|tier|ad-supported|password|sharing|premium|binge|series|Netflix-style|"
        "recommendation|engagement|hours|watched|platform|price|increase",
        "|",
    ),
    "5gb": _w(
        "5G Broadcast|5G|LTE|FeMBMS|trial|mobile|handsets|tower|high-power|spectrum|"
        "operator|3GPP|Release|smartphone|receive-only|SIM|multicast|pilot|UHF",
        "|",
    ),
    "advertising": _w(
        "advertising|ad|ads|revenue|CPM|addressable|targeting|campaign|"
        "marketers|agencies|upfront|inventory|programmatic|measurement|ratings|Nielsen|"
        "impressions|brands|spend|linear|CTV",
        "|",
    ),
    "deals": _w(
        "merger|acquisition|acquire|acquired|takeover|bid|shareholders|antitrust|"
        "approval|regulators|valuation|rumor|rumour|talks|stake|private equity|consolidation|"
        "divestiture|synergies|closing",
        "|",
    ),
    "regulation": _w(
        "regulator|FCC|Ofcom|ruling|license|rules|consultation|fine|compliance|"
        "must-carry|retransmission|ownership|cap|spectrum|auction|public interest|court|appeal"
        "",
        "|",
    ),
    "sports": _w(
        "sports|rights|league|matches|football|Premier League|NBA|Olympics|"
        "broadcast rights|streaming rights|fans|season|tournament|highlights|betting|RSN|"
        "regional sports",
        "|",
    ),
    "satellite": _w(
        "satellite|orbit|GEO|LEO|transponder|capacity|launch|uplink|teleport|"
        "direct-to-home|DTH|C-band|Ku-band|constellation|ground station",
        "|",
    ),
    "radio": _w(
        "radio|FM|AM|DAB|DAB+|podcast|podcasts|audio|listeners|station|HD Radio|"
        "car|dashboard|streaming audio|ratings|audience",
        "|",
    ),
    "cloud": _w(
        "cloud|playout|IP|SMPTE 2110|workflow|remote production|encoding|transcoding|"
        "CDN|latency|origin|microservices|virtualized|AWS|migration|master control",
        "|",
    ),
    "people": _w(
        "appoints|appointed|names|named|hires|CEO|CFO|CTO|executive|veteran|joins|"
        "steps down|retire|successor|promoted|leadership|board",
        "|",
    ),
    "ai": _w(
        "AI|artificial intelligence|machine learning|generative|model|models|automation|"
        "metadata|captioning|subtitles|deepfake|synthetic|newsroom|tools|GPU",
        "|",
    ),
}
TOPIC_WEIGHTS = np.array([0.12, 0.14, 0.05, 0.10, 0.08, 0.07, 0.10, 0.05, 0.07, 0.08, 0.08, 0.06])
CATEGORIES = (
    "Broadcast", "Streaming", "Business", "Technology", "Regulation", "Sports media",
    "Advertising", "Radio and audio", "General news", "Satellite",
)  # fmt: skip
SOURCE_WORDS = _w(
    "Northwind Harborview Crestline Bluewater Sentinel Prairie Meridian Lakeshore Cascadia "
    "Granite Redwood Summit Nordlicht Horizon Aurora Fjord Alpenwelle Baltica Iberia Danubia "
    "Rheinland Hollandse Vectra Lumenwave Orbis Kestrel Atlas Beacon Pioneer Frontier Keystone "
    "Coastal Metro Capital Heartland Pacific Atlantic Central"
)
SOURCE_KINDS = _w("Journal|Daily|Report|Wire|Insider|Review|Times|Post|Tech|News", "|")
TAIL_WORDS = 150_000
# mixture of a text's words: function words, common news words, the article's topic, another
# topic, the long tail (titles lean on the topic)
TEXT_MIX = np.array([0.42, 0.20, 0.12, 0.04, 0.22])
TITLE_MIX = np.array([0.20, 0.30, 0.35, 0.05, 0.10])


def _zipf(n: int, s: float = 1.07) -> np.ndarray[Any, np.dtype[np.float64]]:
    weights = 1.0 / np.arange(1, n + 1) ** s
    out: np.ndarray[Any, np.dtype[np.float64]] = np.cumsum(weights / weights.sum())
    return out


def _tail_words(n: int, rng: np.random.Generator) -> list[str]:
    onsets = _w(
        "b c d f g h j k l m n p r s t v w z br cr dr fr gr pr tr st sp sk pl cl bl ch sh th"
    )
    vowels = _w("a e i o u ai ea io ou")
    codas = ["", "", "n", "r", "s", "t", "l", "m", "x", "nd", "rt", "st"]
    seen: set[str] = set()
    out: list[str] = []
    while len(out) < n:
        k = int(rng.integers(2, 5))
        word = (
            "".join(
                onsets[int(rng.integers(len(onsets)))] + vowels[int(rng.integers(len(vowels)))]
                for _ in range(k)
            )
            + codas[int(rng.integers(len(codas)))]
        )
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


@dataclass
class Source:
    id: int
    name: str
    host: str
    category: str


class Corpus:
    """Deterministic articles, generated in batches (numpy for the words)."""

    def __init__(self, size: int, sources: int, seed: int = SEED) -> None:
        self.size = size
        self.n_sources = sources
        self.rng = np.random.default_rng(seed)
        self.tail = np.array(_tail_words(TAIL_WORDS, self.rng), dtype=object)
        self.tail_cdf = _zipf(len(self.tail))
        self.common = np.array(COMMON, dtype=object)
        self.common_cdf = _zipf(len(self.common), 0.9)
        self.topics = list(TOPICS)
        self.topic_words = [np.array(TOPICS[t], dtype=object) for t in self.topics]
        self.topic_cdfs = [_zipf(len(w), 0.8) for w in self.topic_words]
        self.function = {k: np.array(v, dtype=object) for k, v in FUNCTION_WORDS.items()}
        self.function_cdf = {k: _zipf(len(v), 1.0) for k, v in self.function.items()}
        self.langs = list(LANGUAGES)
        self.lang_p = np.array(list(LANGUAGES.values()))
        self.first = [f"{w}a" for w in SOURCE_WORDS] + ["Jane", "Omar", "Li", "Ana", "Sven"]
        self.last = ["Doe", "Okafor", "Nguyen", "García", "Müller", "Rossi", "Dubois", "Kowalski"]

    def sources(self) -> list[dict[str, Any]]:
        out = []
        for i in range(self.n_sources):
            a = SOURCE_WORDS[i % len(SOURCE_WORDS)]
            kind = SOURCE_KINDS[(i // len(SOURCE_WORDS)) % len(SOURCE_KINDS)]
            name = f"{a} {kind}" if i < len(SOURCE_WORDS) * len(SOURCE_KINDS) else f"{a} {kind} {i}"
            host = f"{a.lower()}-{kind.lower()}{i}.example"
            out.append({"name": name, "host": host, "category": CATEGORIES[i % len(CATEGORIES)]})
        return out

    def _words(
        self, mix: np.ndarray[Any, Any], n: int, topic: int, lang: str
    ) -> np.ndarray[Any, Any]:
        rng = self.rng
        kind = np.searchsorted(np.cumsum(mix), rng.random(n))
        out = np.empty(n, dtype=object)
        picks = rng.random(n)
        sel = kind == 0
        out[sel] = self.function[lang][np.searchsorted(self.function_cdf[lang], picks[sel])]
        sel = kind == 1
        out[sel] = self.common[np.searchsorted(self.common_cdf, picks[sel])]
        sel = kind == 2
        out[sel] = self.topic_words[topic][np.searchsorted(self.topic_cdfs[topic], picks[sel])]
        sel = kind == 3
        other = (topic + 1 + int(rng.integers(len(self.topics) - 1))) % len(self.topics)
        out[sel] = self.topic_words[other][np.searchsorted(self.topic_cdfs[other], picks[sel])]
        sel = kind >= 4
        idx = np.minimum(np.searchsorted(self.tail_cdf, picks[sel]), len(self.tail) - 1)
        out[sel] = self.tail[idx]
        return out

    def batches(self, batch: int, source_ids: list[int]) -> Iterator[list[dict[str, Any]]]:
        """The articles in the order they were found (dates spread over the year to NOW)."""
        rng = self.rng
        start = NOW - timedelta(days=365)
        step = timedelta(days=365) / self.size
        for first in range(0, self.size, batch):
            rows = []
            n = min(batch, self.size - first)
            lengths = np.clip(rng.lognormal(np.log(420), 0.55, n), 80, 2500).astype(int)
            topics = rng.choice(len(self.topics), n, p=TOPIC_WEIGHTS)
            langs = rng.choice(len(self.langs), n, p=self.lang_p)
            src = rng.integers(0, len(source_ids), n)
            for j in range(n):
                i = first + j
                lang = self.langs[int(langs[j])]
                topic = int(topics[j])
                title_words = self._words(TITLE_MIX, int(rng.integers(6, 15)), topic, lang)
                title = " ".join(title_words)
                title = title[:1].upper() + title[1:]
                words = self._words(TEXT_MIX, int(lengths[j]), topic, lang)
                cuts = np.cumsum(rng.integers(8, 26, len(words) // 8 + 2))
                sentences = []
                at = 0
                for cut in cuts:
                    if at >= len(words):
                        break
                    sentence = " ".join(words[at : int(cut)])
                    sentences.append(sentence[:1].upper() + sentence[1:])
                    at = int(cut)
                found = start + step * i
                sid = source_ids[int(src[j])]
                slug = "-".join(w.lower() for w in title_words[:6] if w.isalnum())
                url = f"https://src{sid}.example/{found:%Y/%m}/{slug}-{i}"
                topic_tags = self.topic_words[topic]
                rows.append(
                    {
                        "source_id": sid,
                        "url": url,
                        "canonical_url": url,
                        "url_hash": hashlib.sha256(url.encode()).hexdigest(),
                        "title": title,
                        "text": ". ".join(sentences) + ".",
                        "authors": [
                            f"{self.first[int(rng.integers(len(self.first)))]} "
                            f"{self.last[int(rng.integers(len(self.last)))]}"
                        ],
                        "tags": [str(t) for t in rng.choice(topic_tags, 3, replace=False)],
                        "language": lang,
                        "published_at": found - timedelta(minutes=int(rng.integers(0, 360))),
                        "discovered_at": found,
                        "fetched_at": found,
                    }
                )
            yield rows


# ---- loading ------------------------------------------------------------------------------------


def _fresh(url: str) -> Engine:
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database:
            for suffix in ("", "-wal", "-shm"):
                Path(u.database + suffix).unlink(missing_ok=True)
    else:
        admin = create_engine(u.set(database="postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{u.database}"'))
        admin.dispose()
    engine = create_engine(url)
    upgrade(engine)
    return engine


def _sqlite_row(r: dict[str, Any]) -> tuple[Any, ...]:
    def ts(d: datetime) -> str:
        return d.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")

    return (
        r["source_id"], r["url"], r["canonical_url"], r["url_hash"], r["title"], r["text"],
        json.dumps(r["authors"]), json.dumps(r["tags"]), r["language"], ts(r["published_at"]),
        ts(r["discovered_at"]), ts(r["fetched_at"]),
    )  # fmt: skip


_COLUMNS = (
    "source_id, url, canonical_url, url_hash, title, text, authors, tags, language, "
    "published_at, discovered_at, fetched_at"
)


def load(url: str, corpus: Corpus, batch: int = 5000) -> dict[str, Any]:
    started = time.perf_counter()
    engine = _fresh(url)
    with engine.begin() as conn:
        source_ids = []
        for s in corpus.sources():
            row = {
                **s,
                "url": f"https://{s['host']}/feed",
                "url_hash": hashlib.sha256(s["host"].encode()).hexdigest(),
                "kind": "feed",
                "settings": {},
                "created_at": NOW - timedelta(days=400),
                "updated_at": NOW - timedelta(days=400),
            }
            source_ids.append(
                int(
                    conn.execute(insert(sources).values(**row).returning(sources.c.id)).scalar_one()
                )
            )
    done = 0
    if engine.dialect.name == "sqlite":
        raw = engine.raw_connection()
        try:
            cur = raw.cursor()
            sql = (
                f"INSERT INTO articles ({_COLUMNS}, fetch_meta, extraction, revision) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', 'page', 1)"
            )
            for rows in corpus.batches(batch, source_ids):
                cur.executemany(sql, [_sqlite_row(r) for r in rows])
                raw.commit()
                done += len(rows)
                _progress(done, corpus.size, started)
            cur.execute("PRAGMA optimize")
            cur.execute("INSERT INTO article_fts (article_fts) VALUES ('optimize')")
            raw.commit()
        finally:
            raw.close()
    else:
        _load_postgresql(engine, corpus, source_ids, batch, started)
    engine.dispose()
    return {"articles": corpus.size, "sources": len(source_ids),
            "load_seconds": round(time.perf_counter() - started, 1)}  # fmt: skip


def _load_postgresql(
    engine: Engine, corpus: Corpus, source_ids: list[int], batch: int, started: float
) -> None:
    """COPY with the sync trigger off, then the migration's row function and index builds."""
    raw = engine.raw_connection()
    try:
        cur = raw.cursor()
        cur.execute("ALTER TABLE articles DISABLE TRIGGER article_search_sync")
        cur.execute("DROP INDEX ix_article_search_terms, ix_article_search_meta")
        raw.commit()
        done = 0
        cols = [c.strip() for c in _COLUMNS.split(",")]
        for rows in corpus.batches(batch, source_ids):
            with cur.copy(  # type: ignore[attr-defined]
                f"COPY articles ({_COLUMNS}, fetch_meta) FROM STDIN"
            ) as copy:
                for r in rows:
                    values = [json.dumps(r[c]) if c in ("authors", "tags") else r[c] for c in cols]
                    copy.write_row([*values, "{}"])
            raw.commit()
            done += len(rows)
            _progress(done, corpus.size, started)
        print("indexing (mimir_article_search_row, 2 connections) ...", flush=True)
        cur.execute("SELECT min(id), max(id) FROM articles")
        lo, hi = cur.fetchone()  # type: ignore[misc]
        middle = (lo + hi) // 2
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda r: _index_range(engine, *r), [(lo, middle), (middle + 1, hi)]))
        cur.execute("SET maintenance_work_mem = '1GB'")
        cur.execute("CREATE INDEX ix_article_search_terms ON article_search USING gin (terms)")
        cur.execute("CREATE INDEX ix_article_search_meta ON article_search USING gin (meta)")
        cur.execute("ALTER TABLE articles ENABLE TRIGGER article_search_sync")
        raw.commit()
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True
        with driver.cursor() as plain:
            plain.execute("VACUUM ANALYZE articles")
            plain.execute("VACUUM ANALYZE article_search")
    finally:
        raw.close()


def _index_range(engine: Engine, first: int, last: int) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO article_search (article_id, source_id, language, sort_at, terms, "
                "meta, rank_config, rank_terms) SELECT r.* FROM articles a, "
                "LATERAL mimir_article_search_row(a) r "
                "WHERE a.deleted_at IS NULL AND a.id BETWEEN :first AND :last"
            ),
            {"first": first, "last": last},
        )


def _progress(done: int, total: int, started: float) -> None:
    if done == total or done % 50_000 == 0:
        rate = done / (time.perf_counter() - started)
        print(f"  {done:>9,} / {total:,} articles ({rate:,.0f}/s)", flush=True)


# ---- measuring ----------------------------------------------------------------------------------


def queries(engine: Engine) -> dict[str, list[str]]:
    """A dozen queries of each kind; the source filters name real sources of the corpus."""
    with engine.connect() as conn:
        names = [r[0] for r in conn.execute(select(sources.c.name).order_by(sources.c.id))]
    firsts = [n.split()[0].lower() for n in names[:: max(1, len(names) // 12)]][:12]
    phrases = ['"ATSC 3.0"', '"NextGen TV"', '"5G Broadcast"', '"remote production"',
               '"broadcast rights"', '"private equity"']  # fmt: skip
    after = (NOW - timedelta(days=90)).strftime("%Y-%m-%d")
    before = (NOW - timedelta(days=200)).strftime("%Y-%m-%d")
    return {
        "two words": [
            "streaming subscribers", "advertising revenue", "stations transmitter",
            "merger talks", "satellite capacity", "radio listeners", "cloud playout",
            "sports rights", "spectrum auction", "price increase", "broadcast launch",
            "AI captioning",
        ],
        "phrase + source": [
            f"{phrases[i % len(phrases)]} source:{firsts[i % len(firsts)]}" for i in range(12)
        ],
        "NOT + date": [
            f"(merger OR acquisition) -rumor after:{after}",
            f"streaming -sports after:{after}",
            f"advertising NOT (linear OR radio) after:{after}",
            f"launch -delay before:{before}",
            f"regulator fine -appeal after:{after}",
            f"podcast* -music after:{after}",
            '"ATSC 3.0" -"1.0" within:30d',
            f"satellite -LEO after:{after}",
            f"AI -deepfake before:{before}",
            "(FCC OR Ofcom) ruling -court within:60d",
            f"subscribers -churn after:{after}",
            f"takeover -bid before:{before}",
        ],
    }  # fmt: skip


def measure(url: str, repeat: int, limit: int = 20) -> dict[str, Any]:
    engine = create_engine(url)
    sets = queries(engine)
    results: dict[str, Any] = {}
    with engine.connect() as conn:
        counts = {q: len(matching_ids(conn, q, now=NOW)) for qs in sets.values() for q in qs}
        for order in (Order.NEWEST, Order.RELEVANCE):
            for kind, qs in sets.items():
                for q in qs:  # warm-up
                    search(conn, q, now=NOW, order=order, limit=limit)
                times: list[float] = []
                per_query: dict[str, float] = {}
                for _ in range(repeat):
                    for q in qs:
                        t0 = time.perf_counter()
                        page = search(conn, q, now=NOW, order=order, limit=limit)
                        elapsed = (time.perf_counter() - t0) * 1000
                        times.append(elapsed)
                        per_query[q] = max(per_query.get(q, 0.0), elapsed)
                        assert len(page.hits) == min(limit, counts[q]), (q, len(page.hits))
                times.sort()
                results[f"{order.value} / {kind}"] = {
                    "p50_ms": round(statistics.median(times), 1),
                    "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
                    "max_ms": round(times[-1], 1),
                    "runs": len(times),
                    "matches_median": int(statistics.median(counts[q] for q in qs)),
                    "matches_max": max(counts[q] for q in qs),
                    "slowest": max(per_query, key=lambda k: per_query[k]),
                }
        total = int(conn.execute(select(func.count()).select_from(articles)).scalar_one())
    engine.dispose()
    return {"articles": total, "results": results}


TARGET_MS = {"newest": 50.0, "relevance": 200.0}


def report(out: dict[str, Any]) -> bool:
    ok = True
    print(f"\n{out['database']}: {out['articles']:,} articles", flush=True)
    print(f"{'order / kind':<32} {'p50':>8} {'p95':>8} {'max':>8}  matches (median/max)  target")
    for key, r in out["results"].items():
        target = TARGET_MS[key.split(" / ")[0]]
        met = r["p95_ms"] <= target
        ok &= met
        print(
            f"{key:<32} {r['p50_ms']:>6.1f}ms {r['p95_ms']:>6.1f}ms {r['max_ms']:>6.1f}ms  "
            f"{r['matches_median']:>8,}/{r['matches_max']:<9,}  <= {target:.0f} ms "
            f"{'met' if met else 'MISSED'}"
        )
    return ok


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--db", help="database URL (default: a SQLite file in a temporary directory)")
    ap.add_argument("--size", type=int, default=1_000_000, help="articles in the corpus")
    ap.add_argument("--sources", type=int, default=400)
    ap.add_argument("--repeat", type=int, default=5, help="timed passes over the queries")
    ap.add_argument("--reuse", action="store_true", help="measure the corpus already there")
    ap.add_argument("--smoke", action="store_true", help="3,000 articles, 1 pass: seconds")
    ap.add_argument("--json", dest="json_out", help="also write the results to this file")
    args = ap.parse_args(argv)
    if args.smoke:
        args.size, args.sources, args.repeat = 3000, 40, 1
    with tempfile.TemporaryDirectory() as tmp:
        url = args.db or f"sqlite:///{Path(tmp) / 'search.db'}"
        out: dict[str, Any] = {"database": make_url(url).get_backend_name(), "size": args.size}
        if not args.reuse:
            print(f"building {args.size:,} articles in {make_url(url).render_as_string()}")
            out["load"] = load(url, Corpus(args.size, args.sources))
            print("loaded:", out["load"], flush=True)
        out.update(measure(url, args.repeat))
        ok = report(out)
        if args.json_out:
            Path(args.json_out).write_text(json.dumps(out, indent=2, default=str))
    if args.smoke:
        return  # the smoke run checks that everything runs and every query finds its page
    if not ok:
        print("a target was missed", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
