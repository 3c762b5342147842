"""Titles and bylines without the site's decorations. The titles are real ones, as the pages of
python-goose's news fixtures give them in og:title or <title>."""

from __future__ import annotations

import pytest

from mimir.parse.tidy import clean_authors, clean_tags, clean_title, site_from_copyright, site_keys


@pytest.mark.parametrize(
    ("title", "kw", "expected"),
    [
        # the site's name, as og:site_name gives it
        (
            "Five Social Media Lessons for Business - BusinessWeek",
            {"site_name": "BusinessWeek"},
            "Five Social Media Lessons for Business",
        ),
        (
            "TechCrunch | 2005 Zuckerberg Didn\u2019t Want To Take Over The World",
            {"site_name": "TechCrunch"},
            "2005 Zuckerberg Didn\u2019t Want To Take Over The World",
        ),
        (
            "Shovel Knight review: rewrite history | Polygon",
            {"site_name": "Polygon"},
            "Shovel Knight review: rewrite history",
        ),
        (
            "B&C Morning Show: American Hero Kelly Malloy « CBS New York",
            {"site_name": "CBS New York"},
            "B&C Morning Show: American Hero Kelly Malloy",
        ),
        # ... or the host name, and the author after it
        (
            "Democrats to use Social Security against GOP this fall - CNN.com",
            {"url": "http://www.cnn.com/2010/POLITICS/08/13/index.html"},
            "Democrats to use Social Security against GOP this fall",
        ),
        (
            "2012 map takes unfamiliar shape - Maggie Haberman and Shira Toeplitz - POLITICO.com",
            {
                "url": "https://www.politico.com/news/x",
                "authors": ["Maggie Haberman and Shira Toeplitz"],
            },
            "2012 map takes unfamiliar shape",
        ),
        (  # the bylines as extraction gives them, one name each
            "2012 map takes unfamiliar shape - Maggie Haberman and Shira Toeplitz",
            {"site_name": "POLITICO", "authors": ["Maggie Haberman", "Shira Toeplitz"]},
            "2012 map takes unfamiliar shape",
        ),
        (
            "Voice interfaces • Dustin Curtis",
            {"site_name": "Dustin Curtis on Svbtle"},
            "Voice interfaces",
        ),
        (
            "Cae en Francia Izaskun Lesaka | elmundo.es",
            {"url": "http://www.elmundo.es/elmundo/2012/10/28/espana.html"},
            "Cae en Francia Izaskun Lesaka",
        ),
        (
            "Apple unveils the iPhone 17 - Apple Newsroom",
            {"url": "https://www.apple.com/newsroom/2026/09/x/"},
            "Apple unveils the iPhone 17",
        ),
        (  # a double hyphen (sott.net)
            "'The American friends': New court files expose Adelson's team -- Sott.net",
            {"url": "https://www.sott.net/article/434715-x"},
            "'The American friends': New court files expose Adelson's team",
        ),
        (  # Nikkei: a full-width colon, no spaces, and the paper's name
            "米朝首脳直通電話 習氏に挑む\uff1a日本経済新聞",
            {"site_name": "日本経済新聞 電子版"},
            "米朝首脳直通電話 習氏に挑む",
        ),
        # the site's name, then its motto (SciLogs, a blog network of spektrum.de)
        (
            "Die Ablehnung der Gendersprache \u00bb SciLogs - Wissenschaftsblogs",
            {"url": "https://scilogs.spektrum.de/engelbart-galaxis/x/"},
            "Die Ablehnung der Gendersprache",
        ),
        # the page's own headline, when the title is it with parts around it
        (
            "How to Save Money on Groceries - Your Money Today - Your Life - MSN Lifestyle",
            {"url": "http://lifestyle.msn.com/x", "headings": ["How to Save Money on Groceries"]},
            "How to Save Money on Groceries",
        ),
        # the same with the separator written without spaces (Xinhua: "headline-新华网"), and
        # a two-word Chinese headline is a headline
        (
            "短缺药品保供稳价 全力保障临床用药需求-新华网",
            {
                "url": "http://www.news.cn/x.htm",
                "headings": ["短缺药品保供稳价 全力保障临床用药需求"],
            },
            "短缺药品保供稳价 全力保障临床用药需求",
        ),
        (
            "外国专家\uff1a中美合作共赢符合国际社会利益 - 中国日报网",
            {"headings": ["外国专家\uff1a中美合作共赢符合国际社会利益"]},
            "外国专家\uff1a中美合作共赢符合国际社会利益",
        ),
        (
            "Studio_Cameras Weekly|Tuner prices fall in the fourth quarter",
            {"headings": ["Tuner prices fall in the fourth quarter"]},
            "Tuner prices fall in the fourth quarter",
        ),
        # a single guillemet (meedia.de)
        (
            "Einstieg ins TV-Geschäft: Wie Freenet Antennen-TV in HD gewinnen will \u203a Meedia",
            {"url": "https://meedia.de/2019/01/10/x/"},
            "Einstieg ins TV-Geschäft: Wie Freenet Antennen-TV in HD gewinnen will",
        ),
        # the lead picture's credit Nikkei writes into its titles, before the paper's name
        (
            "米朝首脳直通電話 習氏に挑むトランプ戦術の成否 \uff08写真\uff1dロイター\uff09 "
            "\uff1a日本経済新聞",
            {"site_name": "日本経済新聞 電子版"},
            "米朝首脳直通電話 習氏に挑むトランプ戦術の成否",
        ),
        ("Tuner prices fall in the fourth quarter (Photo: AP)", {}, "Tuner prices fall in the "
         "fourth quarter"),
    ],
)  # fmt: skip
def test_site_parts_are_dropped(title: str, kw: dict[str, object], expected: str) -> None:
    assert clean_title(title, **kw) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("title", "kw"),
    [
        # parts that name nothing known: a separator alone says nothing
        ("Apple - the company that changed phones", {"url": "https://www.theverge.com/x"}),
        # a headline that starts with the site's name is a headline
        ("Sony announces the new Alpha camera line | Product news", {"url": "https://sony.com/x"}),
        ("Here's The Thing - Stacy Keach", {"url": "https://www.wnyc.org/story/x"}),
        ("“Only One” Lyrics : PJ Morton (Ft. Stevie Wonder)", {"url": "http://allnewlyrics.com/x"}),
        # no separator between spaces: a colon in a headline, a hyphenated word
        ("Review: Sony A1 II", {"site_name": "Review"}),
        ("ATSC 3.0 set-top boxes arrive", {"url": "https://www.set-top.example/x"}),
        # a full-width colon before a headline that names nothing known ("Video: ...")
        ("動画\uff1aナイジェリアで自爆攻撃", {"url": "https://www.afpbb.com/articles/-/3179152"}),
        # the site's name in the middle, then more than a motto: the headline's own part
        (
            "Tuner prices fall - Sony - what the maker's cheaper boxes mean for broadcasters",
            {"url": "https://www.sony.com/x"},
        ),
        # what would be left is no headline
        ("News - Example", {"url": "https://example.com/x"}),
        # a logo in an <h1> is no headline, nor a short one
        (
            "Tuner makers meet in Las Vegas - CBS New York",
            {"headings": ["CBS New York"], "site_name": "CBS"},
        ),
        # a hyphen inside the title: the <h1> before it is no headline (too short, or shorter
        # than what would be dropped, or the title's end is more than a separator away)
        ("Spider-Man: No Way Home is back in cinemas", {"headings": ["Spider-Man"]}),
        ("Set-top box makers rally-ahead of NAB show", {"headings": ["Set-top box makers rally"]}),
        ("Tuner prices fall in Q4 across Europe", {"headings": ["Tuner prices fall in Q4"]}),
        # a picture in the headline's words, not its credit
        ("The broadcaster's photo archive (photos from 1950 to 1990)", {}),
    ],
)
def test_titles_that_stay_whole(title: str, kw: dict[str, object]) -> None:
    assert clean_title(title, **kw) == title  # type: ignore[arg-type]


