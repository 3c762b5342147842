"""Sources: create (with discovery), read with health, change, delete, enable/disable, test
(a dry run), refresh now, fetch history; import (OPML, the legacy JSON files) and export (OPML).

Every route does what the matching ``mimir sources ...`` / ``mimir refresh`` / ``mimir fetch``
command does, through the same code: :func:`~mimir.monitor.discover.discover`,
:func:`~mimir.monitor.preview.preview_source`, the worker that calls
:func:`~mimir.monitor.refresh.refresh_source`, the importers. Network work runs in a thread
with its own event loop (parsing and extraction are CPU-bound and run inline there), within a
deadline, so a slow site never holds up the server's loop.
"""

from __future__ import annotations

import asyncio
import email.policy
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from email.parser import BytesParser
from typing import Annotated, Any, TypeVar
from urllib.parse import urlsplit

import structlog
from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import Connection
from sqlalchemy.exc import IntegrityError

from mimir import tracing
from mimir.api.access import EDITOR, Editor, Viewer
from mimir.api.conditional import etag_of, none_match
from mimir.api.deps import get_db
from mimir.api.problems import problem
from mimir.api.request_context import current_request_id
from mimir.api.v1.common import ERRORS, Cursor, Limit, Page, decode_cursor, json_response, page
from mimir.config import Settings
from mimir.db.database import Database
from mimir.errors import BlockedAddress, Conflict, DNSError, InputError, InvalidURL, ParseError
from mimir.fetch.ssrf import GuardedResolver, check_literal
from mimir.fetch.urls import parse_url
from mimir.model import Source, SourceKind, SourceSpec
from mimir.monitor.context import Context
from mimir.parse.htmltree import css
from mimir.process.urls import is_http_url
from mimir.storage import sources as store
from mimir.storage.request_ids import mark_requested

log = structlog.get_logger("mimir.api.sources")

router = APIRouter(tags=["sources"], responses=ERRORS)
Db = Annotated[Database, Depends(get_db)]
SourceId = Annotated[int, Path(ge=1, le=2**62, description="The source's id.")]
T = TypeVar("T")


def _answer(description: str) -> dict[str, Any]:
    return {"content": {"application/problem+json": {}}, "description": description}


CONFLICT: dict[int | str, dict[str, Any]] = {409: _answer("Conflict (a name or URL taken)")}
TOO_LARGE: dict[int | str, dict[str, Any]] = {413: _answer("The file is larger than allowed")}

MAX_IMPORT_BYTES = 5 * 1024 * 1024  # an OPML file of 20,000 feeds is about 3 MB
MAX_PREVIEW_ENTRIES = 500
REFRESH_WAIT_MAX_SECONDS = 120.0
RECENT = timedelta(days=7)
_NET_THREADS = 4  # network operations of the API at once (each in its own event loop)
_net_pool: ThreadPoolExecutor | None = None


class TooLarge(InputError):
    """The request body is larger than allowed."""

    code = "too_large"
    status = 413


def _now() -> datetime:
    return datetime.now(UTC)


# ---- request bodies -------------------------------------------------------------------------


def _http_url(value: str) -> str:
    value = value.strip()
    if not is_http_url(value):
        raise ValueError("not an absolute http(s) URL with a valid host")
    return value


def _css_selector(value: str) -> str:
    value = value.strip()
    try:
        css(value)
    except ParseError as exc:
        raise ValueError(exc.message) from None
    return value


HttpUrl = Annotated[str, Field(min_length=1, max_length=2000), AfterValidator(_http_url)]
Css = Annotated[str, Field(min_length=1, max_length=500), AfterValidator(_css_selector)]
Interval = Annotated[int, Field(ge=60, le=7 * 24 * 3600)]


