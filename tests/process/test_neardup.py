"""Near-duplicate stories: hand-built pairs, signatures and band keys, the clusterer, the bench."""

from __future__ import annotations

import hashlib
import itertools
import os
import re
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from bench import stories as bench

from mimir.process.neardup import (
    DEFAULT_SHAPE,
    DEFAULT_THRESHOLDS,
    FORMAT_VERSION,
    Shape,
    Signature,
    StoryClusterer,
    Thresholds,
    band_keys,
    choose_lead,
    decide,
    first_sentence,
    key_terms,
    lead_text,
    shingle_hashes,
    signature,
    similarity,
    title_words,
    words,
)

ROOT = Path(__file__).resolve().parents[2]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

TITLE = "Vectra unveils StreamEdge 5 live encoder ahead of MediaTech Expo"
PARAGRAPHS = [
    "Vectra Signal Systems has launched StreamEdge 5, a live encoder designed for sports "
    "streaming services that want to deliver 4K without doubling their distribution bill. The "
    "product will be shown for the first time at MediaTech Expo in Munich and ships in June.",
    "At the heart of StreamEdge 5 is single-pass encoding to AV1 and HEVC, which Vectra "
    "developed after customers asked for lower delivery costs for their 4K catalogue. The "
    "system also offers per-title bitrate optimisation and redundant encoding across two data "
    "centres, both managed from a single browser-based interface.",
    "“StreamEdge 5 is the result of eleven years of listening to our customers,” said Helena "
    "Moreau, director of product at Vectra Signal Systems. “They told us they wanted the same "
    "quality on every screen, and that is what we built.”",
    "Pricing starts at $900 per channel per month, with discounts for groups running more than "
    "40 channels. Vectra said 12 broadcasters in the Nordics had tested early versions of the "
    "software since April, among them Kanal Fjord and Baltica Media.",
    "Kanal Fjord has been running the encoder next to its existing systems for nine weeks. "
    "“It has not dropped a frame,” said Rafael Novak, head of streaming at the broadcaster, "
    "adding that the company would decide on a wider roll-out after the summer.",
    "Analysts at Parallax Analytics said the launch fits a wider trend towards software "
    "encoding running in public clouds, although device support for AV1 remains uneven and "
    "most services will keep older formats in parallel for years.",
    "A version for on-premises deployment with hardware acceleration will follow in the second "
    "half of 2026, and support for LCEVC is on the road map for a later release.",
]
ABOUT = (
    "About Vectra Signal Systems: Vectra Signal Systems is a supplier of video processing and "
    "delivery technology headquartered in Boston. Founded in 1998, the company employs about "
    "1,400 people and serves customers in more than 60 countries."
)
ORIGINAL = "\n\n".join([*PARAGRAPHS, ABOUT])


def sig(title: str, text: str) -> Signature:
    return signature(title, text)


# ---- hand-built pairs ------------------------------------------------------------------------


def syndicated() -> tuple[str, str]:
    text = "\n\n".join([
        "By Laura Pennington", "March 2, 2026 · 4 min read", "Share on LinkedIn Share on X Email",
        ORIGINAL, "Originally published at https://broadcastwire.example/vectra-streamedge-5/.",
    ])  # fmt: skip
    return f"{TITLE} | Broadcast Wire Daily", text


def wire_copy() -> tuple[str, str]:
    """A new headline, "About" dropped, the tail trimmed, two paragraphs swapped, edits."""
    body = PARAGRAPHS[:5]
    body[1], body[2] = body[2], body[1]
    text = "\n\n".join(body).replace("optimisation", "optimization").replace(" said", " says")
    return "Vectra bets on AV1 with new StreamEdge encoder", text


def trimmed_copy() -> tuple[str, str]:
    return "Vectra claims 4K savings with StreamEdge 5", "\n\n".join(PARAGRAPHS[:3])


def updated_copy() -> tuple[str, str]:
    """The copy with an update line on top and a typo fixed in the original's spelling."""
    update = ("Update (14:05 UTC): This article has been updated with a comment from Kanal "
              "Fjord and the shipping date.")  # fmt: skip
    return TITLE, "\n\n".join([update, ORIGINAL.replace("broadcasters", "broadcast groups")])


