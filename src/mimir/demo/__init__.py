"""A bundled local news site so ``mimir run --demo`` works with no internet access."""

from __future__ import annotations

from mimir.demo.site import DemoSite

__all__ = ["DemoSite"]
