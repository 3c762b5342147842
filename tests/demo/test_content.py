"""The generator writes realistic, varied, deterministic articles; the timeline is pure."""

from __future__ import annotations

import collections

from mimir.demo.content import generate_article, generate_story, headlines, slugify
from mimir.demo.timeline import OUTLETS, Timeline

START = 1_800_000_000.0


def test_articles_have_realistic_length_and_shape() -> None:
    for index in range(400):
        article = generate_article(7, index, "wire")
        assert 4 <= len(article.paragraphs) <= 9, index
        assert 400 <= article.word_count <= 1200, index
        assert article.title and article.summary and article.author
        assert "{" not in " ".join(article.paragraphs), "an unfilled template slot"
        assert article.slug.endswith(f"-{index}")


def test_many_distinct_stories_topics_and_languages() -> None:
    articles = [generate_article(1, i, "wire") for i in range(600)]
    assert len({a.title for a in articles}) > 450
    topics = collections.Counter(a.story.topic for a in articles)
    assert len(topics) == 10
    languages = collections.Counter(a.language for a in articles)
    assert languages["de"] > 5 and languages["fr"] > 5 and languages["en"] > 450


def test_same_seed_same_newsroom_other_seed_other_news() -> None:
    assert generate_article(3, 42, "wire") == generate_article(3, 42, "wire")
    assert generate_article(3, 42, "wire").title != generate_article(4, 42, "wire").title


def test_story_can_run_under_several_headlines() -> None:
    story = generate_story(1, 10)
    titles = headlines(story)
    assert len(set(titles)) == len(titles) >= 2


def test_slugify_is_ascii() -> None:
    assert slugify("Télé Horizon startet DVB-I-Pilotprojekt in Kraków!") == (
        "tele-horizon-startet-dvb-i-pilotprojekt-in-krakow"
    )
    assert slugify("???") == "article"


def test_timeline_round_robin_and_schedule() -> None:
    timeline = Timeline(seed=1, interval=5.0, initial_items=10, start=START)
    assert [timeline.outlet_of(i).key for i in range(5)] == [o.key for o in OUTLETS]
    assert timeline.published_at(9) < START < timeline.published_at(10) == START + 5.0
    assert timeline.ticks_at(START + 12.0) == 2
    assert timeline.count_at(timeline.ticks_at(START + 12.0)) == 12


def test_pickups_reuse_the_press_release_under_another_headline() -> None:
    timeline = Timeline(seed=1, interval=5.0, initial_items=0, start=START)
    pickups = [i for i in range(1, 200) if timeline.is_pickup(i)]
    assert len(pickups) >= 10
    for index in pickups[:5]:
        article, original = timeline.article(index), timeline.article(index - 1)
        assert article.paragraphs == original.paragraphs
        assert article.title != original.title
        assert article.outlet != original.outlet
        assert not timeline.is_pickup(index - 1)


def test_updates_add_a_paragraph_and_move_date_modified() -> None:
    timeline = Timeline(seed=1, interval=1.0, initial_items=20, start=START)
    ticks = 200
    updated = [i for i in range(timeline.count_at(ticks)) if timeline.revision(i, ticks).version]
    assert len(updated) >= 5
    index = updated[-1]
    after = timeline.revision(index, ticks)
    before = timeline.revision(index, 0 if index < 20 else index - 20 + 1)
    assert after.modified > after.published
    assert len(after.paragraphs) > len(before.paragraphs)
    assert after.paragraphs[-1].startswith(("Update", "Aktualisierung", "Mise à jour"))
    # pure: asking again, or from a fresh timeline, gives the same revision
    again = Timeline(seed=1, interval=1.0, initial_items=20, start=START).revision(index, ticks)
    assert again == after
