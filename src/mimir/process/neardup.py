"""Near-duplicate articles across sources, clustered into stories (pure: no I/O, no database).

A *story* is one text published in several places: the same press release on ten sites with
their own boilerplate, the wire copy under a new headline with paragraphs trimmed or swapped,
a lightly corrected copy, a feed entry that only has the title and opening sentence. Different
articles on the same subject (two launches by one vendor in one week, two competitors'
quarterly results, the next day's follow-up) are different stories unless their text is mostly
the same. Edits of one article are revisions of that article (identity ladder), not members.

The method
----------
1. ``normalize_text`` (NFKC, casefold, punctuation dropped) splits the body into words; every
   word is hashed once with BLAKE2b (64 bits, stable across processes and machines) and each
   ``SHINGLE_WORDS``-word shingle is hashed by combining its words' hashes.
2. A 128-permutation MinHash (datasketch, ``affine32`` scheme, fixed seed) of the body's
   shingles estimates the Jaccard similarity of two texts; with the distinct-shingle counts it
   also estimates how much of the shorter text the longer one contains (a trimmed copy). A
   64-permutation MinHash of the *lead* (the first ``LEAD_WORDS`` words of prose, bylines and
   date lines skipped) compares a feed summary with the opening of a full article. The title's
   words give an exact title Jaccard. The *key terms* (numbers and capitalised words inside
   sentences: names, products, places, amounts) of the first sentence and of the whole body,
   and the wording of the first sentence with those masked, tell a copy from a templated text
   about someone else ("X wins Y contract for 40 channels", reissued for Z).
3. Candidates are found by LSH banding (``band_keys``: 32 body bands x 4 rows, 16 lead bands x
   2 rows, plus the normalised title), looked up by equality, within ``window`` of the new
   article's publication time: per key the newest ``MAX_KEY_ARTICLES``, and of those the
   ``MAX_CANDIDATES`` that share the most keys (``rank_candidates``).
4. ``decide`` accepts a candidate when (two full texts) the texts are similar enough or the
   shorter is mostly contained in the longer, and most names and numbers agree (and all of
   them in an identically worded first sentence); when one text is short (a feed summary, a
   stub) the leads must match (less closely when the titles do) and the names and numbers of
   the first sentence must agree; a new title-only article joins on an equal normalised title
   of at least ``MIN_TITLE_WORDS`` words (a site's " | Name" suffix removed). The new article
   joins the story of the strongest accepted candidate; stories are never merged afterwards.

Thresholds, the labelled evaluation (precision and recall) and the measured cost per article are
in ``docs/stories.md`` (``python -m bench.stories``).

Storing it (the database version)
---------------------------------
Per article: its ``story_id`` and ``Signature.to_bytes()`` (about 1 KB, BLOB/BYTEA). Per
article and band key, one row ``story_bands(band_key BIGINT, article_id, published_at)`` with an
index on ``(band_key, published_at)``: ``band_keys`` returns signed 64-bit integers (BIGINT on
PostgreSQL, INTEGER on SQLite). Placing a new article::

    keys = band_keys(sig)
    -- per key, the newest MAX_KEY_ARTICLES within the window; then the MAX_CANDIDATES
    -- articles found under the most keys (rank_candidates)
    SELECT article_id, count(*) AS hits FROM (
      SELECT article_id FROM (SELECT article_id FROM story_bands
        WHERE band_key = :k0 AND published_at BETWEEN :t - :window AND :t + :window
        ORDER BY published_at DESC LIMIT :per_key) UNION ALL ...  -- one per key
    ) GROUP BY article_id ORDER BY hits DESC, article_id LIMIT :candidates
    -- load those articles' signatures and story ids, then, in Python:
    best = best_match(sig, [(article_id, Signature.from_bytes(blob)), ...])

then, in the transaction that stores the article, join ``best``'s story (or create one with
this article as its first member), insert the band rows, and set the story's lead
(``choose_lead``), first and last seen. Band rows older than the window may be deleted;
signatures stay with their articles. A revision replaces its article's signature and band rows
and keeps its story. On PostgreSQL two workers placing two copies at the same instant could
each open a story: serialise placement with a transaction-scoped advisory lock taken before
the lookup (``pg_advisory_xact_lock`` on one constant; placing takes about a millisecond).
SQLite has a single writer already.
"""

from __future__ import annotations

import hashlib
import re
import struct
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt
from datasketch import LeanMinHash, MinHash

from mimir.process.fingerprint import normalize_text

# ---- parameters (docs/stories.md gives the measurements behind each) -------------------------

