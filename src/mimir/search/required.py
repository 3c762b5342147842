"""What an article must contain for a query to match: the keys a percolator indexes watches by.

A percolator keeps many saved queries and, for each new article, tests only the ones that can
match it. For that it indexes every query under *index keys*: words such that any article the
query matches contains at least one of them (in one of its text fields: title, text, authors,
tags, URL). For each article it looks up the article's words, tests the queries found under them
with the full matcher, and tests the queries without keys every time.

``required_key_sets(query)`` returns the requirement as a conjunction of alternatives: a matching
article contains at least one key of *each* set. ``index_keys(query)`` picks the one set to
index under (the smallest, preferring whole words and then longer words, which are rarer).

- ``merger``: ``({merger})``, keyed under ``merger``.
- ``"ATSC 3.0"``: each word is required: ``({atsc}, {3}, {0})``; keyed under ``atsc``.
- ``a AND b`` / ``a b``: ``({a}, {b})``; either one suffices as the key.
- ``a OR b``: ``({a, b})``: one key per branch (a branch's own best set).
- ``broad*``: ``({broad*})``: a prefix key; the article's words that start with it hit.
- ``NOT a``, ``-a``, ``lang:en``, ``source:bbc``, ``after:...``: no requirement (``()``), so
  ``index_keys`` is None: check the query against every article.
- ``(a OR NOT b)``: an ``OR`` with a branch that requires nothing requires nothing.
- ``a -b source:x``: ``({a},)``: the negation and the filter add nothing, ``a`` remains.

Keys are folded words (``mimir.search.tokens``), exactly as the article's words are.
"""

from __future__ import annotations

from dataclasses import dataclass

from mimir.search.nodes import TEXT_FIELDS, And, Near, Node, Or, Term


@dataclass(frozen=True, slots=True, order=True)
class IndexKey:
    """A folded word; with ``prefix``, any word that starts with it."""

    word: str
    prefix: bool = False

    def hits(self, word: str) -> bool:
        return word.startswith(self.word) if self.prefix else word == self.word


KeySet = frozenset[IndexKey]


def required_key_sets(query: Node) -> tuple[KeySet, ...]:
    """Sets of keys such that an article matching ``query`` contains a key of every set.

    ``()`` means no requirement: the query may match an article whatever words it has.
    """
    if isinstance(query, Term):
        if query.field not in TEXT_FIELDS:
            return ()
        return _term_sets(query)
    if isinstance(query, Near):
        return _term_sets(query.left) + _term_sets(query.right)
    if isinstance(query, And):
        out: list[KeySet] = []
        for child in query.children:
            for keys in required_key_sets(child):
                if keys not in out:
                    out.append(keys)
        return tuple(out)
    if isinstance(query, Or):
        union: set[IndexKey] = set()
        for child in query.children:
            best = _best(required_key_sets(child))
            if best is None:
                return ()
            union |= best
        return (frozenset(union),)
    return ()  # Not and the filters require no word


def index_keys(query: Node) -> KeySet | None:
    """The keys to index ``query`` under, or None: test it against every article."""
    return _best(required_key_sets(query))


def _term_sets(term: Term) -> tuple[KeySet, ...]:
    last = len(term.words) - 1
    return tuple(
        frozenset({IndexKey(w, term.prefix and i == last)}) for i, w in enumerate(term.words)
    )


def _best(sets: tuple[KeySet, ...]) -> KeySet | None:
    if not sets:
        return None
    return min(
        sets,
        key=lambda keys: (
            len(keys),
            sum(k.prefix for k in keys),
            -min(len(k.word) for k in keys),
            sorted(keys),
        ),
    )
