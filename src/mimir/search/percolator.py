"""Matching many watches against one article at ingest: the percolator.

A search runs one query over many articles; a percolator runs many queries (the watches) over
one article. Testing every watch in turn costs time in proportion to the number of watches.
The percolator instead indexes each watch under words it requires (``mimir.search.required``:
any article the query matches contains one of them) and, for an article, looks up only the
article's words::

    percolator = Percolator()
    percolator.add(1, '"ATSC 3.0" launch* -sports')
    percolator.add(2, "(Vectra OR Lumenwave) contract")
    percolator.add(3, "lang:de source:heise")          # no required word: checked every time
    doc = Document.of(ArticleFields(title="Crestline launches ATSC 3.0", text=..., ...))
    percolator.match(doc, now=now)
    # [(1, MatchResult(matched=True, terms=('"atsc 3 0"', 'launch*')))]

The index is looked up with the distinct words of the article's title, text, authors, tags and
URL (the fields keys come from), and with the prefix keys they hit:

- *keys* (``merger``, ``broad*``): a dict from the key to the queries indexed under it,
  intersected with the article's words and prefix keys;
- *prefix keys* an article's word hits are found by walking the word one letter at a time
  through the set of every beginning of every prefix (``b``, ``br``, ``bro``, ...) until it
  leaves the set, the first time the word is seen; the answer is remembered (for at most
  ``WORDS_REMEMBERED`` words, and until the prefix keys change), as a trade's articles use
  the same words again and again;
- *unindexed* queries (``NOT sports``, ``lang:de source:x``, ``a OR NOT b``: no required word)
  are looked at for every article.

Before a candidate is verified, two set lookups rule it out: a query requires a key of each of
several sets (``"connected TV" launch*``: *connected*, *tv* and a word starting with *launch*)
and is indexed under one, so the article must have a key of each of the others too; and a word
under a ``NOT`` the whole query needs (``launch -sports``) must not be in the title or text.

The rest are verified in full, with the matcher's semantics but not through ``matcher.match``,
which looks every term up by position and again to list the matched terms. Identical queries
(after parsing: ``ai merger`` and ``ai AND merger``) are verified once for all the watches that
have them, and so are the parts queries share: an ``AND`` is matched as its filters (the parts
without terms to highlight: ``-sports``, ``lang:en``, ``within:7d``) and its core (the rest),
each once per article, so ``"ATSC 3.0" -sports``, ``"ATSC 3.0" lang:en`` and ``"ATSC 3.0"``
cost one phrase lookup and two cheap filters. A part is made, the first time an article needs
it, into tests over the article's words (``_Index.compile``):

- a word in no field is in the set of the title's and text's words (``merger``, and
  ``ai merger``: all its words in the set, one comparison), and an ``OR``'s words are looked up
  at once;
- a phrase, a prefix or a term in a field is a string looked for in the field's words joined by
  spaces (`` atsc 3 0 ``; ``_Phrase``), ``NEAR`` finds where its terms start the same way
  (``_Proximity``), ``lang:`` compares the language, and the dates are asked of the matcher;
  each of these *atoms* is shared by the parts that have it and found out once per article;
- the matched terms of a part that cannot match without all of them (a term, a phrase, an
  ``AND`` of those, ``NEAR``) are known beforehand; those of an ``OR`` are looked up (once:
  the atoms remember).

So the answer is exactly the one-by-one answer (``matcher.match`` over every watch, with the
same matched terms): the index only skips queries that cannot match, and the tests are the
matcher's rules on the same words; property tests check it.

Which set a query is indexed under decides how often it is a candidate. ``required.index_keys``
prefers longer words, but in a trade's press a long word is often a common one
(``"Summit Television Network"`` would be filed under *television*). So the percolator counts,
in the articles it sees, how many have each word its watches could be indexed under, and indexes
each query under the set (and each ``OR`` branch under the key) the fewest articles had, with
``index_keys``'s preferences breaking ties (so before any article, and for words never seen, the
choice is ``index_keys``'s). It re-indexes itself with the counts after 128, 256, 512 ... 16,384
articles and every 16,384 after that (``rekey``: the queries are filed again, their parts and
tests kept; 0.2 to 0.4 s for 10,000 watches, in the call to ``match`` that reaches the count),
and ``replace_all`` indexes by them. A new percolator built to replace another
(``learned_from=``) starts with the other's counts.

Threads: one lock guards the percolator; ``match`` holds it for one article (a millisecond or
two), and ``replace_all`` parses and indexes the new watches before taking it, then swaps the
index in at once. So the worker may reload the watches from another thread while it matches;
each article sees either the old or the new set of watches, never a mix. ``version`` goes up
with every change of the watches, so the worker can tell whether it holds the set it last
loaded.
"""

