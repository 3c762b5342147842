"""The query parser: text in, an immutable tree (``mimir.search.nodes``) out.

Grammar (operators in capitals only; ``and``/``or``/``not``/``near`` are ordinary words)::

    query    = or_expr
    or_expr  = and_expr { "OR" and_expr }
    and_expr = not_expr { ["AND"] not_expr }        -- juxtaposition is AND
    not_expr = "NOT" not_expr | near
    near     = primary [ ("NEAR" | "NEAR/" n) primary ]
    primary  = "-" primary | "(" or_expr ")" | field ":" value | word ["*"] | '"' words '"' ["*"]
    value    = word ["*"] | '"' words '"' ["*"] | "(" or_expr ")"     -- text fields
             | date | period | language                               -- filters

Precedence, tightest first: ``-``, ``NEAR``, ``NOT``, ``AND`` (explicit or implied), ``OR``:
``a OR b c`` is ``a OR (b AND c)``. Every error raises ``QuerySyntaxError`` with the 0-based
position of the offending character.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import Enum, auto

from mimir.errors import QuerySyntaxError
from mimir.search.nodes import (
    SOURCE_FIELDS,
    TEXT_FIELDS,
    After,
    And,
    Before,
    Field,
    Lang,
    Near,
    Node,
    Not,
    Or,
    Term,
    Within,
)
from mimir.search.tokens import query_words

#: NEAR without a number (as in FTS5)
DEFAULT_NEAR = 10
MAX_NEAR = 100
#: the shortest prefix of one word (``tv*``); shorter ones match a good part of the index
MIN_PREFIX = 2
MAX_QUERY_CHARS = 4000

_FIELD_NAMES: dict[str, str] = {
    "title": "title",
    "text": "text",
    "author": "author",
    "authors": "author",
    "tag": "tag",
    "tags": "tag",
    "url": "url",
    "source": "source",
    "category": "category",
    "lang": "lang",
    "language": "lang",
    "after": "after",
    "before": "before",
    "within": "within",
}
_FIELD_LIST = "title, text, author, tag, url, source, category, lang, after, before, within"
_FIELD_RE = re.compile(r"([A-Za-z]+):")
_NEAR_RE = re.compile(r"NEAR(?:/(\d+))?")
_LANG_RE = re.compile(r"([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]{1,8})*")
_PERIOD_RE = re.compile(r"(\d{1,7})([mhdw])")
_PERIOD_UNITS = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
_MAX_PERIOD = timedelta(days=36600)
_DAY_RE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_STOP = frozenset(' \t\r\n\f\v()"')


class _Kind(Enum):
    WORD = auto()
    PHRASE = auto()
    LPAREN = auto()
    RPAREN = auto()
    AND = auto()
    OR = auto()
    NOT = auto()
    NEAR = auto()
    MINUS = auto()
    FIELD = auto()
    EOF = auto()


@dataclass(frozen=True, slots=True)
class _Token:
    kind: _Kind
    pos: int
    text: str = ""  # raw word, phrase content or field name
    prefix: bool = False
    number: int = 0  # NEAR distance


def parse(query: str) -> Node:
    """The tree of ``query``; ``QuerySyntaxError`` (an ``InputError``) when it is not valid."""
    if len(query) > MAX_QUERY_CHARS:
        raise QuerySyntaxError(
            f"the query is longer than {MAX_QUERY_CHARS} characters", query, MAX_QUERY_CHARS
        )
    return _Parser(query).parse()


# ---- lexer ------------------------------------------------------------------------------------


def _lex(query: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(query)
    value_next = False  # the previous token was `field:`: take the next word as it is
    while i < n:
        char = query[i]
        if char.isspace():
            if value_next:
                raise QuerySyntaxError(
                    f"'{tokens[-1].text}:' needs a value right after the colon", query, i
                )
            i += 1
            continue
        start = i
        if char == "(":
            tokens.append(_Token(_Kind.LPAREN, i))
            i += 1
        elif char == ")":
            tokens.append(_Token(_Kind.RPAREN, i))
            i += 1
        elif char == '"':
            end = query.find('"', i + 1)
            if end < 0:
                raise QuerySyntaxError("this quote is never closed", query, i)
            prefix = end + 1 < n and query[end + 1] == "*"
            tokens.append(_Token(_Kind.PHRASE, i, query[i + 1 : end], prefix))
            i = end + (2 if prefix else 1)
        elif char == "-" and not value_next and _starts_operand(query, i + 1):
            tokens.append(_Token(_Kind.MINUS, i))
            i += 1
            continue
        else:
            while i < n and query[i] not in _STOP:
                i += 1
            run = query[start:i]
            field = _FIELD_RE.match(run) if not value_next else None
            if field is not None and not run.startswith(f"{field.group(1)}://"):
                name = field.group(1).lower()
                if name not in _FIELD_NAMES:
                    raise QuerySyntaxError(
                        f"unknown field '{field.group(1)}:' (fields: {_FIELD_LIST}; "
                        'put text with a colon in quotes: "re:Invent")',
                        query,
                        start,
                    )
                tokens.append(_Token(_Kind.FIELD, start, _FIELD_NAMES[name]))
                i = start + field.end()
                if i >= n or query[i].isspace():
                    raise QuerySyntaxError(
                        f"'{field.group(1)}:' needs a value right after the colon", query, i
                    )
                value_next = True
                continue
            if not value_next:
                op = _operator(run, start, query)
                if op is not None:
                    tokens.append(op)
                    continue
            token = _word(run, start, query, raw=value_next)
            if token is not None:
                tokens.append(token)
        value_next = False
    if value_next:
        raise QuerySyntaxError(f"'{tokens[-1].text}:' needs a value", query, n)
    tokens.append(_Token(_Kind.EOF, n))
    return tokens


def _starts_operand(query: str, i: int) -> bool:
    """Is ``-`` at ``i - 1`` a negation (``-word``, ``-"a b"``, ``-(...)``, ``-title:x``)?"""
    if i >= len(query):
        return False
    char = query[i]
    return char in '("' or bool(query_words(char)) or char.isalpha()


def _operator(run: str, start: int, query: str) -> _Token | None:
    if run == "AND":
        return _Token(_Kind.AND, start)
    if run == "OR":
        return _Token(_Kind.OR, start)
    if run == "NOT":
        return _Token(_Kind.NOT, start)
    if run.startswith("NEAR/") or run == "NEAR":
        near = _NEAR_RE.fullmatch(run)
        if near is None:
            raise QuerySyntaxError(
                "NEAR takes a number of words: NEAR/5", query, start + min(len(run), 5)
            )
        distance = int(near.group(1)) if near.group(1) is not None else DEFAULT_NEAR
        if distance > MAX_NEAR:
            raise QuerySyntaxError(f"NEAR allows at most {MAX_NEAR} words", query, start + 5)
        return _Token(_Kind.NEAR, start, number=distance)
    return None


def _word(run: str, start: int, query: str, *, raw: bool) -> _Token | None:
    """A word token; None for a run of punctuation with no word in it (``&``, ``—``)."""
    prefix = run.endswith("*")
    body = run[:-1] if prefix else run
    star = body.find("*")
    if star >= 0:
        raise QuerySyntaxError(
            "'*' marks a prefix and goes at the end of a word (broadcast*)", query, start + star
        )
    if raw:
        return _Token(_Kind.WORD, start, body, prefix)
    if not query_words(body):
        if prefix:
            raise QuerySyntaxError("'*' needs a word before it (broadcast*)", query, start)
        return None
    return _Token(_Kind.WORD, start, body, prefix)


# ---- parser -----------------------------------------------------------------------------------

_OPERAND_START = frozenset(
    {_Kind.WORD, _Kind.PHRASE, _Kind.LPAREN, _Kind.NOT, _Kind.MINUS, _Kind.FIELD}
)
# the value kind of a field group: a text field, or "lang"
_Context = Field | str | None


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens = _lex(query)
        self.i = 0

    def error(self, reason: str, pos: int) -> QuerySyntaxError:
        return QuerySyntaxError(reason, self.query, pos)

    def peek(self) -> _Token:
        return self.tokens[self.i]

    def advance(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def parse(self) -> Node:
        if self.peek().kind is _Kind.EOF:
            raise self.error("the query is empty (or has no words)", 0)
        node = self.or_expr(None)
        token = self.peek()
        if token.kind is _Kind.RPAREN:
            raise self.error("')' without a matching '('", token.pos)
        if token.kind is not _Kind.EOF:  # pragma: no cover - and_expr consumes every operand
            raise self.error("unexpected text", token.pos)
        return node

    def or_expr(self, ctx: _Context) -> Node:
        parts = [self.and_expr(ctx)]
        while self.peek().kind is _Kind.OR:
            self.advance()
            self.expect_operand("OR")
            parts.append(self.and_expr(ctx))
        return _join(Or, parts)

    def and_expr(self, ctx: _Context) -> Node:
        parts = [self.not_expr(ctx)]
        while True:
            kind = self.peek().kind
            if kind is _Kind.AND:
                self.advance()
                self.expect_operand("AND")
            elif kind not in _OPERAND_START:
                break
            parts.append(self.not_expr(ctx))
        return _join(And, parts)

    def not_expr(self, ctx: _Context) -> Node:
        if self.peek().kind is _Kind.NOT:
            self.advance()
            self.expect_operand("NOT")
            return Not(self.not_expr(ctx))
        return self.near(ctx)

    def near(self, ctx: _Context) -> Node:
        left_token = self.peek()
        left = self.primary(ctx)
        if self.peek().kind is not _Kind.NEAR:
            return left
        near = self.advance()
        self.expect_operand("NEAR")
        right_token = self.peek()
        right = self.primary(ctx)
        for node, token in ((left, left_token), (right, right_token)):
            if not isinstance(node, Term) or node.field not in TEXT_FIELDS:
                raise self.error(
                    "NEAR joins two words, phrases or prefixes of the article's text", token.pos
                )
        assert isinstance(left, Term) and isinstance(right, Term)
        if left.field is right.field or right.field is Field.ANY:
            field = left.field
        elif left.field is Field.ANY:
            field = right.field
        else:
            raise self.error("the two sides of NEAR must be in the same field", right_token.pos)
        if self.peek().kind is _Kind.NEAR:
            raise self.error("NEAR joins two terms; combine NEAR groups with AND", self.peek().pos)
        return Near(
            Term(left.words, left.prefix), Term(right.words, right.prefix), near.number, field
        )

    def primary(self, ctx: _Context) -> Node:
        token = self.peek()
        kind = token.kind
        if kind is _Kind.MINUS:
            self.advance()
            self.expect_operand("-")
            return Not(self.primary(ctx))
        if kind is _Kind.LPAREN:
            self.advance()
            if self.peek().kind is _Kind.RPAREN:
                raise self.error("empty parentheses", token.pos)
            node = self.or_expr(ctx)
            if self.peek().kind is not _Kind.RPAREN:
                raise self.error("this '(' is never closed", token.pos)
            self.advance()
            return node
        if kind is _Kind.FIELD:
            if ctx is not None:
                raise self.error("a field inside a field's parentheses", token.pos)
            self.advance()
            return self.field_value(token)
        if kind in (_Kind.WORD, _Kind.PHRASE):
            self.advance()
            return self.term(token, ctx)
        self.expect_operand(None)
        raise AssertionError("unreachable")  # pragma: no cover

    def expect_operand(self, after: str | None) -> None:
        """Raise a clear error unless the next token can start an operand."""
        token = self.peek()
        if token.kind in _OPERAND_START:
            return
        if token.kind is _Kind.EOF:
            what = f"'{after}' needs a term after it" if after else "a term is missing"
            raise self.error(what, token.pos)
        if token.kind is _Kind.RPAREN:
            if after:
                raise self.error(f"'{after}' needs a term after it", token.pos)
            raise self.error("')' without a matching '('", token.pos)
        name = {
            _Kind.AND: "AND",
            _Kind.OR: "OR",
            _Kind.NEAR: "NEAR",
        }[token.kind]
        if after:
            raise self.error(f"'{after}' is followed by '{name}': a term is missing", token.pos)
        raise self.error(f"'{name}' needs a term before it", token.pos)

    def field_value(self, field: _Token) -> Node:
        name = field.text
        token = self.peek()
        if name in ("after", "before", "within"):
            if token.kind not in (_Kind.WORD, _Kind.PHRASE):
                raise self.error(f"'{name}:' takes a date or a period, not a group", token.pos)
            self.advance()
            if name == "within":
                return Within(self.period(token))
            at = self.date(token)
            return After(at) if name == "after" else Before(at)
        ctx: _Context = "lang" if name == "lang" else Field(name)
        if token.kind is _Kind.LPAREN:
            return self.primary(ctx)
        if token.kind in (_Kind.WORD, _Kind.PHRASE):
            self.advance()
            return self.term(token, ctx)
        raise self.error(f"'{name}:' needs a value", token.pos)  # pragma: no cover - lexer

    def term(self, token: _Token, ctx: _Context) -> Node:
        if ctx == "lang":
            return self.lang(token)
        field = ctx if isinstance(ctx, Field) else Field.ANY
        words = tuple(query_words(token.text))
        if not words:
            what = "phrase" if token.kind is _Kind.PHRASE else "value"
            raise self.error(f"this {what} has no words", token.pos)
        if token.prefix and len(words) == 1 and len(words[0]) < MIN_PREFIX:
            raise self.error(
                f"a prefix needs at least {MIN_PREFIX} letters or digits before '*'", token.pos
            )
        if field in SOURCE_FIELDS or field in TEXT_FIELDS:
            return Term(words, token.prefix, field)
        raise AssertionError(field)  # pragma: no cover

    def lang(self, token: _Token) -> Lang:
        match = _LANG_RE.fullmatch(token.text)
        if token.kind is _Kind.PHRASE or token.prefix or match is None:
            raise self.error("'lang:' takes a language code such as en, fr or pt-BR", token.pos)
        return Lang(match.group(1).lower())

    def period(self, token: _Token) -> timedelta:
        match = _PERIOD_RE.fullmatch(token.text.strip())
        if match is None or token.prefix:
            raise self.error("'within:' takes a number and a unit: 90m, 24h, 7d or 2w", token.pos)
        period = timedelta(seconds=int(match.group(1)) * _PERIOD_UNITS[match.group(2)])
        if not timedelta(0) < period <= _MAX_PERIOD:
            raise self.error("'within:' takes a period from 1m to 100 years", token.pos)
        return period

    def date(self, token: _Token) -> datetime:
        text = token.text.strip()
        problem = "a date: 2026-01-31, 2026-01, 2026 or 2026-01-31T08:00Z"
        if token.prefix:
            raise self.error(f"expected {problem}", token.pos)
        day = _DAY_RE.fullmatch(text)
        try:
            if day is not None:
                year, month, dom = (int(g) if g else 1 for g in day.groups())
                return datetime(year, month, dom, tzinfo=UTC)
            if "T" not in text and " " not in text:
                raise ValueError(text)
            at = datetime.fromisoformat(text)
        except ValueError:
            raise self.error(f"expected {problem}", token.pos) from None
        return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _join(kind: type[And] | type[Or], parts: list[Node]) -> Node:
    if len(parts) == 1:
        return parts[0]
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.children if isinstance(part, kind) else (part,))
    return kind(tuple(flat))
