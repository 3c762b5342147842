"""The OpenAPI document, as committed in docs/openapi.json (a test compares the two).

python -m mimir.api.openapi > docs/openapi.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from mimir.api.app import create_app
from mimir.config import load_settings


def document() -> dict[str, Any]:
    """The OpenAPI document the app serves at /api/v1/openapi.json (no database needed)."""
    return create_app(load_settings(database_url="sqlite://")).openapi()


def render() -> str:
    return json.dumps(document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(render())
