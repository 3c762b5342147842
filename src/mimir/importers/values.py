"""Lenient readers for values of hand-written import files."""

from __future__ import annotations

from typing import Any

_TRUE = {"true", "yes", "1", "on", "y"}
_FALSE = {"false", "no", "0", "off", "n", ""}


def as_bool(value: Any, default: bool) -> bool | None:
    """``value`` as a bool (``None`` gives ``default``); None when it cannot be read as one."""
    if value is None:
        return default
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    return None


def as_positive_int(value: Any) -> int | None:
    """A positive int from an int or a digit string, else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, int) and value > 0:
        return value
    return None


def as_text(value: Any) -> str | None:
    """A stripped non-empty string, else None."""
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def as_str_list(value: Any) -> tuple[list[str], list[Any]]:
    """Unique (case-insensitive, first kept) stripped strings, and the items that were not."""
    items = value if isinstance(value, list) else [value]
    seen: set[str] = set()
    out: list[str] = []
    bad: list[Any] = []
    for item in items:
        text = as_text(item)
        if text is None:
            bad.append(item)
        elif text.casefold() not in seen:
            seen.add(text.casefold())
            out.append(text)
    return out, bad
