"""Property: SQLite FTS5, PostgreSQL and the in-memory matcher return the same articles.

Hypothesis writes small corpora (accents, case, punctuation, words inside other words such as
"ai" in "said", phrases split by punctuation, missing values, dates around the search time)
and queries from the whole grammar, as text, which the parser reads; every back-end must then
return exactly the articles the in-memory matcher accepts, newest first. It also checks that a
matching article contains the keys the percolator would index the query under.
"""

# ruff: noqa: RUF001  (typographic punctuation and other alphabets are the point)

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, Engine, create_engine, delete, text

from mimir.db.migrate import upgrade
from mimir.db.tables import articles, sources
from mimir.errors import QuerySyntaxError
from mimir.search.matcher import Document, article_date, matches
from mimir.search.nodes import Field, Node
from mimir.search.parser import parse
from mimir.search.required import required_key_sets
from mimir.storage.search import matching_ids
from tests.search.helpers import NOW, Art, Src, add_articles, add_sources, fields

# words that overlap, fold together, split or hide inside others
VOCAB = [
    "ai", "AI", "Ai", "said", "aid", "sai", "daisy", "a", "i",
    "atsc", "ATSC", "3.0", "3", "0", "launch", "launches", "launched", "Launch",
    "café", "cafe", "CAFÉ", "cafés", "Straße", "strasse", "STRASSE", "Łódź", "lodz",
    "Ærø", "aero", "œuvre", "oeuvre", "Ελλάδα", "ελλαδα", "ёлка", "елка", "й",
    "e-mail", "email", "don't", "dont", "5G", "5g", "tv", "TV", "nextgen", "NextGen",
    "broadcast", "broadcasters", "broad", "news", "über", "uber", "naïve", "naive",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", ", ", ". ", " - ", "'", "’", " — ", "\n", "_", "/", ": ", "“", "” "]
SOURCES = [
    Src("BBC News", "bbc.co.uk", "General news"),
    Src("TV Tech", "tvtech.com", "Broadcast"),
    Src("Café Presse", "cafe-presse.fr", None),
]
LANGUAGES = ["en", "en-US", "fr", "de", "pt_BR", None]


Palette = list[str]


@st.composite
def palettes(draw: st.DrawFn) -> Palette:
    """A few words of VOCAB for one example, so that words repeat and meet in texts and
    queries (with the whole vocabulary, two words would hardly ever be NEAR each other)."""
    return draw(st.lists(st.sampled_from(VOCAB), min_size=2, max_size=7, unique=True))


@st.composite
def texts(draw: st.DrawFn, palette: Palette, max_words: int = 12) -> str:
    n = draw(st.integers(0, max_words))
    out = []
    for _ in range(n):
        out.append(draw(st.sampled_from(palette)))
        out.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(out).strip()


@st.composite
def article(draw: st.DrawFn, palette: Palette) -> Art:
    discovered = NOW - timedelta(hours=draw(st.integers(0, 24 * 60)))
    published = draw(
        st.one_of(
            st.none(),
            st.integers(-24 * 40, 24 * 5).map(lambda h: discovered - timedelta(hours=h)),
        )
    )
    return Art(
        title=draw(st.one_of(st.none(), texts(palette, 6))),
        text=draw(texts(palette, 14)),
        authors=draw(st.lists(texts(palette, 3), max_size=2)),
        tags=draw(st.lists(texts(palette, 2), max_size=2)),
        url=draw(
            st.sampled_from(
                ["", "https://news.example.com/ai-launch", "https://bbc.co.uk/news/café/3-0"]
            )
        ),
        source=draw(st.one_of(st.none(), st.integers(0, len(SOURCES) - 1))),
        language=draw(st.sampled_from(LANGUAGES)),
        published_at=published,
        discovered_at=discovered,
    )


@st.composite
def term(draw: st.DrawFn, palette: Palette) -> str:
    pool = st.sampled_from(palette) if draw(st.integers(0, 9)) else st.sampled_from(VOCAB)
    kind = draw(st.sampled_from(["word", "word", "phrase", "prefix"]))
    if kind == "word":
        return draw(pool)
    if kind == "phrase":
        return '"' + " ".join(draw(st.lists(pool, min_size=1, max_size=3))) + '"'
    word = draw(pool)
    cut = draw(st.integers(2, max(2, len(word))))
    return word[:cut] + "*"


@st.composite
def leaf(draw: st.DrawFn, palette: Palette) -> str:
    kind = draw(
        st.sampled_from(
            ["term", "term", "term", "field", "near", "near", "source", "lang", "date", "within"]
        )
    )
    if kind == "term":
        return draw(term(palette))
    if kind == "field":
        field = draw(st.sampled_from(["title", "text", "author", "tag", "url"]))
        return f"{field}:{draw(term(palette))}"
    if kind == "near":
        field = draw(st.sampled_from(["", "", "title:", "text:", "author:"]))
        left, right = draw(term(palette)), draw(term(palette))
        near = f"{left} NEAR/{draw(st.integers(0, 3))} {right}"
        return f"{field}({near})" if field else near
    if kind == "source":
        field = draw(st.sampled_from(["source", "category"]))
        value = draw(st.sampled_from(["bbc", "tv", '"tv tech"', "cafe", "news", "broad*", "fr"]))
        return f"{field}:{value}"
    if kind == "lang":
        return "lang:" + draw(st.sampled_from(["en", "fr", "de", "pt", "es"]))
    if kind == "date":
        at = NOW - timedelta(hours=draw(st.integers(0, 24 * 60)))
        return f"{draw(st.sampled_from(['after', 'before']))}:{at:%Y-%m-%dT%H:%MZ}"
    return f"within:{draw(st.integers(1, 60))}d"


def _combine(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.tuples(children, children).map(lambda p: f"{p[0]} {p[1]}"),
        st.tuples(children, children).map(lambda p: f"{p[0]} AND {p[1]}"),
        st.tuples(children, children).map(lambda p: f"{p[0]} OR {p[1]}"),
        children.map(lambda c: f"NOT {c}"),
        children.map(lambda c: f"-({c})"),
        children.map(lambda c: f"({c})"),
    )


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[Art], list[str]]:
    """A corpus and a few queries over the same palette of words."""
    palette = draw(palettes())
    corpus = draw(st.lists(article(palette), min_size=1, max_size=10))
    queries = st.recursive(leaf(palette), _combine, max_leaves=5)
    return corpus, draw(st.lists(queries, min_size=1, max_size=4))


