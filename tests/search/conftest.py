"""The CLI fixtures (`fresh`, and putting logging back after each invocation) for test_cli."""

from __future__ import annotations

from tests.cli.conftest import _restore_logging, fresh  # noqa: F401 - fixtures