from __future__ import annotations

import threading
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from itertools import repeat
from operator import itemgetter

from mimir.errors import QuerySyntaxError
from mimir.search.matcher import ArticleFields, Document, MatchResult, matches
from mimir.search.nodes import (
    TEXT_FIELDS,
    And,
    Field,
    Lang,
    Near,
    Node,
    Not,
    Or,
    Term,
    positive_terms,
)
from mimir.search.parser import parse
from mimir.search.required import IndexKey, KeySet, required_key_sets

#: the fields a term in no field looks at (the "body" excluded words are looked for in)
BODY_FIELDS: tuple[Field, ...] = (Field.TITLE, Field.TEXT)
#: the fields index keys are looked up in (the text fields of ``required``; not the source's)
KEY_FIELDS: tuple[Field, ...] = (*BODY_FIELDS, Field.AUTHOR, Field.TAG, Field.URL)
#: re-index with the word counts after this many articles, then twice as many, up to every ...
REKEY_FIRST, REKEY_EVERY = 128, 16_384
#: the most articles' words whose prefix keys an index remembers (then it starts again)
WORDS_REMEMBERED = 50_000


#: a watch that matched an article: its id and the matched terms (for highlighting)
WatchMatch = tuple[int, MatchResult]


@dataclass(frozen=True, slots=True)
class PercolatorStats:
    """What the percolator has done since it was created (cumulative counters)."""

    articles: int = 0  #: articles matched
    candidates: int = 0  #: indexed queries one of whose keys an article had
    unindexed: int = 0  #: queries with no keys, looked at for every article
    verified: int = 0  #: queries verified in full: the candidates with a key of every required
    #: set and none of their excluded words, and the unindexed ones
    matches: int = 0  #: (watch, article) pairs that matched
    rekeys: int = 0  #: times the index was rebuilt with the word counts


def _text(key: IndexKey) -> str:
    """A key as the percolator looks it up: the word, or the prefix followed by ``*`` (no word
    of an article contains a ``*``, so the two never collide)."""
    return f"{key.word}*" if key.prefix else key.word


class _Chooser:
    """Picks the keys of queries: orders key sets by how many articles had one of their keys
    (``counts``), then as ``required.index_keys`` does (fewer keys, fewer prefixes, longer
    words). Remembers what it worked out, for the thousands of queries of one index."""

    __slots__ = ("_leaves", "_static", "counts")

    def __init__(self, counts: Mapping[str, int]) -> None:
        self.counts = counts
        self._leaves: dict[Node, tuple[KeySet, ...]] = {}
        self._static: dict[KeySet, tuple[tuple[str, ...], int, int, int, list[IndexKey]]] = {}

    def rank(self, keys: KeySet) -> tuple[int, int, int, int, list[IndexKey]]:
        static = self._static.get(keys)
        if static is None:
            static = self._static[keys] = (
                tuple(_text(k) for k in keys),
                len(keys),
                sum(k.prefix for k in keys),
                -min(len(k.word) for k in keys),
                sorted(keys),
            )
        texts, size, prefixes, shortest, ordered = static
        get = self.counts.get
        return (sum(get(t, 0) for t in texts), size, prefixes, shortest, ordered)

    def key_sets(self, query: Node) -> tuple[KeySet, ...]:
        """``required.required_key_sets`` with each ``OR`` branch represented by its best set
        (rather than by word length): sets such that an article ``query`` matches contains a
        key of every one."""
        if isinstance(query, And):
            out: list[KeySet] = []
            for child in query.children:
                for keys in self.key_sets(child):
                    if keys not in out:
                        out.append(keys)
            return tuple(out)
        if isinstance(query, Or):
            union: set[IndexKey] = set()
            for child in query.children:
                sets = self.key_sets(child)
                if not sets:
                    return ()
                best: KeySet = min(sets, key=self.rank)
                union |= best
            return (frozenset(union),)
        found = self._leaves.get(query)
        if found is None:  # a leaf or a NOT: required's rules
            found = self._leaves[query] = required_key_sets(query)
        return found


