"""One ingest path: an article, its story and its alerts are stored together (both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import func, select

from mimir.alerts.matching import SourceInfo, WatchSet
from mimir.db.database import Database
from mimir.db.tables import alerts, outbox, stories
from mimir.model.watches import WatchMode
from mimir.monitor.ingest import AfterStore, Stored, store_article
from mimir.process import neardup
from mimir.process.fingerprint import text_fingerprint
from mimir.storage import watches as watch_store
from mimir.storage.articles import ArticleValues
from tests.storage.test_articles import NOW, source, values

RELEASE = """\
LAS VEGAS, April 12, 2026 - Harmonic today announced that Sinclair Broadcast Group has selected \
its VOS360 Live Streaming Platform to deliver ATSC 3.0 NextGen TV services across 40 additional \
markets, extending a deployment that began in 2024 with eight stations in the Midwest.

The cloud-native platform will handle encoding, packaging and origin services for the \
broadcaster's \
lighthouse stations, allowing Sinclair to launch interactive features and targeted advertising \
without adding hardware at each transmitter site, the companies said in a joint statement.

"NextGen TV lets us reach viewers with better pictures, better sound and services that were never \
possible over the air," said Del Parks, chief technology officer at Sinclair. "Moving the workflow \
to software shortens the time from decision to air from months to days."

Harmonic said the expanded agreement also covers dynamic ad insertion and a monitoring dashboard \
that reports the health of every multiplex in real time. Financial terms were not disclosed. The \
first of the new markets are expected to switch on before the end of the third quarter.

Sinclair owns, operates or provides services to 185 television stations in 86 markets and is one \
of the largest local news providers in the United States, according to the company's latest annual \
report filed with regulators in February.
"""

OTHER = """\
AMSTERDAM, April 13, 2026 - Harmonic reported first-quarter revenue of 148 million dollars, down \
six percent from a year earlier, as cable operators delayed orders for broadband access equipment \
while its video business grew on demand for streaming services from sports leagues.

Chief executive Nimrod Ben-Natan said on a call with analysts that the company expects broadband \
shipments to recover in the second half as two large operators complete network upgrades, and \
reiterated its full-year outlook for the video segment, which includes software-as-a-service deals.

Gross margin improved to 53 percent from 51 percent, helped by a larger share of recurring \
software revenue. The company ended the quarter with 92 million dollars in cash and repurchased \
shares worth 20 million dollars during the period, according to the statement.

Analysts had expected revenue of 152 million dollars on average. Shares fell four percent in \
extended trading after the results were published, erasing gains made earlier in the week.
"""


def article(sid: int, url: str, title: str, text: str, **kw: object) -> ArticleValues:
    sig = neardup.signature(title, text)
    v = values(sid, url, text=text, title=title, fingerprint=text_fingerprint(text))
    return replace(v, signature=sig.to_bytes(), band_keys=tuple(neardup.band_keys(sig)), **kw)  # type: ignore[arg-type]


def store(db: Database, v: ArticleValues, after: AfterStore, at=NOW) -> Stored:  # type: ignore[no-untyped-def]
    return db.sync_write(store_article, v, at, after)


def test_copies_form_one_story_and_other_news_stays_apart(db: Database) -> None:
    a, b, c = source(db, "wire"), source(db, "tvtech"), source(db, "press")
    after = AfterStore(WatchSet.empty())
    first = store(
        db,
        article(a, "https://wire.example/1", "Sinclair picks Harmonic for NextGen TV", RELEASE),
        after,
    )
    # the same release elsewhere: another headline, a dateline and a boilerplate line, trimmed
    copy_text = (
        "By Staff | TV Tech\n\n"
        + RELEASE.rsplit("\n\n", 2)[0]
        + "\n\nOriginally published by Harmonic."
    )
    copy = store(
        db,
        article(b, "https://tvtech.example/x", "Harmonic lands Sinclair ATSC 3.0 deal", copy_text),
        after,
        NOW + timedelta(hours=3),
    )
    other = store(
        db, article(c, "https://press.example/q1", "Harmonic first-quarter results", OTHER), after
    )
    assert first.story_id is not None and not first.joined_story
    assert copy.story_id == first.story_id and copy.joined_story
    assert other.story_id not in (None, first.story_id)
    row = db.sync_read(
        lambda conn: conn.execute(select(stories).where(stories.c.id == first.story_id)).one()
    )
    assert row.article_count == 2 and row.source_count == 2
    assert row.lead_article_id == first.article_id  # the earlier, complete copy leads
    # a revision keeps its story
    revised = store(
        db,
        article(
            b,
            "https://tvtech.example/x",
            "Harmonic lands Sinclair ATSC 3.0 deal",
            copy_text + "\n\nUpdated with a correction.",
        ),
        after,
    )
    assert revised.outcome.value == "revised" and revised.story_id == first.story_id


def test_alerts_once_per_watch_and_story_and_outbox_only_for_instant(db: Database) -> None:
    a, b = source(db, "wire"), source(db, "tvtech")

    def setup(conn):  # type: ignore[no-untyped-def]
        ch = watch_store.add_channel(conn, "ops", "json://hooks.example/x", "webhook", NOW)
        w1 = watch_store.add_watch(
            conn,
            name="nextgen",
            query='"NextGen TV" OR "ATSC 3.0"',
            mode=WatchMode.INSTANT,
            timezone="UTC",
            feed_token="t1",
            channel_ids=[ch],
            now=NOW,
        )
        w2 = watch_store.add_watch(
            conn,
            name="harmonic daily",
            query="harmonic -results",
            mode=WatchMode.DAILY,
            timezone="Europe/Berlin",
            feed_token="t2",
            channel_ids=[ch],
            now=NOW,
        )
        watch_store.add_watch(
            conn,
            name="unrelated",
            query="satellite",
            mode=WatchMode.INSTANT,
            timezone="UTC",
            feed_token="t3",
            channel_ids=[ch],
            now=NOW,
        )
        return w1, w2

    w1, w2 = db.sync_write(setup)
    watches = db.sync_read(WatchSet.load)
    assert len(watches) == 3
    after = AfterStore(watches, SourceInfo("Wire", "wire.example", "trade"))
    first = store(
        db, article(a, "https://wire.example/1", "Sinclair picks Harmonic", RELEASE), after
    )
    assert sorted(m.watch_id for m in first.matched) == [w1, w2]
    by_watch = {m.watch_id: m for m in first.matched}
    assert set(by_watch[w1].terms) == {'"nextgen tv"', '"atsc 3 0"'}  # folded, as highlighted
    assert by_watch[w1].queued == 1 and by_watch[w2].queued == 0  # digest: no outbox row yet
    copy = store(
        db,
        article(
            b,
            "https://tvtech.example/x",
            "Harmonic lands Sinclair deal",
            RELEASE + "\nAlso on TV Tech.",
        ),
        after,
    )
    assert copy.story_id == first.story_id and copy.matched == []  # same story: no second alert
    counts = db.sync_read(
        lambda conn: (
            conn.execute(select(func.count()).select_from(alerts)).scalar(),
            conn.execute(select(func.count()).select_from(outbox)).scalar(),
        )
    )
    assert counts == (2, 1)
