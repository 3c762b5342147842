"""The API cannot change by accident: the generated OpenAPI document must equal the committed
one (docs/openapi.json). After an intended change: python -m mimir.api.openapi > docs/openapi.json
"""

from __future__ import annotations

import json
from pathlib import Path

from mimir.api.openapi import document, render

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def test_generated_document_equals_the_committed_one() -> None:
    committed = json.loads(COMMITTED.read_text(encoding="utf-8"))
    generated = document()
    if committed != generated:
        changed = sorted(
            set(committed.get("paths", {})) ^ set(generated.get("paths", {}))
        ) or "same paths; a schema, parameter or response differs"
        raise AssertionError(
            f"the API differs from docs/openapi.json ({changed}); if the change is intended, "
            "run: python -m mimir.api.openapi > docs/openapi.json"
        )
    assert COMMITTED.read_text(encoding="utf-8") == render()  # the committed file is canonical


def test_the_document_is_openapi_31_with_security_schemes() -> None:
    doc = document()
    assert doc["openapi"].startswith("3.1")
    schemes = doc["components"]["securitySchemes"]
    assert {"HTTPBearer", "APIKeyHeader", "APIKeyCookie"} <= set(schemes)
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op.get("summary"), f"{method.upper()} {path} has no summary"
