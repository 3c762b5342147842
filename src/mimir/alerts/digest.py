"""Alert and digest messages (Jinja2, HTML and text), and digest windows in the owner's zone.

Rendering is pure: values in, a :class:`Notification` out. HTML templates are autoescaped;
titles and snippets are plain text, highlighted by :mod:`mimir.alerts.highlight`, and links
are kept only when they are http(s), so a hostile title or URL cannot inject markup or script.

Digest windows follow the owner's wall clock (``zoneinfo``): an hourly digest covers the last
complete local hour, a daily one the 24 local hours up to the daily send time (07:00 by
default), so across a DST change a daily window is 23 or 25 hours long. A send time that does
not exist that day (inside a spring-forward gap) moves forward by the gap; one that exists twice
(fall-back) is the first occurrence.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from mimir.alerts import payloads
from mimir.alerts.highlight import highlight_html, highlight_text
from mimir.model.alerts import DigestItem, Notification, WatchRef
from mimir.model.watches import WatchMode

DEFAULT_DAILY_AT = time(7, 0)
SUBJECT_MAX_CHARS = 160
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SPACES = re.compile(r"\s+")


# ---- time windows -------------------------------------------------------------------------------


def _zone(tz: tzinfo | str) -> tzinfo:
    return ZoneInfo(tz) if isinstance(tz, str) else tz


def _aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"naive datetime {now!r}: pass a timezone-aware 'now'")
    return now.astimezone(UTC)


def _daily_boundary(day: Any, at: time, zone: tzinfo) -> datetime:
    """The instant of ``at`` on local ``day`` (a gap time moves forward, an ambiguous one is
    the first occurrence)."""
    return datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=zone).astimezone(UTC)


def _hour_floor(instant: datetime, zone: tzinfo) -> datetime:
    local = instant.astimezone(zone)
    return local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)


def digest_window(
    mode: WatchMode | str,
    tz: tzinfo | str,
    now: datetime,
    *,
    daily_at: time = DEFAULT_DAILY_AT,
) -> tuple[datetime, datetime]:
    """The latest complete digest window at ``now``: ``(start, end)`` in UTC, end exclusive.

    Hourly: the last complete hour of the owner's clock. Daily: from the daily send time on
    the previous local day to the latest send time at or before ``now``.
    """
    mode, zone, utc_now = WatchMode(mode), _zone(tz), _aware(now)
    if mode is WatchMode.HOURLY:
        end = _hour_floor(utc_now, zone)
        return _hour_floor(end - timedelta(hours=1), zone), end
    if mode is WatchMode.DAILY:
        day = utc_now.astimezone(zone).date()
        if _daily_boundary(day, daily_at, zone) > utc_now:
            day -= timedelta(days=1)
        return (
            _daily_boundary(day - timedelta(days=1), daily_at, zone),
            _daily_boundary(day, daily_at, zone),
        )
    raise ValueError("instant watches have no digest window")


def next_digest_at(
    mode: WatchMode | str,
    tz: tzinfo | str,
    now: datetime,
    *,
    daily_at: time = DEFAULT_DAILY_AT,
) -> datetime:
    """When the window open at ``now`` closes (strictly after ``now``), in UTC: send then."""
    mode, zone, utc_now = WatchMode(mode), _zone(tz), _aware(now)
    if mode is WatchMode.HOURLY:
        step = utc_now + timedelta(hours=1)
        while (boundary := _hour_floor(step, zone)) <= utc_now:  # a 30-minute DST shift
            step += timedelta(minutes=30)
        return boundary
    if mode is WatchMode.DAILY:
        day = utc_now.astimezone(zone).date()
        while (boundary := _daily_boundary(day, daily_at, zone)) <= utc_now:
            day += timedelta(days=1)
        return boundary
    raise ValueError("instant watches have no digest schedule")


# ---- rendering ----------------------------------------------------------------------------------


def oneline(value: str | None) -> str:
    """One line of text: control characters dropped, whitespace runs collapsed."""
    if not value:
        return ""
    return _SPACES.sub(" ", _CONTROL.sub("", value)).strip()


def safe_url(value: str | None) -> str | None:
    """``value`` when it is an absolute http(s) URL without spaces, else None (no link)."""
    if not value:
        return None
    url = value.strip()
    if not url.lower().startswith(("http://", "https://")) or _CONTROL.search(url):
        return None
    if any(c.isspace() for c in url):
        return None
    return url


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


@cache
def environment() -> Environment:
    """The Jinja2 environment of the alert templates (HTML autoescaped, text not)."""
    env = Environment(
        loader=PackageLoader("mimir.alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["hl_html"] = highlight_html
    env.filters["hl_text"] = highlight_text
    env.filters["safe_url"] = safe_url
    env.filters["oneline"] = oneline
    env.globals["also_links"] = also_links
    return env


def also_links(item: DigestItem) -> list[tuple[str, str | None]]:
    """``(source name, link)`` for each other source of the story (first article of each)."""
    lead = (item.lead.source or "").casefold()
    links: dict[str, tuple[str, str | None]] = {}
    for article in item.also:
        name = article.source or article.url
        key = name.casefold()
        if key != lead and key not in links:
            links[key] = (name, safe_url(article.url))
    return list(links.values())


def when_in(zone: tzinfo) -> Any:
    """A template function showing a datetime in ``zone`` ("14 Mar 2026, 10:30 CET")."""

    def when(value: datetime | None) -> str:
        if value is None:
            return ""
        return value.astimezone(zone).strftime("%d %b %Y, %H:%M %Z").lstrip("0")

    return when


def render_template(name: str, **context: Any) -> str:
    """Render one template of ``mimir/alerts/templates`` (``.html`` ones autoescaped)."""
    return environment().get_template(name).render(**context)


def _render(name: str, **context: Any) -> tuple[str, str]:
    return render_template(f"{name}.html", **context), render_template(f"{name}.txt", **context)


def render_alert(
    watch: WatchRef,
    item: DigestItem,
    *,
    tz: tzinfo | str = UTC,
    watch_url: str | None = None,
) -> Notification:
    """An instant alert for one story; dates shown in the owner's zone ``tz``."""
    zone = _zone(tz)
    subject = _clip(f"[{oneline(watch.name)}] {oneline(item.lead.title)}", SUBJECT_MAX_CHARS)
    html, text = _render(
        "alert",
        subject=subject,
        watch=watch,
        item=item,
        when=when_in(zone),
        watch_url=safe_url(watch_url),
    )
    return Notification(subject, text, html, payloads.alert_event(watch, item))


