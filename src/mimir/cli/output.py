"""Printing for the CLI: `--json` for scripts, aligned tables for people."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import click


def to_jsonable(value: Any) -> Any:
    """Plain JSON values: datetimes as ISO 8601, enums as their value, sets as lists."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [to_jsonable(v) for v in value]
    if isinstance(value, PurePath):
        return str(value)
    if hasattr(value, "value") and not isinstance(value, int | float | str | bool):
        return value.value
    return value


def dumps(value: Any) -> str:
    return json.dumps(to_jsonable(value), ensure_ascii=False, default=str)


def emit_json(value: Any) -> None:
    click.echo(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2, default=str))


def ago(when: datetime | None, now: datetime) -> str:
    """`5m ago`, `in 2.5h`: a time relative to `now`, or `-`."""
    if when is None:
        return "-"
    secs = (when - now).total_seconds()
    future = secs > 0
    secs = abs(secs)
    if secs < 90:
        text = f"{int(secs)}s"
    elif secs < 5400:
        text = f"{int(secs // 60)}m"
    elif secs < 172800:
        text = f"{secs / 3600:.1f}h"
    else:
        text = f"{int(secs // 86400)}d"
    return f"in {text}" if future else f"{text} ago"


def table(headers: Sequence[str], rows: Iterable[Sequence[Any]], max_width: int = 60) -> None:
    cells = [[_cell(v, max_width) for v in r] for r in rows]
    widths = [len(h) for h in headers]
    for r in cells:
        widths = [max(w, len(c)) for w, c in zip(widths, r, strict=True)]
    click.echo("  ".join(h.upper().ljust(w) for h, w in zip(headers, widths, strict=True)).rstrip())
    for r in cells:
        click.echo("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())


def _cell(v: Any, max_width: int) -> str:
    s = "-" if v is None else str(v)
    s = " ".join(s.split())
    return s if len(s) <= max_width else s[: max_width - 1] + "…"
