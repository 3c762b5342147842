"""Safe XML loading for imports: no network, no DTD loading, no entity declarations."""

from __future__ import annotations

from lxml import etree

from mimir.errors import InputError
from mimir.parse.xmlsniff import safe_parser

_UTF8_BOM = b"\xef\xbb\xbf"
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def load_xml(data: bytes, what: str) -> etree._Element:
    """Parse ``data`` strictly; InputError (with line and column) if it is not safe, valid XML."""
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    if not data.startswith(_UTF16_BOMS):
        data = data.lstrip()
    if not data:
        raise InputError(f"{what}: the file is empty")
    parser = safe_parser(recover=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position if exc.position else (0, 0)
        message = exc.msg.split(", line ")[0] if exc.msg else "malformed XML"
        raise InputError(
            f"{what}: not well-formed XML at line {line}, column {column}: {message}"
        ) from None
    dtd = root.getroottree().docinfo.internalDTD
    if dtd is not None and any(True for _ in dtd.iterentities()):
        raise InputError(f"{what}: documents declaring XML entities are refused")
    return root
