"""A page's title and bylines without the site's decorations.

Pages name themselves for browser tabs and social cards, not for a reader of many sources: the
OpenGraph title and the ``<title>`` often carry the site's name ("Five Social Media Lessons for
Business - BusinessWeek", "TechCrunch | 2005 Zuckerberg Didn't Want To Take Over The World"),
a section or the author; the author meta tag says "By Ed Hornick, CNN" or "Par Lilian
Alemagna". Stored as they are, a list of articles from fifty sources reads as fifty site names,
and the same headline differs from one site to the next.

``clean_title`` drops a leading or trailing part that names the site (its ``og:site_name``, its
host name) or the author, and otherwise takes the page's own headline (its ``<h1>``) when the
title is that headline plus such parts. A title whose parts name nothing it knows stays as it
is: a separator alone says nothing ("Apple - the company that...").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from mimir.parse.dates import is_month

#: a separator between a headline and the site's decorations: surrounded by spaces, so a
#: hyphenated word, "24/7" or "Review: the X" are no separators; Chinese and Japanese titles
#: write no spaces, so their full-width bar and colon separate as they stand (Nikkei's titles
#: end in a full-width colon and the paper's name)
_SEPARATOR = re.compile(
    r"\s+(?:\||--|-|\u2013|\u2014|\u00b7|\u2022|\u00ab|\u00bb|\u2039|\u203a|::|:|/|~)\s+"
    r"|\s*[\uff5c\uff1a]\s*"
)
#: a picture's credit at a title's end: Nikkei writes its lead picture's into its titles, in
#: full-width brackets ("写真" and "ロイター": photo, Reuters); "... (Photo: AP)"
_TITLE_CREDIT = re.compile(
    r"\s*[(\uff08]\s*(?:写真|画像|動画|photos?|fotos?|bild|video)\s*[=:\uff1d\uff1a]\s*"
    r"[^()\uff08\uff09]{1,30}[)\uff09]\s*$",
    re.I,
)
_SEPARATOR_AT_END = re.compile(f"(?:{_SEPARATOR.pattern})$")
#: a separator written without spaces ("短缺药品保供稳价 全力保障临床用药需求-新华网", Xinhua;
#: "Headline_Site"): a separator only where the rest of the title is the page's own headline
_TIGHT_SEPARATOR = re.compile(r"\s*[|\-_\u2013\u2014\u00b7\uff5c\uff1a:]\s*")
_TIGHT_SEPARATOR_AT_END = re.compile(f"(?:{_TIGHT_SEPARATOR.pattern})$")
#: characters of the scripts that write a word in one to three of them (Han, kana, Hangul)
DENSE_SCRIPT = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_NOT_ALNUM = re.compile(r"[\W_]+")
#: host labels that name no site
_GENERIC_LABELS = frozenset({"www", "m", "amp", "mobile", "news", "blog", "blogs", "com", "org",
                             "net", "co", "uk", "de", "fr", "edu", "gov", "int", "io"})  # fmt: skip
#: a headline shorter than this (characters) is no headline: a title is kept whole rather than
#: cut down to it
_MIN_HEADLINE = 10

#: "By", "Par", "Von"... before a byline's names, with an optional colon
_BYLINE_PREFIX = re.compile(
    r"^(?:by|from|par|von|por|di|door|av|af|przez|written\s+by|posted\s+by|reported\s+by|"
    r"submitted\s+by|published\s+by|geschrieben\s+von|ver\u00f6ffentlicht\s+von|"
    r"autor(?:/in|in)?|author|auteure?|autore|(?:view\s+)?(?:all\s+)?(?:posts|articles)\s+by|"
    r"more\s+(?:from|by))"
    r"\s*:?\s+",
    re.I,
)
#: a job title after a byline's name: "Andrea Stone Senior Washington Correspondent", "LAURE
#: BRETTON Envoyés spéciaux à Toulouse" (Libération), "Anna Schmidt Korrespondentin in Paris"
_ROLE = re.compile(
    r"(?:(?:\s+(?:senior|chief|staff|special|contributing|executive|managing|deputy|associate|"
    r"assistant|political|business|technology|tech|news|foreign|national|white\s+house))*"
    r"(?:\s+[\w.-]+)?\s+(?:correspondent|reporter|editor|writer|contributor|columnist|"
    r"producer|analyst|journalist)s?"
    # French, German, Spanish, Italian: the noun first, its adjective after
    r"|\s+(?:envoy[ée]e?s?\s+sp[ée]cia(?:le?s?|ux)|correspondante?s?|journalistes?|"
    r"r[ée]dacteur|r[ée]dactrice|chroniqueu(?:r|se)|(?:auslands)?korrespondent(?:in)?|"
    r"redakteur(?:in)?|reporter(?:in)?|corresponsal(?:es)?|enviad[oa]s?\s+especial(?:es)?|"
    r"redactor(?:a)?|periodista|inviat[oa]|giornalista)(?:\s+(?:permanente?s?|en\s+chef))?)"
    # and where they write from: "... à Toulouse", "... in Paris"
    r"(?:\s+(?:à|au|aux|en|in|a|at|aus|em|from)\s+[\w.-]+(?:[\s-][\w.-]+)?)?\s*$",
    re.I,
)
_CONNECTORS = frozenset({"and", "und", "et", "y", "e", "by", ""})
#: what a CMS puts where a byline goes when it has no name: Drupal's "Submitted (by ... on
#: date)", WordPress's "admin", Joomla's first account ("Super User")
_NO_NAMES = frozenset({"submitted", "posted", "admin", "administrator", "anonymous", "unknown",
                       "guest", "webmaster", "author", "user", "none", "null",
                       "superuser"})  # fmt: skip
#: a company's legal form, a word of its own at the end of a name: an author tag naming the
#: company that runs or built the site ("S\u00fcddeutsche.de GmbH, Munich, Germany",
#: "Arentik d.o.o."), no writer
_LEGAL_FORM = re.compile(
    r"(?:^|\s)(?:GmbH|mbH|AG|KG|GbR|d\.\s?o\.\s?o\.|Ltd\.?|Inc\.?|LLC|PLC|plc|SARL|S\.A\.R\.L\."
    r"|S\.A\.|S\.L\.|S\.p\.A\.|S\.r\.l\.|B\.V\.|N\.V\.|Pty)[\s.]*$"
)
#: what may follow a name after a comma and belongs to it
_SUFFIX = re.compile(r"(?:jr|sr|[ivx]+|phd|ph\.d|md|mba|esq|dr)\.?$", re.I)
#: words that lead into a date line, left at a name's end where the date went ("jovelstefan
#: on", trafilatura's "Jovelstefan On")
_DATE_LEAD = frozenset({"on", "am", "um", "at", "posted", "published", "updated"})
_NAME_SPLIT = re.compile(r"\s*(?:;|\s&\s|\s+and\s+|\s+und\s+|\s+et\s+)\s*", re.I)
#: markup inside a byline's value (CNN's og:author carries its profile links as HTML)
_TAG = re.compile(r"<[^>]{0,500}>")
#: the outlet after a name: "Jenny Smith For Daily Mail Australia", "Jane Doe from Reuters"
_FOR_OUTLET = re.compile(r"\s+(?:for|from|f\u00fcr|pour)\s+\S.*$", re.I)
_EMAIL = re.compile(r"<?\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+>?")  # "Ed <ed@example.com>" too
#: a site's address in brackets ("Deutsche Welle (www.dw.com)") and a social handle ("Griffin
#: McElroy @griffinmcelroy")
_ADDRESS = re.compile(r"\s*\((?:https?://)?(?:www\.)?[\w-]+(?:\.[\w-]+)+/?\)|(?:^|\s)@\w+")
#: a web address for a name, as written or as trafilatura title-cases it
_WEB_ADDRESS = re.compile(r"(?:https?://)?www[.\s][\w-]+(?:[.\s][\w-]+)+/?", re.I)
#: a follow button's word after the name ("Por Juan Gaona Seguir", Infobae)
_FOLLOW = re.compile(r"\s+(?:follow|seguir|folgen|suivre|segui|volgen)$", re.I)
#: a share bar's label read with the byline it sits beside ("so Artikel empfehlen:", a real
#: Sonntag Sachsen page, whose author's initials share one box with the share buttons)
_SHARE = re.compile(
    r"(?:^|\s+)(?:(?:(?:diesen\s+)?(?:artikel|beitrag)\s+)?(?:empfehlen|teilen)"
    r"|share(?:\s+(?:this|on))?(?:\s+(?:article|story|post|page))?|partager(?:\s+cet\s+article)?"
    r"|compartir(?:\s+(?:este\s+)?art[ií]culo)?|condividi(?:\s+(?:questo\s+)?articolo)?)"
    r"\s*:?$",
    re.I,
)
#: the words of a date line after a byline ("Bryan Walsh Tuesday, Aug. 17, 2010", "Reuters
#: Updated: January 16, 2020"), besides months and numbers
_DATE_WORDS = frozenset({
    "updated", "published", "posted", "on", "at", "am", "um", "le", "el", "il", "aktualisiert",
    "veröffentlicht", "publié", "publicado", "actualizado", "mis", "à", "jour",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    "mon", "tue", "wed", "thu", "fri", "sat", "sun", "montag", "dienstag", "mittwoch",
    "donnerstag", "freitag", "samstag", "sonntag", "lundi", "mardi", "mercredi", "jeudi",
    "vendredi", "samedi", "dimanche", "lunes", "martes", "miércoles", "jueves", "viernes",
    "sábado", "domingo",
})  # fmt: skip


def _key(text: str) -> str:
    return _NOT_ALNUM.sub("", text.casefold())


@functools.lru_cache(maxsize=64)  # asked for once per title and once per byline of a page
def site_keys(site_name: str | None, url: str | None) -> frozenset[str]:
    """What a part of a title that names the site may read, folded (``_key``): the site's
    name, its host name and the host's distinctive labels (``www.politico.com``: politico,
    politicocom, wwwpoliticocom)."""
    keys: set[str] = set()
    if site_name and len(_key(site_name)) >= 2:
        keys.add(_key(site_name))
    host = (urlsplit(url).hostname or "") if url else ""
    if host:
        labels = host.split(".")
        keys.add(_key(host))
        for i in range(len(labels) - 1):
            keys.add(_key(".".join(labels[i:])))  # politico.com, news.example.co.uk...
        # the distinctive labels, not the top-level domain ("info", "online", "media")
        keys.update(
            _key(lab) for lab in labels[:-1] if lab not in _GENERIC_LABELS and len(lab) >= 3
        )
    keys.discard("")
    return frozenset(keys)


def _names_site(part: str, sites: frozenset[str], authors: set[str]) -> bool:
    key = _key(part)
    if not key:
        return True  # a separator's leftovers
    if key in sites or key in authors:
        return True
    # "TIME" for TIME.com, "Dustin Curtis" for "Dustin Curtis on Svbtle", "Apple Newsroom" for
    # apple.com: one contains the other, at an edge; a part naming the site that way is a name
    # of a few words ("Sony announces the Alpha 1 II" on sony.com is a headline)
    short = len(part.split()) <= 3
    for site in sites:
        if len(key) >= 4 and len(site) >= 4 and (site.startswith(key) or site.endswith(key)):
            return True
        if short and len(site) >= 4 and (key.startswith(site) or key.endswith(site)):
            return True
    words = {_key(w) for w in part.split()} - _CONNECTORS
    # "MSN Lifestyle" for lifestyle.msn.com; "Maggie Haberman and Shira Toeplitz", the authors
    return len(words) > 1 and (words <= sites or words <= authors)


#: a copyright line's start: "Copyright 2003 - 2019 by", "\u00a9 2024", "(c)"
_COPYRIGHT = re.compile(
    r"^\s*(?:copyright|\(c\)|\u00a9)(?:\s*(?:copyright|\(c\)|\u00a9))?\s*"
    r"(?:\d{4}(?:\s*[-\u2013/]\s*\d{2,4})?)?\s*(?:by\s+)?",
    re.I,
)
#: a site's name is no longer than this
_SITE_NAME_CHARS = 60


def site_from_copyright(name: str | None) -> str | None:
    """The site's name where trafilatura took it from a copyright line (its publisher tags
    include ``<meta name="copyright">``): "Copyright 2003 - 2019 by speicherguide.de GbR Karl
    Fr\u00f6hlich, Ulrike Haak" is "speicherguide.de", the holder before its legal form and
    the people after it. Any other name is as it was."""
    if not name:
        return name
    found = _COPYRIGHT.match(name)
    if found is None:
        return name
    rest = name[found.end() :]
    if rest.strip() and not re.search(r"\d|\u00a9|\(c\)|\bby\s", found.group(0), re.I):
        return name  # a name that starts with the word: "Copyright Clearance Center"
    holder = rest.split(",")[0]
    holder = re.split(r"\s(?:all\s+rights\s+reserved)", holder, flags=re.I)[0]
    words = holder.split()
    legal = next((i for i, w in enumerate(words) if _LEGAL_FORM.fullmatch(" " + w)), None)
    holder = " ".join(words if legal is None else words[:legal]).strip(" .,;|-")
    return holder if holder and len(holder) <= _SITE_NAME_CHARS else None


def is_the_site(name: str, site_name: str | None, url: str | None) -> bool:
    """Whether ``name`` is the site's own name or address (NDR's author tag says "NDR")."""
    return _key(name) in site_keys(site_name, url)


def needs_cleaning(title: str | None, site_name: str | None, url: str | None) -> bool:
    """Whether ``clean_title`` may change ``title``: it has separated parts (or a separator
    written without spaces), or it is the site's name."""
    if title is None:
        return False
    return (
        _SEPARATOR.search(title) is not None
        or _TITLE_CREDIT.search(title) is not None
        or _TIGHT_SEPARATOR.search(title) is not None
        or _key(title) in site_keys(site_name, url)
    )


