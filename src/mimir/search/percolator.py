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
URL (the fields keys come from):

- *exact keys* (``merger``): a dict from the word to the queries indexed under it, intersected
  with the article's words;
- *prefix keys* (``broad*``): a dict from the prefix to its queries. The prefixes an article
  hits are found by bisecting the article's sorted words once per prefix when there are fewer
  prefixes than words, and otherwise by walking each word one letter at a time through the set
  of every beginning of every prefix (``b``, ``br``, ``bro``, ...) until it leaves the set;
- *unindexed* queries (``NOT sports``, ``lang:de source:x``, ``a OR NOT b``: no required word)
  are looked at for every article.

Before the matcher runs, two set lookups rule candidates out: a query requires a key of each of
several sets (``"connected TV" launch*``: *connected*, *tv* and a word starting with *launch*)
and is indexed under one, so the article must have a key of each of the others too; and a word
under a ``NOT`` the whole query needs (``launch -sports``) must not be in the title or text.
The rest are verified with the full matcher (``matcher.match``) against the same ``Document``,
cut into words once per article. So the answer is exactly the one-by-one answer: the index only
skips queries that cannot match. Identical queries (after parsing: ``ai merger`` and
``ai AND merger``) are verified once for all the watches that have them, and so are the parts
queries share: an ``AND`` is matched as its filters (the parts without terms to highlight:
``-sports``, ``lang:en``, ``within:7d``) and its core (the rest), each through the matcher once
per article, so ``"ATSC 3.0" -sports``, ``"ATSC 3.0" lang:en`` and ``"ATSC 3.0"`` cost one
phrase lookup and two cheap filters.

Which set a query is indexed under decides how often it is a candidate. ``required.index_keys``
prefers longer words, but in a trade's press a long word is often a common one
(``"Summit Television Network"`` would be filed under *television*). So the percolator counts,
in the articles it sees, how many have each word its watches could be indexed under, and indexes
each query under the set (and each ``OR`` branch under the key) the fewest articles had, with
``index_keys``'s preferences breaking ties (so before any article, and for words never seen, the
choice is ``index_keys``'s). It re-indexes itself with the counts after 128, 256, 512 ... 16,384
articles and every 16,384 after that (``rekey``: 0.2 to 0.5 s for 10,000 watches, in the
call to ``match`` that reaches the count), and ``replace_all`` indexes by them. A new percolator
built to replace another (``learned_from=``) starts with the other's counts.

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
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from operator import itemgetter

from mimir.errors import QuerySyntaxError
from mimir.search.matcher import ArticleFields, Document, MatchResult, match
from mimir.search.nodes import And, Field, Node, Not, Or, Term, positive_terms
from mimir.search.parser import parse
from mimir.search.required import IndexKey, KeySet, required_key_sets

#: the fields a term in no field looks at (the "body" excluded words are looked for in)
BODY_FIELDS: tuple[Field, ...] = (Field.TITLE, Field.TEXT)
#: the fields index keys are looked up in (the text fields of ``required``; not the source's)
KEY_FIELDS: tuple[Field, ...] = (*BODY_FIELDS, Field.AUTHOR, Field.TAG, Field.URL)
#: re-index with the word counts after this many articles, then twice as many, up to every ...
REKEY_FIRST, REKEY_EVERY = 128, 16_384


#: a watch that matched an article: its id and the matched terms (for highlighting)
WatchMatch = tuple[int, MatchResult]


@dataclass(frozen=True, slots=True)
class PercolatorStats:
    """What the percolator has done since it was created (cumulative counters)."""

    articles: int = 0  #: articles matched
    candidates: int = 0  #: indexed queries one of whose keys an article had
    unindexed: int = 0  #: queries with no keys, looked at for every article
    verified: int = 0  #: queries verified with the matcher: the candidates with a key of every
    #: required set and none of their excluded words, and the unindexed ones
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


