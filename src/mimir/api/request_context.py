"""Per-request context: the ``X-Request-ID`` (taken or made) bound into the logs and returned,
and the OpenTelemetry instrumentation of the app (docs/operations.md)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Wrap ``app`` with the request context (being built)."""
