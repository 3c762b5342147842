"""What we publish is checked: every setting is documented, and so is every CLI command."""

from __future__ import annotations

import re
from pathlib import Path

from mimir.config import Settings

ROOT = Path(__file__).resolve().parents[1]


def test_every_setting_is_documented() -> None:
    doc = (ROOT / "docs" / "configuration.md").read_text()
    documented = set(re.findall(r"`(MIMIR_[A-Z0-9_]+)`", doc))
    wanted = {f"MIMIR_{name.upper()}" for name in Settings.model_fields}
    missing = wanted - documented
    assert not missing, f"settings missing from docs/configuration.md: {sorted(missing)}"
    extra = documented - wanted - {"MIMIR_CONFIG_FILE", "MIMIR_DATA_DIR",
                                   "MIMIR_DATABASE_URL_FILE"}
    assert not extra, f"documented but not settings: {sorted(extra)}"


def test_readme_documents_every_setting_and_the_two_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/run-demo.sh" in readme and "bash scripts/test.sh" in readme
    ci = (ROOT / ".ci" / "run").read_text()
    assert "bash scripts/test.sh" in ci
    for name in Settings.model_fields:
        assert f"MIMIR_{name.upper()}" in readme, name