class SelectorsIn(BaseModel):
    """CSS selectors: listing pages (``article_list``, ``article_link``, ``title``, ``date``,
    ``summary``, ``next_page``, ``max_pages``) and article pages (``detail_*``)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"article_link": "h2 a", "date": "time"}]},
    )

    article_list: Css | None = None
    article_link: Css | None = None
    title: Css | None = None
    date: Css | None = None
    summary: Css | None = None
    next_page: Css | None = None
    max_pages: int | None = Field(default=None, ge=1, le=50)
    detail_title: Css | None = None
    detail_date: Css | None = None
    detail_content: Css | None = None
    detail_author: Css | None = None
    detail_summary: Css | None = None
    date_format: str | None = Field(
        default=None, min_length=1, max_length=100, description="strptime format of dates."
    )


class SettingsIn(BaseModel):
    """Per-source settings. The schedule adapts to how often a source publishes, between
    ``min_interval_seconds`` and ``max_interval_seconds`` (defaults: the server's)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"min_interval_seconds": 900, "full_content": False}]},
    )

    selectors: SelectorsIn | None = None
    full_content: bool | None = Field(
        default=None, description="The feed carries whole articles: do not fetch their pages."
    )
    min_interval_seconds: Interval | None = None
    max_interval_seconds: Interval | None = None
    fallback_url: HttpUrl | None = Field(
        default=None, description="A feed to read when the listing page yields nothing."
    )
    filter_categories: list[Annotated[str, Field(min_length=1, max_length=200)]] | None = Field(
        default=None, max_length=100, description="Keep only entries with one of these tags."
    )
    respect_robots_txt: bool | None = None
    js_required: bool | None = None
    article_limit_per_run: int | None = Field(default=None, ge=1, le=1000)

    @model_validator(mode="after")
    def _bounds(self) -> SettingsIn:
        lo, hi = self.min_interval_seconds, self.max_interval_seconds
        if lo is not None and hi is not None and lo > hi:
            raise ValueError("min_interval_seconds is more than max_interval_seconds")
        return self

    def as_dict(self, *, unset_too: bool) -> dict[str, Any]:
        """The stored form; with ``unset_too``, the keys sent as null too (they are removed)."""
        out = self.model_dump(exclude_unset=unset_too, exclude_none=not unset_too)
        if isinstance(out.get("selectors"), dict):
            out["selectors"] = {k: v for k, v in out["selectors"].items() if v is not None}
        return out


Name = Annotated[str, Field(min_length=1, max_length=200)]
Category = Annotated[str, Field(min_length=1, max_length=100)]
Note = Annotated[str, Field(max_length=2000)]


class SourceCreate(BaseModel):
    """A new source. Without ``kind`` (and with ``discover``, the default), Mimir finds out
    what ``url`` is (a feed, a sitemap, a page announcing feeds, a listing page) and follows
    the best candidate; the answer carries the discovery report."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://www.example.org/news/feed.xml",
                    "name": "Example News",
                    "kind": "feed",
                    "category": "trade_press",
                    "settings": {"min_interval_seconds": 900},
                }
            ]
        },
    )

    url: HttpUrl
    name: Name | None = Field(default=None, description="Default: the feed's title, or the host.")
    kind: SourceKind | None = Field(default=None, description="Given: no discovery.")
    discover: bool = Field(default=True, description="Find the feed when `kind` is not given.")
    enabled: bool = True
    category: Category | None = None
    note: Note | None = None
    settings: SettingsIn | None = None


class SourceUpdate(BaseModel):
    """What to change (absent fields stay). ``settings`` is merged key by key: a key sent as
    null is removed (back to the default); ``selectors`` is replaced whole."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Example News (trade press)",
                    "category": "trade_press",
                    "settings": {"min_interval_seconds": 1800, "max_interval_seconds": 7200},
                }
            ]
        },
    )

    name: Name | None = None
    url: HttpUrl | None = None
    kind: SourceKind | None = None
    enabled: bool | None = None
    category: Category | None = None
    note: Note | None = None
    settings: SettingsIn | None = None


# ---- answers --------------------------------------------------------------------------------


class Health(BaseModel):
    status: str = Field(description="Outcome of the last check (`new` before the first).")
    failing: bool = Field(description="The last check failed, or failures are counting up.")
    last_checked_at: datetime | None
    last_success_at: datetime | None
    last_error_class: str | None
    last_error_message: str | None
    next_check_at: datetime | None = Field(description="Null while disabled.")
    interval_seconds: int | None = Field(description="The current adaptive interval.")
    consecutive_failures: int
    total_checks: int
    total_errors: int
    articles: int
    articles_last_7_days: int


