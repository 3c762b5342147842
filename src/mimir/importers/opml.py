"""OPML 1.0/2.0 import and export.

Import: every outline with an ``xmlUrl`` is a feed; outlines without one are folders (their
text is the category of the feeds inside, the nearest folder winning over a ``category``
attribute) or are reported as skipped. Feeds from other readers import enabled.

Export: OPML 2.0 grouped by category. Mimir's own data rides in the ``mimir`` namespace
(``mimir:kind``, ``mimir:enabled``, ``mimir:settings`` as JSON) so a round trip through
``parse_opml`` loses nothing. Sitemaps and listing pages are not feeds, so they are written as
``type="link"`` outlines with ``url`` (other readers ignore them, Mimir reads them back).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import datetime
from email.utils import format_datetime
from typing import Any

from lxml import etree

from mimir.errors import InputError
from mimir.importers.collector import Collector
from mimir.importers.xml import load_xml_leniently
from mimir.model import ImportReport, SourceKind, SourceSpec
from mimir.process.urls import host_of, is_http_url

MIMIR_NS = "urn:mimir:opml:1"
_KIND = f"{{{MIMIR_NS}}}kind"
_ENABLED = f"{{{MIMIR_NS}}}enabled"
_SETTINGS = f"{{{MIMIR_NS}}}settings"
_FALSE = {"false", "0", "no", "off"}


def parse_opml(data: bytes) -> ImportReport:
    """The feeds an OPML document lists; InputError if it is not (safe) OPML. A document that
    is not well-formed is read as far as it can be, with a warning (``load_xml_leniently``):
    raw ampersands in hand-edited and older exports are common."""
    root, strict = load_xml_leniently(data, "OPML")
    if _local(root) != "opml":
        raise strict or InputError(f"not an OPML document: the root element is <{_local(root)}>")
    collector = Collector()
    body = next((el for el in root if _local(el) == "body"), None)
    if body is None:
        collector.warn("OPML: the document has no <body>, nothing to import")
    else:
        _walk(body, None, collector)
    if strict is not None:
        if not collector.report.sources:
            raise strict  # read leniently, it holds nothing: the document is broken
        collector.warn(f"{strict.message}; the rest was read: check what was imported")
    return collector.report


def export_opml(
    sources: Iterable[SourceSpec], title: str = "Mimir sources", created: datetime | None = None
) -> bytes:
    """OPML 2.0 for ``sources``, one folder per category (uncategorised first)."""
    root = etree.Element("opml", version="2.0", nsmap={"mimir": MIMIR_NS})
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    if created is not None:
        etree.SubElement(head, "dateCreated").text = format_datetime(created)
    body = etree.SubElement(root, "body")
    groups: dict[str | None, list[SourceSpec]] = {}
    for spec in sources:
        groups.setdefault(spec.category, []).append(spec)
    for category in sorted(groups, key=lambda c: (c is not None, c or "")):
        parent = body
        if category is not None:
            parent = etree.SubElement(body, "outline", text=category, title=category)
        for spec in groups[category]:
            _export_outline(parent, spec)
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


# ---- import ---------------------------------------------------------------------------------


def _walk(parent: etree._Element, category: str | None, collector: Collector) -> None:
    for outline in parent:
        if _local(outline) != "outline":
            continue
        attrs = {str(k).lower(): str(v).strip() for k, v in outline.attrib.items() if "}" not in k}
        children = [el for el in outline if _local(el) == "outline"]
        label = (
            attrs.get("title") or attrs.get("text") or attrs.get("xmlurl") or attrs.get("url")
        ) or "(untitled outline)"
        if attrs.get("xmlurl") or (outline.get(_KIND) and attrs.get("url")):
            _import_outline(outline, attrs, category, label, collector)
            if children:
                _walk(outline, category, collector)
        elif children:
            _walk(outline, attrs.get("text") or attrs.get("title") or category, collector)
        elif attrs.get("type", "").lower() == "include":
            collector.skip(label, "OPML include (a link to another OPML file) is not followed")
        elif attrs.get("type") or attrs.get("url"):
            collector.skip(label, "no xmlUrl: not a feed")


def _import_outline(
    outline: etree._Element,
    attrs: dict[str, str],
    category: str | None,
    label: str,
    collector: Collector,
) -> None:
    url = _feed_scheme(attrs.get("xmlurl") or attrs.get("url", ""))
    if not is_http_url(url):
        collector.skip(label, f"invalid feed URL {url!r}: not an absolute http(s) URL")
        return
    kind = SourceKind.FEED
    raw_kind = outline.get(_KIND)
    scraped = attrs.get("type", "").lower()
    if not raw_kind and scraped.startswith(("html+xpath", "xml+xpath", "json+dotnotation")):
        if scraped.startswith("json"):
            collector.skip(label, "a FreshRSS JSON scraping source: no feed, no page to read")
            return
        # FreshRSS's web scraping source: a page of article links, read by its XPath
        kind = SourceKind.LISTING
        collector.warn(
            f"{label!r}: a FreshRSS scraped page, imported as a listing page; its XPath "
            "selectors are not carried over (Mimir finds the article links itself; give CSS "
            "selectors in its settings if they are not the right ones)"
        )
    if raw_kind:
        try:
            kind = SourceKind(raw_kind.strip().lower())
        except ValueError:
            collector.warn(f"{label!r}: unknown mimir:kind {raw_kind!r}, imported as a feed")
    settings = _settings(outline.get(_SETTINGS), label, collector)
    homepage = attrs.get("htmlurl", "")
    if homepage and is_http_url(homepage):
        settings.setdefault("homepage", homepage)
    spec = SourceSpec(
        name=" ".join((attrs.get("title") or attrs.get("text") or host_of(url)).split()),
        url=url,
        kind=kind,
        enabled=(outline.get(_ENABLED) or "true").strip().lower() not in _FALSE,
        category=category or _category_attr(attrs.get("category", "")),
        note=attrs.get("description") or None,
        settings=settings,
    )
    collector.add(spec, label)


def _settings(raw: str | None, label: str, collector: Collector) -> dict[str, Any]:
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        value = None
    if not isinstance(value, dict):
        collector.warn(f"{label!r}: mimir:settings is not a JSON object, ignored")
        return {}
    return value


def _feed_scheme(url: str) -> str:
    """``feed://host/x`` and ``feed:https://host/x`` (old browser links) as http(s) URLs."""
    lowered = url.lower()
    if lowered.startswith("feed:http"):
        return url[5:]
    if lowered.startswith("feed://"):
        return "http://" + url[7:]
    return url