def clean_title(
    title: str | None,
    *,
    site_name: str | None = None,
    url: str | None = None,
    authors: Iterable[str] = (),
    headings: Sequence[str] = (),
) -> str | None:
    """``title`` without a leading or trailing part that names the site or the author; or the
    page's own headline (one of ``headings``, the ``<h1>`` texts) when the title is that
    headline with parts before or after it."""
    if not title:
        return title
    cleaned = _clean_title(" ".join(title.split()), site_name, url, authors, headings)
    if not cleaned:
        return cleaned
    return _TITLE_CREDIT.sub("", cleaned) or cleaned


def _clean_title(
    title: str,
    site_name: str | None,
    url: str | None,
    authors: Iterable[str],
    headings: Sequence[str],
) -> str | None:
    parts = _SEPARATOR.split(title)
    sites = site_keys(site_name, url)
    if _key(title) in sites:
        # the site's name for a title (some sites give it to every page's og:title): the
        # page's headline instead, else none (the feed's title is then the article's)
        return next((h for h in (" ".join(h.split()) for h in headings)
                     if is_headline(h) and _key(h) not in sites), None)  # fmt: skip
    if len(parts) == 1:
        return _tight_headline(title, headings, sites) or title
    names = {_key(a) for a in authors if a}
    names |= {_key(w) for a in authors for w in a.split()} - _CONNECTORS  # their words too
    # the page's headline, when the title is it plus parts: the longest such <h1> of at least
    # three words that does not name the site and is longer than the title's other parts (a
    # logo in an <h1> is no headline)
    longest = max(len(p) for p in parts)
    found = [
        h
        for h in (" ".join(h.split()) for h in headings)
        if len(h) >= max(_MIN_HEADLINE, longest) and is_headline(h) and h != title
        and _bounded_in(h, title) and not _names_site(h, sites, names)
    ]  # fmt: skip
    if found:
        return max(found, key=len)
    separators = _SEPARATOR.findall(title)
    start, end = 0, len(parts)
    while end - start > 1:
        if _names_site(parts[end - 1], sites, names):
            end -= 1
        elif _names_site(parts[start], sites, names):
            start += 1
        elif (named := _site_before_tagline(parts, start, end, sites, names)) is not None:
            end = named  # "Headline » SciLogs - Wissenschaftsblogs": the site, then its motto
        else:
            break
    if (start, end) == (0, len(parts)):
        return title
    kept = parts[start]
    for i in range(start + 1, end):
        kept += separators[i - 1] + parts[i]
    return kept if len(kept) >= _MIN_HEADLINE or len(kept) * 2 >= len(title) else title


