"""The ``web`` pytest fixture: a started FixtureWeb per test, stopped afterwards."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fixtureweb.server import FixtureWeb


@pytest.fixture
def web() -> Iterator[FixtureWeb]:
    with FixtureWeb() as server:
        yield server
