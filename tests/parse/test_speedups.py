"""mimir.parse.speedups: the Python selections equal trafilatura's XPath expressions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from bench.corpus import Corpus
from lxml.html import HtmlElement
from trafilatura import xpaths

from mimir.parse import speedups
from mimir.parse.article import SPEEDUPS, extract_article
from mimir.parse.htmltree import parse_html

DATA = Path(__file__).parents[1] / "data"
NOW = datetime(2026, 1, 20, tzinfo=UTC)

#: one element per clause of the two expressions, attribute orders both ways, near misses,
#: comments and processing instructions, nesting, upper case and non-ASCII values
TRICKY = """<!DOCTYPE html><html><head><title>t</title></head><body>
<div data-lp-replacement-content="">lp</div>
<div role="Navigation">role upper</div><section role="navigation">role</section>
<div role="NAVIGATION">no: only N is folded</div>
<span data-component="xMostPopularStoriesY">component</span>
<p class="cookie-banner" id="content">consent in class, class first</p>
<p id="content" class="cookie-banner">consent in class, id first: no consent match</p>
<p id="cookie-note" class="x">consent in id, id first</p>
<div id="x" class="share-bar">class token</div><div class="x" id="footer-1">id token</div>
<div id="main-nav">nav id</div><div class="subnav">subnav class</div>
<div class=" ad ">ad</div><div class="head ad-slot">ad-</div><div class="lead">no</div>
<item class="tags">item</item><list id="related-x">list</list>
<article class="share-x">no tag</article>
<aside class="comments-title">exact class</aside><aside class="comments-title x">x</aside>
<div class="reply-box" id="a">reply class first</div><div id="a" class="reply-box">id first</div>
<div id="reply-1" class="z">reply id</div>
<b id="hidden-1" style="color:red">hidden in id</b>
<b style="x" id="hidden-2">style first</b>
<b style="visibility:hidden">hidden style</b><b style="display:none">none</b>
<b style="display: none">none2</b><b style="display:  none">two spaces: no</b>
<i id="akismet-x">akismet</i><i id="reader-comments">rc</i>
<i class="hide-me">hide-</i><i class="xhide-me">no ^</i><i class="a hidden">hidden</i>
<i class="noprint">noprint</i><i class="message-box">message</i>
<u aria-hidden="true">aria</u><u aria-hidden="false">aria no</u><u aria-hidden="TRUE">no</u>
<div id="" class="">empty</div><div ID="Footer">upper name</div>
<div class="Ménu-bär x-bar">é</div><div class="Ménu">no</div>
<div class="menu"><p class="share-x"><span style="display:none">nested</span></p></div>
<!-- a comment class="share" --><?pi data?>
<p>plain <a href="#" class="meta">link</a></p>
<div class="comment-list">comments div</div><ol class="comments">comment list</ol>
<ul id="commentary">no: commentary</ul><ul id="dsq-comments">no: dsq id on a list</ul>
<div id="disqus_thread">disqus</div><ol id="disqus_thread">no: disqus list</ol>
<ul class="post-comments x">post comments list</ul><details class="Commentary">no</details>
<section class="infinite-scroll">scroll</section><div id="infinitescroll"><h1>h</h1>no</div>
<aside class="mvp-post-add-box">post add with h1<h1>h</h1></aside>
<div class="a elementor-share-buttons">elementor</div>
</body></html>"""


def _pages() -> list[tuple[str, str]]:
    corpus = Corpus(3, 10, 3, 11, 8080)
    pages = [(corpus.article_url(i), corpus.page(i).decode()) for i in range(0, 30, 3)]
    pages += [
        (f"https://example.org/{p.name}", p.read_bytes().decode("utf-8", "replace"))
        for p in sorted(DATA.glob("*.html"))
    ]
    pages.append(("https://example.org/tricky", TRICKY))
    return pages


LISTS = sorted(speedups.ORIGINAL)


def test_installed_with_this_trafilatura() -> None:
    assert SPEEDUPS
    assert speedups.active() == [*speedups.ORIGINAL, "element_lookup"]
    assert xpaths.OVERALL_DISCARD_XPATH[0] is not speedups.ORIGINAL["OVERALL_DISCARD_XPATH"][0]


@pytest.mark.parametrize(
    ("name", "which"),
    [(name, i) for name in LISTS for i in range(len(speedups.ORIGINAL[name]))],
)
def test_selections_equal_the_xpath(name: str, which: int) -> None:
    fast = speedups.stand_ins()[name]
    assert len(fast) == len(speedups.ORIGINAL[name])
    total = 0
    for url, html in _pages():
        tree = parse_html(html)
        expected = speedups.ORIGINAL[name][which](tree)
        assert fast[which](tree) == expected, url
        total += len(expected)
    assert total > 0  # the pages exercise the expression


def test_tricky_page_selects_what_each_clause_says() -> None:
    fast = speedups.stand_ins()["OVERALL_DISCARD_XPATH"]
    tree = parse_html(TRICKY)
    texts = {(e.text or "").strip() for e in fast[0](tree) + fast[1](tree)}
    assert {"lp", "role upper", "component", "consent in class, class first", "reply id",
            "hidden in id", "none2", "aria", "nested", "é"} <= texts  # fmt: skip
    assert not texts & {"role: only N is folded", "two spaces: no", "aria no", "no ^", "no"}
    comments = speedups.stand_ins()["REMOVE_COMMENTS_AND_LISTS_XPATH"][0](tree)
    assert {(e.text or "").strip() for e in comments} == {
        "comments div", "comment list", "disqus", "post comments list"}  # fmt: skip
    raw = speedups.stand_ins()["RAW_TREE_PRUNE_XPATH"]
    assert [(e.text or "").strip() for e in raw[0](tree)] == ["scroll", "post add with h1"]
    assert [(e.text or "").strip() for e in raw[1](tree)] == ["elementor"]


def test_extraction_is_unchanged() -> None:
    pages = _pages()
    fast = [_extract(url, html) for url, html in pages]
    speedups.uninstall()
    try:
        assert not speedups.active()
        assert type(parse_html("<form><input></form>").find(".//input")).__name__ == "InputElement"
        stock = [_extract(url, html) for url, html in pages]
    finally:
        assert speedups.install()
    assert fast == stock
    assert sum(1 for r in fast if r[0]) > 10


def test_unknown_expressions_are_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    changed = dict(speedups._KNOWN_SHA256, REMOVE_COMMENTS_XPATH="0" * 64)
    monkeypatch.setattr(speedups, "_KNOWN_SHA256", changed)
    assert "REMOVE_COMMENTS_XPATH" not in speedups.stand_ins()
    speedups.uninstall()
    try:
        assert speedups.install()
        assert "REMOVE_COMMENTS_XPATH" not in speedups.active()
        assert len(speedups.active()) == len(speedups.ORIGINAL)  # the others and the lookup
        monkeypatch.setattr(speedups, "_KNOWN_SHA256", dict.fromkeys(changed, "0" * 64))
        speedups.uninstall()
        assert speedups.install() is False
        assert speedups.active() == ["element_lookup"]
    finally:
        monkeypatch.undo()
        assert speedups.install()


def _extract(url: str, html: str) -> tuple[str, str | None, str | None]:
    try:
        a = extract_article(html.encode(), url, content_type="text/html; charset=utf-8", now=NOW)
    except Exception as exc:  # a stub page: the same error both ways
        return ("", type(exc).__name__, str(exc))
    return (a.text, a.html, a.title)


def test_trees_are_lxml_html_trees() -> None:
    tree = parse_html("<html><body><form><input name=q><p class=x>t</p></form></body></html>")
    assert all(isinstance(el, HtmlElement) for el in tree.iter())
    assert tree.find(".//p").text_content() == "t"  # lxml.html's methods
    assert type(tree.find(".//input")) is HtmlElement  # the C lookup: no form classes


def test_a_trafilatura_without_the_known_names_runs_its_own(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(xpaths, "_COMMENTS_ID")  # a name the stand-ins are built from
    assert speedups.stand_ins() == {}
    speedups.uninstall()
    try:
        assert speedups.install() is False
        assert speedups.active() == ["element_lookup"]
        url, html = _pages()[0]
        assert _extract(url, html)[0]  # extraction works, with trafilatura's expressions
    finally:
        monkeypatch.undo()
        assert speedups.install()