def feed_summary() -> tuple[str, str]:
    first = PARAGRAPHS[0].split(". ")[0] + "."
    return TITLE, f"{first}\n\nThe post {TITLE} appeared first on Video Tech Feed."


def sibling_launch() -> tuple[str, str]:
    """The same vendor's other launch that week: same company, vocabulary and "About"."""
    text = "\n\n".join([
        "Vectra Signal Systems has introduced Observer 3, a monitoring and analytics suite that "
        "lets pay-TV operators see every stream from contribution to the viewer's screen. The "
        "suite is available now and will also be demonstrated at MediaTech Expo.",
        "Observer 3 combines end-to-end quality checks with audience analytics, and groups "
        "related faults into one incident so that engineers are not flooded with alarms during "
        "live events. Dashboards show each channel and each delivery path.",
        "“Operators told us they were drowning in alerts,” said Helena Moreau, director of "
        "product at Vectra Signal Systems. “Observer 3 tells them what is actually wrong.”",
        "The suite is sold as a subscription per monitored channel. Vectra said three operators "
        "in North America had signed up before the launch, including Crestline Television.",
        ABOUT,
    ])  # fmt: skip
    return "Vectra launches Observer 3 monitoring suite for pay-TV operators", text


#: a templated release about another vendor: the same sentences with other names and numbers
TEMPLATED = {
    "Vectra Signal Systems": "Orbis Encoding", "Vectra": "Orbis", "StreamEdge 5": "Encore 4",
    "Helena Moreau": "Jonas Brennan", "Kanal Fjord": "Alpenwelle TV",
    "Baltica Media": "Iberia Visión", "Rafael Novak": "Priya Okafor", "Munich": "Lyon",
    "June": "September", "Nordics": "Central Europe", "Parallax Analytics": "Meridian Insight",
    "$900": "$1,200", "40 channels": "25 channels", "12 broadcasters": "7 broadcasters",
    "April": "January", "Boston": "Toulouse", "1998": "2004", "1,400": "610", "60": "35",
}  # fmt: skip


def templated(text: str) -> str:
    for mine, theirs in TEMPLATED.items():
        text = text.replace(mine, theirs)
    return text


def follow_up() -> tuple[str, str]:
    """The next day's story: new reporting, one paragraph of background recycled verbatim."""
    text = "\n\n".join([
        "A day after Vectra unveiled StreamEdge 5, Kanal Fjord said it would be the first "
        "broadcaster to put the encoder into full-time service, starting with its football "
        "coverage in August.",
        "The broadcaster will move six channels to the new system and keep its old encoders on "
        "standby for a month after each switchover, Rafael Novak told reporters on Tuesday.",
        PARAGRAPHS[1],
        "Competitors were quick to point out that similar features already exist in their own "
        "products. Several customers said they would wait for the on-premises version before "
        "deciding, citing contracts with their data centre providers.",
        "“It is early days, but the first reactions have been encouraging,” said Helena Moreau.",
    ])  # fmt: skip
    return "Kanal Fjord becomes first customer for Vectra's StreamEdge 5", text


@pytest.mark.parametrize(
    "copy",
    [syndicated, wire_copy, trimmed_copy, updated_copy, feed_summary],
    ids=["syndicated", "wire", "trimmed", "updated", "summary"],
)
def test_copies_of_the_release_cluster_with_it(copy: object) -> None:
    assert callable(copy)
    original = sig(TITLE, ORIGINAL)
    other = sig(*copy())
    assert decide(original, other)
    assert decide(other, original)


@pytest.mark.parametrize(
    "other",
    [sibling_launch, follow_up],
    ids=["same-vendor-other-launch", "next-day-follow-up"],
)
def test_different_stories_on_the_same_subject_stay_apart(other: object) -> None:
    assert callable(other)
    original = sig(TITLE, ORIGINAL)
    assert not decide(original, sig(*other()))
    assert not decide(sig(*other()), original)


