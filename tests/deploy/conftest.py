"""Shared helpers for the deployment checks (image, Compose, workflows, Kubernetes, monitoring).

The checks run real linters and validators (hadolint, shellcheck, actionlint, kubectl, helm,
promtool...). ``tool(name)`` finds such a binary in the repository's ``.tools/bin`` (where the
installers in ``scripts/tools/`` put them), in ``.venv/bin``, then on ``PATH``. When it is
missing, the calling test is skipped on a developer's machine and FAILS under CI
(``CI=true``), so a green CI always means the check really ran.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
SEARCH_DIRS = (REPO / ".tools" / "bin", REPO / ".venv" / "bin")


def find_tool(name: str) -> str | None:
    """The absolute path of the binary ``name``, or None when it is not installed."""
    for directory in SEARCH_DIRS:
        candidate = directory / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def tool(name: str) -> str:
    """The path of the binary ``name``; skips the test outside CI and fails it under CI."""
    path = find_tool(name)
    if path is not None:
        return path
    message = (
        f"{name} is not installed (looked in .tools/bin, .venv/bin and PATH); "
        "run `bash scripts/test.sh` (its scripts/tools/*.sh installers) or install it"
    )
    if IN_CI:
        pytest.fail(f"{message}: it is required under CI")
    pytest.skip(message)
    raise AssertionError("unreachable")  # pragma: no cover - pytest.skip raises
