"""The PostgreSQL back-end: ``tsquery`` over GIN-indexed tsvectors, filters in SQL.

``article_search`` (migration 0002) carries two vectors built with the ``simple``
configuration over the folded words (``mimir_search_words``: NFKC, ``unaccent``, lower case,
non-alphanumerics as spaces), so that they hold exactly the words of ``mimir.search.tokens``:

- ``terms``: the title (weight A) and the text (B);
- ``meta``: the authors (A), the tags (B) and the URL (C).

A term becomes its quoted folded words, a phrase joined by ``<->``, a prefix ``:*``, a field a
weight (``title:x`` is ``'x':A`` on ``terms``). A phrase in no field is tried in the title and
in the text separately (``('a':A <-> 'b':A) | ('a':B <-> 'b':B)``) so that it never spans the
two, as in FTS5 where they are two columns. ``NEAR/n`` becomes the alternatives ``L <k> R`` and
``R <k> L`` for every ``k`` from 0 to ``n + 1`` (``<k>`` counts from the end of the left side
to the start of the right one) plus, for phrases that can overlap deeper, the merged phrases:
exactly FTS5's rule, no post-filter needed.

Ranking uses a third vector, ``rank_terms``: the title (A) and the first 1,000 characters of
the text (D) in the text-search configuration of the article's language (``english``,
``french``... ``simple`` when there is none), with the query's words run through the same
configuration, so ``launch`` ranks an article about "launches" too (matching stays exact).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    DateTime,
    MetaData,
    Select,
    String,
    Table,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import REGCONFIG, TSQUERY, TSVECTOR

from mimir.db.types import UTCDateTime
from mimir.search.nodes import And, Field, Near, Node, Not, Or, Term, positive_terms
from mimir.search.plan import Cond, FilterCond, IndexCond, translate
from mimir.search.sql import SearchSpec, cond_sql, ranked_page, split_conjuncts, window_sql

#: article_search with its PostgreSQL-only columns (own MetaData: they are migration-only)
search_table = Table(
    "article_search",
    MetaData(),
    Column("article_id", BigInteger, primary_key=True),
    Column("source_id", BigInteger),
    Column("language", String(16)),
    Column("sort_at", UTCDateTime),
    Column("terms", TSVECTOR),
    Column("meta", TSVECTOR),
    Column("rank_config", REGCONFIG),
    Column("rank_terms", TSVECTOR),
)

#: (vector, weight) of each field; None: any weight of the vector
_PLACES: dict[Field, tuple[str, str | None]] = {
    Field.ANY: ("terms", None),
    Field.TITLE: ("terms", "A"),
    Field.TEXT: ("terms", "B"),
    Field.AUTHOR: ("meta", "A"),
    Field.TAG: ("meta", "B"),
    Field.URL: ("meta", "C"),
}
#: the weights a term in no field is tried under, one by one, when its position matters
_ANY_WEIGHTS = ("A", "B")


def _group(node: Term | Near) -> str:
    return _PLACES[node.field][0]


def _lexeme(word: str, prefix: bool, weight: str | None) -> str:
    # folded words are letters and digits only: nothing to escape
    suffix = ("*" if prefix else "") + (weight or "")
    return f"'{word}':{suffix}" if suffix else f"'{word}'"


def _phrase(words: tuple[str, ...], prefix: bool, weight: str | None) -> str:
    last = len(words) - 1
    parts = [_lexeme(w, prefix and i == last, weight) for i, w in enumerate(words)]
    return parts[0] if len(parts) == 1 else f"({' <-> '.join(parts)})"


def _weights(field: Field) -> tuple[str, ...]:
    weight = _PLACES[field][1]
    return (weight,) if weight else _ANY_WEIGHTS


def term_query(term: Term) -> str:
    if len(term.words) == 1 or term.field is not Field.ANY:
        return _phrase(term.words, term.prefix, _PLACES[term.field][1])
    alternatives = [_phrase(term.words, term.prefix, w) for w in _ANY_WEIGHTS]
    return f"({' | '.join(alternatives)})"


def near_query(near: Near) -> str:
    alternatives: list[str] = []
    for weight in _weights(near.field):
        alternatives.extend(_near_alternatives(near, weight))
    return f"({' | '.join(dict.fromkeys(alternatives))})"


def _near_alternatives(near: Near, weight: str) -> list[str]:
    """FTS5's NEAR: with ``d`` = (start of right) - (start of left), ``l``/``r`` their lengths:
    ``-(r + n) <= d <= l + n``."""
    left, right = near.left, near.right
    lp = _phrase(left.words, left.prefix, weight)
    rp = _phrase(right.words, right.prefix, weight)
    out = []
    for k in range(near.distance + 2):
        out.append(f"{lp} <{k}> {rp}")  # d = k + l - 1
        out.append(f"{rp} <{k}> {lp}")  # d = -(k + r - 1)
    # the right side starting strictly inside the left one (or the left inside the right)
    for d in range(-(len(right.words) - 2), len(left.words) - 1):
        merged = _merge(left, right, d)
        if merged is not None:
            out.append(_phrase(merged.words, merged.prefix, weight))
    return out


def _merge(left: Term, right: Term, d: int) -> Term | None:
    """The phrase matched where ``right`` starts ``d`` words after ``left`` starts, if their
    overlapping words can be the same word."""
    start = min(0, d)
    end = max(len(left.words), d + len(right.words))
    slots: list[tuple[str, bool] | None] = [None] * (end - start)
    for offset, term in ((0, left), (d, right)):
        last = len(term.words) - 1
        for i, word in enumerate(term.words):
            want = (word, term.prefix and i == last)
            have = slots[offset + i - start]
            if have is None:
                slots[offset + i - start] = want
                continue
            combined = _combine(have, want)
            if combined is None:
                return None
            slots[offset + i - start] = combined
    words = tuple(s[0] for s in slots if s is not None)
    prefix = slots[-1] is not None and slots[-1][1]
    if any(s is not None and s[1] for s in slots[:-1]):  # pragma: no cover - see docstring
        return None
    return Term(words, prefix)


def _combine(a: tuple[str, bool], b: tuple[str, bool]) -> tuple[str, bool] | None:
    """One word that satisfies both (word, is_prefix) constraints, or None."""
    (wa, pa), (wb, pb) = a, b
    if not pa and not pb:
        return a if wa == wb else None
    if pa and pb:
        return a if wa.startswith(wb) else (b if wb.startswith(wa) else None)
    exact, prefix = (a, b) if not pa else (b, a)
    return exact if exact[0].startswith(prefix[0]) else None


def tsquery(node: Node) -> str:
    """The ``tsquery`` text for a subtree whose terms are all in one vector."""
    if isinstance(node, Term):
        return term_query(node)
    if isinstance(node, Near):
        return near_query(node)
    if isinstance(node, Not):
        return f"!{tsquery(node.child)}"
    if isinstance(node, And | Or):
        glue = " & " if isinstance(node, And) else " | "
        return f"({glue.join(tsquery(c) for c in node.children)})"
    raise ValueError(f"{node!r} is not a text condition")  # pragma: no cover


def _express(_group: str, node: Node) -> str | None:
    return tsquery(node)


def rank_text(query: Node) -> str | None:
    """The query's positive terms for ``to_tsquery(<language config>, ...)``, OR-ed."""
    seen = dict.fromkeys(_phrase(t.words, t.prefix, None) for t in positive_terms(query))
    return " | ".join(seen) if seen else None


