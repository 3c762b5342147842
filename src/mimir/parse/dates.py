"""Dates as sources write them -> timezone-aware UTC datetimes, with a sanity check."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
_FUTURE_SLACK = timedelta(days=1)
_MAX_LEN = 200


def _offset(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# Abbreviations seen in real feeds (RFC 822 plus common local ones); dateutil only knows UTC/GMT.
_TZINFOS: dict[str, timezone] = {
    "UT": UTC,
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "WET": UTC,
    "EST": _offset(-5),
    "EDT": _offset(-4),
    "CST": _offset(-6),
    "CDT": _offset(-5),
    "MST": _offset(-7),
    "MDT": _offset(-6),
    "PST": _offset(-8),
    "PDT": _offset(-7),
    "AKST": _offset(-9),
    "AKDT": _offset(-8),
    "HST": _offset(-10),
    "BST": _offset(1),
    "IST": _offset(5.5),
    "CET": _offset(1),
    "CEST": _offset(2),
    "MET": _offset(1),
    "MEST": _offset(2),
    "EET": _offset(2),
    "EEST": _offset(3),
    "WEST": _offset(1),
    "MSK": _offset(3),
    "JST": _offset(9),
    "KST": _offset(9),
    "HKT": _offset(8),
    "SGT": _offset(8),
    "AEST": _offset(10),
    "AEDT": _offset(11),
    "ACST": _offset(9.5),
    "AWST": _offset(8),
    "NZST": _offset(12),
    "NZDT": _offset(13),
}

#: the zone names the standard library's RFC 822 parser knows (others it reads as UTC)
_EMAIL_ZONES = frozenset({"UT", "UTC", "GMT", "Z", "EST", "EDT", "CST", "CDT", "MST", "MDT",
                          "PST", "PDT"})  # fmt: skip

#: month names and abbreviations in the languages of European news sites (German, French,
#: Spanish, Italian, Dutch, Portuguese, Scandinavian, Polish, Czech, Greek genitive, Turkish,
#: Russian and Ukrainian, nominative and genitive) and Arabic (the Egyptian and Gulf names, the
#: one-word Levantine ones; ``_ARABIC_PAIRS`` the two-word), lower case -> month
_LOCAL_MONTHS: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            "januar janvier janv enero ene gennaio gen januari janeiro stycznia sty ledna leden "
            "ιανουαρίου ιαν ocak января январь янв січня يناير",
            "februar février févr fevrier fevr febrero febbraio februari fevereiro fev lutego lut "
            "února únor φεβρουαρίου φεβ şubat subat февраля февраль фев лютого فبراير شباط",
            "märz mär mrz maerz mars marzo maart mrt março marco marts marca března březen "
            "μαρτίου μαρ mart марта март мар березня مارس آذار اذار",
            "avril avr abril aprile apr kwietnia kwi dubna duben απριλίου απρ nisan апреля "
            "апрель апр квітня أبريل ابريل إبريل نيسان",
            "mai mayo maggio mag mei maio maj maja května květen μαΐου μαΐ μαι mayıs mayis мая "
            "май травня مايو أيار ايار",
            "juni juin junio giugno giu junho czerwca cze června červen ιουνίου ιουν haziran "
            "июня июнь июн червня يونيو يونيه حزيران",
            "juli juillet juil julio luglio lug julho lipca lip července červenec ιουλίου ιουλ "
            "temmuz июля июль июл липня يوليو يوليه تموز",
            "august août aout agosto ago augustus augusti sierpnia sie srpna srpen αυγούστου αυγ "
            "ağustos agustos августа август авг серпня أغسطس اغسطس آب اب",
            "september septembre septiembre setiembre settembre set setembro września wrz září "
            "σεπτεμβρίου σεπ eylül eylul сентября сентябрь сен сент вересня سبتمبر أيلول ايلول",
            "oktober okt octobre octubre ottobre ott outubro out października paź října říjen "
            "οκτωβρίου οκτ ekim октября октябрь окт жовтня أكتوبر اكتوبر",
            "november novembre noviembre novembro listopada lis listopadu listopad "
            "νοεμβρίου νοε kasım kasim ноября ноябрь ноя листопада نوفمبر",
            "dezember dez décembre déc decembre diciembre dic dicembre december desember "
            "dezembro des grudnia gru prosince prosinec δεκεμβρίου δεκ aralık aralik декабря "
            "декабрь дек грудня ديسمبر",
        ),
        start=1,
    )
    for name in names.split()
}
#: the Levantine month names of two words, as one ("كانون الثاني": January)
_ARABIC_PAIRS = re.compile(r"(كانون|تشرين)\s+(الثاني|الأول|الاول)")
_ARABIC_PAIR_MONTH = {
    ("كانون", "الثاني"): "يناير",
    ("تشرين", "الأول"): "أكتوبر",
    ("تشرين", "الاول"): "أكتوبر",
    ("تشرين", "الثاني"): "نوفمبر",
    ("كانون", "الأول"): "ديسمبر",
    ("كانون", "الاول"): "ديسمبر",
}
#: digits of other scripts as ASCII: Arabic-Indic, Persian, full-width (Japanese pages)
_DIGITS = str.maketrans(
    "\u0660\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668\u0669"
    "\u06f0\u06f1\u06f2\u06f3\u06f4\u06f5\u06f6\u06f7\u06f8\u06f9"
    "\uff10\uff11\uff12\uff13\uff14\uff15\uff16\uff17\uff18\uff19\uff1a",
    "0123456789" "0123456789" "0123456789:",
)
#: a date as Chinese, Japanese and Korean write it: "2024年3月5日 14:30", "2024년 3월 5일"
_CJK_DATE = re.compile(
    r"(?P<y>\d{4})\s*[年년]\s*(?P<m>\d{1,2})\s*[月월]\s*(?P<d>\d{1,2})\s*[日일]?"
    r"(?:[^\d]{0,12}?(?P<H>\d{1,2})\s*[:時시]\s*(?P<M>\d{2}))?"
)


def _native(text: str) -> str:
    """``text`` with ASCII digits and the two-word Arabic month names as one."""
    text = text.translate(_DIGITS)
    if "كانون" in text or "تشرين" in text:
        text = _ARABIC_PAIRS.sub(lambda m: _ARABIC_PAIR_MONTH[(m[1], m[2])], text)
    return text


def _cjk(text: str) -> datetime | None:
    m = _CJK_DATE.search(text)
    if m is None:
        return None
    try:
        return datetime(
            int(m["y"]), int(m["m"]), int(m["d"]), int(m["H"] or 0), int(m["M"] or 0)
        )
    except ValueError:
        return None
_ENGLISH_MONTHS = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct",
                   "Nov", "Dec")  # fmt: skip
#: words between a date's parts: "le"/"den" before it, Spanish and Portuguese "de"/"del" inside,
#: "à"/"a las"/"um"/"om"/"alle ore"/"kl."/"klo" before a time and "Uhr" after one
_FILLERS = frozenset({"de", "del", "à", "às", "a", "las", "um", "om", "alle", "ore", "kl.", "kl",
                      "klo", "uhr", "le", "el", "den", "der", "г", "года", "в", "о", "saat",
                      "v", "στις", "،"})  # fmt: skip
_H_TIME = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})\b")  # French "14h30", "14 h 30"
_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|re|º|ª|°)\b")  # "1er mars", "1º de março"

_COLON_OFFSET = re.compile(r"^[+-]\d{2}:\d{2}$")
_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_RFC822_LIKE = re.compile(r"^([A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d")


def to_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _rfc822(text: str) -> datetime | None:
    if not _RFC822_LIKE.match(text):
        return None
    head, _, zone = text.rpartition(" ")
    if _COLON_OFFSET.match(zone):  # "+01:00", as PHP's "P" writes it: read as UTC before
        text = f"{head} {zone[:3]}{zone[4:]}"
    elif zone.isalpha() and zone.upper() not in _EMAIL_ZONES:
        known = _TZINFOS.get(zone.upper())  # "CET", "CEST", "JST": as an offset, not as UTC
        if known is not None:
            minutes = int(known.utcoffset(None).total_seconds()) // 60
            sign = "-" if minutes < 0 else "+"
            text = f"{head} {sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}"
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _iso(text: str) -> datetime | None:
    if not _ISO_LIKE.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _human(text: str) -> datetime | None:
    with warnings.catch_warnings():
        # an unknown zone name makes dateutil warn and return a naive value: we take it as UTC
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        try:
            return dateutil_parser.parse(text, tzinfos=_TZINFOS)
        except (ValueError, OverflowError, TypeError, LookupError):
            return None


def _in_english(text: str) -> str | None:
    """A date written with another language's month (and weekday) names, rewritten with
    English month abbreviations ("Mo, 02 Mär 2026 ..." -> "02 Mar 2026 ...", "3 de marzo de
    2026" -> "3 Mar 2026", "5 mars 2026 à 14h30" -> "5 Mar 2026 14:30"); None when it names
    no such month."""
    text = _ORDINAL.sub(r"\1", _H_TIME.sub(r"\1:\2", text))
    found = False
    words: list[str] = []
    for token in text.split():
        word = token.lower().rstrip(",.\u060c")
        month = _LOCAL_MONTHS.get(word)
        if month is None and "/" in word:  # "آب/اغسطس": the Levantine and the Egyptian name
            month = next(filter(None, map(_LOCAL_MONTHS.get, word.split("/"))), None)
        if month is not None:
            words.append(_ENGLISH_MONTHS[month])
            found = True
        elif word not in _FILLERS and (words or not word.isalpha()):  # a leading weekday
            words.append(token)
    return " ".join(words) if found else None


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def parse_date(value: str | None, fmt: str | None = None) -> datetime | None:
    """Parse a date as feeds and pages write it; aware UTC, or None when unreadable.

    Tries ``fmt`` (a ``strptime`` format) first when given, then RFC 822 (RSS), ISO 8601
    (Atom, JSON Feed, sitemaps, ``<time datetime>``) and finally dateutil's human formats
    ("March 3, 2026 4:05 pm"). A value without a zone is taken as UTC.
    """
    if not value:
        return None
    text = _native(" ".join(value.split())[:_MAX_LEN])
    if not any(c.isdigit() for c in text):  # "March" alone is no date (dateutil adds today's)
        return None
    parsed: datetime | None = None
    if fmt:
        parsed = _strptime(text, fmt)
    if parsed is None:
        parsed = _iso(text) or _rfc822(text) or _cjk(text) or _human(text)
    if parsed is None:
        english = _in_english(text)
        parsed = (_rfc822(english) or _human(english)) if english else None
    if parsed is None:
        return None
    try:
        return to_utc(parsed)
    except (OverflowError, ValueError):
        return None


#: a time of day in a written date: "14:05", "2 pm", French "14h30", ISO's "T1405"
_TIME_OF_DAY = re.compile(r"\d:\d\d|\d\s*[ap]\.?m\b|\b\d{1,2}\s?h\s?\d\d\b|T\d{2}", re.I)


def has_time(value: str | None) -> bool:
    """Whether a written date gives a time of day ("2026-03-02" and "2 March 2026" do not:
    parsed, they are midnight UTC, which is the day before in the Americas)."""
    return bool(value) and _TIME_OF_DAY.search(value or "") is not None


def sane(value: datetime | None, now: datetime) -> datetime | None:
    """Drop absurd dates: before 1995 (including the 1970 epoch zero) or over a day ahead."""
    if value is None:
        return None
    value = to_utc(value)
    if value < _EARLIEST or value > to_utc(now) + _FUTURE_SLACK:
        return None
    return value


__all__ = [
    "date_in_text",
    "has_publication_label",
    "is_dateline",
    "is_month",
    "labelled_date",
    "parse_date",
    "sane",
    "to_utc",
]


_MONTHS = (
    "jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    "|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?"
)
_MONTH = re.compile(_MONTHS, re.I)


def is_month(word: str) -> bool:
    """Whether ``word`` is an English month name or abbreviation ("Apr", "sept", "March")."""
    return _MONTH.fullmatch(word) is not None


_ANY_MONTH = "|".join([_MONTHS, *map(re.escape, sorted(_LOCAL_MONTHS, key=len, reverse=True))])
_DATE_IN_TEXT = re.compile(
    r"(?<![\d.])(?:"
    # 2026-03-05, and year first with dots or slashes (2026.03.05, 2026/03/05): never ambiguous
    r"(?P<iso>(?P<y1>\d{4})(?P<sep>[-./])(?P<m1>\d{1,2})(?P=sep)(?P<d1>\d{1,2}))"
    r"|(?P<dot>(?P<d2>\d{1,2})\.\s?(?P<m2>\d{1,2})\.\s?(?P<y2>\d{4}))"  # 05.03.2026
    r"|(?P<cjk>\d{4}\s*[年년]\s*\d{1,2}\s*[月월]\s*\d{1,2})"  # 2026年3月5日, 2026년 3월 5일
    # 5 March 2026, 5. März 2026, 1er mars 2026, 3 de marzo de 2026, 5 марта 2026
    rf"|(?P<dmy>\d{{1,2}}(?:er|º|ª)?\.?\s+(?:de\s+)?(?:{_ANY_MONTH})(?:/(?:{_ANY_MONTH}))?"
    r"\.?[,\u060c]?\s+(?:de\s+)?\d{4})"
    rf"|(?P<mdy>(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}})"  # March 5, 2026
    r")(?![\d])",
    re.IGNORECASE,
)


#: a label that says the date after it is the publication's: "Veröffentlicht am", "Published
#: on", "Publié le", "Publicado el", "Pubblicato il", "Gepubliceerd op", "Posted", German
#: WordPress themes' "Dieser Beitrag wurde am <date> um <time> Uhr veröffentlicht", and the
#: same in Czech, Turkish, Greek, Russian, Ukrainian, Arabic, Korean, Chinese and Japanese
_PUBLISHED_LABEL = re.compile(
    r"(?:\b(?:veröffentlicht|publiziert|erschienen|erstellt|published|posted|publiée?"
    r"|publicad[oa]|pubblicat[oa]|gepubliceerd|geplaatst|opublikowano|publicerad|udgivet"
    r"|publisert|dieser\s+(?:beitrag|artikel|eintrag)\s+wurde(?:\s+vor)?"
    # Czech, Turkish, Greek, Russian, Ukrainian, Arabic
    r"|publikováno|zveřejněno|yayınlanma(?:\s+tarihi)?|yayın\s+tarihi|yayınlandı|δημοσιεύθηκε"
    r"|опубликовано|дата\s+публикации|опубліковано|نشر\s+في|تاريخ\s+النشر)"
    # Korean news's "(기사)입력 2026.03.05 14:30" (entered), "게시일", "등록일", "작성일";
    # Chinese "发布时间", "发布日期", "發佈時間", "发表于", Japanese "公開日", "掲載日", "配信日",
    # "投稿日" (no word boundary: these scripts write words together)
    r"|입력|게시일|등록일|작성일|(?:发布|發佈|發布)(?:时间|時間|日期)"
    r"|发表(?:于|时间)|(?:公開|掲載|配信|投稿)日(?:時)?)"
    r"(?:\s+(?:am|on|le|el|il|op|em|den|dnia|the))?\s*:?\s*",
    re.IGNORECASE,
)
#: how far after its label a date may start, and what may stand between: a weekday's name
#: ("am Montag, 5. Mai"), not a name ("Posted by: Jo Smith, 27 Sep 2011" dates a comment)
_LABEL_REACH = 16
_LABEL_GAP = re.compile(r"[\s,:|\u2013-]*(?:[^\W\d_]{2,12}\.?,?\s+)?$")


def has_publication_label(text: str) -> bool:
    """Whether ``text`` holds a publication label ("Veröffentlicht am", "Published on")."""
    return _PUBLISHED_LABEL.search(text) is not None


def labelled_date(text: str) -> datetime | None:
    """The first date in ``text`` that a publication label stands right before ("VERÖFFENTLICHT
    AM 07.06.2019", "Published on March 5, 2026"), as :func:`date_in_text` reads it. A page
    that states no date in its metadata often writes it so by its headline, while the dates
    around it are the day's (a header's "Montag, 09.12.2019"), events' or other posts'."""
    text = _native(text or "")  # once, as date_in_text reads it: the label's gap sees it too
    for label in _PUBLISHED_LABEL.finditer(text):
        after = text[label.end() : label.end() + _LABEL_REACH + 40]
        m = _DATE_IN_TEXT.search(after)
        if m is not None and m.start() <= _LABEL_REACH and _LABEL_GAP.match(after[: m.start()]):
            found = date_in_text(after[m.start() :])
            if found is not None:
                return found
    return None


def date_in_text(text: str) -> datetime | None:
    """The first calendar date written in ``text`` (a listing card's line, say), as UTC
    midnight: ISO (2026-03-05), European dotted, always day first (05.03.2026), English month
    names (5 March 2026, March 5, 2026) and day-first dates with the month named in German,
    French, Spanish, Italian, Dutch, Portuguese, Scandinavian or Polish (5. März 2026,
    1er mars 2026, 3 de marzo de 2026). Slashed dates are left alone: 03/05/2026 is March in
    one country and May in the next."""
    m = _DATE_IN_TEXT.search(_native(text or ""))
    if m is None:
        return None
    if m.group("cjk"):
        found = _cjk(m.group("cjk"))
        return found.replace(tzinfo=UTC) if found is not None else None
    try:
        if m.group("iso"):
            y, mo, d = int(m.group("y1")), int(m.group("m1")), int(m.group("d1"))
            return datetime(y, mo, d, tzinfo=UTC)
        if m.group("dot"):
            y, mo, d = int(m.group("y2")), int(m.group("m2")), int(m.group("d2"))
            return datetime(y, mo, d, tzinfo=UTC)
    except ValueError:
        return None
    written = m.group(0)
    found = _human((_in_english(written) or written).replace(".", " "))
    return found.replace(tzinfo=UTC) if found is not None else None


#: what a line that only dates the article is made of, besides numbers: month and weekday names
#: (English, German, French, Spanish, Italian, Dutch), the words between a date's parts, a time's
#: "Uhr"/"am"/"pm", and a label ("Updated", "Veröffentlicht am")
_WEEKDAYS = (
    "mon(?:day)?|tue(?:s(?:day)?)?|wed(?:nesday)?|thu(?:rs(?:day)?)?|fri(?:day)?"
    "|sat(?:urday)?|sun(?:day)?|montag|dienstag|mittwoch|donnerstag|freitag|samstag|sonntag"
    "|sonnabend|lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|mi\u00e9rcoles"
    "|jueves|viernes|s\u00e1bado|domingo|luned\u00ec|marted\u00ec|mercoled\u00ec|gioved\u00ec"
    "|venerd\u00ec|sabato|maandag|dinsdag|woensdag|donderdag|vrijdag|zaterdag|zondag"
)
_DATELINE_WORD = re.compile(
    rf"(?:{_ANY_MONTH}|{_WEEKDAYS}|am|pm|a\.m|p\.m|uhr|on|at|um|le|el|il|de|del|den|der|op|om"
    r"|[aà]|updated|aktualisiert|mis\s+\u00e0\s+jour|stand|datum|date|heute|today"
    r"|ver\u00f6ffentlicht|published|posted|publi\u00e9e?|publicado|pubblicato|et|cet|cest|gmt"
    r"|utc|mez|mesz|est|edt|pst|pdt|bst|г|года|в|о|saat|v|στις)\.?",
    re.I,
)
_DATELINE_TOKEN = re.compile(r"[^\W\d_]+(?:\.(?=[^\W\d_]))?[^\W\d_]*\.?|\d+|[^\w\s]", re.U)
#: the longest a line that only dates the article may be (characters)
_DATELINE_MAX = 60


def is_dateline(text: str) -> bool:
    """Whether ``text`` only dates something: "January 22, 2014", "mercredi 11 septembre 2019",
    "10.06.2018 22:00", "Mai062018", "Updated 5 March 2026, 14:20 Uhr". A line with a word that
    is none of a date's ("Posted by Jo", "May Day 2026 in Berlin") is more than that."""
    if not text or len(text) > _DATELINE_MAX or not any(c.isdigit() for c in text):
        return False
    text = _CJK_DATE.sub(lambda m: f" {m['y']} {m['H'] or ''}", _native(text))  # 2026年3月5日
    spaced = re.sub(r"(?<=\d)(?=[^\W\d_])|(?<=[^\W\d_])(?=\d)", " ", text)  # "Mai062018"
    month = False
    for token in _DATELINE_TOKEN.findall(spaced):
        if token.isdigit() or not token[0].isalpha():
            continue
        if _DATELINE_WORD.fullmatch(token) is None:
            return False
        month = (
            month
            or _LOCAL_MONTHS.get(token.lower().rstrip(".")) is not None
            or is_month(token.rstrip("."))
        )
    return month or re.search(r"\d{4}", text) is not None  # a year or a month: a date