#: the most words a part after the site's name may have to be its motto or a section
_TAGLINE_WORDS = 5


def _site_before_tagline(
    parts: Sequence[str], start: int, end: int, sites: frozenset[str], names: set[str]
) -> int | None:
    """The index of a part inside ``parts[start:end]`` that names the site and has only short
    parts after it (the site's motto, a section: "SciLogs - Wissenschaftsblogs"), or None."""
    for k in range(start + 1, end - 1):
        if _names_site(parts[k], sites, names):
            tail = parts[k + 1 : end]
            return k if all(len(p.split()) <= _TAGLINE_WORDS for p in tail) else None
    return None


def is_headline(text: str) -> bool:
    """Whether ``text`` reads as a headline, not a logo or a section's name: three words, or
    six characters of a script that writes no spaces between words."""
    return len(text.split()) >= 3 or len(DENSE_SCRIPT.findall(text)) >= 6


def _tight_headline(title: str, headings: Sequence[str], sites: frozenset[str]) -> str | None:
    """The page's headline when ``title`` is it and a shorter part after or before it, the
    separator written without spaces ("Headline-Site", as Chinese sites write it)."""
    for heading in (" ".join(h.split()) for h in headings):
        if len(heading) < _MIN_HEADLINE or heading == title or not is_headline(heading):
            continue
        if title.startswith(heading):
            rest, sep = title[len(heading) :], _TIGHT_SEPARATOR.match(title, len(heading))
        elif title.endswith(heading):
            rest = title[: len(title) - len(heading)]
            sep = _TIGHT_SEPARATOR_AT_END.search(rest)
        else:
            continue
        if (sep is not None and len(rest) < len(heading) and not _hyphenates(title, sep)
                and not _names_site(heading, sites, set())):  # fmt: skip
            return heading
    return None


