"""Dates as sources write them -> timezone-aware UTC datetimes, with a sanity check."""

from __future__ import annotations

import re
import warnings
from datetime import UTC, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime

from dateutil import parser as dateutil_parser

_EARLIEST = datetime(1995, 1, 1, tzinfo=UTC)
_FUTURE_SLACK = timedelta(days=1)
_MAX_LEN = 200


def _offset(hours: float) -> timezone:
    return timezone(timedelta(hours=hours))


# Abbreviations seen in real feeds (RFC 822 plus common local ones); dateutil only knows UTC/GMT.
_TZINFOS: dict[str, timezone] = {
    "UT": UTC,
    "UTC": UTC,
    "GMT": UTC,
    "Z": UTC,
    "WET": UTC,
    "EST": _offset(-5),
    "EDT": _offset(-4),
    "CST": _offset(-6),
    "CDT": _offset(-5),
    "MST": _offset(-7),
    "MDT": _offset(-6),
    "PST": _offset(-8),
    "PDT": _offset(-7),
    "AKST": _offset(-9),
    "AKDT": _offset(-8),
    "HST": _offset(-10),
    "BST": _offset(1),
    "IST": _offset(5.5),
    "CET": _offset(1),
    "CEST": _offset(2),
    "MET": _offset(1),
    "MEST": _offset(2),
    "EET": _offset(2),
    "EEST": _offset(3),
    "WEST": _offset(1),
    "MSK": _offset(3),
    "JST": _offset(9),
    "KST": _offset(9),
    "HKT": _offset(8),
    "SGT": _offset(8),
    "AEST": _offset(10),
    "AEDT": _offset(11),
    "ACST": _offset(9.5),
    "AWST": _offset(8),
    "NZST": _offset(12),
    "NZDT": _offset(13),
}

_ISO_LIKE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_RFC822_LIKE = re.compile(r"^([A-Za-z]{3},?\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d")


def to_utc(value: datetime) -> datetime:
    """Aware UTC; a naive value is taken to be UTC already."""
    if value.tzinfo is None or value.tzinfo.utcoffset(value) is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _rfc822(text: str) -> datetime | None:
    if not _RFC822_LIKE.match(text):
        return None
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _iso(text: str) -> datetime | None:
    if not _ISO_LIKE.match(text):
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None


def _human(text: str) -> datetime | None:
    with warnings.catch_warnings():
        # an unknown zone name makes dateutil warn and return a naive value: we take it as UTC
        warnings.simplefilter("ignore", dateutil_parser.UnknownTimezoneWarning)
        try:
            return dateutil_parser.parse(text, tzinfos=_TZINFOS)
        except (ValueError, OverflowError, TypeError, LookupError):
            return None


def _strptime(text: str, fmt: str) -> datetime | None:
    try:
        return datetime.strptime(text, fmt)
    except ValueError:
        return None


def parse_date(value: str | None, fmt: str | None = None) -> datetime | None:
    """Parse a date as feeds and pages write it; aware UTC, or None when unreadable.

    Tries ``fmt`` (a ``strptime`` format) first when given, then RFC 822 (RSS), ISO 8601
    (Atom, JSON Feed, sitemaps, ``<time datetime>``) and finally dateutil's human formats
    ("March 3, 2026 4:05 pm"). A value without a zone is taken as UTC.
    """
    if not value:
        return None
    text = " ".join(value.split())[:_MAX_LEN]
    if not text:
        return None
    parsed: datetime | None = None
    if fmt:
        parsed = _strptime(text, fmt)
    if parsed is None:
        parsed = _iso(text) or _rfc822(text) or _human(text)
    if parsed is None:
        return None
    try:
        return to_utc(parsed)
    except (OverflowError, ValueError):
        return None


def sane(value: datetime | None, now: datetime) -> datetime | None:
    """Drop absurd dates: before 1995 (including the 1970 epoch zero) or over a day ahead."""
    if value is None:
        return None
    value = to_utc(value)
    if value < _EARLIEST or value > to_utc(now) + _FUTURE_SLACK:
        return None
    return value


__all__ = ["parse_date", "sane", "to_utc"]