#: a top-level source filter naming at most this many sources is also said to the GIN index
#: (the ``_src<id>`` marks), as the days of a window of at most MAX_DAYS days are (``_d<day>``)
SOURCE_MARKS = 64
MAX_DAYS = 100


def _marks(spec: SearchSpec, conds: list[Cond]) -> str | None:
    """The marks the top-level ``terms`` condition can require too (None: none)."""
    required: list[str] = []
    for cond in conds:
        if isinstance(cond, FilterCond) and isinstance(cond.node, Term):
            ids = spec.sources.get(cond.node, frozenset())
            if 0 < len(ids) <= SOURCE_MARKS:
                required.append("(" + " | ".join(f"'_src{i}'" for i in sorted(ids)) + ")")
    if spec.days:
        required.append("(" + " | ".join(f"'_d{day}'" for day in spec.days) + ")")
    return " & ".join(required) if required else None


def _where(spec: SearchSpec, s: Any) -> list[Any]:
    conds = split_conjuncts(translate(spec.query, _group, _express))
    marks = _marks(spec, conds)
    if marks is not None:
        top = next((c for c in conds if isinstance(c, IndexCond) and c.group == "terms"), None)
        if top is None:
            conds.append(IndexCond("terms", marks, spec.query))
        else:
            conds[conds.index(top)] = IndexCond("terms", f"{top.expr} & {marks}", top.node)

    def index(cond: IndexCond) -> Any:
        vector = s.c.terms if cond.group == "terms" else s.c.meta
        return vector.op("@@", is_comparison=True)(cast(bindparam(None, cond.expr), TSQUERY))

    return [cond_sql(c, s, spec, index) for c in conds] + window_sql(s, spec)