SHINGLE_WORDS = 5  #: words per shingle
TEXT_PERM = 128  #: MinHash permutations over the body
TEXT_BANDS, TEXT_ROWS = 32, 4  #: LSH bands x rows over the body MinHash
LEAD_WORDS = 60  #: the lead: the first words of the body
LEAD_PERM = 64  #: MinHash permutations over the lead
LEAD_BANDS, LEAD_ROWS = 16, 2  #: LSH bands x rows over the lead MinHash
MIN_LEAD_LINE_WORDS = 8  #: the lead starts at the first line with at least this many words
MAX_TERMS = 32  #: key terms of the first sentence kept per signature
MAX_BODY_TERMS = 64  #: key terms of the body kept (the smallest hashes: a bottom-k sample)
MIN_TITLE_WORDS = 4  #: a title shorter than this is never a key on its own
MINHASH_SEED = 1  #: datasketch permutation seed: changing it changes every stored signature
FORMAT_VERSION = 1
DEFAULT_WINDOW = timedelta(hours=72)
#: candidates read per band key: the newest this many within the window. A key shared by
#: hundreds of recent articles (templated boilerplate, like a stop word) then costs no more
#: than a rare one, and a large story's keys yield members of that story
MAX_KEY_ARTICLES = 8
#: candidates compared per article: those sharing the most band keys (a near-duplicate shares
#: many, its body and lead bands; a look-alike one or two)
MAX_CANDIDATES = 12

_SCHEME = "affine32"
_MAGIC = b"MN"
#: magic, version, shingle words, lead words, text perm, lead perm, text bands, text rows,
#: lead bands, lead rows, title words, key terms, body terms, size, lead size, title key length,
#: opening key length
_HEADER = struct.Struct("<2sBBBHBBBBBBBBIHBB")
_U32 = np.dtype("<u4")
_MASK32 = np.uint64(0xFFFFFFFF)
_SHIFT32 = np.uint64(32)
#: odd 64-bit multipliers for the word positions inside a shingle (SplitMix64 and MurmurHash3
#: constants), so "a b c" and "c b a" hash differently
_POSITION_MULTIPLIERS = np.array(
    [0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB, 0xFF51AFD7ED558CCD,
     0xC4CEB9FE1A85EC53, 0x2545F4914F6CDD1D, 0xD6E8FEB86659FD93, 0xA0761D6478BD642F],
    dtype=np.uint64,
)  # fmt: skip
_KIND_TEXT, _KIND_LEAD, _KIND_TITLE = 1, 2, 3
#: " | Site name", " - Site", " — Site": a trailing segment of at most this many words is dropped
_TITLE_SUFFIX = re.compile(r"\s+(?:\||-|\u2013|\u2014|::|\u00b7)\s+(?P<tail>[^|\u2013\u2014]+)$")
_TITLE_SUFFIX_WORDS = 4
_SENTENCE_BREAK = re.compile(r"[.!?][\"\u201d\u2019)]*\s")
_MIN_SENTENCE_WORDS = 6
_UPPER = "".join(c for c in map(chr, range(0x250)) if c.isupper())  # Latin capitals
#: a token with a digit, or a capitalised token after "<a character that does not end a
#: sentence or open a quotation><space>" (so never at the start of a line or a sentence)
_KEY_TERM = re.compile(
    r"(?<!\S)(?:\S*\d\S*|(?<=[^\s.!?:;\"'(\u2013\u2014\u201c\u2018\u00ab\u201e] )["
    + _UPPER
    + r"]\S*)"
)  # whole tokens only: three times faster than trying every position

#: any capitalised token or token with a digit, wherever it stands: masked out of an opening
#: sentence to compare its wording alone
_NAME_OR_NUMBER = re.compile(r"(?<!\S)(?:\S*\d\S*|[" + _UPPER + r"]\S*)")

U32Array = npt.NDArray[np.uint32]


@dataclass(frozen=True, slots=True)
class Shape:
    """How text becomes a signature. Signatures of different shapes are never compared."""

    shingle_words: int = SHINGLE_WORDS
    lead_words: int = LEAD_WORDS
    text_perm: int = TEXT_PERM
    lead_perm: int = LEAD_PERM
    text_bands: int = TEXT_BANDS
    text_rows: int = TEXT_ROWS
    lead_bands: int = LEAD_BANDS
    lead_rows: int = LEAD_ROWS

    def __post_init__(self) -> None:
        if not 1 <= self.shingle_words <= len(_POSITION_MULTIPLIERS):
            raise ValueError(f"shingle_words must be 1..{len(_POSITION_MULTIPLIERS)}")
        small = (self.lead_words, self.lead_perm, self.text_bands, self.text_rows,
                 self.lead_bands, self.lead_rows)  # fmt: skip
        if not all(1 <= v <= 255 for v in small) or not 1 <= self.text_perm <= 0xFFFF:
            raise ValueError("shape values out of range (1..255; text_perm 1..65535)")
        if self.text_bands * self.text_rows > self.text_perm:
            raise ValueError("text_bands x text_rows exceeds text_perm")
        if self.lead_bands * self.lead_rows > self.lead_perm:
            raise ValueError("lead_bands x lead_rows exceeds lead_perm")


