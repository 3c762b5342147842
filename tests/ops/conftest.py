"""Operations tests: request ids, traces, health checks, graceful shutdown."""

from __future__ import annotations

from tests.api.conftest import as_editor, people  # noqa: F401 - the API's signed-in client
