"""Shared fixtures: one demo site that never publishes during a test, and an HTTP helper."""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from mimir.demo import DemoSite


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes


def fetch(url: str, headers: dict[str, str] | None = None, method: str = "GET") -> Reply:
    """GET without raising on 304/404; header names lower-cased."""
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return Reply(response.status, _lower(response.headers.items()), response.read())
    except urllib.error.HTTPError as error:
        with error:
            return Reply(error.code, _lower(error.headers.items()), error.read())


def _lower(items: object) -> dict[str, str]:
    return {k.lower(): v for k, v in items}  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def site() -> Iterator[DemoSite]:
    with DemoSite(new_item_every_seconds=3600, initial_items=12) as demo:
        yield demo
