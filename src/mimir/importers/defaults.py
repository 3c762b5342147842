"""The built-in default sources: public pages of the media and broadcast industry.

Every default ships disabled: a user enables the ones they want (listing pages need their
selectors checked first).
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from mimir.model import SourceKind, SourceSpec

DATA_FILE = "default_sources.json"


def default_sources() -> list[SourceSpec]:
    """The defaults from ``mimir/data/default_sources.json`` (fresh objects on every call)."""
    raw = resources.files("mimir.data").joinpath(DATA_FILE).read_text(encoding="utf-8")
    items: list[dict[str, Any]] = json.loads(raw)
    return [
        SourceSpec(
            name=item["name"],
            url=item["url"],
            kind=SourceKind(item["kind"]),
            enabled=bool(item.get("enabled", False)),
            category=item.get("category"),
            note=item.get("note"),
            settings=dict(item.get("settings") or {}),
        )
        for item in items
    ]
