"""What every page of the web UI shares: the templates, the page's access rule, rendering with
the caller, their time zone and theme, and HTML error pages.

Pages read through the same storage functions as the REST API; forms change things by calling
the REST API itself (``static/mimir.js`` sends them as JSON with the session's CSRF token and
shows its problem+json errors beside the field they name), so validation and access rules live
in one place. A page declares its role with :data:`VIEWER_PAGE` / :data:`EDITOR_PAGE` /
:data:`ADMIN_PAGE` (an :class:`~mimir.api.access.Access` that sends the anonymous to the sign-in
page instead of answering 401).

Pages run under a strict Content-Security-Policy: scripts and styles only from ``/static`` (no
inline script, no inline ``style=``, no ``on*=`` attribute), images also from https (article
images), nothing may frame a page.
"""

from __future__ import annotations

import hashlib
import inspect
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from importlib.resources import files
from typing import Annotated, Any
from urllib.parse import quote, unquote
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup
from starlette.exceptions import HTTPException as StarletteHTTPException

from mimir import __version__
from mimir.api.access import Access, Principal
from mimir.errors import MimirError, Unauthenticated
from mimir.model.users import Role

PAGE_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: https:; "
    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'; manifest-src 'self'"
)
THEME_COOKIE = "mimir_theme"  # light | dark (absent: the system's preference)
TZ_COOKIE = "mimir_tz"  # the browser's IANA zone, set by mimir.js; used when the user set none
THEMES = frozenset({"light", "dark"})

#: the main navigation: (path, label, role needed)
NAV: tuple[tuple[str, str, Role], ...] = (
    ("/", "Dashboard", Role.VIEWER),
    ("/river", "River", Role.VIEWER),
    ("/search", "Search", Role.VIEWER),
    ("/sources", "Sources", Role.VIEWER),
    ("/watches", "Watches", Role.VIEWER),
    ("/admin", "Admin", Role.ADMIN),
)


class LoginRequired(MimirError):
    """An anonymous visitor asked for a page: they are sent to sign in first."""

    code = "login_required"
    status = 401

    def __init__(self, next_url: str) -> None:
        super().__init__("sign in first")
        self.next_url = next_url


class PageAccess(Access):
    """A page's requirement: like :class:`Access`, but the anonymous are sent to ``/login``."""

    async def __call__(  # type: ignore[override]
        self,
        request: Request,
        _bearer: object = None,
        _key: object = None,
        _session: object = None,
    ) -> Principal:
        try:
            return await super().__call__(request)
        except Unauthenticated as exc:
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            raise LoginRequired(target) from exc

    def __repr__(self) -> str:
        return f"Access({self.role}, {self.scope})"


VIEWER_PAGE = PageAccess(Role.VIEWER)
EDITOR_PAGE = PageAccess(Role.EDITOR)
ADMIN_PAGE = PageAccess(Role.ADMIN)

#: what page routes take: ``me: ViewerPage``
ViewerPage = Annotated[Principal, Depends(VIEWER_PAGE)]
EditorPage = Annotated[Principal, Depends(EDITOR_PAGE)]
AdminPage = Annotated[Principal, Depends(ADMIN_PAGE)]


# ---- time and zones -------------------------------------------------------------------------


@cache
def zone(name: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(name) if name else None
    except (ZoneInfoNotFoundError, ValueError):
        return None


def zone_of(request: Request, me: Principal | None) -> ZoneInfo:
    """The user's own zone when they set one, else the browser's, else UTC."""
    if me is not None and me.user.timezone not in ("", "UTC"):
        found = zone(me.user.timezone)
        if found is not None:
            return found
    return zone(unquote(request.cookies.get(TZ_COOKIE, "")[:100])[:64]) or ZoneInfo("UTC")


def aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def local_time(value: datetime | None, tz: ZoneInfo, now: datetime | None = None) -> Markup:
    """``<time>`` in the reader's zone: the clock time today, the date and time before, the full
    timestamp on hover."""
    if value is None:
        return Markup('<span class="muted">never</span>')
    at = aware(value).astimezone(tz)
    today = (now or datetime.now(UTC)).astimezone(tz).date()
    if at.date() == today:
        shown = at.strftime("%H:%M")
    elif at.year == today.year:
        shown = at.strftime("%d %b %H:%M")
    else:
        shown = at.strftime("%d %b %Y")
    full = at.strftime("%Y-%m-%d %H:%M %Z")
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        aware(value).isoformat(), full, shown
    )