class _Article:
    """One article while it is matched: its words and what was found out about it, so that
    each atom and each part is looked up once (both hashed by identity)."""

    __slots__ = ("atoms", "body", "doc", "index", "lines", "now", "parts")

    def __init__(self, index: _Index, doc: Document, body: set[str], now: datetime) -> None:
        self.index = index  # the watches' index (which compiles the parts)
        self.doc = doc
        self.body = body  # the words of the title and the text
        self.now = now
        self.atoms: dict[_Atom, bool] = {}
        self.parts: dict[_Part, MatchResult] = {}
        self.lines: dict[Field, str] = {}

    def line(self, field: Field) -> str:
        """The words of ``field`` in one string, each between spaces (``ANY``: the title's, then
        the text's after a line break, so that no phrase runs from one into the other)."""
        line = self.lines.get(field)
        if line is None:
            words = self.doc.words
            if field is Field.ANY:
                line = f" {' '.join(words[Field.TITLE])} \n {' '.join(words[Field.TEXT])} "
            else:
                line = f" {' '.join(words[field])} "
            self.lines[field] = line
        return line


class _Word:
    """A word in no field (``merger``): the article has it if its title or text does, which is
    one lookup in the set of their words (what ``Document.starts`` finds by position)."""

    __slots__ = ("word",)

    def __init__(self, word: str) -> None:
        self.word = word

    def holds(self, a: _Article) -> bool:
        return self.word in a.body


class _Atom:
    """Any other leaf (a phrase, a prefix, a term in a field, ``NEAR``, ``lang:``, a date), shared
    by every part that has it: found out once per article (``_atom`` makes the right kind).
    This kind asks the matcher (the dates, and terms with words of other characters)."""

    __slots__ = ("node", "users")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.users = 0

    def holds(self, a: _Article) -> bool:
        known = a.atoms.get(self)
        if known is None:
            known = a.atoms[self] = self.find(a)
        return known

    def find(self, a: _Article) -> bool:
        return matches(self.node, a.doc, now=a.now)


class _Phrase(_Atom):
    """A term (a word in a field, a phrase, a prefix), looked for as a string in the article's
    line of its field (``_Article.line``): the phrase ``"ATSC 3.0"`` is in the text if
    `` atsc 3 0 `` is in `` ... launches atsc 3 0 in ...``, and the prefix phrase ``"5G broad*"``
    if `` 5g broad`` is. Words are runs of letters and digits, so the spaces of the pattern can
    only be the spaces between words, and the answer is the matcher's (``Document.starts``),
    without its index of positions. A term in no field is not looked for if a word of it (but a
    prefix) is not in the title or the text at all (most absent phrases)."""

    __slots__ = ("field", "needs", "pattern")

    def __init__(self, node: Term) -> None:
        super().__init__(node)
        self.field = node.field
        self.pattern = _pattern(node)
        #: words the title and the text must have for the term to be there (in no field)
        self.needs: frozenset[str] = frozenset()
        if node.field is Field.ANY:
            self.needs = frozenset(node.words[:-1] if node.prefix else node.words)

    def find(self, a: _Article) -> bool:
        return self.needs <= a.body and self.pattern in a.line(self.field)


class _Language(_Atom):
    """``lang:``, as the matcher has it: the article's language code is the query's."""

    __slots__ = ("code",)

    def __init__(self, node: Lang) -> None:
        super().__init__(node)
        self.code = node.code

    def find(self, a: _Article) -> bool:
        return a.doc.language == self.code


class _Proximity(_Atom):
    """``NEAR``: where its terms start, found in the lines of its fields as ``_Phrase`` finds
    them (``_starts``), then the matcher's rule (``matcher._near``: FTS5's)."""

    __slots__ = ("fields", "hi_gap", "left", "lo_gap", "right")

    def __init__(self, node: Near) -> None:
        super().__init__(node)
        self.fields = BODY_FIELDS if node.field is Field.ANY else (node.field,)
        self.left, self.right = _pattern(node.left), _pattern(node.right)
        self.lo_gap = len(node.right.words) + node.distance
        self.hi_gap = len(node.left.words) + node.distance

    def find(self, a: _Article) -> bool:
        for field in self.fields:
            line = a.line(field)
            lefts = _starts(line, self.left)
            if not lefts:
                continue
            rights = _starts(line, self.right)
            for p in lefts:
                i = bisect_left(rights, p - self.lo_gap)
                if i < len(rights) and rights[i] <= p + self.hi_gap:
                    return True
        return False


def _atom(node: Node) -> _Atom:
    """The kind of atom for leaf ``node``."""
    if isinstance(node, Term) and _spelled(node):
        return _Phrase(node)
    if isinstance(node, Near) and _spelled(node.left) and _spelled(node.right):
        return _Proximity(node)
    if isinstance(node, Lang):
        return _Language(node)
    return _Atom(node)


