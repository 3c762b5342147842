"""Safe XML loading for imports: no network, no DTD loading, no entity declarations."""

from __future__ import annotations

import contextlib
import html.entities
import re

from lxml import etree

from mimir.errors import InputError
from mimir.parse.xmlsniff import safe_parser

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")
#: an ampersand that starts no entity or character reference: "AT&T", "?a=1&b=2" written raw
_BARE_AMPERSAND = re.compile(rb"&(?!(?:[A-Za-z][A-Za-z0-9._-]*|#[0-9]+|#[xX][0-9A-Fa-f]+);)")


#: a named reference XML does not define (HTML's "&eacute;", "&nbsp;", "&aelig;": hand-written
#: and older exports write them), or an undefined one ("&nonsense;")
_NAMED_REFERENCE = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos);)([A-Za-z][A-Za-z0-9]*);")


def _numeric(match: re.Match[bytes]) -> bytes:
    """HTML's character for a named reference, as a numeric one; an unknown name as written."""
    name = match.group(1).decode("ascii")
    char = html.entities.html5.get(name + ";")
    if char is None:
        return b"&amp;" + match.group(1) + b";"
    return "".join(f"&#{ord(c)};" for c in char).encode("ascii")


class _NotWellFormed(InputError):
    """The document is not well-formed XML."""


def load_xml(data: bytes, what: str) -> etree._Element:
    """Parse ``data`` strictly; InputError (with line and column) if it is not safe, valid XML."""
    return _load(_trimmed(data, what), what)


def load_xml_leniently(data: bytes, what: str) -> tuple[etree._Element, InputError | None]:
    """``load_xml``, but a document that is not well-formed in the ways hand-edited and older
    exports are is still read: raw ampersands ("AT&T", "?a=1&b=2") as written, HTML's named
    references ("caf&eacute;") as the characters they name, undefined ones as written, anything else
    by the XML parser's recovery mode when that still finds a root element. Returns the root
    and, when the document was not well-formed, the error a strict reading gives (for the
    caller's warning, or to raise when what was read holds nothing). InputError when nothing
    can be read."""
    data = _trimmed(data, what)
    try:
        return _load(data, what), None
    except _NotWellFormed as strict:
        escaped = _NAMED_REFERENCE.sub(_numeric, _BARE_AMPERSAND.sub(b"&amp;", data))
        if escaped != data:
            with contextlib.suppress(_NotWellFormed):
                return _load(escaped, what), strict
        try:
            root = etree.fromstring(escaped, safe_parser(recover=True))
        except etree.XMLSyntaxError:
            root = None
        if root is None:
            raise
        _refuse_entities(root, what)
        return root, strict


def _trimmed(data: bytes, what: str) -> bytes:
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.startswith(_UTF16_BOMS):
        data = data.lstrip()
    if not data:
        raise InputError(f"{what}: the file is empty")
    return data


def _load(data: bytes, what: str) -> etree._Element:
    parser = safe_parser(recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        message = exc.msg.split(", line ")[0] if exc.msg else "malformed XML"
        raise _NotWellFormed(
            f"{what}: not well-formed XML at line {line}, column {column}: {message}"
        ) from None
    _refuse_entities(root, what)
    return root


def _refuse_entities(root: etree._Element, what: str) -> None:
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(f"{what}: documents declaring XML entities are refused")
