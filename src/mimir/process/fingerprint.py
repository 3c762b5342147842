"""Content fingerprints: the third identity rung, and "did this article change"."""

from __future__ import annotations

import hashlib
import unicodedata

_DROP_CATEGORIES = ("P", "C")  # punctuation; control, format (zero-width), unassigned...


def normalize_text(text: str) -> str:
    """NFKC, casefold, punctuation and invisible characters dropped, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).casefold()
    kept = (
        " " if ch.isspace() else ch
        for ch in text
        if ch.isspace() or unicodedata.category(ch)[0] not in _DROP_CATEGORIES
    )
    return " ".join("".join(kept).split())


def text_fingerprint(text: str) -> str:
    """Hex SHA-256 (64 characters) of ``normalize_text(text)``."""
    return hashlib.sha256(normalize_text(text).encode("utf-8", "surrogatepass")).hexdigest()


def title_key(title: str) -> str:
    """A title normalised for comparison across sources (same rules as ``normalize_text``)."""
    return normalize_text(title)
