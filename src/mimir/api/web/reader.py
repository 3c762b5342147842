"""The article reader (``/articles/{id}``) and the story page (``/stories/{id}``).

The reader shows the stored, sanitized HTML (nh3 at ingest) and nothing else of the scraped
markup: before it is shown it is cleaned again with the same policy, and terms are highlighted
on its text nodes (parsed with lxml, never by pattern on the markup), then the result passes
through nh3 once more with ``<mark>`` allowed. Terms come from ``?q=`` (search results link
with it) and from the watches that alerted for the article's story. Revisions are compared
with the current text server-side (difflib, by paragraph then by word), shown as ``<ins>`` and
``<del>`` with everything escaped.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import nh3
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse
from lxml import html as lxml_html
from markupsafe import Markup, escape

from mimir.api.deps import database_of
from mimir.api.web.pages import ViewerPage, render
from mimir.errors import NotFound, QuerySyntaxError
from mimir.parse.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS
from mimir.search.nodes import Field, Term, positive_terms
from mimir.search.parser import parse
from mimir.search.snippets import Highlighted, highlight
from mimir.storage import ui_reader

router = APIRouter(include_in_schema=False)

MAX_ID = 2**62
#: fields whose terms are looked for in the title and text
_SHOWN_FIELDS = frozenset({Field.ANY, Field.TITLE, Field.TEXT})
#: elements whose text is never highlighted
_SKIP = frozenset({"code", "pre", "mark"})
_SAFE_SCHEMES = ("http://", "https://", "mailto:")
#: more tokens than this on either side: the diff compares whole paragraphs only
DIFF_WORD_LIMIT = 20_000
#: unchanged paragraphs kept around a change in the diff
DIFF_CONTEXT = 1


# ---- highlighting -----------------------------------------------------------------------------


def marked(value: Highlighted) -> Markup:
    """``value``'s text escaped, its highlights in ``<mark>``."""
    out: list[Markup] = []
    at = 0
    for a, b in value.highlights:
        out += [escape(value.text[at:a]), Markup("<mark>{}</mark>").format(value.text[a:b])]
        at = b
    out.append(escape(value.text[at:]))
    return Markup("").join(out)


def query_terms(queries: Iterable[str]) -> list[Term]:
    """The terms to highlight of each query that parses (the others are skipped)."""
    found: list[Term] = []
    for text in queries:
        try:
            tree = parse(text)
        except QuerySyntaxError:
            continue
        for term in positive_terms(tree):
            if term.field in _SHOWN_FIELDS and term not in found:
                found.append(term)
    return found


def _absolute_only(tag: str, attribute: str, value: str) -> str | None:
    """Links and images only to absolute http(s) (and mailto) URLs: a relative one would point
    into Mimir."""
    if attribute in ("href", "src"):
        value = value.strip()
        return value if value.lower().startswith(_SAFE_SCHEMES) else None
    return value


def _clean(fragment: str, *extra: str) -> str:
    """nh3 with the stored content's policy (plus ``extra`` tags)."""
    return nh3.clean(
        fragment,
        tags=set(ALLOWED_TAGS) | set(extra),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_absolute_only,
        link_rel="noopener nofollow noreferrer",
        url_schemes={"http", "https", "mailto"},
        strip_comments=True,
    ).strip()


def _split(text: str, terms: Sequence[Term]) -> list[tuple[str, bool]] | None:
    found = highlight(text, terms)
    if not found.highlights:
        return None
    parts: list[tuple[str, bool]] = []
    at = 0
    for a, b in found.highlights:
        parts += [(text[at:a], False), (text[a:b], True)]
        at = b
    parts.append((text[at:], False))
    return parts


def _mark_element(parent: Any, terms: Sequence[Term]) -> None:
    """Wrap the terms found in ``parent``'s own text and its children's tails in ``<mark>``."""
    if parent.tag in _SKIP:
        return
    children = list(parent)
    for child in children:
        if isinstance(child.tag, str):
            _mark_element(child, terms)
    if parent.text:
        parts = _split(parent.text, terms)
        if parts:
            parent.text = parts[0][0]
            for offset, node in enumerate(_marks(parts[1:])):
                parent.insert(offset, node)
    for child in children:
        if child.tail:
            parts = _split(child.tail, terms)
            if parts:
                child.tail = parts[0][0]
                anchor = child
                for node in _marks(parts[1:]):
                    anchor.addnext(node)
                    anchor = node


def _marks(parts: Sequence[tuple[str, bool]]) -> list[Any]:
    """``<mark>`` elements for the marked parts, each followed by the plain text after it (as
    its tail). ``parts`` alternate: marked, plain, marked, plain ..."""
    nodes: list[Any] = []
    for text, is_mark in parts:
        if is_mark:
            mark = lxml_html.Element("mark")
            mark.text = text
            nodes.append(mark)
        elif nodes:
            nodes[-1].tail = (nodes[-1].tail or "") + text
    return nodes


def content_html(stored: str, terms: Sequence[Term]) -> Markup:
    """The stored HTML, cleaned again, with ``terms`` highlighted in its text and an ``alt``
    on every image."""
    clean = _clean(stored)
    if not clean:
        return Markup("")
    root = lxml_html.fragment_fromstring(clean, create_parent="div")
    for image in root.iter("img"):
        if image.get("alt") is None:
            image.set("alt", "")  # scraped images without a text: decoration to a screen reader
    if terms:
        _mark_element(root, terms)
    inner = (str(escape(root.text)) if root.text else "") + "".join(
        lxml_html.tostring(child, encoding="unicode") for child in root
    )
    return Markup(_clean(inner, "mark"))  # noqa: S704 (nh3's output, <mark> added)


