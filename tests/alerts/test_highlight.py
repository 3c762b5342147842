"""Highlighting matched terms: whole words, phrases, prefixes, accents and case."""

from __future__ import annotations

import pytest

from mimir.alerts.highlight import find_terms, highlight_html, highlight_text


def marked(text: str, terms: tuple[str, ...]) -> str:
    return highlight_text(text, terms)


@pytest.mark.parametrize(
    ("text", "terms", "expected"),
    [
        ("AI said", ("AI",), "**AI** said"),  # by word, never inside "said"
        ("He said so", ("AI",), "He said so"),
        ("ATSC 3.0 launch", ("ATSC 3.0",), "**ATSC 3.0** launch"),
        ("ATSC-3.0 launch", ("ATSC 3.0",), "**ATSC-3.0** launch"),  # punctuation between words
        ("ATSC 3.0 and ATSC 1.0", ("ATSC", "ATSC 3.0"), "**ATSC 3.0** and **ATSC** 1.0"),
        ("Broadcasters broadcast", ("broadcast*",), "**Broadcasters** **broadcast**"),
        ("Café culture", ("cafe",), "**Café** culture"),  # accent-insensitive
        ("CAFÉ", ("café",), "**CAFÉ**"),
        ("Straße und STRASSE", ("strasse",), "**Straße** und **STRASSE**"),
        ("Nothing here", (), "Nothing here"),
        ("Nothing here", ("  ", "***"), "Nothing here"),
    ],
)
def test_highlight_text(text: str, terms: tuple[str, ...], expected: str) -> None:
    assert marked(text, terms) == expected


def test_spans_point_into_the_original_text() -> None:
    text = "Die Straße nach Köln"
    spans = find_terms(text, ["strasse", "koln"])
    assert [text[a:b] for a, b in spans] == ["Straße", "Köln"]


def test_html_highlight_escapes_everything_else() -> None:
    html = highlight_html('<img src=x onerror="alert(1)"> ATSC & <b>', ["atsc"])
    assert str(html) == (
        "&lt;img src=x onerror=&#34;alert(1)&#34;&gt; "
        "<mark><strong>ATSC</strong></mark> &amp; &lt;b&gt;"
    )


def test_a_term_that_looks_like_markup_is_escaped_too() -> None:
    html = highlight_html("a <b> c", ["b"])
    assert str(html) == "a &lt;<mark><strong>b</strong></mark>&gt; c"
