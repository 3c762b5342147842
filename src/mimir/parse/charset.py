"""Turn fetched bytes into text: BOM, HTTP header, in-document declaration, then detection."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

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

_SNIFF_BYTES = 4096
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([\w.:-]+)", re.I)
_XML_PROLOG = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([\w.:-]+)[\"']", re.I)
_META_CHARSET = re.compile(rb"<meta[^>]+charset\s*=\s*[\"']?\s*([\w.:-]+)", re.I)


#: codecs that decode every byte string (so a wrong one never fails), by Python's names
_SINGLE_BYTE = re.compile(r"^(?:cp125\d|cp874|iso8859-\d+|koi8-[ru]|mac-roman|ascii)$")


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
                utf8 = _try(body, "utf-8")
                if utf8 is not None:
                    return utf8, "utf-8"
            return text, encoding
    text = _try(body, "utf-8")  # most of the web; strict, so a wrong guess fails fast
    if text is not None:
        return text, "utf-8"
    return _detect(body, fallback=next((c for c in candidates if c), "cp1252"))


def _detect(body: bytes, fallback: str) -> tuple[str, str]:
    best = from_bytes(body[:200_000]).best()
    encoding = normalize_encoding(best.encoding) if best is not None else None
    if encoding:
        text = _try(body, encoding)
        if text is not None:
            return text, encoding
    return body.decode(fallback, "replace"), fallback
