"""What every ``/api/v1`` route shares: JSON bodies with ETags, keyset cursors, list pages.

- :func:`json_response` serialises with orjson once, takes the body's hash as a strong ETag and
  answers 304 when ``If-None-Match`` names it (GETs only).
- Cursors are opaque to clients: the sort key of the last row of a page, as URL-safe base64 of
  a JSON array, with a version mark so old cursors are refused clearly, never misread.
- A list page is ``{"items": [...], "next_cursor": "..." | null}``; ``limit`` is 1-500
  (default 50).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Annotated, Any, Generic, TypeVar

import orjson
from fastapi import Query, Request
from fastapi.responses import Response
from pydantic import AfterValidator, BaseModel

from mimir.api.conditional import etag_of, none_match
from mimir.errors import InputError

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 500
CURSOR_VERSION = 1

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"Items per page (1-{MAX_LIMIT}).")]
Cursor = Annotated[
    str | None,
    Query(max_length=500, description="`next_cursor` of the previous page; omit for the first."),
]


class Page(BaseModel, Generic[T]):
    """One page of a list, in a stable order; ``next_cursor`` is null on the last page."""

    items: list[T]
    next_cursor: str | None


class Problem(BaseModel):
    """An error (RFC 9457 problem details)."""

    type: str
    title: str
    status: int
    detail: str
    code: str | None = None


#: the error answers every /api/v1 route may give, for the OpenAPI document
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": Problem, "content": {"application/problem+json": {}}, "description": text}
    for status, text in (
        (400, "Bad request"),
        (401, "Not signed in, or the API key is not valid"),
        (403, "The role or the key's scopes do not allow this"),
        (404, "Not found"),
        (422, "The request did not validate (the message names the field)"),
    )
}


def _default(value: Any) -> Any:
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(f"cannot serialise {type(value).__name__}")


def dumps(payload: Any) -> bytes:
    if isinstance(payload, BaseModel):
        return payload.model_dump_json().encode()
    return orjson.dumps(payload, default=_default, option=orjson.OPT_UTC_Z)


def json_response(
    request: Request,
    payload: Any,
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
    cache_control: str = "private, no-cache",
) -> Response:
    """``payload`` as JSON; a GET gets an ETag and a 304 when the client's copy is current."""
    body = dumps(payload)
    out = {"Cache-Control": cache_control, **(headers or {})}
    if request.method in ("GET", "HEAD") and status_code == 200:
        tag = etag_of(body)
        out["ETag"] = tag
        if none_match(request.headers.get("if-none-match"), tag):
            return Response(status_code=304, headers=out)
    return Response(body, status_code=status_code, media_type="application/json", headers=out)


def encode_cursor(values: Sequence[Any]) -> str:
    """An opaque cursor for the sort key ``values`` (ints, strings, datetimes, None)."""
    data = [CURSOR_VERSION, *(v.isoformat() if isinstance(v, datetime) else v for v in values)]
    return base64.urlsafe_b64encode(orjson.dumps(data)).decode().rstrip("=")


def decode_cursor(cursor: str, kinds: Sequence[type]) -> list[Any]:
    """The sort key in ``cursor``, each value checked against ``kinds`` (``int``, ``str``,
    ``datetime``, ``float``); an InputError naming ``cursor`` for anything else."""
    bad = InputError("cursor: not a cursor of this list (start again without one)")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        data = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError):
        raise bad from None
    if not isinstance(data, list) or len(data) != len(kinds) + 1 or data[0] != CURSOR_VERSION:
        raise bad
    out: list[Any] = []
    for value, kind in zip(data[1:], kinds, strict=True):
        if value is None:
            out.append(None)
        elif kind is datetime and isinstance(value, str):
            try:
                out.append(datetime.fromisoformat(value))
            except ValueError:
                raise bad from None
        elif kind is float and isinstance(value, int | float) and not isinstance(value, bool):
            out.append(float(value))
        elif kind in (int, str) and type(value) is kind:
            out.append(value)
        else:
            raise bad
    return out


def page(items: list[Any], limit: int, key: Any) -> dict[str, Any]:
    """The page body for ``items`` fetched with ``limit + 1`` rows: the extra row only says
    there is more; ``key(item)`` is the sort key the next cursor starts after."""
    more = len(items) > limit
    shown = items[:limit]
    return {
        "items": shown,
        "next_cursor": encode_cursor(key(shown[-1])) if more and shown else None,
    }


def _utc(value: datetime) -> datetime:
    try:
        return value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    except OverflowError:
        raise ValueError("out of range") from None


#: a date-time the API accepts with or without a zone (without: UTC), stored in UTC
UtcDateTime = Annotated[datetime, AfterValidator(_utc)]