def test_a_templated_release_about_another_company_is_not_a_copy() -> None:
    """Most sentences alike, the names and numbers not: a different story."""
    original = sig(TITLE, ORIGINAL)
    other = sig("Orbis unveils Encore 4 live encoder ahead of MediaTech Expo", templated(ORIGINAL))
    s = similarity(original, other)
    assert s.text >= 0.3 and s.same_opening  # a good part of the wording is the same...
    assert 0 <= s.body_terms < DEFAULT_THRESHOLDS.body_terms  # ...the names are not
    assert 0 <= s.terms < DEFAULT_THRESHOLDS.terms
    assert not decide(original, other) and not decide(other, original)
    loose = Thresholds(text=0.3, body_terms=0.0, terms=0.0)
    assert decide(original, other, loose)  # without the names it would be taken for a copy


def test_a_templated_feed_summary_needs_the_same_names_and_numbers() -> None:
    """Leads alike word for word but for the names: the key terms tell them apart."""
    mine = (TITLE, PARAGRAPHS[0])  # a feed entry with the opening paragraph
    theirs = ("Orbis unveils Encore 4 live encoder ahead of MediaTech Expo",
              PARAGRAPHS[0].replace("Vectra Signal Systems", "Orbis Encoding")
              .replace("StreamEdge 5", "Encore 4"))  # fmt: skip
    original, other = sig(TITLE, ORIGINAL), sig(*theirs)
    s = similarity(original, other)
    assert s.lead >= DEFAULT_THRESHOLDS.lead  # the wording alone would join them
    assert s.terms < DEFAULT_THRESHOLDS.terms
    assert not decide(original, other)
    assert decide(original, sig(*mine))


def test_title_only_articles_join_on_the_same_title_only() -> None:
    original = sig(TITLE, ORIGINAL)
    assert decide(original, sig(f"{TITLE} | Playout Pulse", ""))
    assert decide(original, sig(TITLE.upper(), ""))
    assert not decide(original, sig("Vectra bets on AV1 with new StreamEdge encoder", ""))
    assert not decide(original, sig("Vectra news", ""))  # too short to mean anything
    assert not decide(sig("Vectra news", ""), sig("Vectra news", ""))


def test_an_article_with_text_does_not_join_through_a_title_only_stub() -> None:
    """Two stories that share a headline must not be chained through a stub (by default)."""
    stub, full = sig(TITLE, ""), sig(TITLE, ORIGINAL)
    assert not decide(stub, full)
    assert decide(stub, full, Thresholds(text_joins_via_title=True))
    assert decide(full, stub)


def test_identical_and_unrelated_texts() -> None:
    a = sig(TITLE, ORIGINAL)
    same = similarity(a, sig(TITLE, ORIGINAL))
    assert same.text == same.containment == same.lead == same.terms == same.title == 1.0
    assert same.same_title
    unrelated = similarity(a, sig(*follow_up()))
    assert unrelated.text < 0.2 and not unrelated.same_title


def test_empty_texts_are_never_similar() -> None:
    empty = sig("", "")
    assert empty.size == empty.lead_size == 0 and empty.title_key == b""
    s = similarity(empty, empty)
    assert s.text == s.containment == s.lead == s.terms == -1.0
    assert not decide(empty, empty)
    assert band_keys(empty) == []


# ---- text pieces -------------------------------------------------------------------------------


def test_shingles() -> None:
    assert shingle_hashes([]).size == 0
    assert shingle_hashes(["only", "three", "words"]).size == 1
    assert shingle_hashes(words("a b c d e f"), k=5).size == 2
    assert shingle_hashes(words("a b c d e f"), k=5).tolist() == sorted(
        shingle_hashes(words("a b c d e f"), k=5).tolist()
    )
    # order matters, repetition does not
    assert set(shingle_hashes(["a", "b", "c"], 3)) != set(shingle_hashes(["c", "b", "a"], 3))
    assert shingle_hashes(words("x y z " * 5), k=3).size == 3