def test_a_title_that_is_the_sites_name() -> None:
    """Some sites give every page's og:title their own name: the page's headline instead, or
    none, so the feed's title is the article's."""
    kw = {"site_name": "Example News", "url": "https://examplenews.com/2026/x"}
    assert clean_title("Example News", headings=["Example News", "Tuner prices fall"], **kw) == (
        "Tuner prices fall"
    )
    assert clean_title("Example News", **kw) is None
    assert clean_title("examplenews.com", url="https://examplenews.com/x") is None
    assert clean_title("Tuner prices", **kw) == "Tuner prices"


def test_site_keys() -> None:
    keys = site_keys("POLITICO", "https://www.politico.com/news/x")
    assert {"politico", "politicocom", "wwwpoliticocom"} <= keys
    assert "www" not in keys and "com" not in keys
    assert site_keys(None, None) == set()


@pytest.mark.parametrize(
    ("authors", "url", "expected"),
    [
        (["By  Ed Hornick, CNN"], "http://www.cnn.com/x", ("Ed Hornick",)),
        (["Par LILIAN ALEMAGNA"], None, ("LILIAN ALEMAGNA",)),
        (["Von Anna Schmidt"], None, ("Anna Schmidt",)),
        (["Maggie Haberman and Shira Toeplitz"], None, ("Maggie Haberman", "Shira Toeplitz")),
        (
            ["By Giulia Conti and Liv Andersen · 2 March 2026"],
            None,
            ("Giulia Conti", "Liv Andersen"),
        ),
        (["David Gura", "Apr"], None, ("David Gura",)),  # a month is no author
        (["elmundo.es"], "http://www.elmundo.es/x", ()),  # nor the site's address
        (["jane@example.com (Jane Doe)"], None, ("Jane Doe",)),
        (["Peter W. Resnick <presnick@qti.qualcomm.com>"], None, ("Peter W. Resnick",)),
        (["Smith, John"], None, ("Smith, John",)),  # a comma alone splits nothing
        (["John Smith | Reuters"], None, ("John Smith | Reuters",)),
        (["AP", "AP"], None, ("AP",)),  # an agency is an author; duplicates go
        (["2026"], None, ()),
        # a job title after the name goes; a byline that is only a job title stays
        (["Andrea Stone Senior Washington Correspondent"], None, ("Andrea Stone",)),
        (["Jane Doe, Staff Writer"], None, ("Jane Doe",)),
        (["Staff Writer"], None, ("Staff Writer",)),
        # in other languages the noun comes first; where they write from goes with it
        (
            ["LILIAN ALEMAGNA", "LAURE BRETTON Envoyés spéciaux à Toulouse"],
            None,
            ("LILIAN ALEMAGNA", "LAURE BRETTON"),
        ),
        (["Anna Schmidt Korrespondentin in Paris"], None, ("Anna Schmidt",)),
        (["Juan Pérez Enviado especial a Kiev"], None, ("Juan Pérez",)),
        (["Jane Doe Chief Correspondent in Brussels"], None, ("Jane Doe",)),
        # names that commas separate are people of their own (CNN's bylines, newspaper4k's
        # fixture); a single word after a comma is no name of its own
        (
            ["Dana A. Ford, James S.A. Corey, Chien-Ming Wang", "Tom Watkins"],
            None,
            ("Dana A. Ford", "James S.A. Corey", "Chien-Ming Wang", "Tom Watkins"),
        ),
        (["By Jane Doe, John Roe and Ann Poe"], None, ("Jane Doe", "John Roe", "Ann Poe")),
        (["John Smith, Jr."], None, ("John Smith, Jr.",)),
        # what a CMS writes where it has no name (Drupal's "Submitted on <date>", WordPress)
        (["Submitted"], None, ()),
        (["admin"], None, ()),
        (["Submitted by Jane Doe"], None, ("Jane Doe",)),
        # forms trafilatura's own tests hold (metadata_tests.py), from real pages
        (
            [
                'By <a href="/profiles/amir-vera">Amir Vera</a>, '
                "Se\u00e1n Federico O'Murch\u00fa, "
                '<a href="/profiles/tara-subramaniam">Tara Subramaniam</a> and Adam Renton, CNN'
            ],
            "https://edition.cnn.com/2024/x",
            ("Amir Vera", "Se\u00e1n Federico O'Murch\u00fa", "Tara Subramaniam", "Adam Renton"),
        ),
        (["Jenny Smith For Daily Mail Australia"], None, ("Jenny Smith",)),
        (["Jenny Smith from Trafilatura"], None, ("Jenny Smith",)),
        (["Jenny Smith \u2764\ufe0f"], None, ("Jenny Smith",)),
        (["Jenny_Smith"], None, ("Jenny Smith",)),
        (["Hank O'Hop"], None, ("Hank O'Hop",)),
        # a vowel sign ends a Burmese word: it is no symbol to trim (BBC News Burmese)
        (
            ["BBC News \u1019\u103c\u1014\u103a\u1019\u102c"],
            None,
            ("BBC News \u1019\u103c\u1014\u103a\u1019\u102c",),
        ),
        (
            ["Shannon Deery, Mitch Clarke, Susie O\u2019Brien, Laura Placella"],
            None,
            ("Shannon Deery", "Mitch Clarke", "Susie O\u2019Brien", "Laura Placella"),
        ),
        # a date line after the name with no separator (TIME, Vancouver Sun, Polygon)
        (["By Bryan Walsh Tuesday, Aug. 17, 2010"], None, ("Bryan Walsh",)),
        (["Reuters Updated: January 16, 2020"], None, ("Reuters",)),
        (
            ["By Griffin McElroy @griffinmcelroy on June 26, 2014 at 9:00a"],
            None,
            ("Griffin McElroy",),
        ),
        (["9:39AM BST 05 Oct 2011"], None, ()),
        # the site's address in brackets (DW), a follow button (Infobae), a label alone
        (["Deutsche Welle (www.dw.com)"], None, ("Deutsche Welle",)),
        (["Por Juan Gaona Seguir"], None, ("Juan Gaona",)),
        # a share bar's label in the byline's box (Sonntag Sachsen: the author's initials)
        (
            ["So Artikel Empfehlen:", "Jo Roe Share", "Ann Poe Partager"],
            None,
            ("So", "Jo Roe", "Ann Poe"),
        ),
        (["Share this article", "Teilen"], None, ()),
        (["Ann Sharer", "Jo Sharon"], None, ("Ann Sharer", "Jo Sharon")),
        (["Published by"], None, ()),
        (["Geschrieben von Meike Neitz"], None, ("Meike Neitz",)),
        (["Autor/in: Korinna Hennig"], None, ("Korinna Hennig",)),
        (["Authority Figure"], None, ("Authority Figure",)),
        # a link's text for a byline (lemire.me), an address trafilatura title-cased
        (["View all posts by Daniel Lemire"], None, ("Daniel Lemire",)),
        (["Www Medianotions De"], None, ()),
        # the company that runs or built the site, by its legal form or its agency's address
        # (real author tags: Süddeutsche Zeitung's, ldt.de's), Joomla's first account, a
        # date's lead-in word left where the date went (trafilatura's "Jovelstefan On")
        (["S\u00fcddeutsche.de GmbH, Munich, Germany"], "https://www.sueddeutsche.de/a", ()),
        (["Arentik d.o.o. - www.arentik.com", "Arentik - www.arentik.com"], "https://ldt.de/a", ()),
        (["Jane Doe, Example Media GmbH", "Example GmbH & Co. KG"], None, ("Jane Doe",)),
        (["Jane Doe - www.janedoe.com"], "https://janedoe.com/post", ("Jane Doe",)),
        (["Super User"], None, ()),
        (["Jovelstefan On"], None, ("Jovelstefan",)),
        (["Thanh Le", "Ann AG Smith"], None, ("Thanh Le", "Ann AG Smith")),
        # where they write from after the name (Süddeutsche Zeitung's byline)
        (["Von Markus Balser, Berlin"], None, ("Markus Balser",)),
        (["Ann Poe, Jo Roe, Berlin"], None, ("Ann Poe", "Jo Roe")),
        (["Smith, John", "John Smith, III"], None, ("Smith, John", "John Smith, III")),
        # the site or its newsroom beside a writer (heise.de), the site's mark after a name
        # (ebrosia.de); a person a personal site's address spells stays beside a co-author
        (["Denis Dilba", "heise online"], "https://www.heise.de/a", ("Denis Dilba",)),
        (["heise online"], "https://www.heise.de/a", ("heise online",)),
        (["Jo Roe", "Heise"], "https://www.heise.de/a", ("Jo Roe",)),
        (["Daniel Hentschel ebrosia"], "https://www.ebrosia.de/a", ("Daniel Hentschel",)),
        (["John Smith", "Jane Doe"], "https://john-smith.net/a", ("John Smith", "Jane Doe")),
    ],
)
def test_bylines(authors: list[str], url: str | None, expected: tuple[str, ...]) -> None:
    assert clean_authors(authors, url=url) == expected


