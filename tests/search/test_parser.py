"""The query parser: what each query means (as a tree), and where invalid ones go wrong."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mimir.errors import InputError, QuerySyntaxError
from mimir.search.nodes import (
    After,
    And,
    Before,
    Field,
    Lang,
    Near,
    Node,
    Not,
    Or,
    Term,
    Within,
    unparse,
)
from mimir.search.parser import DEFAULT_NEAR, parse


def w(*words: str, prefix: bool = False, field: Field = Field.ANY) -> Term:
    return Term(tuple(words), prefix, field)


VALID: list[tuple[str, Node]] = [
    # words and phrases, folded: case, accents, punctuation
    ("merger", w("merger")),
    ("Merger", w("merger")),
    ("Café", w("cafe")),
    ("STRAẞE", w("strasse")),
    ('"ATSC 3.0"', w("atsc", "3", "0")),
    ("3.0", w("3", "0")),
    ("don't", w("don", "t")),
    ("e-mail", w("e", "mail")),
    ('"  spaced   out "', w("spaced", "out")),
    # implicit and explicit AND, OR, precedence
    ("a b", And((w("a"), w("b")))),
    ("a AND b", And((w("a"), w("b")))),
    ("a b c", And((w("a"), w("b"), w("c")))),
    ("a OR b", Or((w("a"), w("b")))),
    ("a OR b c", Or((w("a"), And((w("b"), w("c")))))),
    ("a b OR c", Or((And((w("a"), w("b"))), w("c")))),
    ("(a OR b) c", And((Or((w("a"), w("b"))), w("c")))),
    ("a OR b OR c", Or((w("a"), w("b"), w("c")))),
    ("a (b (c))", And((w("a"), w("b"), w("c")))),
    # lower-case operators are words
    ("cats and dogs", And((w("cats"), w("and"), w("dogs")))),
    ("to be or not", And((w("to"), w("be"), w("or"), w("not")))),
    ("near", w("near")),
    # NOT and -
    ("NOT a", Not(w("a"))),
    ("a NOT b", And((w("a"), Not(w("b"))))),
    ("a -b", And((w("a"), Not(w("b"))))),
    ('-"a b"', Not(w("a", "b"))),
    ("-(a OR b)", Not(Or((w("a"), w("b"))))),
    ("NOT NOT a", Not(Not(w("a")))),
    ("a - b", And((w("a"), w("b")))),  # a lone dash is punctuation
    ("well-known", w("well", "known")),
    ("-title:x", Not(w("x", field=Field.TITLE))),
    # prefixes
    ("broad*", w("broad", prefix=True)),
    ("tv*", w("tv", prefix=True)),
    ('"atsc 3"*', w("atsc", "3", prefix=True)),
    ("dvb-i*", w("dvb", "i", prefix=True)),
    # NEAR
    ("ATSC NEAR/5 launch", Near(w("atsc"), w("launch"), 5)),
    ("a NEAR b", Near(w("a"), w("b"), DEFAULT_NEAR)),
    ("a NEAR/0 b", Near(w("a"), w("b"), 0)),
    ('"atsc 3.0" NEAR/3 launch*', Near(w("atsc", "3", "0"), w("launch", prefix=True), 3)),
    ("title:a NEAR/2 title:b", Near(w("a"), w("b"), 2, Field.TITLE)),
    ("title:a NEAR/2 b", Near(w("a"), w("b"), 2, Field.TITLE)),
    ("a NEAR/2 author:b", Near(w("a"), w("b"), 2, Field.AUTHOR)),
    ("title:(a NEAR/2 b)", Near(w("a"), w("b"), 2, Field.TITLE)),
    ("x a NEAR/1 b y", And((w("x"), Near(w("a"), w("b"), 1), w("y")))),
    ("NOT a NEAR/1 b", Not(Near(w("a"), w("b"), 1))),
    # fields
    ("title:merger", w("merger", field=Field.TITLE)),
    ("Title:Merger", w("merger", field=Field.TITLE)),
    ('text:"hostile bid"', w("hostile", "bid", field=Field.TEXT)),
    ("author:smith", w("smith", field=Field.AUTHOR)),
    ("authors:smith", w("smith", field=Field.AUTHOR)),
    ("tag:ai", w("ai", field=Field.TAG)),
    ("tags:ai", w("ai", field=Field.TAG)),
    ("url:reuters", w("reuters", field=Field.URL)),
    ("source:bbc", w("bbc", field=Field.SOURCE)),
    ('source:"BBC News"', w("bbc", "news", field=Field.SOURCE)),
    ("category:broadcast*", w("broadcast", prefix=True, field=Field.CATEGORY)),
    ("title:AND", w("and", field=Field.TITLE)),
    (
        "title:(merger OR acquisition*)",
        Or((w("merger", field=Field.TITLE), w("acquisition", prefix=True, field=Field.TITLE))),
    ),
    (
        "source:(bbc -sport)",
        And((w("bbc", field=Field.SOURCE), Not(w("sport", field=Field.SOURCE)))),
    ),
    ("url:http://example.com/x", w("http", "example", "com", "x", field=Field.URL)),
    ("http://example.com/x", w("http", "example", "com", "x")),
    ("lang:en", Lang("en")),
    ("lang:EN", Lang("en")),
    ("language:pt-BR", Lang("pt")),
    ("lang:zh_Hant", Lang("zh")),
    ("lang:(en OR fr)", Or((Lang("en"), Lang("fr")))),
    # dates
    ("after:2026-01-01", After(datetime(2026, 1, 1, tzinfo=UTC))),
    ("after:2026-02", After(datetime(2026, 2, 1, tzinfo=UTC))),
    ("before:2026", Before(datetime(2026, 1, 1, tzinfo=UTC))),
    ("before:2026-01-02T10:00Z", Before(datetime(2026, 1, 2, 10, tzinfo=UTC))),
    ("after:2026-01-02T10:00+02:00", After(datetime(2026, 1, 2, 8, tzinfo=UTC))),
    ("after:2026-01-02T10:00:30", After(datetime(2026, 1, 2, 10, 0, 30, tzinfo=UTC))),
    ("within:24h", Within(timedelta(hours=24))),
    ("within:90m", Within(timedelta(minutes=90))),
    ("within:7d", Within(timedelta(days=7))),
    ("within:2w", Within(timedelta(weeks=2))),
    # everything together (the architecture note's example)
    (
        '"ATSC 3.0" AND (launch OR deploy) -sports source:bbc lang:en after:2026-01-01 '
        "title:merger",
        And(
            (
                w("atsc", "3", "0"),
                Or((w("launch"), w("deploy"))),
                Not(w("sports")),
                w("bbc", field=Field.SOURCE),
                Lang("en"),
                After(datetime(2026, 1, 1, tzinfo=UTC)),
                w("merger", field=Field.TITLE),
            )
        ),
    ),
    # punctuation-only words are skipped
    ("a & b", And((w("a"), w("b")))),
    ("— a —", w("a")),
]


@pytest.mark.parametrize(("query", "tree"), VALID, ids=[q for q, _ in VALID])
def test_valid_queries(query: str, tree: Node) -> None:
    assert parse(query) == tree
    # written back, it means the same
    assert parse(unparse(tree)) == tree


INVALID: list[tuple[str, int, str]] = [
    ("", 0, "the query is empty"),
    ("   ", 0, "the query is empty"),
    ("&&& ---", 0, "the query is empty"),
    ("a OR", 4, "'OR' needs a term after it"),
    ("a AND", 5, "'AND' needs a term after it"),
    ("NOT", 3, "'NOT' needs a term after it"),
    ("a AND OR b", 6, "'AND' is followed by 'OR'"),
    ("OR a", 0, "'OR' needs a term before it"),
    ("AND a", 0, "'AND' needs a term before it"),
    ("NEAR/3 a", 0, "'NEAR' needs a term before it"),
    ("a NEAR/3", 8, "'NEAR' needs a term after it"),
    ("(a", 0, "this '(' is never closed"),
    ("x (a OR (b)", 2, "this '(' is never closed"),
    ("a)", 1, "')' without a matching '('"),
    ("(a OR)", 5, "'OR' needs a term after it"),
    ("()", 0, "empty parentheses"),
    ('say "hello', 4, "this quote is never closed"),
    ('""', 0, "this phrase has no words"),
    ('"!!"', 0, "this phrase has no words"),
    ("titel:merger", 0, "unknown field 'titel:'"),
    ("a re:Invent", 2, "unknown field 're:'"),
    ("title: merger", 6, "'title:' needs a value right after the colon"),
    ("title:", 6, "'title:' needs a value right after the colon"),
    ("title:&", 6, "this value has no words"),
    ("title:(source:bbc)", 7, "a field inside a field's parentheses"),
    ("NEAR/x a", 5, "NEAR takes a number of words"),
    ("a NEAR/101 b", 7, "NEAR allows at most 100 words"),
    ("a NEAR/2 b NEAR/2 c", 11, "NEAR joins two terms; combine NEAR groups with AND"),
    ("(a OR b) NEAR c", 0, "NEAR joins two words, phrases or prefixes"),
    ("a NEAR -b", 7, "NEAR joins two words, phrases or prefixes"),
    ("a NEAR source:bbc", 7, "NEAR joins two words, phrases or prefixes"),
    ("lang:en NEAR b", 0, "NEAR joins two words, phrases or prefixes"),
    ("title:a NEAR text:b", 13, "the two sides of NEAR must be in the same field"),
    ("*ai", 0, "'*' marks a prefix and goes at the end of a word"),
    ("a*i", 1, "'*' marks a prefix and goes at the end of a word"),
    ("a*", 0, "a prefix needs at least 2 letters or digits"),
    ("&*", 0, "'*' needs a word before it"),
    ("after:yesterday", 6, "expected a date"),
    ("after:2026-13-01", 6, "expected a date"),
    ("before:2026-02-30", 7, "expected a date"),
    ("after:(2026)", 6, "'after:' takes a date or a period, not a group"),
    ("within:5y", 7, "'within:' takes a number and a unit"),
    ("within:0h", 7, "'within:' takes a period from 1m to 100 years"),
    ("within:99999w", 7, "'within:' takes a period from 1m to 100 years"),
    ("lang:english1", 5, "'lang:' takes a language code"),
    ('lang:"en"', 5, "'lang:' takes a language code"),
    ("lang:en*", 5, "'lang:' takes a language code"),
    ("x" * 4001, 4000, "the query is longer than 4000 characters"),
]


@pytest.mark.parametrize(
    ("query", "position", "message"), INVALID, ids=[q[:30] for q, *_ in INVALID]
)
def test_invalid_queries_say_where(query: str, position: int, message: str) -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse(query)
    error = caught.value
    assert error.position == position
    assert message in error.reason
    assert isinstance(error, InputError) and error.status == 400
    assert error.code == "query_syntax"
    # the message shows the query and a caret under the position
    lines = error.message.splitlines()
    assert lines[0] == f"{error.reason} (at position {position})"
    assert lines[2].index("^") - 2 == position
    assert lines[1][2:] == query.replace("\n", " ")


def test_the_caret_line_survives_tabs_and_newlines() -> None:
    with pytest.raises(QuerySyntaxError) as caught:
        parse("a\tOR\n)")
    assert caught.value.position == 5
    assert caught.value.message.splitlines()[1:] == ["  a OR )", "       ^"]


def test_trees_are_immutable_and_hashable() -> None:
    tree = parse("a OR title:b -c")
    assert hash(tree) == hash(parse("a OR title:b -c"))
    with pytest.raises(AttributeError):
        tree.children = ()  # type: ignore[misc, union-attr]