def test_title_words_drop_a_site_suffix() -> None:
    assert title_words("Vectra buys Helix for $650 million | TV Tech Insider") == words(
        "Vectra buys Helix for $650 million"
    )
    assert title_words("Orbis ships encoder for live sports - Broadcast Engineering Today") == (
        words("Orbis ships encoder for live sports"))  # fmt: skip
    assert title_words("Q3 results | Vectra") == words("Q3 results | Vectra")  # too short
    assert title_words("Orbis ships encoder for sports - and a lot more than that today") == (
        words("Orbis ships encoder for sports - and a lot more than that today"))  # fmt: skip


def test_lead_text_starts_at_the_first_real_line() -> None:
    text = "PRESS RELEASE\n\nBy Laura Pennington\n\n" + ORIGINAL
    assert lead_text(text).startswith("Vectra Signal Systems has launched StreamEdge 5")
    assert len(words(lead_text(text))) >= 60
    assert lead_text("short\nlines only") == "short\nlines only"


def test_key_terms_are_names_and_numbers_inside_sentences() -> None:
    sentence = first_sentence(ORIGINAL)
    assert sentence.endswith("distribution bill.")
    terms = key_terms("By Laura Pennington\n" + sentence + " More text.")
    assert terms == ["laura", "pennington", "signal", "systems", "streamedge", "5", "4k"]
    assert key_terms("“Our customers,” said Helena Moreau.") == ["helena", "moreau"]
    assert key_terms("a\n  B c D") == ["d"]


# ---- signatures and band keys ------------------------------------------------------------------


def test_signature_round_trip() -> None:
    for title, text in (
        (TITLE, ORIGINAL), feed_summary(), (TITLE, ""), ("", ""), sibling_launch()
    ):  # fmt: skip
        s = sig(title, text)
        data = s.to_bytes()
        back = Signature.from_bytes(data)
        assert back == s and hash(back) == hash(s)
        assert back.to_bytes() == data
        assert (back.size, back.lead_size, back.terms, back.title_words, back.title_key) == (
            s.size, s.lead_size, s.terms, s.title_words, s.title_key)  # fmt: skip
        assert band_keys(back) == band_keys(s)
    full = sig(TITLE, ORIGINAL)
    assert len(full.to_bytes()) <= 1100
    assert similarity(Signature.from_bytes(full.to_bytes()), full).text == 1.0


def test_signature_bytes_are_checked() -> None:
    data = sig(TITLE, ORIGINAL).to_bytes()
    with pytest.raises(ValueError, match="too short"):
        Signature.from_bytes(data[:5])
    with pytest.raises(ValueError, match="version"):
        Signature.from_bytes(b"XX" + data[2:])
    with pytest.raises(ValueError, match="version"):
        Signature.from_bytes(data[:2] + bytes([FORMAT_VERSION + 1]) + data[3:])
    with pytest.raises(ValueError, match="bytes, expected"):
        Signature.from_bytes(data + b"\0")


def test_band_keys_layout() -> None:
    full = sig(TITLE, ORIGINAL)
    keys = band_keys(full)
    shape = DEFAULT_SHAPE
    assert len(keys) == shape.text_bands + shape.lead_bands + 1
    assert len(set(keys)) == len(keys)
    assert all(-(2**63) <= k < 2**63 for k in keys)
    assert len(band_keys(sig(TITLE, ""))) == 1  # the title only
    assert band_keys(sig("Short title", "")) == []


def test_copies_share_band_keys_and_unrelated_texts_do_not() -> None:
    original = set(band_keys(sig(TITLE, ORIGINAL)))
    for copy in (syndicated, wire_copy, trimmed_copy, updated_copy, feed_summary):
        assert original & set(band_keys(sig(*copy()))), copy.__name__
    assert not original & set(band_keys(sig(*follow_up())))


#: a fixed input and the first keys and bytes it must give: stored signatures and band keys
#: stay valid only while these do (change FORMAT_VERSION, and migrate, if they must change)
GOLDEN_TEXT = "Vectra Signal Systems has launched StreamEdge 5, a live encoder for sports."


