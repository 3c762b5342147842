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


#: the commonest short words of the languages most sites declare, few shared between them: a
#: text in one of these languages has many of its own (about a fifth of its words in English,
#: German or French) and few of another's
_COMMON: dict[str, str] = {
    "en": "the and of to is that for with was are it this by from have be",
    "de": "der die und das ist nicht mit den von zu sich auf ein eine im dem",
    "fr": "le la les et des est une du dans que pour pas sur au qui",
    "es": "el los las y del por con una para es se lo como",
    "it": "il che di per non una della con sono gli nel alla",
    "nl": "het een en van dat niet op voor met zijn ook er",
    "pt": "os do da em um para com não uma no na ao",
}
#: each common word and the languages it is common in
_COMMON_WORDS: dict[str, tuple[str, ...]] = {}
for _language, _words in _COMMON.items():
    for _word in _words.split():
        _COMMON_WORDS[_word] = (*_COMMON_WORDS.get(_word, ()), _language)
#: the scripts of languages not written in Latin letters
_SCRIPTS: dict[str, re.Pattern[str]] = {
    **dict.fromkeys(("ru", "uk", "bg", "sr", "mk", "be", "kk"), re.compile("[\u0400-\u04ff]+")),
    **dict.fromkeys(("ar", "fa", "ur"), re.compile("[\u0600-\u06ff]+")),
    **dict.fromkeys(("zh", "ja"), re.compile("[\u3040-\u30ff\u3400-\u9fff]+")),
    "ko": re.compile("[\uac00-\ud7af]+"),
    "el": re.compile("[\u0370-\u03ff]+"),
    "he": re.compile("[\u0590-\u05ff]+"),
    "th": re.compile("[\u0e00-\u0e7f]+"),
}
_WORD = re.compile(r"[^\W\d_]+")
_LATIN = re.compile(r"[A-Za-z\u00c0-\u024f]+")
#: the sample the first glance reads, the sample the detector reads and the least text that
#: can be judged (characters)
_GLANCE_CHARS, _CHECK_CHARS, _CHECK_MIN = 600, 1500, 300
#: how sure the detector must be to overrule a page's own declaration
_OVERRULE = 0.99


def _letters(pattern: re.Pattern[str], text: str) -> int:
    return sum(map(len, pattern.findall(text)))


def _doubtful(declared: str, sample: str) -> bool:
    """Whether ``sample`` reads unlike ``declared`` at a glance: few of its common words and
    many of another language's, or letters of another script. Cheap (hundredths of a
    millisecond), so that the detector runs only where the declaration is in doubt."""
    script = _SCRIPTS.get(declared)
    if script is not None:
        return _letters(script, sample) < _letters(_LATIN, sample) // 4
    if declared not in _COMMON:
        return False
    words = _WORD.findall(sample)
    if not words:
        return False
    if _letters(_LATIN, sample) < sum(map(len, words)) // 2:
        return True  # a Latin-script language declared over Cyrillic, Arabic, CJK... text
    counts = dict.fromkeys(_COMMON, 0)
    for word in words:
        for language in _COMMON_WORDS.get(word.lower(), ()):
            counts[language] += 1
    own = counts.pop(declared)
    return own < 0.05 * len(words) and max(counts.values()) >= 0.1 * len(words)


def checked_language(declared: str | None, text: str) -> str | None:
    """The page's declared language, unless its text is plainly in another: templates declare
    their own default (a German blog's WordPress theme says ``lang="en"``, Facebook the
    visitor's locale, Rosneft's English page "ru"). 7 of the 268 real pages of
    ``bench.realpages`` declared a language their text is not in. The detector (about 1 ms)
    runs only where ``_doubtful`` says so, and overrules only when sure."""
    if declared is None:
        return None
    sample = text[:_CHECK_CHARS]
    if len(sample) < _CHECK_MIN or not _doubtful(declared, sample[:_GLANCE_CHARS]):
        return declared
    code, probability = _identifier().classify(sample)
    return str(code) if code != declared and probability >= _OVERRULE else declared
