"""What a percolator indexes a watch by: the words an article must contain to match."""

from __future__ import annotations

import pytest

from mimir.search.parser import parse
from mimir.search.required import IndexKey, index_keys, required_key_sets


def k(word: str, prefix: bool = False) -> IndexKey:
    return IndexKey(word, prefix)


CASES: list[tuple[str, tuple[frozenset[IndexKey], ...], frozenset[IndexKey] | None]] = [
    ("merger", (frozenset({k("merger")}),), frozenset({k("merger")})),
    (
        '"ATSC 3.0"',
        (frozenset({k("atsc")}), frozenset({k("3")}), frozenset({k("0")})),
        frozenset({k("atsc")}),
    ),
    ("ai merger", (frozenset({k("ai")}), frozenset({k("merger")})), frozenset({k("merger")})),
    ("ai OR merger", (frozenset({k("ai"), k("merger")}),), frozenset({k("ai"), k("merger")})),
    ("broad*", (frozenset({k("broad", True)}),), frozenset({k("broad", True)})),
    # a whole word beats a prefix
    ("broad* tv", (frozenset({k("broad", True)}), frozenset({k("tv")})), frozenset({k("tv")})),
    ('"dvb i"*', (frozenset({k("dvb")}), frozenset({k("i", True)})), frozenset({k("dvb")})),
    # negations and filters require nothing
    ("NOT ai", (), None),
    ("-ai", (), None),
    ("lang:en", (), None),
    ("source:bbc", (), None),
    ("after:2026 within:1d", (), None),
    ("ai -sport source:bbc lang:en", (frozenset({k("ai")}),), frozenset({k("ai")})),
    # an OR with a branch that requires nothing requires nothing
    ("ai OR NOT merger", (), None),
    ("ai OR lang:en", (), None),
    # OR: one key per branch, each branch's best
    (
        "(atsc launch) OR (dvb broadcast)",
        (frozenset({k("launch"), k("broadcast")}),),
        frozenset({k("launch"), k("broadcast")}),
    ),
    # NEAR needs both sides; fields still need the word (somewhere in the article)
    (
        "atsc NEAR/3 launch",
        (frozenset({k("atsc")}), frozenset({k("launch")})),
        frozenset({k("launch")}),
    ),
    ("title:merger", (frozenset({k("merger")}),), frozenset({k("merger")})),
    ("author:doe", (frozenset({k("doe")}),), frozenset({k("doe")})),
    # duplicates collapse
    ("ai ai", (frozenset({k("ai")}),), frozenset({k("ai")})),
]


@pytest.mark.parametrize(("query", "sets", "keys"), CASES, ids=[c[0] for c in CASES])
def test_required_keys(
    query: str, sets: tuple[frozenset[IndexKey], ...], keys: frozenset[IndexKey] | None
) -> None:
    tree = parse(query)
    assert required_key_sets(tree) == sets
    assert index_keys(tree) == keys


def test_key_hits() -> None:
    assert k("broad", True).hits("broadcast")
    assert not k("broad").hits("broadcast")
    assert k("ai").hits("ai") and not k("ai").hits("said")
