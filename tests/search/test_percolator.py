"""The percolator: many watches against one article, the same answer as one watch at a time.

Unit tests on hand-built articles (what is indexed, what is skipped and why, re-indexing by word
counts, changes of the watches, threads) and a property test: for random watch sets (the query
strategies of ``test_agreement``: the whole grammar over overlapping, accented, punctuated words)
and random articles, ``Percolator.match`` returns exactly the watches ``matcher.match`` accepts
one by one, with the same matched terms, while watches are added, removed and re-indexed.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimir.errors import QuerySyntaxError
from mimir.search import percolator
from mimir.search.matcher import ArticleFields, Document, MatchResult, match
from mimir.search.nodes import Field, Node, Term
from mimir.search.parser import parse
from mimir.search.percolator import (
    Percolator,
    WatchMatch,
    _Article,
    _pattern,
    _prefix_keys,
    _starts,
)
from mimir.search.required import IndexKey
from tests.search.helpers import NOW, Art, fields
from tests.search.test_agreement import SOURCES, _combine, article, leaf, palettes


def doc(
    title: str = "",
    text: str = "",
    *,
    language: str | None = None,
    url: str | None = None,
    tags: tuple[str, ...] = (),
    source_name: str | None = None,
) -> Document:
    """An article found an hour before ``NOW``."""
    return Document.of(
        ArticleFields(
            title=title,
            text=text,
            language=language,
            url=url,
            tags=tags,
            source_name=source_name,
            discovered_at=NOW - timedelta(hours=1),
        )
    )


def ids(found: list[WatchMatch]) -> list[int]:
    return [watch_id for watch_id, _ in found]


def keys(*words: str) -> frozenset[IndexKey]:
    return frozenset(IndexKey(w.rstrip("*"), w.endswith("*")) for w in words)


# ---- what matches -------------------------------------------------------------------------------


def test_matches_with_the_terms_to_highlight() -> None:
    p = Percolator()
    p.add(1, '"ATSC 3.0" launch* -sports')
    p.add(2, "(Vectra OR Lumenwave) contract")
    p.add(3, "merger")
    article = doc("Crestline launches ATSC 3.0 in Denver", "Vectra supplied the gateway.")
    assert p.match(article, now=NOW) == [(1, MatchResult(True, ('"atsc 3 0"', "launch*")))]
    assert p.match(doc("Lumenwave wins a contract"), now=NOW) == [
        (2, MatchResult(True, ("lumenwave", "contract")))
    ]


def test_words_not_substrings_case_and_accents() -> None:
    p = Percolator()
    p.add(1, "ai")
    p.add(2, "cafe")
    assert p.match(doc("He said it was fine"), now=NOW) == []
    assert ids(p.match(doc("AI at the CAFÉ"), now=NOW)) == [1, 2]


def test_an_article_given_as_fields_is_cut_into_words_for_you() -> None:
    p = Percolator()
    p.add(7, "title:merger")
    found = p.match(ArticleFields(title="A merger", discovered_at=NOW), now=NOW)
    assert found == [(7, MatchResult(True, ("merger",)))]


def test_watches_without_a_required_word_are_checked_for_every_article() -> None:
    p = Percolator()
    p.add(1, "lang:de")
    p.add(2, "NOT sports")
    p.add(3, "ai OR NOT merger")
    p.add(4, "source:bbc")
    assert p.unindexed == 4
    german = doc("Nichts", "Gar nichts", language="de")
    assert ids(p.match(german, now=NOW)) == [1, 2, 3]
    assert ids(p.match(doc("merger sports", source_name="BBC News"), now=NOW)) == [4]


def test_prefix_keys_hit_words_that_start_with_them() -> None:
    p = Percolator()
    p.add(1, "broad*")
    p.add(2, '"nextgen t"*')
    p.add(3, "url:press*")
    article = doc("Broadcasters test NextGen TV", url="https://x.example/press-releases/1")
    assert p.match(article, now=NOW) == [
        (1, MatchResult(True, ("broad*",))),
        (2, MatchResult(True, ('"nextgen t"*',))),
        (3, MatchResult(True, ("press*",))),
    ]
    assert p.match(doc("abroad in broa"), now=NOW) == []


def test_within_counts_back_from_now() -> None:
    p = Percolator()
    p.add(1, "merger within:1d")
    article = doc("merger")  # found an hour before NOW
    assert ids(p.match(article, now=NOW)) == [1]
    assert p.match(article, now=NOW + timedelta(days=2)) == []


# ---- what is looked at --------------------------------------------------------------------------


def test_only_watches_whose_keys_the_article_has_are_verified() -> None:
    p = Percolator()
    for i in range(100):
        p.add(i, f"company{i} launch")
    p.match(doc("company7 will launch", "nothing else"), now=NOW)
    stats = p.stats
    assert (stats.articles, stats.candidates, stats.verified, stats.matches) == (1, 1, 1, 1)


def test_a_candidate_without_every_required_word_is_not_verified() -> None:
    p = Percolator()
    p.add(1, '"connected TV"')  # indexed under one of its words; needs both
    p.match(doc("TV news", "and only TV"), now=NOW)
    p.match(doc("connected", "nothing more"), now=NOW)
    assert p.stats.candidates == 1 and p.stats.verified == 0


def test_a_word_the_query_excludes_skips_it() -> None:
    p = Percolator()
    p.add(1, "launch -sports")
    p.add(2, "NOT (rumour OR opinion) launch")
    assert p.match(doc("launch", "sports opinion"), now=NOW) == []
    assert p.stats.verified == 0
    assert ids(p.match(doc("launch", "sport"), now=NOW)) == [1, 2]


def test_an_excluded_word_only_counts_in_the_title_and_the_text() -> None:
    p = Percolator()
    p.add(1, "launch -sports")
    p.add(2, "launch -title:sports")  # in a field: left to the verification
    p.add(3, "launch -sports*")
    p.add(4, 'launch -"sports desk"')  # a phrase: left to the verification
    assert ids(p.match(doc("launch", tags=("sports",)), now=NOW)) == [1, 2, 3, 4]
    assert ids(p.match(doc("launch", "sports desk"), now=NOW)) == [2]
    assert ids(p.match(doc("launch", "sportswear desk"), now=NOW)) == [1, 2, 4]
    assert ids(p.match(doc("sports launch"), now=NOW)) == [4]
    assert p.stats.verified == 4 + 2 + 4 + 2  # "sports" in the title or text rules out 1 and 3


def test_identical_queries_are_verified_once() -> None:
    p = Percolator()
    p.add(1, "ai merger")
    p.add(2, "ai AND merger")
    p.add(3, "(ai) (merger)")
    assert (len(p), p.queries) == (3, 1)
    assert ids(p.match(doc("AI merger"), now=NOW)) == [1, 2, 3]
    assert p.stats.verified == 1 and p.stats.matches == 3


def test_queries_that_differ_by_filters_share_their_core() -> None:
    p = Percolator()
    p.add(1, "merger ai")
    p.add(2, "merger ai lang:en")
    p.add(3, "merger -lang:en ai within:1d")
    p.add(4, "title:merger lang:en text:ai")
    p.add(5, "lang:en within:1d")
    both = MatchResult(True, ("merger", "ai"))
    english = doc("Merger talk", "AI everywhere", language="en")
    assert p.match(english, now=NOW) == [(1, both), (2, both), (4, both), (5, MatchResult(True))]
    german = doc("Merger talk", "AI everywhere", language="de")
    assert p.match(german, now=NOW) == [(1, both), (3, both)]
    title_only = doc("Merger and AI", "nothing else", language="en")
    assert ids(p.match(title_only, now=NOW)) == [1, 2, 5]  # 4 needs "ai" in the text


# ---- keys by word counts ------------------------------------------------------------------------


def test_keys_move_to_the_words_articles_have_least() -> None:
    p = Percolator(rekey_after=None)
    p.add(1, '"Summit Television Network"')
    p.add(2, '"Vireo Streaming" OR Glacierwave')
    assert p.keys(1) == keys("television")  # the longest word, before any article
    assert p.keys(2) == keys("streaming", "glacierwave")
    for n in range(5):
        p.match(doc(f"Television network number {n}", "streaming on television"), now=NOW)
    p.rekey()
    assert p.keys(1) == keys("summit")
    assert p.keys(2) == keys("vireo", "glacierwave")
    assert p.stats.rekeys == 1
    found = p.match(doc("Vireo Streaming and Summit Television Network"), now=NOW)
    assert ids(found) == [1, 2]


def test_rekeys_itself_after_some_articles() -> None:
    p = Percolator(rekey_after=2)
    p.add(1, '"Summit Television Network"')
    p.match(doc("television network"), now=NOW)
    assert p.stats.rekeys == 0 and p.keys(1) == keys("television")
    p.match(doc("television network"), now=NOW)
    assert p.stats.rekeys == 1 and p.keys(1) == keys("summit")
    for _ in range(2):
        p.match(doc("other"), now=NOW)
    assert p.stats.rekeys == 2  # after 2, then 4, 8, 16 ... articles


def test_a_reloaded_percolator_keeps_what_was_learned() -> None:
    old = Percolator(rekey_after=3)
    old.add(1, '"Summit Television Network"')
    for _ in range(2):
        old.match(doc("television network"), now=NOW)
    new = Percolator(rekey_after=3, learned_from=old)
    new.replace_all([(1, '"Summit Television Network"'), (2, '"Prairie Sky Television"')])
    assert new.keys(1) == keys("summit") and new.keys(2) == keys("prairie")
    assert new.stats.articles == 0 and new.stats.rekeys == 0
    new.match(doc("other"), now=NOW)  # the third article counted: the schedule carried over
    assert new.stats.rekeys == 1
    never = Percolator(rekey_after=None, learned_from=old)
    never.add(1, "television")
    for _ in range(5):
        never.match(doc("television"), now=NOW)
    assert never.stats.rekeys == 0


def test_rekey_after_must_be_positive() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        Percolator(rekey_after=0)


def test_keys_of_an_unknown_watch() -> None:
    p = Percolator()
    p.add(1, "lang:fr")
    assert p.keys(1) is None
    with pytest.raises(KeyError):
        p.keys(2)


# ---- changing the watches -----------------------------------------------------------------------


def test_add_replace_and_remove() -> None:
    p = Percolator()
    p.add(1, "merger")
    v = p.version
    p.add(1, "takeover")  # a new query for the same watch
    assert p.version == v + 1 and len(p) == 1 and 1 in p
    assert p.match(doc("merger"), now=NOW) == []
    assert ids(p.match(doc("takeover"), now=NOW)) == [1]
    assert p.remove(1) is True and p.remove(1) is False
    assert len(p) == 0 and 1 not in p and p.version == v + 2
    assert p.match(doc("takeover"), now=NOW) == []


def test_an_invalid_query_is_refused_and_changes_nothing() -> None:
    p = Percolator()
    p.add(1, "merger")
    with pytest.raises(QuerySyntaxError):
        p.add(1, "(merger")
    assert ids(p.match(doc("merger"), now=NOW)) == [1]


def test_removing_the_last_prefix_watch_forgets_the_prefix() -> None:
    p = Percolator()
    p.add(1, "broad*")
    p.add(2, "broadcast*")
    p.add(3, "bro*")
    p.remove(2)
    p.remove(3)
    assert ids(p.match(doc("broadcasters"), now=NOW)) == [1]
    p.remove(1)
    assert p.match(doc("broadcasters"), now=NOW) == []
    p.add(4, "broadc*")
    assert ids(p.match(doc("broadcasters"), now=NOW)) == [4]


def test_replace_all_loads_a_new_set_and_returns_the_invalid() -> None:
    p = Percolator()
    p.add(1, "merger")
    rejected = p.replace_all([(2, "takeover"), (3, "(broken"), (4, parse("ai"))])
    assert [(watch_id, type(e)) for watch_id, e in rejected] == [(3, QuerySyntaxError)]
    assert sorted(w for w in (1, 2, 3, 4) if w in p) == [2, 4]
    assert ids(p.match(doc("merger takeover AI"), now=NOW)) == [2, 4]


def test_a_reload_swaps_the_whole_set_at_once() -> None:
    old = [(i, "alpha") for i in range(50)]
    new = [(i, "alpha") for i in range(100, 150)]
    p = Percolator()
    p.replace_all(old)
    article = doc("alpha")
    stop = threading.Event()

    def reload() -> None:
        while not stop.is_set():
            p.replace_all(new)
            p.replace_all(old)

    thread = threading.Thread(target=reload)
    thread.start()
    try:
        seen = set()
        for _ in range(300):
            found = tuple(ids(p.match(article, now=NOW)))
            assert found in (tuple(range(50)), tuple(range(100, 150)))
            seen.add(found)
    finally:
        stop.set()
        thread.join()
    assert p.stats.articles == 300


# ---- prefix keys, remembered per word -----------------------------------------------------------


@given(
    prefixes=st.lists(st.text("abcé", min_size=1, max_size=4), unique=True),
    word=st.text("abcé", min_size=1, max_size=6),
)
def test_the_walk_finds_the_prefix_keys_a_word_starts_with(prefixes: list[str], word: str) -> None:
    vocab = {f"{p}*": 1 for p in prefixes}
    paths = {p[:n]: 1 for p in prefixes for n in range(1, len(p) + 1)}
    expected = sorted(f"{p}*" for p in prefixes if word.startswith(p))
    assert sorted(_prefix_keys(word, paths, vocab)) == expected


def test_the_words_remembered_are_forgotten_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(percolator, "WORDS_REMEMBERED", 4)
    p = Percolator()
    p.add(1, "broad*")
    assert ids(p.match(doc("broadcast news"), now=NOW)) == [1]
    assert ids(p.match(doc("one two three broadband"), now=NOW)) == [1]  # 6 words: starts again
    assert p._index.seen == {"one", "two", "three", "broadband"}
    assert p.match(doc("abroad"), now=NOW) == []


def test_a_reload_with_other_prefix_keys_looks_at_the_words_again() -> None:
    p = Percolator()
    p.replace_all([(1, "broad*")])
    assert ids(p.match(doc("broadcast"), now=NOW)) == [1]
    p.replace_all([(1, "broad*"), (2, "merger")])  # the same prefixes: what was seen is kept
    assert "broadcast" in p._index.seen
    p.replace_all([(1, "broad*"), (2, "broadc*")])
    assert not p._index.seen
    assert ids(p.match(doc("broadcast"), now=NOW)) == [1, 2]


def test_rekey_files_the_queries_again_and_keeps_their_parts() -> None:
    p = Percolator(rekey_after=None)
    p.add(1, '"Summit Television Network" -sports')
    p.add(2, '"Summit Television Network" lang:en')
    parts = p._index.parts
    p.rekey()
    assert p._index.parts is parts and len(parts) == 3  # the phrase, -sports and lang:en
    found = p.match(doc("Summit Television Network", language="en"), now=NOW)
    assert found == [(w, MatchResult(True, ('"summit television network"',))) for w in (1, 2)]


# ---- verifying with the article's words ---------------------------------------------------------


def test_phrases_and_near_do_not_run_from_the_title_into_the_text() -> None:
    p = Percolator()
    p.add(1, '"the end start"')
    p.add(2, "end NEAR/0 start")
    p.add(3, '"end start" OR "the end"')
    p.add(4, "end* NEAR/0 sta*")
    found = p.match(doc("The end", "Start here"), now=NOW)
    assert found == [(3, MatchResult(True, ('"the end"',)))]
    assert ids(p.match(doc("The end start", "Start here"), now=NOW)) == [1, 2, 3, 4]


def test_terms_to_highlight_of_an_or_are_those_the_article_has() -> None:
    p = Percolator()
    p.add(1, '(Vectra OR "Lumenwave Media" OR title:Crestline) (deal OR contract*) -sports')
    found = p.match(doc("Crestline deal", "Lumenwave Media signs contracts"), now=NOW)
    assert found == [
        (1, MatchResult(True, ('"lumenwave media"', "crestline", "deal", "contract*")))
    ]
    assert p.match(doc("Lumenwave deal", "Media"), now=NOW) == []


@given(
    words=st.lists(st.sampled_from(["a", "b", "ab", "ba", "c", "3", "0"]), max_size=12),
    term=st.lists(st.sampled_from(["a", "b", "ab", "c", "3"]), min_size=1, max_size=3),
    prefix=st.booleans(),
    field=st.sampled_from([Field.TITLE, Field.TEXT, Field.TAG]),
)
def test_a_line_finds_where_a_term_starts_as_the_matcher_does(
    words: list[str], term: list[str], prefix: bool, field: Field
) -> None:
    d = Document({f: list(words) if f is field else [] for f in Field}, "", None)
    line = _Article(Percolator()._index, d, set(), NOW).line(field)
    t = Term(tuple(term), prefix)
    assert _starts(line, _pattern(t)) == d.starts(field, t)


# ---- property: the same answer as the matcher, one watch at a time ------------------------------


def _one_by_one(queries: dict[int, Node], d: Document) -> list[WatchMatch]:
    out = []
    for watch_id in sorted(queries):
        result = match(queries[watch_id], d, now=NOW)
        if result.matched:
            out.append((watch_id, result))
    return out


def _parsed(texts: list[str]) -> dict[int, Node]:
    out = {}
    for i, text in enumerate(texts):
        try:
            out[i] = parse(text)
        except QuerySyntaxError:
            continue
    return out


@st.composite
def percolations(draw: st.DrawFn) -> tuple[list[Art], list[str], list[str], int]:
    """A corpus, watches, watches to add later, and when to re-index."""
    palette = draw(palettes())
    queries = st.recursive(leaf(palette), _combine, max_leaves=5)
    return (
        draw(st.lists(article(palette), min_size=1, max_size=6)),
        draw(st.lists(queries, min_size=1, max_size=16)),
        draw(st.lists(queries, max_size=4)),
        draw(st.integers(1, 4)),
    )


@settings(max_examples=200, deadline=None)
@given(scenario=percolations(), removed=st.sets(st.integers(0, 15), max_size=4))
def test_the_percolator_agrees_with_the_matcher(
    scenario: tuple[list[Art], list[str], list[str], int], removed: set[int]
) -> None:
    corpus, texts, later, rekey_after = scenario
    queries = _parsed(texts)
    docs = [Document.of(fields(a, SOURCES, n)) for n, a in enumerate(corpus)]
    p = Percolator(rekey_after=rekey_after)
    rejected = p.replace_all(enumerate(texts))
    assert sorted(w for w, _ in rejected) == sorted(set(range(len(texts))) - set(queries))
    for d in docs:  # keys by required's rule, then re-indexed by the counts as it goes
        assert p.match(d, now=NOW) == _one_by_one(queries, d)
    for watch_id in removed:
        assert p.remove(watch_id) is (watch_id in queries)
        queries.pop(watch_id, None)
    for n, text in enumerate(later):
        try:
            p.add(100 + n, text)
        except QuerySyntaxError:
            continue
        queries[100 + n] = parse(text)
    duplicate = next(iter(queries.values()), parse("ai"))
    p.add(200, duplicate)  # a query another watch has
    queries[200] = duplicate
    for d in reversed(docs):
        assert p.match(d, now=NOW) == _one_by_one(queries, d)
    p.rekey()
    for d in docs:
        assert p.match(d, now=NOW) == _one_by_one(queries, d)
    assert len(p) == len(queries)


# ---- the benchmark ------------------------------------------------------------------------------


def test_the_bench_writes_valid_watches_and_articles_of_its_sizes() -> None:
    from bench import watches as bench

    made = bench.make_watches(500)
    assert made == bench.make_watches(500) and made[:50] == bench.make_watches(50)
    for _, query in made:
        parse(query)  # every one is valid
    assert {kind for kind, _ in made} == set(bench.KINDS)
    articles = bench.make_articles(30)
    assert all(3_000 <= len(a.text or "") <= 8_200 for a in articles)
    assert {a.language for a in articles} >= {"en"}


def test_the_bench_smoke_run_agrees_with_the_loop(capsys: pytest.CaptureFixture[str]) -> None:
    from bench import watches as bench

    assert bench.main(["--smoke"]) == 0  # it raises if the two sides disagree on an article
    out = capsys.readouterr().out
    assert "| 1,000 | " in out and "Document.of" in out