GOLDEN_CODE = f"""
import hashlib
from mimir.process.neardup import band_keys, signature
s = signature("Vectra launches StreamEdge 5 encoder", {GOLDEN_TEXT!r})
print(" ".join(map(str, band_keys(s)[:3])), hashlib.sha256(s.to_bytes()).hexdigest()[:16])
"""


def _golden() -> tuple[list[int], str]:
    s = signature("Vectra launches StreamEdge 5 encoder", GOLDEN_TEXT)
    return band_keys(s)[:3], hashlib.sha256(s.to_bytes()).hexdigest()[:16]


def test_band_keys_are_stable_across_processes() -> None:
    """No salted hash() anywhere: another interpreter with another hash seed agrees."""
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", GOLDEN_CODE], env=env, check=True,
                         capture_output=True, text=True).stdout.split()  # fmt: skip
    keys, digest = _golden()
    assert [int(v) for v in out[:3]] == keys
    assert out[3] == digest


def test_band_keys_golden_values() -> None:
    keys, digest = _golden()
    assert keys == GOLDEN_KEYS
    assert digest == GOLDEN_DIGEST


GOLDEN_KEYS = [4675833909850356933, 885416383286006342, -4594117019736038437]
GOLDEN_DIGEST = "3a616c9e3fd658bd"


def test_shapes_are_validated_and_never_mixed() -> None:
    with pytest.raises(ValueError, match="exceeds"):
        Shape(text_perm=64, text_bands=32, text_rows=4)
    with pytest.raises(ValueError, match="shingle_words"):
        Shape(shingle_words=0)
    other = replace_shape(shingle_words=3)
    a, b = sig(TITLE, ORIGINAL), signature(TITLE, ORIGINAL, other)
    assert Signature.from_bytes(b.to_bytes()).shape == other
    with pytest.raises(ValueError, match="different shapes"):
        similarity(a, b)
    with pytest.raises(ValueError, match="shape"):
        StoryClusterer().add_signature(1, b, T0)


def replace_shape(**changes: int) -> Shape:
    from dataclasses import replace

    return replace(DEFAULT_SHAPE, **changes)


# ---- the clusterer -----------------------------------------------------------------------------


def test_clusterer_places_copies_and_keeps_other_stories_apart() -> None:
    c = StoryClusterer()
    first = c.add(1, TITLE, ORIGINAL, T0)
    assert first == 1
    assert c.add(2, *syndicated(), T0 + timedelta(hours=1)) == 1
    assert c.add(3, *sibling_launch(), T0 + timedelta(hours=2)) == 3
    assert c.add(4, *wire_copy(), T0 + timedelta(hours=5)) == 1
    assert c.add(5, *follow_up(), T0 + timedelta(hours=26)) == 5
    assert c.add(6, *feed_summary(), T0 + timedelta(hours=30)) == 1
    assert c.add(7, f"{TITLE} | Playout Pulse", "", T0 + timedelta(hours=31)) == 1
    story = c.story(1)
    assert story.members == [1, 2, 4, 6, 7]
    assert story.lead_article_id == 1
    assert (story.first_seen, story.last_seen) == (T0, T0 + timedelta(hours=31))
    assert [s.story_id for s in c.stories] == [1, 3, 5]
    assert c.story_of(4) == 1


def test_the_lead_is_the_earliest_complete_article() -> None:
    c = StoryClusterer()
    c.add(10, *feed_summary(), T0)  # the feed entry arrives first
    c.add(11, *trimmed_copy(), T0 + timedelta(minutes=5))
    assert c.story(10).lead_article_id == 11  # the trimmed copy beats the summary...
    c.add(12, *syndicated(), T0 + timedelta(minutes=30))
    c.add(13, TITLE, ORIGINAL, T0 + timedelta(minutes=20))  # ...the full text beats both
    story = c.story(10)
    assert story.members == [10, 11, 12, 13]
    assert story.lead_article_id == 13  # earliest of the two complete ones
    assert story.first_seen == T0