class SourceOut(BaseModel):
    id: int
    name: str
    url: str
    kind: SourceKind
    enabled: bool
    category: str | None
    note: str | None
    title: str | None = Field(description="The feed's own title, from the last check.")
    site_url: str | None
    settings: dict[str, Any]
    created_at: datetime | None
    health: Health

    @classmethod
    def of(cls, s: Source, counts: tuple[int, int] = (0, 0)) -> SourceOut:
        failing = bool(
            s.consecutive_errors or s.last_error_class or s.status in store.FAILING_STATUSES
        )
        return cls(
            id=s.id,
            name=s.name,
            url=s.url,
            kind=s.kind,
            enabled=s.enabled,
            category=s.category,
            note=s.note,
            title=s.title,
            site_url=s.site_url,
            settings=s.settings,
            created_at=s.created_at,
            health=Health(
                status=s.status,
                failing=failing,
                last_checked_at=s.last_checked_at,
                last_success_at=s.last_success_at,
                last_error_class=s.last_error_class,
                last_error_message=s.last_error_message,
                next_check_at=s.next_check_at if s.enabled else None,
                interval_seconds=s.interval_seconds,
                consecutive_failures=s.consecutive_errors,
                total_checks=s.total_checks,
                total_errors=s.total_errors,
                articles=counts[0],
                articles_last_7_days=counts[1],
            ),
        )


class CandidateOut(BaseModel):
    url: str
    kind: SourceKind
    format: str
    how: str = Field(description="self | announced | linked | guessed | robots | listing")
    title: str | None
    entries: int
    newest: datetime | None
    error: str | None


class DiscoveryOut(BaseModel):
    url: str
    chosen: CandidateOut | None
    candidates: list[CandidateOut]
    notes: list[str]
    report: list[str] = Field(description="The same report as `mimir sources add` prints.")


class SourceCreated(BaseModel):
    source: SourceOut
    discovery: DiscoveryOut | None = Field(description="Null when discovery did not run.")


class EntryPreview(BaseModel):
    url: str
    title: str | None
    published_at: datetime | None
    guid: str | None
    tags: list[str]


class ArticlePreview(BaseModel):
    """What would be stored for one entry (or why it could not be read: ``error``)."""

    url: str
    error: str | None = None
    canonical_url: str | None = None
    title: str | None = None
    authors: list[str] = []
    published_at: datetime | None = None
    updated_at: datetime | None = None
    language: str | None = None
    image_url: str | None = None
    section: str | None = None
    tags: list[str] = []
    summary: str | None = None
    text: str | None = None
    extraction: str | None = None
    fetch: dict[str, Any] | None = None


class PreviewOut(BaseModel):
    """A dry run: what a check would find and store now; nothing was written."""

    url: str
    kind: str
    format: str | None
    title: str | None
    entries: list[EntryPreview]
    entries_total: int
    articles: list[ArticlePreview]
    warnings: list[str]
    error: str | None = Field(description="Why the source could not be read, if it could not.")


class RefreshQueued(BaseModel):
    source_id: int
    due_at: datetime
    detail: str


class RefreshOutcome(BaseModel):
    """The check this request ran, and the article pages it fetched before ``timeout``."""

    source_id: int
    finished: bool = Field(description="False when the check itself did not finish in time.")
    timed_out: bool = Field(description="Work left at the deadline stays queued for workers.")
    outcome: str | None = Field(description="ok | not_modified | error | robots_denied | ...")
    status_code: int | None
    entries: int
    new_entries: int
    queued: int = Field(description="Article pages queued by the check.")
    stored: int = Field(description="New articles stored during this request.")
    revised: int = Field(description="Articles revised during this request.")
    error_class: str | None
    message: str | None
    next_check_at: datetime | None
    duration_ms: int


class CheckOut(BaseModel):
    id: int
    started_at: datetime
    duration_ms: int
    outcome: str
    status_code: int | None
    error_class: str | None
    message: str | None
    entries: int
    new_entries: int
    bytes: int
    worker: str | None


class Named(BaseModel):
    id: int
    name: str


class Reason(BaseModel):
    name: str
    reason: str


class Skipped(BaseModel):
    entry: str
    reason: str


class WatchesImported(BaseModel):
    found: list[str]
    added: list[str]
    channels_added: list[str]
    already_present: list[str]
    notes: list[str]


class ImportOut(BaseModel):
    """What an import found, added, and left out (with the reasons)."""

    filename: str
    format: str = Field(description="opml | legacy_json")
    found: int
    added: list[Named]
    already_present: list[Reason]
    skipped: list[Skipped]
    unknown_keys: dict[str, list[str]] = Field(
        description="Per source: keys of the file Mimir does not use (kept in settings.legacy)."
    )
    warnings: list[str]
    keyword_rules: dict[str, Any]
    watches: WatchesImported
    dry_run: bool


# ---- off the event loop ---------------------------------------------------------------------


def _pool() -> ThreadPoolExecutor:
    global _net_pool
    if _net_pool is None:
        _net_pool = ThreadPoolExecutor(_NET_THREADS, thread_name_prefix="mimir-api-net")
    return _net_pool


