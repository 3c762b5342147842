# ruff: noqa: RUF001  (texts in Turkish, Russian, Greek and Chinese, as pages write them)
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mimir.parse import decode_html, parse_date, sane
from mimir.parse.dates import date_in_text, has_time, is_dateline, labelled_date
from tests.parse.conftest import NOW, sample

SJIS_PAGE = '<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS"><p>放送</p>'
EBCDIC_FEED = '<?xml version="1.0" encoding="cp500"?><rss><title>Øre [1] | ¬!</title></rss>'
CAFE = "Caf\u00e9 cr\u00e8me \u2013 \u00e7a co\u00fbte 3\u20ac"


@pytest.mark.parametrize(
    ("body", "content_type", "text", "encoding"),
    [
        (b"\xef\xbb\xbfhello", None, "hello", "utf-8"),
        ("hé".encode("utf-16-le").join([b"\xff\xfe", b""]), None, "hé", "utf-16-le"),
        (
            "<p>Привет</p>".encode("cp1251"),
            "text/html; charset=windows-1251",
            "<p>Привет</p>",
            "cp1251",
        ),
        # a declared Latin-1 page is read as windows-1252, which has the euro sign and dashes
        (
            f"<p>{CAFE}</p>".encode("cp1252"),
            "text/html; charset=iso-8859-1",
            f"<p>{CAFE}</p>",
            "cp1252",
        ),
        # gb2312 names a subset: read as gb18030, which also has the emoji
        (
            '<meta charset="gb2312"><p>广播\U0001f600</p>'.encode("gb18030"),
            None,
            '<meta charset="gb2312"><p>广播\U0001f600</p>',
            "gb18030",
        ),
        (
            "<?xml version='1.0' encoding='koi8-r'?><a>Тест</a>".encode("koi8-r"),
            None,
            "<?xml version='1.0' encoding='koi8-r'?><a>Тест</a>",
            "koi8-r",
        ),
        (
            SJIS_PAGE.encode("cp932"),
            None,
            SJIS_PAGE,
            "cp932",
        ),
        (b"plain ascii", "text/html; charset=nonsense-charset", "plain ascii", "utf-8"),
        # no byte-order mark, an encoding that is no ASCII superset (XML 1.0, appendix F): the
        # NULs between ASCII characters name UTF-16 or UTF-32, a header saying UTF-8 or not
        (
            '<?xml version="1.0"?><a>hé</a>'.encode("utf-16-le"),
            None,
            '<?xml version="1.0"?><a>hé</a>',
            "utf-16-le",
        ),
        (
            "\n<rss>Ünï</rss>".encode("utf-16-be"),
            "text/xml; charset=utf-8",
            "\n<rss>Ünï</rss>",
            "utf-16-be",
        ),
        (
            "<!DOCTYPE html><p>ü</p>".encode("utf-32-le"),
            None,
            "<!DOCTYPE html><p>ü</p>",
            "utf-32-le",
        ),
        ("<rss>ü</rss>".encode("utf-32-be"), None, "<rss>ü</rss>", "utf-32-be"),
        # EBCDIC: "<?xm" in code page 037 at the start, then the code page the prolog names
        (EBCDIC_FEED.encode("cp500"), None, EBCDIC_FEED, "cp500"),
        (
            EBCDIC_FEED.replace("cp500", "ibm037").encode("cp037"),
            None,
            EBCDIC_FEED.replace("cp500", "ibm037"),
            "cp037",
        ),
    ],
)
def test_decode_html(body: bytes, content_type: str | None, text: str, encoding: str) -> None:
    assert decode_html(body, content_type) == (text, encoding)


def test_wrong_declared_charset_is_detected() -> None:
    text, encoding = decode_html(
        sample("rss20_latin1_declared_utf8.xml"), "application/rss+xml; charset=utf-8"
    )
    assert "Télé Câble Actualités" in text
    assert encoding != "utf-8"


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        # Apache's AddDefaultCharset ISO-8859-1 over a UTF-8 page
        (f"<html><body><p>{CAFE}</p></body></html>".encode(), "text/html; charset=ISO-8859-1"),
        # a template's old <meta> (a real page of El Mundo said iso-8859-15 over UTF-8 bytes)
        (
            f'<html><head><meta charset="iso-8859-15"></head><p>{CAFE}</p>'.encode(),
            "text/html",
        ),
        # an RSS prolog that says Latin-1 over UTF-8
        (
            f'<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>{CAFE}</title></rss>'.encode(),
            None,
        ),
    ],
)
def test_utf8_under_a_single_byte_label_is_utf8(body: bytes, content_type: str | None) -> None:
    text, encoding = decode_html(body, content_type)
    assert CAFE in text and encoding == "utf-8"


