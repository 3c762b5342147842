"""The sources pages: the table with health at a glance, one source (settings, health, fetch
history, recent articles, the CSS selector editor with a live preview), the add-source wizard
and the import page.

Pages read through the storage layer; changes go to the REST API (``/api/v1/sources...``) from
the browser. The previews (the wizard's discovery and dry run, the selector editor's) are htmx
fragments of this module that run the very functions the API's ``POST /sources`` and
``POST /sources/{id}/test`` run (:func:`~mimir.monitor.discover.discover`,
:func:`~mimir.monitor.preview.preview_source`) through the API's :func:`off_loop`, with the
selectors as edited, before anything is saved.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode, urlsplit

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from markupsafe import Markup
from pydantic import ValidationError

from mimir.api.deps import database_of
from mimir.api.v1.sources import SelectorsIn, check_address, off_loop
from mimir.api.web.pages import EditorPage, ViewerPage, aware, render
from mimir.errors import InputError
from mimir.model import Source, SourceKind, SourceSpec
from mimir.process.urls import is_http_url
from mimir.storage import listing
from mimir.storage import sources as store
from mimir.storage import ui_sources as ui

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 50
HISTORY_ROWS = 20
RECENT_ARTICLES = 10
PREVIEW_ENTRIES = 20
FORM_MAX_BYTES = 64 * 1024
SELECTOR_PREFIX = "settings.selectors."

#: the selector fields the editor shows: (key, label, hint)
LISTING_SELECTORS: tuple[tuple[str, str, str], ...] = (
    ("article_list", "Item", "Each entry's container, e.g. article.teaser (optional)."),
    ("article_link", "Link", "The link to the article, inside the item, e.g. h2 a."),
    ("title", "Title", "The title inside the item (default: the link's text)."),
    ("date", "Date", "The date inside the item, e.g. time."),
    ("summary", "Summary", "A teaser text inside the item."),
    ("next_page", "Next page", "The link to the next listing page."),
)
DETAIL_SELECTORS: tuple[tuple[str, str, str], ...] = (
    ("detail_title", "Title", "Overrides the extracted title."),
    ("detail_date", "Date", "Overrides the extracted date."),
    ("detail_content", "Content", "The article body, e.g. div.article-body."),
    ("detail_author", "Author", "The byline."),
    ("detail_summary", "Summary", "The standfirst."),
)


# ---- health at a glance ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Health:
    key: str  # ok | new | failing | backing_off | disabled
    label: str
    css: str  # the badge's class
    why: str  # a sentence for the title and screen readers


def health_of(s: Source) -> Health:
    if not s.enabled:
        return Health("disabled", "disabled", "", "Not followed: enable it to check it again.")
    if ui.is_failing(s):
        errors = s.consecutive_errors
        if errors >= 2:
            return Health(
                "backing_off",
                "backing off",
                "bad",
                f"{errors} failed checks in a row: retries are spaced out further each time.",
            )
        return Health("failing", "failing", "bad", "The last check failed.")
    if s.status == "new" or s.last_checked_at is None:
        return Health("new", "new", "accent", "Not checked yet.")
    return Health("ok", "ok", "ok", "The last check worked.")


OUTCOME_CSS = {"ok": "ok", "not_modified": "ok", "offline": "warn", "rate_limited": "warn"}


def outcome_css(outcome: str | None) -> str:
    if not outcome or outcome == "new":
        return ""
    return OUTCOME_CSS.get(outcome, "bad")


def sparkline(values: list[int], *, width: int = 112, height: int = 24) -> Markup:
    """Articles per day as an inline SVG line, its numbers in the title and the label."""
    top = max(values, default=0) or 1
    step = width / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{height - 2 - (v / top) * (height - 4):.1f}" for i, v in enumerate(values)
    )
    total = sum(values)
    text = (
        f"Articles per day over the last {len(values)} days, oldest first: "
        f"{', '.join(str(v) for v in values)} (total {total})"
    )
    last_x, last_y = points.rsplit(" ", 1)[-1].split(",") if values else ("0", "0")
    return Markup(
        '<svg class="spark" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" '
        'aria-label="{t}"><title>{t}</title><polyline points="{p}"/>'
        '<circle class="spark-last" cx="{x}" cy="{y}" r="2"/></svg>'
    ).format(w=width, h=height, t=text, p=points, x=last_x, y=last_y)


def short_error(s: Source, size: int = 80) -> str:
    parts = [p for p in (s.last_error_class, s.last_error_message) if p]
    text = ": ".join(parts)
    return text if len(text) <= size else text[: size - 1] + "…"


def host_of(url: str) -> str:
    return urlsplit(url).netloc or url


# ---- the table ------------------------------------------------------------------------------


@router.get("/sources")
async def sources_page(
    request: Request,
    me: ViewerPage,
    status: Annotated[str, Query(max_length=20)] = "all",
    kind: Annotated[str, Query(max_length=20)] = "",
    q: Annotated[str, Query(max_length=200)] = "",
    after_key: Annotated[str, Query(alias="after", max_length=20)] = "",
    before_key: Annotated[str, Query(alias="before", max_length=20)] = "",
) -> Response:
    after, before = page_key(after_key), page_key(before_key)
    status = status if status in ui.STATUSES else "all"
    kinds = {k.value: k for k in SourceKind}
    chosen_kind = kinds.get(kind)
    text = q.strip() or None
    now = datetime.now(UTC)

    def read(conn: Any) -> tuple[ui.SourcePage, dict[str, int], dict[int, list[int]]]:
        found = ui.page(
            conn,
            status=status,
            kind=chosen_kind,
            text=text,
            after_id=after,
            before_id=before if after is None else None,
            limit=PAGE_SIZE,
        )
        counts = ui.state_counts(conn)
        spark = ui.articles_per_day(conn, [s.id for s in found.rows], now)
        return found, counts, spark

    found, counts, spark = await database_of(request).read(read)
    base = {
        "status": status if status != "all" else "",
        "kind": kind if chosen_kind else "",
        "q": q,
    }

    def link(**extra: Any) -> str:
        params = {k: v for k, v in {**base, **extra}.items() if v not in ("", None)}
        return "/sources" + (f"?{urlencode(params)}" if params else "")

    rows = [
        {
            "source": s,
            "health": health_of(s),
            "host": host_of(s.url),
            "error": short_error(s),
            "spark": sparkline(spark.get(s.id, [0] * ui.SPARK_DAYS)),
        }
        for s in found.rows
    ]
    return render(
        request,
        "sources.html",
        title="Sources",
        rows=rows,
        counts=counts,
        state=status,
        kind=kind if chosen_kind else "",
        kinds=[k.value for k in SourceKind],
        q=q,
        states=ui.STATUSES,
        state_link={s: link(status=s if s != "all" else "") for s in ui.STATUSES},
        next_link=link(after=found.next_after) if found.next_after else None,
        prev_link=link(before=found.prev_before) if found.prev_before else None,
        first_link=link() if (after or before) else None,
        filtered=bool(status != "all" or chosen_kind or text),
        outcome_css=outcome_css,
    )


def page_key(raw: str) -> int | None:
    """A page's id key from the address; anything odd is the first page."""
    return int(raw) if raw.isdigit() and 0 < int(raw) <= 2**62 else None


