#!/usr/bin/env bash
# Install Mimir with its test tools into .venv, then run the whole suite:
# lint (ruff), layer contracts (import-linter), types (mypy --strict), tests with coverage.
# Tests use a real PostgreSQL at MIMIR_TEST_POSTGRES_URL
# (default postgresql+psycopg://postgres@127.0.0.1:5432/postgres); with CI=true a missing
# PostgreSQL fails the run instead of skipping those tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/venv.sh
.venv/bin/python -m pip install -q -e '.[test]'
echo "== ruff"; .venv/bin/ruff check .
echo "== import-linter"; .venv/bin/lint-imports
echo "== mypy"; .venv/bin/mypy
echo "== pytest"
.venv/bin/python -m pytest --cov --cov-report=term:skip-covered "$@"