async def off_loop(
    settings: Settings, db: Database, work: Callable[[Context], Awaitable[T]], seconds: float
) -> T:
    """``work(ctx)`` in a thread's own event loop, with its own fetcher and inline extraction,
    cancelled after ``seconds`` (TimeoutError)."""

    async def bounded() -> T:
        from mimir.jobs.runtime import open_context

        async with open_context(settings, db=db, extract_processes=-1) as ctx:
            async with asyncio.timeout(seconds):
                return await work(ctx)

    # carried: the request's id and span go with the work into the thread's loop
    run = tracing.carry(lambda: asyncio.run(bounded()))
    return await asyncio.get_running_loop().run_in_executor(_pool(), run)


async def check_address(settings: Settings, url: str, field: str) -> None:
    """A 400 naming ``field`` when ``url``'s host is an address the SSRF guard refuses; a name
    that does not resolve now passes (checks will say so; the guard runs on every fetch)."""
    try:
        parsed = parse_url(url)
        host = parsed.raw_host or ""
        check_literal(host, settings.allowed_networks)
        resolver = GuardedResolver(
            settings.allowed_networks, min(settings.connect_timeout_seconds, 5.0)
        )
        await resolver.vet(host, parsed.port or 0)
    except (BlockedAddress, InvalidURL) as exc:
        raise InputError(f"{field}: {exc.message}") from None
    except DNSError:
        return


# ---- reading --------------------------------------------------------------------------------


def _with_counts(conn: Connection, rows: list[Source], now: datetime) -> list[SourceOut]:
    counts = store.article_counts(conn, [s.id for s in rows], now - RECENT)
    return [SourceOut.of(s, counts.get(s.id, (0, 0))) for s in rows]


def _one(conn: Connection, source_id: int, now: datetime) -> SourceOut:
    return _with_counts(conn, [store.get_source(conn, source_id)], now)[0]


def _list(conn: Connection, now: datetime, **filters: Any) -> list[SourceOut]:
    return _with_counts(conn, store.page_sources(conn, **filters), now)


@router.get("/sources", summary="List sources with their health", response_model=Page[SourceOut])
async def list_sources(
    request: Request,
    db: Db,
    _me: Viewer,
    enabled: bool | None = None,
    kind: SourceKind | None = None,
    failing: Annotated[
        bool | None, Query(description="true: the last check failed or failures count up.")
    ] = None,
    q: Annotated[
        str | None, Query(min_length=1, max_length=200, description="Part of the name or URL.")
    ] = None,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    after = decode_cursor(cursor, [int])[0] if cursor else 0
    found = await db.read(
        _list,
        _now(),
        after_id=after,
        limit=limit + 1,
        enabled=enabled,
        kind=kind,
        failing=failing,
        text=q,
    )
    return json_response(request, page(found, limit, lambda s: [s.id]))


# static paths before /sources/{source_id}


@router.get(
    "/sources/export.opml",
    summary="Export every source as OPML 2.0",
    response_class=Response,
    responses={
        200: {
            "content": {"text/x-opml": {"schema": {"type": "string"}}},
            "description": "OPML 2.0; Mimir's settings ride in the `mimir` namespace",
        }
    },
)
async def export_sources(request: Request, db: Db, _me: Viewer) -> Response:
    from mimir.importers.opml import export_opml

    specs = await db.read(store.all_specs)
    body = await asyncio.to_thread(export_opml, specs)
    tag = etag_of(body)
    headers = {
        "ETag": tag,
        "Cache-Control": "private, no-cache",
        "Content-Disposition": 'attachment; filename="mimir-sources.opml"',
    }
    if none_match(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/x-opml", headers=headers)


_IMPORT_BODY = {
    "requestBody": {
        "required": True,
        "description": "The file: as multipart/form-data (field `file`) or as the raw body.",
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            },
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
            "application/json": {"schema": {}},
        },
    }
}