def ago(value: datetime | None, now: datetime | None = None) -> str:
    """``3 min ago``, ``in 2 h``: a duration from now, coarse."""
    if value is None:
        return "never"
    delta = (now or datetime.now(UTC)) - aware(value)
    future = delta < timedelta(0)
    seconds = abs(delta.total_seconds())
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if seconds >= size:
            amount = f"{int(seconds // size)} {unit}"
            break
    else:
        return "just now" if not future else "in a moment"
    return f"in {amount}" if future else f"{amount} ago"


# ---- templates ------------------------------------------------------------------------------


@cache
def static_version(path: str) -> str:
    """A short hash of a static file's content: its URL changes when it does, so it can be
    cached for a year."""
    data = files("mimir.api.web").joinpath("static", path).read_bytes()
    return hashlib.sha256(data).hexdigest()[:10]


def static_url(path: str) -> str:
    return f"/static/{path}?v={static_version(path)}"


def number(value: int | float | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, int) or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.1f}"


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("mimir.api.web", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.globals.update(static=static_url, version=__version__, nav=NAV)
    env.filters.update(number=number, ago=ago, urlquote=lambda s: quote(str(s), safe=""))
    return env


def principal_of(request: Request) -> Principal | None:
    found = getattr(request.state, "principal", None)
    return found if isinstance(found, Principal) else None


def context(request: Request, **values: Any) -> dict[str, Any]:
    """What every template sees: the caller, their zone and theme, the path, the CSRF token."""
    me = principal_of(request)
    tz = zone_of(request, me)
    now = datetime.now(UTC)
    theme = request.cookies.get(THEME_COOKIE, "")
    base: dict[str, Any] = {
        "request": request,
        "me": me,
        "user": me.user if me else None,
        "is_admin": bool(me and me.user.role.includes(Role.ADMIN)),
        "is_editor": bool(me and me.user.role.includes(Role.EDITOR)),
        "csrf_token": (me.csrf_token or "") if me else "",
        "theme": theme if theme in THEMES else "",
        "tz": tz,
        "now": now,
        "path": request.url.path,
        "when": lambda value: local_time(value, tz, now),
        "title": "",
    }
    base.update(values)
    return base


def render(
    request: Request,
    template: str,
    *,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    **values: Any,
) -> HTMLResponse:
    """The page ``template`` for this caller (never cached: pages show private data)."""
    html = environment().get_template(template).render(context(request, **values))
    out = {
        "Content-Security-Policy": PAGE_CSP,
        "Cache-Control": "no-store",
        "Vary": "Cookie, HX-Request",
        **(headers or {}),
    }
    return HTMLResponse(html, status_code=status, headers=out)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def redirect(request: Request, url: str) -> Response:
    """Go to ``url``: a 303 for the browser, ``HX-Redirect`` for an htmx request."""
    if is_htmx(request):
        return Response(status_code=204, headers={"HX-Redirect": url})
    return RedirectResponse(url, status_code=303)


# ---- errors as pages ------------------------------------------------------------------------


def wants_html(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/feeds/", "/static/")) or path in ("/healthz", "/readyz"):
        return False
    return "text/html" in request.headers.get("accept", "") or is_htmx(request)


def install_error_pages(app: FastAPI) -> None:
    """HTML answers for browsers on UI paths; the API keeps problem+json (mimir.api.problems)."""
    previous = app.exception_handlers.get(MimirError)

    async def on_error(request: Request, exc: Exception) -> Response:
        if isinstance(exc, LoginRequired):
            return redirect(request, f"/login?next={quote(exc.next_url, safe='/')}")
        if isinstance(exc, MimirError) and wants_html(request) and 400 <= exc.status < 500:
            return render(
                request,
                "error.html",
                status=exc.status,
                title=_TITLES.get(exc.status, "Something is wrong"),
                message=exc.message,
            )
        assert previous is not None
        answer = previous(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(MimirError, on_error)
    previous_http = app.exception_handlers.get(StarletteHTTPException)

    async def on_http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if wants_html(request) and exc.status_code in (404, 405):
            return render(
                request,
                "error.html",
                status=exc.status_code,
                title=_TITLES.get(exc.status_code, "Not here"),
                message="There is nothing at this address.",
            )
        assert previous_http is not None
        answer = previous_http(request, exc)
        return await answer if inspect.isawaitable(answer) else answer

    app.add_exception_handler(StarletteHTTPException, on_http_error)


_TITLES = {
    403: "Not allowed",
    404: "Not found",
    405: "Not here",
    401: "Sign in",
    429: "Slow down",
}
