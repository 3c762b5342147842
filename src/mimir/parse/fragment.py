"""Full-content feed entries: an HTML fragment to plain text and sanitized reading HTML."""

from __future__ import annotations

from mimir.parse.sanitize import html_to_paragraphs, sanitize_html


def text_from_html(fragment: str, base_url: str | None = None) -> tuple[str, str | None]:
    """(text, sanitized html) of a feed's `content:encoded` / Atom content: the text one
    paragraph a line, as an extracted page's."""
    if not fragment.strip():
        return "", None
    clean = sanitize_html(fragment, base_url)
    return html_to_paragraphs(clean), clean or None