def test_tags_keep_the_subjects_and_lose_the_rest() -> None:
    tags = [
        "Federal Reserve", "digital_syndication", "ISIN_US3453708600", "YOUR KEYWORDS HERE",
        "keyword1", "Gizmodo", "Linette Lopez", "Maggie Haberman and Shira Toeplitz",
        "Tuner prices fall in the fourth quarter", "ATSC 3.0", "Indonesia", "info",
    ]  # fmt: skip
    kept = clean_tags(
        tags,
        title="Tuner prices fall in the fourth quarter",
        authors=["Linette Lopez", "Maggie Haberman", "Shira Toeplitz"],
        url="https://gizmodo.info/x",
    )
    # a subject that is a headline of one word, and the top-level domain's word, stay
    assert kept == ("Federal Reserve", "ATSC 3.0", "Indonesia", "info")
    assert clean_tags(["Indonesia"], title="Indonesia") == ("Indonesia",)
    # Reuters' markers for its clients and its classification's levels
    reuters = ["Film", "Video Available", "Picture Available", "Software (TRBC level 4)",
               "Online Services (NEC) (TRBC level 5)", "Software"]  # fmt: skip
    assert clean_tags(reuters) == ("Film", "Software", "Online Services")
    # a site's SEO keywords that only say the page is news (real pages: USA Today, Dong-a Ilbo)
    seo = ["news", "latest news articles", "Breaking News", "update", "elections",
           "weird news", "\ub274\uc2a4", "\uc18d\ubcf4", "\uc815\uce58", "fake news"]  # fmt: skip
    assert clean_tags(seo) == ("elections", "weird news", "\uc815\uce58", "fake news")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        # a real page's <meta name="copyright">, which trafilatura reads as the site's name
        (
            "Copyright 2003 - 2019 by speicherguide.de GbR Karl Fr\u00f6hlich, Ulrike Haak",
            "speicherguide.de",
        ),
        ("\u00a9 2024 Example Media GmbH. All rights reserved.", "Example Media"),
        ("Copyright \u00a9 2020 The Verge", "The Verge"),
        ("(c) Heise Medien", "Heise Medien"),
        ("Copyright", None),  # names no one
        ("The Verge", "The Verge"),  # no copyright line: as it was
        ("Copyright Clearance Center", "Copyright Clearance Center"),
    ],
)
def test_the_site_named_by_a_copyright_line(name: str, expected: str | None) -> None:
    assert site_from_copyright(name) == expected
