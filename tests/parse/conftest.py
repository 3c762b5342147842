from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data"
NOW = datetime(2026, 3, 4, 12, 0, tzinfo=UTC)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


@pytest.fixture
def now() -> datetime:
    return NOW
