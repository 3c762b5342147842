"""The one tokenizer: how text becomes the words that queries match.

Every back-end must cut text into the same words, or the SQLite index, the PostgreSQL index and
the in-memory matcher would disagree about what an article contains. The rules:

1. Accent folding by table (``FOLDS``, after NFC composition): Latin letters lose their
   diacritics (``é`` -> ``e``,
   ``ą`` -> ``a``), and the Latin letters PostgreSQL's ``unaccent`` spells out are spelled the
   same way (``æ`` -> ``ae``, ``ø`` -> ``o``, ``ł`` -> ``l``, ``þ`` -> ``th``); Greek loses
   its tonos and dialytika; Cyrillic ``ё`` -> ``е`` (``й`` stays ``й``: it is a letter of its
   own, and ``unaccent`` and FTS5 keep it too). Stray combining marks are dropped.
2. Unicode NFKC: ligatures, full-width and other compatibility forms become plain letters
   (``ﬁ`` -> ``fi``).
3. Case folding (``casefold``: ``Straße`` -> ``strasse``, final sigma -> sigma), then the
   accent table again for what NFKC and case folding produced.
4. Words are the runs of letters and digits (Unicode categories L* and N*); everything else
   (spaces, punctuation, symbols, ``_``) separates words. ``3.0`` is the two words ``3 0`` and
   ``don't`` is ``don t``, which is how every back-end sees them too.

The SQLite index gets the same words from FTS5's ``unicode61 remove_diacritics 2`` tokenizer
fed by triggers that first spell out the letters it does not fold (``SQLITE_SPELLED``); the
PostgreSQL index gets them from ``unaccent``, ``lower`` and a regular expression that turns every
non-alphanumeric run into a space (see ``docs/search.md``). The three agree on Latin, Greek and
Cyrillic text; scripts written without spaces (Chinese, Japanese, Thai) are indexed as whole runs
and would need a word segmenter.
"""

# ruff: noqa: RUF001, RUF002  (letters of other alphabets are the point here)

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

#: characters of a field that are indexed (the same cut on every back-end; it also keeps a
#: PostgreSQL tsvector well below its 1 MB limit)
MAX_FIELD_CHARS = 200_000

#: letters that need more than dropping a diacritic (after case folding), as ``unaccent`` has them
_SPELLED: dict[str, str] = {
    "æ": "ae",
    "ǽ": "ae",
    "ǣ": "ae",
    "ø": "o",
    "ǿ": "o",
    "œ": "oe",
    "ł": "l",
    "ŀ": "l",
    "đ": "d",
    "ð": "d",
    "þ": "th",
    "ħ": "h",
    "ı": "i",
    "ĳ": "ij",
    "ŋ": "n",
    "ŧ": "t",
    "ß": "ss",
}

#: what the SQLite triggers replace before FTS5 sees a text: the letters above (both cases) and
#: the Greek and Cyrillic letters that FTS5's ``remove_diacritics`` leaves alone
SQLITE_SPELLED: tuple[tuple[str, str], ...] = (
    ("ß", "ss"),
    ("ẞ", "ss"),
    ("æ", "ae"),
    ("Æ", "ae"),
    ("ø", "o"),
    ("Ø", "o"),
    ("œ", "oe"),
    ("Œ", "oe"),
    ("ł", "l"),
    ("Ł", "l"),
    ("ŀ", "l"),
    ("Ŀ", "l"),
    ("đ", "d"),
    ("Đ", "d"),
    ("ð", "d"),
    ("Ð", "d"),
    ("þ", "th"),
    ("Þ", "th"),
    ("ħ", "h"),
    ("Ħ", "h"),
    ("ı", "i"),
    ("ĳ", "ij"),
    ("Ĳ", "ij"),
    ("ŋ", "n"),
    ("Ŋ", "n"),
    ("ŧ", "t"),
    ("Ŧ", "t"),
    ("ά", "α"),
    ("Ά", "α"),
    ("έ", "ε"),
    ("Έ", "ε"),
    ("ή", "η"),
    ("Ή", "η"),
    ("ί", "ι"),
    ("Ί", "ι"),
    ("ό", "ο"),
    ("Ό", "ο"),
    ("ύ", "υ"),
    ("Ύ", "υ"),
    ("ώ", "ω"),
    ("Ώ", "ω"),
    ("ϊ", "ι"),
    ("Ϊ", "ι"),
    ("ϋ", "υ"),
    ("Ϋ", "υ"),
    ("ΐ", "ι"),
    ("ΰ", "υ"),
    ("ё", "е"),
    ("Ё", "е"),
)

