"""Story placement in the database: the capped candidate lookup, the incremental story row,
and the same stories as the in-memory reference (both databases)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bench import stories as bench
from sqlalchemy import Connection, select, text

from mimir.alerts.matching import WatchSet
from mimir.db.database import Database
from mimir.db.tables import articles, stories, story_bands
from mimir.monitor.ingest import AfterStore, store_article
from mimir.process import neardup
from mimir.storage import stories as story_store
from mimir.storage.articles import ArticleValues
from tests.storage.test_articles import NOW, source
from tests.storage.test_stories_alerts import OTHER, RELEASE, article, store

AFTER = AfterStore(WatchSet.empty())


def _story_row(db: Database, story_id: int) -> tuple[int, int, int, str | None]:
    row = db.sync_read(
        lambda conn: conn.execute(select(stories).where(stories.c.id == story_id)).one()
    )
    return row.article_count, row.source_count, row.lead_article_id, row.title


def _recounted(db: Database, story_id: int) -> tuple[int, int, int, str | None]:
    """What the story row should say, from all its members (the reference lead rule)."""

    def read(conn: Connection) -> tuple[int, int, int, str | None]:
        members = conn.execute(
            select(
                articles.c.id,
                articles.c.source_id,
                articles.c.signature,
                articles.c.published_at,
                articles.c.discovered_at,
                articles.c.title,
            ).where(articles.c.story_id == story_id)
        ).all()
        lead = neardup.choose_lead(
            (m.id, neardup.stored_size(m.signature), m.published_at or m.discovered_at)
            for m in members
        )
        title = next(m.title for m in members if m.id == lead)
        return len(members), len({m.source_id for m in members}), lead, title

    return db.sync_read(read)


def _paragraphs(n: int) -> str:
    return "\n\n".join(RELEASE.split("\n\n")[:n])


def test_story_counts_and_lead_stay_right_after_joins_and_revisions(db: Database) -> None:
    wire, tv, press = source(db, "wire"), source(db, "tvtech"), source(db, "press")
    title = "Sinclair picks Harmonic for NextGen TV"
    # arrivals in an order that moves the lead: a stub first, then a trimmed copy, then the
    # full text published earlier than both, a second copy from a source already counted, an
    # earlier full copy (the new lead), and a later one
    steps: list[tuple[int, str, str, timedelta]] = [
        (wire, "https://wire.example/stub", _paragraphs(1), timedelta(hours=2)),
        (tv, "https://tvtech.example/trim", _paragraphs(3), timedelta(hours=3)),
        (press, "https://press.example/full", RELEASE, timedelta(hours=1)),
        (tv, "https://tvtech.example/again", RELEASE + "\nAlso on TV Tech.", timedelta(hours=4)),
        (wire, "https://wire.example/full", "By Staff\n\n" + RELEASE, timedelta(minutes=30)),
        (press, "https://press.example/late", RELEASE + "\nReprinted.", timedelta(hours=9)),
    ]
    story_id: int | None = None
    for sid, url, body, offset in steps:
        v = replace(article(sid, url, title, body), published_at=NOW + offset)
        stored = store(db, v, AFTER, NOW + timedelta(hours=10))
        assert stored.story_id is not None
        story_id = story_id or stored.story_id
        assert stored.story_id == story_id
        assert _story_row(db, story_id) == _recounted(db, story_id)
    assert story_id is not None
    count, sources, lead, _ = _story_row(db, story_id)
    assert (count, sources) == (6, 3)
    lead_url = db.sync_read(
        lambda conn: conn.execute(select(articles.c.url).where(articles.c.id == lead)).scalar()
    )
    assert lead_url == "https://wire.example/full"  # the earliest complete copy
    # a revision that cuts the lead down to its first paragraph: counts stay, the lead moves
    cut = replace(
        article(wire, "https://wire.example/full", title, _paragraphs(1)),
        published_at=NOW + timedelta(minutes=30),
    )
    revised = store(db, cut, AFTER, NOW + timedelta(hours=11))
    assert revised.outcome.value == "revised" and revised.story_id == story_id
    after_revision = _story_row(db, story_id)
    assert after_revision == _recounted(db, story_id)
    assert after_revision[:2] == (6, 3) and after_revision[2] != lead
    # other news stays a story of its own, counted once
    other = store(db, article(press, "https://press.example/q1", "Harmonic results", OTHER), AFTER)
    assert other.story_id not in (None, story_id)
    assert _story_row(db, other.story_id or 0)[:3] == (1, 1, other.article_id)


def test_an_over_common_band_key_does_not_make_every_article_a_candidate(db: Database) -> None:
    """A band key shared by many recent articles (templated boilerplate) yields only the newest
    ``MAX_KEY_ARTICLES`` of them; a copy of an older one is still found by its own keys."""
    sid = source(db, "wire")
    common = -12345  # one band key that every article shares, like a stop word
    originals = [a for a in bench.generate(5, 40) if a.variant == "original"]
    originals = originals[: 3 * neardup.MAX_KEY_ARTICLES]
    ids = []
    for i, a in enumerate(originals):
        v = article(sid, f"https://wire.example/{i}", a.title, a.text)
        v = replace(v, band_keys=(*v.band_keys, common), published_at=NOW + timedelta(minutes=i))
        stored = store(db, v, AFTER, NOW + timedelta(hours=2))
        assert not stored.joined_story
        ids.append(stored.article_id)

    def lookup(conn: Connection, keys: tuple[int, ...]) -> list[int]:
        return story_store.candidates(conn, keys, NOW + timedelta(hours=1), timedelta(hours=72), 0)

    found = db.sync_read(lookup, (common,))
    assert sorted(found) == sorted(ids[-neardup.MAX_KEY_ARTICLES :])  # the newest, not all
    # a copy of the first (oldest) article shares the common key and the first one's keys:
    # the first is found, ranked first, and the copy joins its story
    copy = article(source(db, "tv"), "https://tv.example/c0", originals[0].title,
                   "By Staff | TV Tech\n\n" + originals[0].text)  # fmt: skip
    copy = replace(copy, band_keys=(*copy.band_keys, common))
    assert db.sync_read(lookup, copy.band_keys)[0] == ids[0]
    stored = store(db, copy, AFTER, NOW + timedelta(hours=2))
    first_story = db.sync_read(story_store.story_of, ids[0])
    assert stored.joined_story and stored.story_id == first_story
    assert _story_row(db, first_story or 0)[:2] == (2, 2)


def test_band_rows_keep_the_column_format(db: Database) -> None:
    """Band rows are written with the column type's own processing (run once per article), so
    the window comparisons see the same text (SQLite) or timestamptz (PostgreSQL)."""
    sid = source(db, "wire")
    at = NOW.replace(microsecond=0)
    v = replace(article(sid, "https://wire.example/1", "Title words here now", RELEASE),
                published_at=at)  # fmt: skip
    stored = store(db, v, AFTER, NOW + timedelta(hours=1))

    def read(conn: Connection) -> tuple[set[object], object]:
        raw = {r[0] for r in conn.execute(text("SELECT published_at FROM story_bands"))}
        typed = conn.execute(select(story_bands.c.published_at).limit(1)).scalar()
        return raw, typed

    raw, typed = db.sync_read(read)
    assert typed == at
    if db.dialect == "sqlite":
        article_raw = db.sync_read(
            lambda conn: conn.execute(
                text("SELECT published_at FROM articles WHERE id = :i"), {"i": stored.article_id}
            ).scalar()
        )
        assert raw == {article_raw} == {"2026-11-28 12:00:00.000000"}


def _values(a: bench.LabelledArticle, sid: int) -> ArticleValues:
    return replace(article(sid, f"https://site{sid}.example/{a.article_id}", a.title, a.text),
                   published_at=a.published_at)  # fmt: skip


def test_the_database_places_articles_as_the_reference_does(db: Database) -> None:
    """The smoke set of bench.stories stored one by one gives the stories ``StoryClusterer``
    gives (the same candidates, decision and lead rule)."""
    labelled = bench.generate(bench.SMOKE_SEED, 60)
    names = sorted({a.site for a in labelled})
    sites = {site: source(db, f"site{i}") for i, site in enumerate(names)}
    now = max(a.published_at for a in labelled) + timedelta(days=1)
    by_article: dict[int, int] = {}

    def store_all(conn: Connection) -> None:
        for a in labelled:
            stored = store_article(conn, _values(a, sites[a.site]), now, AFTER)
            by_article[a.article_id] = stored.story_id or 0

    db.sync_write(store_all)
    reference = bench.cluster(labelled, bench.signatures(labelled))
    # the same partition: story ids differ, the groups do not
    pairs: dict[int, int] = {}
    for a, ref in zip(labelled, reference, strict=True):
        assert pairs.setdefault(ref, by_article[a.article_id]) == by_article[a.article_id]
    assert len(set(by_article.values())) == len(set(reference)) < len(labelled)
    assert all(_story_row(db, s) == _recounted(db, s) for s in set(by_article.values()))