@router.post(
    "/sources/import",
    summary="Import OPML or the legacy JSON files (detected by content), with a report",
    response_model=ImportOut,
    responses={**CONFLICT, **TOO_LARGE},
    openapi_extra=_IMPORT_BODY,
)
async def import_sources(
    request: Request,
    db: Db,
    _me: Editor,
    dry_run: Annotated[bool, Query(description="Report only; store nothing.")] = False,
    enable_all: Annotated[bool, Query(description="Enable every imported source.")] = False,
    filename: Annotated[
        str | None, Query(max_length=200, description="Breaks ties when content cannot.")
    ] = None,
) -> Response:
    data, sent_name = await _read_upload(request)
    name = filename or sent_name
    report = await asyncio.to_thread(_parse_import, data, name)
    if dry_run:
        out = _store_import(None, report, _now(), dry_run=True)
    else:
        hour = request.app.state.settings.digest_daily_hour
        try:
            out = await db.write(
                _store_import, report, _now(), dry_run=False, enable_all=enable_all,
                daily_hour=hour,
            )  # fmt: skip
        except IntegrityError:  # another request added one of these sources meanwhile
            raise Conflict(
                "file: a source of this file was added meanwhile; import again"
            ) from None
    out["filename"] = name
    out["format"] = "opml" if data.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"<" else "legacy_json"
    return json_response(request, ImportOut(**out))


async def _read_upload(request: Request) -> tuple[bytes, str]:
    """The uploaded file (at most MAX_IMPORT_BYTES) and the name it was sent with."""
    cap = MAX_IMPORT_BYTES + 64 * 1024  # room for the multipart framing
    length = request.headers.get("content-length", "")
    too_large = TooLarge(f"body: larger than {MAX_IMPORT_BYTES // (1024 * 1024)} MiB")
    if length.isdigit() and int(length) > cap:
        raise too_large
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > cap:
            raise too_large
        chunks.append(chunk)
    body = b"".join(chunks)
    ctype = request.headers.get("content-type", "")
    if ctype.lower().startswith("multipart/form-data"):
        data, name = _multipart_file(body, ctype)
    else:
        data, name = body, ""
    if len(data) > MAX_IMPORT_BYTES:
        raise too_large
    return data, name


def _multipart_file(body: bytes, content_type: str) -> tuple[bytes, str]:
    """The ``file`` part of a multipart/form-data body (the first file part otherwise)."""
    try:
        head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode("latin-1")
    except UnicodeEncodeError:
        raise InputError("Content-Type: not a valid multipart/form-data header") from None
    msg = BytesParser(policy=email.policy.HTTP).parsebytes(head + body)
    if not msg.is_multipart():
        raise InputError("body: not multipart/form-data with a boundary")
    parts = [p for p in msg.iter_parts() if p.get_content_disposition() == "form-data"]
    named = [p for p in parts if p.get_param("name", header="content-disposition") == "file"]
    files = named or [p for p in parts if p.get_filename()]
    if not files:
        raise InputError("file: the form has no file (send it in the `file` field)")
    chosen = files[0]
    payload = chosen.get_payload(decode=True)
    if not isinstance(payload, bytes):
        raise InputError("file: the form's file part is not a file")
    return payload, str(chosen.get_filename() or "")


def _parse_import(data: bytes, name: str) -> Any:
    from mimir.importers.detect import parse_import

    try:
        return parse_import(data, name)
    except InputError as exc:
        raise InputError(f"file: {exc.message}") from None
    except RecursionError:
        raise InputError("file: nested too deeply to read") from None
    except Exception as exc:  # an uploaded file is untrusted input: never a 500
        log.warning("import_unreadable", error_class=type(exc).__name__, error=str(exc)[:200])
        raise InputError("file: not a readable OPML or legacy JSON file") from None


def _usable(spec: SourceSpec) -> str | None:
    """Why an imported source cannot be stored as it is (None: it can)."""
    if len(spec.name) > 300:
        return "name longer than 300 characters"
    if spec.category is not None and len(spec.category) > 100:
        return "category longer than 100 characters"
    try:
        check_literal(urlsplit(spec.url).hostname or "", ())
    except BlockedAddress as exc:
        return f"address refused: {exc.message}"
    return None