DEFAULT_SHAPE = Shape()


@dataclass(frozen=True, slots=True)
class Thresholds:
    """The decision rule's thresholds (``accepts``); the defaults are the measured choice."""

    #: two full texts: a Jaccard estimate at or above this joins
    text: float = 0.5
    #: ... or the shorter text is at least this much contained in the longer one
    containment: float = 0.7
    #: ... and in either case at least this share of the names and numbers of the body with
    #: fewer of them appears in the other (a templated release about someone else fails)
    body_terms: float = 0.7
    #: a body with fewer distinct shingles than this is short (a feed summary, a stub): the
    #: leads decide
    min_text_shingles: int = 150
    #: the share of the smaller first-sentence key-term set (names, numbers) found in the
    #: other: needed by short texts, and by full texts whose first sentences are worded alike
    terms: float = 0.8
    #: short texts: at least this share of the shorter lead found in the other lead...
    lead: float = 0.5
    #: ... or at least this share when the titles' word Jaccard is at least ``title``
    lead_with_title: float = 0.25
    title: float = 0.5
    #: a short text needs at least this many distinct shingles to be compared at all
    min_lead_shingles: int = 8
    #: whether an article with text may join a story through a title-only member (equal
    #: titles). Off: a title-only article joins a story, never the other way round, so two
    #: stories that happen to share a headline are not chained through a stub; the price is
    #: a stub that arrives before every copy with text stays on its own.
    text_joins_via_title: bool = False


DEFAULT_THRESHOLDS = Thresholds()


# ---- text to shingles and terms ----------------------------------------------------------------

#: each distinct word is hashed once per process; the cache is emptied when it reaches its limit
#: (about 15 MB; a news vocabulary of a few days mostly fits)
_WORD_HASHES: dict[str, int] = {}
_WORD_CACHE_LIMIT = 1 << 17


def _word_hash(word: str) -> int:
    value = _WORD_HASHES.get(word)
    if value is None:
        digest = hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        value = int.from_bytes(digest, "little")
        if len(_WORD_HASHES) >= _WORD_CACHE_LIMIT:
            _WORD_HASHES.clear()
        _WORD_HASHES[word] = value
    return value


def words(text: str) -> list[str]:
    """The words of ``text`` after ``normalize_text`` (case, accents, punctuation)."""
    return normalize_text(text).split()


def _token_hashes(tokens: Sequence[str]) -> npt.NDArray[np.uint64]:
    cached = list(map(_WORD_HASHES.get, tokens))
    if None in cached:
        cached = [_word_hash(t) if v is None else v for t, v in zip(tokens, cached, strict=True)]
    return np.array(cached, dtype=np.uint64)


def _shingles(hashes: npt.NDArray[np.uint64], k: int) -> U32Array:
    if not hashes.size:
        return np.empty(0, dtype=np.uint32)
    k = min(k, hashes.size)
    count = hashes.size - k + 1
    combined = hashes[:count] * _POSITION_MULTIPLIERS[0]
    for j in range(1, k):
        combined += hashes[j : j + count] * _POSITION_MULTIPLIERS[j]
    folded = ((combined >> _SHIFT32) ^ combined) & _MASK32
    return np.unique(folded.astype(np.uint32))


def shingle_hashes(tokens: Sequence[str], k: int = SHINGLE_WORDS) -> U32Array:
    """Distinct 32-bit hashes of the ``k``-word shingles of ``tokens``, sorted.

    Fewer than ``k`` words make one shingle of all of them; no words, no shingles. Each word is
    hashed with BLAKE2b (64 bits); a shingle is the sum of its words' hashes times a fixed odd
    multiplier per position (mod 2^64), folded to 32 bits. Stable across processes.
    """
    return _shingles(_token_hashes(tokens), k)


def lead_text(text: str, limit_words: int = LEAD_WORDS) -> str:
    """The opening of the body: from the first line of at least ``MIN_LEAD_LINE_WORDS`` words
    (so bylines, date lines, share bars and "PRESS RELEASE" do not count) to about
    ``limit_words`` words. A text without such a line is its own lead."""
    lines = text.splitlines()
    start = next((i for i, line in enumerate(lines)
                  if len(line.split()) >= MIN_LEAD_LINE_WORDS), None)  # fmt: skip
    if start is None:
        return text
    taken: list[str] = []
    count = 0
    for line in lines[start:]:
        taken.append(line)
        count += len(line.split())
        if count >= limit_words:
            break
    return "\n".join(taken)


