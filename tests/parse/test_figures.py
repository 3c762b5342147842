"""An article's own figures, put back into its reading HTML between the paragraphs they stood
between (mimir.parse.figures)."""

from __future__ import annotations

from datetime import UTC, datetime

from lxml import html as lxml_html

from mimir.parse.article import extract_article
from mimir.parse.figures import _largest, page_figures

NOW = datetime(2026, 3, 1, tzinfo=UTC)
URL = "https://ledger.example/2026/03/tuners"

PARAGRAPHS = [
    f"Paragraph {i}: the tuner market grew again this quarter, makers said, as viewers "
    "bought receivers for the new broadcasts and prices fell."
    for i in range(1, 6)
]


def _page(middle: str, *, hero: str = "", after: str = "") -> bytes:
    first, second, *rest = PARAGRAPHS
    return (
        "<html><head><title>Tuner market</title></head><body><nav><a href='/'>Home</a></nav>"
        f"<article><h1>Tuner market</h1>{hero}<p>{first}</p><p>{second}</p>{middle}"
        + "".join(f"<p>{p}</p>" for p in rest)
        + f"</article>{after}<footer>&copy; 2026 Ledger</footer></body></html>"
    ).encode()


CHART = (
    "<figure><img src='/img/placeholder.gif' data-src='/img/chart-q1.png' alt='Sales by quarter'>"
    "<figcaption>Receiver sales, by quarter (Ledger research)</figcaption></figure>"
)


def test_a_figure_between_two_paragraphs_is_put_back_there() -> None:
    hero = "<figure><img src='/img/hero.jpg' alt='A tuner'></figure>"
    related = (
        "<aside><h2>Related</h2><figure><img src='/img/other.jpg'></figure>"
        "<p><a href='/other'>Another story about receivers and their prices</a></p></aside>"
    )
    pixel = "<figure><img src='https://track.example/p.gif' width='1' height='1'></figure>"
    article = extract_article(_page(CHART + pixel, hero=hero, after=related), URL, now=NOW)
    assert article.html is not None
    tree = lxml_html.fromstring(article.html)
    figures = tree.findall(".//figure")
    assert len(figures) == 1, article.html  # not the hero, the pixel or the related story's
    img = figures[0].find("img")
    assert img is not None and img.get("src") == "https://ledger.example/img/chart-q1.png"
    assert img.get("alt") == "Sales by quarter"
    assert figures[0].findtext("figcaption") == "Receiver sales, by quarter (Ledger research)"
    # right after the second paragraph, before the third
    before, after = figures[0].getprevious(), figures[0].getnext()
    assert before is not None and before.text_content().startswith("Paragraph 2:")
    assert after is not None and after.text_content().startswith("Paragraph 3:")
    # the text is unchanged: the caption is no part of it
    assert "Receiver sales" not in article.text


def test_no_figure_no_change() -> None:
    article = extract_article(_page(""), URL, now=NOW)
    assert article.html is not None and "<figure" not in article.html and "<img" not in article.html


def test_lazy_loading_and_srcset() -> None:
    assert _largest("a.jpg 480w, b.jpg 1024w, c.jpg 800w") == "b.jpg"
    assert _largest("a.jpg 1x, b.jpg 2x") == "b.jpg"
    assert _largest("a.jpg") == "a.jpg"
    page = _page(
        "<figure><picture><source srcset='/i/s.webp 480w, /i/l.webp 1200w'>"
        "<img src='data:image/gif;base64,R0lGOD' alt='Mast'></picture></figure>"
    )
    tree = lxml_html.fromstring(page)
    [figure] = page_figures(tree, URL)
    assert figure.src == "https://ledger.example/i/l.webp" and figure.alt == "Mast"


def test_a_figure_whose_paragraphs_are_not_both_extracted_is_left_out() -> None:
    """Between the article's last paragraph and a footer's, a figure is no part of the
    article: its following paragraph is not in the extracted text."""
    page = _page(
        "",
        after=(
            "<figure><img src='/img/promo.jpg'></figure><div class='newsletter'><p>Sign up to "
            "the Ledger newsletter for the week's tuner news in your inbox.</p></div>"
        ),
    )
    article = extract_article(page, URL, now=NOW)
    assert article.html is not None and "promo.jpg" not in article.html