def render_digest(
    watch: WatchRef,
    items: Sequence[DigestItem],
    *,
    mode: WatchMode | str,
    window: tuple[datetime, datetime],
    tz: tzinfo | str = UTC,
    watch_url: str | None = None,
) -> Notification:
    """An hourly or daily digest: the stories in ``items`` (in the order given), one block each
    with its lead article, "also in N sources" and the matched terms highlighted."""
    mode, zone = WatchMode(mode), _zone(tz)
    if mode is WatchMode.INSTANT:
        raise ValueError("an instant watch has no digest; use render_alert")
    start, end = (w.astimezone(zone) for w in window)
    if mode is WatchMode.HOURLY:
        period = f"{start:%H:%M}\N{EN DASH}{end:%H:%M} {end:%Z}, {end:%d %b}".replace(" 0", " ")
    else:
        period = f"{end:%a %d %b %Y}".replace(" 0", " ")
    count = f"{len(items)} {'story' if len(items) == 1 else 'stories'}"
    label = "Hourly digest" if mode is WatchMode.HOURLY else "Daily digest"
    subject = _clip(f"[{oneline(watch.name)}] {label}: {count} ({period})", SUBJECT_MAX_CHARS)
    html, text = _render(
        "digest",
        subject=subject,
        watch=watch,
        items=items,
        label=label,
        period=period,
        count=count,
        when=when_in(zone),
        watch_url=safe_url(watch_url),
    )
    return Notification(subject, text, html, payloads.digest_event(watch, items, mode, window))


def render_test() -> Notification:
    """The message "send a test message" delivers."""
    subject = "Mimir test message"
    html, text = _render("test", subject=subject)
    return Notification(subject, text, html, payloads.test_event())