def _newest_first(spec: SearchSpec, s: Any) -> tuple[Any, Any]:
    """The order, newest first. Unless the window's days are marks in the query (which makes
    the GIN index the cheap way in), the date is ordered through an expression the date index
    cannot serve: past the first windows the query is known to be sparse, and with a LIMIT the
    planner would otherwise walk the date index backwards and re-check every article's vector
    until the limit is met (1.7 s for a word in 3 % of the articles), instead of taking the
    matches from the GIN index and sorting them."""
    if spec.days is None and spec.limit is not None:
        return (s.c.sort_at + text("interval '0 seconds'")).desc(), s.c.article_id.desc()
    return s.c.sort_at.desc(), s.c.article_id.desc()


def build_select(spec: SearchSpec) -> Select[Any]:
    """``SELECT article_id, sort_at`` of the matching articles, newest first."""
    s = search_table
    q = (
        select(s.c.article_id, s.c.sort_at)
        .where(*_where(spec, s))
        .order_by(*_newest_first(spec, s))
    )
    return q.limit(spec.limit) if spec.limit is not None else q


def build_ranked(spec: SearchSpec, offset: int, limit: int) -> Select[Any]:
    """One page of the ``spec.limit`` newest matches ranked by ts_rank_cd x recency boost
    (``mimir.search.sql.ranked_page``). The pool carries the ranking vectors (read with the
    rows the window finds); the query is made once per configuration, not once per row."""
    s = search_table
    pool = (
        select(s.c.article_id, s.c.sort_at, s.c.rank_config, s.c.rank_terms)
        .where(*_where(spec, s))
        .order_by(*_newest_first(spec, s))
    )
    if spec.limit is not None:
        pool = pool.limit(spec.limit)
    newest = pool.subquery("newest")
    now = bindparam("now", spec.now, type_=DateTime(timezone=True))
    age = func.greatest(0.0, func.date_part("epoch", now - newest.c.sort_at) / 86400.0)
    ranked = rank_text(spec.query)
    relevance: Any = literal(1.0)
    joined: Any = newest
    if ranked is not None:
        rq = (
            text(
                "SELECT oid::regconfig AS cfg, to_tsquery(oid::regconfig, :rank_text) AS q "
                "FROM pg_ts_config OFFSET 0"  # OFFSET 0: made once, not folded into the join
            )
            .bindparams(rank_text=ranked)
            .columns(column("cfg", REGCONFIG), column("q", TSQUERY))
            .subquery("rq")
        )
        relevance = func.ts_rank_cd(newest.c.rank_terms, rq.c.q)
        joined = newest.join(rq, rq.c.cfg == newest.c.rank_config)
    scored = select(
        newest.c.article_id, newest.c.sort_at, age.label("age"), relevance.label("relevance")
    ).select_from(joined)
    return ranked_page(scored.subquery("pool"), offset, limit)


def narrow(
    conn: Connection, spec: SearchSpec, since: datetime, until: datetime | None
) -> SearchSpec | None:
    """``spec`` with the days of the window [since, until] as marks (None: it holds nothing).

    Without ``until`` the window runs to the newest article's day.
    """
    s = search_table
    last = until or conn.execute(select(func.max(s.c.sort_at))).scalar()
    if last is None or last < since:
        return None
    first_day, last_day = since.astimezone(UTC).date(), last.astimezone(UTC).date()
    count = (last_day - first_day).days + 1
    if count > MAX_DAYS:
        return spec
    days = tuple(f"{first_day + timedelta(days=i):%Y%m%d}" for i in range(count))
    return replace(spec, days=days)


#: the window's days go into the query as marks (see narrow)
WORK_MEM = "32MB"


def prepare(conn: Connection) -> None:
    """Per search: enough ``work_mem`` for the bitmaps of a window to stay exact (with the
    default 4 MB they turn lossy at a few tens of thousands of rows, and every row of a lossy
    page has its vector re-read and re-checked)."""
    conn.exec_driver_sql(f"SET LOCAL work_mem = '{WORK_MEM}'")