def _spelled(term: Term) -> bool:
    """Are the words of ``term`` letters and digits (as the tokenizer's always are), so that a
    pattern finds them?"""
    return bool(term.words) and all(w.isalnum() for w in term.words)


def _pattern(term: Term) -> str:
    """What a line has where ``term`` starts: its words between spaces (the last one open if
    it is a prefix)."""
    return f" {' '.join(term.words)}{'' if term.prefix else ' '}"


def _starts(line: str, pattern: str) -> list[int]:
    """Where ``pattern`` starts in ``line``, in words (ascending, as ``Document.starts``)."""
    out = []
    word, counted = -1, 0
    at = line.find(pattern)
    while at >= 0:
        word += line.count(" ", counted, at + 1)
        counted = at + 1
        out.append(word)
        at = line.find(pattern, at + 1)
    return out


class _All:
    """An ``AND``: every word of ``words`` (one set lookup) and every other test."""

    __slots__ = ("others", "words")

    def __init__(self, words: frozenset[str], others: tuple[_Test, ...]) -> None:
        self.words = words
        self.others = others

    def holds(self, a: _Article) -> bool:
        if not self.words <= a.body:
            return False
        for test in self.others:  # noqa: SIM110 - a loop: no generator for a test or two
            if not test.holds(a):
                return False
        return True


class _Any:
    """An ``OR``: a word of ``words`` (one set lookup) or another test."""

    __slots__ = ("others", "words")

    def __init__(self, words: frozenset[str], others: tuple[_Test, ...]) -> None:
        self.words = words
        self.others = others

    def holds(self, a: _Article) -> bool:
        if not self.words.isdisjoint(a.body):
            return True
        for test in self.others:  # noqa: SIM110 - a loop: no generator for a test or two
            if test.holds(a):
                return True
        return False


class _None:
    """A ``NOT``."""

    __slots__ = ("child",)

    def __init__(self, child: _Test) -> None:
        self.child = child

    def holds(self, a: _Article) -> bool:
        return not self.child.holds(a)


_Test = _Word | _Atom | _All | _Any | _None


class _Part:
    """A part of queries (a core or a filter, see ``_split``), shared by every query that has
    it, so that it is matched once per article (hashed by identity).

    It is made into tests over the article's words (``test``, by ``_Index.compile``) the first
    time an article needs it: most parts never are, their keys being absent. ``fixed`` is its
    result when it matches, if that is known beforehand (it cannot match without every term to
    highlight: ``_certain``); else its ``terms`` are looked up, as ``matcher.match`` does. A
    part of words in no field only (``merger``, ``ai merger``), the commonest kind, matches if
    the title and the text have them all: one set comparison (``plain``)."""

    __slots__ = ("atoms", "fixed", "node", "plain", "terms", "test", "users")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.users = 0
        self.test: _Test | None = None
        self.atoms: list[_Atom] = []  # the atoms it holds (one per use), released with it
        self.terms: tuple[tuple[_Word | _Atom, str], ...] = ()
        self.fixed: MatchResult | None = None
        #: the words and the result of a part of words only (None: another part)
        self.plain: tuple[frozenset[str], MatchResult] | None = None

    def compiled(
        self, test: _Test, terms: tuple[tuple[_Word | _Atom, str], ...], atoms: list[_Atom]
    ) -> _Test:
        self.test, self.atoms, self.terms = test, atoms, terms
        if _certain(self.node):
            self.fixed = MatchResult(True, tuple(dict.fromkeys(label for _, label in terms)))
            self.terms = ()
            if isinstance(test, _Word):
                self.plain = (frozenset((test.word,)), self.fixed)
            elif isinstance(test, _All) and not test.others:
                self.plain = (test.words, self.fixed)
        return test

    def result(self, a: _Article) -> MatchResult:
        """``match(self.node, a.doc, now=a.now)``, once per article."""
        plain = self.plain
        if plain is not None:
            return plain[1] if plain[0] <= a.body else _NO_MATCH
        known = a.parts.get(self)
        if known is None:
            test = self.test
            if test is None:
                test = a.index.compile(self)
            if not test.holds(a):
                known = _NO_MATCH
            elif self.fixed is not None:
                known = self.fixed
            else:
                found = [label for term, label in self.terms if term.holds(a)]
                known = MatchResult(True, tuple(dict.fromkeys(found)))
            a.parts[self] = known
        return known


def _joined(tests: list[_Test], *, every: bool) -> _All | _Any:
    """An ``AND`` (``every``) or an ``OR`` of ``tests``, its words in one set."""
    words = frozenset(t.word for t in tests if isinstance(t, _Word))
    others = tuple(t for t in tests if not isinstance(t, _Word))
    return _All(words, others) if every else _Any(words, others)