def _hyphenates(title: str, sep: re.Match[str]) -> bool:
    """Whether the separator found is a hyphen joining two words of an alphabet
    ("rally-ahead"), not the "-" between a Chinese headline and the site's name."""
    if sep.group() != "-" or sep.start() == 0 or sep.end() == len(title):
        return False
    before, after = title[sep.start() - 1], title[sep.end()]
    return all(c.isalnum() and not DENSE_SCRIPT.match(c) for c in (before, after))


def _bounded_in(heading: str, title: str) -> bool:
    """Whether ``title`` is ``heading`` with separated parts before or after it."""
    at = title.find(heading)
    if at < 0:
        return False
    before, after = title[:at], title[at + len(heading) :]
    ok_before = not before or bool(_SEPARATOR_AT_END.search(before))
    ok_after = not after or bool(_SEPARATOR.match(after))
    return ok_before and ok_after


def _trimmed(name: str) -> str:
    """``name`` without separators, symbols or emoji at either end ("Jenny Smith ❤️"); letters,
    digits and combining marks (Burmese, Hindi and Thai vowel signs) are kept."""
    start, end = 0, len(name)
    while start < end and not (_wordlike(name[start]) or name[start] in "\"'(\u201c"):
        start += 1
    while end > start and not (_wordlike(name[end - 1]) or name[end - 1] in ".\"')\u201d"):
        end -= 1
    return name[start:end]