def _store_import(
    conn: Connection | None,
    report: Any,
    now: datetime,
    *,
    dry_run: bool,
    enable_all: bool = False,
    daily_hour: int = 7,
) -> dict[str, Any]:
    """Add an import's sources (and the watches of its keyword rules) in one transaction."""
    from mimir.alerts.manage import ImportedWatches, import_watches
    from mimir.importers.watches import watches_from_rules

    added: list[dict[str, Any]] = []
    present: list[dict[str, str]] = []
    skipped = [{"entry": n, "reason": r} for n, r in report.skipped]
    found = watches_from_rules(report.keyword_rules, report.file_settings)
    made = ImportedWatches(notes=list(found.notes))
    for spec in report.sources:
        reason = _usable(spec)
        if reason:
            skipped.append({"entry": spec.name[:300], "reason": reason})
            continue
        if conn is None:
            continue
        if enable_all:
            spec.enabled = True
        original = spec.name
        try:
            source = store.add_source(conn, spec, now, rename=True)
        except InputError as exc:  # a source with this URL is here already
            present.append({"name": spec.name, "reason": exc.message})
            continue
        added.append({"id": source.id, "name": source.name})
        if source.name != original:
            report.warnings.append(store.renamed_note(original, source.name))
    if conn is not None and not dry_run and (found.watches or found.channels):
        made = import_watches(conn, found, now, daily_hour=daily_hour)
    return {
        "found": len(report.sources),
        "added": added,
        "already_present": present,
        "skipped": skipped,
        "unknown_keys": report.unknown_keys,
        "warnings": report.warnings,
        "keyword_rules": report.keyword_rules,
        "watches": {
            "found": [w.name for w in found.watches],
            "added": made.watches,
            "channels_added": made.channels,
            "already_present": made.existing,
            "notes": made.notes,
        },
        "dry_run": dry_run,
    }


@router.get(
    "/sources/{source_id}", summary="Get a source with its health", response_model=SourceOut
)
async def get_source(request: Request, source_id: SourceId, db: Db, _me: Viewer) -> Response:
    return json_response(request, await db.read(_one, source_id, _now()))


@router.get(
    "/sources/{source_id}/history",
    summary="A source's fetch log, newest first",
    response_model=Page[CheckOut],
)
async def history(
    request: Request,
    source_id: SourceId,
    db: Db,
    _me: Viewer,
    limit: Limit = 50,
    cursor: Cursor = None,
) -> Response:
    before = None
    if cursor:
        at, row_id = decode_cursor(cursor, [datetime, int])
        if at is None or row_id is None:
            raise InputError("cursor: not a cursor of this list (start again without one)")
        before = (at, row_id)

    def read(conn: Connection) -> list[dict[str, Any]]:
        store.get_source(conn, source_id)
        return store.history_page(conn, source_id, before=before, limit=limit + 1)

    rows = [CheckOut(**r) for r in await db.read(read)]
    return json_response(request, page(rows, limit, lambda c: [c.started_at, c.id]))


# ---- changing -------------------------------------------------------------------------------


def _discovery_out(d: Any) -> DiscoveryOut:
    def cand(c: Any) -> CandidateOut:
        return CandidateOut(
            url=c.url,
            kind=c.kind,
            format=c.format,
            how=c.how,
            title=c.title,
            entries=c.entries,
            newest=c.newest,
            error=c.error,
        )

    return DiscoveryOut(
        url=d.url,
        chosen=cand(d.chosen) if d.chosen else None,
        candidates=[cand(c) for c in d.candidates],
        notes=list(d.notes),
        report=d.report(),
    )


def _discovery_seconds(settings: Settings) -> float:
    return min(120.0, 2 * settings.total_timeout_seconds)


@router.post(
    "/sources",
    summary="Add a source (discovering what the URL is unless `kind` is given)",
    response_model=SourceCreated,
    status_code=201,
    responses=CONFLICT,
)
async def create_source(request: Request, body: SourceCreate, db: Db, _me: Editor) -> Response:
    settings: Settings = request.app.state.settings
    await check_address(settings, body.url, "url")
    url, kind, title, found = body.url, body.kind or SourceKind.FEED, None, None
    if body.kind is None and body.discover:
        from mimir.monitor.discover import discover, sibling_followed

        seconds = _discovery_seconds(settings)
        try:
            d = await off_loop(
                settings, db, lambda ctx: discover(ctx.fetcher, body.url, ctx.clock()), seconds
            )
        except TimeoutError:
            return problem(
                400,
                f"url: discovery did not finish within {seconds:.0f} s; "
                "give `kind` to add the URL as it is",
                code="discovery_timeout",
            )
        found = _discovery_out(d)
        if d.chosen is None:
            return problem(
                400,
                f"url: no feed, sitemap or listing page found at {body.url}",
                code="nothing_found",
                discovery=found.model_dump(mode="json"),
            )
        url, kind, title = d.chosen.url, d.chosen.kind, d.chosen.title
        urls = [c.url for c in d.candidates]
        why_not = sibling_followed(d, await db.read(store.followed, urls))
        if why_not:
            return problem(
                409,
                f"url: {why_not}",
                code="followed_already",
                discovery=found.model_dump(mode="json"),
            )
    spec = SourceSpec(
        name=body.name or (title or "").strip()[:200] or urlsplit(url).netloc,
        url=url,
        kind=kind,
        enabled=body.enabled,
        category=body.category,
        note=body.note,
        settings=body.settings.as_dict(unset_too=False) if body.settings else {},
    )
    now = _now()

    def create(conn: Connection) -> SourceOut:
        if body.name is None:  # read from the feed's title: "News (2)" where "News" is taken
            spec.name = store.free_name(conn, spec.name)
        return _with_counts(conn, [store.create_source(conn, spec, now)], now)[0]

    source = await db.write(create)
    return json_response(
        request,
        SourceCreated(source=source, discovery=found),
        status_code=201,
        headers={"Location": f"{request.url.path}/{source.id}"},
    )


