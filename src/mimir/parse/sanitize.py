"""The one HTML policy for stored content (nh3), and markup -> plain text."""

from __future__ import annotations

import html
import re
from functools import partial
from urllib.parse import urljoin

import nh3

ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "blockquote",
        "a",
        "img",
        "figure",
        "figcaption",
        "em",
        "strong",
        "b",
        "i",
        "code",
        "pre",
        "table",
        "thead",
        "tbody",
        "tr",
        "th",
        "td",
        "caption",
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href"},
    "img": {"src", "alt"},
    "th": {"colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
}
_URL_ATTRIBUTES = frozenset({"href", "src"})
_SAFE_SCHEMES = ("http:", "https:", "mailto:")
_BLOCK_TAGS = re.compile(
    r"<\s*(br|/?p|/?div|/?li|/?h[1-6]|/?tr|/?td|/?th|/?blockquote|/?pre|/?figure|/?section"
    r"|/?article|/?ul|/?ol|/?table)\b[^>]*>",
    re.I,
)
_SPACES = re.compile(r"\s+")


def _filter_attribute(base_url: str | None, tag: str, attribute: str, value: str) -> str | None:
    if attribute not in _URL_ATTRIBUTES:
        return value
    absolute = urljoin(base_url, value.strip()) if base_url else value.strip()
    if not absolute.lower().startswith(_SAFE_SCHEMES):
        return None  # javascript:, data:, vbscript:, relative without a base
    return absolute


def sanitize_html(fragment: str, base_url: str | None = None) -> str:
    """Reduce HTML to the reading subset: structure, emphasis, links, images, simple tables.

    Scripts, styles, event handlers, ``javascript:`` URLs and unknown tags go; links and images
    become absolute against ``base_url``; links get ``rel="noopener nofollow"``.
    """
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=partial(_filter_attribute, base_url),
        link_rel="noopener nofollow",
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    ).strip()


def html_to_text(fragment: str | None) -> str:
    """Plain text of an HTML fragment: tags dropped, entities decoded, spaces collapsed."""
    if not fragment:
        return ""
    if "<" not in fragment and "&" not in fragment:
        return _SPACES.sub(" ", fragment).strip()
    return _SPACES.sub(" ", _without_tags(_BLOCK_TAGS.sub(" ", fragment))).strip()


def _without_tags(fragment: str) -> str:
    """``fragment``'s text: every tag and comment dropped, entities decoded."""
    return html.unescape(nh3.clean(fragment, tags=set(), strip_comments=True))


_PRE = re.compile(r"(<pre\b.*?</pre\s*>)", re.I | re.S)
_LINE_SPACES = re.compile(r"[^\S\n]+")


def html_to_paragraphs(fragment: str | None) -> str:
    """Plain text of an article's HTML fragment, one paragraph a line, as an article page's
    text is: a block's end (``</p>``, ``<br>``, ``</li>``, a heading...) ends a line, and a
    line break in the source is a space, as a browser shows it (outside ``<pre>``)."""
    if not fragment:
        return ""
    parts = _PRE.split(fragment)
    flowing = "".join(part if i % 2 else _SPACES.sub(" ", part) for i, part in enumerate(parts))
    stripped = _without_tags(_BLOCK_TAGS.sub("\n", flowing))
    lines = (_LINE_SPACES.sub(" ", line).strip() for line in stripped.split("\n"))
    return "\n".join(line for line in lines if line)