_LATIN_RANGES = ((0x00C0, 0x0250), (0x1E00, 0x1F00))
_GREEK_RANGE = (0x0370, 0x0400)


def _build_folds() -> dict[int, str | None]:
    table: dict[int, str | None] = {}
    for lo, hi in (*_LATIN_RANGES, _GREEK_RANGE):
        for cp in range(lo, hi):
            char = chr(cp)
            decomposed = unicodedata.normalize("NFD", char)
            base, marks = decomposed[0], decomposed[1:]
            if marks and all(unicodedata.combining(m) for m in marks) and base.isalpha():
                table[cp] = base.casefold()
    for char, spelled in _SPELLED.items():
        table[ord(char)] = spelled
        if len(char.upper()) == 1:
            table[ord(char.upper())] = spelled
    table[ord("ё")] = "е"
    table[ord("Ё")] = "е"
    for cp in range(0x0300, 0x0370):  # combining diacritical marks left over
        table[cp] = None
    return table


#: the accent-folding table (applied after NFKC and case folding)
FOLDS: dict[int, str | None] = _build_folds()

_WORD = re.compile(r"[^\W_]+")


def normalize(text: str) -> str:
    """``text`` folded for matching: NFKC, case folding, accents removed (see module docs)."""
    if text.isascii():
        return text.lower()
    return _fold(text)


def _fold(text: str) -> str:
    # accents go before NFKC, which would split ``ŀ`` in two (``l·``); NFC first so that a
    # decomposed ``й`` stays ``й``; folding again after NFKC and case folding catches what
    # those two produce (``ǅ`` -> ``dž`` -> ``dz``)
    folded = _apply_folds(unicodedata.normalize("NFC", text))
    return _apply_folds(unicodedata.normalize("NFKC", folded).casefold())


def _apply_folds(text: str) -> str:
    """``text.translate(FOLDS)``, six times faster on text with few foldable characters (most
    text): ``translate`` looks every character up in the table, this finds the few that are
    in it with one compiled character class."""
    return _FOLDABLE.sub(_fold_match, text)


def _fold_match(match: re.Match[str]) -> str:
    return FOLDS[ord(match.group())] or ""


_FOLDABLE = re.compile("[" + "".join(re.escape(chr(cp)) for cp in sorted(FOLDS)) + "]")


def words(text: str | None) -> list[str]:
    """The words of ``text``, folded: ``"Café-Bar 3.0"`` -> ``["cafe", "bar", "3", "0"]``."""
    if not text:
        return []
    return _WORD.findall(normalize(text[:MAX_FIELD_CHARS]))


def query_words(text: str) -> list[str]:
    """The words of a piece of query text (no field cut)."""
    return _WORD.findall(normalize(text))


@dataclass(frozen=True, slots=True)
class Span:
    """One word of a text: its folded form and where it is in the original."""

    word: str
    start: int
    end: int


def spans(text: str) -> list[Span]:
    """The words of ``text`` with their character offsets in ``text`` (for highlighting).

    A run of letters, digits and combining marks in the original is folded on its own; in the
    rare case that folding splits it into several words (``l·l`` from ``ŀl``), each of them gets
    the whole run's offsets.
    """
    text = text[:MAX_FIELD_CHARS]
    if text.isascii():
        return [Span(m.group().lower(), m.start(), m.end()) for m in _WORD.finditer(text)]
    out: list[Span] = []
    for m in _RUN.finditer(text):
        run = m.group()
        if run.isascii():
            out.append(Span(run.lower(), m.start(), m.end()))
            continue
        for word in _WORD.findall(_fold_cluster(run)):
            out.append(Span(word, m.start(), m.end()))
    return out


#: what may be (part of) a word before folding: letters, digits, combining marks
_RUN = re.compile(
    r"(?:[^\W_]|[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff])+"
)


@lru_cache(maxsize=8192)
def _fold_cluster(run: str) -> str:
    return run.lower() if run.isascii() else _fold(run)
