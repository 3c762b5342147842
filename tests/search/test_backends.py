"""Search on real SQLite and PostgreSQL: the index follows the articles, filters, order, pages."""

# ruff: noqa: RUF001  (typographic punctuation and other alphabets are the point)

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import Connection, Engine, create_engine, delete, select, update

from mimir.db.database import Database
from mimir.db.tables import article_search, articles, sources
from mimir.errors import InputError, QuerySyntaxError
from mimir.model import SourceSpec
from mimir.process.fingerprint import text_fingerprint
from mimir.process.urls import url_hash
from mimir.search.matcher import matches
from mimir.search.parser import parse
from mimir.search.tokens import MAX_FIELD_CHARS, SQLITE_SPELLED, words
from mimir.storage import articles as store
from mimir.storage import sources as sources_store
from mimir.storage.articles import ArticleValues
from mimir.storage.search import Order, matching_ids, search
from tests.search.helpers import NOW, Art, Src, add_articles, add_sources, fields


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    eng = create_engine(db_url)
    yield eng
    eng.dispose()


def ids(conn: Connection, query: str) -> list[int]:
    return matching_ids(conn, query, now=NOW)


# ---- the index follows the articles through the ingest code, unchanged ------------------------


def values(sid: int, url: str, text: str, **kw: object) -> ArticleValues:
    v = ArticleValues(
        source_id=sid,
        url=url,
        canonical_url=url,
        url_hash=url_hash(url),
        alias_hashes=(),
        guid=None,
        guid_hash=None,
        fingerprint=text_fingerprint(text),
        entry_hash=None,
        title="NextGen TV in Denver",
        summary=None,
        text=text,
        html=None,
        authors=["Jane Doe"],
        published_at=NOW - timedelta(days=2),
        updated_at=None,
        language="en",
        image_url=None,
        section=None,
        tags=["ATSC"],
        fetch_meta={},
        extraction="page",
    )
    return replace(v, **kw)  # type: ignore[arg-type]


def test_stored_revised_and_deleted_articles_are_searched_as_they_are(db: Database) -> None:
    sid = db.sync_write(
        sources_store.add_source, SourceSpec(name="TV Tech", url="https://tvtech.example/feed"), NOW
    ).id
    url = "https://tvtech.example/a"
    _, aid = db.sync_write(store.store, values(sid, url, "Stations deploy ATSC 3.0 gear."), NOW)
    find = lambda q: db.sync_read(matching_ids, q, now=NOW)  # noqa: E731
    assert find('"atsc 3.0" deploy') == [aid]
    assert find("title:denver author:doe tag:atsc url:tvtech source:tvtech") == [aid]
    assert find("within:3d") == [aid] and find("within:1d") == []
    # an unchanged copy only touches the row: still found once
    db.sync_write(store.store, values(sid, url, "Stations deploy ATSC 3.0 gear."), NOW)
    assert find("deploy") == [aid]
    # a revision: the new words are found, the old ones are not
    revised = values(sid, url, "Stations postpone the rollout.", title="Rollout postponed")
    db.sync_write(store.store, revised, NOW + timedelta(hours=1))
    assert find("deploy") == [] and find("denver") == []
    assert find("postpone rollout") == [aid] and find("title:postponed") == [aid]
    # a tombstone: gone from search, its words with it
    assert db.sync_write(store.tombstone, aid, NOW)
    assert find("postpone") == [] and find("NOT zebra") == []
    with db.engine.connect() as conn:
        assert conn.execute(select(article_search)).all() == []


