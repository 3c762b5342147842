"""Links put back into the reading HTML: where prose carried them, word for word."""

from __future__ import annotations

import lxml.html
from lxml import etree

from mimir.parse.relink import prose_links, relink

PAGE = """<html><body>
<nav><ul><li><a href="/politics">Politics</a></li><li><a href="/board">board</a></li></ul></nav>
<article>
<p>The <a href="/fed">Fed</a> held rates, <a href="https://reports.example/q3">its report</a>
says; the Federal Reserve's <b>board</b> met on Tuesday, and the <a href="/fed">Fed chair</a>
spoke after.</p>
<blockquote><p>We expect <a href="javascript:alert(1)">nothing else</a>, said the
<a href="/people/chair">chair</a>.</p></blockquote>
<p><a href="/short">on</a> a short link text is never taken.</p>
</article>
<ul class="related"><li><a href="/more">Tuesday</a></li></ul>
</body></html>"""


def _links() -> dict[str, str]:
    return prose_links(lxml.html.document_fromstring(PAGE), "https://news.example/2026/x")


def test_prose_links_are_the_ones_in_sentences() -> None:
    assert _links() == {
        "its report": "https://reports.example/q3",
        "Fed chair": "https://news.example/fed",
        "chair": "https://news.example/people/chair",
    }  # navigation and related lists stand in no paragraph; "Fed" and "on" are too short;
    # a javascript: address is no link


def _extracted(html: str) -> etree._Element:
    return lxml.html.fragment_fromstring(html, create_parent="div")


def test_links_go_back_at_word_edges_in_reading_order() -> None:
    root = _extracted(
        "<p>The Fed held rates, its report says; the Federal Reserve's <b>board</b> met, and "
        "the Fed chair spoke after.</p><p>Said the chair.</p>"
    )
    links = _links() | {"Fede": "https://news.example/wrong"}  # inside "Federal" only
    assert relink(root, links) == 3
    html = etree.tostring(root, encoding="unicode")
    assert '<a href="https://reports.example/q3">its report</a> says' in html
    assert "the Federal Reserve's <b>board</b> met, and the <a " in html  # a tail slot
    assert '<a href="https://news.example/fed">Fed chair</a> spoke after' in html
    assert '<p>Said the <a href="https://news.example/people/chair">chair</a>.</p>' in html
    # every text stays as it was, word for word
    assert root.text_content() == (
        "The Fed held rates, its report says; the Federal Reserve's board met, and the Fed "
        "chair spoke after.Said the chair."
    )


def test_a_link_text_not_in_the_article_is_left_out() -> None:
    root = _extracted("<p>The chairman of the board.</p>")  # "chair" only inside a word
    assert relink(root, _links()) == 0
    assert "<a " not in etree.tostring(root, encoding="unicode")