def _certain(node: Node) -> bool:
    """Does an article that matches ``node`` have every term ``positive_terms(node)`` lists?
    True of a term, a ``NEAR`` (both of its terms), a part without terms to highlight (a
    ``NOT``, a filter) and an ``AND`` of those; not of an ``OR`` with terms."""
    if isinstance(node, And):
        return all(_certain(child) for child in node.children)
    if isinstance(node, Or):
        return not positive_terms(node)
    return True


def _split(query: Node) -> tuple[Node | None, tuple[Node, ...]]:
    """``query`` as (core, filters): an ``AND``'s parts without terms to highlight (``NOT``,
    ``lang:``, dates, ``source:``: ``positive_terms`` finds none in them) are filters, matched on
    their own; the rest is the core, the ``AND`` of the other parts (None: there are none).
    ``"ATSC 3.0" -sports lang:en`` and ``"ATSC 3.0" within:7d`` share the core ``"ATSC 3.0"``.
    The query matches when every filter and the core do, and its matched terms are the core's,
    since the filters have none."""
    if not isinstance(query, And):
        return query, ()
    core = tuple(c for c in query.children if positive_terms(c))
    filters = tuple(c for c in query.children if not positive_terms(c))
    if not filters:
        return query, ()
    if not core:
        return None, filters
    return (core[0] if len(core) == 1 else And(core)), filters


#: what a part that does not match gets
_NO_MATCH = MatchResult(False)


class _Entry:
    """One distinct query and the watches that have it (hashed by identity)."""

    __slots__ = ("excluded", "keys", "needs", "options", "parts", "query", "texts", "watch_ids")

    def __init__(self, query: Node, chooser: _Chooser) -> None:
        self.query = query
        self.watch_ids: set[int] = set()
        #: set by the index: the query's filters, then its core if it has one (``_split``),
        #: shared with other queries. It matches if they all do, with its core's terms
        self.parts: tuple[_Part, ...] = ()
        sets = chooser.key_sets(query)
        #: what it is indexed under (None: verified against every article)
        self.keys: KeySet | None = min(sets, key=chooser.rank) if sets else None
        #: the other required sets: an article must have a key of each too, checked with set
        #: lookups before the query is verified: the keys of the sets of one key (``needs``,
        #: all of them) and the sets of several (``options``, one of each)
        others = [frozenset(_text(k) for k in s) for s in sets if s != self.keys]
        self.needs = frozenset(text for keys in others if len(keys) == 1 for text in keys)
        self.options = tuple(keys for keys in others if len(keys) > 1)
        #: every key of every set, as ``_text``: what the percolator counts in articles
        self.texts = frozenset(_text(k) for s in sets for k in s)
        #: words whose presence in the title or the text rules the query out
        self.excluded = _excluded(query)


def _plain(term: Term) -> bool:
    """A single word in no field, not a prefix: in the article if in its title's or text's
    words."""
    return term.field is Field.ANY and len(term.words) == 1 and not term.prefix


def _excluded(query: Node) -> frozenset[str]:
    """Words that an article ``query`` matches has in neither its title nor its text: those of
    a ``NOT`` that the whole query needs (``launch -sports``, ``x NOT (rumour OR opinion)``,
    ``x -sport*``), where they are single words (or prefixes) looked for in the title or the
    text. Any one of them there makes the ``NOT`` false, and the query with it."""
    needed = query.children if isinstance(query, And) else (query,)
    out: set[str] = set()
    for child in needed:
        if not isinstance(child, Not):
            continue
        negated = child.child.children if isinstance(child.child, Or) else (child.child,)
        for term in negated:
            if isinstance(term, Term) and term.field is Field.ANY and len(term.words) == 1:
                out.add(term.words[0])
    return frozenset(out)