def test_updates_deletes_and_a_removed_source(engine: Engine) -> None:
    with engine.begin() as conn:
        sids = add_sources(
            conn, [Src("BBC News", "bbc.co.uk", "General"), Src("Other", "o.example")]
        )
        a, b, c = add_articles(
            conn,
            [
                Art("Merger talks", "Two broadcasters in merger talks.", source=0),
                Art("Launch", "A satellite launch.", source=1, language="fr"),
                Art("Merger off", "The merger is off.", source=0),
            ],
            sids,
        )
    with engine.begin() as conn:
        assert ids(conn, "merger source:bbc") == [c, a]
        assert ids(conn, "category:general") == [c, a]
        # metadata updates move the filters, not the words
        conn.execute(update(articles).where(articles.c.id == b).values(language="en-GB"))
        conn.execute(
            update(articles).where(articles.c.id == a).values(published_at=NOW - timedelta(days=30))
        )
        assert ids(conn, "lang:en") == [c, b, a]
        assert ids(conn, "before:2026-02-15") == [a]
        # an article moves to another source: its source filter follows (on SQLite the source
        # is also an FTS5 token, re-indexed with it)
        conn.execute(update(articles).where(articles.c.id == c).values(source_id=sids[1]))
        assert ids(conn, "merger source:other") == [c]
        assert ids(conn, "merger source:bbc") == [a]
        conn.execute(update(articles).where(articles.c.id == c).values(source_id=sids[0]))
        # a hard delete
        conn.execute(delete(articles).where(articles.c.id == c))
        assert ids(conn, "merger") == [a]
        # the source goes: its articles stay, without a source
        conn.execute(delete(sources).where(sources.c.id == sids[0]))
        assert ids(conn, "merger") == [a]
        assert ids(conn, "source:bbc") == [] and ids(conn, "merger source:bbc") == []
        assert ids(conn, "-source:other") == [a]
        assert ids(conn, "NOT source:other") == [a]


def test_words_by_word_case_and_accent_insensitive(engine: Engine) -> None:
    texts = [
        "AI is everywhere.",
        "He said so.",
        "Café Zürich, Łódź and the Straße.",
        "CAFE ZURICH LODZ STRASSE",
        "Ærøskøbing, Œuvre, Þór, Ħamrun, İstanbul, ıssız, ŀl",
        "Ελλάδα, ΆΈΉ, ёлка, Ёж, й",
        "ATSC 3.0 launch; the e-mail isn't here",
    ]
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        got = add_articles(conn, [Art(f"t{i}", t) for i, t in enumerate(texts)], sids)
    expect = {
        "ai": [got[0]],
        "said": [got[1]],
        "cafe": [got[3], got[2]],
        '"café zurich"': [got[3], got[2]],
        "łodz": [got[3], got[2]],
        "strasse": [got[3], got[2]],
        "straße": [got[3], got[2]],
        "aeroskobing": [got[4]],
        "oeuvre": [got[4]],
        "thor": [got[4]],
        "hamrun": [got[4]],
        "istanbul": [got[4]],
        "issiz": [got[4]],
        "ll": [got[4]],
        "ελλαδα": [got[5]],
        "ΕΛΛΆΔΑ": [got[5]],
        '"αεη"': [got[5]],
        "елка": [got[5]],
        "ЁЖ": [got[5]],
        "й": [got[5]],
        "и": [],
        '"atsc 3 0"': [got[6]],
        '"e mail"': [got[6]],
        '"isn t"': [got[6]],
        "isnt": [],
    }
    with engine.connect() as conn:
        for query, expected in expect.items():
            assert ids(conn, query) == expected, query


def test_every_spelled_letter_agrees_with_the_tokenizer(engine: Engine) -> None:
    """Each letter FTS5 is helped with (and its neighbours) folds the same on every back-end."""
    letters = [c for c, _ in SQLITE_SPELLED] + list("éÉçñåÅäöüÖÜŒœıİ")
    arts = [Art(f"x{c}y", f"q{c}") for c in letters]
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        got = add_articles(conn, arts, sids)
    with engine.connect() as conn:
        for c, aid in zip(letters, got, strict=True):
            word = words(f"x{c}y")
            assert len(word) == 1, c
            assert aid in ids(conn, f"title:{word[0]}"), c
            assert aid in ids(conn, f"title:x{c}y"), c