@pytest.mark.parametrize(
    ("text", "label", "encoding"),
    [
        (CAFE + " “quoted”", "windows-1252", "cp1252"),
        ("Café crème", "iso-8859-1", "cp1252"),
        ("Цифровое эфирное телевидение", "windows-1251", "cp1251"),
        ("Újabb robbanások történtek", "iso-8859-2", "iso8859-2"),
    ],
)
def test_a_true_single_byte_charset_stays(text: str, label: str, encoding: str) -> None:
    body = f"<p>{text}</p>".encode(encoding)
    assert decode_html(body, f"text/html; charset={label}") == (f"<p>{text}</p>", encoding)


def test_undeclared_cyrillic_is_detected() -> None:
    text, _ = decode_html(sample("rss20_windows1251_no_prolog.xml"), None)
    assert "Телерадиовещание сегодня" in text


def _legacy_page(text: str, encoding: str, lang: str = "") -> bytes:
    """A page with no charset declared, as old press rooms serve them: a big head of ASCII
    markup and a script whose strings hold stray high bytes, the article's text in one place,
    a footer."""
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(400))
    script = b'<script>var k = "\x83\x8c\xba/";' + b"var x = 1;" * 2000 + b"</script>"
    return (
        f"<html{lang}><head><title>News</title>".encode()
        + script
        + f"<style>p{{margin:0}}</style></head><body><ul>{nav}</ul><article><h1>{text[:40]}"
        f"</h1><p>{text}</p></article><footer>{nav}</footer></body></html>".encode(encoding)
    )


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (  # read as windows-1252 it was "yayýncýlýk"
            "İstanbul'da düzenlenen yayıncılık fuarında konuşan şirket yöneticileri, dijital "
            "dönüşümün hızlandığını ve yeni yayın teknolojilerine yapılan yatırımların arttığını "
            "söyledi. Sektördeki büyüme özellikle ağ tabanlı yayın çözümlerinde görülüyor.",
            "cp1254",
        ),
        (  # read as windows-1250 it was "Espańa"
            "Las cadenas de España anunciaron la transición a un nuevo estándar de televisión "
            "digital. Según los representantes del sector, la sustitución de los equipos se "
            "completará el próximo año y los costes los asumirán los operadores.",
            "cp1252",
        ),
        (  # an en dash (0x96) is a control character in ISO-8859: windows-1252
            "Die Strohtasche \u2013 das Must-have für den Sommer. Die deutschen Sender kündigten "
            "den Übergang zu einem neuen Standard für digitales Fernsehen an; die Kosten tragen "
            "die Betreiber, heißt es.",
            "cp1252",
        ),
        (
            "Polscy nadawcy telewizyjni ogłosili przejście na nowy standard nadawania "
            "cyfrowego. Według przedstawicieli branży wymiana sprzętu zakończy się w przyszłym "
            "roku, a koszty poniosą operatorzy.",
            "cp1250",
        ),
        (  # with 100 KB of ASCII markup around it, it was read as windows-1250
            "Российские телевещатели объявили о переходе на новый стандарт цифрового вещания. "
            "По словам представителей отрасли, обновление оборудования завершится в "
            "следующем году.",
            "cp1251",
        ),
        (  # charset-normalizer knows no Latvian: read as windows-1252, "Vakcinâcija"
            "Latvijas raidorganizācijas paziņoja par pāreju uz jaunu digitālās apraides "
            "standartu. Nozares pārstāvji saka, ka iekārtu nomaiņa tiks pabeigta nākamgad, "
            "un izmaksas segs operatori; vakcinācija un koronavīruss vairs nav ziņu galvenā tēma.",
            "cp1257",
        ),
        (
            "Οι έλληνες ραδιοτηλεοπτικοί φορείς ανακοίνωσαν τη μετάβαση σε νέο πρότυπο "
            "ψηφιακής μετάδοσης.",
            "cp1253",
        ),
        (
            "日本の放送事業者は、新しいデジタル放送規格への移行を発表した。費用は事業者が負担する。",
            "cp932",
        ),
        (
            "中国广播电视机构宣布将过渡到新的数字广播标准。据业内人士介绍，设备更换将于明年完成。",
            "gb18030",
        ),
        ("It\u2019s the broadcasters\u2019 call, the regulator said.", "cp1252"),
    ],
)
def test_undeclared_legacy_pages_are_read(text: str, encoding: str) -> None:
    """Pages in a legacy encoding that declare none, amid much ASCII markup: charset-normalizer's
    own first choice read real German and French pages re-encoded this way as DOS code pages,
    and these as the wrong windows-125x (docs/architecture.md)."""
    decoded, used = decode_html(_legacy_page(text, encoding), "text/html")
    assert text in decoded, used


