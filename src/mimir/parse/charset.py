"""Turn fetched bytes into text: BOM, HTTP header, in-document declaration, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

from mimir.parse.language import detect_language

# What browsers actually use when a page names one of these (WHATWG Encoding Standard).
_SUPERSETS = {
    "iso-8859-1": "cp1252",
    "latin-1": "cp1252",
    "latin1": "cp1252",
    "l1": "cp1252",
    "us-ascii": "cp1252",
    "ascii": "cp1252",
    "iso-8859-9": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: the first four bytes of a text without a byte-order mark in an encoding that is not
#: ASCII-compatible: ASCII characters ("<?xm", "<!DO", a newline...) with NULs between them
#: (XML 1.0, appendix F)
_WIDE = (
    (re.compile(rb"[\x01-\x7f]\x00\x00\x00", re.S), "utf-32-le"),
    (re.compile(rb"\x00\x00\x00[\x01-\x7f]", re.S), "utf-32-be"),
    (re.compile(rb"[\x01-\x7f]\x00[\x01-\x7f]\x00", re.S), "utf-16-le"),
    (re.compile(rb"\x00[\x01-\x7f]\x00[\x01-\x7f]", re.S), "utf-16-be"),
)
_EBCDIC_PROLOG = b"\x4c\x6f\xa7\x94"  # "<?xm" in the EBCDIC code pages

_SNIFF_BYTES = 4096
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_PROLOG = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


#: bytes that are no UTF-8, as ``surrogateescape`` keeps them
_STRAY = re.compile("[\udc80-\udcff]")
_STRAY_RUN = re.compile("[\udc80-\udcff]+")
#: a body is UTF-8 with strays when it has at least this many valid non-ASCII characters,
#: and this many per stray byte
_MIN_UTF8_CHARS = 8
_UTF8_PER_STRAY = 4

#: the EBCDIC code pages Python decodes, by its names
_EBCDIC = frozenset({"cp037", "cp273", "cp424", "cp500", "cp875", "cp1026", "cp1140"})

#: codecs that decode every byte string (so a wrong one never fails), by Python's names
_SINGLE_BYTE = re.compile(
    r"^(?:cp125\d|cp874|cp866|iso8859-\d+|koi8-[ru]|mac-roman|mac-cyrillic|ascii)$"
)


def normalize_encoding(name: str | None) -> str | None:
    """A Python codec name for a declared charset, or None when unknown."""
    if not name:
        return None
    label = name.strip().strip("\"'").lower()
    label = _SUPERSETS.get(label, label)
    try:
        return codecs.lookup(label).name
    except LookupError:
        return None


def header_charset(content_type: str | None) -> str | None:
    """The charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    match = _HEADER_CHARSET.search(content_type)
    return match.group(1) if match else None


def declared_charset(body: bytes) -> str | None:
    """The encoding named by the XML prolog or a <meta> tag near the start of the document."""
    head = body[:_SNIFF_BYTES]
    match = _XML_PROLOG.match(head) or _META_CHARSET.search(head)
    return match.group(1).decode("ascii", "ignore") if match else None


def _bom(body: bytes) -> tuple[str, int] | None:
    for mark, name in _BOMS:
        if body.startswith(mark):
            return name, len(mark)
    return None


def wide_encoding(body: bytes) -> str | None:
    """The encoding of a body whose bytes are not ASCII-compatible, or None: UTF-16 or UTF-32
    with or without a byte-order mark (a BOM-less one starts with ASCII characters and NULs
    between them, XML 1.0 appendix F) or EBCDIC ("<?xm" in code page 037; then the code page
    its prolog names). Byte-level sniffing (the root element, an HTML hint, a JSON brace)
    reads such a body as noise, and UTF-8 decoding takes its NULs for text, so such a body is
    decoded by this name before anything else is tried."""
    bom = _bom(body)
    if bom is not None:
        return None if bom[0] == "utf-8" else bom[0]
    return _unmarked_wide(body)


def _unmarked_wide(body: bytes) -> str | None:
    """``wide_encoding`` of a body without a byte-order mark."""
    for pattern, name in _WIDE:
        if pattern.match(body):
            return name
    if body.startswith(_EBCDIC_PROLOG):
        prolog = body[:200].decode("cp037")
        match = _XML_PROLOG.match(prolog.encode("ascii", "replace"))
        named = normalize_encoding(match.group(1).decode("ascii")) if match else None
        return named if named in _EBCDIC else "cp037"
    return None