# ---- forms posted by htmx (urlencoded) ------------------------------------------------------


async def form_of(request: Request) -> dict[str, str]:
    body = await request.body()
    if len(body) > FORM_MAX_BYTES:
        raise InputError("body: too large")
    parsed = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[-1] for k, v in parsed.items()}


def selectors_of(form: dict[str, str]) -> dict[str, Any]:
    """The non-empty selectors of a form, checked as the API checks them (InputError)."""
    raw: dict[str, Any] = {}
    for key, value in form.items():
        if key.startswith(SELECTOR_PREFIX) and value.strip():
            raw[key[len(SELECTOR_PREFIX) :]] = value.strip()
    try:
        checked = SelectorsIn.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "selectors"
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InputError(f"{where}: {message}") from None
    return {k: v for k, v in checked.model_dump().items() if v is not None}


@dataclass(slots=True)
class PreviewView:
    """A dry run's result as the fragment shows it."""

    url: str
    kind: str
    format: str | None
    title: str | None
    entries: list[dict[str, Any]]
    entries_total: int
    article: dict[str, Any] | None
    warnings: list[str]
    error: str | None


async def dry_run(request: Request, spec: SourceSpec) -> PreviewView:
    """What ``POST /api/v1/sources/{id}/test`` runs, for a spec that need not be stored."""
    from mimir.monitor.preview import preview_source

    settings = request.app.state.settings
    seconds = settings.total_timeout_seconds * 2
    try:
        p = await off_loop(
            settings,
            database_of(request),
            lambda ctx: preview_source(ctx, spec, articles=1),
            seconds,
        )
    except TimeoutError:
        return PreviewView(
            spec.url,
            spec.kind.value,
            None,
            None,
            [],
            0,
            None,
            [],
            f"timeout: the dry run did not finish within {seconds:.0f} s",
        )
    return PreviewView(
        p.url,
        p.kind,
        p.format,
        p.title,
        p.entries[:PREVIEW_ENTRIES],
        len(p.entries),
        {**ARTICLE_KEYS, **p.articles[0]} if p.articles else None,
        list(p.warnings),
        p.error,
    )