FRENCH = (
    "<p>Les diffuseurs fran\u00e7ais ont annonc\u00e9 le passage \u00e0 une nouvelle norme de "
    "t\u00e9l\u00e9vision num\u00e9rique. D\u00e9j\u00e0 pr\u00e9vu.</p>"
) * 20
UTF8_PAGE = f"<html><head><meta charset='utf-8'><title>x</title></head><body>{FRENCH}</body></html>"


@pytest.mark.parametrize(
    "body",
    [
        # a windows-1252 snippet pasted into a UTF-8 page
        UTF8_PAGE.encode().replace("D\u00e9j\u00e0".encode(), b"D\xe9j\xe0", 1),
        # a character cut in two
        UTF8_PAGE.encode()[:500] + b"\xc3" + UTF8_PAGE.encode()[500:],
    ],
)
@pytest.mark.parametrize(
    "content_type", ["text/html; charset=utf-8", None, "text/html; charset=iso-8859-1"]
)
def test_utf8_with_a_few_stray_bytes_is_utf8(body: bytes, content_type: str | None) -> None:
    """A UTF-8 page with a few bytes that are no UTF-8 went to detection whole and came out
    as Mac Roman or ISO-8859-10 from the first word to the last: it is UTF-8, and a pasted
    windows-1252 snippet reads right."""
    text, encoding = decode_html(body, content_type)
    assert encoding == "utf-8"
    assert text.count("annonc\u00e9 le passage") == 20
    assert text.count("D\u00e9j\u00e0 pr\u00e9vu.") >= 19


def test_a_latin1_page_is_no_utf8_with_strays() -> None:
    text, encoding = decode_html(UTF8_PAGE.encode("latin-1"), None)
    assert encoding == "cp1252" and text.count("D\u00e9j\u00e0 pr\u00e9vu.") == 20


def test_the_pages_language_names_its_legacy_encoding() -> None:
    """``<html lang="tr">`` settles a Turkish text that reads about as well in windows-1252."""
    text = "Yayıncılar şubatta yeni standarda geçiyor; ağ çözümleri büyüyor."
    decoded, used = decode_html(_legacy_page(text, "cp1254", ' lang="tr"'), None)
    assert text in decoded and used == "cp1254"


