"""Look at the start of a body: what kind of document is it, before parsing it in full."""

from __future__ import annotations

import contextlib
import re
import zlib

from lxml import etree

from mimir.errors import ParseError

GZIP_MAGIC = b"\x1f\x8b"
MAX_DECOMPRESSED_BYTES = 64 * 1024 * 1024  # a sitemap may hold 50 MB uncompressed
_SNIFF = 8192

# the first element after the prolog, comments, processing instructions and the DOCTYPE
_PREAMBLE = re.compile(
    rb"\s*(?:<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^\[>]|\[.*?\])*>|\s)*", re.S | re.I
)
_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_HTML_HINT = re.compile(rb"<!DOCTYPE\s+html|<html[\s>]|<head[\s>]|<body[\s>]", re.I)


def gunzip(body: bytes, limit: int = MAX_DECOMPRESSED_BYTES) -> bytes:
    """Decompress a gzip body (``.xml.gz``) but never past ``limit`` bytes (gzip bombs)."""
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        data = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise ParseError(f"corrupt gzip body: {exc}") from exc
    if len(data) > limit or inflater.unconsumed_tail:
        raise ParseError(f"gzip body expands beyond {limit} bytes; refusing to read it")
    return data


def safe_parser(*, recover: bool) -> etree.XMLParser:
    """The one way Mimir parses untrusted XML: no DTDs, no entity expansion, no network, no
    huge trees, no comments or processing instructions (hostile documents stay cheap)."""
    return etree.XMLParser(
        recover=recover,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        remove_comments=True,
        remove_pis=True,
    )


def check_depth(body: bytes) -> None:
    """Refuse XML nested deeper than libxml2's safe limit (256) before any slower parser runs."""
    parser = safe_parser(recover=True)
    with contextlib.suppress(etree.XMLSyntaxError):  # malformed: the next parser's business
        etree.fromstring(body, parser)
    if any("Excessive depth" in error.message for error in parser.error_log):
        raise ParseError(
            "document nests elements too deeply (over 256 levels); refusing to read it"
        )


def strip_bom(body: bytes) -> bytes:
    return body[3:] if body.startswith(b"\xef\xbb\xbf") else body


def root_name(body: bytes) -> str | None:
    """Local name of the root element (lower case, prefix dropped), or None."""
    head = strip_bom(body[:_SNIFF])
    match = _PREAMBLE.match(head)
    start = match.end() if match else 0
    root = _ROOT.match(head, start)
    if root is None:
        return None
    return root.group(1).decode("ascii", "ignore").rsplit(":", 1)[-1].lower()


def looks_like_html(body: bytes, root: str | None) -> bool:
    if root in {"html", "head", "body"}:
        return True
    return root is None and _HTML_HINT.search(body[:_SNIFF]) is not None


def looks_like_json(body: bytes) -> bool:
    return strip_bom(body[:64]).lstrip()[:1] == b"{"
