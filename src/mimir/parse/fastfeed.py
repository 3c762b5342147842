"""The common feeds, read fast: well-formed RSS 2.0 and Atom 1.0 through lxml, into feedparser's
own result shape, with feedparser's own rules for every value.

feedparser turns a feed into a dictionary by dispatching every SAX event through Python
handlers: about 1 ms of CPU per item here (53 ms for a 50-item feed), more than half of what
extracting the article page costs, and a changed feed is parsed in full however few of its
items are new. lxml builds the tree of the same document in C in about 0.01 ms per item.

This module reads that tree into exactly the dictionary ``feedparser.parse`` returns (as Mimir
runs it: markup left as written) for the keys ``mimir.parse.rss`` reads, applying to each value
what feedparser's ``pop`` applies (whitespace stripped, URIs resolved against the document's
address, its mojibake and Windows-1252 repairs, its date parser) through feedparser's own
functions. It only accepts what it implements:

* a well-formed document (lxml, no recovery) with no DOCTYPE;
* an ``<rss version="2.x">`` root with one ``<channel>``, or an Atom 1.0 ``<feed>``;
* no ``xml:base`` anywhere (feedparser would track it element by element);
* in items and entries, only the elements below whose meaning it reproduces, plus elements
  feedparser gives no meaning to (``slash:comments``, ``wfw:commentRss``...) or gives a
  meaning Mimir never reads (rights, contributors, geo data, media ratings...);
* text values without child elements (escaped markup or CDATA, as feeds carry HTML), and Atom
  text constructs of type ``text`` or ``html``;
* attributes in no namespace, the XML namespace or one feedparser knows.

Anything else returns None and the caller runs feedparser: RSS 0.9x and 1.0 (RDF), Atom 0.3,
malformed XML, xhtml content, media titles and descriptions, repeated titles... A test runs
both over every sample feed and over generated ones and requires the same entries.
"""

from __future__ import annotations

import contextlib
import functools
import re
from typing import Any

from feedparser.api import StrictFeedParser
from feedparser.datetimes import _parse_date
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin
from lxml import etree

from mimir.parse.xmlsniff import safe_parser

