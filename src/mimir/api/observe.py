"""Metrics on the HTTP side: ``/metrics`` (Prometheus text format) and the gauges sampled when
it is scraped (docs/metrics.md)."""

from __future__ import annotations

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Add ``/metrics`` to ``app`` (being built: see mimir.metrics)."""