@pytest.mark.parametrize("body", [b"\xff\xfe\xfd" * 100, bytes(range(256)) * 10, b"\x00" * 50, b""])
def test_decode_never_raises(body: bytes) -> None:
    text, encoding = decode_html(body, "text/html; charset=utf-8")
    assert isinstance(text, str) and encoding


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        ("Tue, 03 Mar 2026 14:05:00 +0100", None, utc(2026, 3, 3, 13, 5)),
        ("Tue, 03 Mar 2026 14:05:00 GMT", None, utc(2026, 3, 3, 14, 5)),
        ("Tue, 03 Mar 2026 09:00:00 EST", None, utc(2026, 3, 3, 14, 0)),
        ("Tue, 3 Mar 26 14:05 PDT", None, utc(2026, 3, 3, 21, 5)),
        ("2026-03-03T14:05:00Z", None, utc(2026, 3, 3, 14, 5)),
        ("2026-03-03T14:05:00.123+02:00", None, utc(2026, 3, 3, 12, 5, 0, 123000)),
        ("2026-03-03", None, utc(2026, 3, 3)),
        ("2026-03-03 14:05", None, utc(2026, 3, 3, 14, 5)),
        ("March 3, 2026 4:05 pm", None, utc(2026, 3, 3, 16, 5)),
        ("3 March 2026", None, utc(2026, 3, 3)),
        ("03.03.2026", "%d.%m.%Y", utc(2026, 3, 3)),
        ("25/02/2026", "%d/%m/%Y", utc(2026, 2, 25)),
        ("  Tue,\n 03 Mar 2026 14:05:00 +0000 ", None, utc(2026, 3, 3, 14, 5)),
        # named European and Asian zones are offsets, not UTC
        ("Tue, 03 Mar 2026 14:05:00 CET", None, utc(2026, 3, 3, 13, 5)),
        ("Tue, 03 Jun 2026 14:05:00 CEST", None, utc(2026, 6, 3, 12, 5)),
        ("Tue, 03 Mar 2026 14:05:00 JST", None, utc(2026, 3, 3, 5, 5)),
        ("Tue, 03 Mar 2026 14:05:00 +01:00", None, utc(2026, 3, 3, 13, 5)),  # a colon
        # month and weekday names of European sites' own languages, as some CMSs write them
        ("Mo, 02 Mär 2026 12:00:00 +0100", None, utc(2026, 3, 2, 11, 0)),
        ("Di, 03 Mrz 2026 12:00:00 +0100", None, utc(2026, 3, 3, 11, 0)),
        ("mar., 03 mars 2026 12:00:00 +0100", None, utc(2026, 3, 3, 11, 0)),
        ("Donnerstag, 5. November 2026 um 14:30 Uhr", None, utc(2026, 11, 5, 14, 30)),
        ("le 1er mars 2026 à 14h30", None, utc(2026, 3, 1, 14, 30)),
        ("martes, 3 de marzo de 2026 12:00", None, utc(2026, 3, 3, 12, 0)),
        ("12 dicembre 2025, 09:15", None, utc(2025, 12, 12, 9, 15)),
        ("5 maart 2026 om 14:30", None, utc(2026, 3, 5, 14, 30)),
        ("3 de março de 2026", None, utc(2026, 3, 3)),
        ("30 października 2026", None, utc(2026, 10, 30)),
        # further east and south: Russian, Ukrainian, Czech, Greek and Turkish month names,
        # Arabic's (Egyptian, Levantine, both at once as CNN Arabic writes them, Arabic-Indic
        # digits), and the dates of Chinese, Japanese (full-width digits too) and Korean pages
        ("5 марта 2026 г. в 14:30", None, utc(2026, 3, 5, 14, 30)),
        ("Пн, 02 мар 2026 12:00:00 +0300", None, utc(2026, 3, 2, 9, 0)),  # a Russian RSS date
        ("5 травня 2026", None, utc(2026, 5, 5)),
        ("5. března 2026", None, utc(2026, 3, 5)),
        ("5 \u039c\u03b1\u0390\u03bf\u03c5 2026", None, utc(2026, 5, 5)),
        ("5 Ağustos 2026 saat 14:30", None, utc(2026, 8, 5, 14, 30)),
        ("28 آب/اغسطس 2013", None, utc(2013, 8, 28)),
        ("3 كانون الثاني 2026", None, utc(2026, 1, 3)),
        ("٢٨ أغسطس ٢٠١٣", None, utc(2013, 8, 28)),
        ("2026年3月5日 14:30", None, utc(2026, 3, 5, 14, 30)),
        ("\uff12\uff10\uff12\uff16年\uff13月\uff15日", None, utc(2026, 3, 5)),
        ("2026년 3월 5일", None, utc(2026, 3, 5)),
        ("2026年13月5日", None, None),  # no such month
        ("outubro", None, None),  # a month alone is no date
        ("March", None, None),
        ("yesterday-ish", None, None),
        ("", None, None),
        (None, None, None),
        ("9" * 500, None, None),
    ],
)
def test_parse_date(value: str | None, fmt: str | None, expected: datetime | None) -> None:
    assert parse_date(value, fmt) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pressemitteilung vom 5. März 2026 \u2013 Neue Sender", utc(2026, 3, 5)),
        ("Publié le 1er mars 2026 à 14h30", utc(2026, 3, 1)),
        ("Madrid, 3 de marzo de 2026.", utc(2026, 3, 3)),
        ("Persbericht 5 maart 2026", utc(2026, 3, 5)),
        ("5 March 2026", utc(2026, 3, 5)),
        ("March 5, 2026", utc(2026, 3, 5)),
        ("05.03.2026", utc(2026, 3, 5)),
        ("03/05/2026", None),  # slashed: March or May
        ("2026/03/05", utc(2026, 3, 5)),  # year first: never ambiguous
        ("2026.03.05 보도자료", utc(2026, 3, 5)),
        ("发布时间：2026年3月5日", utc(2026, 3, 5)),
        ("Пресс-релиз от 5 марта 2026 года", utc(2026, 3, 5)),
        ("الأربعاء، 28 آب/اغسطس 2013، آخر تحديث 14:00", utc(2013, 8, 28)),
        ("out 5 2026 was set", None),  # Portuguese and Italian abbreviations, but no date
    ],
)
def test_date_in_text(text: str, expected: datetime | None) -> None:
    assert date_in_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("VERÖFFENTLICHT AM 07.06.2019", utc(2019, 6, 7)),
        ("Veröffentlicht am Montag, 5. Mai 2025 von Anna Schmidt", utc(2025, 5, 5)),
        ("Published on March 5, 2026 | 3 min read", utc(2026, 3, 5)),
        ("Publié le 1er mars 2026", utc(2026, 3, 1)),
        ("Publicado el 3 de marzo de 2026", utc(2026, 3, 3)),
        ("Erschienen: 2026-01-19", utc(2026, 1, 19)),
        ("Montag, 09.12.2019 | Veröffentlicht am 07.06.2019", utc(2019, 6, 7)),  # the labelled
        ("Posted by: Florida CPA, 27 Sep 2011 | 15:22", None),  # a commenter's name between
        ("Montag, 09.12.2019", None),  # a date no label names
        ("Veröffentlicht in Kategorie Technik", None),
        # WordPress themes' lines under a post (pbrunst.de's German one, Kubrick's English)
        (
            "Dieser Beitrag wurde am Samstag, 3. Dezember 2011 um 10:15 Uhr veröffentlicht",
            utc(2011, 12, 3),
        ),
        ("This entry was posted on Saturday, December 3rd, 2011 at 10:15 am", utc(2011, 12, 3)),
        ("Dieser Beitrag wurde von Anna am 3. Dezember 2011 geschrieben", None),
        # the same label in further languages, with their dates
        ("发布时间：2026年3月5日 14:30 来源：新华网", utc(2026, 3, 5)),
        ("公開日：2026年3月5日", utc(2026, 3, 5)),
        ("기사입력 2026.03.05 14:30", utc(2026, 3, 5)),
        ("Опубликовано: 5 марта 2026", utc(2026, 3, 5)),
        ("نشر في 28 أغسطس 2013", utc(2013, 8, 28)),
        ("نشر في 3 كانون الثاني 2026", utc(2026, 1, 3)),  # a Levantine month of two words
        ("Yayınlanma tarihi: 5 Mart 2026", utc(2026, 3, 5)),
        ("", None),
    ],
)
def test_labelled_date(text: str, expected: datetime | None) -> None:
    assert labelled_date(text) == expected


