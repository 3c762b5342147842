"""From a query tree to a boolean plan for SQL: index conditions plus filters.

Both SQL back-ends keep the words in a full-text index (FTS5 on SQLite, tsvectors with GIN on
PostgreSQL) and the filters (source, language, date) in ordinary columns of ``article_search``.
A query mixes the two freely (``source:bbc OR title:merger``), so it is translated into a small
boolean tree whose leaves are either an *index condition* (a subtree the index answers in one
go: an FTS5 ``MATCH`` expression, a ``tsquery``) or a *filter* (a column predicate). The
translator puts as much of the query as the back-end can express into each index condition:
siblings of the same index are merged, and whatever the index cannot express (FTS5 has no
stand-alone ``NOT`` and no ``OR NOT``) is split into SQL ``AND``/``OR``/``NOT``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from mimir.search.nodes import (
    SOURCE_FIELDS,
    After,
    And,
    Before,
    Lang,
    Near,
    Node,
    Not,
    Or,
    Term,
    Within,
)


@dataclass(frozen=True, slots=True)
class IndexCond:
    """A subtree the index ``group`` answers with the expression ``expr``."""

    group: str
    expr: str
    node: Node


@dataclass(frozen=True, slots=True)
class FilterCond:
    """A language, date or source filter (``source:``/``category:`` resolved to source ids)."""

    node: Lang | After | Before | Within | Term


@dataclass(frozen=True, slots=True)
class AndCond:
    parts: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class OrCond:
    parts: tuple[Cond, ...]


@dataclass(frozen=True, slots=True)
class NotCond:
    part: Cond


Cond = IndexCond | FilterCond | AndCond | OrCond | NotCond

#: which index holds a text leaf (None: a filter)
GroupOf = Callable[[Term | Near], str | None]
#: the index expression for a subtree of one group, or None when the index cannot express it
Express = Callable[[str, Node], str | None]


def translate(query: Node, group_of: GroupOf, express: Express) -> Cond:
    """The plan for ``query`` given a back-end's ``group_of`` and ``express``."""
    return _Translator(group_of, express).cond(query)


class _Translator:
    def __init__(self, group_of: GroupOf, express: Express) -> None:
        self.group_of = group_of
        self.express = express
        self._groups: dict[int, str | None] = {}

    def group(self, node: Node) -> str | None:
        """The one index every leaf of ``node`` is in, or None (filters, or mixed indexes)."""
        key = id(node)
        if key in self._groups:
            return self._groups[key]
        result: str | None
        if isinstance(node, Term | Near):
            result = (
                None
                if isinstance(node, Term) and node.field in SOURCE_FIELDS
                else (self.group_of(node))
            )
        elif isinstance(node, Not):
            result = self.group(node.child)
        elif isinstance(node, And | Or):
            found = {self.group(c) for c in node.children}
            result = found.pop() if len(found) == 1 else None
        else:
            result = None
        self._groups[key] = result
        return result

    def cond(self, node: Node) -> Cond:
        group = self.group(node)
        if group is not None:
            expr = self.express(group, node)
            if expr is not None:
                return IndexCond(group, expr, node)
        if isinstance(node, Not):
            return NotCond(self.cond(node.child))
        if isinstance(node, And | Or):
            return self.combine(node)
        if isinstance(node, Lang | After | Before | Within | Term):
            return FilterCond(node)
        raise ValueError(f"{node!r} cannot be expressed")  # pragma: no cover - leaves always can

    def combine(self, node: And | Or) -> Cond:
        kind = AndCond if isinstance(node, And) else OrCond
        by_group: dict[str, list[Node]] = {}
        parts: list[Cond] = []
        for child in node.children:
            group = self.group(child)
            if group is None:
                parts.append(self.cond(child))
            else:
                by_group.setdefault(group, []).append(child)
        merged: list[Cond] = []
        for group, nodes in by_group.items():
            if len(nodes) > 1:
                combined: Node = And(tuple(nodes)) if kind is AndCond else Or(tuple(nodes))
                expr = self.express(group, combined)
                if expr is not None:
                    merged.append(IndexCond(group, expr, combined))
                    continue
            merged.extend(self.cond(n) for n in nodes)
        everything = tuple(merged + parts)
        return everything[0] if len(everything) == 1 else kind(everything)


def source_terms(query: Node) -> list[Term]:
    """The ``source:`` and ``category:`` terms of ``query`` (to resolve to source ids)."""
    if isinstance(query, And | Or):
        return [t for c in query.children for t in source_terms(c)]
    if isinstance(query, Not):
        return source_terms(query.child)
    if isinstance(query, Term) and query.field in SOURCE_FIELDS:
        return [query]
    return []


#: source ids each ``source:``/``category:`` term matches
SourceIds = Mapping[Term, frozenset[int]]