@router.patch(
    "/sources/{source_id}",
    summary="Change a source's name, URL, kind, category, note, settings or state",
    response_model=SourceOut,
    responses=CONFLICT,
)
async def update_source(
    request: Request, source_id: SourceId, body: SourceUpdate, db: Db, _me: Editor
) -> Response:
    changes = body.model_dump(exclude_unset=True, exclude={"settings"})
    for field in ("name", "url", "kind", "enabled"):  # these cannot be removed
        if field in changes and changes[field] is None:
            raise InputError(f"{field}: may not be null")
    if body.url is not None:
        await check_address(request.app.state.settings, body.url, "url")
    patch = None
    if "settings" in body.model_fields_set:
        if body.settings is None:
            raise InputError("settings: may not be null (send {} or the keys to change)")
        patch = body.settings.as_dict(unset_too=True)
    now = _now()

    def apply(conn: Connection) -> SourceOut:
        if patch is not None:
            merged = dict(store.get_source(conn, source_id).settings)
            for key, value in patch.items():
                if value is None:
                    merged.pop(key, None)
                else:
                    merged[key] = value
            lo, hi = merged.get("min_interval_seconds"), merged.get("max_interval_seconds")
            if isinstance(lo, int) and isinstance(hi, int) and lo > hi:
                raise InputError("settings.min_interval_seconds: more than max_interval_seconds")
            changes["settings"] = merged
        return _with_counts(conn, [store.edit_source(conn, source_id, changes, now)], now)[0]

    return json_response(request, await db.write(apply))


@router.delete(
    "/sources/{source_id}",
    summary="Remove a source and its fetch history (its articles stay)",
    status_code=204,
    response_class=Response,
)
async def delete_source(source_id: SourceId, db: Db, _me: Editor) -> Response:
    def remove(conn: Connection) -> None:
        store.get_source(conn, source_id)
        store.remove_source(conn, source_id)

    await db.write(remove)
    return Response(status_code=204)


async def _set_enabled(request: Request, source_id: int, db: Database, on: bool) -> Response:
    now = _now()

    def apply(conn: Connection) -> SourceOut:
        store.get_source(conn, source_id)
        store.set_enabled(conn, source_id, on, now)
        return _one(conn, source_id, now)

    return json_response(request, await db.write(apply))


@router.post(
    "/sources/{source_id}/enable",
    summary="Start following a source (it is checked right away)",
    response_model=SourceOut,
)
async def enable_source(request: Request, source_id: SourceId, db: Db, _me: Editor) -> Response:
    return await _set_enabled(request, source_id, db, True)


@router.post(
    "/sources/{source_id}/disable",
    summary="Stop following a source (its articles stay)",
    response_model=SourceOut,
)
async def disable_source(request: Request, source_id: SourceId, db: Db, _me: Editor) -> Response:
    return await _set_enabled(request, source_id, db, False)


@router.post(
    "/sources/{source_id}/test",
    summary="Dry run: fetch and extract now, answer what would be stored (nothing is written)",
    response_model=PreviewOut,
    dependencies=[Depends(EDITOR)],
)
async def dry_run_source(
    request: Request,
    source_id: SourceId,
    db: Db,
    articles: Annotated[
        int, Query(ge=0, le=10, description="How many entries to fetch and extract.")
    ] = 3,
) -> Response:
    from mimir.monitor.preview import preview_source

    settings: Settings = request.app.state.settings
    spec = (await db.read(store.get_source, source_id)).to_spec()
    seconds = settings.total_timeout_seconds * (1 + articles)
    try:
        p = await off_loop(
            settings, db, lambda ctx: preview_source(ctx, spec, articles=articles), seconds
        )
    except TimeoutError:
        out = PreviewOut(
            url=spec.url,
            kind=spec.kind.value,
            format=None,
            title=None,
            entries=[],
            entries_total=0,
            articles=[],
            warnings=[],
            error=f"timeout: the dry run did not finish within {seconds:.0f} s",
        )
        return json_response(request, out)
    out = PreviewOut(
        url=p.url,
        kind=p.kind,
        format=p.format,
        title=p.title,
        entries=[EntryPreview(**e) for e in p.entries[:MAX_PREVIEW_ENTRIES]],
        entries_total=len(p.entries),
        articles=[ArticlePreview(**a) for a in p.articles],
        warnings=list(p.warnings),
        error=p.error,
    )
    return json_response(request, out)


