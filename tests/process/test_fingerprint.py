"""text_fingerprint, title_key, normalize_text."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mimir.process.fingerprint import normalize_text, text_fingerprint, title_key


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("Hello,   World!", "hello world"),
        ("  tabs\tand\nnew lines\r\n", "tabs and new lines"),
        ("\u201cSmart\u201d \u2014 quotes\u2026", "smart quotes"),
        ("STRASSE Stra\u00dfe", "strasse strasse"),
        ("\ufb01ne \uff21\uff22\uff23", "fine abc"),  # ligature and full-width (NFKC)
        ("zero\u200bwidth", "zerowidth"),
        ("caf\u00e9 vs cafe\u0301", "caf\u00e9 vs caf\u00e9"),  # composed either way
        ("", ""),
    ],
)
def test_normalize_text(text: str, normalized: str) -> None:
    assert normalize_text(text) == normalized


def test_fingerprint_ignores_presentation_only() -> None:
    a = text_fingerprint("Harmonic launches XOS, the new platform.")
    b = text_fingerprint("  HARMONIC launches XOS   the new platform ")
    assert a == b and len(a) == 64
    assert a != text_fingerprint("Harmonic launches VOS, the new platform.")


def test_title_key() -> None:
    assert title_key("ATSC 3.0: NextGen TV \u2013 Launch!") == title_key(
        "atsc 3.0 nextgen tv launch"
    )


@settings(deadline=None)
@given(st.text())
def test_normalize_is_idempotent_and_fingerprint_stable(text: str) -> None:
    once = normalize_text(text)
    assert normalize_text(once) == once
    assert text_fingerprint(text) == text_fingerprint(once)