def _wordlike(char: str) -> bool:
    if char.isalnum():
        return True
    # a combining mark, but not an emoji's variation selector (U+FE0F after "\u2764")
    return unicodedata.category(char)[0] == "M" and not "\ufe00" <= char <= "\ufe0f"


def _is_role(text: str) -> bool:
    """Whether ``text`` is a job title alone ("Staff Writer", "Senior Washington
    Correspondent")."""
    return _ROLE.match(" " + text) is not None


def _comma_names(text: str, sites: frozenset[str]) -> list[str]:
    """The names in one byline that commas separate: "Dana A. Ford, James S.A. Corey,
    Chien-Ming Wang" is three people; "Ed Hornick, CNN" is one (the site goes), "Jane Doe,
    Staff Writer" one (the job title goes), "Smith, John" one (a single word is no name of
    its own)."""
    pieces = [p.strip() for p in text.split(",")]
    pieces = [p for p in pieces if p]
    if len(pieces) <= 1:
        return pieces
    pieces = [p for p in pieces if _key(p) not in sites] or pieces
    people = [p for p in pieces if not _is_role(p)] or pieces
    if len(people[0].split()) >= 2:
        # after a whole name, a single word that is no suffix is where they write from
        # ("Von Markus Balser, Berlin"): "Smith, John" keeps its two parts, "John Smith, Jr." too
        while len(people) > 1 and len(people[-1].split()) == 1 and not _SUFFIX.match(people[-1]):
            people.pop()
    if len(people) > 1 and all(len(p.split()) >= 2 for p in people):
        return people
    return [", ".join(people)]