def _reset(conn: Connection) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(text("TRUNCATE articles, sources, article_search RESTART IDENTITY CASCADE"))
    else:
        conn.execute(delete(articles))
        conn.execute(delete(sources))


def _load(engine: Engine, corpus: list[Art]) -> list[int]:
    with engine.begin() as conn:
        _reset(conn)
        sids = add_sources(conn, SOURCES)
        return add_articles(conn, corpus, sids)


def _expected(tree: Node, corpus: list[Art], ids: list[int]) -> list[int]:
    """The matcher's answer, in the back-ends' order (date, then id, newest first)."""
    docs = [fields(a, SOURCES, n) for n, a in enumerate(corpus)]
    hits = [
        (article_date(d.published_at, d.discovered_at), aid)
        for d, aid in zip(docs, ids, strict=True)
        if matches(tree, d, now=NOW)
    ]
    return [aid for _, aid in sorted(hits, reverse=True)]


def _check_keys(tree: Node, corpus: list[Art]) -> None:
    """Every article the query matches contains a key of each required set."""
    sets = required_key_sets(tree)
    for n, a in enumerate(corpus):
        doc = Document.of(fields(a, SOURCES, n))
        if not matches(tree, doc, now=NOW):
            continue
        article_words = {
            w for f in (Field.TITLE, Field.TEXT, Field.AUTHOR, Field.TAG, Field.URL)
            for w in doc.words[f]
        }  # fmt: skip
        for keys in sets:
            assert any(k.hits(w) for k in keys for w in article_words), (keys, a)


def _parse(query: str) -> Node:
    try:
        return parse(query)
    except QuerySyntaxError:
        assume(False)
        raise


@pytest.fixture(scope="module")
def sqlite_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    path: Path = tmp_path_factory.mktemp("agreement") / "mimir.db"
    engine = create_engine(f"sqlite:///{path}")
    upgrade(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = create_engine(pg_url)
    yield engine
    engine.dispose()


_SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@settings(_SETTINGS, max_examples=200)
@given(scenario=scenarios())
def test_sqlite_agrees_with_the_matcher(
    sqlite_engine: Engine, scenario: tuple[list[Art], list[str]]
) -> None:
    corpus, query_texts = scenario
    ids = _load(sqlite_engine, corpus)
    with sqlite_engine.connect() as conn:
        for query in query_texts:
            tree = _parse(query)
            assert matching_ids(conn, tree, now=NOW) == _expected(tree, corpus, ids), query
            _check_keys(tree, corpus)


@pytest.mark.postgres
@settings(_SETTINGS, max_examples=60)
@given(scenario=scenarios())
def test_sqlite_postgresql_and_the_matcher_agree(
    sqlite_engine: Engine, pg_engine: Engine, scenario: tuple[list[Art], list[str]]
) -> None:
    corpus, query_texts = scenario
    sqlite_ids = _load(sqlite_engine, corpus)
    pg_ids = _load(pg_engine, corpus)
    with sqlite_engine.connect() as lite, pg_engine.connect() as pg:
        for query in query_texts:
            tree = _parse(query)
            expected = _expected(tree, corpus, list(range(len(corpus))))
            got_lite = [sqlite_ids.index(i) for i in matching_ids(lite, tree, now=NOW)]
            got_pg = [pg_ids.index(i) for i in matching_ids(pg, tree, now=NOW)]
            assert got_lite == expected, ("sqlite", query)
            assert got_pg == expected, ("postgresql", query)
