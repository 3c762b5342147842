"""Source imports and exports: OPML, the earlier product's JSON files, the built-in defaults.

Pure functions from bytes to an ``ImportReport`` (no I/O but the package's own data file).
"""

from __future__ import annotations

from mimir.importers.defaults import default_sources
from mimir.importers.detect import parse_import
from mimir.importers.legacy import parse_legacy
from mimir.importers.opml import export_opml, parse_opml

__all__ = ["default_sources", "export_opml", "parse_import", "parse_legacy", "parse_opml"]