def _without_company(text: str, sites: frozenset[str]) -> str:
    """``text`` without a company named by its legal form (and what follows it after a
    comma: its address), nor a web address: one of another site is the credit of an agency
    that built the site, the whole byline goes; the site's own address alone goes."""
    found = _WEB_ADDRESS.search(text)
    if found is not None:
        host = _key(re.sub(r"^(?:https?://)?www[.\s]", "", found.group(0), flags=re.I))
        if host not in sites:
            return ""
        text = (text[: found.start()] + text[found.end() :]).strip(" ,;|-\u2013\u2014")
    pieces = text.split(",")
    company = next((i for i, p in enumerate(pieces) if _LEGAL_FORM.search(p)), None)
    return text if company is None else ",".join(pieces[:company]).strip(" ,;|-")


def _without_date(text: str) -> str:
    """``text`` cut before a date line that follows the name in the same words, with no
    separator: "Bryan Walsh Tuesday, Aug. 17, 2010" is "Bryan Walsh"."""
    words = text.split()
    first = next((i for i, w in enumerate(words) if any(c.isdigit() for c in w)), None)
    if first is None:
        while len(words) > 1 and words[-1].strip(",.:").casefold() in _DATE_LEAD:
            words.pop()
        return " ".join(words)
    while first > 0 and (is_month(_key(words[first - 1])) or
                         words[first - 1].strip(",.:").casefold() in _DATE_WORDS):  # fmt: skip
        first -= 1
    return " ".join(words[:first]).strip(" ,;|-\u2013\u2014\u00b7")


def clean_authors(
    authors: Iterable[str], *, site_name: str | None = None, url: str | None = None
) -> tuple[str, ...]:
    """Bylines as names: "By", "Par", "Von"... dropped, "A and B" split, e-mail addresses, a
    date line after a separator and a trailing ", CNN" (the site) dropped, and what is no name
    at all (a month, a number, the site's address) left out. Order kept, duplicates
    removed."""
    sites = site_keys(site_name, url)
    names: dict[str, None] = {}
    for raw in authors:
        text = _EMAIL.sub(" ", " ".join(_TAG.sub("", raw).split())).strip(" ,;|-")
        if text.startswith("(") and text.endswith(")"):  # "jane@example.com (Jane Doe)"
            text = text[1:-1].strip()
        # "By A and B · 2 March 2026": a part with a number is the date line, not a name
        parts = _SEPARATOR.split(text)
        if len(parts) > 1 and any(c.isdigit() for c in text):
            text = ", ".join(p for p in parts if not any(c.isdigit() for c in p))
        # (a space after it, so that "Published by" alone, a label without its name, goes too)
        text = _BYLINE_PREFIX.sub("", _without_date(_ADDRESS.sub("", text)) + " ").strip()
        for person in _NAME_SPLIT.split(text):
            person = _without_company(person, sites)
            for name in _comma_names(person, sites):
                name = _BYLINE_PREFIX.sub("", _trimmed(_SHARE.sub("", name)))
                if " " not in name and name.count("_") == 1:
                    name = name.replace("_", " ")  # "Jenny_Smith", a user name
                cut = _ROLE.sub("", _FOR_OUTLET.sub("", _FOLLOW.sub("", name))).strip(" ,;|-")
                if len(cut.split()) >= 2:  # a name is left, not "Staff" of "Staff Writer"
                    name = cut
                key = _key(name)
                if (not key or key.isdigit() or is_month(key) or key in _NO_NAMES
                        or not any(c.isalpha() for c in name)):  # fmt: skip
                    continue
                if "." in name and key in sites:
                    continue  # "elmundo.es": the site's address is no author (an agency is)
                if _WEB_ADDRESS.fullmatch(name):
                    continue  # an address ("Www Medianotions De", trafilatura's title case)
                words = name.split()
                if len(words) >= 3 and words[-1].islower() and _key(words[-1]) in sites:
                    name = " ".join(words[:-1])  # "Daniel Hentschel ebrosia": the site's mark
                names.setdefault(name, None)
    people = [n for n in names if not _the_site_desk(n, sites)]
    # the site's own name beside a writer ("Denis Dilba", "heise online") is no second author
    return tuple(people) if people else tuple(names)


#: the words that name a newsroom rather than a writer
_NEWSROOM = frozenset({"desk", "staff", "team", "newsroom", "redaktion"})
#: the last word of a newsroom's name in a byline: "National Desk", "CNN Wire", "Redaktion MSM"
_DESK_WORDS = _NEWSROOM | {"wire", "editors"}
#: what follows a site's name where it names its newsroom rather than a writer: "heise online"
_DESK_SUFFIXES = _NEWSROOM | {"online", "news"}