def test_the_first_characters_of_a_field_are_indexed(engine: Engine) -> None:
    tail = "x " * (MAX_FIELD_CHARS // 2)
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        long_art = Art("long", "zebra " + tail + "quagga")
        (aid,) = add_articles(conn, [long_art], sids)
    with engine.connect() as conn:
        assert ids(conn, "zebra") == [aid]
        assert ids(conn, "quagga") == []
    assert not matches(parse("quagga"), fields(long_art, [Src("S", "s.example")], 0), now=NOW)


def test_odd_json_lists_and_missing_values(engine: Engine) -> None:
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        (aid,) = add_articles(conn, [Art(None, "", authors=["Ann"], tags=[], source=None)], sids)
        conn.execute(
            update(articles).where(articles.c.id == aid).values(authors="Ann Bo", tags={"a": 1})
        )
    with engine.connect() as conn:
        assert ids(conn, "author:ann") == []
        assert ids(conn, "NOT title:x") == [aid]


# ---- order, pages, snippets --------------------------------------------------------------------


def test_newest_first_uses_the_published_date_never_later_than_found(engine: Engine) -> None:
    day = timedelta(days=1)
    arts = [
        Art("old", "news", published_at=NOW - 300 * day, discovered_at=NOW - 300 * day),
        Art("future", "news", published_at=NOW + 10 * day, discovered_at=NOW - 5 * day),
        Art("undated", "news", published_at=None, discovered_at=NOW - 2 * day),
        Art("backfill", "news", published_at=NOW - 700 * day, discovered_at=NOW - day),
        Art("fresh", "news", published_at=NOW - day / 2, discovered_at=NOW - day / 4),
    ]
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        old, future, undated, backfill, fresh = add_articles(conn, arts, sids)
    with engine.connect() as conn:
        assert ids(conn, "news") == [fresh, undated, future, old, backfill]
        page = search(conn, "news", now=NOW, limit=2)
        assert [h.id for h in page.hits] == [fresh, undated]
        assert page.hits[1].date == NOW - 2 * day
        seen = [h.id for h in page.hits]
        while page.next_cursor:
            page = search(conn, "news", now=NOW, limit=2, cursor=page.next_cursor)
            seen += [h.id for h in page.hits]
        assert seen == [fresh, undated, future, old, backfill]


def test_relevance_prefers_the_title_and_then_the_recent(engine: Engine) -> None:
    day = timedelta(days=1)
    filler = "Lorem ipsum dolor sit amet. " * 20
    arts = [
        Art("Merger agreed", filler + "The merger was agreed.", discovered_at=NOW - 2 * day),
        Art("Merger agreed", filler + "The merger was agreed.", discovered_at=NOW - 200 * day),
        Art("Other things", filler + "A merger was mentioned.", discovered_at=NOW - 2 * day),
    ] + [Art(f"Filler {i}", filler, discovered_at=NOW - i * day) for i in range(30)]
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        recent, old, mention, *_ = add_articles(conn, arts, sids)
    with engine.connect() as conn:
        page = search(conn, "merger", now=NOW, order=Order.RELEVANCE)
        score = {h.id: h.score for h in page.hits}
        assert set(score) == {recent, old, mention}
        assert page.hits[0].id == recent
        assert score[recent] > score[mention] > 0  # the title counts, at the same age
        assert score[recent] > score[old] > 0  # the recent counts, for the same words
        # pages by offset
        first = search(conn, "merger", now=NOW, order=Order.RELEVANCE, limit=2)
        assert first.next_cursor is not None
        rest = search(
            conn, "merger", now=NOW, order=Order.RELEVANCE, limit=2, cursor=first.next_cursor
        )
        assert [h.id for h in first.hits + rest.hits] == [h.id for h in page.hits]
        assert rest.next_cursor is None
        # a query without words: relevance is recency
        recency = search(conn, "within:300d", now=NOW, order=Order.RELEVANCE, limit=3)
        assert [h.discovered_at for h in recency.hits] == [NOW, NOW - day, NOW - 2 * day]


def test_a_newest_page_widens_its_window_until_full(engine: Engine) -> None:
    arts = [
        Art(f"n{i}", "common words", discovered_at=NOW - timedelta(days=d))
        for i, d in enumerate([0.1, 0.5, 3, 20, 100, 500, 900])
    ]
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        got = add_articles(conn, arts, sids)
    with engine.connect() as conn:
        for limit in (1, 2, 3, 4, 5, 6, 7, 8):
            page = search(conn, "common", now=NOW, limit=limit)
            assert [h.id for h in page.hits] == got[:limit]
        assert search(conn, "common", now=NOW, limit=7).next_cursor is not None
        assert search(conn, "common", now=NOW, limit=8).next_cursor is None


def test_pages_are_exact_when_ids_are_not_in_date_order(engine: Engine) -> None:
    """A backfill stores old articles last: the windows' id ranges must still miss nothing."""
    rng = random.Random(7)
    arts = []
    for i in range(80):
        found = NOW - timedelta(hours=rng.randint(0, 24 * 900))
        published = found - timedelta(hours=rng.choice([0, 1, 30, 24 * 200, -5]))
        arts.append(Art(f"n{i}", rng.choice(["common", "common rare"]), published_at=published,
                        discovered_at=found))  # fmt: skip
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        add_articles(conn, arts, sids)
    with engine.connect() as conn:
        for query in ("common", "rare", "common before:2025-06-01", "rare after:2024-01-01"):
            everything = ids(conn, query)
            for limit in (1, 3, 7, 20):
                seen: list[int] = []
                cursor = None
                while True:
                    page = search(conn, query, now=NOW, limit=limit, cursor=cursor)
                    seen += [h.id for h in page.hits]
                    if page.next_cursor is None:
                        break
                    cursor = page.next_cursor
                assert seen == everything, (query, limit)


def test_relevance_ranks_the_newest_candidates(engine: Engine) -> None:
    day = timedelta(days=1)
    filler = "Lorem ipsum dolor sit amet. " * 5
    arts = [
        Art("Merger", filler + "merger", discovered_at=NOW - 100 * day),  # the best, but old
        Art("Other", filler + "merger", discovered_at=NOW - 3 * day),
        Art("Other", filler + "merger", discovered_at=NOW - 2 * day),
        Art("Other", filler + "merger", discovered_at=NOW - 1 * day),
    ] + [Art(f"Filler {i}", filler) for i in range(20)]
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("S", "s.example")])
        old_best, *recent = add_articles(conn, arts, sids)[:4]
    with engine.connect() as conn:
        everything = search(conn, "merger", now=NOW, order=Order.RELEVANCE)
        assert everything.hits[0].id == old_best
        newest3 = search(conn, "merger", now=NOW, order=Order.RELEVANCE, candidates=3)
        assert {h.id for h in newest3.hits} == set(recent)