class _Index:
    """The watches and their index; ``chooser`` picks the keys of the queries added."""

    __slots__ = (
        "atoms",
        "by_query",
        "by_watch",
        "chooser",
        "hitting",
        "keyed",
        "parts",
        "paths",
        "seen",
        "unindexed",
        "vocab",
    )

    def __init__(self, chooser: _Chooser) -> None:
        self.chooser = chooser
        self.by_watch: dict[int, _Entry] = {}
        self.by_query: dict[Node, _Entry] = {}
        self.parts: dict[Node, _Part] = {}
        self.atoms: dict[Node, _Atom] = {}
        #: the indexed queries by key (as ``_text``: ``merger``, ``broad*``)
        self.keyed: dict[str, set[_Entry]] = {}
        self.unindexed: set[_Entry] = set()
        #: every key text of every query (how many queries have it): what is counted and, for
        #: prefixes (``broad*``), what the walk looks for
        self.vocab: Counter[str] = Counter()
        #: every beginning of every prefix in ``vocab`` (how many prefixes share it)
        self.paths: Counter[str] = Counter()
        #: articles' words whose prefix keys are known (at most ``WORDS_REMEMBERED``), and
        #: those of them that have some, with their keys (``broadcasters``: ``broad*``, ...)
        self.seen: set[str] = set()
        self.hitting: dict[str, tuple[str, ...]] = {}

    def add(self, watch_id: int, query: Node) -> None:
        self.remove(watch_id)
        entry = self.by_query.get(query)
        if entry is None:
            entry = _Entry(query, self.chooser)
            core, filters = _split(query)
            entry.parts = tuple(
                self._part(p) for p in (*filters, *([] if core is None else [core]))
            )
            self.by_query[query] = entry
            self._insert(entry)
        entry.watch_ids.add(watch_id)
        self.by_watch[watch_id] = entry

    def remove(self, watch_id: int) -> bool:
        entry = self.by_watch.pop(watch_id, None)
        if entry is None:
            return False
        entry.watch_ids.discard(watch_id)
        if not entry.watch_ids:
            del self.by_query[entry.query]
            self._delete(entry)
            for part in entry.parts:
                part.users -= 1
                if not part.users:
                    del self.parts[part.node]
                    for atom in part.atoms:
                        atom.users -= 1
                        if not atom.users:
                            del self.atoms[atom.node]
        return True

    def refiled(self, chooser: _Chooser) -> _Index:
        """The same watches filed again under the keys ``chooser`` picks, in a new index that
        takes over this one's parts (this one is not to be used after)."""
        index = _Index(chooser)
        index.parts, index.atoms = self.parts, self.atoms
        for query, old in self.by_query.items():
            entry = _Entry(query, chooser)
            entry.parts = old.parts
            entry.watch_ids = old.watch_ids
            index.by_query[query] = entry
            index.by_watch.update(dict.fromkeys(entry.watch_ids, entry))
            index._insert(entry)
        return index

    def _part(self, node: Node) -> _Part:
        part = self.parts.get(node)
        if part is None:
            part = self.parts[node] = _Part(node)
        part.users += 1
        return part

    def compile(self, part: _Part) -> _Test:
        """Make ``part`` into tests (the first time an article needs it)."""
        atoms: list[_Atom] = []
        terms: list[tuple[_Word | _Atom, str]] = []
        test = self._compile(part.node, atoms, terms)
        return part.compiled(test, tuple(terms), atoms)

    def _compile(
        self, node: Node, atoms: list[_Atom], terms: list[tuple[_Word | _Atom, str]] | None
    ) -> _Test:
        """``node`` as tests over an article's words: a word in no field is looked up in the
        set of the title's and the text's words, and the words of an ``AND`` or an ``OR`` all
        at once; the other leaves are atoms, shared by the index's parts (``atoms``: those
        this one holds). The terms to highlight go to ``terms`` with their tests, in the order
        of ``positive_terms`` (None: under a ``NOT``, there are none)."""
        if isinstance(node, Term):
            test: _Word | _Atom = _Word(node.words[0]) if _plain(node) else self._atom(node, atoms)
            if terms is not None and node.field in TEXT_FIELDS:
                terms.append((test, node.label))
            return test
        if isinstance(node, And | Or):
            tests = [self._compile(child, atoms, terms) for child in node.children]
            return _joined(tests, every=isinstance(node, And))
        if isinstance(node, Not):
            return _None(self._compile(node.child, atoms, None))
        if isinstance(node, Near):  # its two terms (in its field) first: cheaper, often absent
            tests = []
            for side in (node.left, node.right):
                term = replace(side, field=node.field)
                found = self._compile(term, atoms, None)
                assert isinstance(found, _Word | _Atom)
                if terms is not None:
                    terms.append((found, term.label))
                tests.append(found)
            return _joined([*tests, self._atom(node, atoms)], every=True)
        return self._atom(node, atoms)

    def _atom(self, node: Node, atoms: list[_Atom]) -> _Atom:
        atom = self.atoms.get(node)
        if atom is None:
            atom = self.atoms[node] = _atom(node)
        atom.users += 1
        atoms.append(atom)
        return atom

    def _insert(self, entry: _Entry) -> None:
        for text in entry.texts:
            if not self.vocab[text] and text[-1] == "*":
                self.paths.update(text[:n] for n in range(1, len(text)))
                self.forget()
            self.vocab[text] += 1
        if entry.keys is None:
            self.unindexed.add(entry)
            return
        for key in entry.keys:
            self.keyed.setdefault(_text(key), set()).add(entry)

    def _delete(self, entry: _Entry) -> None:
        for text in entry.texts:
            self.vocab[text] -= 1
            if self.vocab[text] > 0:
                continue
            del self.vocab[text]
            if text[-1] == "*":
                self.forget()
                for n in range(1, len(text)):
                    self.paths[text[:n]] -= 1
                    if self.paths[text[:n]] <= 0:
                        del self.paths[text[:n]]
        if entry.keys is None:
            self.unindexed.discard(entry)
            return
        for key in entry.keys:
            entries = self.keyed[_text(key)]
            entries.discard(entry)
            if not entries:
                del self.keyed[_text(key)]

    def forget(self) -> None:
        """Forget the words' prefix keys (the prefix keys have changed)."""
        self.seen = set()
        self.hitting = {}

    def present(self, words: set[str]) -> set[str]:
        """``words`` with the prefix keys they hit (as ``broad*``). What each word hits is
        worked out the first time it is seen (``_prefix_keys``), and remembered."""
        if not self.paths:
            return words
        new = words.difference(self.seen)
        if new:
            if len(self.seen) + len(new) > WORDS_REMEMBERED:
                self.forget()
                new = words
            paths, vocab, hitting = self.paths, self.vocab, self.hitting
            for word in new:
                keys = _prefix_keys(word, paths, vocab)
                if keys:
                    hitting[word] = keys
            self.seen |= new
        hits = self.hitting.keys() & words
        if not hits:
            return words
        present = set(words)
        for word in hits:
            present.update(self.hitting[word])
        return present

    def candidates(self, hits: set[str]) -> set[_Entry]:
        """The indexed queries with a key in ``hits`` (keys of ``vocab`` an article has)."""
        found: set[_Entry] = set()
        get = self.keyed.get
        for text in hits:
            entries = get(text)
            if entries:
                found |= entries
        return found


