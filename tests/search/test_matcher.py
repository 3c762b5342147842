"""The in-memory matcher: the reference semantics of the query language."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mimir.search.matcher import (
    ArticleFields,
    Document,
    article_date,
    language_code,
    match,
    matches,
)
from mimir.search.parser import parse

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)

ARTICLE = ArticleFields(
    title="ATSC 3.0 launch in Denver: NextGen TV arrives",
    text=(
        "The broadcaster said it would deploy NextGen TV next month. AI is not said to be "
        "involved. Café owners in Zürich and Łódź watched the Straße parade on e-mail."
    ),
    authors=["Jane Doe", "Émile Zola"],
    tags=["Broadcast", "TV-Tech"],
    url="https://news.example.com/2026/atsc-launch?id=7",
    source_name="TV Tech",
    source_host="tvtech.com",
    source_category="Broadcast industry",
    language="en-US",
    published_at=datetime(2026, 2, 20, tzinfo=UTC),
    discovered_at=datetime(2026, 2, 21, tzinfo=UTC),
)

CASES: list[tuple[str, bool]] = [
    # words, by word, never by substring
    ("atsc", True),
    ("ATSC", True),
    ("ai", True),
    ("said", True),
    ("sai", False),
    ("aid", False),
    ("nextgen", True),
    ("next", True),
    ("gen", False),
    # accents and case both ways
    ("cafe", True),
    ("CAFÉ", True),
    ("zurich", True),
    ("lodz", True),
    ("strasse", True),
    ("straße", True),
    # phrases
    ('"ATSC 3.0"', True),
    ('"3.0 launch"', True),
    ('"launch ATSC"', False),
    ('"e-mail"', True),
    ('"e mail"', True),
    ('"denver nextgen"', True),  # the colon between them is punctuation
    ('"arrives the"', False),  # title and text are separate: a phrase never spans them
    # prefixes
    ("broad*", True),
    ("deplo*", True),
    ("zz*", False),
    ('"nextgen t"*', True),
    ('"nextgen x"*', False),
    # booleans
    ("atsc denver", True),
    ("atsc zebra", False),
    ("atsc OR zebra", True),
    ("zebra OR quagga", False),
    ("atsc -zebra", True),
    ("atsc -denver", False),
    ("NOT zebra", True),
    ("NOT atsc", False),
    ("(zebra OR denver) nextgen", True),
    ("zebra OR denver nextgen", True),
    ("zebra OR denver quagga", False),
    # NEAR: at most n words between, either order, within one field
    ("atsc NEAR/0 3", True),
    ("atsc NEAR/1 launch", False),  # atsc 3 0 launch: two words between
    ("atsc NEAR/2 launch", True),
    ("launch NEAR/2 atsc", True),
    ("denver NEAR/3 atsc", False),
    ("denver NEAR/4 atsc", True),
    ('"atsc 3 0" NEAR/0 launch', True),
    ('launch NEAR/0 "atsc 3 0"', True),
    ('"3 0" NEAR/0 "0 launch"', True),  # overlapping phrases
    ("atsc NEAR/0 atsc", True),
    ("arrives NEAR/1 the", False),  # across title and text
    ("title:(atsc NEAR/2 launch)", True),
    ("text:(atsc NEAR/2 launch)", False),
    ("broad* NEAR/3 said", True),
    # fields
    ("title:denver", True),
    ("title:broadcaster", False),
    ("text:broadcaster", True),
    ("text:denver", False),
    ("author:doe", True),
    ('author:"jane doe"', True),
    ('author:"doe emile"', True),  # authors are one run of words
    ("author:emile", True),
    ("emile", False),  # an author: only with author:, not as plain text
    ("tag:broadcast", True),
    ('tag:"tv tech"', True),
    ("url:example", True),
    ("url:atsc", True),
    ("url:7", True),
    ("url:news*", True),
    ("source:tvtech", True),
    ('source:"tv tech"', True),
    ("source:bbc", False),
    ("category:broadcast", True),
    ("category:industry", True),
    ("category:tech", False),
    ("lang:en", True),
    ("lang:fr", False),
    # dates: published (2026-02-20), never after discovered
    ("after:2026-02-20", True),
    ("after:2026-02-20T00:00:01Z", False),
    ("before:2026-02-20T00:00:01Z", True),
    ("before:2026-02-20", False),
    ("within:10d", True),
    ("within:9d", False),
    ("within:9d OR atsc", True),
    ("-within:9d", True),
]


@pytest.mark.parametrize(("query", "expected"), CASES, ids=[q for q, _ in CASES])
def test_what_matches(query: str, expected: bool) -> None:
    assert matches(parse(query), ARTICLE, now=NOW) is expected


def test_a_document_is_prepared_once_and_reused() -> None:
    doc = Document.of(ARTICLE)
    for query, expected in CASES:
        assert matches(parse(query), doc, now=NOW) is expected, query


def test_match_reports_the_terms_found() -> None:
    result = match(parse('"ATSC 3.0" launch* -zebra OR quagga'), ARTICLE, now=NOW)
    assert result.matched
    assert result.terms == ('"atsc 3 0"', "launch*")
    near = match(parse("title:(denver NEAR/5 nextgen) OR zebra"), ARTICLE, now=NOW)
    assert near.terms == ("denver", "nextgen")
    # terms present but the query does not match: nothing to report
    assert match(parse("atsc zebra"), ARTICLE, now=NOW).terms == ()
    # a field term counts only in its field
    assert match(parse("atsc OR title:broadcaster"), ARTICLE, now=NOW).terms == ("atsc",)


def test_article_date_and_language() -> None:
    day = datetime(2026, 1, 2, tzinfo=UTC)
    assert article_date(day, day + timedelta(hours=1)) == day
    assert article_date(day + timedelta(days=3), day) == day  # a date in the future: found
    assert article_date(None, day) == day
    assert article_date(day.replace(tzinfo=None), None) == day
    assert article_date(None, None) is None
    assert language_code("pt_BR") == "pt"
    assert language_code("EN") == "en"
    assert language_code(None) == ""


def test_an_undated_article_matches_no_date_filter() -> None:
    undated = ArticleFields(title="x")
    assert not matches(parse("after:2000"), undated, now=NOW)
    assert not matches(parse("before:2100"), undated, now=NOW)
    assert matches(parse("NOT within:1d"), undated, now=NOW)


def test_list_fields_keep_only_strings() -> None:
    odd = ArticleFields(authors=["Ann", None, 5, {"name": "x"}, "Bo"], tags=[])  # type: ignore[list-item]
    assert matches(parse('author:"ann bo"'), odd, now=NOW)
    assert not matches(parse("author:5"), odd, now=NOW)