def paragraphs(text: str, terms: Sequence[Term]) -> list[Markup]:
    """The plain text as paragraphs (a blank line, or a line break, separates them)."""
    blocks = [b.strip() for b in re.split(r"\n\s*\n|\n", text or "")]
    return [marked(highlight(b, terms)) for b in blocks if b]


# ---- revisions --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiffBlock:
    """A paragraph of the diff: ``same`` (shown for context), ``gap`` (unchanged paragraphs
    left out: ``text`` says how many), or ``change`` (``parts``: (kind, text), kind one of
    ``same``, ``ins``, ``del``)."""

    kind: str
    parts: tuple[tuple[str, str], ...] = ()
    skipped: int = 0


_TOKENS = re.compile(r"\s+|\w+|[^\w\s]")


def _words(a: str, b: str) -> list[tuple[str, str]]:
    old, new = _TOKENS.findall(a), _TOKENS.findall(b)
    if len(old) > DIFF_WORD_LIMIT or len(new) > DIFF_WORD_LIMIT:
        return [("del", a), ("ins", b)]
    out: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            out.append(("same", "".join(old[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(old[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(new[j1:j2])))
    return out


def _blocks(text: str) -> list[str]:
    return [b.strip() for b in re.split(r"\n\s*\n|\n", text or "") if b.strip()]


def diff(old: str, new: str) -> list[DiffBlock]:
    """``old`` -> ``new`` by paragraph; changed runs of paragraphs by word."""
    a, b = _blocks(old), _blocks(new)
    out: list[DiffBlock] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    opcodes = matcher.get_opcodes()
    for n, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op == "equal":
            same = a[i1:i2]
            head = same[:DIFF_CONTEXT] if n > 0 else []
            tail = same[-DIFF_CONTEXT:] if n < len(opcodes) - 1 else []
            if len(same) <= len(head) + len(tail):
                out += [DiffBlock("same", (("same", p),)) for p in same]
                continue
            out += [DiffBlock("same", (("same", p),)) for p in head]
            out.append(DiffBlock("gap", skipped=len(same) - len(head) - len(tail)))
            out += [DiffBlock("same", (("same", p),)) for p in tail]
        elif op == "replace":
            words = _words("\n\n".join(a[i1:i2]), "\n\n".join(b[j1:j2]))
            out.append(DiffBlock("change", tuple(words)))
        elif op == "delete":
            out += [DiffBlock("change", (("del", p),)) for p in a[i1:i2]]
        else:
            out += [DiffBlock("change", (("ins", p),)) for p in b[j1:j2]]
    return out


# ---- pages ------------------------------------------------------------------------------------


def _number(raw: str | None) -> int | None:
    """A positive id from the address, or None."""
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_ID:
        return int(raw)
    return None


def _id_of(raw: str, what: str) -> int:
    """The id in the path; anything else is that thing not found (an HTML 404 page rather than
    a validation error in JSON)."""
    found = _number(raw)
    if found is None:
        raise NotFound(f"there is no {what} {raw[:40]}")
    return found


@router.get("/articles/{article_ref}", response_class=HTMLResponse)
async def article_page(
    request: Request,
    article_ref: Annotated[str, Path(max_length=40)],
    me: ViewerPage,
    q: Annotated[str | None, Query(max_length=1000)] = None,
    rev: Annotated[str | None, Query(max_length=20)] = None,
) -> HTMLResponse:
    article_id = _id_of(article_ref, "article")
    db = database_of(request)
    article = await db.read(ui_reader.reader_article, article_id)
    watch_queries = [t for w in article["watches"] for t in w["terms"]]
    terms = query_terms(([q] if q else []) + watch_queries)
    revisions = article["revisions"]
    chosen = None
    if revisions:
        by_number = {r["revision"]: r for r in revisions}
        wanted = _number(rev)
        chosen = by_number.get(wanted) if wanted is not None else revisions[-1]
    changes = diff(chosen["text"], article["text"]) if chosen is not None else []
    title_change = (
        _words(chosen["title"] or "", article["title"] or "")
        if chosen is not None and (chosen["title"] or "") != (article["title"] or "")
        else []
    )
    body = content_html(article["html"], terms) if article["html"] else None
    return render(
        request,
        "article.html",
        title=article["title"] or "Untitled article",
        article=article,
        heading=marked(highlight(article["title"] or "Untitled article", terms)),
        body=body,
        text_paragraphs=[] if body is not None else paragraphs(article["text"], terms),
        terms=[t.label for t in terms],
        q=q or "",
        revisions=revisions,
        chosen=chosen,
        changes=changes,
        title_change=title_change,
    )


@router.get("/stories/{story_ref}", response_class=HTMLResponse)
async def story_page(
    request: Request, story_ref: Annotated[str, Path(max_length=40)], me: ViewerPage
) -> HTMLResponse:
    story_id = _id_of(story_ref, "story")
    db = database_of(request)
    story = await db.read(ui_reader.story_page, story_id)
    sources = {m["source_id"] for m in story["members"]}
    return render(
        request,
        "story.html",
        title=story["title"] or f"Story {story_id}",
        story=story,
        source_total=len(sources),
    )