def _prefix_keys(word: str, paths: Mapping[str, int], vocab: Mapping[str, int]) -> tuple[str, ...]:
    """The prefix keys (``broad*``) of ``vocab`` that ``word`` starts with, found by walking it
    one letter at a time while ``paths`` (every beginning of every prefix key) has it."""
    hits = []
    for end in range(1, len(word) + 1):
        start = word[:end]
        if start not in paths:
            break
        if f"{start}*" in vocab:
            hits.append(f"{start}*")
    return tuple(hits)


class Percolator:
    """Many watches (id -> query), indexed by the words they require; ``match`` returns the
    ones an article matches. See the module documentation for the index and for threads."""

    def __init__(
        self, *, rekey_after: int | None = REKEY_FIRST, learned_from: Percolator | None = None
    ) -> None:
        """``rekey_after``: articles before the first automatic ``rekey`` (None: never).
        ``learned_from``: the percolator this one replaces (the worker's previous set of
        watches); its word counts and its place in the re-indexing schedule carry over, so the
        watches loaded with ``replace_all`` are indexed by them at once."""
        if rekey_after is not None and rekey_after < 1:
            raise ValueError(f"rekey_after must be at least 1, not {rekey_after}")
        self._lock = threading.Lock()
        #: articles that had each key (key texts of the current watches only)
        self._counts: Counter[str] = Counter()
        #: articles counted (with those of ``learned_from``): what the schedule follows
        self._seen = 0
        self._next_rekey = rekey_after
        if learned_from is not None:
            with learned_from._lock:
                self._counts.update(learned_from._counts)
                self._seen = learned_from._seen
                if rekey_after is not None and learned_from._next_rekey is not None:
                    self._next_rekey = learned_from._next_rekey
        self._index = _Index(_Chooser(self._counts))
        #: goes up with every change to the set of watches
        self.version = 0
        #: the parsed query of each query text of the last ``replace_all`` (parsed once)
        self._parsed: dict[str, Node] = {}
        self._articles = self._candidates = self._unindexed = self._verified = 0
        self._matches = self._rekeys = 0

    def __len__(self) -> int:
        return len(self._index.by_watch)

    def __contains__(self, watch_id: object) -> bool:
        return watch_id in self._index.by_watch

    @property
    def queries(self) -> int:
        """Distinct queries (watches with the same parsed query are verified once)."""
        return len(self._index.by_query)

    @property
    def unindexed(self) -> int:
        """Distinct queries with no required word, verified against every article."""
        return len(self._index.unindexed)

    @property
    def stats(self) -> PercolatorStats:
        with self._lock:
            return PercolatorStats(
                self._articles,
                self._candidates,
                self._unindexed,
                self._verified,
                self._matches,
                self._rekeys,
            )

    def keys(self, watch_id: int) -> KeySet | None:
        """What watch ``watch_id`` is indexed under (None: verified against every article);
        KeyError if there is no such watch."""
        return self._index.by_watch[watch_id].keys

    def add(self, watch_id: int, query: str | Node) -> None:
        """Add watch ``watch_id``, or change its query; ``QuerySyntaxError`` for invalid text
        (the percolator is then unchanged)."""
        node = parse(query) if isinstance(query, str) else query
        with self._lock:
            self._index.add(watch_id, node)
            self.version += 1

    def remove(self, watch_id: int) -> bool:
        """Remove watch ``watch_id``; False if it was not there."""
        with self._lock:
            removed = self._index.remove(watch_id)
            if removed:
                self.version += 1
            return removed

    def replace_all(
        self, watches: Iterable[tuple[int, str | Node]]
    ) -> list[tuple[int, QuerySyntaxError]]:
        """Replace every watch with ``watches`` (as loaded from the database): built aside and
        swapped in at once. Queries that do not parse are left out and returned, so that one
        bad watch does not stop the others."""
        index = _Index(_Chooser(self._counts))
        rejected: list[tuple[int, QuerySyntaxError]] = []
        parsed: dict[str, Node] = {}
        for watch_id, query in watches:
            if isinstance(query, str):
                node = parsed.get(query) or self._parsed.get(query)
                if node is None:
                    try:
                        node = parse(query)
                    except QuerySyntaxError as exc:
                        rejected.append((watch_id, exc))
                        continue
                parsed[query] = node
            else:
                node = query
            index.add(watch_id, node)
        with self._lock:
            self._swap(index)
            self._parsed = parsed
            self.version += 1
        return rejected

    def rekey(self) -> None:
        """Index the watches again, under the keys the articles seen so far had least."""
        with self._lock:
            self._rekey()

    def _rekey(self) -> None:
        self._swap(self._index.refiled(_Chooser(self._counts)))
        self._rekeys += 1

    def _swap(self, index: _Index) -> None:
        if index.paths == self._index.paths:  # the same prefix keys: the same words hit them
            index.seen, index.hitting = self._index.seen, self._index.hitting
        self._index = index
        for text in [t for t in self._counts if t not in index.vocab]:
            del self._counts[text]  # keep the counts to the current watches' keys

    def match(self, article: ArticleFields | Document, *, now: datetime) -> list[WatchMatch]:
        """The watches ``article`` matches at time ``now`` (for ``within:``), by watch id.

        Pass a ``Document`` when the article is also used elsewhere: it is cut into words once.
        """
        doc = article if isinstance(article, Document) else Document.of(article)
        body: set[str] = set()
        for field in BODY_FIELDS:
            body.update(doc.words[field])
        words = set(body)
        for field in KEY_FIELDS:
            if field not in BODY_FIELDS:
                words.update(doc.words[field])
        with self._lock:
            return self._match(doc, body, words, now)

    def _match(
        self, doc: Document, body: set[str], words: set[str], now: datetime
    ) -> list[WatchMatch]:
        index = self._index
        present = index.present(words)
        hits = index.vocab.keys() & present
        candidates = index.candidates(hits)
        todo = [
            entry
            for entry in candidates
            if entry.needs <= present  # a key of each of the other required sets
            and not (entry.options and any(keys.isdisjoint(present) for keys in entry.options))
        ]
        todo.extend(index.unindexed)
        out: list[WatchMatch] = []
        verified = 0
        a = _Article(index, doc, body, now)
        for entry in todo:
            if entry.excluded and not entry.excluded.isdisjoint(body):
                continue
            verified += 1
            for part in entry.parts:  # filters first, then the core: its result is the query's
                result = part.result(a)
                if not result.matched:
                    break
            else:
                out.extend(zip(entry.watch_ids, repeat(result)))
        out.sort(key=itemgetter(0))
        self._counts.update(hits)
        self._articles += 1
        self._candidates += len(candidates)
        self._unindexed += len(index.unindexed)
        self._verified += verified
        self._matches += len(out)
        self._seen += 1
        if self._next_rekey is not None and self._seen >= self._next_rekey:
            self._next_rekey += min(self._next_rekey, REKEY_EVERY)
            self._rekey()
        return out