class _Part:
    """A part of queries (a core or a filter, see ``_split``), shared by every query that has
    it, so that it goes through the matcher once per article (hashed by identity)."""

    __slots__ = ("node", "users")

    def __init__(self, node: Node) -> None:
        self.node = node
        self.users = 0


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


#: what a query of filters only gets when it matches (no terms to highlight)
_NO_TERMS = MatchResult(True, ())


def _verify(
    entry: _Entry, doc: Document, now: datetime, done: dict[_Part, MatchResult]
) -> MatchResult:
    """``match(entry.query, doc)``: its filters, then its core, each part through the matcher
    once per article (``done``)."""
    for part in entry.filters:
        result = done.get(part)
        if result is None:
            result = done[part] = match(part.node, doc, now=now)
        if not result.matched:
            return result
    if entry.core is None:
        return _NO_TERMS
    result = done.get(entry.core)
    if result is None:
        result = done[entry.core] = match(entry.core.node, doc, now=now)
    return result


class _Entry:
    """One distinct query and the watches that have it (hashed by identity)."""

    __slots__ = ("checks", "core", "excluded", "filters", "keys", "query", "texts", "watch_ids")

    def __init__(self, query: Node, chooser: _Chooser) -> None:
        self.query = query
        self.watch_ids: set[int] = set()
        #: set by the index: the query's core (None: filters only) and filters, shared
        self.core: _Part | None = None
        self.filters: tuple[_Part, ...] = ()
        sets = chooser.key_sets(query)
        #: what it is indexed under (None: verified against every article)
        self.keys: KeySet | None = min(sets, key=chooser.rank) if sets else None
        #: the other required sets: an article must have a key of each too, checked with set
        #: lookups before the matcher runs
        self.checks = tuple(frozenset(_text(k) for k in s) for s in sets if s != self.keys)
        #: every key of every set, as ``_text``: what the percolator counts in articles
        self.texts = frozenset(_text(k) for s in sets for k in s)
        #: words whose presence in the title or the text rules the query out
        self.excluded = _excluded(query)


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
        "by_query",
        "by_watch",
        "chooser",
        "exact",
        "parts",
        "paths",
        "prefix",
        "prefixes",
        "unindexed",
        "vocab",
    )

    def __init__(self, chooser: _Chooser) -> None:
        self.chooser = chooser
        self.by_watch: dict[int, _Entry] = {}
        self.by_query: dict[Node, _Entry] = {}
        self.parts: dict[Node, _Part] = {}
        self.exact: dict[str, set[_Entry]] = {}
        self.prefix: dict[str, set[_Entry]] = {}
        self.unindexed: set[_Entry] = set()
        #: every key text of every query (how many queries have it): what is counted and, for
        #: prefixes (``broad*``), what the walk looks for
        self.vocab: Counter[str] = Counter()
        #: every beginning of every prefix in ``vocab`` (how many prefixes share it)
        self.paths: Counter[str] = Counter()
        #: the prefixes in ``vocab``, sorted (None: to be made again)
        self.prefixes: list[str] | None = None

    def add(self, watch_id: int, query: Node) -> None:
        self.remove(watch_id)
        entry = self.by_query.get(query)
        if entry is None:
            entry = _Entry(query, self.chooser)
            core, filters = _split(query)
            entry.core = None if core is None else self._part(core)
            entry.filters = tuple(self._part(f) for f in filters)
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
            for part in (*entry.filters, *([entry.core] if entry.core else [])):
                part.users -= 1
                if not part.users:
                    del self.parts[part.node]
        return True

    def _part(self, node: Node) -> _Part:
        part = self.parts.get(node)
        if part is None:
            part = self.parts[node] = _Part(node)
        part.users += 1
        return part

    def _insert(self, entry: _Entry) -> None:
        for text in entry.texts:
            if not self.vocab[text] and text[-1] == "*":
                self.paths.update(text[:n] for n in range(1, len(text)))
                self.prefixes = None
            self.vocab[text] += 1
        if entry.keys is None:
            self.unindexed.add(entry)
            return
        for key in entry.keys:
            table = self.prefix if key.prefix else self.exact
            table.setdefault(key.word, set()).add(entry)

    def _delete(self, entry: _Entry) -> None:
        for text in entry.texts:
            self.vocab[text] -= 1
            if self.vocab[text] > 0:
                continue
            del self.vocab[text]
            if text[-1] == "*":
                self.prefixes = None
                for n in range(1, len(text)):
                    self.paths[text[:n]] -= 1
                    if self.paths[text[:n]] <= 0:
                        del self.paths[text[:n]]
        if entry.keys is None:
            self.unindexed.discard(entry)
            return
        for key in entry.keys:
            table = self.prefix if key.prefix else self.exact
            entries = table[key.word]
            entries.discard(entry)
            if not entries:
                del table[key.word]

    def present(self, words: set[str]) -> tuple[set[str], list[str]]:
        """``words`` with the prefix keys they hit (as ``broad*``), and those prefixes."""
        prefixes = self.prefixes
        if prefixes is None:
            prefixes = self.prefixes = sorted(t[:-1] for t in self.vocab if t[-1] == "*")
        if not prefixes:
            return words, []
        if len(prefixes) <= len(words):
            hits = _bisected(prefixes, words)
        else:
            hits = _walked(self.paths, self.vocab, words)
        if not hits:
            return words, hits
        return words.union(f"{start}*" for start in hits), hits

    def candidates(self, words: set[str], prefix_hits: list[str]) -> set[_Entry]:
        """The indexed queries with a key among ``words`` or ``prefix_hits``."""
        found: set[_Entry] = set()
        exact, prefix = self.exact, self.prefix
        for word in exact.keys() & words:
            found |= exact[word]
        for start in prefix_hits:
            entries = prefix.get(start)
            if entries:
                found |= entries
        return found