def first_sentence(text: str) -> str:
    """The first sentence of ``text`` (at least ``_MIN_SENTENCE_WORDS`` words long)."""
    for match in _SENTENCE_BREAK.finditer(text):
        if len(text[: match.start()].split()) >= _MIN_SENTENCE_WORDS:
            return text[: match.start() + 1]
    return text


def key_terms(text: str) -> list[str]:
    """Numbers and capitalised words inside sentences of ``text``, normalised, in order.

    These are what a copy shares with its original and a templated text about another company
    does not: names, products, places, amounts. A capitalised word that starts a line or a
    sentence, or follows an opening quotation mark or parenthesis, is not a key term; a word
    in lower case never is.
    """
    return normalize_text(" ".join(_KEY_TERM.findall(text))).split()


def body_lines(text: str) -> str:
    """The lines of ``text`` with at least ``MIN_LEAD_LINE_WORDS`` words: the prose, without
    bylines, date lines, share bars, copyright and "Originally published at" lines."""
    return "\n".join(line for line in text.splitlines()
                     if len(line.split()) >= MIN_LEAD_LINE_WORDS)  # fmt: skip


def title_words(title: str) -> list[str]:
    """The words of a title as compared across sources: a site-name suffix (`` | Site``,
    `` - Site``, at most four words after a separator) is dropped, then ``normalize_text``."""
    title = title.strip()
    match = _TITLE_SUFFIX.search(title)
    if match and len(match.group("tail").split()) <= _TITLE_SUFFIX_WORDS:
        head = title[: match.start()]
        if len(words(head)) >= MIN_TITLE_WORDS:
            title = head
    return words(title)


# ---- signatures ------------------------------------------------------------------------------

_TEMPLATES: dict[int, Any] = {}


#: MurmurHash3's 32-bit finalizer, as datasketch's affine32 scheme mixes each value first
_FMIX32 = (np.uint32(16), np.uint32(0x85EBCA6B), np.uint32(13), np.uint32(0xC2B2AE35))


def _minhash(values: U32Array, num_perm: int) -> Any:
    """A datasketch LeanMinHash of pre-hashed 32-bit values; permutations built once per size.

    The sketch is computed here, on the array, with datasketch's own permutations: what its
    ``update_batch`` computes for the affine32 scheme (mix each value with MurmurHash3's
    finalizer, ``a * h + b`` modulo 2**32 per permutation, the minimum of each), without
    turning the array into a list of Python ints and back (a test holds the two equal).
    Half the cost of a signature's two sketches went to that round trip.
    """
    template = _TEMPLATES.get(num_perm)
    if template is None:
        template = MinHash(num_perm=num_perm, seed=MINHASH_SEED, hashfunc=int, scheme=_SCHEME)
        _TEMPLATES[num_perm] = template
    if not values.size:
        return LeanMinHash(template)
    s1, m1, s2, m2 = _FMIX32
    h = np.asarray(values, dtype=np.uint32).reshape(-1, 1)  # no copy: the mixing makes one
    h = (h ^ (h >> s1)) * m1
    h = (h ^ (h >> s2)) * m2
    h ^= h >> s1
    a, b = template.permutations
    mins = (h * a + b).min(axis=0)
    return LeanMinHash(
        seed=MINHASH_SEED, hashvalues=np.minimum(template.hashvalues, mins), scheme=_SCHEME
    )


def _lean(values: U32Array) -> Any:
    return LeanMinHash(seed=MINHASH_SEED, hashvalues=values, scheme=_SCHEME)


def _hashes32(items: Iterable[str]) -> tuple[int, ...]:
    return tuple(sorted({_word_hash(item) & 0xFFFFFFFF for item in items}))