def test_choose_lead_depends_only_on_the_members() -> None:
    members = [(1, 40, T0), (2, 300, T0 + timedelta(hours=2)), (3, 290, T0 + timedelta(hours=1)),
               (4, 120, T0 + timedelta(minutes=1)), (5, 300, T0 + timedelta(hours=1))]  # fmt: skip
    for order in itertools.permutations(members):
        assert choose_lead(order) == 3
    assert choose_lead([(7, 0, T0), (6, 0, T0)]) == 6
    with pytest.raises(ValueError):
        choose_lead([])


def test_the_window_limits_candidates() -> None:
    c = StoryClusterer(window=timedelta(hours=72))
    c.add(1, TITLE, ORIGINAL, T0)
    assert c.add(2, *syndicated(), T0 + timedelta(hours=71)) == 1
    assert c.add(3, *syndicated(), T0 + timedelta(hours=73)) == 1  # within 72 h of article 2
    assert c.add(4, *wire_copy(), T0 - timedelta(hours=73)) == 4  # too early for all of them
    assert c.add(5, *wire_copy(), T0 + timedelta(hours=150)) == 5  # too late for all of them
    with pytest.raises(ValueError):
        StoryClusterer(window=timedelta(0))


def test_a_revision_keeps_its_story() -> None:
    c = StoryClusterer()
    c.add(1, TITLE, ORIGINAL, T0)
    c.add(2, *wire_copy(), T0 + timedelta(hours=1))
    assert c.add(2, *follow_up(), T0 + timedelta(hours=2)) == 1  # rewritten: still a revision
    assert c.story(1).members == [1, 2]
    assert c.story(1).last_seen == T0 + timedelta(hours=2)
    # its old keys are gone: a copy of the old text finds only the original
    keys = band_keys(sig(*wire_copy()))
    assert c.candidates(keys, T0) == [1]


def test_prune_drops_old_band_keys() -> None:
    c = StoryClusterer()
    c.add(1, TITLE, ORIGINAL, T0)
    assert c.prune(T0 + timedelta(hours=1)) == 1
    assert c.prune(T0 + timedelta(hours=1)) == 0
    assert c.add(2, *syndicated(), T0 + timedelta(hours=2)) == 2
    assert c.story_of(1) == 1  # the article and its story stay


# ---- the labelled benchmark ----------------------------------------------------------------------


def test_scores_on_a_hand_made_clustering() -> None:
    labels = [1, 1, 1, 2, 2, 3]
    predicted = [1, 1, 2, 2, 2, 3]
    s = bench.score(labels, predicted)
    # pairs put together: (0,1) (2,3) (2,4) (3,4); right: (0,1) (3,4); true pairs: 3 + 1
    assert (s.precision, s.recall) == (2 / 4, 2 / 4)
    assert s.bcubed_precision == pytest.approx((1 + 1 + 1 / 3 + 2 / 3 + 2 / 3 + 1) / 6)
    assert s.bcubed_recall == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1 + 1 + 1) / 6)
    assert (s.stories, s.predicted, s.articles) == (3, 3, 6)
    perfect = bench.score(labels, labels)
    assert perfect.precision == perfect.recall == 1.0 and perfect.meets_targets()
    with pytest.raises(ValueError):
        bench.score([1], [])


def test_the_generator_is_deterministic_and_realistic() -> None:
    a = bench.generate(11, 12)
    assert a == bench.generate(11, 12)
    assert a != bench.generate(12, 12)
    assert [x.article_id for x in a] == list(range(1, len(a) + 1))
    assert all(x.published_at <= y.published_at + timedelta(minutes=20)
               for x, y in itertools.pairwise(a))  # fmt: skip
    originals = [x for x in a if x.variant == "original"]
    assert len(originals) == len({x.story for x in a})
    assert all(150 <= x.words <= 1300 for x in originals)
    rendered = "".join(x.text + x.title for x in a)
    assert "{" not in rendered and "}" not in rendered  # every slot filled
    assert not re.search(r"\[[^\]]*\|", rendered)  # every [a|b] alternation resolved