ATOM_NS = "http://www.w3.org/2005/Atom"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_LANG_ATTR = f"{{{_XML_NS}}}lang"
#: namespace URI (lower case) -> feedparser's prefix ("" for the core RSS/Atom namespaces)
_PREFIXES: dict[str, str] = {uri.lower(): p for uri, p in _FeedParserMixin.namespaces.items()}
_CAN_BE_RELATIVE = _FeedParserMixin.can_be_relative_uri
_HTML_TYPES = _FeedParserMixin.html_types
_map_content_type = _FeedParserMixin.map_content_type
_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|(([a-zA-Z0-9\-]+\.)+))"""
    r"""([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)
_LINK_REF = re.compile("&([A-Za-z0-9_]+);")

#: keys of a feedparser entry (or feed) that mimir.parse.rss reads, or that feedparser's
#: handlers use for their own bookkeeping; an unhandled element landing on one is a deferral
_READ_KEYS = frozenset(
    {
        "feedburner_origlink", "link", "links", "id", "guidislink", "published",
        "published_parsed", "updated", "updated_parsed", "summary", "summary_detail",
        "content", "authors", "author", "author_detail", "tags", "media_content",
        "media_thumbnail", "image", "title", "title_detail", "language", "ttl",
        "sy_updateperiod", "sy_updatefrequency", "subtitle", "description", "category",
        "name", "email", "href", "url", "uri", "item", "entry", "items", "entries", "source",
    }
)  # fmt: skip
#: elements feedparser has handlers for whose keys Mimir never reads (item or entry level)
_HARMLESS = frozenset(
    {
        "rights", "copyright", "dc_rights", "contributor", "dc_contributor", "dc_publisher",
        "webmaster", "created", "dcterms_created", "expirationdate", "dcterms_valid",
        "media_rating", "media_credit", "media_restriction", "media_license", "media_player",
        "itunes_explicit", "itunes_block", "georss_point", "georss_line", "georss_polygon",
        "georss_box", "georss_where", "where", "gml_point", "gml_linestring", "gml_polygon",
        "gml_exterior", "gml_linearring", "gml_pos", "gml_poslist", "psc_chapters",
        "psc_chapter", "cc_license", "creativecommons_license", "generator", "info",
        "feedburner_browserfriendly", "subtitle", "tagline", "itunes_subtitle",
    }
)  # fmt: skip


class Defer(Exception):
    """The document needs feedparser."""


@functools.cache  # a few dozen element names per feed, the same ones feed after feed
def _has_handler(key: str) -> bool:
    return hasattr(StrictFeedParser, f"_start_{key}") or hasattr(StrictFeedParser, f"_end_{key}")


_KEYS: dict[tuple[str, str | None], str] = {}


def _key(el: Any) -> str:
    """feedparser's name for an element: its namespace's standard prefix, then the local name
    (an unknown namespace keeps the document's own prefix)."""
    found = _KEYS.get((el.tag, el.prefix))
    if found is not None:
        return found
    qname = etree.QName(el)
    local: str = qname.localname.lower()
    key = local
    if qname.namespace is not None:
        uri = qname.namespace.lower()
        prefix = "" if "backend.userland.com/rss" in uri else _PREFIXES.get(uri)
        if prefix is None:
            prefix = (el.prefix or "").lower()
        key = f"{prefix}_{local}" if prefix else local
    if len(_KEYS) < 4096:
        _KEYS[(el.tag, el.prefix)] = key
    return key


def _attrs(el: Any) -> dict[str, str]:
    """Attributes as feedparser's strict parser names them: lower case, rel/type values too."""
    out: dict[str, str] = {}
    for name, value in el.attrib.items():
        qname = etree.QName(name)
        local = qname.localname
        if qname.namespace is not None:
            prefix = _PREFIXES.get(qname.namespace.lower())
            if qname.namespace == _XML_NS:
                prefix = "xml"
            elif prefix is None:  # feedparser would also file it under its bare local name
                raise Defer(f"an attribute in the namespace {qname.namespace}")
            if prefix:
                local = f"{prefix}:{local}"
        key = local.lower()
        out[key] = value.lower() if key in ("rel", "type") else value
    return out


def _text(el: Any) -> str:
    if len(el):
        raise Defer("markup inside a text element")
    return el.text or ""


class _Reader:
    """One document's values, with the state feedparser's ``pop`` consults."""

    def __init__(self, base: str, atom: bool) -> None:
        self.base = base
        self.atom = atom

    def value(
        self,
        element: str,
        raw: str,
        *,
        guid_is_link: bool = True,
        expecting_text: bool = True,
    ) -> str:
        """``_FeedParserMixin.pop`` for one element's text, as Mimir runs feedparser (markup
        left as written: ``resolve_relative_uris=False``, ``sanitize_html=False``)."""
        output = raw.strip()
        if not expecting_text:
            return output
        if element in _CAN_BE_RELATIVE and output and (element != "id" or guid_is_link):
            output = _urljoin(self.base, output)
        if output.isascii():
            return output  # the two repairs below change nothing in ASCII
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            output = output.encode("iso-8859-1").decode("utf-8")  # feedparser's mojibake repair
        return output.translate(_cp1252)

    def construct_type(self, attrs: dict[str, str], default: str) -> str:
        if "mode" in attrs or "src" in attrs:
            raise Defer("base64 or out-of-line content")
        declared = str(_map_content_type(attrs.get("type", default)))
        if declared not in ("text/plain", "text/html"):
            raise Defer(f"content of type {declared}")
        return declared


def _sync_author_detail(context: dict[str, Any]) -> None:
    """feedparser's ``_sync_author_detail``: the last author's name and e-mail as ``author``,
    or, while that entry is still empty, the ``author`` text split into name and e-mail."""
    detail = context.get("authors", [{}])[-1]
    if detail:
        name, email = detail.get("name"), detail.get("email")
        if name and email:
            context["author"] = f"{name} ({email})"
        elif name:
            context["author"] = name
        elif email:
            context["author"] = email
        return
    author, email = context.get("author"), None
    if not author:
        return
    match = _EMAIL.search(author)
    if match:
        email = match.group(0)
        author = author.replace(email, "").replace("()", "").replace("<>", "")
        author = author.replace("&lt;&gt;", "").strip()
        if author and author[0] == "(":
            author = author[1:]
        if author and author[-1] == ")":
            author = author[:-1]
        author = author.strip()
    if author or email:
        context.setdefault("author_detail", detail)
    if author:
        detail["name"] = author
    if email:
        detail["email"] = email


def _author(r: _Reader, context: dict[str, Any], el: Any) -> None:
    """An author element, as feedparser's handlers build it: Atom's person construct (name,
    email, uri) or a text (RSS author, managingEditor, dc:creator: "jo@ex.com (Jo)")."""
    context.setdefault("authors", []).append({})
    for child in el:
        key = _key(child)
        if key in ("name", "email"):
            value = r.value(key, _text(child), expecting_text=False)
        elif key in ("uri", "url", "homepage"):
            key, value = "href", r.value("href", _text(child))
        elif _has_handler(key) or key in _READ_KEYS:
            raise Defer(f"<{key}> in an author")
        elif len(child) or ((child.text or "").strip() and child.attrib):
            raise Defer(f"<{key}> with content in an author")  # its text would join the name's
        else:
            continue  # an extension (Blogger's gd:image): kept aside by feedparser
        context.setdefault("author_detail", {})[key] = value
        _sync_author_detail(context)
        context["authors"][-1][key] = value
    if len(el) and ((el.text or "").strip() or any((c.tail or "").strip() for c in el)):
        raise Defer("text beside an author's name")
    text = "".join([el.text or "", *(c.tail or "" for c in el)])
    context["author"] = r.value("author", text)
    _sync_author_detail(context)


def _add_tag(context: dict[str, Any], term: Any, scheme: Any, label: Any) -> None:
    tags = context.setdefault("tags", [])
    if not term and not scheme and not label:
        return
    value = {"term": term, "scheme": scheme, "label": label}
    if value not in tags:
        tags.append(value)


def _category(r: _Reader, context: dict[str, Any], el: Any) -> None:
    attrs = _attrs(el)
    _add_tag(context, attrs.get("term"), attrs.get("scheme", attrs.get("domain")),
             attrs.get("label"))  # fmt: skip
    value = r.value("category", _text(el))
    if not value:
        return
    tags = context["tags"]
    if tags and not tags[-1]["term"]:
        tags[-1]["term"] = value
    else:
        _add_tag(context, value, None, None)


def _enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    """feedparser's ``_enforce_href``: a non-empty url or uri attribute becomes ``href``."""
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


def _link(r: _Reader, context: dict[str, Any], el: Any, in_entry: bool) -> None:
    attrs = _attrs(el)
    attrs.setdefault("rel", "alternate")
    attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
    attrs = _enforce_href(attrs)
    if "href" in attrs:
        attrs["href"] = _urljoin(r.base, attrs["href"])
    links = context.setdefault("links", [])
    links.append(attrs)
    if "href" in attrs:
        if len(el) or (el.text or "").strip():
            raise Defer("a link with both an href and text")
        if attrs["rel"] == "alternate" and _map_content_type(attrs["type"]) in _HTML_TYPES:
            context["link"] = attrs["href"]
        return
    output = r.value("link", _text(el))
    if in_entry:
        output = _LINK_REF.sub(r"&\g<1>", output.replace("&amp;", "&"))
        context["link"] = output
        if output:
            links[-1]["href"] = output
    else:
        output = _LINK_REF.sub(r"&\g<1>", output)
        context["link"] = output
        links[-1]["href"] = output


def _date(r: _Reader, context: dict[str, Any], key: str, el: Any) -> None:
    value = r.value(key, _text(el))
    context[key] = value
    context[f"{key}_parsed"] = _parse_date(value)


def _entry(r: _Reader, el: Any) -> dict[str, Any]:
    """One <item> or <entry> as feedparser's entry dictionary (the keys Mimir reads)."""
    entry: dict[str, Any] = {}
    seen: dict[str, int] = {}
    for child in el:
        key = _key(child)
        if key == "media_group":
            if (child.text or "").strip() or child.attrib:
                raise Defer("text in media:group")
            for node in child:
                _entry_element(r, entry, node, _key(node), seen)
        else:
            _entry_element(r, entry, child, key, seen)
    # feedparser copies the first html/text content into `summary` when nothing else set it
    if "summary" not in seen and entry.get("content"):
        entry["summary"] = entry["content"][0]["value"]
    for key, count in seen.items():
        if count > 1:
            raise Defer(f"{count} <{key}> elements in one entry")
    return entry


def _count(seen: dict[str, int], name: str) -> None:
    seen[name] = seen.get(name, 0) + 1


#: children feedparser files away from the channel's own values (the owner's name and e-mail
#: as the publisher, nested iTunes categories as tags)
_OWN_CHILDREN = {
    "itunes_owner": frozenset({"itunes_name", "itunes_email"}),
    "itunes_category": frozenset({"itunes_category"}),
}


def _check_nested(el: Any, key: str) -> None:
    """Defer when an element feedparser gives a meaning to sits inside ``el``: its handler
    would file it in the enclosing item or channel, where this reader does not look."""
    if len(el) and key != "author":  # an author's children are read by _author
        allowed = _OWN_CHILDREN.get(key, frozenset())
        for sub in el.iterdescendants():
            sub_key = _key(sub)
            if sub_key not in allowed and (_has_handler(sub_key) or sub_key in _READ_KEYS):
                raise Defer(f"<{sub_key}> inside <{key}>")


def _title(r: _Reader, context: dict[str, Any], el: Any, seen: dict[str, int]) -> None:
    _count(seen, "title")
    kind = r.construct_type(_attrs(el), "text/plain")
    context["title"] = r.value("title", _text(el))
    context["title_detail"] = {"type": kind}


def _identifier(r: _Reader, context: dict[str, Any], el: Any, seen: dict[str, int]) -> None:
    """A guid (RSS) or id (Atom); a permalink is also the link until a <link> says otherwise."""
    _count(seen, "id")
    is_link = _attrs(el).get("ispermalink", "true") == "true"
    context["id"] = r.value("id", _text(el), guid_is_link=is_link)
    if is_link:
        context.setdefault("link", context["id"])


def _entry_element(
    r: _Reader, entry: dict[str, Any], el: Any, key: str, seen: dict[str, int]
) -> None:
    atom = r.atom
    _check_nested(el, key)
    if key in ("title", "dc_title"):
        _title(r, entry, el, seen)
    elif key == "link":
        _link(r, entry, el, True)
    elif (key == "description" and not atom) or (key == "summary" and atom):
        _count(seen, "summary")
        r.construct_type(_attrs(el), "text/html" if key == "description" else "text/plain")
        entry["summary"] = r.value(key, _text(el))
    elif (key == "content_encoded" and not atom) or (key == "content" and atom):
        kind = r.construct_type(_attrs(el), "text/plain" if atom else "text/html")
        value = r.value("content", _text(el))
        entry.setdefault("content", []).append({"type": kind, "value": value, "base": r.base})
    elif (key == "guid" and not atom) or (key == "id" and atom):
        _identifier(r, entry, el, seen)
    elif key in ("pubdate", "published", "dcterms_issued", "issued"):
        _count(seen, "published")
        _date(r, entry, "published", el)
    elif key in ("updated", "dc_date", "dcterms_modified", "modified"):
        _count(seen, "updated")
        _date(r, entry, "updated", el)
    elif key in ("author", "dc_creator", "dc_author"):
        _author(r, entry, el)
    elif key in ("category", "dc_subject"):
        _category(r, entry, el)
    elif key == "enclosure" and not atom:
        attrs = _enforce_href(_attrs(el))
        attrs["rel"] = "enclosure"
        entry.setdefault("links", []).append(attrs)
    elif key == "media_content":
        if (el.text or "").strip():
            raise Defer("media:content with text")
        entry.setdefault("media_content", []).append(_attrs(el))
    elif key == "media_thumbnail":
        attrs = _attrs(el)
        entry.setdefault("media_thumbnail", []).append(attrs)
        url = r.value("url", _text(el))
        if url.strip() and "url" not in attrs:
            attrs["url"] = url
    elif key in ("itunes_image", "itunes_link"):
        attrs = _attrs(el)
        if attrs.get("href"):
            entry["image"] = {"href": attrs["href"]}
        elif attrs.get("url"):
            entry["image"] = {"href": attrs["url"]}
    elif key == "feedburner_origlink":
        if el.attrib:
            raise Defer("attributes on feedburner:origLink")
        entry[key] = r.value(key, _text(el))
    elif key == "source" and not atom:
        pass  # RSS <source url="...">name</source>: feedparser keeps it aside, Mimir ignores it
    elif _has_handler(key):
        if key not in _HARMLESS:
            raise Defer(f"<{key}> in an entry")
    elif key in _READ_KEYS:
        raise Defer(f"<{key}> in an entry")


#: channel elements whose children feedparser reads in a context of their own (the channel's
#: image, its text input) unless an unexpected child makes it forget that it is inside one
_NESTED_CONTEXTS = {
    "image": frozenset({"title", "link", "description", "url", "href", "width", "height"}),
    "textinput": frozenset({"title", "link", "description", "name"}),
}
#: channel-level elements Mimir never reads
_FEED_IGNORED = frozenset(
    {
        "cloud", "category", "dc_subject", "generator", "description", "subtitle", "tagline",
        "rights", "copyright", "dc_rights", "updated", "lastbuilddate", "pubdate", "dc_date",
        "published", "icon", "logo", "webmaster", "dc_publisher", "docs", "itunes_image",
        "itunes_category", "itunes_explicit", "itunes_owner", "itunes_summary",
        "itunes_subtitle", "itunes_keywords", "itunes_block", "media_thumbnail",
        "media_rating", "media_credit", "media_copyright", "skiphours", "skipdays",
        "media_category", "media_keywords", "modified", "info", "feedburner_info",
        "feedburner_browserfriendly",
    }
)  # fmt: skip


def _feed_values(r: _Reader, channel: Any, root: Any) -> tuple[dict[str, Any], list[Any]]:
    """The channel's (or Atom feed's) own values, and its items."""
    feed: dict[str, Any] = {}
    items: list[Any] = []
    lang = root.get(_LANG_ATTR, root.get("lang"))
    if lang:
        feed["language"] = lang.replace("_", "-")
    for holder in (root, channel):  # the same element twice for Atom: harmless
        if "href" in holder.attrib or "lastmod" in holder.attrib:
            raise Defer("a CDF channel")
    counts: dict[str, int] = {}
    entry_tag = "entry" if r.atom else "item"
    for child in channel:
        key = _key(child)
        if key == entry_tag:
            items.append(child)
            continue
        if key in _NESTED_CONTEXTS:
            if r.atom or any(_key(c) not in _NESTED_CONTEXTS[key] for c in child.iter()
                             if c is not child):  # fmt: skip
                raise Defer(f"an unusual <{key}>")
            continue
        _check_nested(child, key)
        if key in ("title", "dc_title"):
            _title(r, feed, child, counts)
        elif key == "link":
            _link(r, feed, child, False)
        elif key in ("id", "guid"):
            _identifier(r, feed, child, counts)
        elif key in ("language", "dc_language"):
            _count(counts, "language")
            feed["language"] = r.value("language", _text(child))
        elif key in ("ttl", "sy_updateperiod", "sy_updatefrequency"):
            if child.attrib:
                raise Defer(f"attributes on <{key}>")
            feed[key] = r.value(key, _text(child))
        elif key in ("author", "managingeditor", "dc_creator", "dc_author"):
            _author(r, feed, child)
        elif key in _FEED_IGNORED:
            continue
        elif key in ("entry", "item", "items", "entries", "channel", "feed", "rss"):
            raise Defer(f"<{key}> inside the channel")
        elif _has_handler(key) or key in _READ_KEYS:
            raise Defer(f"<{key}> in the channel")
    for key, count in counts.items():
        if count > 1:
            raise Defer(f"{count} <{key}> elements in the channel")
    return feed, items


def parse(data: bytes, url: str) -> dict[str, Any] | None:
    """``feedparser.parse``'s result for ``data`` (UTF-8 XML, as ``run_feedparser`` prepares
    it), reduced to what Mimir reads; None when feedparser must read it."""
    if b"<!DOCTYPE" in data[:4096] or b"<!ENTITY" in data[:4096]:
        return None
    if b"xml:base" in data:  # one scan in C instead of a look at every element's attributes
        return None  # (the words in a text defer too: feedparser reads that alike)
    try:
        root = etree.fromstring(data, safe_parser(recover=False))
    except etree.XMLSyntaxError:
        return None
    try:
        return _parse_tree(root, url)
    except Defer:
        return None


def _parse_tree(root: Any, url: str) -> dict[str, Any]:
    if root.tag == "rss":
        if not root.get("version", "").startswith("2."):
            raise Defer("not RSS 2.x")
        channels = [c for c in root if c.tag == "channel"]
        if len(channels) != 1 or len(root) != 1:
            raise Defer("not one channel")
        reader = _Reader(url, atom=False)
        feed, items = _feed_values(reader, channels[0], root)
        version = "rss20"
    elif root.tag == f"{{{ATOM_NS}}}feed":
        reader = _Reader(url, atom=True)
        feed, items = _feed_values(reader, root, root)
        version = "atom10"
    else:
        raise Defer("not RSS 2.0 or Atom 1.0")
    entries = [_entry(reader, item) for item in items]
    return {"feed": feed, "entries": entries, "version": version, "bozo": False}


__all__ = ["parse"]