def _category_attr(value: str) -> str | None:
    """The first entry of an OPML 2.0 ``category`` attribute (``/a/b,/c``), its path parts
    trimmed and empty ones dropped (``" / , root2// /node2"`` is ``root2/node2``)."""
    for entry in value.split(","):
        path = "/".join(part.strip() for part in entry.split("/") if part.strip())
        if path:
            return path
    return None


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname.lower() if isinstance(el.tag, str) else ""


# ---- export ---------------------------------------------------------------------------------


def _export_outline(parent: etree._Element, spec: SourceSpec) -> None:
    attrs = {"text": spec.name, "title": spec.name}
    if spec.kind is SourceKind.FEED:
        attrs |= {"type": "rss", "xmlUrl": spec.url}
    else:
        attrs |= {"type": "link", "url": spec.url}
    homepage = spec.settings.get("homepage")
    if isinstance(homepage, str) and homepage:
        attrs["htmlUrl"] = homepage
    if spec.note:
        attrs["description"] = spec.note
    el = etree.SubElement(parent, "outline", attrs)
    el.set(_KIND, str(spec.kind))
    el.set(_ENABLED, "true" if spec.enabled else "false")
    if spec.settings:
        el.set(
            _SETTINGS, json.dumps(spec.settings, sort_keys=True, ensure_ascii=False, default=str)
        )