def _bisected(prefixes: list[str], words: set[str]) -> list[str]:
    """The ``prefixes`` some of ``words`` start with: a bisection of the sorted words per prefix
    (the cheaper way when there are fewer prefixes than words)."""
    ordered = sorted(words)
    n = len(ordered)
    hits = []
    for start in prefixes:
        i = bisect_left(ordered, start)
        if i < n and ordered[i].startswith(start):
            hits.append(start)
    return hits


def _walked(paths: Mapping[str, int], vocab: Mapping[str, int], words: set[str]) -> list[str]:
    """The same by walking each word one letter at a time while ``paths`` has its beginning
    (the cheaper way when there are more prefixes than words)."""
    hits = set()
    for word in words:
        for end in range(1, len(word) + 1):
            start = word[:end]
            if start not in paths:
                break
            if f"{start}*" in vocab:
                hits.add(start)
    return sorted(hits)


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
        index = _Index(_Chooser(self._counts))
        for watch_id, entry in self._index.by_watch.items():
            index.add(watch_id, entry.query)
        self._swap(index)
        self._rekeys += 1

    def _swap(self, index: _Index) -> None:
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
        present, prefix_hits = index.present(words)
        candidates = index.candidates(words, prefix_hits)
        todo = []
        for entry in candidates:
            for keys in entry.checks:  # a key of each of the other required sets
                if keys.isdisjoint(present):
                    break
            else:
                todo.append(entry)
        todo.extend(index.unindexed)
        out: list[WatchMatch] = []
        verified = 0
        done: dict[_Part, MatchResult] = {}  # each part through the matcher once
        for entry in todo:
            if entry.excluded and not entry.excluded.isdisjoint(body):
                continue
            verified += 1
            result = _verify(entry, doc, now, done)
            if result.matched:
                out.extend(zip(entry.watch_ids, repeat(result)))
        out.sort(key=itemgetter(0))
        self._counts.update(index.vocab.keys() & present)
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