#: every key the fragment reads of an extracted article (an article that failed has only two)
ARTICLE_KEYS: dict[str, Any] = dict.fromkeys(
    (
        "error",
        "canonical_url",
        "title",
        "published_at",
        "language",
        "extraction",
        "summary",
        "text",
    ),
    None,
) | {"authors": []}


def paragraphs(text: str | None, limit: int = 1500) -> list[str]:
    if not text:
        return []
    cut = text if len(text) <= limit else text[:limit].rsplit(" ", 1)[0] + " …"
    return [p.strip() for p in cut.split("\n") if p.strip()]


def preview_fragment(request: Request, view: PreviewView | None, error: str | None) -> Response:
    return render(
        request,
        "source_preview.html",
        view=view,
        error=error,
        paragraphs=paragraphs,
    )


# ---- one source -----------------------------------------------------------------------------


@router.get("/sources/{source_id:int}")
async def source_page(
    request: Request,
    source_id: int,
    me: ViewerPage,
    older: Annotated[str, Query(max_length=80)] = "",  # the history's key to go on after
) -> Response:
    now = datetime.now(UTC)
    before = history_key(older)

    def read(conn: Any) -> tuple[Source, list[dict[str, Any]], list[dict[str, Any]], list[int]]:
        s = store.get_source(conn, source_id)
        history = store.history_page(conn, source_id, before=before, limit=HISTORY_ROWS + 1)
        recent = listing.list_articles(
            conn, listing.ArticleFilter(source_id=source_id), limit=RECENT_ARTICLES
        ).items
        spark = ui.articles_per_day(conn, [source_id], now)[source_id]
        return s, history, recent, spark

    s, history, recent, spark = await database_of(request).read(read)
    selectors = s.settings.get("selectors") or {}
    more = len(history) > HISTORY_ROWS
    history = history[:HISTORY_ROWS]
    older_link = None
    if more and history:
        last = history[-1]
        key = f"{aware(last['started_at']).isoformat()}~{last['id']}"
        older_link = f"/sources/{source_id}?{urlencode({'older': key})}#history-h"
    return render(
        request,
        "source_page.html",
        title=s.name,
        s=s,
        health=health_of(s),
        history=history,
        older_link=older_link,
        newest_link=f"/sources/{source_id}#history-h" if before else None,
        recent=recent,
        spark=sparkline(spark, width=224, height=40),
        spark_total=sum(spark),
        selectors=selectors if isinstance(selectors, dict) else {},
        listing_selectors=LISTING_SELECTORS,
        detail_selectors=DETAIL_SELECTORS,
        kinds=[k.value for k in SourceKind],
        outcome_css=outcome_css,
        interval=interval_text,
    )


def history_key(raw: str) -> tuple[datetime, int] | None:
    """The fetch log's keyset position ``<started_at ISO>~<id>`` (None: the newest)."""
    at, _, row_id = raw.partition("~")
    try:
        return aware(datetime.fromisoformat(at)), int(row_id)
    except ValueError:
        return None


