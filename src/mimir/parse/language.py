"""Language codes: declared tags reduced to ISO 639-1, or detected from text (py3langid)."""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

_TAG = re.compile(r"^\s*([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*\s*$")
# three-letter codes sources use where a two-letter one exists
_ALPHA3 = {
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ita": "it",
    "nld": "nl",
    "dut": "nl",
    "por": "pt",
    "rus": "ru",
    "jpn": "ja",
    "zho": "zh",
    "chi": "zh",
    "kor": "ko",
    "pol": "pl",
    "swe": "sv",
    "nor": "no",
    "dan": "da",
    "fin": "fi",
    "tur": "tr",
    "ara": "ar",
    "ukr": "uk",
    "ces": "cs",
}
_MIN_DETECT_CHARS = 40


def language_code(value: str | None) -> str | None:
    """``"en-US"`` -> ``"en"``; ``"de_DE"`` -> ``"de"``; None for anything that is no tag."""
    if not value:
        return None
    match = _TAG.match(value.split(",")[0])
    if match is None:
        return None
    code = match.group(1).lower()
    return _ALPHA3.get(code, code if len(code) == 2 else None)


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier  # loaded once per process

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of the text's language, or None when too short or unsure."""
    sample = text[:5000]
    if len(sample.strip()) < _MIN_DETECT_CHARS:
        return None
    code, probability = _identifier().classify(sample)
    return str(code) if probability >= 0.5 else None