def test_hits_carry_highlights_and_snippets(engine: Engine) -> None:
    text = (
        "Opening words. " * 30 + "Then Café Zürich announced the ATSC 3.0 launch, "
        "with broadcasters. " + "Closing words. " * 30
    )
    with engine.begin() as conn:
        sids = add_sources(conn, [Src("TV Tech", "tvtech.example")])
        (aid,) = add_articles(conn, [Art("ATSC 3.0 at the café", text)], sids)
    with engine.connect() as conn:
        page = search(conn, '"atsc 3.0" cafe broadcast*', now=NOW)
    (hit,) = page.hits
    assert hit.id == aid and hit.source_name == "TV Tech #0"
    assert hit.title_highlight.marked() == "[ATSC 3.0] at the [café]"
    marked = hit.snippet.marked()
    assert "[Café] Zürich announced the [ATSC 3.0] launch, with [broadcasters]." in marked
    assert marked.startswith("… ") and marked.endswith(" …")


def test_errors(engine: Engine) -> None:
    with engine.connect() as conn:
        with pytest.raises(QuerySyntaxError):
            search(conn, "a OR", now=NOW)
        with pytest.raises(InputError, match="limit"):
            search(conn, "a", now=NOW, limit=0)
        for cursor in ("garbage", "eyJvIjoiciIsIm4iOjJ9"):  # the second is a relevance cursor
            with pytest.raises(InputError, match="invalid cursor"):
                search(conn, "a", now=NOW, cursor=cursor)


def test_queries_fts5_cannot_say_alone(engine: Engine) -> None:
    """Lone NOTs, OR with NOT branches, mixed indexes and filters under OR and NOT."""
    arts = [
        Art("alpha", "one two", authors=["Ann"], language="en"),
        Art("beta", "two three", authors=["Bob"], language="fr"),
        Art("gamma", "three four", authors=["Ann"], language="de", source=None),
    ]
    srcs = [Src("Wire", "wire.example", "News")]
    with engine.begin() as conn:
        sids = add_sources(conn, srcs)
        got = add_articles(conn, arts, sids)
    queries = [
        "NOT two",
        "-two -four",
        "one OR NOT three",
        "NOT (one OR four)",
        "author:ann OR lang:fr",
        "(two author:bob) OR (four -lang:en)",
        "NOT (author:ann three)",
        "two OR source:wire",
        "-source:wire",
        "title:(alpha OR gamma) -author:bob",
        "(one NEAR/1 two) OR author:bob",
        "NOT (lang:en OR lang:de)",
        "three NOT (four OR author:bob)",
    ]
    with engine.connect() as conn:
        for query in queries:
            tree = parse(query)
            expected = [
                aid
                for n, aid in reversed(list(enumerate(got)))
                if matches(tree, fields(arts[n], srcs, n), now=NOW)
            ]
            assert ids(conn, query) == expected, query
