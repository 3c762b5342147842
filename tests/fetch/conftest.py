"""Fixtures for the fetch tests: anyio on asyncio, the fixture web, test settings."""

from __future__ import annotations

from typing import Any

import pytest

from mimir.config import Settings


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_settings(**overrides: Any) -> Settings:
    """Settings that allow loopback (the fixture web) and add no politeness delay."""
    values: dict[str, Any] = {
        "fetch_allowed_networks": "127.0.0.0/8",
        "database_url": "sqlite://",
        "per_host_interval_seconds": 0,
        "total_timeout_seconds": 10,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
def settings() -> Settings:
    return make_settings()