def interval_text(seconds: int | float | None) -> str:
    if not seconds:
        return "default"
    span = timedelta(seconds=int(seconds))
    if span >= timedelta(days=1) and span.total_seconds() % 86400 == 0:
        return f"{int(span.total_seconds() // 86400)} d"
    if span >= timedelta(hours=1):
        return f"{span.total_seconds() / 3600:.1f} h".replace(".0 h", " h")
    return f"{int(span.total_seconds() // 60)} min"


@router.post("/sources/{source_id:int}/preview")
async def source_preview(request: Request, source_id: int, me: EditorPage) -> Response:
    """The selector editor's live preview: the source as stored with the selectors as edited."""
    form = await form_of(request)
    s = await database_of(request).read(store.get_source, source_id)
    try:
        selectors = selectors_of(form)
    except InputError as exc:
        return preview_fragment(request, None, exc.message)
    spec = s.to_spec()
    spec.settings = {**spec.settings, "selectors": selectors}
    return preview_fragment(request, await dry_run(request, spec), None)


# ---- the add-source wizard ------------------------------------------------------------------


@router.get("/sources/new")
async def new_source_page(
    request: Request, me: EditorPage, url: Annotated[str, Query(max_length=2000)] = ""
) -> Response:
    return render(
        request,
        "sources_new.html",
        title="Add a source",
        url=url,
    )


async def _checked_url(request: Request, raw: str) -> str:
    url = raw.strip()
    if not url:
        raise InputError("url: paste the address of a site, a page or a feed")
    if not is_http_url(url):
        raise InputError("url: not an absolute http(s) URL with a valid host")
    await check_address(request.app.state.settings, url, "url")
    return url


@router.post("/sources/new/discover")
async def wizard_discover(request: Request, me: EditorPage) -> Response:
    """Step 2: what the URL is, as ``POST /api/v1/sources`` discovers it."""
    from mimir.monitor.discover import discover

    form = await form_of(request)
    try:
        url = await _checked_url(request, form.get("url", ""))
    except InputError as exc:
        return render(request, "source_discovery.html", error=exc.message, d=None, url="")
    settings = request.app.state.settings
    seconds = min(120.0, 2 * settings.total_timeout_seconds)
    try:
        d = await off_loop(
            settings,
            database_of(request),
            lambda ctx: discover(ctx.fetcher, url, ctx.clock()),
            seconds,
        )
    except TimeoutError:
        return render(
            request,
            "source_discovery.html",
            error=f"Discovery did not finish within {seconds:.0f} s.",
            d=None,
            url=url,
        )
    listing_urls = {c.url for c in d.candidates if c.kind == SourceKind.LISTING}
    return render(
        request,
        "source_discovery.html",
        error=None,
        d=d,
        url=url,
        report="\n".join(d.report()),
        own_listing=url not in listing_urls,
        listing_selectors=LISTING_SELECTORS,
    )


def _choice(raw: str) -> tuple[SourceKind, str]:
    kind, _, url = raw.strip().partition(" ")
    kinds = {k.value: k for k in SourceKind}
    if kind not in kinds or not url:
        raise InputError("choice: choose what to follow")
    return kinds[kind], url


@router.post("/sources/new/preview")
async def wizard_preview(request: Request, me: EditorPage) -> Response:
    """Step 3: a dry run of the chosen candidate (with the listing selectors given), and the
    form that saves it (step 4, ``POST /api/v1/sources``)."""
    form = await form_of(request)
    try:
        kind, url = _choice(form.get("choice", ""))
        url = await _checked_url(request, url)
        selectors = selectors_of(form) if kind == SourceKind.LISTING else {}
    except InputError as exc:
        return render(
            request, "source_wizard_preview.html", error=exc.message, view=None, save=None
        )
    settings = {"selectors": selectors} if selectors else {}
    spec = SourceSpec(name="preview", url=url, kind=kind, settings=settings)
    view = await dry_run(request, spec)
    name = (view.title or form.get("title", "") or host_of(url)).strip()[:200]
    return render(
        request,
        "source_wizard_preview.html",
        error=None,
        view=view,
        paragraphs=paragraphs,
        save={"url": url, "kind": kind.value, "name": name, "selectors": selectors},
    )


# ---- import ---------------------------------------------------------------------------------


@router.get("/sources/import")
async def import_page(request: Request, me: EditorPage) -> Response:
    return render(request, "sources_import.html", title="Import sources")