@router.post(
    "/sources/{source_id}/refresh",
    summary="Refresh now: mark due (202), or with wait=true check it here and answer the outcome",
    response_model=RefreshOutcome,
    responses={
        202: {"model": RefreshQueued, "description": "Due now: the next free worker checks it"},
        **CONFLICT,
    },
    dependencies=[Depends(EDITOR)],
)
async def refresh_now(
    request: Request,
    source_id: SourceId,
    db: Db,
    wait: Annotated[
        bool, Query(description="Check it in this request and answer the outcome.")
    ] = False,
    seconds: Annotated[
        float,
        Query(
            alias="timeout",
            gt=0,
            le=REFRESH_WAIT_MAX_SECONDS,
            description="Seconds to wait (with wait=true).",
        ),
    ] = 30.0,
) -> Response:
    now = _now()
    if not wait:
        request_id = current_request_id()

        def mark(conn: Connection) -> Source:
            source = store.get_source(conn, source_id)
            if not source.enabled:
                raise Conflict("source_id: the source is disabled (enable it, or use wait=true)")
            store.make_due(conn, [source_id], now)
            mark_requested(conn, [source_id], request_id)  # the worker logs it
            return source

        await db.write(mark)
        queued = RefreshQueued(
            source_id=source_id, due_at=now, detail="due now: the next free worker checks it"
        )
        return json_response(request, queued, status_code=202)
    await db.read(store.get_source, source_id)
    settings: Settings = request.app.state.settings
    # the drain after the deadline may take a worker's grace period: bound that too
    hard = seconds + 20.0
    try:
        out = await off_loop(settings, db, lambda ctx: _check_now(ctx, source_id, seconds), hard)
    except TimeoutError:
        out = RefreshOutcome(**_EMPTY_OUTCOME, source_id=source_id, timed_out=True)
    if not out.finished and not out.timed_out:
        raise Conflict("source_id: a worker is checking this source right now")
    return json_response(request, out)


_EMPTY_OUTCOME: dict[str, Any] = {
    "finished": False,
    "outcome": None,
    "status_code": None,
    "entries": 0,
    "new_entries": 0,
    "queued": 0,
    "stored": 0,
    "revised": 0,
    "error_class": None,
    "message": None,
    "next_check_at": None,
    "duration_ms": 0,
}


async def _check_now(ctx: Context, source_id: int, seconds: float) -> RefreshOutcome:
    """What `mimir refresh SOURCE` does: a one-shot worker on this source (its check through
    refresh_source, then the article pages it queued) until done or ``seconds`` pass."""
    from mimir.alerts.matching import WatchSet
    from mimir.jobs.worker import Worker
    from mimir.monitor.context import Event

    checked: dict[str, Any] = {}
    counts = {"article_new": 0, "article_revised": 0}

    def on_event(event: Event) -> None:
        if event.kind == "source_checked":
            checked.update(event.data)
        elif event.kind in counts:
            counts[event.kind] += 1

    ctx.on_event = on_event
    ctx.watches = await ctx.db.read(WatchSet.load)  # stored articles are matched at ingest
    await ctx.db.write(store.make_due, [source_id], ctx.clock())
    stop = asyncio.Event()
    deadline = asyncio.get_running_loop().call_later(seconds, stop.set)
    try:
        await Worker(ctx, source_ids=[source_id]).run(stop, once=True)
    finally:
        deadline.cancel()
    out = dict(_EMPTY_OUTCOME, source_id=source_id, timed_out=stop.is_set())
    if checked:
        out.update({k: checked[k] for k in _EMPTY_OUTCOME if k in checked}, finished=True)
    out.update(stored=counts["article_new"], revised=counts["article_revised"])
    return RefreshOutcome(**out)
