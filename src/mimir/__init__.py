"""Mimir: self-hosted news intelligence."""

__version__ = "0.1.0"