def is_a_desk(name: str) -> bool:
    """Whether a byline names a newsroom, not a writer ("National Desk", "CNN Wire")."""
    words = name.casefold().split()
    return bool(words) and (words[-1] in _DESK_WORDS or words[0] == "redaktion")


def _the_site_desk(name: str, sites: frozenset[str]) -> bool:
    """Whether ``name`` is the site itself or its newsroom ("heise online" on heise.de); a
    person's name that a personal site's address spells ("John Smith" on john-smith.net)
    is not."""
    key = _key(name)
    if key in sites:
        return len(name.split()) == 1 or "." in name
    return any(key.endswith(suffix) and key[: -len(suffix)] in sites for suffix in _DESK_SUFFIXES)


#: a template's placeholder where the keywords go: "YOUR KEYWORDS HERE", "keyword1", "Tags"
_PLACEHOLDER_TAG = re.compile(r"(?:your\s+)?(?:key\s*words?|tags?)(?:\s+(?:here|go\s+here))?\d*")
#: a tag that says the page is news, no subject: a site's SEO keywords on every page ("latest
#: news", "breaking", "top news"; Dong-a Ilbo's "뉴스", "기사", "속보": news, article, breaking;
#: not "新聞", which in Japanese is the newspaper, a subject of its own)
_NEWS_TAG = re.compile(
    r"(?:(?:latest|breaking|top|current|daily|online|the)\s+)*(?:news|headlines?)"
    r"(?:\s+(?:articles?|stories|today|online|updates?))?|breaking|updates?|latest|headlines?"
    r"|(?:aktuelle\s+)?nachrichten|aktuell(?:es)?|news\s+aktuell|actualit\u00e9s?"
    r"|noticias|\u00faltima\s+hora|notizie|nieuws|notícias|новости"
    r"|\ub274\uc2a4|\uae30\uc0ac|\uc18d\ubcf4|\u65b0\u95fb|\u30cb\u30e5\u30fc\u30b9"
    r"|\u901f\u5831|\u5feb\u8baf",
    re.I,
)
#: a wire's markers for its clients among the tags: "Video Available", "Picture Available"
_AVAILABLE_TAG = re.compile(r"(?:pictures?|photos?|videos?|graphics?|audio)\s+available", re.I)
#: a classification scheme's level after a subject: "Software (TRBC level 4)", "Online
#: Services (NEC)" (Reuters' business classification; NEC: not elsewhere classified)
_SCHEME_SUFFIX = re.compile(r"(?:\s*\((?:TRBC\s+level\s+\d|NEC)\))+$", re.I)


def clean_tags(
    tags: Iterable[str],
    *,
    title: str | None = None,
    authors: Iterable[str] = (),
    site_name: str | None = None,
    url: str | None = None,
) -> tuple[str, ...]:
    """The article's subjects among ``tags``: not a CMS's internal marker ("digital_syndication",
    "ISIN_US3453708600"), a wire's ("Video Available"; "Software (TRBC level 4)" is
    "Software"), a template's placeholder ("YOUR KEYWORDS HERE"), a word that only says the
    page is news ("latest news", "breaking", "뉴스"), the headline again, the
    site's name ("Gizmodo"), nor its writers (Business Insider and CNET tag their authors,
    POLITICO its byline "Maggie Haberman and Shira Toeplitz")."""
    sites = site_keys(site_name, url)
    headline = _key(title or "")
    people = {_key(a) for a in authors if a}
    words = {_key(w) for a in authors for w in a.split()}
    kept: dict[str, None] = {}
    for tag in (_SCHEME_SUFFIX.sub("", t) for t in tags):
        key = _key(tag)
        if not key or "_" in tag.strip("_") or _PLACEHOLDER_TAG.fullmatch(tag.strip().casefold()):
            continue
        if _AVAILABLE_TAG.fullmatch(tag.strip()) or _NEWS_TAG.fullmatch(tag.strip()):
            continue
        if (key == headline and len(tag.split()) >= 4) or key in sites or key in people:
            continue  # (a headline of a word or three may be a subject: "Indonesia")
        names = {_key(w) for w in tag.split()} - _CONNECTORS
        if len(names) > 1 and names <= words:
            continue  # the byline: "Maggie Haberman and Shira Toeplitz"
        kept.setdefault(tag, None)
    return tuple(kept)