@dataclass(frozen=True, slots=True, eq=False)
class Signature:
    """What near-duplicate detection keeps of one article (``to_bytes`` to store it)."""

    shape: Shape
    size: int  #: distinct shingles of the body (0: no text)
    lead_size: int  #: distinct shingles of the lead
    title_words: tuple[int, ...]  #: sorted distinct 32-bit hashes of the title's words
    title_key: bytes  #: 16-byte digest of the normalised title (empty when it has no words)
    #: 8-byte digest of the first sentence with its key terms masked: its wording alone
    opening: bytes
    terms: tuple[int, ...]  #: sorted distinct 32-bit hashes of the lead sentence's key terms
    body_terms: tuple[int, ...]  #: the smallest ``MAX_BODY_TERMS`` hashes of the body's terms
    text: Any = field(repr=False)  #: datasketch LeanMinHash of the body's shingles
    lead: Any = field(repr=False)  #: datasketch LeanMinHash of the lead's shingles

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Signature):
            return NotImplemented
        return self.to_bytes() == other.to_bytes()

    def __hash__(self) -> int:
        return hash(self.to_bytes())

    def to_bytes(self) -> bytes:
        """A portable little-endian encoding; ``Signature.from_bytes`` reads it back."""
        s = self.shape
        header = _HEADER.pack(
            _MAGIC, FORMAT_VERSION, s.shingle_words, s.lead_words, s.text_perm, s.lead_perm,
            s.text_bands, s.text_rows, s.lead_bands, s.lead_rows, len(self.title_words),
            len(self.terms), len(self.body_terms), self.size, self.lead_size, len(self.title_key),
            len(self.opening),
        )  # fmt: skip
        parts = (self.title_words, self.terms, self.body_terms, self.text.hashvalues,
                 self.lead.hashvalues)  # fmt: skip
        arrays = b"".join(np.asarray(p, _U32).tobytes() for p in parts)
        return header + self.title_key + self.opening + arrays

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Decode ``to_bytes``; ValueError if ``data`` is not a signature of this format."""
        if len(data) < _HEADER.size:
            raise ValueError("not a near-duplicate signature: too short")
        (magic, version, k, lead_words, perm, lead_perm, text_bands, text_rows, lead_bands,
         lead_rows, n_title, n_terms, n_body, size, lead_size, n_key, n_open) = _HEADER.unpack_from(
            data)  # fmt: skip
        if magic != _MAGIC or version != FORMAT_VERSION:
            raise ValueError(f"not a version {FORMAT_VERSION} near-duplicate signature")
        keys = _HEADER.size + n_key + n_open
        expected = keys + 4 * (n_title + n_terms + n_body + perm + lead_perm)
        if len(data) != expected:
            raise ValueError(f"signature is {len(data)} bytes, expected {expected}")
        shape = Shape(k, lead_words, perm, lead_perm, text_bands, text_rows, lead_bands, lead_rows)
        offset = keys
        arrays: list[U32Array] = []
        for count in (n_title, n_terms, n_body, perm, lead_perm):
            array = np.frombuffer(data, dtype=_U32, count=count, offset=offset)
            arrays.append(array.astype(np.uint32))
            offset += 4 * count
        return cls(
            shape=shape,
            size=size,
            lead_size=lead_size,
            title_words=tuple(int(v) for v in arrays[0]),
            title_key=bytes(data[_HEADER.size : _HEADER.size + n_key]),
            opening=bytes(data[_HEADER.size + n_key : keys]),
            terms=tuple(int(v) for v in arrays[1]),
            body_terms=tuple(int(v) for v in arrays[2]),
            text=_lean(arrays[3]),
            lead=_lean(arrays[4]),
        )


def stored_size(data: bytes) -> int:
    """``Signature.from_bytes(data).size`` without decoding the rest (choosing a lead)."""
    if len(data) < _HEADER.size:
        raise ValueError("not a near-duplicate signature: too short")
    return int(_HEADER.unpack_from(data)[13])


def signature(
    title: str, text: str, shape: Shape = DEFAULT_SHAPE, *, normalized: str | None = None
) -> Signature:
    """The signature of one article from its title and body text (either may be empty).

    ``normalized`` is ``normalize_text(text)`` when the caller has it already (the article's
    content fingerprint hashes the same string): it is the costliest step on a long text."""
    if normalized is None:
        normalized = normalize_text(text)
    shingles = _shingles(_token_hashes(normalized.split()), shape.shingle_words)
    opening = lead_text(text, shape.lead_words)
    lead = _shingles(_token_hashes(words(opening)[: shape.lead_words]), shape.shingle_words)
    head = title_words(title)
    key = b""
    if head:
        key = hashlib.blake2b(" ".join(head).encode("utf-8", "surrogatepass"),
                              digest_size=16).digest()  # fmt: skip
    prose = body_lines(text)
    sentence = first_sentence(lead_text(prose, shape.lead_words)) if prose else ""
    masked = normalize_text(_NAME_OR_NUMBER.sub(" # ", sentence))
    opening_key = b""
    if masked:
        opening_key = hashlib.blake2b(masked.encode("utf-8", "surrogatepass"),
                                      digest_size=8).digest()  # fmt: skip
    return Signature(
        shape=shape,
        size=int(shingles.size),
        lead_size=int(lead.size),
        title_words=_hashes32(head)[:255],
        title_key=key,
        opening=opening_key,
        terms=_hashes32(key_terms(sentence))[:MAX_TERMS],
        body_terms=_hashes32(key_terms(prose))[:MAX_BODY_TERMS],
        text=_minhash(shingles, shape.text_perm),
        lead=_minhash(lead, shape.lead_perm),
    )


_BAND_HASH = hashlib.blake2b(digest_size=8, person=b"mimir-stories")


def _band_keys(kind: int, shape: Shape, values: Any, bands: int, rows: int) -> list[int]:
    """One key per band: BLAKE2b (64 bits) of the kind, band number, shape and the band's
    hash values (little-endian uint32), as a signed integer."""
    data = np.asarray(values, dtype=_U32).tobytes()
    width = 4 * rows
    keys: list[int] = []
    for band in range(bands):
        h = _BAND_HASH.copy()
        h.update(bytes((kind, band, shape.shingle_words, shape.lead_words)))
        h.update(data[band * width : (band + 1) * width])
        keys.append(int.from_bytes(h.digest(), "little", signed=True))
    return keys


def band_keys(sig: Signature) -> list[int]:
    """The LSH band keys of ``sig``: signed 64-bit integers for an equality lookup.

    ``text_bands`` keys over the body MinHash (``text_rows`` values each) when the article has
    text, ``lead_bands`` keys over the lead MinHash (``lead_rows`` values each), and one for
    the normalised title when it has at least ``MIN_TITLE_WORDS`` words. Two articles are
    candidates when they share a key. Keys depend only on the signature (BLAKE2b, never
    Python's salted ``hash``), so every process and machine computes the same ones.
    """
    shape = sig.shape
    keys: list[int] = []
    if sig.size:
        keys += _band_keys(_KIND_TEXT, shape, sig.text.hashvalues, shape.text_bands,
                           shape.text_rows)  # fmt: skip
    if sig.lead_size:
        keys += _band_keys(_KIND_LEAD, shape, sig.lead.hashvalues, shape.lead_bands,
                           shape.lead_rows)  # fmt: skip
    if len(sig.title_words) >= MIN_TITLE_WORDS:
        h = _BAND_HASH.copy()
        h.update(bytes((_KIND_TITLE, 0, shape.shingle_words, shape.lead_words)))
        h.update(sig.title_key)
        keys.append(int.from_bytes(h.digest(), "little", signed=True))
    return keys


# ---- the decision ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Similarity:
    """How alike two signatures are: each in 0..1, or -1.0 where it cannot be measured."""

    text: float  #: Jaccard estimate of the bodies' shingle sets
    containment: float  #: estimated share of the shorter body's shingles found in the longer
    lead: float  #: estimated share of the shorter lead's shingles found in the longer lead
    title: float  #: exact Jaccard of the titles' word sets
    terms: float  #: share of the smaller first-sentence key-term set found in the other
    body_terms: float  #: the same for the bodies' key terms
    same_title: bool  #: equal normalised titles (non-empty)
    same_opening: bool  #: first sentences worded alike (key terms aside)

    @property
    def strength(self) -> tuple[float, float, float]:
        """Orders accepted candidates: the strongest match is the story to join."""
        return (max(self.text, self.containment, self.lead), self.title, self.terms)


def _containment(jaccard: float, size_a: int, size_b: int) -> float:
    """|A ∩ B| / min(|A|, |B|) from the Jaccard estimate and the set sizes, at most 1."""
    common = jaccard / (1.0 + jaccard) * (size_a + size_b)
    return min(1.0, common / min(size_a, size_b))


def similarity(a: Signature, b: Signature) -> Similarity:
    """Compare two signatures of the same shape."""
    if a.shape != b.shape:
        raise ValueError("signatures of different shapes cannot be compared")
    text = containment = lead = -1.0
    if a.size and b.size:
        text = float(a.text.jaccard(b.text))
        containment = _containment(text, a.size, b.size)
    if a.lead_size and b.lead_size:
        lead = _containment(float(a.lead.jaccard(b.lead)), a.lead_size, b.lead_size)
    title = 0.0
    if a.title_words and b.title_words:
        ta, tb = set(a.title_words), set(b.title_words)
        title = len(ta & tb) / len(ta | tb)
    same_title = bool(a.title_key) and a.title_key == b.title_key
    same_opening = bool(a.opening) and a.opening == b.opening
    return Similarity(text, containment, lead, title, _overlap(a.terms, b.terms),
                      _overlap(a.body_terms, b.body_terms), same_title, same_opening)  # fmt: skip


def _overlap(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """|A ∩ B| / min(|A|, |B|), or -1.0 when either is empty."""
    if not a or not b:
        return -1.0
    return len(set(a).intersection(b)) / min(len(a), len(b))


def _compared_by(a: Signature, b: Signature, th: Thresholds) -> str:
    """Which part of the rule decides a pair: ``text`` (two full texts), ``lead`` (a short
    text: a feed summary, a stub) or ``title`` (a title-only article)."""
    if min(a.size, b.size) >= th.min_text_shingles:
        return "text"
    if min(a.lead_size, b.lead_size) >= th.min_lead_shingles:
        return "lead"
    return "title"


def accepts(s: Similarity, a: Signature, b: Signature, th: Thresholds = DEFAULT_THRESHOLDS) -> bool:
    """Whether ``b`` (the new article) joins ``a`` (a candidate), given their ``Similarity``."""
    by = _compared_by(a, b, th)
    if by == "text":  # two full texts
        if 0 <= s.body_terms < th.body_terms:  # other names, other numbers
            return False
        if s.same_opening and 0 <= s.terms < th.terms:  # one template, other names
            return False
        return s.text >= th.text or s.containment >= th.containment
    if by == "lead":  # a short text (feed summary)
        if 0 <= s.terms < th.terms:  # other names or numbers (none at all: nothing to check)
            return False
        return s.lead >= th.lead or (s.title >= th.title and s.lead >= th.lead_with_title)
    # a title-only article: the same normalised title, long enough to mean something; by default
    # only the new article may be the title-only one (see ``Thresholds.text_joins_via_title``)
    if (b.size or b.lead_size) and not th.text_joins_via_title:
        return False
    return s.same_title and min(len(a.title_words), len(b.title_words)) >= MIN_TITLE_WORDS


def _fails_on_terms(a: Signature, b: Signature, th: Thresholds) -> bool:
    """True when ``accepts`` would refuse the pair on its key terms alone, which cost a set
    intersection, not the MinHash estimates: most candidates found through shared boilerplate
    or a shared template name other companies and fail here (``best_match`` skips them)."""
    if a.shape != b.shape:
        return False  # similarity() says why
    by = _compared_by(a, b, th)
    if by == "text":
        return 0 <= _overlap(a.body_terms, b.body_terms) < th.body_terms
    if by == "lead":
        return 0 <= _overlap(a.terms, b.terms) < th.terms
    return False


def decide(
    candidate: Signature, new: Signature, thresholds: Thresholds = DEFAULT_THRESHOLDS
) -> bool:
    """Whether ``new`` is a near-duplicate of ``candidate``."""
    return accepts(similarity(candidate, new), candidate, new, thresholds)


def best_match(
    new: Signature,
    candidates: Iterable[tuple[int, Signature]],
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> int | None:
    """The id of the accepted candidate with the strongest match (ties: the lowest id)."""
    best: tuple[tuple[float, float, float], int] | None = None
    for article_id, sig in candidates:
        if _fails_on_terms(sig, new, thresholds):
            continue
        s = similarity(sig, new)
        if accepts(s, sig, new, thresholds):
            rank = (s.strength, -article_id)
            if best is None or rank > best:
                best = rank
    return None if best is None else -best[1]


def rank_candidates(
    per_key: Iterable[Iterable[int]], limit: int | None = MAX_CANDIDATES
) -> list[int]:
    """The articles to compare, from the ids found under each band key (each list already cut
    to the newest ``MAX_KEY_ARTICLES``): those found under the most keys first, ties by the
    lowest id; at most ``limit`` (None: all)."""
    hits: Counter[int] = Counter()
    for ids in per_key:
        hits.update(ids)
    ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
    return [aid for aid, _ in (ranked if limit is None else ranked[:limit])]


def choose_lead(members: Iterable[tuple[int, int, datetime]]) -> int:
    """The lead article of a story, from ``(article_id, size, published_at)`` of its members.

    The earliest among the most complete: members whose body has at least half the distinct
    shingles of the story's longest body; ties go to the lowest id. A feed stub or a heavily
    trimmed copy does not lead a story that has the full text, and among full copies the
    original (usually the earliest) leads. It depends only on the members, not their order.
    """
    rows = list(members)
    if not rows:
        raise ValueError("a story has at least one member")
    longest = max(size for _, size, _ in rows)
    complete = [(when, aid) for aid, size, when in rows if 2 * size >= longest]
    return min(complete)[1]


def lead_after_join(
    lead: tuple[int, int, datetime], joined: tuple[int, int, datetime]
) -> int | None:
    """The story's lead after ``joined`` joins it, from ``(article_id, size, published_at)`` of
    the current lead and of the new member alone, or None when that cannot be told without the
    other members (then ``choose_lead`` over all of them).

    The lead is complete, so the story's longest body has at most twice its size. A later
    member no more than twice the lead's size leaves the lead complete and earliest; an
    earlier member at least the lead's size is complete and earliest; an earlier member under
    half the lead's size is not complete. Only the cases in between (an earlier copy between
    half and all of the lead's size, a later one over twice it) need the members, and they are
    rare: copies are mostly later, and trimmed copies and feed stubs smaller.
    """
    lead_id, lead_size, lead_at = lead
    new_id, size, at = joined
    if (at, new_id) > (lead_at, lead_id):
        return lead_id if size <= 2 * lead_size else None
    if size >= lead_size:
        return new_id
    if 2 * size < lead_size:
        return lead_id
    return None


# ---- stories in memory (the reference the database version follows) -------------------------


@dataclass(slots=True)
class Story:
    """A cluster of near-duplicate articles."""

    story_id: int
    lead_article_id: int
    members: list[int]
    first_seen: datetime
    last_seen: datetime


@dataclass(slots=True)
class _Entry:
    sig: Signature
    published_at: datetime
    story_id: int
    keys: list[int]


class StoryClusterer:
    """Places articles into stories in memory, with the band-key lookup the database uses.

    ``add`` returns the story id, which is the id of the story's first article. An article id
    seen before is a revision: its signature and keys are replaced and it keeps its story.
    """

    def __init__(
        self,
        window: timedelta = DEFAULT_WINDOW,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        shape: Shape = DEFAULT_SHAPE,
        *,
        max_key_articles: int | None = MAX_KEY_ARTICLES,
        max_candidates: int | None = MAX_CANDIDATES,
    ) -> None:
        if window <= timedelta(0):
            raise ValueError("window must be positive")
        if (max_key_articles is not None and max_key_articles < 1) or (
            max_candidates is not None and max_candidates < 1
        ):
            raise ValueError("max_key_articles and max_candidates must be positive (or None)")
        self.window = window
        self.thresholds = thresholds
        self.shape = shape
        self.max_key_articles = max_key_articles
        self.max_candidates = max_candidates
        self._index: dict[int, list[int]] = {}
        self._entries: dict[int, _Entry] = {}
        self._stories: dict[int, Story] = {}

    def add(self, article_id: int, title: str, text: str, published_at: datetime) -> int:
        """Place one article; returns its story id."""
        return self.add_signature(article_id, signature(title, text, self.shape), published_at)

    def add_signature(self, article_id: int, sig: Signature, published_at: datetime) -> int:
        """Place one article from its signature; returns its story id."""
        if sig.shape != self.shape:
            raise ValueError("signature shape differs from the clusterer's")
        keys = band_keys(sig)
        known = self._entries.get(article_id)
        if known is not None:  # a revision: same story, new signature
            self._unindex(article_id, known.keys)
            known.sig, known.keys, known.published_at = sig, keys, published_at
            self._index_keys(article_id, keys)
            self._refresh(self._stories[known.story_id])
            return known.story_id
        candidates = self.candidates(keys, published_at)
        best = best_match(sig, ((a, self._entries[a].sig) for a in candidates), self.thresholds)
        if best is None:
            story = Story(article_id, article_id, [article_id], published_at, published_at)
            self._stories[article_id] = story
        else:
            story = self._stories[self._entries[best].story_id]
            story.members.append(article_id)
        self._entries[article_id] = _Entry(sig, published_at, story.story_id, keys)
        self._index_keys(article_id, keys)
        self._refresh(story)
        return story.story_id

    def candidates(self, keys: Iterable[int], published_at: datetime) -> list[int]:
        """Ids of articles sharing a band key with ``keys``, published within the window: per
        key the newest ``max_key_articles``, then the ``max_candidates`` found under the most
        keys (``rank_candidates``), as the database lookup does."""
        per_key: list[list[int]] = []
        for key in keys:
            near = [
                (entry.published_at, aid)
                for aid in self._index.get(key, ())
                if abs((entry := self._entries[aid]).published_at - published_at) <= self.window
            ]
            if self.max_key_articles is not None and len(near) > self.max_key_articles:
                near = sorted(near, reverse=True)[: self.max_key_articles]
            per_key.append([aid for _, aid in near])
        return rank_candidates(per_key, self.max_candidates)

    def prune(self, before: datetime) -> int:
        """Drop the band keys of articles published before ``before``; returns how many."""
        old = [aid for aid, e in self._entries.items() if e.published_at < before and e.keys]
        for aid in old:
            entry = self._entries[aid]
            self._unindex(aid, entry.keys)
            entry.keys = []
        return len(old)

    def story_of(self, article_id: int) -> int:
        """The story id of a placed article (KeyError if unknown)."""
        return self._entries[article_id].story_id

    def story(self, story_id: int) -> Story:
        """One story (KeyError if unknown)."""
        return self._stories[story_id]

    @property
    def stories(self) -> list[Story]:
        """Every story, in order of creation."""
        return list(self._stories.values())

    def _index_keys(self, article_id: int, keys: Iterable[int]) -> None:
        for key in keys:
            self._index.setdefault(key, []).append(article_id)

    def _unindex(self, article_id: int, keys: Iterable[int]) -> None:
        for key in keys:
            bucket = self._index.get(key)
            if bucket is not None:
                bucket.remove(article_id)
                if not bucket:
                    del self._index[key]

    def _refresh(self, story: Story) -> None:
        entries = [(aid, self._entries[aid]) for aid in story.members]
        story.lead_article_id = choose_lead((aid, e.sig.size, e.published_at) for aid, e in entries)
        story.first_seen = min(e.published_at for _, e in entries)
        story.last_seen = max(e.published_at for _, e in entries)