def test_smoke_evaluation_meets_the_targets_on_a_held_out_seed() -> None:
    articles = bench.generate(bench.SMOKE_SEED, 60)
    assert bench.SMOKE_SEED not in (bench.TUNE_SEED,)
    variants = {a.variant for a in articles}
    assert {"original", "syndicated", "wire", "summary", "title_only"} <= variants
    assert {a.relation for a in articles} == {"", "sibling", "templated", "follow-up"}
    s = bench.score([a.story for a in articles],
                    bench.cluster(articles, bench.signatures(articles)))  # fmt: skip
    assert s.precision >= bench.TARGET_PRECISION
    assert s.recall >= bench.TARGET_RECALL
    assert s.stories < s.articles / 2  # copies really are copies


def test_the_bench_command_smoke_run(capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--smoke"]) == 0
    out = capsys.readouterr().out
    assert "thresholds: text=0.5" in out and "targets P >= 0.98, R >= 0.9: met" in out


def test_a_signature_from_the_normalized_text_is_the_same_signature() -> None:
    """``build_values`` normalises the body once for the fingerprint and the signature."""
    from mimir.process.fingerprint import (
        normalize_text,
        normalized_fingerprint,
        text_fingerprint,
    )

    text = (
        "ZÜRICH (Reuters) \u2013 Die Ärzte-Stiftung übernimmt 40 % der Anteile.\n"
        "Acme Broadcast said on Tuesday it would buy the playout business of Vega Media "
        "for $120 million, its third deal this year."
    )
    normalized = normalize_text(text)
    given = signature("Acme buys Vega playout", text, normalized=normalized)
    assert given.to_bytes() == signature("Acme buys Vega playout", text).to_bytes()
    assert normalized_fingerprint(normalized) == text_fingerprint(text)
    other = signature("Acme buys Vega playout", text, normalized=normalize_text(text + " More."))
    assert other.to_bytes() != given.to_bytes()  # the argument is what is hashed


def test_sketches_are_what_datasketch_computes() -> None:
    """``_minhash`` computes the sketch on the array itself; datasketch's own ``update_batch``
    over the same values, permutations and scheme must give the same hash values."""
    import numpy as np
    from datasketch import LeanMinHash, MinHash

    from mimir.process.neardup import MINHASH_SEED, _minhash

    rng = np.random.default_rng(7)
    sizes = (0, 1, 2, 5, 60, 800, 5000)
    for n, perm in itertools.product(sizes, (64, 128)):
        values = np.unique(rng.integers(0, 2**32, n, dtype=np.uint64).astype(np.uint32))
        reference = MinHash(num_perm=perm, seed=MINHASH_SEED, hashfunc=int, scheme="affine32")
        reference.update_batch(values.tolist())
        got = _minhash(values, perm)
        assert got.hashvalues.dtype == np.uint32
        assert np.array_equal(got.hashvalues, LeanMinHash(reference).hashvalues), (n, perm)
        assert got.jaccard(LeanMinHash(reference)) == 1.0


def test_candidates_skipped_on_their_key_terms_are_ones_accepts_refuses() -> None:
    """``best_match`` skips a candidate whose names and numbers already rule it out, without
    the MinHash estimates: every pair skipped is one ``accepts`` refuses, and the choice is the
    one a comparison of every candidate makes."""
    from mimir.process.neardup import _fails_on_terms, accepts, best_match

    articles = bench.generate(bench.SMOKE_SEED, 30)
    sigs = bench.signatures(articles)
    ids = list(range(len(sigs)))
    skipped = 0
    for i, j in itertools.permutations(ids, 2):
        a, b = sigs[i], sigs[j]
        if _fails_on_terms(a, b, DEFAULT_THRESHOLDS):
            skipped += 1
            assert not accepts(similarity(a, b), a, b)
    assert skipped > len(ids)  # the shortcut is taken, not only allowed

    def compare_all(new: Signature, cands: list[tuple[int, Signature]]) -> int | None:
        ranked = [(similarity(s, new).strength, -k) for k, s in cands
                  if accepts(similarity(s, new), s, new)]  # fmt: skip
        return -max(ranked)[1] if ranked else None

    for j in ids:
        cands = [(i, sigs[i]) for i in ids if i != j]
        assert best_match(sigs[j], cands) == compare_all(sigs[j], cands)
