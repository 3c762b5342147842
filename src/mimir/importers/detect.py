"""Choose the importer for an uploaded file by its content (the name only breaks ties)."""

from __future__ import annotations

from mimir.errors import InputError
from mimir.importers.legacy import parse_legacy
from mimir.importers.opml import parse_opml
from mimir.model import ImportReport

_BOMS = ((b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def parse_import(data: bytes, filename: str = "") -> ImportReport:
    """An OPML or legacy JSON import; InputError for empty or unrecognised files."""
    first = _first_char(data)
    if first == "":
        raise InputError(f"{filename or 'import file'}: the file is empty")
    if first == "<":
        return parse_opml(data)
    if first in "[{":
        return parse_legacy(data, filename)
    lowered = filename.lower()
    if lowered.endswith((".opml", ".xml")):
        return parse_opml(data)
    if lowered.endswith(".json"):
        return parse_legacy(data, filename)
    raise InputError(f"{filename or 'import file'}: not OPML (XML) or a JSON sources/settings file")


def _first_char(data: bytes) -> str:
    """The first non-blank character of the document, after any byte order mark."""
    head = data[:4096]
    encoding = "utf-8"
    for bom, name in _BOMS:
        if head.startswith(bom):
            head, encoding = head[len(bom) :], name
            break
    text = head.decode(encoding, errors="ignore").lstrip()
    return text[:1]