@pytest.mark.parametrize(
    ("value", "kept"),
    [
        (utc(1970, 1, 1), False),
        (utc(1994, 12, 31), False),
        (utc(1995, 1, 2), True),
        (NOW, True),
        (NOW + timedelta(hours=23), True),
        (NOW + timedelta(days=2), False),
        (utc(2999, 1, 1), False),
        (datetime(2026, 3, 1, 12, 0), True),  # naive: taken as UTC
    ],
)
def test_sane(value: datetime, kept: bool) -> None:
    result = sane(value, NOW)
    assert (result is not None) is kept
    assert result is None or result.tzinfo is UTC


@pytest.mark.parametrize(
    ("written", "timed"),
    [
        ("2014-12-27", False),
        ("27 December 2014", False),
        ("Sat, 27 Dec 2014", False),
        (None, False),
        ("2014-12-27T12:06:00-05:00", True),
        ("2014-12-27T1206", True),
        ("December 27, 2014 at 12:06 PM", True),
        ("December 27, 2014 2 pm", True),
        ("27 décembre 2014 à 14h30", True),
        ("Sat, 27 Dec 2014 17:06:00 GMT", True),
    ],
)
def test_has_time(written: str | None, timed: bool) -> None:
    assert has_time(written) is timed


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("January 22, 2014", True),
        ("mercredi 11 septembre 2019", True),
        ("10.06.2018 22:00", True),
        ("Mai062018", True),  # a blog's date badge, its parts run together
        ("- 27 juin 2019", True),
        ("Samstag, 2016-10-08, 0:26 AM", True),
        ("Updated 5 March 2026, 14:20 Uhr", True),
        ("5 марта 2026 г. в 14:30", True),
        ("2026年3月5日 14:30", True),
        ("2026年3月5日 ニュース", False),
        ("May Day 2026 in Berlin", False),  # words no date has
        ("Posted by Jo Smith 2019", False),
        ("Nature 574, 16-17 (2019)", False),
        ("Q3 2019", False),
        ("9:41", False),  # a time alone: no year, no month
        ("iPhone 11", False),
        ("2019 " + "was a year of big transitions at the broadcaster " * 2, False),  # too long
    ],
)
def test_a_line_that_only_dates_something(text: str, dateline: bool) -> None:
    assert is_dateline(text) is dateline
