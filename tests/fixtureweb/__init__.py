"""The local misbehaving web used by the test suite."""

from tests.fixtureweb.server import FixtureWeb

__all__ = ["FixtureWeb"]
