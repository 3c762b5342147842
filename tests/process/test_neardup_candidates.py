"""The candidate rule (newest few per band key, most keys shared first) and the lead after a
join, in the pure module: the database follows both."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from mimir.process.neardup import (
    MAX_CANDIDATES,
    MAX_KEY_ARTICLES,
    StoryClusterer,
    band_keys,
    choose_lead,
    lead_after_join,
    rank_candidates,
    signature,
)
from tests.process.test_neardup import ORIGINAL, TITLE, follow_up, sibling_launch, syndicated

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_rank_candidates_most_keys_first_then_lowest_id() -> None:
    per_key = [[5, 3, 9], [3, 9], [9, 7], [3], [1]]
    assert rank_candidates(per_key, None) == [3, 9, 1, 5, 7]
    assert rank_candidates(per_key, 2) == [3, 9]
    assert rank_candidates([], 4) == []
    assert MAX_CANDIDATES >= MAX_KEY_ARTICLES >= 1


def test_lead_after_join_agrees_with_choose_lead_whenever_it_answers() -> None:
    rng = random.Random(7)
    answered = undecided = 0
    for _ in range(4000):
        n = rng.randint(1, 6)
        members = [
            (aid, rng.choice([0, 10, 40, 90, 100, 150, 200, 400]),
             T0 + timedelta(minutes=rng.randint(0, 30)))
            for aid in rng.sample(range(1, 50), n)
        ]  # fmt: skip
        lead_id = choose_lead(members)
        lead = next(m for m in members if m[0] == lead_id)
        new = (
            max(m[0] for m in members) + rng.randint(1, 3),
            rng.choice([0, 5, 10, 40, 60, 90, 100, 150, 200, 250, 400, 900]),
            T0 + timedelta(minutes=rng.randint(-5, 35)),
        )
        got = lead_after_join(lead, new)
        if got is None:
            undecided += 1
        else:
            answered += 1
            assert got == choose_lead([*members, new]), (members, new)
    assert answered > 3 * undecided  # the common cases need no members


def test_lead_after_join_cases() -> None:
    lead = (10, 200, T0)
    assert lead_after_join(lead, (11, 400, T0 + timedelta(hours=1))) == 10  # later, not too big
    assert lead_after_join(lead, (11, 401, T0 + timedelta(hours=1))) is None  # may unseat it
    assert lead_after_join(lead, (11, 200, T0 - timedelta(hours=1))) == 11  # earlier, complete
    assert lead_after_join(lead, (11, 99, T0 - timedelta(hours=1))) == 10  # earlier, a stub
    assert lead_after_join(lead, (11, 150, T0 - timedelta(hours=1))) is None  # depends
    assert lead_after_join(lead, (9, 200, T0)) == 9  # same time: the lower id


def _prose(seed: int) -> str:
    rng = random.Random(seed)
    vocabulary = ORIGINAL.lower().replace(".", " ").split()
    return " ".join(rng.choice(vocabulary) for _ in range(220)) + "."


def test_an_over_common_key_yields_only_the_newest_articles() -> None:
    """Ten different texts under one headline share its title key and nothing else: a stub
    with that headline gets the newest ``max_key_articles`` of them, not all ten."""
    capped, uncapped = StoryClusterer(max_key_articles=3), StoryClusterer(max_key_articles=None)
    for aid in range(1, 11):
        for c in (capped, uncapped):
            c.add(aid, TITLE, _prose(aid), T0 + timedelta(minutes=aid))
    stub = band_keys(signature(TITLE, ""))
    assert len(stub) == 1
    assert sorted(capped.candidates(stub, T0)) == [8, 9, 10]
    assert sorted(uncapped.candidates(stub, T0)) == list(range(1, 11))


def test_a_copy_is_found_when_its_keys_are_crowded() -> None:
    """Ten later look-alikes share the original's title key (the same headline): the copy is
    still found through its body and lead keys."""
    c = StoryClusterer(max_key_articles=2, max_candidates=3)
    assert c.add(1, TITLE, ORIGINAL, T0) == 1
    for aid in range(2, 12):
        text = sibling_launch()[1] if aid % 2 else follow_up()[1]
        c.add(aid, TITLE, text + f"\nEdition {aid}.", T0 + timedelta(minutes=aid))
    copy = syndicated()
    keys = band_keys(signature(*copy))
    assert 1 in c.candidates(keys, T0 + timedelta(hours=1))
    assert c.add(20, *copy, T0 + timedelta(hours=1)) == 1


def test_limits_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        StoryClusterer(max_key_articles=0)
    with pytest.raises(ValueError, match="positive"):
        StoryClusterer(max_candidates=0)