def _try(body: bytes, encoding: str | None) -> str | None:
    if not encoding:
        return None
    try:
        return body.decode(encoding)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_html(body: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Decode an HTML or XML body; returns ``(text, encoding)``. Never raises on bad bytes.

    Order: byte-order mark, the HTTP header charset, the XML prolog / ``<meta charset>`` /
    ``<meta http-equiv>`` declaration, then charset-normalizer detection. A declared charset
    the bytes do not fit (a page saying UTF-8 but written in Latin-1) falls through to the next
    candidate instead of producing mojibake; so does a single-byte one (Latin-1, windows-1252,
    ISO-8859-15...) declared for bytes that are valid UTF-8 with non-ASCII characters.
    """
    bom = _bom(body)
    if bom is not None:
        name, skip = bom
        return body[skip:].decode(name, "replace"), name
    wide = _unmarked_wide(body)  # the BOM was looked for just above
    if wide is not None:
        return body.decode(wide, "replace"), wide
    candidates = [
        normalize_encoding(header_charset(content_type)),
        normalize_encoding(declared_charset(body)),
    ]
    for encoding in candidates:
        text = _try(body, encoding)
        if text is not None and encoding is not None:
            if _SINGLE_BYTE.match(encoding) and not body.isascii():
                # a single-byte charset decodes any bytes, so it cannot be told wrong that
                # way: UTF-8 bytes under a Latin-1 label (Apache's default header, a template's
                # old <meta>) read "cafÃ©". Text in a legacy charset is valid UTF-8 by chance
                # only when it is very short, so valid UTF-8 with non-ASCII bytes is UTF-8.
                utf8 = _try(body, "utf-8") or _utf8_with_strays(body)
                if utf8 is not None:
                    return utf8, "utf-8"
            return text, encoding
    # most of the web; strict, so a wrong guess fails fast, then UTF-8 with a few stray bytes
    text = _try(body, "utf-8") or _utf8_with_strays(body)
    if text is not None:
        return text, "utf-8"
    return _detect(body, fallback=next((c for c in candidates if c), "cp1252"))


def _utf8_with_strays(body: bytes) -> str | None:
    """``body`` read as UTF-8 when it is UTF-8 but for a few bytes: a character cut in two, a
    windows-1252 snippet pasted into a UTF-8 page. Such pages went to detection whole and came
    out as Mac Roman or ISO-8859-10 from the first word to the last. Runs of stray bytes are
    read as windows-1252, which restores a pasted snippet ("D\\xe9j\\xe0" is "Déjà"). None
    when the strays are not few against the valid non-ASCII characters (a Latin-1 page)."""
    if body.isascii():
        return None
    text = body.decode("utf-8", "surrogateescape")
    strays = len(_STRAY.findall(text))
    valid = len(text) - len(text.encode("ascii", "ignore")) - strays
    if not strays or valid < max(_MIN_UTF8_CHARS, _UTF8_PER_STRAY * strays):
        return None
    return _STRAY_RUN.sub(_as_cp1252, text)


def _as_cp1252(run: re.Match[str]) -> str:
    return run.group().encode("utf-8", "surrogateescape").decode("cp1252", "replace")


#: the encodings a browser decodes pages with (WHATWG Encoding Standard), by Python's names
#: (after ``_SUPERSETS``): detection may also propose DOS code pages (cp775, cp852...), which
#: no web page is written in, and which decoded real German and French pages as nonsense
_WEB_ENCODINGS = frozenset({
    "utf-8", "utf-16-le", "utf-16-be", "cp866", "iso8859-2", "iso8859-3", "iso8859-4",
    "iso8859-5", "iso8859-6", "iso8859-7", "iso8859-8", "iso8859-10", "iso8859-13",
    "iso8859-14", "iso8859-15", "iso8859-16", "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic",
    "cp874", "cp1250", "cp1251", "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257",
    "cp1258", "gb18030", "big5hkscs", "euc_jp", "iso2022_jp", "cp932", "cp949",
})  # fmt: skip
#: the legacy encoding of a page's language, as browsers fall back to it (Firefox's table):
#: every other language written in Latin letters is windows-1252's
_LANGUAGE_ENCODINGS = {
    **dict.fromkeys(("ar", "fa", "ur"), "cp1256"),
    **dict.fromkeys(("be", "bg", "kk", "ky", "mk", "ru", "sr", "tg", "tt", "uk"), "cp1251"),
    **dict.fromkeys(("bs", "cs", "hr", "hu", "pl", "ro", "sk", "sl"), "cp1250"),
    **dict.fromkeys(("et", "lt", "lv"), "cp1257"),
    **dict.fromkeys(("he", "iw", "yi"), "cp1255"),
    **dict.fromkeys(("az", "tr"), "cp1254"),
    "el": "cp1253", "ja": "cp932", "ko": "cp949", "th": "cp874", "vi": "cp1258",
    "zh": "gb18030", "zh-tw": "big5hkscs", "zh-hk": "big5hkscs",
}  # fmt: skip
#: the same by the names charset-normalizer gives the languages it recognises
_NAMED_LANGUAGE_ENCODINGS = {
    **dict.fromkeys(("Arabic", "Farsi"), "cp1256"),
    **dict.fromkeys(("Bulgarian", "Kazakh", "Russian", "Serbian", "Ukrainian"), "cp1251"),
    **dict.fromkeys(("Croatian", "Czech", "Hungarian", "Polish", "Romanian", "Slovak", "Slovene"),
                    "cp1250"),
    **dict.fromkeys(("Estonian", "Lithuanian"), "cp1257"),
    **dict.fromkeys(("Danish", "Dutch", "English", "Finnish", "French", "German", "Indonesian",
                     "Italian", "Norwegian", "Portuguese", "Spanish", "Swedish"), "cp1252"),
    "Greek": "cp1253", "Hebrew": "cp1255", "Thai": "cp874", "Turkish": "cp1254",
    "Vietnamese": "cp1258",
}  # fmt: skip
_HTML_LANG = re.compile(rb"<html[^>]*?\slang\s*=\s*[\"']?([a-z]{2,3}(?:[-_][a-z]{2,4})?)", re.I)
#: how much more "mess" (charset-normalizer's chaos ratio) than the least messy decoding a
#: decoding may show and still win by reading more like its language: windows-1254 is a
#: little messier than windows-1252 on Turkish text by that measure, and far more Turkish
_CHAOS_MARGIN = 0.1
#: a text node with a byte of a legacy encoding or UTF-8 (the bytes of "<" and ">" are never
#: part of a multi-byte character in Shift_JIS, GB18030, Big5 or EUC-*)
_TEXT_RUN = re.compile(rb">([^<>]*[\x80-\xff][^<>]*)<")
_CODE = re.compile(rb"<(script|style)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S)
_MAX_SAMPLED = 2_000_000  # bytes of the body searched for text
_MAX_SAMPLE = 200_000  # bytes given to detection
_LANGUAGE_SAMPLE = 20_000  # bytes whose language is identified
_HIGH_BYTES = bytes(range(0x80, 0x100))
_C1_BYTES = bytes(range(0x80, 0xA0))
#: fewer non-ASCII bytes than this in the text are no Chinese or Japanese text (one curly
#: apostrophe reads as Shift_JIS or Big5 as well as windows-1252)
_FEW_HIGH_BYTES = 16
#: coherences this close are a tie (on a page of markup and scripts they differ by noise)
_COHERENCE_TIE = 0.02


def _native(language: str) -> str | None:
    """The legacy encoding of a language charset-normalizer names ("English\u2014" is a
    variant of English)."""
    return _NAMED_LANGUAGE_ENCODINGS.get(language.rstrip("\u2014"))


def _language_encoding(body: bytes) -> str | None:
    """The legacy encoding of the language ``<html lang>`` names, if the page names one."""
    match = _HTML_LANG.search(body[:_SNIFF_BYTES])
    if match is None:
        return None
    return legacy_encoding(match.group(1).decode("ascii"))


def legacy_encoding(language: str) -> str:
    """The encoding pages in ``language`` (a tag: "tr", "zh-TW") were written in before UTF-8,
    as browsers fall back to it: windows-1252 for the languages of Western Europe."""
    lang = language.lower().replace("_", "-")
    return _LANGUAGE_ENCODINGS.get(lang) or _LANGUAGE_ENCODINGS.get(lang[:2], "cp1252")


def _read_language_encoding(sample: bytes, encoding: str) -> str | None:
    """The legacy encoding of the language ``sample`` reads as, decoded by ``encoding``."""
    language = detect_language(sample[:_LANGUAGE_SAMPLE].decode(encoding, "replace"))
    return legacy_encoding(language) if language else None


def _text_sample(body: bytes) -> bytes:
    """What detection reads: the page's text runs that hold non-ASCII bytes, without the
    markup, scripts and styles around them. charset-normalizer samples a few chunks of what
    it is given; on a page of 100 KB of ASCII markup with the article's text in one place it
    sampled none of the text and read a Russian page as windows-1250. A body that is no
    markup (UTF-16 has NUL bytes, ISO-2022-JP no high bytes) is read as it is."""
    head = body[:_MAX_SAMPLED]
    if b"\x00" in head[:1024]:
        return head
    runs = _TEXT_RUN.findall(_CODE.sub(b"><", head))
    return b"\n".join(runs)[:_MAX_SAMPLE] if runs else head[:_MAX_SAMPLE]


def _detect(body: bytes, fallback: str) -> tuple[str, str]:
    """charset-normalizer's detection among the encodings of the web, over the page's text
    (``_text_sample``). Of the decodings about as clean as the cleanest: the one the page's
    ``<html lang>`` suggests; else a multi-byte one (Shift_JIS, GB18030...) ranked first; else,
    of windows-1252 and the single-byte decodings that are the legacy encoding of the
    language they read as (windows-1254 read as Turkish), the most coherent, windows-1252 on
    a near tie, as browsers default to it. One to three non-ASCII bytes are read as the
    language's encoding or windows-1252, and a few more as no multi-byte encoding.
    charset-normalizer's own first choice read undeclared Latin-1 Spanish as windows-1250
    ("Espańa"), Turkish as windows-1252 ("yayýncýlýk") and real German pages as DOS code
    pages."""
    hint = _language_encoding(body)
    sample = _text_sample(body)
    high = len(sample) - len(sample.translate(None, _HIGH_BYTES))
    if high < _FEW_HIGH_BYTES // 4:  # a copyright sign, a curly quote: as browsers read it
        for encoding in (hint, "cp1252"):
            text = _try(body, encoding)
            if text is not None and encoding is not None:
                return text, encoding
    # a few non-ASCII bytes read as two-byte characters as well as anything: no CJK text
    few = high < _FEW_HIGH_BYTES
    # bytes 0x80-0x9F are control characters in ISO-8859 (so browsers read ISO-8859-1 as
    # windows-1252): text that has them is in none of those
    c1 = len(sample) != len(sample.translate(None, _C1_BYTES))
    options: list[tuple[float, float, str, str]] = []  # chaos, coherence, encoding, language
    for match in from_bytes(sample):
        names = (normalize_encoding(n) for n in (match.encoding, *match.could_be_from_charset))
        web = [n for n in names if n in _WEB_ENCODINGS and (not few or _SINGLE_BYTE.match(n))
               and not (c1 and n.startswith("iso8859"))]  # fmt: skip
        if web:
            encoding = next((e for e in (hint, "cp1252") if e in web), web[0])
            options.append((match.chaos, match.coherence, encoding, match.language))
    if options:
        least = min(options, key=lambda o: o[0])  # the first in charset-normalizer's order
        close = [o for o in options if o[0] <= least[0] + _CHAOS_MARGIN]
        # no <html lang>: the language the cleanest decoding reads as names its encoding
        # (a Latvian page reads as Latvian in windows-1252 too, and charset-normalizer knows
        # no Latvian: it took windows-1252, "Vakcinâcija" for "Vakcinācija")
        hint = hint or _read_language_encoding(sample, least[2])
        hinted = [o for o in close if o[2] == hint]
        encoding = (hinted or [least])[0][2]
        if not hinted and _SINGLE_BYTE.match(encoding):
            close = [o for o in close if _SINGLE_BYTE.match(o[2])]
            # the language's own encodings and windows-1252, the most coherent of them; an
            # English page read as "Slovak" both ways, one "Espa\u00f1ol" apart, is a tie
            native = [o for o in close if o[2] == _native(o[3]) or o[2] == "cp1252"]
            best = native or close
            top = max(o[1] for o in best)
            near = [o for o in best if o[1] >= top - _COHERENCE_TIE]
            encoding = max(near, key=lambda o: (o[2] == "cp1252", o[1]))[2]
        # the text decides; a stray byte the encoding lacks (in a script's string, say) is
        # replaced rather than the whole page read in another encoding
        return body.decode(encoding, "replace"), encoding
    return body.decode(fallback, "replace"), fallback
